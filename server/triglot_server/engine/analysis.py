"""One analysis per sentence, shared by the aligner and every detector of a comparison.

A sentence is read once: its news-agency dateline (place, date, agency: "BEIJING, Aug. 6 (Xinhua) --",
"新华社达喀尔11月30日电", "بكين 28 مارس 2024 (شينخوا)"), its anchors (numbers, dates, names), its content words with
their language-neutral dictionary keys (datelines: engine/datelines.py), the tracked qualifiers it says, and whether it names a weekday. The aligner
gets `keys` (the same keys `lexicon.sentence_keys` gives); the detectors see the body apart from the dateline, so a
dateline one version has is never a body omission nor a name or number "without counterpart".
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from triglot_server.engine import lexicon, resources
from triglot_server.engine.anchors import Anchor, extract_anchors
from triglot_server.engine.datelines import Dateline, find_dateline
from triglot_server.engine.lexicon import ContentWord
from triglot_server.engine.qualifiers import QualifierHit, find_qualifiers
from triglot_server.engine.text import ARABIC_LETTERS


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
    dateline_anchors: tuple[Anchor, ...]  # inside the dateline (its place, its date, the agency)
    words: tuple[ContentWord, ...]  # dictionary words and anchors of the body, in text order
    keys: frozenset[str]  # language-neutral keys of the whole sentence (what the aligner compares)
    qualifiers: tuple[QualifierHit, ...]  # tracked qualifiers said in the body (engine/qualifiers.py)
    weekday: bool  # the body names a day of the week ("on Monday", 周一, يوم الاثنين)

    @property
    def body_start(self) -> int:
        return self.dateline.end if self.dateline else 0


@resources.bounded(resources.SENTENCE_CACHE)
def analyse(text: str, language: str) -> Analysis:
    """The analysis of one sentence (memoised: a sentence seen again, in another comparison, is not re-read)."""
    anchors = extract_anchors(text, language)
    dateline = find_dateline(text, language)
    words = lexicon.words_around(text, language, anchors)
    keys = frozenset(k for w in words for k in w.keys)
    start = dateline.end if dateline else 0
    hits = tuple(h for h in find_qualifiers(text, language) if h.start >= start)
    weekday = _WEEKDAY[language].search(text, start) is not None
    return Analysis(text, language, dateline, tuple(a for a in anchors if a.start >= start),
                    tuple(a for a in anchors if a.start < start), tuple(w for w in words if w.start >= start), keys,
                    hits, weekday)


def analyse_all(texts: Sequence[str], language: str) -> list[Analysis]:
    return [analyse(t, language) for t in texts]
