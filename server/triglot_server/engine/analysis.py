"""One analysis per sentence, shared by the aligner and every detector of a comparison.

A sentence is read once: its news-agency dateline (place, date, agency: "BEIJING, Aug. 6 (Xinhua) --",
"新华社达喀尔11月30日电", "بكين 28 مارس 2024 (شينخوا)"), its anchors (numbers, dates, names), its content words with
their language-neutral dictionary keys, the tracked qualifiers it says, and whether it names a weekday. The aligner
gets `keys` (the same keys `lexicon.sentence_keys` gives); the detectors see the body apart from the dateline, so a
dateline one version has is never a body omission nor a name or number "without counterpart".
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from triglot_server.engine import lexicon, phrases, resources
from triglot_server.engine.anchors import Anchor, extract_anchors
from triglot_server.engine.lexicon import ContentWord
from triglot_server.engine.text import ARABIC_LETTERS, HAN_CHARS


@dataclass(frozen=True)
class Dateline:
    """A news-agency dateline opening a sentence: text[start:end], with what it says."""

    start: int
    end: int
    place: str  # as written ("BEIJING", "达喀尔", "بكين"); "" when none
    agency: str  # "Xinhua", "新华社", "شينخوا", "WAM"; "" when none
    date: str  # the date anchor's value ("--11-30", "2026-03-11"); "" when none
    place_keys: frozenset[str]  # "#name:…" keys of the place, when the gazetteer knows it


# Agency credits: an agency's name in brackets or slashes, or a Chinese 社/网 before the place and date.
_EN_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z.'\- ]{1,40}?)\s*,\s*(?P<date>[^()\n]{0,30}?)\s*"
    r"\((?P<agency>[A-Za-z][A-Za-z .&]{0,30})\)\s*(?:--|—|–|-|:)?\s*")
_ZH_DATELINE = re.compile(
    rf"^\s*(?P<agency>[{HAN_CHARS}]{{1,6}}(?:社|网|台|报))?(?P<place>[{HAN_CHARS}·]{{2,12}}?)"
    rf"(?P<date>(?:\d{{4}}年)?\d{{1,2}}月\d{{1,2}}日)电\s*(?:[(（][^)）]{{0,40}}[)）])?\s*")
_AR_DATELINE = re.compile(
    rf"^\s*(?P<place>[{ARABIC_LETTERS} ]{{2,30}}?)\s*(?:في\s+)?(?P<date>[\d٠-٩]{{1,2}}\s+[{ARABIC_LETTERS}/ ]{{3,20}}?"
    rf"(?:\s*[\d٠-٩]{{4}})?)\s*(?:\((?P<agency>[{ARABIC_LETTERS} ]{{2,20}})\)|/\s*(?P<agency2>[{ARABIC_LETTERS} ]{{2,20}})\s*/)"
    rf"\s*(?:--|—|–|-)?\s*")
_DATELINES = {"en": _EN_DATELINE, "zh": _ZH_DATELINE, "ar": _AR_DATELINE}

_WEEKDAY = {
    "en": re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
    "zh": re.compile(r"(?:星期|周|礼拜)[一二三四五六日天]"),
    "ar": re.compile(rf"(?<![{ARABIC_LETTERS}])(?:[وب]?ال)?(?:اثنين|إثنين|ثلاثاء|أربعاء|خميس|جمعة|سبت|أحد)"
                     rf"(?![{ARABIC_LETTERS}])"),
}


@dataclass(frozen=True)
class Analysis:
    text: str
    language: str
    dateline: Dateline | None
    anchors: tuple[Anchor, ...]  # of the body (outside the dateline)
    words: tuple[ContentWord, ...]  # dictionary words and anchors of the body, in text order
    keys: frozenset[str]  # language-neutral keys of the whole sentence (what the aligner compares)
    qualifiers: tuple[phrases.Hit, ...]  # tracked qualifiers said in the body
    weekday: bool  # the body names a day of the week ("on Monday", 周一, يوم الاثنين)

    @property
    def body_start(self) -> int:
        return self.dateline.end if self.dateline else 0


def _dateline(text: str, language: str, anchors: list[Anchor]) -> Dateline | None:
    m = _DATELINES[language].match(text)
    if not m or m.end() >= len(text):
        return None
    inside = [a for a in anchors if a.end <= m.end()]
    date = next((a.value for a in inside if a.kind == "date"), "")
    if language != "zh" and not date and not m.group("date").strip():
        return None  # "WORD, (Agency)" without a date: not a dateline
    place_keys = frozenset(k for a in inside if a.kind == "name" and a.start >= m.start("place")
                           and a.end <= m.end("place") for k in a.keys)
    agency = m.group("agency") or (m.groupdict().get("agency2") or "")
    return Dateline(m.start(), m.end(), m.group("place").strip(), agency.strip(), date, place_keys)


@resources.bounded(resources.SENTENCE_CACHE)
def analyse(text: str, language: str) -> Analysis:
    """The analysis of one sentence (memoised: a sentence seen again, in another comparison, is not re-read)."""
    anchors = extract_anchors(text, language)
    dateline = _dateline(text, language, anchors)
    words = lexicon.words_around(text, language, anchors)
    keys = frozenset(k for w in words for k in w.keys)
    start = dateline.end if dateline else 0
    hits = tuple(h for h in phrases.qualifiers().find(text, language) if h.start >= start)
    weekday = _WEEKDAY[language].search(text, start) is not None
    return Analysis(text, language, dateline, tuple(a for a in anchors if a.start >= start),
                    tuple(w for w in words if w.start >= start), keys, hits, weekday)


def analyse_all(texts: Sequence[str], language: str) -> list[Analysis]:
    return [analyse(t, language) for t in texts]
