"""News leads: a wire story's first sentence that reports what someone said, when it was said.

Xinhua's English (and Arabic) stories open with the news itself — "A lasting peace ... can only be achieved through
the two-state solution, Chinese Foreign Minister Wang Yi said in a phone conversation with ... on Saturday" or
"Wang Yi and Ramtane Lamamra said Monday that their countries are willing to ..." — where the ministry's readout
opens with the event ("王毅应约同埃及外长通电话"). Such a lead is a claim the other version may state later or not at
all, so a comparison should know it is one. `find_lead` recognises it in the sentence that opens a story (after its
dateline, if any): a speech verb whose speaker is named, with the time of the statement (a weekday, today, here),
the speaker before the claim or after it. Body sentences ("Wang Yi said that China ...") carry no such time and are
not leads. Chinese readouts do not open this way: only English and Arabic are searched.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from triglot_server.engine.datelines import find_dateline
from triglot_server.engine.languages import normalize_language


class LeadShape(enum.Enum):
    SPEAKER_FIRST = "speaker_first"  # "X said Monday that ..." / قال X اليوم (السبت) إن
    CLAIM_FIRST = "claim_first"  # "<claim>, X said on Saturday"


@dataclass(frozen=True)
class Lead:
    """A lead in a sentence: text[start:end] is the lead without the dateline; `verb` and `when` as written."""

    start: int
    end: int
    shape: LeadShape
    speaker: str
    verb: str
    when: str  # "Monday", "on Saturday", "اليوم (السبت)"
    claim_start: int = 0  # text[claim_start:claim_end]: what the lead says was said (to the sentence's end when the
    claim_end: int = 0  # speaker comes first: "… said Monday that <claim>")


OPENING_SENTENCES = 2
"""A story opens in its first sentence, or in the first sentence with a dateline when a title comes before it: a
lead is looked for in this many sentences."""

_EN_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_EN_WHEN = rf"(?:on\s+{_EN_WEEKDAY}|{_EN_WEEKDAY}|today|here|on\s+{_EN_WEEKDAY}\s+(?:morning|afternoon|evening))"
_EN_VERB = r"(?:said|says|stressed|urged|noted|reiterated|warned|stated|pledged|vowed|called\s+for|told\s+\w+)"
# A named speaker: capitalised words (titles, names), with "of", "and", "the" between them.
_EN_SPEAKER = r"(?:[A-Z][\w.'’\-]*)(?:\s+(?:[A-Z][\w.'’\-]*|of|and|the|for|de|al|bin))*"
_EN_SPEAKER_FIRST = re.compile(
    rf"(?P<speaker>{_EN_SPEAKER})\s+(?:(?P<when1>{_EN_WHEN})\s+)?(?P<verb>{_EN_VERB})\s+(?:(?P<when2>{_EN_WHEN})\s+)?"
    r"(?:that\b|,)")
_EN_CLAIM_FIRST = re.compile(
    rf"(?P<claim>[^,]{{12}}.*?),\s+(?P<speaker>{_EN_SPEAKER})\s+(?P<verb>{_EN_VERB})\b(?P<rest>[^.;]*)")

_AR_WEEKDAY = r"(?:الاثنين|الإثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|السبت|الأحد|الاحد)"
_AR_WHEN = rf"(?:اليوم\s*\(\s*{_AR_WEEKDAY}\s*\)|يوم\s+{_AR_WEEKDAY}|اليوم|أمس|{_AR_WEEKDAY})"
_AR_VERB = r"(?:قال|قالت|أكد|أكدت|شدد|شددت|دعا|دعت|أعلن|أعلنت|صرح|صرحت|أعرب|أعربت)"
_AR_SPEAKER_FIRST = re.compile(
    rf"(?P<verb>{_AR_VERB})\s+(?P<speaker>[^،,.()]{{3,80}}?)\s+(?P<when>{_AR_WHEN})\s*[،,]?\s*(?:إن|أن|عن)\b")


def find_lead(text: str, language: str) -> Lead | None:
    """The lead of a story's opening sentence `text`, or None (for Chinese always None)."""
    lang = normalize_language(language)
    if lang == "zh":
        return None
    dateline = find_dateline(text, lang)
    start = dateline.end if dateline else len(text) - len(text.lstrip())
    body = text[start:]
    end = len(text.rstrip())
    if lang == "ar":
        m = _AR_SPEAKER_FIRST.match(body)
        if m:
            return Lead(start, end, LeadShape.SPEAKER_FIRST, m.group("speaker").strip(), m.group("verb"),
                        m.group("when"), _skip_space(text, start + m.end()), end)
        return None
    m = _EN_SPEAKER_FIRST.match(body)
    if m and (m.group("when1") or m.group("when2")) and _names_someone(m.group("speaker")):
        return Lead(start, end, LeadShape.SPEAKER_FIRST, m.group("speaker"), m.group("verb"),
                    m.group("when1") or m.group("when2"), _skip_space(text, start + m.end()), end)
    m = _EN_CLAIM_FIRST.match(body)
    when = re.search(rf"\b{_EN_WHEN}\b", m.group("rest")) if m else None
    if m and when and _names_someone(m.group("speaker")):
        return Lead(start, end, LeadShape.CLAIM_FIRST, m.group("speaker"), m.group("verb"),
                    when.group(), start + m.start("claim"), start + m.end("claim"))
    return None


def _skip_space(text: str, i: int) -> int:
    return len(text) - len(text[i:].lstrip()) if i < len(text) else i


def _names_someone(speaker: str) -> bool:
    """A speaker is named by two capitalised words at least ("Foreign Minister Wang Yi", "Lamamra" alone is not)."""
    return len(re.findall(r"\b[A-Z][\w.'’\-]*", speaker)) >= 2
