"""Numbers and dates that differ between linked sentences, and datelines that differ or that one version alone has.

Anchors are compared by their normalised keys, so 3月9日 = 9 March = ٩ آذار/مارس and 10th = العاشرة; a small number
spelled as a word ("two", 两) never starts a finding, and a number only one side has counts only when written in
digits (words are too often rendered another way). A date one side gives where the other names the weekday ("11月29
日" / "on Monday") is the same time said two ways. Datelines are their own element: only compared with each other.
"""
from __future__ import annotations

from triglot_server.engine.anchors import Anchor
from triglot_server.engine.datelines import Dateline
from triglot_server.engine.comparison.findings import (Context, anchor_ref, keys_of, label, ordered, piece_ref,
                                                       quote)
from triglot_server.engine.comparison.model import Finding, FindingKind, FindingRef, Severity


def _date_parts(value: str) -> list[int]:
    """Year, month, day of a date anchor's value ("2020-03-09", "--03-09", "--03") as numbers."""
    return [int(part) for part in value.split("-") if part.isdigit()]


def _date_parts_match(x: Anchor, others: list[tuple[int, Anchor]]) -> bool:
    """A date said as plain numbers on the other side ("the seventeenth day of the seventh month" = 七月十七日), or a
    number that is a part of a date there: the same value, not a mismatch."""
    numbers = {a.value for _, a in others if a.kind == "number"}
    if x.kind == "date":
        parts = _date_parts(x.value)
        return bool(parts) and all(str(part) in numbers for part in parts[-2:])
    dates = [a for _, a in others if a.kind == "date"]
    return x.kind == "number" and any(x.value == str(part) for d in dates for part in _date_parts(d.value))


def _numbers(ctx: Context, r: int) -> list[Finding]:
    versions = ctx.versions
    refs: dict[FindingRef, None] = {}
    evidence: list[str] = []
    two_sided = False
    for a, b, ma, mb in ctx.pairs(r):
        xa = ctx.anchors(a, ma, ("number", "date"))
        xb = ctx.anchors(b, mb, ("number", "date"))
        if not xa and not xb:
            continue
        ka, kb = keys_of(xa), keys_of(xb)
        ua = [(i, x) for i, x in xa if not x.weak and not (x.keys & kb) and not _date_parts_match(x, xb)]
        ub = [(i, x) for i, x in xb if not x.weak and not (x.keys & ka) and not _date_parts_match(x, xa)]
        if ua and ub:
            two_sided = True
            evidence.append(", ".join(quote(versions[a], i, x) for i, x in ua) + " ≠ "
                            + ", ".join(quote(versions[b], i, x) for i, x in ub))
        else:
            side, other, others_ids = (ua, b, mb) if ua else (ub, a, ma)
            weekday = any(ctx.analyses[other][i].weekday for i in others_ids)
            # A date the other side says as a weekday, and numbers written in words, are not evidence alone.
            side = [(i, x) for i, x in side if any(c.isdecimal() for c in x.text)
                    and not (x.kind == "date" and weekday)]
            if not side:
                continue
            owner = a if ua else b
            ua, ub = (side, []) if owner == a else ([], side)
            evidence.append(", ".join(quote(versions[owner], i, x) for i, x in side)
                            + f" has no counterpart in {label(versions[other], others_ids)}")
        for i, x in ua:
            refs[anchor_ref(versions[a], i, x)] = None
        for i, x in ub:
            refs[anchor_ref(versions[b], i, x)] = None
    if not evidence:
        return []
    # Two numbers that differ on both sides are near certain; one side's number alone may be said in words.
    return [Finding(FindingKind.NUMBER_MISMATCH, ordered(refs, versions), "; ".join(evidence),
                    Severity.HIGH if two_sided else Severity.MEDIUM, r, 0.95 if two_sided else 0.75)]


def _differ(x: Dateline, y: Dateline) -> list[str]:
    """What two datelines say differently: the day (or month) of their dates, or their places (when both are known
    places and share no id: BEIJING = بكين = 北京)."""
    out = []
    if x.date and y.date and any(p is not None and q is not None and p != q
                                 for p, q in ((x.date.month, y.date.month), (x.date.day, y.date.day))):
        out.append("date")
    if x.place_ids and y.place_ids and not set(x.place_ids) & set(y.place_ids):
        out.append("place")
    return out


def _datelines(ctx: Context, r: int) -> list[Finding]:
    """Two datelines whose dates or places differ; or one version's dateline where the other states no time at
    all for the event (no date, no weekday): a low-severity anchor finding either way (a dateline is where and when
    the story was filed; the body usually says when the event was)."""
    versions = ctx.versions
    refs: dict[FindingRef, None] = {}
    evidence: list[str] = []
    kind = FindingKind.NUMBER_MISMATCH
    for a, b, ma, mb in ctx.pairs(r):
        da = [(i, ctx.analyses[a][i].dateline) for i in ma if ctx.analyses[a][i].dateline]
        db = [(i, ctx.analyses[b][i].dateline) for i in mb if ctx.analyses[b][i].dateline]
        if da and db:
            (i, x), (j, y) = da[0], db[0]
            what = _differ(x, y)
            if what:
                evidence.append(f"dateline {versions[a].name} {i} “{x.text}” ≠ {versions[b].name} {j} “{y.text}” "
                                f"({' and '.join(what)})")
                refs[piece_ref(versions[a], i, x.start, x.end)] = None
                refs[piece_ref(versions[b], j, y.start, y.end)] = None
                if what == ["place"]:
                    kind = FindingKind.NAME_MISMATCH
            continue
        for owner, other, lines, other_ids in ((a, b, da, mb), (b, a, db, ma)):
            if not lines:
                continue
            timed = any(ctx.analyses[other][k].weekday or any(x.kind == "date" for x in ctx.analyses[other][k].anchors)
                        for k in other_ids)
            i, x = lines[0]
            if timed or not (x.date or x.place_ids):
                continue
            what = " and ".join(w for w, has in (("place", x.place_ids), ("date", x.date)) if has)
            evidence.append(f"dateline {versions[owner].name} {i} “{x.text}” ({what}) has no counterpart in "
                            f"{label(versions[other], other_ids)}")
            refs[piece_ref(versions[owner], i, x.start, x.end)] = None
            for k in other_ids:
                refs[piece_ref(versions[other], k, 0, len(ctx.analyses[other][k].text))] = None
            if x.place_ids:
                kind = FindingKind.NAME_MISMATCH
    if not evidence:
        return []
    return [Finding(kind, ordered(refs, versions), "; ".join(evidence), Severity.LOW, r, 0.5)]


def detect(ctx: Context, r: int) -> list[Finding]:
    return _numbers(ctx, r) + _datelines(ctx, r)
