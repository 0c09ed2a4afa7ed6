"""Omissions, additions and low-confidence beads, judged on the beads of the rows (a 2-1 bead is a merge, never an
omission). With three or more versions the alignments check each other: a gap that several versions agree on (two
lack the sentence, or two have it where one lacks it) is more certain than one seen by a single alignment."""
from __future__ import annotations

from triglot_server.engine.comparison.findings import Context, label, span_ref
from triglot_server.engine.comparison.model import Finding, FindingKind, Severity

LOW_CONFIDENCE = 0.3
"""A bead whose confidence is below this is reported (low_confidence), and an omission or addition resting on such a
bead is reported with a lower severity. Not 0.5: bead confidence is calibrated on the Bible, where a gold verse may
group what a readout's gold keeps as separate sentences, so on readouts it is under-sure (readouts with gold and their
edited copies: every linking bead under 0.3 wrong, 7 of 7; from 0.3 to 0.5, 25 of 38 right)."""


def _severity(score: float, agreeing: int) -> Severity:
    if score < LOW_CONFIDENCE:
        return Severity.MEDIUM
    return Severity.HIGH if agreeing >= 2 or score >= 0.8 else Severity.MEDIUM


def _confidence(score: float, agreeing: int) -> float:
    """A gap rests on the aligner's bead score; every further alignment that agrees adds to it."""
    return round(min(1.0, 0.35 + 0.55 * score + 0.1 * (agreeing - 1)), 2)


def _gap_kind(having: int, lacking: int, *, pivot_has_it: bool) -> FindingKind:
    """Omission or addition, by majority rather than by the choice of pivot: a sentence most versions have is
    omitted by the others; one that fewer versions have than lack it was added (zh 7 / en 8 is omitted from ar; ar
    17 is an addition, whichever version is the pivot). A tie (two versions) is judged against the pivot."""
    if having != lacking:
        return FindingKind.OMISSION if having > lacking else FindingKind.ADDITION
    return FindingKind.OMISSION if pivot_has_it else FindingKind.ADDITION


def _aligner_note(score: float) -> str:
    return "" if score >= LOW_CONFIDENCE else f" (aligner confidence {score:.2f})"


def detect(ctx: Context, r: int) -> list[Finding]:
    versions, p, spec, n = ctx.versions, ctx.pivot, ctx.specs[r], len(ctx.versions)
    findings: list[Finding] = []
    # Omissions: versions with identical omitted pivot sentences in this row share one finding.
    by_set: dict[tuple[int, ...], list[int]] = {}
    for v in range(n):
        if spec.omitted[v]:
            by_set.setdefault(tuple(sorted(spec.omitted[v])), []).append(v)
    for omitted, missing in by_set.items():
        refs = [span_ref(versions[p], i) for i in omitted]
        present = []
        for w in range(n):
            if w == p or w in missing:
                continue
            ids = sorted(t for b in spec.beads[w] if b.source_ids and set(b.source_ids) <= set(omitted)
                         for t in b.target_ids)
            refs += [span_ref(versions[w], t) for t in ids]
            if ids:
                present.append(label(versions[w], ids))
        score = min(spec.weak[v] for v in missing)
        agreeing = len(missing) + len(present)  # alignments that show the gap: each lacking one, each confirming one
        what = " / ".join([label(versions[p], omitted)] + present)
        findings.append(Finding(
            _gap_kind(1 + len(present), len(missing), pivot_has_it=True), tuple(refs),
            f"{what} has no counterpart in {', '.join(versions[v].name for v in missing)}" + _aligner_note(score),
            _severity(score, agreeing), r, _confidence(score, agreeing)))
    # Additions: every added sentence of the row in one finding.
    adders = [v for v in range(n) if spec.added[v]]
    if adders:
        refs = [span_ref(versions[v], t) for v in adders for t in sorted(spec.added[v])]
        lacking = [versions[p].name] + [versions[w].name for w in range(n) if w != p and not spec.ids[w]]
        score = min(spec.weak[v] for v in adders)
        agreeing = len(adders) + len(lacking) - 1
        what = " / ".join(label(versions[v], sorted(spec.added[v])) for v in adders)
        findings.append(Finding(
            _gap_kind(len(adders), len(lacking), pivot_has_it=False), tuple(refs),
            f"{what} has no counterpart in {', '.join(lacking)}" + _aligner_note(score),
            _severity(score, agreeing), r, _confidence(score, agreeing)))
    # Beads linking both sides that the aligner is unsure of.
    for v in range(n):
        for b in spec.beads[v]:
            if b.source_ids and b.target_ids and b.score < LOW_CONFIDENCE:
                refs = tuple([span_ref(versions[p], i) for i in b.source_ids]
                             + [span_ref(versions[v], t) for t in b.target_ids])
                findings.append(Finding(
                    FindingKind.LOW_CONFIDENCE, refs,
                    f"{label(versions[p], b.source_ids)} ↔ {label(versions[v], b.target_ids)}: "
                    f"aligner confidence {b.score:.2f}", Severity.LOW, r, round(1 - b.score, 2)))
    return findings
