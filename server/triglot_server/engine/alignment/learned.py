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

from typing import Callable

import numpy as np

from triglot_server.engine.alignment.channels import TRANS_MERGE_MIX, Channel, ChannelKind, Vectors, translation_tokens
from triglot_server.engine.alignment import keys
from triglot_server.engine.alignment.compiled import njit
from triglot_server.engine.lexicon import sentence_keys

MIN_BEADS = 300  # fewer training beads than this: no table (a readout has a dozen)
MAX_SENTENCES = 4  # beads up to this many sentences on a side train the table (bigger ones are rarely right)
MAX_TRAIN = 5000  # beads a table trains on at most
ITERATIONS = 5  # EM iterations of Model 1 (the table's top pairs are stable after 4-5)
MIN_PROB = 0.15  # t(f | e) at least this...
MIN_COUNT = 3.0  # ...and this many expected co-occurrences: one-off pairs are noise
MAX_SHARE = 0.2  # tokens in more sentences than this share are not learned (see Tokens)
CHUNK = 20  # cross-fitting folds alternate every CHUNK beads (neighbouring passages share their names)
# A merged bead mixes in its members' mean cosine, as the translation channels do (TRANS_MERGE_MIX): the table covers
# a sentence's words unevenly, so its weakest member (the lexicon channel's rule) would turn every thinly covered 1-2
# into a 1-1 and an addition (measured: 0-1 beads on Bible 001 went from 4 to 113, strict F1 0.896 -> 0.876).
_NULL = 0  # source token id 0 stands for "no source word" (Model 1's empty word takes the function words)


