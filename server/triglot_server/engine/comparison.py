"""Comparison of several versions of one document: rows side by side, and the findings where the versions diverge.

Every version is aligned to one pivot version with `alignment.align`. The rows are the coarsest partition that all
those alignments agree on: a pivot bead is a row unless another version's bead joins it to its neighbour (zh 11 and
12 are one row when ar says them in one sentence, even though en keeps them apart). A sentence that matches nothing
in the pivot (a 0-1 bead) gets a row of its own, in the document order of its version; when several versions add
sentences at the same place, those additions are aligned to each other so that a sentence the pivot lacks but two
versions share sits in one row.

Findings (each cites versions, sentence ids and code-point spans into the version's text, evidence and severity):
- omission / addition: a pivot sentence with no counterpart in a version / a version's sentence with none in the
  pivot (judged on the beads, so a merge or a split — a 2-1 bead — is never one);
- number_mismatch: numbers or dates (normalised by `anchors`) that differ between linked sentences;
- name_mismatch: a person, country, place or organisation (the gazetteer's names) one side does not name;
- content_difference: a content word present on one side only, shown by dictionary keys (`lexicon`) and confirmed
  by a third version or a machine gloss (see _content_findings for the precautions against noisy glosses);
- low_confidence: a 1-1 (or merge) bead the aligner itself is unsure of.
Detectors compare only sentences that are linked to each other (see _RowSpec.material), so an omitted sentence's
numbers or names are never reported a second time as mismatches.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from triglot_server.engine import alignment as alignment_module
from triglot_server.engine import anchors, lexicon
from triglot_server.engine.languages import normalize_language
from triglot_server.engine.types import Alignment, Bead, InvalidInput, Sentence

VERSION = "v1"
LOW_CONFIDENCE = 0.5
"""A bead whose confidence is below this is reported (low_confidence), and an omission or addition resting on such a
bead is reported with a lower severity."""

KINDS = ("omission", "addition", "number_mismatch", "name_mismatch", "content_difference", "low_confidence")
SEVERITIES = ("high", "medium", "low")


# ---------------------------------------------------------------- values in and out

@dataclass(frozen=True)
class Version:
    """One version of the document: a label, its language and its sentences (offsets into the version's text)."""

    name: str
    language: str
    sentences: list[Sentence]


class Translated(Protocol):
    """What a glossing callable returns (TranslationEngine.translate's TranslationResult fits)."""

    translations: list[str]
    signature: str
    # Optional: `flags` (quality flags per translation) and `retries` (what was retried), as TranslationResult has.


Glosser = Callable[[list[str], str, str], "Translated | None"]
"""(sentences, source_language, target_language) -> translations, one per sentence, and how they were made;
None when there is no model for the pair."""
Progress = Callable[[str, int, int], None]
"""(stage, done, total): called as the comparison advances."""
Aligner = Callable[..., Alignment]


@dataclass(frozen=True)
class VersionResult:
    name: str
    language: str
    sentences: list[Sentence]
    glosses: list[str] = field(default_factory=list)  # machine output, parallel to sentences; empty when none
    gloss_signature: str = ""
    gloss_flags: list[tuple[str, ...]] = field(default_factory=list)  # quality flags, parallel to glosses
    gloss_retries: list[str] = field(default_factory=list)  # what was retried, parallel to glosses

    def trusted_gloss(self, i: int) -> str:
        """The gloss of sentence i when it may serve as evidence: "" when there is none or it is flagged (a
        flagged gloss is likely the source copied, or a loop: no evidence of what the sentence says)."""
        if not self.glosses or (self.gloss_flags and self.gloss_flags[i]):
            return ""
        return self.glosses[i]


@dataclass(frozen=True)
class Cell:
    sentence_ids: tuple[int, ...]  # empty: the version has no counterpart in this row
    score: float  # confidence of the beads linking the cell to the pivot (1 for the pivot; see _cell_score)


@dataclass(frozen=True)
class Row:
    index: int
    cells: tuple[Cell, ...]  # parallel to Comparison.versions


@dataclass(frozen=True)
class FindingRef:
    version: str
    language: str
    sentence: int
    start: int  # code-point span in the version's text
    end: int


@dataclass(frozen=True)
class Finding:
    kind: str
    refs: tuple[FindingRef, ...]
    evidence: str
    severity: str
    row: int


@dataclass(frozen=True)
class Comparison:
    versions: list[VersionResult]
    rows: list[Row]
    findings: list[Finding]
    pivot: str  # name of the pivot version
    signature: str
    alignments: dict[str, Alignment]  # each non-pivot version's alignment to the pivot (pivot = source side)


# ---------------------------------------------------------------- the entry point

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
            aligner: Aligner = alignment_module.align) -> Comparison:
    """Align every version to the pivot, join the alignments into rows, and list the findings.

    `gloss`, when given, translates each version not already in `gloss_language` (in batches of GLOSS_BATCH
    sentences; it may return None when it has no model for a language pair: that version then has no glosses).
    The glosses are returned as machine output, with the signature of how they were made, and serve as evidence:
    for alignment when a gloss is in the other side's language, and to confirm a content difference between two
    versions. `progress(stage, done, total)` is called for the stages "gloss" (sentences), "align" (versions) and
    "findings" (rows).
    """
    versions = [Version(v.name, normalize_language(v.language), list(v.sentences)) for v in versions]
    _validate(versions)
    gloss_language = normalize_language(gloss_language) if gloss_language else "en"
    report = progress or (lambda stage, done, total: None)
    p = choose_pivot(versions, pivot_language)
    others = [i for i in range(len(versions)) if i != p]

    glossed = _glosses(versions, gloss, gloss_language, report)

    links: dict[int, list[Bead]] = {}
    alignments: dict[str, Alignment] = {}
    signature = ""
    for k, i in enumerate(others):
        report("align", k, len(others))
        al = _align_pair(glossed[p], glossed[i], gloss_language, aligner)
        links[i], alignments[versions[i].name] = al.beads, al
        signature = signature or al.signature
    report("align", len(others), len(others))

    texts = [[s.text for s in v.sentences] for v in versions]
    specs = _join(p, links, len(versions[p].sentences), texts, [v.language for v in versions], aligner)
    rows = [Row(r, tuple(Cell(tuple(spec.ids[v]), spec.scores[v]) for v in range(len(versions))))
            for r, spec in enumerate(specs)]

    findings = _structural_findings(glossed, p, specs)
    findings += _divergences(glossed, p, specs, gloss_language, report)
    findings.sort(key=lambda f: (f.row, KINDS.index(f.kind)))
    return Comparison(glossed, rows, findings, versions[p].name,
                      f"triglot-compare|{VERSION}|pivot={versions[p].name}|{signature}"
                      + (f"|gloss={gloss_language}" if any(v.gloss_signature for v in glossed) else ""),
                      alignments)


