"""Comparison of several versions of one document: rows side by side, and the findings where the versions diverge.

Every version is aligned to one pivot version with `alignment.align`, each sentence analysed once
(`analysis.analyse`: dateline, anchors, content words and their keys, tracked qualifiers) for the aligner and every
detector. The alignments are joined into rows (`rows`), and the detectors of `findings` (one module each: structural,
anchors, names, qualifiers, leads, content, same_language) list the findings, each citing versions, sentence ids and
code-point spans, with evidence, a severity and a confidence in [0, 1].
"""
from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence

from triglot_server.engine import alignment as alignment_module
from triglot_server.engine import analysis
from triglot_server.engine.comparison import rows as rows_module
from triglot_server.engine.comparison.findings import Context, Detector
from triglot_server.engine.comparison.findings import anchors as anchor_findings
from triglot_server.engine.comparison.findings import content, leads, names, qualifiers, same_language, structural
from triglot_server.engine.comparison.model import (KIND_ORDER, Aligner, Cell, Comparison, Finding, FindingKind,
                                                    FindingRef, Glosser, Progress, Row, Severity, Translated,
                                                    Version, VersionResult)
from triglot_server.engine.languages import normalize_language
from triglot_server.engine.leads import OPENING_SENTENCES, find_lead
from triglot_server.engine.types import Alignment, Bead, Cancelled, InvalidInput

__all__ = ["Comparison", "Finding", "FindingKind", "FindingRef", "Glosser", "Progress", "Row", "Cell", "Severity",
           "Translated", "Version", "VersionResult", "choose_pivot", "compare", "compare_steps", "Step", "DETECTORS", "VERSION",
           "warm_up"]

VERSION = "v2"

DETECTORS: tuple[Detector, ...] = (structural.detect, anchor_findings.detect, names.detect, qualifiers.detect,
                                   leads.detect, content.detect, same_language.detect)


# A tiny readout in the three languages that touches every lazily loaded table: a dateline, names and a referring
# expression (the Kingdom), a transliterated name, tracked qualifiers, a one-character Chinese form, a formula.
_WARM_UP = (("zh", "新华社北京3月9日电 中方愿同沙方不断深化全面战略伙伴关系，费萨尔表示赞同。双方交换了意见。"),
            ("en", "BEIJING, March 9 (Xinhua) -- China is ready to deepen the comprehensive strategic partnership with "
                   "Saudi Arabia, Faisal said. The two sides exchanged views."),
            ("ar", "بكين 9 مارس (شينخوا) الصين مستعدة لتعميق الشراكة الاستراتيجية الشاملة مع المملكة، وفقا لفيصل. "
                   "وتبادل الجانبان وجهات النظر."))


def warm_up() -> None:
    """Compare a tiny trilingual readout once, so the tables a comparison loads on first use (names, qualifiers,
    formulae, datelines, transliteration, CC-CEDICT words, language identification) are loaded before a server
    reports SERVING, not in its first caller's time (~2 s)."""
    from triglot_server.engine.languages import check_not_other_language
    from triglot_server.engine.segmentation import split_sentences

    for language, text in _WARM_UP:
        check_not_other_language(text, language)
    compare([Version(language, language, split_sentences(text, language)) for language, text in _WARM_UP])


def choose_pivot(versions: Sequence[Version], pivot_language: str | None = None) -> int:
    """Index of the pivot: the first version in `pivot_language`; by default the Chinese one if any, else the first."""
    if pivot_language:
        code = normalize_language(pivot_language)
        for i, v in enumerate(versions):
            if v.language == code:
                return i
        raise InvalidInput(f"pivot language {code!r} is not the language of any version "
                           f"(versions are in: {', '.join(v.language for v in versions)})")
    for i, v in enumerate(versions):
        if v.language == "zh":
            return i
    return 0


def compare(versions: Sequence[Version], *, pivot_language: str | None = None, gloss_language: str = "en",
            gloss: Glosser | None = None, progress: Progress | None = None,
            aligner: Aligner | None = None, should_stop: Callable[[], bool] | None = None) -> Comparison:
    """The comparison of `versions` (see compare_steps), calling `progress(stage, done, total)` as it advances."""
    for item in compare_steps(versions, pivot_language=pivot_language, gloss_language=gloss_language, gloss=gloss,
                              aligner=aligner, should_stop=should_stop):
        if isinstance(item, Comparison):
            return item
        if progress is not None:
            progress(*item)
    raise AssertionError("compare_steps ended without a comparison")


