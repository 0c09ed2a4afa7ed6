"""A word-translation table learned from the documents themselves (IBM Model 1 over a first alignment's beads, as
hunalign's realign pass and Bleualign's bootstrapping do), turned into one more evidence channel.

The dictionaries miss what a book is full of: its names (transliterated, so no gloss matches), its own recurring
vocabulary. A long document pair teaches them: after a first search, the beads it found are a parallel corpus; a few
EM iterations of Model 1 over their tokens give t(target token | source token), and pairs that are both likely and
seen often enough become a table. The channel maps each source sentence through the table to the target tokens it
predicts and compares them with the target sentence's own tokens (idf-weighted cosine, like every channel).

Conservative by construction: only documents long enough to learn from (a few hundred beads), only pairs with a high
translation probability and enough expected occurrences, so a short readout's alignment is never touched.
"""
from __future__ import annotations

import numpy as np

from triglot_server.engine.alignment.channels import Channel, translation_tokens, vectors_pair

MIN_BEADS = 300  # fewer training beads than this: no table (a readout has a dozen)
MAX_SENTENCES = 4  # beads up to this many sentences on a side train the table (bigger ones are rarely right)
ITERATIONS = 5  # EM iterations of Model 1 (the table's top pairs are stable after 4-5)
MIN_PROB = 0.15  # t(f | e) at least this...
MIN_COUNT = 3.0  # ...and this many expected co-occurrences: one-off pairs are noise
CHUNK = 20  # cross-fitting folds alternate every CHUNK beads (neighbouring passages share their names)
# A merged bead mixes in its members' mean cosine, as the translation channels do: the table covers a sentence's
# words unevenly, so its weakest member (the lexicon channel's rule) would turn every thinly covered 1-2 into a
# 1-1 and an addition (measured: 0-1 beads on Bible 001 went from 4 to 113, strict F1 0.896 -> 0.876).
MERGE_MIX = 0.7
_NULL = 0  # source token id 0 stands for "no source word" (Model 1's empty word takes the function words)


class Tokens:
    """Each sentence's tokens as ids (CSR: sentence s has ids[offsets[s]:offsets[s + 1]]) and the vocabulary."""

    def __init__(self, sentences: list[str], language: str, first_id: int = 0) -> None:
        vocab: dict[str, int] = {}
        ids, offsets = [], [0]
        for text in sentences:
            toks = translation_tokens(text, language)
            if language == "zh":  # characters only: bigrams would multiply the table and add little
                toks = {t for t in toks if len(t) == 1 or not _is_han(t)}
            ids.extend(vocab.setdefault(t, len(vocab) + first_id) for t in toks)
            offsets.append(len(ids))
        self.ids = np.asarray(ids, dtype=np.int64)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.size = len(vocab) + first_id

    def of(self, s: int) -> np.ndarray:
        return self.ids[self.offsets[s]:self.offsets[s + 1]]

    def spans(self, start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of each span of sentences [start, start + count), concatenated, and each span's length."""
        lo, hi = self.offsets[start], self.offsets[start + count]
        lengths = hi - lo
        pos = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        return self.ids[pos], lengths


def _is_han(token: str) -> bool:
    return "\u3400" <= token[0] <= "\u9fff"


def model1(src: Tokens, tgt: Tokens, beads: list[tuple[int, int, int, int]]) -> dict[int, np.ndarray]:
    """Source token id -> target token ids it translates to, from Model 1 trained on `beads` (i0, j0, a, b)."""
    b = np.array([t for t in beads if 1 <= t[2] <= MAX_SENTENCES and 1 <= t[3] <= MAX_SENTENCES],
                 dtype=np.int64).reshape(-1, 4)
    if len(b) < MIN_BEADS:
        return {}
    e_ids, e_len = src.spans(b[:, 0], b[:, 2])
    f_ids, f_len = tgt.spans(b[:, 1], b[:, 3])
    # Every bead's source side gets the empty word, so its target tokens can be explained by nothing.
    e_start = np.cumsum(e_len) - e_len
    e_ids = np.insert(e_ids, e_start, _NULL)
    e_len = e_len + 1
    e_start = np.cumsum(e_len) - e_len
    f_start = np.cumsum(f_len) - f_len
    # All (e, f) entries of each bead: entry r of bead k pairs source token r // |F_k| with target token r % |F_k|.
    per = e_len * f_len
    bead = np.repeat(np.arange(len(b)), per)
    r = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
    fl = f_len[bead]
    e = e_ids[e_start[bead] + r // fl]
    f_pos = f_start[bead] + r % fl  # the target token's position: (bead, f) normalisation groups
    f = f_ids[f_pos]
    pair = e * tgt.size + f
    uniq, pid = np.unique(pair, return_inverse=True)
    del pair, r, bead, fl
    pe = uniq // tgt.size
    t = np.ones(len(uniq))
    count = t
    for _ in range(ITERATIONS):
        q = t[pid]
        denom = np.bincount(f_pos, weights=q, minlength=len(f_ids))
        count = np.bincount(pid, weights=q / denom[f_pos], minlength=len(uniq))
        t = count / np.bincount(pe, weights=count, minlength=src.size)[pe]
    keep = (t >= MIN_PROB) & (count >= MIN_COUNT) & (pe != _NULL)
    table: dict[int, list[int]] = {}
    for src_id, tgt_id in zip(pe[keep].tolist(), (uniq[keep] % tgt.size).tolist()):
        table.setdefault(src_id, []).append(tgt_id)
    return {k: np.asarray(v, dtype=np.int64) for k, v in table.items()}


def learned_channel(src: Tokens, tgt: Tokens, beads: list[tuple[int, int, int, int]]) -> Channel | None:
    """The channel of tables learned from `beads`, or None when the documents are too short to learn them.

    Cross-fitted: the beads are cut into runs of CHUNK, alternately in two folds; each fold's sentences are mapped
    through the table learned on the other fold. A table learned on the very pairs it then scores would rate the
    first pass's own mistakes as good translations (and its weight, fitted on that pass, would be inflated)."""
    n, m = len(src.offsets) - 1, len(tgt.offsets) - 1
    fold_of_bead = (np.arange(len(beads)) // CHUNK) % 2
    tables = [model1(src, tgt, [t for t, k in zip(beads, fold_of_bead) if k != fold]) for fold in (0, 1)]
    if not all(tables):
        return None
    src_fold, tgt_fold = np.zeros(n, dtype=np.int64), np.zeros(m, dtype=np.int64)
    for (i0, j0, a, b), k in zip(beads, fold_of_bead):
        src_fold[i0:i0 + a] = k
        tgt_fold[j0:j0 + b] = k
    images = []
    for table in tables:
        image = np.zeros(tgt.size, dtype=bool)
        for v in table.values():
            image[v] = True
        images.append(image)
    empty = np.zeros(0, dtype=np.int64)
    src_bags = [set(np.concatenate([tables[src_fold[s]].get(e, empty) for e in src.of(s).tolist()]
                                   + [empty]).tolist()) for s in range(n)]
    tgt_bags = [set(ids[images[tgt_fold[s]][ids]].tolist()) for s, ids in ((s, tgt.of(s)) for s in range(m))]
    x, y = vectors_pair(src_bags, tgt_bags)
    return Channel("learned", x, y, MERGE_MIX, weakest=False)