GLOSS_BATCH = 64
"""Sentences per call of the glossing callable: the unit of progress (the translator batches inside it too)."""


def _glosses(versions: list[Version], gloss: Glosser | None, gloss_language: str, report: Progress
             ) -> list[VersionResult]:
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
            report("gloss", done, total)
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
    report("gloss", total, total)
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


def _align_pair(pivot: VersionResult, other: VersionResult, gloss_language: str, aligner: Aligner) -> Alignment:
    """Align with translation evidence when a gloss happens to be in the other side's language (flagged glosses
    left out: they are no evidence)."""
    kwargs = {}
    if pivot.glosses and gloss_language == other.language:
        kwargs["source_translations"] = [pivot.trusted_gloss(i) for i in range(len(pivot.sentences))]
    if other.glosses and gloss_language == pivot.language:
        kwargs["target_translations"] = [other.trusted_gloss(i) for i in range(len(other.sentences))]
    al = aligner([s.text for s in pivot.sentences], [s.text for s in other.sentences],
                 pivot.language, other.language, **kwargs)
    alignment_module.check_coverage(al.beads, len(pivot.sentences), len(other.sentences), f"{pivot.name}-{other.name}")
    return al


# ---------------------------------------------------------------- rows

@dataclass
class _RowSpec:
    """A row under construction: per version, its sentence ids, which of them are added (0-1 beads) or whose
    pivot sentences it omits (1-0 beads), and the scores of the beads involved."""

    ids: list[list[int]]
    scores: list[float]
    added: list[set[int]]  # per version: ids that came from 0-1 beads (no pivot counterpart)
    omitted: list[set[int]]  # per version: pivot ids of this row that the version has no counterpart for
    weak: list[float]  # per version: lowest score among its beads in this row
    beads: list[list[Bead]]  # per version: its beads (to the pivot) that fall in this row
    gap: bool = False  # a row of sentences the pivot lacks (aligned among the versions that have them)

    @classmethod
    def empty(cls, n: int) -> _RowSpec:
        return cls([[] for _ in range(n)], [0.0] * n, [set() for _ in range(n)], [set() for _ in range(n)],
                   [1.0] * n, [[] for _ in range(n)])

    def linked(self, p: int, a: int, sentence: int, b: int) -> list[int]:
        """Version b's sentences that version a's `sentence` is aligned with in this row (through the pivot)."""
        if self.gap:
            return list(self.ids[b])
        pivot = {sentence} if a == p else {i for bead in self.beads[a] if sentence in bead.target_ids
                                           for i in bead.source_ids}
        if b == p:
            return sorted(pivot - self.omitted[a]) if a != p else sorted(pivot)
        return sorted(t for bead in self.beads[b] if set(bead.source_ids) & pivot for t in bead.target_ids)

    def material(self, p: int, a: int, b: int) -> list[int]:
        """Version a's sentences in this row that are linked to version b's (what a and b can be compared on):
        without sentences a adds, pivot sentences b omits, or a's counterparts of those."""
        if self.gap:
            return list(self.ids[a]) if self.ids[b] else []
        ids = set(self.ids[a]) - self.added[a]
        if a == p:
            ids -= self.omitted[b]
        elif b != p and self.omitted[b]:
            ids -= {t for bead in self.beads[a] if bead.source_ids and set(bead.source_ids) <= self.omitted[b]
                    for t in bead.target_ids}
        return sorted(ids)


