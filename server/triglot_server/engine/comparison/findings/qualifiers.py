"""A tracked qualifier (data/qualifiers.tsv through engine/qualifiers.py: strategic, comprehensive, at the request
of, unprovoked, last week …) that one version says and its linked sentences in another version do not, nor the rows
just around them.

A concept is judged missing only from a language whose column lists forms for it. What a hit proves depends on it
(see _evidence): a strong qualifier is reported on two versions alone; a negation, or a qualifier read from one Chinese
character, only when a version in another language says it too (triangulation); a weak one (will, further,
important) never starts a finding, it only shows that a version says the concept. Every version that says it is
cited, and the confidence is higher when two languages agree.
"""
from __future__ import annotations

from triglot_server.engine.comparison.findings import Context, label, ordered, piece_ref, span_ref
from triglot_server.engine.comparison.model import Finding, FindingKind, FindingRef, Severity
from triglot_server.engine.qualifiers import QualifierGroup, QualifierHit, QualifierWeight, qualifiers

CONTEXT_ROWS = 1
"""A qualifier said one row earlier or later by the other version (a split drawn differently) is not missing."""


def _said(ctx: Context, v: int, ids: list[int]) -> dict[str, list[tuple[int, QualifierHit]]]:
    out: dict[str, list[tuple[int, QualifierHit]]] = {}
    for i in ids:
        for h in ctx.analyses[v][i].qualifiers:
            out.setdefault(h.concept, []).append((i, h))
    return out


TRIANGULATED = frozenset((QualifierGroup.NEGATION,))
"""Groups rendered freely across languages (a negation turned into an antonym, a future left unmarked in Chinese):
a qualifier of these groups is reported only when two languages say it and a third lacks it."""


def _evidence(hit: QualifierHit, language: str) -> str:
    """What one hit proves: "alone" (a strong qualifier, reported on two versions), "confirmed" (only with a second
    language saying it: negation, modals, and one Chinese character such as 愿, which is "willing" in 中方愿同… but
    "may" in a wish), or "none" (a weak qualifier: it shows the concept is said, and starts nothing)."""
    if hit.weight == QualifierWeight.WEAK:
        return "none"
    if hit.group in TRIANGULATED or (language == "zh" and len(hit.text) == 1):
        return "confirmed"
    return "alone"


def detect(ctx: Context, r: int) -> list[Finding]:
    table = qualifiers()
    versions, n = ctx.versions, len(ctx.versions)
    spec = ctx.specs[r]
    # (lacking version, concept) -> versions that say it: {version: [(sentence, hit)]}
    missing: dict[tuple[int, str], dict[int, list[tuple[int, QualifierHit]]]] = {}
    lacking_ids: dict[tuple[int, str], set[int]] = {}
    for b in range(n):
        around = set(_said(ctx, b, ctx.nearby(r, b, CONTEXT_ROWS, CONTEXT_ROWS)))
        for a in range(n):
            if a == b or ctx.same_language(a, b):
                continue
            ma, mb = spec.material(ctx.pivot, a, b), spec.material(ctx.pivot, b, a)
            if not ma or not mb:
                continue
            for concept, hits in _said(ctx, a, ma).items():
                if concept in around or not table[concept].forms.get(versions[b].language):
                    continue
                hits = [(i, h) for i, h in hits if _evidence(h, versions[a].language) != "none"]
                if not hits:
                    continue
                missing.setdefault((b, concept), {})[a] = hits
                lacking_ids.setdefault((b, concept), set()).update(mb)
    findings = []
    for (b, concept), having in missing.items():
        languages = {versions[a].language for a in having}
        alone = any(_evidence(h, versions[a].language) == "alone" for a, hits in having.items() for _, h in hits)
        if not alone and len(languages) < 2:
            continue  # grammar-like evidence: only when another language says it too
        refs: list[FindingRef] = [piece_ref(versions[a], i, h.start, h.end) for a, hits in having.items()
                                  for i, h in hits]
        ids = sorted(lacking_ids[(b, concept)])
        refs += [span_ref(versions[b], i) for i in ids]
        quoted = " / ".join(f"{versions[a].name} {i} “{h.text}”" for a, hits in sorted(having.items())
                            for i, h in hits[:1])
        confirmed = len(languages) >= 2
        findings.append(Finding(
            FindingKind.CONTENT_DIFFERENCE, ordered(refs, versions),
            f"{quoted} ({concept.replace('_', ' ')}) has no counterpart in {label(versions[b], ids)}",
            Severity.HIGH if confirmed else Severity.MEDIUM, r, 0.9 if confirmed else 0.7))
    return findings
