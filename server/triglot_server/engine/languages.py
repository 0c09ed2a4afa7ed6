"""Language codes and script-based detection for the three supported languages (en, zh, ar).

Detection counts letters by script — Latin, Han, Arabic — because the three languages use disjoint scripts: no model,
no statistics, and the answer is explainable. Digits (ASCII or Arabic-Indic), punctuation, spaces and marks are ignored.
"""
from __future__ import annotations

import re

from triglot_server.engine.text import HAN, HAN_CHARS  # noqa: F401 (HAN_CHARS: re-exported)
from triglot_server.engine.types import InvalidInput, LanguageCode

LANGUAGES: dict[str, str] = {"en": "English", "zh": "Chinese", "ar": "Arabic"}

_SUPPORTED = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())

# ISO 639-1/-2/-3 primary subtags that mean one of our languages. Macrolanguage members written in the same script
# (Mandarin, Cantonese, Modern Standard Arabic, Egyptian Arabic …) map to the macrolanguage.
_PRIMARY: dict[str, str] = {
    "en": "en", "eng": "en",
    "zh": "zh", "zho": "zh", "chi": "zh", "cmn": "zh", "yue": "zh", "wuu": "zh", "hak": "zh", "nan": "zh",
    "ar": "ar", "ara": "ar", "arb": "ar", "arz": "ar", "apc": "ar", "ajp": "ar", "acm": "ar", "ary": "ar",
    "arq": "ar", "afb": "ar", "ayl": "ar",
}

# A BCP-47-ish tag: primary subtag of letters, then subtags of 1-8 letters/digits ("zh-Hant-TW", "ar-EG", "en-GB").
_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


def normalize_language(code: str) -> LanguageCode:
    """Map a language tag such as "EN", "zh-CN", "zh_Hant", "ar-EG" to "en", "zh" or "ar".

    Raises InvalidInput, naming the supported codes, for an empty, malformed or unsupported tag.
    """
    if not isinstance(code, str):
        raise InvalidInput(f"language code must be a string, got {type(code).__name__}")
    tag = code.strip().lower().replace("_", "-")
    if not tag:
        raise InvalidInput(f"language code is empty: supported codes are {_SUPPORTED}")
    if len(tag) > 64 or not _TAG.fullmatch(tag):
        raise InvalidInput(f"invalid language code {code[:64]!r}: expected a tag like 'en', 'zh-CN' or 'ar-EG'; "
                           f"supported codes are {_SUPPORTED}")
    language = _PRIMARY.get(tag.split("-", 1)[0])
    if language is None:
        raise InvalidInput(f"unsupported language {code!r}: supported codes are {_SUPPORTED}")
    return language


def _letter_class(blocks: list[tuple[int, int]]) -> str:
    """A regex character class of the code points in `blocks` that are letters (str.isalpha)."""
    ranges: list[tuple[int, int]] = []
    for first, last in blocks:
        for cp in range(first, last + 1):
            if chr(cp).isalpha():
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1] = (ranges[-1][0], cp)
                else:
                    ranges.append((cp, cp))
    return "[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges) + "]"


# Built once from Unicode data so that digits, punctuation and combining marks inside these blocks never count.
_LATIN = re.compile(_letter_class([(0x41, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF), (0x2C60, 0x2C7F),
                                   (0xA720, 0xA7FF), (0xFF21, 0xFF5A)]))
_ARABIC = re.compile(_letter_class([(0x600, 0x6FF), (0x750, 0x77F), (0x870, 0x8FF), (0xFB50, 0xFDFF),
                                    (0xFE70, 0xFEFE)]))
_HAN = HAN
# Any letter of any script (word characters minus digits and underscore), for the confidence's denominator.
_ANY_LETTER = re.compile(r"[^\W\d_]")

NO_LETTERS_MESSAGE = "cannot detect the language: no English, Chinese or Arabic letters"


def detect_language(text: str) -> tuple[LanguageCode, float]:
    """The language whose script has the most letters in `text`, and that script's share of all letters.

    Ties go to the first of en, zh, ar. Raises InvalidInput when there is no Latin, Han or Arabic letter at all.
    """
    counts = {"en": _count(_LATIN, text), "zh": _count(_HAN, text), "ar": _count(_ARABIC, text)}
    language = max(counts, key=lambda code: counts[code])  # max keeps the first of equal counts: en, zh, ar
    if counts[language] == 0:
        raise InvalidInput(NO_LETTERS_MESSAGE)
    # Letters of other scripts (Cyrillic, kana, …) lower the confidence; the winner's letters are always among them.
    letters = max(_count(_ANY_LETTER, text), sum(counts.values()))
    return language, round(counts[language] / letters, 4)


def _count(pattern: re.Pattern[str], text: str) -> int:
    # subn counts in C without building a list of matches (a 10 MB text would make 10 million strings).
    return pattern.subn("", text)[1]