def _join(p: int, links: dict[int, list[Bead]], n_pivot: int, texts: list[list[str]], languages: list[str],
          aligner: Aligner) -> list[_RowSpec]:
    """Rows from each version's beads against pivot `p` (which may be empty in rows of additions)."""
    n = len(texts)
    # 1. Pivot groups: a cut between pivot sentences i-1 and i survives unless some bead spans it.
    joined = [False] * (n_pivot + 1)
    for beads in links.values():
        for b in beads:
            for i in b.source_ids[1:]:
                joined[i] = True
    group_of, groups = [0] * n_pivot, []
    for i in range(n_pivot):
        if i == 0 or not joined[i]:
            groups.append(_RowSpec.empty(n))
            groups[-1].scores[p] = 1.0
        group_of[i] = len(groups) - 1
        groups[-1].ids[p].append(i)

    # 2. Each version's beads into the groups; 0-1 beads into the gap after the previous group (or into the group
    # itself when the group spans both sides of the addition, which keeps every column in document order).
    gaps: dict[int, dict[int, list[tuple[int, Bead]]]] = {}
    for v, beads in links.items():
        following_group: list[int | None] = [None] * (len(beads) + 1)  # group of the next bead with pivot ids
        for k in range(len(beads) - 1, -1, -1):
            following_group[k] = group_of[beads[k].source_ids[0]] if beads[k].source_ids else following_group[k + 1]
        last = -1
        for k, b in enumerate(beads):
            if b.source_ids:
                g = group_of[b.source_ids[0]]
                spec = groups[g]
                spec.ids[v].extend(b.target_ids)
                spec.beads[v].append(b)
                spec.weak[v] = min(spec.weak[v], b.score)
                if not b.target_ids:
                    spec.omitted[v].update(b.source_ids)
                last = g
                continue
            if following_group[k] is not None and following_group[k] == last:
                spec = groups[last]
                spec.ids[v].extend(b.target_ids)
                spec.added[v].update(b.target_ids)
                spec.beads[v].append(b)
                spec.weak[v] = min(spec.weak[v], b.score)
            else:
                gaps.setdefault(last, {}).setdefault(v, []).extend((t, b) for t in b.target_ids)
    for spec in groups:
        for v in links:
            spec.ids[v].sort()
            spec.scores[v] = _cell_score(spec, v)

    # 3. Rows in order: each group, then the additions placed after it.
    rows: list[_RowSpec] = []
    for g in range(-1, len(groups)):
        if g >= 0:
            rows.append(groups[g])
        if g in gaps:
            rows.extend(_gap_rows(gaps[g], texts, languages, aligner))
    return rows


def _cell_score(spec: _RowSpec, v: int) -> float:
    """The weakest bead linking version v's cell to the pivot (an empty cell: the confidence of its omission)."""
    return min((b.score for b in spec.beads[v]), default=0.0)


def _gap_rows(runs: dict[int, list[tuple[int, Bead]]], texts: list[list[str]], languages: list[str],
              aligner: Aligner) -> list[_RowSpec]:
    """Rows for sentences that several (or one) versions add at the same place: aligned among themselves."""
    n = len(texts)
    order = sorted(runs)
    local_pivot = order[0]
    pivot_ids = [t for t, _ in runs[local_pivot]]
    beads_of = {v: {t: b for t, b in runs[v]} for v in order}
    if len(order) == 1:
        local_links: dict[int, list[Bead]] = {}
    else:
        local_links = {}
        for v in order[1:]:
            ids = [t for t, _ in runs[v]]
            al = aligner([texts[local_pivot][i] for i in pivot_ids], [texts[v][i] for i in ids],
                         languages[local_pivot], languages[v])
            alignment_module.check_coverage(al.beads, len(pivot_ids), len(ids), "of added sentences")
            # Back to the versions' own sentence ids.
            local_links[v] = [Bead(tuple(pivot_ids[i] for i in b.source_ids), tuple(ids[j] for j in b.target_ids),
                                   b.score) for b in al.beads]
    # Reuse the join with the local pivot; its "pivot ids" are not contiguous from 0, so map through positions.
    position = {t: k for k, t in enumerate(pivot_ids)}
    shifted = {v: [Bead(tuple(position[i] for i in b.source_ids), b.target_ids, b.score) for b in beads]
               for v, beads in local_links.items()}
    rows = _join(local_pivot, shifted, len(pivot_ids), texts, languages, aligner)
    for spec in rows:
        spec.ids[local_pivot] = [pivot_ids[k] for k in spec.ids[local_pivot]]
        spec.gap = True
        spec.omitted = [set() for _ in range(n)]  # omissions among additions are not omissions from the pivot
        spec.beads = [[] for _ in range(n)]
        for v in order:
            spec.added[v] = set(spec.ids[v])
            spec.beads[v] = [beads_of[v][t] for t in spec.ids[v]]
            spec.weak[v] = min((b.score for b in spec.beads[v]), default=1.0)
        spec.scores = [_cell_score(spec, v) for v in range(n)]
    return rows


