"""Language codes and detection for the supported languages: English, Chinese (Simplified "zh", Traditional "zt",
Argos Translate's code) and Arabic.

Detection is in three steps, each explainable:
1. the script: letters counted by script — Latin, Han, Arabic — which the three languages do not share (digits,
   punctuation, spaces and marks are ignored);
2. another language in the same script is refused by name (French or Spanish for Latin, Japanese for Han, Persian or
   Urdu for Arabic): py3langid (langid.py's naive Bayes over byte n-grams, 97 languages, shipped with its model)
   restricted to the languages of that script (engine/langid.py), on texts of at least OTHER_LANGUAGE_MIN_LETTERS letters;
3. Chinese as Traditional or Simplified: characters that OpenCC's Traditional→Simplified conversion changes
   against those that the Simplified→Traditional one changes.
Traditional Chinese is analysed through its Simplified conversion (`to_simplified`, one character for one), while
every text and offset shown stays the original.
"""
from __future__ import annotations

import functools
import operator
import re
from typing import Any

from triglot_server.engine import langid
from triglot_server.engine.text import HAN, HAN_CHARS, code_points  # HAN_CHARS is also re-exported
from triglot_server.engine.types import InvalidInput, LanguageCode

LANGUAGES: dict[str, str] = {"en": "English", "zh": "Chinese", "zt": "Traditional Chinese", "ar": "Arabic"}

_SUPPORTED = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())

# ISO 639-1/-2/-3 primary subtags that mean one of our languages. Macrolanguage members written in the same script
# (Mandarin, Cantonese, Modern Standard Arabic, Egyptian Arabic …) map to the macrolanguage.
_PRIMARY: dict[str, str] = {
    "en": "en", "eng": "en",
    "zh": "zh", "zho": "zh", "chi": "zh", "cmn": "zh", "yue": "zh", "wuu": "zh", "hak": "zh", "nan": "zh",
    "zt": "zt",
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
    primary, *subtags = tag.split("-")
    language = _PRIMARY.get(primary)
    if language is None:
        raise InvalidInput(f"unsupported language {code!r}: supported codes are {_SUPPORTED}")
    if language == "zh" and _TRADITIONAL_SUBTAGS.intersection(subtags) and "hans" not in subtags:
        return "zt"  # zh-Hant, zh-TW, zh-HK, zh-MO: Traditional characters
    return language


# Subtags of a Chinese tag that mean Traditional characters: the script, or a region that writes them.
_TRADITIONAL_SUBTAGS = frozenset({"hant", "tw", "hk", "mo"})


def analysis_language(code: LanguageCode) -> LanguageCode:
    """The language the engine analyses a text of language `code` in: Traditional Chinese through Simplified."""
    return "zh" if code == "zt" else code


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
_NOT_HAN = re.compile(f"[^{HAN_CHARS}]+")
# Any letter of any script (word characters minus digits and underscore), for the confidence's denominator.
_ANY_LETTER = re.compile(r"[^\W\d_]")

NO_LETTERS_MESSAGE = "cannot detect the language: no English, Chinese or Arabic letters"


def detect_script(text: str) -> tuple[LanguageCode, float]:
    """Step 1: the language (en, zh or ar) whose script has the most letters in `text`, and that script's share of
    all letters. Ties go to the first of en, zh, ar. Raises InvalidInput when there is no Latin, Han or Arabic letter
    at all."""
    latin, han, arabic, any_letter = _letter_counts(text)
    counts = {"en": latin, "zh": han, "ar": arabic}
    language = max(counts, key=lambda code: counts[code])  # max keeps the first of equal counts: en, zh, ar
    if counts[language] == 0:
        raise InvalidInput(NO_LETTERS_MESSAGE)
    # Letters of other scripts (Cyrillic, kana, …) lower the confidence; the winner's letters are always among them.
    letters = max(any_letter, sum(counts.values()))
    return language, round(counts[language] / letters, 4)


def detect_language(text: str) -> tuple[LanguageCode, float]:
    """The language of `text` (en, zh, zt or ar) and the share of its letters in that language's script.

    Raises InvalidInput when there is no Latin, Han or Arabic letter, and when the text is in another language of
    the same script (the message names it: "the text is French (fr) ...")."""
    language, confidence = detect_script(text)
    check_not_other_language(text, language)
    if language == "zh" and is_traditional(text):
        language = "zt"
    return language, confidence


# -- step 2: another language in the same script -----------------------------------------------------------------

OTHER_LANGUAGE_MIN_LETTERS = 30
"""Shorter texts are not judged: a name or a heading says too little about its language."""
OTHER_LANGUAGE_MAX_OURS = 0.05
OTHER_LANGUAGE_MIN_THEIRS = 0.5
"""A text is refused when the probability of the declared language is below MAX_OURS and the most likely other
language's is at least MIN_THEIRS. Measured (bench/language_bench.py): every sentence of the readouts with 30 letters
or more, and 2,000 Bible verses, keep their language; the lowest probability of English among Bible verses is 0.002,
but then no other language reaches 0.5."""
OTHER_LANGUAGE_SAMPLE = 20_000
"""Characters of a long text that are judged (its beginning): enough to tell, and bounded work."""

# py3langid's languages by script; the first group of each is ours (Wu and Cantonese are written Chinese, Moroccan
# and Egyptian Arabic are Arabic).
_SCRIPT_LANGUAGES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "en": (frozenset({"en"}), tuple("af az br bs ca cs cy da de eo es et eu fi fr ga gl ha hr ht hu id ig is it jv "
                                    "ku la lb lt lv mg ms mt nl nn no oc pl pt qu ro rw sk sl so sq sv sw tl tr uz "
                                    "vi vo wa xh yo zu".split())),
    "zh": (frozenset({"zh", "wuu", "yue"}), ("ja", "ko")),
    "ar": (frozenset({"ar", "ary", "arz"}), ("fa", "ur", "ps", "ug", "sdh")),
}
# Names of the other languages a caller is most likely to send; any other is named by its code.
_OTHER_NAMES = {"fr": "French", "es": "Spanish", "de": "German", "pt": "Portuguese", "it": "Italian", "nl": "Dutch",
                "tr": "Turkish", "id": "Indonesian", "ms": "Malay", "vi": "Vietnamese", "pl": "Polish",
                "ro": "Romanian", "sv": "Swedish", "ja": "Japanese", "ko": "Korean", "fa": "Persian", "ur": "Urdu",
                "ps": "Pashto", "ug": "Uyghur", "sdh": "Southern Kurdish", "sw": "Swahili", "ha": "Hausa"}