Step = tuple[str, int, int]
"""(stage, done, total): how far a comparison has come."""


def _step(stop: Callable[[], bool], stage: str, done: int, total: int) -> Iterator[Step]:
    if stop():
        raise Cancelled("comparison stopped: the caller went away or its deadline passed")
    yield (stage, done, total)


def compare_steps(versions: Sequence[Version], *, pivot_language: str | None = None, gloss_language: str = "en",
                  gloss: Glosser | None = None, aligner: Aligner | None = None,
                  should_stop: Callable[[], bool] | None = None) -> Iterator[Step | Comparison]:
    """Align every version to the pivot, join the alignments into rows, and list the findings.

    `gloss`, when given, translates each version not already in `gloss_language` (in batches of GLOSS_BATCH
    sentences; it may return None when it has no model for a language pair: that version then has no glosses).
    The glosses are returned as machine output, with the signature of how they were made, and serve as evidence:
    for alignment when a gloss is in the other side's language, and to confirm a content difference between two
    versions. It yields its progress, (stage, done, total) for the stages "gloss" (sentences), "align" (versions) and
    "findings" (rows), and last the Comparison: a stream can send each step as it comes, with no thread. `should_stop()` is asked between steps (and by the aligner inside its own): when it says
    yes, the comparison ends with Cancelled. `aligner` replaces `alignment.align` (tests inject one).
    """
    versions = [Version(v.name, normalize_language(v.language), list(v.sentences)) for v in versions]
    _validate(versions)
    gloss_language = normalize_language(gloss_language) if gloss_language else "en"
    stop = should_stop or (lambda: False)
    p = choose_pivot(versions, pivot_language)
    others = [i for i in range(len(versions)) if i != p]

    glossed = yield from _glosses(versions, gloss, gloss_language, stop)
    analyses = [analysis.analyse_all([s.text for s in v.sentences], v.language) for v in versions]
    if aligner is None:
        def aligner(*args, **kwargs) -> Alignment:
            return alignment_module.align(*args, should_stop=stop, **kwargs)

    links: dict[int, list[Bead]] = {}
    alignments: dict[str, Alignment] = {}
    signature = ""
    pivot_keys, pivot_gaps = [a.keys for a in analyses[p]], likely_gaps(analyses[p])
    for k, i in enumerate(others):
        yield from _step(stop, "align", k, len(others))
        al = _align_pair(glossed[p], glossed[i], gloss_language, aligner,
                         pivot_keys, [a.keys for a in analyses[i]], pivot_gaps, likely_gaps(analyses[i]))
        links[i], alignments[versions[i].name] = al.beads, al
        signature = signature or al.signature
    yield from _step(stop, "align", len(others), len(others))

    texts = [[s.text for s in v.sentences] for v in versions]
    specs = rows_module.join(p, links, len(versions[p].sentences), texts, [v.language for v in versions], aligner)
    rows = [Row(r, tuple(Cell(tuple(spec.ids[v]), spec.scores[v]) for v in range(len(versions))))
            for r, spec in enumerate(specs)]

    ctx = Context(glossed, analyses, specs, p, gloss_language)
    findings: list[Finding] = []
    for r in range(len(specs)):
        if r % 50 == 0:
            yield from _step(stop, "findings", r, len(specs))
        for detector in DETECTORS:
            findings += detector(ctx, r)
    yield from _step(stop, "findings", len(specs), len(specs))
    findings.sort(key=lambda f: (f.row, KIND_ORDER.index(f.kind)))
    yield Comparison(glossed, rows, findings, versions[p].name,
                      f"triglot-compare|{VERSION}|pivot={versions[p].name}|{signature}"
                      + (f"|gloss={gloss_language}" if any(v.gloss_signature for v in glossed) else ""),
                      alignments)


GLOSS_BATCH = 64
"""Sentences per call of the glossing callable: the unit of progress (the translator batches inside it too)."""