# ---------------------------------------------------------------- omissions, additions, low confidence

def _span_ref(version: VersionResult, sentence: int) -> FindingRef:
    s = version.sentences[sentence]
    return FindingRef(version.name, version.language, sentence, s.start, s.end)


def _label(version: VersionResult, ids: Sequence[int]) -> str:
    return f"{version.name} {','.join(str(i) for i in ids)}"


def _severity(score: float) -> str:
    return "high" if score >= LOW_CONFIDENCE else "medium"


def _gap_kind(having: int, lacking: int, *, pivot_has_it: bool) -> str:
    """Omission or addition, by majority rather than by the choice of pivot: a sentence most versions have is
    omitted by the others; one that fewer versions have than lack it was added (zh 7 / en 8 is omitted from ar; ar
    17 is an addition, whichever version is the pivot). A tie (two versions) is judged against the pivot."""
    if having != lacking:
        return "omission" if having > lacking else "addition"
    return "omission" if pivot_has_it else "addition"


def _structural_findings(versions: list[VersionResult], p: int, specs: list[_RowSpec]) -> list[Finding]:
    findings: list[Finding] = []
    n = len(versions)
    for r, spec in enumerate(specs):
        # Omissions: versions with identical omitted pivot sentences in this row share one finding.
        by_set: dict[tuple[int, ...], list[int]] = {}
        for v in range(n):
            if spec.omitted[v]:
                by_set.setdefault(tuple(sorted(spec.omitted[v])), []).append(v)
        for omitted, missing in by_set.items():
            refs = [_span_ref(versions[p], i) for i in omitted]
            present = []
            for w in range(n):
                if w == p or w in missing:
                    continue
                ids = sorted(t for b in spec.beads[w] if b.source_ids and set(b.source_ids) <= set(omitted)
                             for t in b.target_ids)
                refs += [_span_ref(versions[w], t) for t in ids]
                if ids:
                    present.append(_label(versions[w], ids))
            score = min(spec.weak[v] for v in missing)
            what = " / ".join([_label(versions[p], omitted)] + present)
            findings.append(Finding(
                _gap_kind(1 + len(present), len(missing), pivot_has_it=True), tuple(refs),
                f"{what} has no counterpart in {', '.join(versions[v].name for v in missing)}"
                + ("" if score >= LOW_CONFIDENCE else f" (aligner confidence {score:.2f})"),
                _severity(score), r))
        # Additions: every added sentence of the row in one finding.
        adders = [v for v in range(n) if spec.added[v]]
        if adders:
            refs = [_span_ref(versions[v], t) for v in adders for t in sorted(spec.added[v])]
            lacking = [versions[p].name] + [versions[w].name for w in range(n)
                                            if w != p and not spec.ids[w]]
            score = min(spec.weak[v] for v in adders)
            what = " / ".join(_label(versions[v], sorted(spec.added[v])) for v in adders)
            findings.append(Finding(
                _gap_kind(len(adders), len(lacking), pivot_has_it=False), tuple(refs),
                f"{what} has no counterpart in {', '.join(lacking)}"
                + ("" if score >= LOW_CONFIDENCE else f" (aligner confidence {score:.2f})"),
                _severity(score), r))
        # Beads linking both sides that the aligner is unsure of.
        for v in range(n):
            for b in spec.beads[v]:
                if b.source_ids and b.target_ids and b.score < LOW_CONFIDENCE:
                    refs = tuple([_span_ref(versions[p], i) for i in b.source_ids]
                                 + [_span_ref(versions[v], t) for t in b.target_ids])
                    findings.append(Finding(
                        "low_confidence", refs,
                        f"{_label(versions[p], b.source_ids)} ↔ {_label(versions[v], b.target_ids)}: "
                        f"aligner confidence {b.score:.2f}", "low", r))
    return findings


# ---------------------------------------------------------------- numbers, names, content

NAME_CONTEXT_ROWS = 3
"""A name one version lacks in a row is not reported when that version names it in the previous NAME_CONTEXT_ROWS
rows or the next one: it then says "he"/"the two sides" for someone just named, or says it a sentence earlier."""