@functools.lru_cache(maxsize=len(_SCRIPT_LANGUAGES))
def _identifier(script: str) -> Any:
    """py3langid restricted to the languages written in `script`: a shallow copy of the one model (its tokeniser
    tables shared), with its own subset of the language columns."""
    import copy

    ours, others = _SCRIPT_LANGUAGES[script]
    identifier = copy.copy(langid.model())
    identifier.set_languages(sorted(ours) + list(others))
    return identifier


def warm_up() -> None:
    """Load the identifiers, the letter table and the Chinese script converters, so the first caller does not wait
    for them (~1 s; the two OpenCC converters alone ~0.1 s, which every Chinese document's script check needs)."""
    _bmp_classes()
    for script in _SCRIPT_LANGUAGES:
        _identifier(script).rank("warm up")
    is_traditional("會見会见")


def other_language(text: str, script: LanguageCode) -> str | None:
    """The code of another language than en/zh/ar written in `script` ("en" for Latin, "zh" for Han, "ar" for Arabic)
    that `text` is in, or None when it is in ours or cannot be told (too short)."""
    return _other_language_of(text[:OTHER_LANGUAGE_SAMPLE], analysis_language(script))


@functools.lru_cache(maxsize=64)
def _other_language_of(sample: str, script: LanguageCode) -> str | None:
    # Memoised: a document sent again (another pair of the same readout) is not identified again (~1 ms per KB).
    if _letter_counts(sample)[3] < OTHER_LANGUAGE_MIN_LETTERS:
        return None
    ours, _ = _SCRIPT_LANGUAGES[analysis_language(script)]
    ranking = _identifier(analysis_language(script)).rank(sample)
    theirs, probability = ranking[0]
    if theirs in ours or probability < OTHER_LANGUAGE_MIN_THEIRS:
        return None
    if sum(p for code, p in ranking if code in ours) >= OTHER_LANGUAGE_MAX_OURS:
        return None
    return theirs


