"""English synonymy derived from CC-CEDICT's own glosses, to decide that a word *is* said in another version.

Two English words are synonyms when they are one-word glosses of the same Chinese headword: 看法 "view; opinion"
and 见解 "opinion; view; understanding" make view ~ opinion, so "exchanged views" is said where a Chinese sentence
has 意见 (glossed "idea; opinion; suggestion"). Relations are between English stems (lexicon.stem), the keys the
lexicon gives every word of the three languages.

To keep relations precise a headword counts only when it has two characters or more (one character is too
polysemous: 行 "walk; capable; row") and two to `MAX_SENSES` one-word senses (a long list of senses spans several
meanings), and a relation between two hubs — stems related to more than `MAX_RELATED` others (support ~ aid, bear,
gridiron, inherit ...) — is dropped; a hub keeps its relations to the words that are not (view ~ opinion). Measured with bench/lexdata_bench.py (share of content words related to the aligned sentence, and
to a wrong one — the next bead's): readouts 53.2 -> 59.1 % vs wrong 7.7 -> 11.3 %; Bible 001 34.2 -> 38.6 % vs
10.4 -> 12.5 % (without the hub rule: +10.5 vs +10.1 points on the readouts, where neighbouring sentences share
their topic). Used only to accept that a word has a
counterpart, never to report that one is missing.
"""
from __future__ import annotations

import re
from functools import lru_cache

from triglot_server.engine.cedict import entries
from triglot_server.engine.lexicon import STOPWORDS, stem

MAX_SENSES = 4  # one-word senses per headword, at most
MAX_RELATED = 6  # synonyms per stem, at most: more is a polysemous hub
_ONE_WORD = re.compile(r"(?:to |a |an |the )?([a-z]{3,})")


def one_word_senses(senses: list[str]) -> list[str]:
    """The senses that are one English word ("to view" -> view; "point of view", "CL:個" are not)."""
    out = []
    for s in senses:
        s = re.sub(r"\([^)]*\)", "", s).strip().lower()
        m = _ONE_WORD.fullmatch(s)
        if m and m.group(1) not in STOPWORDS and m.group(1) not in out:
            out.append(m.group(1))
    return out


@lru_cache(maxsize=1)
def _table() -> dict[str, frozenset[str]]:
    senses: dict[str, list[str]] = {}
    for e in entries():
        if len(e.word) >= 2:
            senses.setdefault(e.word, []).extend(e.senses)
    related: dict[str, set[str]] = {}
    for word_senses in senses.values():
        words = one_word_senses(word_senses)
        if not 2 <= len(words) <= MAX_SENSES:
            continue
        stems = {stem(w) for w in words}
        for s in stems:
            related.setdefault(s, set()).update(stems - {s})
    # An edge stays when one of its ends is not a hub (view has many synonyms, opinion few: view ~ opinion stays).
    kept: dict[str, set[str]] = {}
    for s, r in related.items():
        if len(r) <= MAX_RELATED:
            for t in r:
                kept.setdefault(s, set()).add(t)
                kept.setdefault(t, set()).add(s)
    return {s: frozenset(r) for s, r in kept.items()}


def synonyms(word_stem: str) -> frozenset[str]:
    """The English stems that share a CC-CEDICT headword with `word_stem` as one-word glosses (view -> opinion ...)."""
    return _table().get(word_stem, frozenset())


def expand(keys: frozenset[str] | set[str]) -> frozenset[str]:
    """`keys` with the synonyms of each (anchor keys such as "#name:iraq" are kept as they are)."""
    out = set(keys)
    for k in keys:
        if not k.startswith("#"):
            out |= synonyms(k)
    return frozenset(out)


def related(keys: frozenset[str] | set[str], other_keys: frozenset[str] | set[str]) -> bool:
    """Do `keys` (one word's) meet `other_keys` (a sentence's) directly or through a synonym?"""
    return not set(keys).isdisjoint(other_keys) or not expand(keys).isdisjoint(other_keys)
