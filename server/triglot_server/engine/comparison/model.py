"""The values a comparison takes and returns: versions, rows of cells, findings with their kind, severity and
confidence. Plain data: no alignment, no detection here."""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from triglot_server.engine.types import Alignment, Sentence


class FindingKind(enum.StrEnum):
    """What a finding says (the proto's FindingKind; the value is the lower-case name the CLI prints)."""

    OMISSION = "omission"  # a sentence most versions have, with no counterpart in some
    ADDITION = "addition"  # a sentence fewer versions have than lack it
    NUMBER_MISMATCH = "number_mismatch"  # a number or date (or a dateline's date or place) that differs
    NAME_MISMATCH = "name_mismatch"  # a person, country, place or organisation one side does not refer to
    CONTENT_DIFFERENCE = "content_difference"  # a tracked qualifier or content word present on one side only
    LOW_CONFIDENCE = "low_confidence"  # a bead the aligner itself is unsure of


class Severity(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


KIND_ORDER = tuple(FindingKind)


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
    score: float  # confidence of the beads linking the cell to the pivot (1 for the pivot)


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
    kind: FindingKind
    refs: tuple[FindingRef, ...]
    evidence: str
    severity: Severity
    row: int
    confidence: float = 1.0  # in [0, 1]: how likely an analyst agrees this is a real divergence (see README)


@dataclass(frozen=True)
class Comparison:
    versions: list[VersionResult]
    rows: list[Row]
    findings: list[Finding]
    pivot: str  # name of the pivot version
    signature: str
    alignments: dict[str, Alignment]  # each non-pivot version's alignment to the pivot (pivot = source side)