def language_name(code: str) -> str:
    """"French (fr)" for a code py3langid gives, "English" for one of ours."""
    return LANGUAGES.get(code) or f"{_OTHER_NAMES.get(code, 'language')} ({code})"


def check_not_other_language(text: str, language: LanguageCode) -> None:
    """Raise InvalidInput naming the language when `text`, in the script of `language`, is in another language."""
    found = other_language(text, language)
    if found is not None:
        raise InvalidInput(f"the text is {language_name(found)}, not {LANGUAGES[language]}: triglot supports "
                           f"{_SUPPORTED}")


# -- step 3: Traditional or Simplified Chinese -------------------------------------------------------------------

@functools.lru_cache(maxsize=2)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional characters converted to Simplified, one character for one (OpenCC's t2s character table, so
    offsets into the original still hold): 會見 → 会见."""
    converted = _converter("t2s").convert(text)
    if len(converted) == len(text):
        return converted
    # a phrase of another length: convert character by character instead, keeping a character that would not stay one
    single = _converter("t2s").convert
    return "".join(c if len(c := single(ch)) == 1 else ch for ch in text)


def to_traditional(text: str) -> str:
    """Simplified characters converted to Traditional (OpenCC s2t): 会见 → 會見."""
    return _converter("s2t").convert(text)


def is_traditional(text: str) -> bool:
    """Whether Chinese `text` is written in Traditional characters: more of its characters change when converted to
    Simplified than when converted to Traditional (characters both scripts share change in neither)."""
    sample = _NOT_HAN.sub("", text[:OTHER_LANGUAGE_SAMPLE])
    if not sample:
        return False
    simplified, traditional = to_simplified(sample), _converter("s2t").convert(sample)
    changed_by_t2s = sum(map(operator.ne, sample, simplified))
    changed_by_s2t = sum(map(operator.ne, sample, traditional)) if len(traditional) == len(sample) else \
        sum(1 for ch in sample if _converter("s2t").convert(ch) != ch)
    return changed_by_t2s > changed_by_s2t


# The classes a character is counted in, in the order _letter_counts returns them.
_CLASSES = (_LATIN, _HAN, _ARABIC, _ANY_LETTER)
_BMP = 0x10000
_ASTRAL = 1 << len(_CLASSES)  # the table's mark for a code point beyond the BMP
_CHUNK = 1 << 16  # characters counted at a time


@functools.lru_cache(maxsize=1)
def _bmp_classes() -> Any:
    """For each code point of the Basic Multilingual Plane, a bit per class of _CLASSES that it matches, and one
    entry more for any code point beyond (~20 ms, once): a text's letters are then counted with one table lookup per
    character, in numpy."""
    import numpy as np

    table = np.zeros(_BMP + 1, np.uint8)
    for bit, pattern in enumerate(_CLASSES):
        table[code_points(pattern, _BMP)] |= 1 << bit
    table[_BMP] = _ASTRAL
    return table


def _letter_counts(text: str) -> tuple[int, int, int, int]:
    """How many characters of `text` are Latin letters, Han, Arabic letters, and letters of any script."""
    import numpy as np

    table = _bmp_classes()
    histogram = np.zeros(2 * _ASTRAL, np.int64)
    astral = []
    for at in range(0, len(text), _CHUNK):  # in pieces: a book's buffers would not stay in the cache
        codes = np.frombuffer(text[at:at + _CHUNK].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        chunk = np.bincount(table.take(np.minimum(codes, _BMP)), minlength=2 * _ASTRAL)
        histogram += chunk
        if chunk[_ASTRAL]:  # Han extensions B-H and the rare letters beyond the BMP, matched one by one below
            astral += map(chr, codes[codes >= _BMP].tolist())
    bits = np.arange(len(histogram))
    counts = [int(histogram[bits & (1 << bit) != 0].sum()) for bit in range(len(_CLASSES))]
    if astral:
        counts = [n + pattern.subn("", "".join(astral))[1] for n, pattern in zip(counts, _CLASSES)]
    latin, han, arabic, any_letter = counts
    return latin, han, arabic, any_letter
