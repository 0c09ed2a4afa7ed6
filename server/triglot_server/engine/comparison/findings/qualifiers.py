"""A tracked qualifier (data/tracked_qualifiers.tsv: strategic, comprehensive, at the request of, unprovoked …) that
one version says and its linked sentences in another version do not, nor the rows just around them.

A concept is judged missing only from a language whose column lists forms for it, and only on the evidence of an
unambiguous form (one without "?" in the table). A "strong" qualifier is reported
on two versions alone; a "weak" one (modal verbs, negation: rendered freely) only when a third version, in another
language, says it too. Every version that says it is cited, and the confidence grows with them (triangulation).
"""
from __future__ import annotations

from triglot_server.engine import phrases
from triglot_server.engine.comparison.findings import Context, label, ordered, piece_ref, span_ref
from triglot_server.engine.comparison.model import Finding, FindingKind, FindingRef, Severity

CONTEXT_ROWS = 1
"""A qualifier said one row earlier or later by the other version (a split drawn differently) is not missing."""


def _said(ctx: Context, v: int, ids: list[int]) -> dict[str, list[tuple[int, phrases.Hit]]]:
    out: dict[str, list[tuple[int, phrases.Hit]]] = {}
    for i in ids:
        for h in ctx.analyses[v][i].qualifiers:
            out.setdefault(h.concept, []).append((i, h))
    return out


def detect(ctx: Context, r: int) -> list[Finding]:
    table = phrases.qualifiers()
    versions, n = ctx.versions, len(ctx.versions)
    spec = ctx.specs[r]
    # (lacking version, concept) -> versions that say it: {version: [(sentence, hit)]}
    missing: dict[tuple[int, str], dict[int, list[tuple[int, phrases.Hit]]]] = {}
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
                c = table.concepts[concept]
                hits = [(i, h) for i, h in hits if h.sure]  # an ambiguous form shows the concept, proves nothing
                if not hits:
                    continue
                if c.strength == "other" or concept in around or not c.forms.get(versions[b].language):
                    continue
                missing.setdefault((b, concept), {})[a] = hits
                lacking_ids.setdefault((b, concept), set()).update(mb)
    findings = []
    for (b, concept), having in missing.items():
        languages = {versions[a].language for a in having}
        if table.concepts[concept].strength == "weak" and len(languages) < 2:
            continue
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
