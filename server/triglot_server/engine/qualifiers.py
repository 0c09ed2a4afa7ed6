"""Qualifiers: the words analysts track because they change what a readout commits to.

"comprehensive strategic partnership" vs "strategic partnership", 应约 "at the request of" present or not, a negation
or a modal ("should", 应, ينبغي) in one version only: each is a concept of data/qualifiers.tsv with its forms in
English, Chinese and Arabic (syntax: engine/phrases.py), and `find_qualifiers` reports where each concept occurs in
a sentence. A concept found in one version and not in its aligned counterpart is a content difference that names
the concept — outright when the concept's weight is strong, as supporting evidence when it is weak.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache

from triglot_server.engine.phrases import DATA_DIR, LANGS, Phrase, PhraseMatcher, read_table, split_forms


class QualifierGroup(enum.Enum):
    NEGATION = "negation"
    MODAL = "modal"
    EVALUATION = "evaluation"
    STANCE = "stance"
    ATTRIBUTION = "attribution"
    PRINCIPLE = "principle"
    DEGREE = "degree"
    TIME = "time"


class QualifierWeight(enum.Enum):
    STRONG = "strong"  # present in one version only: itself a difference an analyst flags
    WEAK = "weak"  # the languages mark it differently often (tense, degree, tone): supporting evidence only


@dataclass(frozen=True)
class Qualifier:
    concept: str
    group: QualifierGroup
    weight: QualifierWeight
    forms: dict[str, tuple[str, ...]]  # language -> forms as written in the table (exclusions start with "!")
    note: str


@dataclass(frozen=True)
class QualifierHit:
    """A qualifier concept found in a sentence; text[start:end] is what was read."""

    concept: str
    group: QualifierGroup
    weight: QualifierWeight
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def qualifiers() -> dict[str, Qualifier]:
    """The qualifier table, by concept id."""
    out = {}
    for cols in read_table(DATA_DIR / "qualifiers.tsv", 7):
        out[cols[0]] = Qualifier(cols[0], QualifierGroup(cols[1]), QualifierWeight(cols[2]),
                                 {lang: tuple(split_forms(c)) for lang, c in zip(LANGS, cols[3:6])}, cols[6])
    return out


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    return PhraseMatcher([Phrase(q.concept, q.forms) for q in qualifiers().values()])


def find_qualifiers(text: str, language: str) -> list[QualifierHit]:
    """Every qualifier concept in `text`, sorted by start. Hits of one concept never overlap (the longest is kept);
    hits of different concepts may ("would like to": willingness; 不会: negation and future)."""
    table = qualifiers()
    return [QualifierHit(h.concept, table[h.concept].group, table[h.concept].weight, h.start, h.end, h.text)
            for h in _matcher().find(text, language)]


def concepts(text: str, language: str) -> frozenset[str]:
    """The qualifier concepts `text` contains."""
    return frozenset(h.concept for h in find_qualifiers(text, language))
