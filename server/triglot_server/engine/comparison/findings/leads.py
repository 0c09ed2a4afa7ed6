"""A news lead one version opens with and another lacks: its claim is one content difference, and what it names or
numbers is not reported again.

Xinhua's English and Arabic stories open with the news ("A lasting peace … can only be achieved through the two-state
solution, Wang Yi said … on Saturday", engine/leads.py) where the ministry's readout opens with the event. When the
opening sentence of version A holds such a lead and B's opening does not, the lead's claim is a statement B does not
make there: reported once, as a content difference citing the claim and B's linked sentences, unless B says it after
all (the claim's words B's opening sentence does not say are the claim proper — the rest is the event both report —
and one sentence of B says most of them, CLAIM_SAID: a readout may state it later). The names, numbers and qualifiers inside
the claim are then that one difference, not findings of their own (the other detectors ask `in_unmatched_claim`).
When both versions open with a lead, their claims are compared like any other text.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from triglot_server.engine import synonymy
from triglot_server.engine.comparison.findings import Context, label, ordered, piece_ref, span_ref
from triglot_server.engine.comparison.model import Finding, FindingKind, FindingRef, Severity
from triglot_server.engine.leads import OPENING_SENTENCES, Lead, find_lead
CLAIM_SAID = 0.5
"""Share of the claim's dictionary words that one sentence of the other version must say for the claim to count as
said there (dictionary keys miss a third of the words of faithful renderings, so a half is a clear majority)."""

T = TypeVar("T")


def opening_lead(ctx: Context, v: int) -> tuple[int, Lead] | None:
    """The sentence that opens version v and its news lead, if it has one (memoised per comparison)."""
    memo = ctx.memo.setdefault("leads", {})
    if v not in memo:
        i = opening(ctx, v)
        lead = find_lead(ctx.analyses[v][i].text, ctx.versions[v].language) if ctx.analyses[v] else None
        memo[v] = (i, lead) if lead else None
    return memo[v]


def opening(ctx: Context, v: int) -> int:
    """The sentence that opens version v's story: its first, or the first with a dateline after a title."""
    return next((i for i, a in enumerate(ctx.analyses[v][:OPENING_SENTENCES]) if a.dateline), 0)


def unmatched_claim(ctx: Context, a: int, b: int) -> tuple[int, int, int] | None:
    """(sentence, start, end) of the claim of A's opening lead when B's opening has no lead of its own."""
    found = opening_lead(ctx, a)
    if found is None or opening_lead(ctx, b) is not None:
        return None
    i, lead = found
    return i, lead.claim_start, lead.claim_end


def outside_claims(ctx: Context, a: int, b: int, items: Sequence[tuple[int, T]]) -> list[tuple[int, T]]:
    """The (sentence, hit) items of version a that are not inside a's lead claim unmatched in b (a hit has .start,
    .end relative to its sentence)."""
    claim = unmatched_claim(ctx, a, b)
    if claim is None:
        return list(items)
    i, start, end = claim
    return [(k, x) for k, x in items if not (k == i and start <= x.start and x.end <= end)]  # type: ignore[attr-defined]


def _said_elsewhere(ctx: Context, a: int, i: int, start: int, end: int, b: int) -> bool:
    """Does version b say the claim after all? The claim's words that b's opening sentence says are the event the
    lead also reports ("during a meeting … held here"); the rest is the claim, said when nothing is left of it or
    when one sentence of b says most of it. A word is said as itself or a synonym (engine/synonymy.py: accepting
    only, never a finding's start)."""
    there = ctx.analyses[b][opening(ctx, b)].keys
    claim = [w for w in ctx.analyses[a][i].words if start <= w.start and w.end <= end and w.keys
             and not synonymy.related(w.keys, there)]
    if not claim:
        return True
    return any(sum(synonymy.related(w.keys, other.keys) for w in claim) >= CLAIM_SAID * len(claim)
               for other in ctx.analyses[b])


def detect(ctx: Context, r: int) -> list[Finding]:
    versions = ctx.versions
    lacking: dict[int, list[tuple[int, list[int]]]] = {}  # owner -> [(other version, its linked sentences)]
    for a, b, ma, mb in ctx.pairs(r):
        for owner, other, mine, theirs in ((a, b, ma, mb), (b, a, mb, ma)):
            claim = unmatched_claim(ctx, owner, other)
            if claim and claim[0] in mine and not _said_elsewhere(ctx, owner, *claim, other):
                lacking.setdefault(owner, []).append((other, theirs))
    if not lacking:
        return []
    refs: list[FindingRef] = []
    evidence = []
    for owner, others in lacking.items():
        i, start, end = unmatched_claim(ctx, owner, others[0][0])  # type: ignore[misc]
        refs.append(piece_ref(versions[owner], i, start, end))
        refs += [span_ref(versions[o], k) for o, ids in others for k in ids]
        claim = ctx.analyses[owner][i].text[start:end]
        shown = claim if len(claim) <= 120 else claim[:117] + "…"
        evidence.append(f"{versions[owner].name} {i} opens with a news lead “{shown}” that "
                        + ", ".join(label(versions[o], ids) for o, ids in others) + " does not state")
    # One claim, however many versions lack it: one finding (an English and an Arabic lead of one story, one too).
    return [Finding(FindingKind.CONTENT_DIFFERENCE, ordered(refs, versions), "; ".join(evidence), Severity.MEDIUM,
                    r, 0.7)]