class _Anchors:
    """Anchors of each version's sentences, extracted once (offsets relative to the sentence)."""

    def __init__(self, versions: list[VersionResult]) -> None:
        self.versions = versions
        self._cache: dict[tuple[int, int], list[anchors.Anchor]] = {}

    def of(self, v: int, sentence: int) -> list[anchors.Anchor]:
        key = (v, sentence)
        if key not in self._cache:
            version = self.versions[v]
            self._cache[key] = anchors.extract_anchors(version.sentences[sentence].text, version.language)
        return self._cache[key]

    def items(self, v: int, ids: Sequence[int], kinds: tuple[str, ...]) -> list[tuple[int, anchors.Anchor]]:
        return [(i, a) for i in ids for a in self.of(v, i) if a.kind in kinds]


def _keys(items: list[tuple[int, anchors.Anchor]]) -> frozenset[str]:
    return anchors.anchor_keys([a for _, a in items])


def _anchor_ref(version: VersionResult, sentence: int, a: anchors.Anchor) -> FindingRef:
    base = version.sentences[sentence].start
    return FindingRef(version.name, version.language, sentence, base + a.start, base + a.end)


def _quote(version: VersionResult, sentence: int, a: anchors.Anchor) -> str:
    shown = f"“{a.text}”"
    if a.kind == "number" and a.text != a.value:
        shown += f" (= {a.value})"
    elif a.kind == "date":
        shown += f" (= {a.value})"
    return f"{version.name} {sentence} {shown}"


def _divergences(versions: list[VersionResult], p: int, specs: list[_RowSpec], gloss_language: str,
                 report: Progress) -> list[Finding]:
    found = _Anchors(versions)
    words = _Words(versions, gloss_language)
    findings: list[Finding] = []
    n = len(versions)
    for r, spec in enumerate(specs):
        if r % 50 == 0:
            report("findings", r, len(specs))
        pairs = []
        for a in range(n):
            for b in range(a + 1, n):
                ma, mb = spec.material(p, a, b), spec.material(p, b, a)
                if ma and mb:
                    pairs.append((a, b, ma, mb))
        if not pairs:
            continue
        findings += _number_findings(versions, found, r, pairs)
        findings += _name_findings(versions, found, words, specs, r, pairs)
        findings += _content_findings(versions, words, specs, p, r)
    report("findings", len(specs), len(specs))
    return findings


def _number_findings(versions: list[VersionResult], found: _Anchors, r: int,
                     pairs: list[tuple[int, int, list[int], list[int]]]) -> list[Finding]:
    """Numbers and dates that differ between linked sentences. Anchors are compared by their normalised keys, so
    3月9日 = 9 March = ٩ آذار/مارس; a small number spelled as a word ("two", 两) never starts a finding, and a
    number only one side has counts only when written in digits (words are too often rendered another way)."""
    refs: dict[FindingRef, None] = {}
    evidence: list[str] = []
    two_sided = False
    for a, b, ma, mb in pairs:
        xa = found.items(a, ma, ("number", "date"))
        xb = found.items(b, mb, ("number", "date"))
        ka, kb = _keys(xa), _keys(xb)
        ua = [(i, x) for i, x in xa if not x.weak and not (x.keys & kb) and not _date_parts_match(x, xb)]
        ub = [(i, x) for i, x in xb if not x.weak and not (x.keys & ka) and not _date_parts_match(x, xa)]
        if ua and ub:
            two_sided = True
            evidence.append(", ".join(_quote(versions[a], i, x) for i, x in ua) + " ≠ "
                            + ", ".join(_quote(versions[b], i, x) for i, x in ub))
        else:
            side, other, others_ids = (ua, b, mb) if ua else (ub, a, ma)
            side = [(i, x) for i, x in side if any(c.isdecimal() for c in x.text)]
            if not side:
                continue
            owner = a if ua else b
            ua, ub = (side, []) if owner == a else ([], side)
            evidence.append(", ".join(_quote(versions[owner], i, x) for i, x in side)
                            + f" has no counterpart in {_label(versions[other], others_ids)}")
        for i, x in ua:
            refs[_anchor_ref(versions[a], i, x)] = None
        for i, x in ub:
            refs[_anchor_ref(versions[b], i, x)] = None
    if not evidence:
        return []
    return [Finding("number_mismatch", _ordered(refs, versions), "; ".join(evidence),
                    "high" if two_sided else "medium", r)]


def _date_parts(value: str) -> list[int]:
    """Year, month, day of a date anchor's value ("2020-03-09", "--03-09", "--03") as numbers."""
    return [int(part) for part in value.split("-") if part.isdigit()]


def _date_parts_match(x: anchors.Anchor, others: list[tuple[int, anchors.Anchor]]) -> bool:
    """A date said as plain numbers on the other side ("the seventeenth day of the seventh month" = 七月十七日), or a
    number that is a part of a date there: the same value, not a mismatch."""
    numbers = {a.value for _, a in others if a.kind == "number"}
    if x.kind == "date":
        parts = _date_parts(x.value)
        return bool(parts) and all(str(part) in numbers for part in parts[-2:])
    dates = [a for _, a in others if a.kind == "date"]
    return x.kind == "number" and any(x.value == str(part) for d in dates for part in _date_parts(d.value))