def _glosses(versions: list[Version], gloss: Glosser | None, gloss_language: str, stop: Callable[[], bool]
             ) -> Generator[Step, None, list[VersionResult]]:
    """Every version with its machine glosses (none for a version already in the gloss language, or without a
    model), their quality flags and how they were made."""
    results = [VersionResult(v.name, v.language, v.sentences) for v in versions]
    if gloss is None:
        return results
    todo = [i for i, v in enumerate(versions) if v.language != gloss_language and v.sentences]
    total = sum(len(versions[i].sentences) for i in todo)
    done = 0
    for i in todo:
        texts = [s.text for s in versions[i].sentences]
        out: list[str] = []
        flags: list[tuple[str, ...]] = []
        retries: list[str] = []
        signature = ""
        for start in range(0, len(texts), GLOSS_BATCH):
            yield from _step(stop, "gloss", done, total)
            batch = texts[start:start + GLOSS_BATCH]
            result = gloss(batch, versions[i].language, gloss_language)
            if result is None:  # no model for this pair
                out = []
                done += len(texts) - start
                break
            if len(result.translations) != len(batch):
                raise InvalidInput(f"the gloss of {versions[i].name} has {len(result.translations)} items for "
                                   f"{len(batch)} sentences")
            out += result.translations
            # Quality flags come with the engine's results; a glosser without them reports nothing flagged.
            flags += [tuple(f) for f in getattr(result, "flags", None) or [()] * len(batch)]
            retries += list(getattr(result, "retries", None) or [""] * len(batch))
            signature = signature or result.signature
            done += len(batch)
        if out:
            results[i] = VersionResult(versions[i].name, versions[i].language, versions[i].sentences, out,
                                       signature, flags, retries)
    yield from _step(stop, "gloss", total, total)
    return results


def _validate(versions: list[Version]) -> None:
    if len(versions) < 2:
        raise InvalidInput(f"compare needs at least 2 versions, got {len(versions)}")
    seen: set[str] = set()
    for v in versions:
        if not v.name:
            raise InvalidInput("every version needs a name")
        if v.name in seen:
            raise InvalidInput(f"two versions are named {v.name!r}; give each a distinct name")
        seen.add(v.name)
        for k, s in enumerate(v.sentences):
            if s.index != k:
                raise InvalidInput(f"version {v.name!r}: sentence {k} has index {s.index}; indices must be 0, 1, 2 …")


def likely_gaps(analyses: Sequence[analysis.Analysis]) -> list[bool]:
    """Per sentence, whether the analysis expects it to have no counterpart in another version: a news lead (a wire
    story's claim-first opening, which the ministry's readout states later or not at all) or a sentence that is only
    a dateline. The aligner makes these cheaper gaps (the same as a document's first or last sentence)."""
    out = []
    for k, a in enumerate(analyses):
        bare_dateline = a.dateline is not None and not a.text[a.dateline.end:].strip()
        out.append(bare_dateline or (k < OPENING_SENTENCES and find_lead(a.text, a.language) is not None))
    return out


def _align_pair(pivot: VersionResult, other: VersionResult, gloss_language: str, aligner: Aligner,
                pivot_keys: list[frozenset[str]], other_keys: list[frozenset[str]],
                pivot_gaps: list[bool], other_gaps: list[bool]) -> Alignment:
    """Align with translation evidence when a gloss happens to be in the other side's language (flagged glosses
    left out: they are no evidence), on the keys the sentences' analyses already hold, with the sentences they
    expect to have no counterpart as gap hints."""
    kwargs: dict = {"source_keys": pivot_keys, "target_keys": other_keys,
                    "source_gap_hints": pivot_gaps, "target_gap_hints": other_gaps}
    if pivot.glosses and gloss_language == other.language:
        kwargs["source_translations"] = [pivot.trusted_gloss(i) for i in range(len(pivot.sentences))]
    if other.glosses and gloss_language == pivot.language:
        kwargs["target_translations"] = [other.trusted_gloss(i) for i in range(len(other.sentences))]
    al = aligner([s.text for s in pivot.sentences], [s.text for s in other.sentences],
                 pivot.language, other.language, **kwargs)
    alignment_module.check_coverage(al.beads, len(pivot.sentences), len(other.sentences), f"{pivot.name}-{other.name}")
    return al


