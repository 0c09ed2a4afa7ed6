"""Chinese names romanised in the English version ("Wang Qiyao", "Dai-yu", "Wang Yi") matched to the Chinese
characters they spell, by pinyin: the most frequent unmatched words of a zh-en literary pair are such names, which
no dictionary lists (CC-CEDICT glosses a given name's characters by their meanings).

Document-level, so it adds no noise: a key "py:<syllables>" goes to an English sentence only for a romanised name
that some Chinese sentence of the other document spells, and to a Chinese sentence only for a run of characters
that spells a name of the English document. The keys join the lexicon channel's bags (idf-weighted like any key).
"""
from __future__ import annotations

import re
import sys
import unicodedata
from typing import AbstractSet

import numpy as np

from triglot_server.engine import resources
from triglot_server.engine.text import HAN, code_points

MIN_SYLLABLES = 2  # a lone syllable ("Dan", "Lin") spells too many characters; two in a row are a name
MAX_SYLLABLES = 4  # "Wang Qiyao" is three; four covers a surname with a three-syllable given name
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][a-z]+)*\b")  # a capitalised word, hyphens/apostrophes inside (Dai-yu, Xi'an)
_LOWER = re.compile(r"\b[a-z]+(?:[-'][a-z]+)*\b")
_GAZETTEER = "#name:"  # the lexicon's keys of the names it knows (lexicon/names: "#name:wang_yi")
_JOINERS = re.compile(r"[-']")


@resources.once
def _tables() -> tuple[dict[int, str], frozenset[str]]:
    """Each character's first reading without tones and a space (a `str.translate` table), and every syllable
    (pypinyin's data, loaded on first use)."""
    from pypinyin.constants import PINYIN_DICT

    readings: dict[int, str] = {}
    for code, value in PINYIN_DICT.items():
        first = value.split(",")[0]
        plain = "".join(c for c in unicodedata.normalize("NFKD", first) if not unicodedata.combining(c))
        readings[code] = plain.replace("ü", "v").lower() + " "
    return readings, frozenset(r.strip() for r in readings.values())


def preload() -> None:
    """Load pypinyin's readings now (a process that will read English names: ~0.3 s otherwise paid by its first)."""
    _tables()


@resources.bounded(resources.WORD_CACHE)  # a book repeats its names: each word is parsed once
def _syllables(word: str) -> int:
    """How many pinyin syllables spell `word` exactly (the fewest), 0 when it is not pinyin."""
    syllables = _tables()[1]
    best = [0] + [99] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] < 99 and word[start:end] in syllables:
                best[end] = min(best[end], best[start] + 1)
    return best[-1] if best[-1] < 99 else 0


def _english_names(text: str, words: dict[str, tuple[str, int]]) -> set[str]:
    """Romanised names of a sentence: a capitalised pinyin word of two syllables or more, and every run of
    consecutive capitalised pinyin words joined (surname and given name: "Wang Yi" -> "wangyi"). A word the
    document also writes in lower case is an ordinary word at the start of a sentence ("Take", "Woe"), not a name:
    `words` gives each capitalised word's pinyin form and syllables, 0 for such a word or one that is no pinyin."""
    out: set[str] = set()
    run: list[tuple[str, int]] = []
    last_end = -2

    def close() -> None:
        for i in range(len(run)):
            total, joined = 0, ""
            for word, count in run[i:]:
                total += count
                joined += word
                if MIN_SYLLABLES <= total <= MAX_SYLLABLES:
                    out.add(joined)
        run.clear()

    for match in _NAME.finditer(text):
        parsed = words[match.group()]
        if not parsed[1]:
            if run:
                close()
            last_end = -2
            continue
        if run and text[last_end:match.start()].strip():  # anything but spaces between two words ends the name
            close()
        run.append(parsed)
        last_end = match.end()
    close()
    return out


_NOT_HAN, _UNKNOWN = -1, -2  # a code point's entry in the syllable table: not Han; Han without a pypinyin reading


@resources.once
def _syllable_table() -> tuple[np.ndarray, dict[str, int]]:
    """Each code point's first-reading syllable as an id (or _NOT_HAN, _UNKNOWN), and the ids of the syllables."""
    readings, syllables = _tables()
    ids = {s: k for k, s in enumerate(sorted(syllables))}
    table = np.full(sys.maxunicode + 1, _NOT_HAN, dtype=np.int16)
    table[code_points(HAN)] = _UNKNOWN
    codes = np.fromiter(readings, dtype=np.int64, count=len(readings))
    syllable = np.fromiter((ids[r.strip()] for r in readings.values()), dtype=np.int16, count=len(readings))
    han = table[codes] != _NOT_HAN
    table[codes[han]] = syllable[han]
    return table, ids