def _ordered(refs: dict[FindingRef, None], versions: list[VersionResult]) -> tuple[FindingRef, ...]:
    order = {v.name: k for k, v in enumerate(versions)}
    return tuple(sorted(refs, key=lambda f: (order[f.version], f.sentence, f.start, f.end)))


def _is_name(a: anchors.Anchor) -> bool:
    """People, countries, places, organisations: not titles ("foreign minister" is often left out)."""
    return a.kind == "name" and anchors.gazetteer().kinds.get(a.value) != "title"


def _in_dictionary_words(name: anchors.Anchor, keys: frozenset[str]) -> bool:
    """Is the name said in words the gazetteer does not list, but a dictionary does (a country's name the
    gazetteer lacks in one language still has its English gloss among that version's keys)?"""
    for form in anchors.gazetteer().forms.get(name.value, {}).get("en", []):
        stems = lexicon.english_word_keys(form)  # the same words, stems and stopwords as the sentences' keys
        if stems and stems <= keys:
            return True
    return False


def _name_findings(versions: list[VersionResult], found: _Anchors, words: _Words, specs: list[_RowSpec], r: int,
                   pairs: list[tuple[int, int, list[int], list[int]]]) -> list[Finding]:
    """A name in one version's sentences that its linked sentences in another version do not name. Reported when
    the other version names someone or something else of the same kind there instead (Iraq vs Iran), or does not
    name it anywhere near (see NAME_CONTEXT_ROWS)."""
    gaz = anchors.gazetteer()
    refs: dict[FindingRef, None] = {}
    evidence: list[str] = []
    for a, b, ma, mb in pairs:
        xa, xb = found.items(a, ma, ("name",)), found.items(b, mb, ("name",))
        ka, kb = _keys(xa), _keys(xb)
        ua = [(i, x) for i, x in xa if _is_name(x) and not x.weak and not (x.keys & kb)]
        ub = [(i, x) for i, x in xb if _is_name(x) and not x.weak and not (x.keys & ka)]
        kinds_a, kinds_b = {gaz.kinds.get(x.value) for _, x in ua}, {gaz.kinds.get(x.value) for _, x in ub}
        substituted = kinds_a & kinds_b
        for owner, other, side, other_ids in ((a, b, ua, mb), (b, a, ub, ma)):
            near = _nearby(specs, r, other)
            nearby = _keys(found.items(other, near, ("name",)))
            said = words.wide_keys(other, near)
            side = [(i, x) for i, x in side if gaz.kinds.get(x.value) in substituted
                    or not (x.keys & nearby or _in_dictionary_words(x, said))]
            if not side:
                continue
            evidence.append(", ".join(_quote(versions[owner], i, x) for i, x in side)
                            + f" not named in {_label(versions[other], other_ids)}")
            for i, x in side:
                refs[_anchor_ref(versions[owner], i, x)] = None
    if not evidence:
        return []
    return [Finding("name_mismatch", _ordered(refs, versions), "; ".join(evidence), "medium", r)]


def _nearby(specs: list[_RowSpec], r: int, v: int) -> list[int]:
    """Version v's sentences in the rows around row r (NAME_CONTEXT_ROWS before, one after)."""
    lo, hi = max(r - NAME_CONTEXT_ROWS, 0), min(r + 2, len(specs))
    return [i for spec in specs[lo:hi] for i in spec.ids[v]]


# Words whose dictionary glosses look like content but are grammar (في "in" glossed "v", بين "between" glossed
# "clear"; 在 "at" glossed "exist"): never taken for a paraphrase of a missing word. English stopwords never
# reach the keys at all (lexicon.STOPWORDS).
FUNCTION_WORDS = {
    "ar": frozenset("في على من إلى الى عن مع بين أن إن أنه إنه التي الذي الذين هذا هذه ذلك تلك كل بعد قبل حول ضمن "
                    "عبر خلال لدى عند منذ حتى أو ثم قد لقد كما وفي وعلى ومن وإلى ومع وبين وأن وإن".split()),
    "zh": frozenset("的 了 在 和 与 同 向 对 将 等 并 也 都 是 而 及 以 为 于 把 被 从 给 就 又 还 其 之 所 则 这 那 "
                    "该 此 各 中 上 下".split()),
}

CONTEXT_ROWS_FOR_CONTENT = 1
"""A concept one version lacks in a row must be missing from its neighbouring rows too (this many on each side), so
that a word said one sentence earlier or later (a split the aligner drew differently) is not a difference."""


@dataclass(frozen=True)
class _Unit:
    """A content word of a row's material, with its place in reading order and its sentence."""

    sentence: int
    word: lexicon.ContentWord

    @property
    def keys(self) -> frozenset[str]:
        return self.word.keys


