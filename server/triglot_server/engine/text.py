"""Script knowledge, defined once: which characters are Han, Arabic or Latin letters, how Arabic spelling variants and
clitics fold, how each language's text is cut into tokens, and any script's digits as ASCII.

Every module that tells scripts apart or tokenises (languages, segmentation, quality, anchors, lexicon, analysis and
the findings) takes its patterns from here, so "a Chinese character" means the same thing everywhere.
"""
from __future__ import annotations

import re
import sys
import unicodedata

# Han ideographs (unified, extensions A-I, compatibility) plus 々 and 〇, which are written as part of Chinese words:
# the body of a regex character class.
HAN_CHARS = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003347f"
HAN = re.compile(f"[{HAN_CHARS}]")
HAN_RUN = re.compile(f"[{HAN_CHARS}]+")


def code_points(pattern: re.Pattern[str], end: int = sys.maxunicode + 1) -> list[int]:
    """The code points below `end` that the one-character class `pattern` matches: what a table indexed by code
    point marks, read off the pattern itself so the table and the regex cannot disagree."""
    return [match.start() for match in pattern.finditer("".join(map(chr, range(end))))]

# Arabic letters (hamza to yeh, with the marks between them and the extended letters up to yeh barree).
ARABIC_LETTERS = "\u0621-\u065f\u0670-\u06d3"
ARABIC_WORD = re.compile(f"[{ARABIC_LETTERS}]+")
ARABIC_LETTER = re.compile(f"[{ARABIC_LETTERS}]")
NOT_ARABIC_AFTER = f"(?![{ARABIC_LETTERS}])"  # regex: end of an Arabic word

AR_MARKS = re.compile("[\u0640\u064B-\u065F\u0670]")  # Arabic diacritics and tatweel: not part of the spelling
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ئ": "ء", "ؤ": "ء"})
# Clitics that attach to an Arabic word: conjunctions and prepositions before it (with the article they absorb),
# possessive pronouns after it; the nisba endings make an adjective of a name (صيني from الصين).
AR_PROCLITICS = ("وبال", "وال", "فال", "بال", "كال", "ولل", "لل", "و", "ف", "ب", "ل", "ك")
AR_ENCLITICS = ("هما", "هم", "ها", "ه", "نا", "كم")
AR_NISBA = ("يين", "يون", "يه", "ي")

ENGLISH_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
LATIN_PAIR = re.compile(r"[A-Za-z]{2}")  # Latin words inside Chinese or Arabic text (COVID, WTO)

# Tokens of each language as the gazetteer and the phrase tables match them (a Chinese token is one character).
TOKEN = {
    # A hyphen separates tokens: "China-Saudi Arabia" names two countries, "Aboul-Gheit" matches as two tokens.
    "en": re.compile(r"[A-Za-z0-9À-ɏ]+(?:['’][A-Za-z0-9À-ɏ]+)*|&"),
    "ar": re.compile(r"[\u0621-\u065F\u0670-\u06D3\u0660-\u0669\u06F0-\u06F9]+(?:-[0-9\u0660-\u0669]+)?"),
    "zh": re.compile(f"[{HAN_CHARS}]|[A-Za-z0-9]+"),
}


def fold_arabic(word: str) -> str:
    """Arabic spelling variants folded: no diacritics or tatweel, one alef, ى=ي, ة=ه, hamza carriers=ء."""
    return AR_MARKS.sub("", word).translate(_AR_FOLD)


def normalise_token(token: str, language: str) -> str:
    """A token as tables store it: English lower-cased (& = and), Arabic folded, Chinese as is."""
    if language == "en":
        return "and" if token == "&" else token.lower()
    return fold_arabic(token) if language == "ar" else token


def token_forms(token: str, language: str) -> tuple[str, ...]:
    """The forms under which a token may appear in a table entry: English without 's, Arabic without its clitics
    and nisba ending (وبالعراق -> العراق, الصيني -> الصين); the normalised token first."""
    w = normalise_token(token, language)
    if language == "en":
        return (w, w[:-2]) if w.endswith(("'s", "’s")) else (w,)
    if language != "ar":
        return (w,)
    stems = {w}
    for p in AR_PROCLITICS:
        if w.startswith(p) and len(w) - len(p) >= 2:
            stems.add(("ال" if p.endswith(("ال", "لل")) else "") + w[len(p):])
    for s in list(stems):
        for suffix in AR_ENCLITICS + AR_NISBA:
            if s.endswith(suffix) and len(s) - len(suffix) >= 3:
                stem = s[:-len(suffix)]
                stems.add(stem)
                if suffix in AR_ENCLITICS and stem.endswith("ت"):
                    stems.add(stem[:-1] + "ه")  # ta marbuta is written ت before a pronoun: سيادته = سيادة + ه
    return (w, *sorted(stems - {w}))


def tokens(text: str, language: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of each token of `text` in `language`."""
    return [(m.start(), m.end(), m.group()) for m in TOKEN[language].finditer(text)]


def ascii_digits(s: str) -> str:
    """Any script's decimal digits (Arabic-Indic ٠-٩, Extended ۰-۹, fullwidth ０-９) to ASCII."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in s)
