"""Chinese names romanised in the English version ("Wang Qiyao", "Dai-yu", "Wang Yi") matched to the Chinese
characters they spell, by pinyin: the most frequent unmatched words of a zh-en literary pair are such names, which
no dictionary lists (CC-CEDICT glosses a given name's characters by their meanings).

Document-level, so it adds no noise: a key "py:<syllables>" goes to an English sentence only for a romanised name
that some Chinese sentence of the other document spells, and to a Chinese sentence only for a run of characters
that spells a name of the English document. The keys join the lexicon channel's bags (idf-weighted like any key).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import AbstractSet

from triglot_server.engine.text import HAN

MIN_SYLLABLES = 2  # a lone syllable ("Dan", "Lin") spells too many characters; two in a row are a name
MAX_SYLLABLES = 4  # "Wang Qiyao" is three; four covers a surname with a three-syllable given name
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][a-z]+)*\b")  # a capitalised word, hyphens/apostrophes inside (Dai-yu, Xi'an)
_LOWER = re.compile(r"\b[a-z]+(?:[-'][a-z]+)*\b")
_GAZETTEER = "#name:"  # the lexicon's keys of the names it knows (lexicon/names: "#name:wang_yi")
_HAN_RUN = re.compile(f"{HAN.pattern}+")


@lru_cache(maxsize=1)
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


@lru_cache(maxsize=65536)  # a book repeats its names: each word is parsed once
def _syllables(word: str) -> int:
    """How many pinyin syllables spell `word` exactly (the fewest), 0 when it is not pinyin."""
    syllables = _tables()[1]
    best = [0] + [99] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if best[start] < 99 and word[start:end] in syllables:
                best[end] = min(best[end], best[start] + 1)
    return best[-1] if best[-1] < 99 else 0


def _english_names(text: str, common: AbstractSet[str]) -> set[str]:
    """Romanised names of a sentence: a capitalised pinyin word of two syllables or more, and every run of
    consecutive capitalised pinyin words joined (surname and given name: "Wang Yi" -> "wangyi"). A word the
    document also writes in lower case is an ordinary word at the start of a sentence ("Take", "Woe"), not a name."""
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
        word = re.sub(r"[-']", "", match.group()).lower()
        count = 0 if match.group().lower() in common else _syllables(word)
        if not count:
            close()
            last_end = -2
            continue
        if text[last_end:match.start()].strip():  # anything but spaces between two words ends the name
            close()
        run.append((word, count))
        last_end = match.end()
    close()
    return out


def name_keys(english: list[str], chinese: list[str], english_keys: list[AbstractSet[str]] | None = None
              ) -> tuple[list[set[str]], list[set[str]]]:
    """The pinyin name keys of each English and each Chinese sentence (mostly empty sets). A name inside one the
    gazetteer keys in that English sentence (`english_keys`: "#name:wang_yi", "#name:xi_jinping") is left out: the
    lexicon already has it, and counting Wang Yi twice lets a readout's name sentences outweigh the rest (measured:
    one false addition more in the held-out edited readouts)."""
    readings = _tables()[0]
    common = set(_LOWER.findall("\n".join(english)))
    en_names = [_english_names(s, common) for s in english]
    if english_keys is not None:
        for names, bag in zip(en_names, english_keys):
            if names:
                known = [k[len(_GAZETTEER):].replace("_", "") for k in bag if k.startswith(_GAZETTEER)]
                names.difference_update({n for n in names if any(n in k for k in known)})
    wanted = set().union(*en_names) if en_names else set()
    zh_names: list[set[str]] = []
    if wanted:
        # A name is looked for only where a character's reading can start one (cheap on a whole book).
        starts = {name[:k] for name in wanted for k in range(1, 7)}
        for text in chinese:
            found = set()
            for run in _HAN_RUN.findall(text):
                py = run.translate(readings).split()
                if len(py) != len(run):  # a character pypinyin does not know: no reading to match
                    continue
                for i in range(len(py) - MIN_SYLLABLES + 1):
                    if py[i] not in starts:
                        continue
                    joined = py[i]
                    for k in range(i + 1, min(i + MAX_SYLLABLES, len(py))):
                        joined += py[k]
                        if joined in wanted:
                            found.add(joined)
            zh_names.append(found)
    else:
        zh_names = [set() for _ in chinese]
    spelled = set().union(*zh_names) if zh_names else set()
    return ([{f"py:{n}" for n in names & spelled} for names in en_names],
            [{f"py:{n}" for n in names} for names in zh_names])


def with_name_keys(source_keys: list[AbstractSet[str]], target_keys: list[AbstractSet[str]],
                   source: list[str], target: list[str], src_lang: str, tgt_lang: str
                   ) -> tuple[list[AbstractSet[str]], list[AbstractSet[str]]]:
    """The key sets with the pinyin name keys added (new sets where a sentence gains keys), for a zh-en pair;
    the sets unchanged for any other pair."""
    if {src_lang, tgt_lang} != {"zh", "en"}:
        return source_keys, target_keys
    en, zh = (source, target) if src_lang == "en" else (target, source)
    en_keys, zh_keys = name_keys(en, zh, source_keys if src_lang == "en" else target_keys)
    src_extra, tgt_extra = (en_keys, zh_keys) if src_lang == "en" else (zh_keys, en_keys)
    return ([k | e if e else k for k, e in zip(source_keys, src_extra)],
            [k | e if e else k for k, e in zip(target_keys, tgt_extra)])