class _Words:
    """content_words of each version's sentences (and of their glosses), computed once."""

    def __init__(self, versions: list[VersionResult], gloss_language: str) -> None:
        self.versions = versions
        self.gloss_language = gloss_language
        self._units: dict[tuple[int, int], list[lexicon.ContentWord]] = {}
        self._gloss: dict[tuple[int, int], frozenset[str]] = {}
        self._chars: dict[str, frozenset[str]] = {}

    def units(self, v: int, ids: Sequence[int]) -> list[_Unit]:
        out = []
        for i in ids:
            if (v, i) not in self._units:
                version = self.versions[v]
                self._units[(v, i)] = lexicon.content_words(version.sentences[i].text, version.language)
            out += [_Unit(i, w) for w in self._units[(v, i)]]
        return out

    def keys(self, v: int, ids: Sequence[int]) -> frozenset[str]:
        keys: set[str] = set()
        for u in self.units(v, ids):
            keys |= u.keys
        return frozenset(keys)

    def broad_keys(self, v: int, u: _Unit) -> frozenset[str]:
        """A word's keys and, for a Chinese compound, those of each of its characters (抗击 "resist" is also 抗
        "fight"): the wide reading of a word, used to decide that another version does NOT say it."""
        if self.versions[v].language != "zh" or len(u.word.text) < 2:
            return u.keys
        keys = set(u.keys)
        for ch in u.word.text:
            if ch not in self._chars:
                self._chars[ch] = lexicon.sentence_keys(ch, "zh")
            keys |= self._chars[ch]
        return frozenset(keys)

    def wide_keys(self, v: int, ids: Sequence[int]) -> frozenset[str]:
        """Everything these sentences may be saying: their words' broad keys and their glosses' keys."""
        keys: set[str] = set(self.gloss_keys(v, ids) or ())
        for u in self.units(v, ids):
            keys |= self.broad_keys(v, u)
        return frozenset(keys)

    def gloss_keys(self, v: int, ids: Sequence[int]) -> frozenset[str] | None:
        """Keys of the version's machine glosses of these sentences (None when it has none)."""
        version = self.versions[v]
        if not version.glosses or not all(version.trusted_gloss(i) for i in ids):
            return None  # no gloss, or one too shaky to count as evidence of what the sentences say
        keys: set[str] = set()
        for i in ids:
            if (v, i) not in self._gloss:
                self._gloss[(v, i)] = lexicon.sentence_keys(version.glosses[i], self.gloss_language)
            keys |= self._gloss[(v, i)]
        return frozenset(keys)


def _missing(words: _Words, v: int, u: _Unit, absent: frozenset[str]) -> frozenset[str]:
    """The keys of version v's word u that another version (whose wide keys are `absent`) does not say.

    Part of a compound may be missing (战略伙伴 "strategic partner" against "partnership": strateg). A word missing
    as a whole counts only if none of its characters' senses is there either (抗击 "resist" against "fight", which
    is 抗): then the other version says it in other words."""
    if u.word.kind != "word":
        return frozenset()
    missing = frozenset(k for k in u.keys if not _related(frozenset((k,)), absent))
    if missing == u.keys and _related(words.broad_keys(v, u), absent):
        return frozenset()
    return missing


FUZZY_MIN = 5  # stems at least this long match when one starts the other


def _related(keys: frozenset[str], others: frozenset[str]) -> bool:
    """Do two key sets share a concept? Exact keys, or one stem the start of the other when both are long
    (partner / partnership): lenient on purpose, since it is used to explain words away."""
    if keys & others:
        return True
    starts = _starts(others)
    for k in keys:
        if len(k) >= FUZZY_MIN and not k.startswith("#"):
            if k in starts or any(k[:n] in others for n in range(FUZZY_MIN, len(k))):
                return True
    return False


@functools.lru_cache(maxsize=4096)
def _starts(keys: frozenset[str]) -> frozenset[str]:
    """Every beginning (of at least FUZZY_MIN characters) of the long word keys in a set."""
    return frozenset(k[:n] for k in keys if not k.startswith("#") for n in range(FUZZY_MIN, len(k) + 1))


def _dropped_cleanly(units_a: list[_Unit], k: int, units_b: list[_Unit], keys_a: frozenset[str],
                     language_b: str) -> bool:
    """Is A's unit k simply missing from B, rather than said in other words?

    A's nearest units before and after k that B also has locate the place where B would say it. There, and in the
    word where B would put a modifier, B must say nothing that A does not also say ("comprehensive partnership"
    where the others say "comprehensive strategic partnership"); otherwise B may well say it in other words (a
    paraphrase: "unconditional assistance" for "selfless assistance"). Function words do not count. A unit with no
    such place on either side is not judged: not clean."""
    def counterparts(step: int) -> list[int]:
        j = k + step
        while 0 <= j < len(units_a):
            hits = [q for q, b in enumerate(units_b) if _related(b.keys, units_a[j].keys)]
            if hits:
                return hits
            j += step
        return []

    left, right = counterparts(-1), counterparts(+1)
    if not left or not right:
        return False
    lo, hi = min(((l, r) for l in left for r in right), key=lambda lr: abs(lr[0] - lr[1]))
    lo, hi = min(lo, hi), max(lo, hi)
    # Where a modifier would stand: Arabic puts adjectives after their noun, English and Chinese before.
    beside = units_b[hi + 1:hi + 2] if language_b == "ar" else units_b[max(lo - 1, 0):lo]
    window = units_b[lo + 1:hi] + beside
    return all(_related(b.keys, keys_a) for b in window
               if b.word.kind == "word" and b.word.text not in FUNCTION_WORDS.get(language_b, ()))


