"""News-agency datelines: "BEIJING, June 5 (Xinhua) --", "新华社北京11月29日电（记者 X）", "بكين 15 أبريل 2024 (شينخوا)".

A dateline opens a wire story: where it was filed, when, and by which agency. It is not body text — one version of
a readout often has it and another does not — so it is recognised as an element of its own, with its span, place,
date and agency, and the body starts at its end. Only the start of a sentence or paragraph is searched.

Agencies are the ids of data/names_agencies.tsv (its forms in all three languages are recognised as tags, since an
Arabic wire may carry "(WAM)"), plus data/dateline_tags.tsv: short tags that are common words elsewhere (/ بنا /,
(قنا), /أ ش أ/) and so count only inside a dateline's brackets or slashes. Places resolve to the ids of
data/names_countries.tsv (capitals and cities) when known. Dates are read with the anchors' date reader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from triglot_server.engine.anchors import Gazetteer, extract_anchors, fold_arabic
from triglot_server.engine.languages import normalize_language

DATA_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True)
class DatelineDate:
    """A dateline's date as given: datelines usually omit the year, Chinese ones sometimes the month (3日电)."""

    year: int | None
    month: int | None
    day: int | None


@dataclass(frozen=True)
class Dateline:
    """A dateline at the start of a sentence; text[start:end] is the whole dateline, its closing dash included."""

    start: int
    end: int
    text: str
    place: str | None  # as written: "ABU DHABI", "北京", "أبوظبي"
    # ids in names_countries.tsv: the place's own, then what it implies ("abu_dhabi", "uae"); () when unknown.
    # A spelling shared by two places gives both (عمان: Oman and Amman).
    place_ids: tuple[str, ...]
    date: DatelineDate | None
    agency: str | None  # id in names_agencies.tsv ("xinhua", "wam"); None for 本报 "this newspaper"
    agency_text: str | None  # the tag as written: "Xinhua", "新华社", "شينخوا"
    reporters: str | None = None  # 记者倪瑞捷 崔元磊 -> "倪瑞捷 崔元磊"


# ---------------------------------------------------------------------------------------------------------------
# Data

def _tag_key(tag: str) -> str:
    """Tags compared without case, spaces, dots or Arabic spelling variants: "أ ش أ" = "ا.ش.ا"."""
    return re.sub(r"[\s.·]", "", fold_arabic(tag).lower())