def _spellings(name: str, syllables: AbstractSet[str], longest: int) -> list[tuple[str, ...]]:
    """Every way to spell `name` as MIN_SYLLABLES..MAX_SYLLABLES syllables ("xian": xi-an; xian alone is one)."""
    out: list[tuple[str, ...]] = []

    def extend(pos: int, parts: tuple[str, ...]) -> None:
        if pos == len(name):
            if len(parts) >= MIN_SYLLABLES:
                out.append(parts)
            return
        if len(parts) < MAX_SYLLABLES:
            for end in range(pos + 1, min(len(name), pos + longest) + 1):
                if name[pos:end] in syllables:
                    extend(end, parts + (name[pos:end],))

    extend(0, ())
    return out


def _spelled(chinese: list[str], wanted: AbstractSet[str]) -> dict[int, set[str]]:
    """The names of `wanted` that the Chinese sentences spell, by sentence (those that spell any): MIN..MAX_SYLLABLES
    consecutive characters of one run of Han characters whose first readings joined are the name. A run with a
    character pypinyin does not know (but for its last) spells nothing (the readings would not line up with the
    characters). Whole-document arrays: each window of 2, 3 and 4 characters is coded as a number and looked up
    among the names' codes at once."""
    table, ids = _syllable_table()
    base = len(ids) + 1
    codes: dict[int, dict[int, str]] = {}  # window length -> code -> name
    longest = max(map(len, ids))
    # The syllables some character of the text reads as first: a spelling with any other cannot match, and most
    # names of a readout's English (Chinese, Meeting) have none, so its windows are not coded at all (~0.4 ms).
    readings = _tables()[0]
    present = {readings[c][:-1] for c in map(ord, set("".join(chinese))) if c in readings}
    for name in wanted:
        for parts in _spellings(name, ids, longest):
            if not present.issuperset(parts):
                continue
            code = 0
            for part in parts:
                code = code * base + ids[part]
            codes.setdefault(len(parts), {})[code] = name
    found: dict[int, set[str]] = {}
    if not codes or not chinese:
        return found
    text = "\n".join(chinese)  # a line break is no Han character: no window crosses two sentences
    syl = table[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)].astype(np.int64)
    han = syl != _NOT_HAN
    if not han.any():
        return found
    unknown = syl == _UNKNOWN
    first = han & ~np.concatenate([[False], han[:-1]])
    last = han & ~np.concatenate([han[1:], [False]])
    run = np.cumsum(first) - 1  # each Han character's run
    n_unknown = np.bincount(run[unknown], minlength=int(first.sum()))
    last_unknown = np.zeros(len(n_unknown), dtype=bool)
    last_unknown[run[last & unknown]] = True
    usable = (syl >= 0) & ((n_unknown == 0) | ((n_unknown == 1) & last_unknown))[run]
    # Candidates: where two usable characters start some spelling (a table of syllable pairs, a few thousand hits).
    pair_starts = np.zeros(base * base, dtype=bool)
    for length, names in codes.items():
        pair_starts[np.fromiter(names, dtype=np.int64, count=len(names)) // base ** (length - 2)] = True
    at = np.flatnonzero(usable[:-1] & usable[1:])
    at = at[pair_starts[syl[at] * base + syl[at + 1]]]
    starts = np.cumsum([0] + [len(s) + 1 for s in chinese[:-1]])
    for length, names in codes.items():
        pos = at[at + length <= len(syl)]
        ok, code = np.ones(len(pos), dtype=bool), syl[pos]
        for k in range(1, length):
            ok &= usable[pos + k]
            code = code * base + syl[pos + k]
        hit = ok & np.isin(code, np.fromiter(names, dtype=np.int64, count=len(names)))
        for sentence, c in zip(np.searchsorted(starts, pos[hit], side="right") - 1, code[hit]):
            found.setdefault(int(sentence), set()).add(names[int(c)])
    return found


def english_names(english: list[str]) -> dict[int, set[str]]:
    """The romanised names of the English sentences that have any, by sentence: the half of `name_keys` that reads
    the English document alone (so it can run while the keys are read, `keys.alongside`)."""
    # The capitalised words of the whole document read at once, with where they are (a line break is no letter: no
    # match crosses two sentences, and one at a sentence's edge is one in the sentence alone).
    joined = "\n".join(english)
    at = [(m.start(), m.group()) for m in _NAME.finditer(joined)]
    capitalised = {raw for _, raw in at}
    # Which of them the document also writes in lower case (a set of those alone: the lower-case words are many).
    common = {raw.lower() for raw in capitalised}.intersection(_LOWER.findall(joined))
    # Each capitalised word of the document parsed once (a book repeats them): its pinyin form and syllables.
    words = {raw: (word, 0 if raw.lower() in common else _syllables(word))
             for raw in capitalised for word in (_JOINERS.sub("", raw).lower(),)}
    pinyin_words = {raw for raw, (_, count) in words.items() if count}
    # The sentences with a pinyin word (by sentence, ascending), each read for its names.
    starts = np.cumsum([0] + [len(s) + 1 for s in english[:-1]])
    where = np.fromiter((start for start, raw in at if raw in pinyin_words), dtype=np.int64)
    found = {int(k): _english_names(english[k], words)
             for k in np.unique(np.searchsorted(starts, where, side="right") - 1)}
    return {k: names for k, names in found.items() if names}


def name_keys(english: list[str], chinese: list[str], english_keys: list[AbstractSet[str]] | None = None,
              names: dict[int, set[str]] | None = None) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """The pinyin name keys of the English and of the Chinese sentences that have any, by sentence (a book has a few
    thousand such sentences of 70,000: sets for the others cost more than the names). A name inside one the
    gazetteer keys in that English sentence (`english_keys`: "#name:wang_yi", "#name:xi_jinping") is left out: the
    lexicon already has it, and counting Wang Yi twice lets a readout's name sentences outweigh the rest (measured:
    one false addition more in the held-out edited readouts). `names`: `english_names(english)`, when the caller
    has it (it is changed)."""
    _syllable_table()  # loaded by the first call (a server's warm-up), not by the first one with names (~0.2 s)
    names = english_names(english) if names is None else names
    en_names = [(k, names[k]) for k in sorted(names)]  # (by sentence: the unions below add names in that order)
    if english_keys is not None:
        for k, found in en_names:
            if found:
                known = [key[len(_GAZETTEER):].replace("_", "") for key in english_keys[k]
                         if key.startswith(_GAZETTEER)]
                found.difference_update({n for n in found if any(n in key for key in known)})
    wanted = set().union(*(found for _, found in en_names))
    zh_names = _spelled(chinese, wanted) if wanted else {}
    spelled = set().union(*(zh_names[k] for k in sorted(zh_names)))
    en_keys = {k: {f"py:{n}" for n in found & spelled} for k, found in en_names}
    return ({k: keys for k, keys in en_keys.items() if keys},
            {k: {f"py:{n}" for n in zh_names[k]} for k in sorted(zh_names)})


def english_side(source: list[str], target: list[str], src_lang: str, tgt_lang: str) -> list[str] | None:
    """The English document of a zh-en pair (the one whose names are read), None for any other pair."""
    if {src_lang, tgt_lang} != {"zh", "en"}:
        return None
    return source if src_lang == "en" else target


def with_name_keys(source_keys: list[AbstractSet[str]], target_keys: list[AbstractSet[str]],
                   source: list[str], target: list[str], src_lang: str, tgt_lang: str,
                   names: dict[int, set[str]] | None = None
                   ) -> tuple[list[AbstractSet[str]], list[AbstractSet[str]]]:
    """The key sets with the pinyin name keys added (new sets where a sentence gains keys), for a zh-en pair;
    the sets unchanged for any other pair. `names`: `english_names` of the English side, when the caller has it."""
    en = english_side(source, target, src_lang, tgt_lang)
    if en is None:
        return source_keys, target_keys
    zh = target if src_lang == "en" else source
    en_keys, zh_keys = name_keys(en, zh, source_keys if src_lang == "en" else target_keys, names)
    src_extra, tgt_extra = (en_keys, zh_keys) if src_lang == "en" else (zh_keys, en_keys)
    return _with(source_keys, src_extra), _with(target_keys, tgt_extra)


def _with(bags: list[AbstractSet[str]], extra: dict[int, set[str]]) -> list[AbstractSet[str]]:
    """The bags with each extra set added (a new set: a caller's bags stay as they were)."""
    out = list(bags)
    for k, keys in extra.items():
        out[k] = out[k] | keys
    return out
