"""Diplomatic formulae: the phrases readouts are made of, as concepts with forms in English, Chinese and Arabic.

举行视频通话 / held a video call / أجرى اتصالاً عبر الفيديو; 交换了意见 / exchanged views / تبادل وجهات النظر;
双方 / both sides / الجانبان. A dictionary relates such phrases word by word badly (اتصالاً "call", 意见 "views"),
so data/formulae.tsv relates them as wholes (syntax: engine/phrases.py). `shared_formulae` gives, for an aligned
pair, the formula hits of each side whose concept the other side also has: the words they cover are said on both
sides. Used only to decide that something *is* said, never that it is missing.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache

from triglot_server.engine.phrases import DATA_DIR, LANGS, Phrase, PhraseMatcher, read_table, split_forms


class FormulaCategory(enum.Enum):
    EVENT = "event"  # a call, a meeting, a visit
    SPEECH = "speech"  # said, stressed, exchanged views
    ACTION = "action"  # strengthen, implement, cooperate
    RELATION = "relation"  # partnership, mutual trust, consensus
    TOPIC = "topic"  # peace, the epidemic, the situation
    ACTOR = "actor"  # both sides, the two countries, the international community


@dataclass(frozen=True)
class Formula:
    concept: str
    category: FormulaCategory
    forms: dict[str, tuple[str, ...]]
    note: str


@dataclass(frozen=True)
class FormulaHit:
    """A formula found in a sentence; text[start:end] is what was read."""

    concept: str
    category: FormulaCategory
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def formulae() -> dict[str, Formula]:
    """The formula table, by concept id."""
    return {cols[0]: Formula(cols[0], FormulaCategory(cols[1]),
                             {lang: tuple(split_forms(c)) for lang, c in zip(LANGS, cols[2:5])}, cols[5])
            for cols in read_table(DATA_DIR / "formulae.tsv", 6)}


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    return PhraseMatcher([Phrase(f.concept, f.forms) for f in formulae().values()])


def find_formulae(text: str, language: str) -> list[FormulaHit]:
    """Every formula in `text`, sorted by start; hits of one concept never overlap, of different concepts may."""
    table = formulae()
    return [FormulaHit(h.concept, table[h.concept].category, h.start, h.end, h.text)
            for h in _matcher().find(text, language)]


def shared_formulae(text: str, language: str, other: str, other_language: str) \
        -> tuple[list[FormulaHit], list[FormulaHit]]:
    """The formula hits of `text` whose concept `other` also has, and those of `other` whose concept `text` has."""
    a, b = find_formulae(text, language), find_formulae(other, other_language)
    in_a, in_b = {h.concept for h in a}, {h.concept for h in b}
    return [h for h in a if h.concept in in_b], [h for h in b if h.concept in in_a]