@lru_cache(maxsize=1)
def _agency_tags() -> dict[str, str]:
    """Normalised tag -> agency id."""
    tags: dict[str, str] = {}
    for line in (DATA_DIR / "names_agencies.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "id\t")):
            cols = line.split("\t")
            for col in cols[3:]:
                for form in filter(None, col.split("|")):
                    tags.setdefault(_tag_key(form), cols[0])
    for line in (DATA_DIR / "dateline_tags.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "id\t")):
            agency, forms = line.split("\t")
            for form in filter(None, forms.split("|")):
                tags.setdefault(_tag_key(form), agency)
    return tags


@lru_cache(maxsize=1)
def _zh_agency_alternation() -> str:
    """Chinese agency names (新华社, 中新社, 人民网 ...), longest first, as a regex alternation."""
    forms = {form for form in _zh_forms() if len(form) >= 2}
    return "|".join(sorted(map(re.escape, forms), key=len, reverse=True))


def _forms(column: int) -> list[str]:
    out = []
    for line in (DATA_DIR / "names_agencies.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "id\t")):
            out += [f for f in line.split("\t")[column].split("|") if f]
    return out


def _zh_forms() -> list[str]:
    return _forms(4)


def _ar_forms() -> list[str]:
    return _forms(5)


@lru_cache(maxsize=1)
def _places() -> Gazetteer:
    return Gazetteer(DATA_DIR / "names_countries.tsv")


def _agency(tag: str) -> str | None:
    return _agency_tags().get(_tag_key(tag))


def _place_ids(place: str, lang: str) -> tuple[str, ...]:
    """The gazetteer ids of a dateline's place, when the place is exactly one known name ("ABU DHABI")."""
    text = place.title() if lang == "en" and place.isupper() else place
    names = _places().find(text, lang)
    if len(names) == 1 and names[0].start == 0 and names[0].end == len(text):
        return (names[0].value, *names[0].implies)
    return ()


def _date_of(text: str, lang: str) -> DatelineDate | None:
    for a in extract_anchors(text, lang):
        if a.kind == "date":
            m = re.fullmatch(r"(\d{4}|-)-(\d\d)(?:-(\d\d))?", a.value)
            if m:
                year = int(m.group(1)) if m.group(1) != "-" else None
                return DatelineDate(year, int(m.group(2)), int(m.group(3)) if m.group(3) else None)
    return None


# ---------------------------------------------------------------------------------------------------------------
# Patterns

_DASH = r"(?:\s*(?:-{1,3}|[—–])(?=\s|$))?\s*"
# English: PLACE[, Region], date (Agency) --   |   PLACE, date, AGENCY --   |   PLACE (Agency) --
_EN_PLACE = r"(?P<place>[A-Z][A-Za-z.'’\-]*(?:[ /][A-Z][A-Za-z.'’\-]*){0,3})"
_EN_REGION = r"(?:,\s*(?P<region>[A-Z][A-Za-z.'’\-]*(?: [A-Z][A-Za-z.'’\-]*){0,3}))?"
_EN_DATE = (r"(?P<date>(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Z][a-z]{2,8}\.?|[A-Z][a-z]{2,8}\.?\s+\d{1,2}"
            r"(?:st|nd|rd|th)?)(?:,?\s+\d{4})?)")
_EN_TAG = r"(?:\s*\((?P<tag>[^()\n]{1,40})\)|,\s*(?P<tag2>[A-Z][A-Za-z]{1,15}))"
_EN = re.compile(rf"\s*{_EN_PLACE}{_EN_REGION}(?:,\s*{_EN_DATE})?,?{_EN_TAG}{_DASH}")
# Without an agency, only an all-capital place, a date and a dash: "BEIJING, June 5 --".
_EN_BARE = re.compile(rf"\s*(?P<place>[A-Z][A-Z.'’\-]+(?:[ /][A-Z][A-Z.'’\-]+){{0,3}}){_EN_REGION},\s*{_EN_DATE}"
                      r"\s*(?:-{1,3}|[—–])\s*")

_ZH_DATE = r"(?P<date>(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日)"
_ZH_REPORTERS = r"(?:\s*[（(]\s*(?:记者|通讯员)\s*(?P<reporters>[^）)\n]{1,40}?)\s*[）)])?"


@lru_cache(maxsize=1)
def _zh_patterns() -> tuple[re.Pattern, re.Pattern]:
    agencies = _zh_agency_alternation() + "|本报"
    filed = re.compile(rf"\s*(?P<tag>{agencies})(?P<place>[^\d\s，,。：:电（(]{{1,12}}?)?\s*{_ZH_DATE}\s*电"
                       rf"{_ZH_REPORTERS}\s*")
    news = re.compile(rf"\s*(?P<tag>{agencies})消息(?:\s*[（(][^）)\n]{{1,30}}[）)])?\s*[：:]\s*")
    return filed, news


_AR_WORD = r"[\u0621-\u064A\u0671-\u06D3]+"
_AR_DATE_PART = rf"\d{{1,2}}\s+{_AR_WORD}(?:\s+{_AR_WORD})?(?:\s*/\s*{_AR_WORD}(?:\s+{_AR_WORD})?)?(?:\s+\d{{4}})?" \
                r"(?:\s*(?:هـ|م)(?![\u0621-\u064A]))?"
_AR_NUMERIC_DATE = r"\d{1,2}\s*-\s*\d{1,2}(?:\s*-\s*\d{4})?"  # KUNA: الكويت - 20 - 2 (كونا)


@lru_cache(maxsize=1)
def _ar_pattern() -> re.Pattern:
    # A bare tag (SPA: "... 2024 م واس") must be one of the agencies' own Arabic names.
    bare = "|".join(sorted((re.escape(f) for f in _ar_forms()), key=len, reverse=True))
    return re.compile(
        rf"\s*(?P<place>{_AR_WORD}(?:\s+{_AR_WORD}){{0,2}}?)\s*[،,\-]?\s*(?:في\s+)?"
        rf"(?P<date>{_AR_DATE_PART}(?:\s+الموافق\s+{_AR_DATE_PART})?|{_AR_NUMERIC_DATE})?"
        r"\s*(?:\((?P<tag>[^()\n]{1,30})\)|/\s*(?P<tag2>[^/\n]{1,30}?)\s*/|[-–]\s*(?P<tag3>" + _AR_WORD + r")"
        rf"|(?<=\s)(?P<tag4>{bare})(?=\s))" + _DASH)


# ---------------------------------------------------------------------------------------------------------------

def find_dateline(text: str, language: str) -> Dateline | None:
    """The dateline that opens `text` (a sentence or paragraph), or None."""
    lang = normalize_language(language)
    if lang == "en":
        return _find_en(text)
    if lang == "zh":
        return _find_zh(text)
    return _find_ar(text)


def _make(text: str, m: re.Match, lang: str, place: str | None, date: DatelineDate | None, tag: str | None,
          agency: str | None, reporters: str | None = None) -> Dateline:
    return Dateline(m.start() + len(m.group()) - len(m.group().lstrip()), m.end(), text[m.start():m.end()].strip(),
                    place, _place_ids(place, lang) if place else (), date, agency, tag, reporters)


def _find_en(text: str) -> Dateline | None:
    m = _EN.match(text)
    if m:
        tag = m.group("tag") or m.group("tag2")
        agency = _agency(tag)
        # "(Xinhua)" needs no dash; ", SPA" does (a sentence may go on after a comma and a capitalised word).
        if agency and (m.group("tag") or re.search(r"[-—–]\s*$", m.group())):
            date = _date_of(m.group("date"), "en") if m.group("date") else None
            return _make(text, m, "en", m.group("place"), date, tag.strip(), agency)
    m = _EN_BARE.match(text)
    if m and _date_of(m.group("date"), "en"):
        return _make(text, m, "en", m.group("place"), _date_of(m.group("date"), "en"), None, None)
    return None


def _find_zh(text: str) -> Dateline | None:
    filed, news = _zh_patterns()
    m = filed.match(text)
    if m:
        date = DatelineDate(int(m.group("y")) if m.group("y") else None,
                            int(m.group("m")) if m.group("m") else None, int(m.group("d")))
        return _make(text, m, "zh", m.group("place"), date, m.group("tag"), _agency(m.group("tag")),
                     m.group("reporters"))
    m = news.match(text)
    if m:
        return _make(text, m, "zh", None, None, m.group("tag"), _agency(m.group("tag")))
    return None


def _find_ar(text: str) -> Dateline | None:
    m = _ar_pattern().match(text)
    if not m:
        return None
    tag = (m.group("tag") or m.group("tag2") or m.group("tag3") or m.group("tag4")).strip()
    agency = _agency(tag)
    if agency is None:
        return None  # "(الخميس)" after a date is not a dateline
    if m.group("tag3") and not m.group("date") and len(m.group("place").split()) > 1:
        return None  # "place - tag" (دمشق-سانا) only with a one-word place
    if m.group("tag4") and not m.group("date"):
        return None  # a bare tag (SPA: "... 2024 م واس") only after a date
    date = None
    if m.group("date"):
        gregorian = m.group("date").split("الموافق")[-1]
        date = _date_of(gregorian, "ar") or _numeric_date(gregorian)
    place = m.group("place")
    return _make(text, m, "ar", place, date, tag, agency)


def _numeric_date(s: str) -> DatelineDate | None:
    m = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})(?:\s*-\s*(\d{4}))?\s*", s)
    if not m:
        return None
    day, month = int(m.group(1)), int(m.group(2))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return DatelineDate(int(m.group(3)) if m.group(3) else None, month, day)
