"""A person, country, place or organisation one version names and its linked sentences in another do not refer to.

A name counts as referred to when the other version names it (any of its forms: 沙特 / 沙方 "the Saudi side" /
Saudi Arabia / السعودية), names something that stands for it (a capital, a leader, a referring expression such as
المملكة "the Kingdom" among whose referents it is), or says it in dictionary words — in the linked sentences or the
rows around them (NAME_CONTEXT_ROWS), where it says "he" or "the two sides" for someone just named. Titles, news
agencies and referring expressions never start a finding themselves. Reported when the other version names someone
or something else of the same kind there instead (Iraq vs Iran), or does not refer to it anywhere near.
"""
from __future__ import annotations

from triglot_server.engine import anchors, lexicon
from triglot_server.engine.comparison.findings import content
from triglot_server.engine.comparison.findings import Context, anchor_ref, keys_of, label, ordered, quote
from triglot_server.engine.comparison.model import Finding, FindingKind, FindingRef, Severity

NAME_CONTEXT_ROWS = 3
"""A name one version lacks in a row is not reported when that version names it in the previous NAME_CONTEXT_ROWS
rows or the next one: it then says "he"/"the two sides" for someone just named, or says it a sentence earlier."""

NOT_REPORTED = frozenset(("title", "agency", "reference"))
"""Kinds of gazetteer entries that are evidence of a referent but never a finding of their own."""
SHORT_FORMS = frozenset(("side", "reference"))
"""Kinds whose forms are often shared by several referents (阿方: the Algerian, Omani, Emirati … side)."""


def _reportable(a: anchors.Anchor) -> bool:
    """A name that may start a finding: not a title, agency or referring expression, and not a short form that
    stands for several referents (which of them is meant, the other version decides)."""
    kinds = anchors.gazetteer().kinds
    if a.kind != "name" or kinds.get(a.value) in NOT_REPORTED:
        return False
    return sum(kinds.get(i) in SHORT_FORMS for i in (a.value, *a.implies)) < 2


def _in_dictionary_words(name: anchors.Anchor, keys: frozenset[str]) -> bool:
    """Is the name said in words the gazetteer does not list, but a dictionary does (a country's name the
    gazetteer lacks in one language still has its English gloss among that version's keys)?"""
    for form in anchors.gazetteer().forms.get(name.value, {}).get("en", []):
        stems = lexicon.english_word_keys(form)  # the same words, stems and stopwords as the sentences' keys
        if stems and stems <= keys:
            return True
    return False


def detect(ctx: Context, r: int) -> list[Finding]:
    versions, gaz = ctx.versions, anchors.gazetteer()
    refs: dict[FindingRef, None] = {}
    evidence: list[str] = []
    for a, b, ma, mb in ctx.pairs(r):
        xa, xb = ctx.anchors(a, ma, ("name",)), ctx.anchors(b, mb, ("name",))
        if not xa and not xb:
            continue
        ka, kb = keys_of(xa), keys_of(xb)
        ua = [(i, x) for i, x in xa if _reportable(x) and not x.weak and not (x.keys & kb)]
        ub = [(i, x) for i, x in xb if _reportable(x) and not x.weak and not (x.keys & ka)]
        kinds_a, kinds_b = {gaz.kinds.get(x.value) for _, x in ua}, {gaz.kinds.get(x.value) for _, x in ub}
        substituted = kinds_a & kinds_b
        for owner, other, side, other_ids in ((a, b, ua, mb), (b, a, ub, ma)):
            if not side:
                continue
            near = ctx.nearby(r, other, NAME_CONTEXT_ROWS, 1)
            # What the other version refers to around here, its datelines included (DAKAR, … (Xinhua) -- … held here).
            nearby = keys_of(ctx.anchors(other, near, ("name",))) | keys_of(
                [(i, x) for i in near for x in ctx.analyses[other][i].dateline_anchors])
            said = content.words(ctx).wide_keys(other, near)
            side = [(i, x) for i, x in side if gaz.kinds.get(x.value) in substituted
                    or not (x.keys & nearby or _in_dictionary_words(x, said))]
            if not side:
                continue
            evidence.append(", ".join(quote(versions[owner], i, x) for i, x in side)
                            + f" not named in {label(versions[other], other_ids)}")
            for i, x in side:
                refs[anchor_ref(versions[owner], i, x)] = None
    if not evidence:
        return []
    return [Finding(FindingKind.NAME_MISMATCH, ordered(refs, versions), "; ".join(evidence), Severity.MEDIUM, r, 0.7)]
