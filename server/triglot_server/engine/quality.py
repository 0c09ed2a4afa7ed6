"""Reference-free quality flags for one translated sentence.

Argos models fail silently: they return the source unchanged (argos-translate #496), loop on an n-gram ("(掌声) (掌声)
(掌声) …", #444) or leave words untranslated (#383). `assess` looks only at the pair (source, translation) and the two
languages, so it runs on every sentence the engine translates and costs microseconds.

Flags (each has one definition; a copied sentence is typically both `untranslated` and `wrong_script`):
- `untranslated`: the output is (nearly) the input — its letter tokens are mostly found among the source's — or more than
  half of its letter tokens are in the source language's script.
- `repetition`: the output loops — an n-gram repeated back to back (period ≤ 24 tokens, ≥ 4 times, or ≥ 3 times over
  ≥ 8 tokens) with at least two more repeats than the source's own longest loop, or one n-gram (5 tokens; 6 for Chinese)
  occurring ≥ 4 times (k times) while no bigram of the source occurs k − 1 times.
- `length_outlier`: the output's length (non-space characters) is outside [expected / 3 − slack / 2, expected × 3 + slack],
  expected = source length × the pair's typical ratio (`LENGTH_RATIOS`); an empty output for a source with letters.
- `wrong_script`: fewer than half of the output's letter tokens are in the target language's script, or the output has
  no letters at all while the source has at least 3 letter tokens.

Tokens: a Han character is one token (Chinese has no spaces, and a character is close to a morpheme); a run of other
letters/digits is one word token; every other non-space character (punctuation) is a token of its own.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from itertools import groupby
from operator import eq
from typing import Final

from triglot_server.engine.text import HAN_CHARS
from triglot_server.engine.types import LanguageCode

UNTRANSLATED: Final = "untranslated"
REPETITION: Final = "repetition"
LENGTH_OUTLIER: Final = "length_outlier"
WRONG_SCRIPT: Final = "wrong_script"
FLAGS: Final[tuple[str, ...]] = (UNTRANSLATED, REPETITION, LENGTH_OUTLIER, WRONG_SCRIPT)

# Typical output/input length ratio in non-space characters, per (source, target). Measured on the gold 1-1 pairs of
# examples/2020-03-09-china-iraq (zh-en 16 pairs: median 3.66, range 2.46-4.12; en-ar 16: median 0.78, 0.63-1.01;
# zh-ar 13: median 2.73, 2.31-3.59); the reverse directions are the reciprocals. On the Bible zh-en dev set
# (bible-zh-en 001-003, 14,312 1-1 pairs) the median zh->en ratio is 4.3, inside the band below.
LENGTH_RATIOS: Final[dict[tuple[str, str], float]] = {
    ("zh", "en"): 3.6, ("en", "zh"): 1 / 3.6,
    ("en", "ar"): 0.8, ("ar", "en"): 1 / 0.8,
    ("zh", "ar"): 2.8, ("ar", "zh"): 1 / 2.8,
}
LENGTH_BAND: Final = 3.0  # generous: the gold pairs stay within ×1.5 of the ratio
# Additive slack in target characters, about three words of the target language, so short sentences ("Yes." → "是。")
# and names never trip the band.
LENGTH_SLACK: Final[dict[str, int]] = {"en": 15, "ar": 12, "zh": 5}

_TOKEN = re.compile(rf"[{HAN_CHARS}]|[^\W_{HAN_CHARS}]+|[^\w\s]|_")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff\uff21-\uff5a]")
_ARABIC = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufefe]")
_HAN_CHAR = re.compile(rf"[{HAN_CHARS}]")
_SPACE = re.compile(r"\s+")

_LOOP_MAX_PERIOD: Final = 24
_NGRAM_MAX_COUNT: Final = 3  # an n-gram seen 4+ times in one sentence is a loop
_COPY_SHARE: Final = 0.8


def tokens(text: str) -> list[str]:
    """Case-folded tokens: Han characters, words (letters/digits), single punctuation characters."""
    return _TOKEN.findall(text.casefold())


@lru_cache(maxsize=1 << 16)  # tokens repeat across sentences; classifying each one char by char is the hot spot
def token_script(token: str) -> str | None:
    """ "zh", "en" or "ar" for a letter token of that script, "other" for letters of another script, None otherwise."""
    first = token[0]
    if _HAN_CHAR.match(first):
        return "zh"
    if not any(c.isalpha() for c in token):
        return None  # digits, punctuation
    if _LATIN.search(token):
        return "en"
    if _ARABIC.search(token):
        return "ar"
    return "other"


def script_counts(toks: list[str]) -> Counter[str]:
    """Letter tokens per script ("zh", "en", "ar", "other")."""
    return Counter(s for s in map(token_script, toks) if s is not None)


@lru_cache(maxsize=1 << 16)
def _is_word(token: str) -> bool:
    return token[0].isalnum() or _HAN_CHAR.match(token[0]) is not None


def longest_loop(toks: list[str]) -> tuple[int, int]:
    """(period, repeats) of the back-to-back repeated n-gram covering the most tokens; (0, 0) when there is none.

    Only units with at least one word token count, so "……" or "!!" punctuation is not a loop. O(len × 24).
    """
    best = (0, 0, 0)  # covered, repeats, period: of equal cover, the shortest period
    n_tokens = len(toks)
    for period in range(1, min(_LOOP_MAX_PERIOD, n_tokens // 2) + 1):
        # A run of r positions i with toks[i] == toks[i + period] means tokens i … i+r-1+period repeat with this period.
        position = 0
        for same, group in groupby(map(eq, toks, toks[period:])):
            run = len(list(group))
            if same and run >= period:
                repeats = (run + period) // period
                if repeats * period > best[0] and any(map(_is_word, toks[position:position + period])):
                    best = (repeats * period, repeats, period)
            position += run
    return best[2], best[1]


def _max_ngram_count(toks: list[str], n: int) -> int:
    """How often the most frequent n-gram containing a word occurs (overlaps count)."""
    grams = Counter(tuple(toks[i:i + n]) for i in range(len(toks) - n + 1))
    return max((count for gram, count in grams.items() if any(map(_is_word, gram))), default=0)


def _ngram_size(language: LanguageCode) -> int:
    # Parallel lists ("and the king of A, and the king of B, …") repeat 4-word n-grams legitimately; a loop repeats
    # longer ones. A Chinese word is ~1.5 characters, so 6 Han tokens span about as much as 5 word/punctuation tokens.
    return 6 if language == "zh" else 5


def is_repetition(source_tokens: list[str], output_tokens: list[str], target_language: LanguageCode) -> bool:
    """The output loops more than the source does (a source that repeats a phrase may be translated repeating it)."""
    _, source_repeats = longest_loop(source_tokens)
    period, repeats = longest_loop(output_tokens)
    if repeats > source_repeats + 1 and (repeats >= 4 or (repeats >= 3 and period * repeats >= 8)):
        return True
    count = _max_ngram_count(output_tokens, _ngram_size(target_language))
    # A source list ("所多玛的王，蛾摩拉的王，…") repeats a short phrase as often as its translation repeats a long one.
    return count > _NGRAM_MAX_COUNT and _max_ngram_count(source_tokens, 2) < count - 1


def _length(text: str) -> int:
    return len(_SPACE.sub("", text))


def is_untranslated(source_tokens: list[str], output_tokens: list[str], source_language: LanguageCode,
                    output_scripts: Counter[str]) -> bool:
    letters = sum(output_scripts.values())
    if letters == 0:
        return False
    source_words = {t for t in source_tokens if token_script(t) is not None}
    copied = sum(1 for t in output_tokens if token_script(t) is not None and t in source_words)
    if copied / letters >= _COPY_SHARE:
        return True
    in_source_script = output_scripts.get(source_language, 0)
    return in_source_script >= 2 and in_source_script / letters > 0.5


def is_length_outlier(source: str, translation: str, source_language: LanguageCode, target_language: LanguageCode,
                      source_letters: int) -> bool:
    out_len = _length(translation)
    if out_len == 0:
        return source_letters > 0
    ratio = LENGTH_RATIOS.get((source_language, target_language))
    if ratio is None:
        return False  # a pair without a measured ratio: no opinion
    expected = _length(source) * ratio
    slack = LENGTH_SLACK.get(target_language, 10)
    # Half the slack below: a truncated output is short in absolute terms too.
    return out_len > expected * LENGTH_BAND + slack or out_len < expected / LENGTH_BAND - slack / 2


def is_wrong_script(target_language: LanguageCode, output_scripts: Counter[str], source_letters: int) -> bool:
    letters = sum(output_scripts.values())
    if letters == 0:
        return source_letters >= 3
    return output_scripts.get(target_language, 0) / letters < 0.5


def assess(source: str, translation: str, source_language: LanguageCode,
           target_language: LanguageCode) -> tuple[str, ...]:
    """The flags (in `FLAGS` order) that the translation of `source` raises; () for a plausible translation."""
    source_tokens = tokens(source)
    output_tokens = tokens(translation)
    output_scripts = script_counts(output_tokens)
    source_letters = sum(script_counts(source_tokens).values())
    flags: list[str] = []
    if is_untranslated(source_tokens, output_tokens, source_language, output_scripts):
        flags.append(UNTRANSLATED)
    if is_repetition(source_tokens, output_tokens, target_language):
        flags.append(REPETITION)
    if is_length_outlier(source, translation, source_language, target_language, source_letters):
        flags.append(LENGTH_OUTLIER)
    if is_wrong_script(target_language, output_scripts, source_letters):
        flags.append(WRONG_SCRIPT)
    return tuple(flags)
