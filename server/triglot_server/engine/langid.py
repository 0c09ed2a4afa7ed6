"""py3langid's model (langid.py's naive Bayes over byte n-grams) with its tokeniser's byte walk compiled.

py3langid walks its n-gram automaton one byte at a time in Python (`visit_counts`): ~1 ms per KB, the largest cost of
checking a readout's language and 20-40 ms on each side of a book. The same walk as a compiled loop gives the same
feature counts, in the same order, so every score is the same float; py3langid's own walk stays the reference
(tests/test_languages.py compares them on random bytes and real text).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from triglot_server.engine import resources


def _walk(nextmove: np.ndarray, rowbase: np.ndarray, output: np.ndarray, data: np.ndarray,
          counts: np.ndarray) -> np.ndarray:
    """py3langid's visit_counts: the features the automaton emits over `data`, each counted in `counts` (zero on
    entry, one slot per feature) and listed once, in the order of their first visit."""
    order = np.empty(data.shape[0], np.int64)
    seen = 0
    state = 0
    for letter in data:
        state = nextmove[rowbase[state] + letter]
        feature = output[state]
        if feature >= 0:
            if counts[feature] == 0:
                order[seen] = feature
                seen += 1
            counts[feature] += 1
    return order[:seen]


@resources.once
def model() -> Any:
    """The model with all its languages, loaded once (~0.5 s, ~80 MB); `copy.copy` it to restrict the languages."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # Compiled here, not at import: the alignment package (which holds njit) imports this module's users.
    from triglot_server.engine.alignment.compiled import njit
    walk = njit(cache=True, nogil=True)(_walk)

    class Identifier(LanguageIdentifier):
        __slots__ = ("_tables",)

        def set_languages(self, langs: Any = None) -> None:
            super().set_languages(langs)
            # Row-major: a text's features are rows gathered from this table (a column subset of the model's
            # column-major one would gather each row from a column per language, 5x slower; the same floats).
            self.nb_ptc = np.ascontiguousarray(self.nb_ptc)

        def _raw_score(self, text: bytes) -> Any:
            nextmove, rowbase, output = self._tables
            counts = np.zeros(len(self.nb_ptc), np.int64)
            order = walk(nextmove, rowbase, output, np.frombuffer(text, np.uint8), counts)
            if not len(order):
                return super()._raw_score(b"")  # no feature: py3langid's own answer for that case
            # py3langid's _sparse_score over its Counter, which lists the features in first-visit order as here.
            return np.log1p(counts[order].astype(np.float32)) @ self.nb_ptc[order] + self.nb_pc

    identifier = Identifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier._tables = (np.frombuffer(identifier.tk_nextmove, np.uint32), np.asarray(identifier._rowbase, np.int64),
                          np.asarray(identifier.tk_output, np.int32))
    return identifier