class Tokens:
    """Each sentence's tokens as ids (CSR: sentence s has ids[offsets[s]:offsets[s + 1]]), `size` ids in all.

    Tokens in more than MAX_SHARE of the sentences are left out: function words and the commonest characters carry
    almost no idf weight in the channel, and they are half the (source, target) co-occurrences the table would
    otherwise train on. Tokens seen once are left out too (they can never reach MIN_COUNT)."""

    def __init__(self, sentences: list[str], language: str, first_id: int = 0,
                 tokens: list[str] | None = None) -> None:
        """`tokens`: each sentence's `sentence_tokens` joined by spaces (`keys_and_tokens`), when the caller has
        them already."""
        flat: list[str] = []
        offsets = [0]
        for bag in ((t.split() for t in tokens) if tokens is not None else
                    (sentence_tokens(text, language) for text in sentences)):
            flat += bag
            offsets.append(len(flat))
        # Ids in order of first occurrence, assigned by C loops (dict.fromkeys, map): a book has a million tokens.
        vocab = {t: k for k, t in enumerate(dict.fromkeys(flat), first_id)}
        self.size = len(vocab) + first_id
        self.vocab = vocab  # token -> id
        all_ids = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
        df = np.bincount(all_ids, minlength=self.size)
        keep = (df[all_ids] <= MAX_SHARE * len(sentences)) & (df[all_ids] >= 2)
        self.ids = all_ids[keep]
        self.offsets = np.concatenate([[0], np.cumsum(keep)])[np.asarray(offsets, dtype=np.int64)]

    @property
    def n(self) -> int:
        return len(self.offsets) - 1

    def sentence_ids(self) -> np.ndarray:
        """The sentence of each entry of `ids`."""
        return np.repeat(np.arange(self.n), np.diff(self.offsets))

    def spans(self, start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Token ids of each span of sentences [start, start + count), concatenated, and each span's length."""
        lo, hi = self.offsets[start], self.offsets[start + count]
        lengths = hi - lo
        pos = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        return self.ids[pos], lengths


def sentence_tokens(text: str, language: str) -> set[str]:
    """The translation channel's tokens, but Chinese by characters alone: bigrams would multiply the table's pairs
    (and its cost) and add little to what characters learn."""
    return translation_tokens(text, language, bigrams=False)


def keys_and_tokens(text: str, language: str) -> tuple[frozenset[str], str]:
    """A sentence's lexicon keys and its tokens joined by spaces (no token has one): a worker sends one string
    faster than a set of strings, which takes longer to pickle and unpickle than to compute."""
    return sentence_keys(text, language), " ".join(sentence_tokens(text, language))


def keys_with_tokens(source: list[str], source_language: str, target: list[str], target_language: str,
                     check: Callable[[], None]) -> tuple[list[frozenset[str]], list[frozenset[str]], list[str], list[str]]:
    """Both documents' lexicon keys and their tokens (as `keys_and_tokens` joins them, for `Tokens`), read in one
    pass that the key worker shares (`keys.both_sides`): the tokens cost a third of the keys, on the same core."""
    src, tgt = keys.both_sides(source, source_language, target, target_language, check, keys_and_tokens)
    return [k for k, _ in src], [k for k, _ in tgt], [t for _, t in src], [t for _, t in tgt]


def _training_beads(beads: np.ndarray) -> np.ndarray | None:
    """The beads a table trains on (rows i0, j0, a, b), or None when there are too few to learn from."""
    b = beads[(beads[:, 2] >= 1) & (beads[:, 2] <= MAX_SENTENCES) & (beads[:, 3] >= 1) & (beads[:, 3] <= MAX_SENTENCES)]
    if len(b) < MIN_BEADS:
        return None
    if len(b) > MAX_TRAIN:  # evenly spread over the document: the table's cost stays bounded on a long book
        b = b[np.linspace(0, len(b) - 1, MAX_TRAIN).astype(np.int64)]
    return b


def _bead_tokens(src: Tokens, tgt: Tokens, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each bead's source ids (the empty word first) and target ids, concatenated, and their counts per bead."""
    e_ids, e_len = src.spans(b[:, 0], b[:, 2])
    f_ids, f_len = tgt.spans(b[:, 1], b[:, 3])
    # Every bead's source side gets the empty word, so its target tokens can be explained by nothing.
    return np.insert(e_ids, np.cumsum(e_len) - e_len, _NULL), e_len + 1, f_ids, f_len


def model1(src: Tokens, tgt: Tokens, beads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The table learned by Model 1 from `beads` (rows i0, j0, a, b): pairs (source token id, target token id), as
    two arrays sorted by source id; empty when there are too few beads to learn from. The compiled loops of
    `model1_reference` (the same floats: every sum is taken in the same order)."""
    none = np.zeros(0, dtype=np.int64)
    b = _training_beads(beads)
    if b is None:
        return none, none
    pe, pf, t, count = _model1_loops(*_bead_tokens(src, tgt, b), src.size, tgt.size, ITERATIONS)
    keep = (t >= MIN_PROB) & (count >= MIN_COUNT) & (pe != _NULL)
    return pe[keep], pf[keep]


def model1_reference(src: Tokens, tgt: Tokens, beads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`model1` in numpy alone."""
    none = np.zeros(0, dtype=np.int64)
    b = _training_beads(beads)
    if b is None:
        return none, none
    e_ids, e_len, f_ids, f_len = _bead_tokens(src, tgt, b)
    e_start = np.cumsum(e_len) - e_len
    f_start = np.cumsum(f_len) - f_len
    # All (e, f) entries of each bead: entry r of bead k pairs source token r // |F_k| with target token r % |F_k|.
    per = e_len * f_len
    bead = np.repeat(np.arange(len(b)), per)
    r = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
    fl = f_len[bead]
    f_pos = f_start[bead] + r % fl  # the target token's position: (bead, f) normalisation groups
    pair = e_ids[e_start[bead] + r // fl] * tgt.size + f_ids[f_pos]
    del r, bead, fl
    uniq, pid = np.unique(pair, return_inverse=True)
    del pair
    pe = uniq // tgt.size
    t = np.ones(len(uniq))
    count = t
    for _ in range(ITERATIONS):
        q = t[pid]
        denom = np.bincount(f_pos, weights=q, minlength=len(f_ids))
        count = np.bincount(pid, weights=q / denom[f_pos], minlength=len(uniq))
        t = count / np.bincount(pe, weights=count, minlength=src.size)[pe]
    keep = (t >= MIN_PROB) & (count >= MIN_COUNT) & (pe != _NULL)
    return pe[keep], uniq[keep] % tgt.size  # np.unique sorted the pairs, so by source id


@njit(cache=True, nogil=True)
def _model1_loops(e_ids, e_len, f_ids, f_len, src_size, tgt_size, iterations):  # pragma: no cover (compiled)
    """Model 1's (e, f) pairs, sorted, with t(f | e) and the expected counts of the last EM iteration. The pairs are
    numbered by a counting sort on e (then each e's distinct f sorted), not by sorting all entries; an entry is
    (bead, e, f) in that order, and each sum adds its terms in the order numpy's bincount would."""
    nb = len(e_len)
    e_start = np.zeros(nb + 1, np.int64)
    f_start = np.zeros(nb + 1, np.int64)
    n = 0
    widest = 1
    for k in range(nb):
        e_start[k + 1] = e_start[k] + e_len[k]
        f_start[k + 1] = f_start[k] + f_len[k]
        n += e_len[k] * f_len[k]
        widest = max(widest, f_len[k])
    per_e = np.zeros(src_size + 1, np.int64)
    for k in range(nb):
        for a in range(e_start[k], e_start[k + 1]):
            per_e[e_ids[a] + 1] += f_len[k]
    for e in range(src_size):
        per_e[e + 1] += per_e[e]
    fill = per_e[:-1].copy()
    by_e = np.empty(n, np.int32)  # entries grouped by e (in entry order within a group)...
    by_e_f = np.empty(n, np.int32)  # ...and their f
    r = 0
    for k in range(nb):
        for a in range(e_start[k], e_start[k + 1]):
            e = e_ids[a]
            for c in range(f_start[k], f_start[k + 1]):
                by_e[fill[e]] = r
                by_e_f[fill[e]] = f_ids[c]
                fill[e] += 1
                r += 1
    pid = np.empty(n, np.int32)  # each entry's pair
    pe = np.empty(n, np.int64)
    pf = np.empty(n, np.int64)
    slot = np.full(tgt_size, -1, np.int64)
    distinct = np.empty(tgt_size, np.int64)
    u = 0
    for e in range(src_size):
        m = 0
        for p in range(per_e[e], per_e[e + 1]):
            f = by_e_f[p]
            if slot[f] == -1:
                slot[f] = 0
                distinct[m] = f
                m += 1
        fs = np.sort(distinct[:m])
        for q in range(m):
            slot[fs[q]] = u + q
            pe[u + q] = e
            pf[u + q] = fs[q]
        for p in range(per_e[e], per_e[e + 1]):
            pid[by_e[p]] = slot[by_e_f[p]]
        for q in range(m):
            slot[fs[q]] = -1
        u += m
    pe, pf = pe[:u].copy(), pf[:u].copy()
    t = np.ones(u)
    count = np.ones(u)
    denom = np.empty(widest)
    total = np.empty(src_size)
    for _ in range(iterations):
        count[:] = 0.0
        r = 0
        for k in range(nb):
            fl = f_len[k]
            denom[:fl] = 0.0
            first = r
            for a in range(e_len[k]):
                for c in range(fl):
                    denom[c] += t[pid[r]]
                    r += 1
            r = first
            for a in range(e_len[k]):
                for c in range(fl):
                    count[pid[r]] += t[pid[r]] / denom[c]
                    r += 1
        total[:] = 0.0
        for x in range(u):
            total[pe[x]] += count[x]
        for x in range(u):
            t[x] = count[x] / total[pe[x]]
    return pe, pf, t, count


def warm_up() -> None:
    """Compile (or load from numba's cache) the table's loops, so a server's first long book does not."""
    one = np.ones(1, dtype=np.int64)
    _model1_loops(one * _NULL, one, one * 0, one, 1, 1, 1)


def learned_channel(src: Tokens, tgt: Tokens, beads: list[tuple[int, int, int, int]]) -> Channel | None:
    """The channel of tables learned from `beads`, or None when the documents are too short to learn them.

    Cross-fitted: the beads are cut into runs of CHUNK, alternately in two folds; each fold's sentences are mapped
    through the table learned on the other fold. A table learned on the very pairs it then scores would rate the
    first pass's own mistakes as good translations (and its weight, fitted on that pass, would be inflated)."""
    bead = np.asarray(beads, dtype=np.int64).reshape(-1, 4)
    fold_of_bead = (np.arange(len(bead)) // CHUNK) % 2
    tables = [model1(src, tgt, bead[fold_of_bead != fold]) for fold in (0, 1)]
    if any(len(e) == 0 for e, _ in tables):
        return None
    # The beads cover every sentence of both sides once and in order, so each sentence's fold is its bead's.
    src_fold, tgt_fold = np.repeat(fold_of_bead, bead[:, 2]), np.repeat(fold_of_bead, bead[:, 3])
    # Source side: each token occurrence expands to the target tokens its fold's table gives it (one table per fold,
    # stacked: fold k's source ids are offset by k * src.size). Target side: the tokens some table can predict.
    e = np.concatenate([e + k * src.size for k, (e, _) in enumerate(tables)])
    f = np.concatenate([f for _, f in tables])
    first = np.searchsorted(e, np.arange(2 * src.size + 1))
    occ = src.ids + src_fold[src.sentence_ids()] * src.size
    cnt = first[occ + 1] - first[occ]
    pos = np.repeat(first[occ] - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))
    src_sid, src_kid = _unique_entries(np.repeat(src.sentence_ids(), cnt), f[pos], tgt.size)
    image = np.zeros((2, tgt.size), dtype=bool)
    for k, (_, fk) in enumerate(tables):
        image[k, fk] = True
    tgt_sid_all = tgt.sentence_ids()
    hit = image[tgt_fold[tgt_sid_all], tgt.ids]
    tgt_sid, tgt_kid = _unique_entries(tgt_sid_all[hit], tgt.ids[hit], tgt.size)
    # idf over the sentences of both documents, as `vectors_pair` computes it.
    df = np.bincount(src_kid, minlength=tgt.size) + np.bincount(tgt_kid, minlength=tgt.size)
    idf = np.log((src.n + tgt.n + 1) / np.maximum(df, 1.0))
    x = Vectors(src.n, src_sid, src_kid, idf[src_kid])
    y = Vectors(tgt.n, tgt_sid, tgt_kid, idf[tgt_kid])
    return Channel(ChannelKind.LEARNED, x, y, TRANS_MERGE_MIX, weakest=False)


def _unique_entries(sid: np.ndarray, kid: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(sentence, key) entries without repeats (a bag is a set), sorted by sentence."""
    code = np.sort(sid * size + kid)  # (np.unique hashes unsorted input: several times slower here)
    code = code[np.concatenate([[True], code[1:] != code[:-1]])]
    return code // size, code % size
