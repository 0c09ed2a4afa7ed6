"""Chinese transliterated names: a gazetteer name or a one-character qualifier read inside a longer foreign name.

Chinese writes foreign names with a small set of characters chosen for their sound (费萨尔 Faisal, 萨勒曼 Salman,
拉马拉 Lamamra). A dictionary match inside such a run is a coincidence: 萨尔 "Saarland" in 费萨尔, 非 "not" in 拉非克.
`inside_transliteration` tells when a hit continues into transliteration characters that no other name explains.

The characters (data/zh_transliteration_chars.txt) are derived, not listed by hand: those that occur in the Chinese
forms of at least MIN_NAMES foreign names of the gazetteer (countries, capitals, cities, people; China's own left out)
and in CC-CEDICT's proper-noun words at least PROPER_RATIO times as often as in its common words. Place-name
morphemes that pass (南 "south", 城 "city") are told apart where it matters: a neighbour that starts or ends a common
CC-CEDICT word there (美国南部: 南部 "the south") is a word, not a continuation of the name.
Regenerate: python -m triglot_server.engine.transliteration
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from triglot_server.engine import resources
from triglot_server.engine.text import HAN

MIN_NAMES = 2
PROPER_RATIO = 2
NAME_KINDS = ("country", "capital", "city", "person")
FILE = "zh_transliteration_chars.txt"
MAX_WORD = 4  # common CC-CEDICT words checked at a neighbour: up to this many characters
MAX_HIT = 3
"""Hits of up to this many characters are judged: a coincidence inside a longer name is a short form (萨尔, 巴西 in
巴西莱 Barzillai); a long one such as 耶路撒冷 is the name itself, whatever stands next to it (这城耶路撒冷)."""


@resources.once
def characters() -> frozenset[str]:
    return frozenset(row[0] for row in resources.table_lines(FILE))


@resources.once
def _common_words() -> frozenset[str]:
    """CC-CEDICT's common words of 2..MAX_WORD characters, cached on disk: reading them out of the dictionary takes
    ~0.5 s, which a server's first Compare with a name in Chinese would wait for (the cache loads in ~20 ms)."""
    from triglot_server.engine.cedict import entries

    return resources.disk_cached(
        "zh_common_words", [resources.cedict_path()], (MAX_WORD,),
        lambda: frozenset(e.word for e in entries() if not e.proper and 2 <= len(e.word) <= MAX_WORD), Path(__file__))


def _starts_word(text: str, i: int) -> bool:
    words = _common_words()
    return any(text[i:i + n] in words for n in range(2, MAX_WORD + 1))


def _ends_word(text: str, i: int) -> bool:
    """Does a common word end with text[i]?"""
    words = _common_words()
    return any(i + 1 - n >= 0 and text[i + 1 - n:i + 1] in words for n in range(2, MAX_WORD + 1))


def inside_transliteration(text: str, start: int, end: int, known: list[tuple[int, int]] = ()) -> bool:
    """Is the hit text[start:end] part of a longer transliterated name? It is when the hit's first (last) character
    and the one right before (after) it are both transliteration characters — the run crosses the hit's edge — and
    that neighbour is in no other known name (`known`: spans of the other name hits) and does not begin or end a
    common word there. A one-character hit (非 "not" in 拉非克) is inside a name when both neighbours are: a qualifier next to a name is
    grammar (愿耶和华, 不肯)."""
    if end - start > MAX_HIT:
        return False
    chars = characters()

    def continues(i: int, edge: int, before: bool) -> bool:
        if not 0 <= i < len(text) or text[i] not in chars or any(s <= i < e for s, e in known):
            return False
        if edge != -1 and text[edge] not in chars:
            return False  # the hit ends in a word of its own (外长 before 拉马拉): the run does not cross it
        return not (_ends_word(text, i) if before else _starts_word(text, i))

    if end - start == 1:  # a one-character qualifier: inside a name when the run goes on on both sides (拉非克)
        if _in_names().get(text[start], 0) < MIN_NAMES or _starts_word(text, start) or _ends_word(text, start):
            return False  # 将 spells no foreign name; 不肯 "refuse" is a word: 摩西将耶和华, 巴兰不肯 are grammar
        return continues(start - 1, -1, True) and continues(end, -1, False)
    return continues(start - 1, start, True) or continues(end, end - 1, False)


@resources.once
def _in_names() -> Counter[str]:
    """How many foreign names of the gazetteer each character is written in (in one of its Chinese forms)."""
    from triglot_server.engine.anchors import gazetteer

    gaz = gazetteer()
    counts: Counter[str] = Counter()
    for name_id, kind in gaz.kinds.items():
        if kind in NAME_KINDS and name_id != "china":
            counts.update({c for form in gaz.forms[name_id]["zh"] for c in form if HAN.fullmatch(c)})
    return counts


def preload() -> None:
    """Load the tables now (a process that will read long Chinese texts: ~1 s otherwise paid by its first one)."""
    characters()
    _common_words()
    _in_names()


def derive() -> list[str]:
    """The transliteration characters (see the module's docstring)."""
    from triglot_server.engine.cedict import entries

    in_names = _in_names()
    proper: Counter[str] = Counter()
    common: Counter[str] = Counter()
    for e in entries():
        if len(e.word) >= 2:
            (proper if e.proper else common).update(set(e.word))
    return sorted(c for c, n in in_names.items() if n >= MIN_NAMES and proper[c] >= PROPER_RATIO * common[c])


def file_text() -> str:
    return ("# Characters of Chinese transliterated foreign names. GENERATED by "
            "`python -m triglot_server.engine.transliteration`\n# from the gazetteer's Chinese forms and CC-CEDICT "
            "(see engine/transliteration.py). One a line.\n" + "\n".join(derive()) + "\n")


if __name__ == "__main__":
    path = Path(resources.DATA_DIR) / FILE
    path.write_text(file_text(), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
