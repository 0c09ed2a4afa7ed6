"""The pinyin name scan over a whole Chinese document (arrays) finds what a scan sentence by sentence finds."""
from __future__ import annotations

import random

from triglot_server.engine.alignment import pinyin
from triglot_server.engine.text import HAN_RUN


def _reference(chinese: list[str], wanted: set[str]) -> list[set[str]]:
    """Sentence by sentence, run by run: each window of MIN..MAX_SYLLABLES first readings joined, looked up."""
    readings = pinyin._tables()[0]
    out = []
    for text in chinese:
        found = set()
        for run in HAN_RUN.findall(text):
            py = run.translate(readings).split()
            if len(py) != len(run):  # a character without a reading (but for the last) misaligns the readings
                continue
            for i in range(len(py)):
                for k in range(pinyin.MIN_SYLLABLES, pinyin.MAX_SYLLABLES + 1):
                    if i + k <= len(py) and "".join(py[i:i + k]) in wanted:
                        found.add("".join(py[i:i + k]))
        out.append(found)
    return out


def test_the_array_scan_agrees_with_a_sentence_by_sentence_scan() -> None:
    table, ids = pinyin._syllable_table()
    known = [chr(c) for c in range(0x4E00, 0x4E00 + 3000) if table[c] >= 0]
    unknown = [chr(c) for c in range(0x3400, 0x9FFF) if table[c] == pinyin._UNKNOWN][:20]
    rng = random.Random(7)
    for _ in range(200):
        chinese = ["".join(rng.choice(known[:60]) if rng.random() < 0.9 else
                           rng.choice(unknown + ["，", "a", " ", "\U00020000"]) for _ in range(rng.randint(0, 25)))
                   for _ in range(rng.randint(1, 8))]
        # Names the documents do spell (windows of their readings) and some they do not.
        readings = [c.translate(pinyin._tables()[0]).strip() for text in chinese for c in text]
        wanted = {"".join(readings[i:i + rng.randint(1, 5)]) for i in rng.sample(range(len(readings)),
                                                                                 min(5, len(readings)))}
        wanted = {w for w in wanted if w.isascii() and w.isalpha()} | {"wangyi", "xian"}
        found = pinyin._spelled(chinese, wanted)
        assert all(found.values()) and [found.get(k, set()) for k in range(len(chinese))] == _reference(chinese, wanted)