def _content_findings(versions: list[VersionResult], words: _Words, specs: list[_RowSpec], p: int, r: int
                      ) -> list[Finding]:
    """A content word that one version lacks while the others have it (or its machine gloss shows it).

    Dictionary glosses are noisy, so a concept counts as missing from version B only when all of these hold:
    - a word of version A has keys that meet none of B's keys in this row and its neighbours (nor B's gloss);
    - it is confirmed: a word of a third version C shares one of those keys and is missing from B in the same way,
      or, failing a third version, A's own machine gloss says it (the machine reads the word as that concept);
    - the place where B would say it holds nothing B does not share with A (and with C): a dropped word, not a
      paraphrase (see _dropped_cleanly)."""
    spec, n = specs[r], len(versions)
    groups: dict[tuple[int, frozenset[str]], dict[tuple[int, int, int], _Unit]] = {}
    for b in range(n):
        around = [i for s in specs[max(r - CONTEXT_ROWS_FOR_CONTENT, 0):r + CONTEXT_ROWS_FOR_CONTENT + 1]
                  for i in s.ids[b]]
        absent = words.wide_keys(b, around)
        for a in range(n):
            if a == b:
                continue
            ma, mb = spec.material(p, a, b), spec.material(p, b, a)
            if not ma or not mb:
                continue
            ua, ub = words.units(a, ma), words.units(b, mb)
            keys_a = words.keys(a, ma)
            for k, u in enumerate(ua):
                missing = _missing(words, a, u, absent)
                if not missing or not _dropped_cleanly(ua, k, ub, keys_a, versions[b].language):
                    continue
                confirmations = []
                for c in range(n):
                    if c in (a, b):
                        continue
                    mc = spec.material(p, c, b)
                    if not mc or set(spec.material(p, c, a)) != set(mc):
                        continue
                    uc, keys_c = words.units(c, mc), words.keys(c, mc)
                    for q, w in enumerate(uc):
                        missing_w = _missing(words, c, w, absent)
                        shared = missing & missing_w
                        # Synonyms are not parts: at least one of the two words must be missing as a whole.
                        whole = missing == u.keys or missing_w == w.keys
                        if shared and whole and _dropped_cleanly(uc, q, ub, keys_c, versions[b].language):
                            confirmations.append((c, w, frozenset(shared)))
                if not confirmations and n == 2 and versions[a].language != words.gloss_language:
                    # The machine's reading of A names which of the word's senses is meant (strategic, not partner).
                    gloss = words.gloss_keys(a, ma)
                    if gloss is not None and missing & gloss:
                        confirmations.append((a, u, frozenset(missing & gloss)))
                for c, w, shared in confirmations:
                    group = groups.setdefault((b, shared), {})
                    group[(a, u.sentence, u.word.start)] = u
                    if c != a:
                        group[(c, w.sentence, w.word.start)] = w
    findings = []
    merged: dict[int, list[tuple[frozenset[str], dict[tuple[int, int, int], _Unit]]]] = {}
    for (b, shared), units in groups.items():
        # One finding per concept: several shared keys of the same words are one concept.
        for _, known in merged.setdefault(b, []):
            if set(known) & set(units):
                known.update(units)
                break
        else:
            merged[b].append((shared, units))
    for b, concepts in merged.items():
        for shared, units in concepts:
            owners = sorted(units)  # (version, sentence, start) of each unit
            refs = [_unit_ref(versions[a], u) for (a, _, _), u in sorted(units.items())]
            mb = sorted({i for (a, sentence, _) in units for i in spec.linked(p, a, sentence, b)}
                        ) or spec.material(p, b, owners[0][0])
            refs += [_span_ref(versions[b], i) for i in mb]
            quoted = " / ".join(f"{versions[a].name} {u.sentence} “{u.word.text}”" for (a, _, _), u in
                                sorted(units.items()))
            english = [u.word.text for (a, _, _), u in sorted(units.items()) if versions[a].language == "en"]
            concept = english[0] if english else "/".join(sorted(shared)) + "…"
            findings.append(Finding(
                "content_difference", _ordered(dict.fromkeys(refs), versions),
                f"{quoted} ({concept}) has no counterpart in {_label(versions[b], mb)}", "medium", r))
    return findings


def _unit_ref(version: VersionResult, u: _Unit) -> FindingRef:
    base = version.sentences[u.sentence].start
    return FindingRef(version.name, version.language, u.sentence, base + u.word.start, base + u.word.end)
