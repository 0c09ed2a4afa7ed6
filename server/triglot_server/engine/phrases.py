"""Trilingual phrase tables: concepts with their written forms in en, zh and ar, found in a sentence.

A table (TSV in engine/data: concept, group, strength, then the en, zh and ar forms, each list separated by "|") is
matched like the gazetteer: over tokens (characters for Chinese), leftmost-longest across the whole table, so 重要
("important") is read before the 要 ("must") inside it; Arabic tokens match after clitic stripping (وبالشاملة). A form ending in "?" is
ambiguous (愿 is "willing" in 中方愿同… but "may" in a wish): it shows that a version says the concept, but is no
evidence that the other version lacks it. A
word of an English form may end in "*" to match any word starting so (attach* = attaches, attached).

Used for the qualifiers analysts track (strategic, comprehensive, at the request of, unprovoked, negation, modal
verbs …) and the diplomatic formulae readouts are made of (held a phone call, exchanged views): a qualifier one
version has and its counterpart lacks is a content difference; a formula said on both sides is not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from triglot_server.engine import resources
from triglot_server.engine.text import normalise_token, token_forms, tokens

LANGUAGES = ("en", "zh", "ar")


@dataclass(frozen=True)
class Concept:
    id: str
    group: str  # e.g. "qualifier", "modal", "negation", "formula"
    strength: str  # "strong": one version's word alone is evidence; "weak": only when a third version confirms
    forms: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Hit:
    concept: str
    start: int
    end: int
    text: str
    sure: bool = True  # False: an ambiguous form ("?" in the table)


class PhraseTable:
    def __init__(self, rows: list[list[str]]) -> None:
        self.concepts: dict[str, Concept] = {}
        # index[language][first token] -> [(tokens, concept id, sure)], longest first
        self._index: dict[str, dict[str, list[tuple[tuple[str, ...], str, bool]]]] = {lang: {} for lang in LANGUAGES}
        for cols in rows:
            if cols[0] == "concept":
                continue
            if len(cols) != 6:
                raise ValueError(f"phrase table: expected 6 tab-separated columns, got {len(cols)}: {cols!r}")
            forms = {lang: tuple(f.strip() for f in col.split("|") if f.strip()) for lang, col in
                     zip(LANGUAGES, cols[3:])}
            self.concepts[cols[0]] = Concept(cols[0], cols[1], cols[2], forms)
            for lang, items in forms.items():
                for marked in items:
                    form, sure = marked.removesuffix("?"), not marked.endswith("?")
                    if lang == "zh":
                        toks = tuple(form)
                    else:  # each word of a form may end in "*" (a prefix)
                        toks = tuple(normalise_token(t, lang) + ("*" if word.endswith("*") else "")
                                     for word in form.split() for _, _, t in tokens(word.rstrip("*"), lang))
                    if toks:
                        first = toks[0]
                        self._index[lang].setdefault(first.rstrip("*")[:3] if first.endswith("*") else first,
                                                     []).append((toks, cols[0], sure))
        for table in self._index.values():
            for entries in table.values():
                entries.sort(key=lambda e: -len(e[0]))

        # Where a Chinese form may start: the scan jumps from one such character to the next (in C).
        self._zh_starts = re.compile("[" + "".join(re.escape(k) for k in self._index["zh"]) + "]" if self._index["zh"]
                                     else "(?!)")

    def find(self, text: str, language: str) -> list[Hit]:
        """The table's concepts said in `text`, leftmost-longest, spans never overlapping."""
        if language == "zh":
            return self._find_chars(text)
        index = self._index[language]
        toks = tokens(text, language)
        forms = [_token_forms(t, language) for _, _, t in toks]
        out: list[Hit] = []
        i = 0
        while i < len(toks):
            found = None
            for key in _keys(forms[i], language):
                for entry, concept, sure in index.get(key, ()):
                    n = len(entry)
                    if i + n > len(toks) or (found and n <= found[0]):
                        continue
                    if all(_matches(entry[k], forms[i + k]) for k in range(n)):
                        found = (n, concept, sure)
            if found:
                n, concept, sure = found
                s, e = toks[i][0], toks[i + n - 1][1]
                out.append(Hit(concept, s, e, text[s:e], sure))
                i += n
            else:
                i += 1
        return out

    def _find_chars(self, text: str) -> list[Hit]:
        index = self._index["zh"]
        out: list[Hit] = []
        i = 0
        while (m := self._zh_starts.search(text, i)) is not None:
            i = m.start()
            for entry, concept, sure in index[text[i]]:
                form = "".join(entry)
                if text.startswith(form, i):
                    out.append(Hit(concept, i, i + len(form), form, sure))
                    i += len(form)
                    break
            else:
                i += 1
        return out


def _keys(forms: tuple[str, ...], language: str) -> tuple[str, ...]:
    """Index keys a token's forms may be filed under: the forms themselves, and for English their first three
    letters (where forms ending in "*" are filed)."""
    return forms + tuple(f[:3] for f in forms if len(f) > 3) if language == "en" else forms


_token_forms = resources.bounded(resources.WORD_CACHE)(token_forms)


def _matches(form: str, variants: tuple[str, ...]) -> bool:
    if form.endswith("*"):
        return any(v.startswith(form[:-1]) for v in variants)
    return form in variants


@resources.once
def qualifiers() -> PhraseTable:
    """The qualifiers analysts track (data/tracked_qualifiers.tsv)."""
    return PhraseTable(resources.table_lines("tracked_qualifiers.tsv"))
