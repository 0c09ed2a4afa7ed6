"""Detectors of findings: one module per kind of evidence, each a `Detector` that sees the shared `Context` (the
versions, each sentence's analysis, the rows) and returns the findings of one row.

- structural: omissions, additions (judged on the beads, so a merge or a split is never one) and low confidence;
- anchors: numbers and dates that differ, and datelines whose date or place differ or that one version alone has;
- names: a person, country, place or organisation one side does not refer to in any way;
- qualifiers: a tracked qualifier (data/tracked_qualifiers.tsv) one version says and its counterpart does not;
- content: another content word present on one side only, confirmed by a third version or a machine gloss;
- same_language: two versions in one language, diffed word by word (never confirming each other elsewhere).
Detectors compare only sentences that are linked to each other (RowSpec.material), so an omitted sentence's
numbers or names are never reported a second time as mismatches.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from triglot_server.engine.analysis import Analysis
from triglot_server.engine.anchors import Anchor
from triglot_server.engine.comparison.model import Finding, FindingRef, VersionResult
from triglot_server.engine.comparison.rows import RowSpec

Pair = tuple[int, int, list[int], list[int]]  # versions a < b and their sentences linked to each other in a row


@dataclass
class Context:
    versions: list[VersionResult]
    analyses: list[list[Analysis]]  # per version, per sentence
    specs: list[RowSpec]
    pivot: int
    gloss_language: str
    memo: dict[str, object] = field(default_factory=dict)  # helpers detectors share, made once per comparison
    _pairs: dict[int, list[Pair]] = field(default_factory=dict)

    def pairs(self, r: int) -> list[Pair]:
        """Every two versions that have sentences linked to each other in row r, with those sentences."""
        if r not in self._pairs:
            spec, out = self.specs[r], []
            for a in range(len(self.versions)):
                for b in range(a + 1, len(self.versions)):
                    ma, mb = spec.material(self.pivot, a, b), spec.material(self.pivot, b, a)
                    if ma and mb:
                        out.append((a, b, ma, mb))
            self._pairs[r] = out
        return self._pairs[r]

    def anchors(self, v: int, ids: Sequence[int], kinds: tuple[str, ...]) -> list[tuple[int, Anchor]]:
        """The body anchors of these kinds in version v's sentences, with their sentence ids."""
        return [(i, a) for i in ids for a in self.analyses[v][i].anchors if a.kind in kinds]

    def nearby(self, r: int, v: int, before: int, after: int) -> list[int]:
        """Version v's sentences in the rows from `before` rows before r to `after` rows after it."""
        lo, hi = max(r - before, 0), min(r + after + 1, len(self.specs))
        return [i for spec in self.specs[lo:hi] for i in spec.ids[v]]

    def same_language(self, a: int, b: int) -> bool:
        return self.versions[a].language == self.versions[b].language


class Detector(Protocol):
    def __call__(self, ctx: Context, r: int) -> list[Finding]: ...


# ---------------------------------------------------------------- what the detectors share: refs and labels

def span_ref(version: VersionResult, sentence: int) -> FindingRef:
    s = version.sentences[sentence]
    return FindingRef(version.name, version.language, sentence, s.start, s.end)


def piece_ref(version: VersionResult, sentence: int, start: int, end: int) -> FindingRef:
    """A span given relative to the sentence, as a reference into the version's text."""
    base = version.sentences[sentence].start
    return FindingRef(version.name, version.language, sentence, base + start, base + end)


def anchor_ref(version: VersionResult, sentence: int, a: Anchor) -> FindingRef:
    return piece_ref(version, sentence, a.start, a.end)


def label(version: VersionResult, ids: Sequence[int]) -> str:
    return f"{version.name} {','.join(str(i) for i in ids)}"


def quote(version: VersionResult, sentence: int, a: Anchor) -> str:
    shown = f"“{a.text}”"
    if (a.kind == "number" and a.text != a.value) or a.kind == "date":
        shown += f" (= {a.value})"
    return f"{version.name} {sentence} {shown}"


def ordered(refs: dict[FindingRef, None] | Sequence[FindingRef], versions: list[VersionResult]
            ) -> tuple[FindingRef, ...]:
    order = {v.name: k for k, v in enumerate(versions)}
    return tuple(sorted(dict.fromkeys(refs), key=lambda f: (order[f.version], f.sentence, f.start, f.end)))


def keys_of(items: list[tuple[int, Anchor]]) -> frozenset[str]:
    return _union(tuple(a.keys for _, a in items))


@functools.lru_cache(maxsize=4096)
def _union(sets: tuple[frozenset[str], ...]) -> frozenset[str]:
    return frozenset().union(*sets)
