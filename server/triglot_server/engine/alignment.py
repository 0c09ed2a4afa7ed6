"""Sentence alignment: evidence, bead scores and the coarse-to-fine driver around the DP search in `dp`.

Evidence (each usable alone, combined as a sum of log-likelihood-style terms):
- length: Gale–Church style; the character-length ratio and its variance are estimated from the two documents;
- lexicon: cosine of idf-weighted `lexicon.sentence_keys` sets (language-neutral keys, so zh/en/ar compare directly);
- translation: cosine of idf-weighted tokens of a given translation against the other side (Chinese by characters,
  with character bigrams at a lower weight).
The channels' weights come from Fisher's discriminant of true vs. near-miss 1-1 pairs, estimated jointly, so channels
that see the same content (glosses and a translation) do not count it twice. A bead of a + b sentences gets (a + b) / 2
times the similarity evidence of a 1-1 pair: evidence per sentence, so cutting a passage into more beads does not
collect more of it. Merged sentences (a 2-1 bead) are compared through the sum of their vectors, mixed with per-member
cosines (see MERGE_MIX); every similarity is a sum of sentence-pair dot products, computed once per band cell from
posting lists (no dense matrices).

Search (vecalign-style): the documents are shrunk by merging blocks of 4^k sentences until the grid is small, aligned
there in full, and each finer level searches only a band around the coarser path. Parameters (length variance,
similarity of true vs. near-miss pairs, bead-type frequencies) are re-estimated from each level's own alignment, so
nothing is tuned to one language pair or one text.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import AbstractSet, Callable

import numpy as np

from triglot_server.engine import dp
from triglot_server.engine.anchors import AR_MARKS
from triglot_server.engine.languages import normalize_language
from triglot_server.engine.lexicon import sentence_keys as _sentence_keys
from triglot_server.engine.types import Alignment, Bead, Cancelled, EngineError, InvalidInput

VERSION = "v2"  # v2: joint channel weights, per-sentence evidence, beads up to 1-4/4-1 and 2-3/3-2
TYPES = dp.BEAD_TYPES  # 1-1, 1-0, 1-2, 2-1, 2-2, 1-3, 3-1, 2-3, 3-2, 1-4, 4-1; 0-1 is separate
_ALL_TYPES = TYPES + ((0, 1),)
# Starting bead-type probabilities (Gale & Church's, with room for larger merges); re-estimated from each document
# pair. Omissions/additions start rare and are never made cheaper by re-estimation (see _reestimate).
_PRIOR = {(1, 1): 0.79, (1, 0): 0.002, (0, 1): 0.002, (1, 2): 0.07, (2, 1): 0.07, (2, 2): 0.02,
          (1, 3): 0.015, (3, 1): 0.015, (2, 3): 0.003, (3, 2): 0.003, (1, 4): 0.002, (4, 1): 0.002}
# A readout's version adds or drops a sentence mostly at its ends (a news agency's lead, a dateline, a closing line):
# the first and last sentence of each side are this much likelier to have no counterpart than one inside.
EDGE_GAP = 0.03
_PRIOR_WEIGHT = 200.0  # pseudo-count weight of _PRIOR when re-estimating from a path
FULL_CELLS = 250_000  # grids up to this size are searched in full
MAX_BAND_CELLS = 12_000_000  # memory bound of one banded search
MARGIN = 3  # band margin (in sentences of the level) around the coarser path
# A merged bead's similarity mixes the cosine of the merged texts with per-member cosines (each sentence of the bead
# against the other side's merged text): for dictionary keys the weakest member's (so a long sentence cannot carry an
# unrelated short neighbour: glosses are sparse, any real member should show some), for a translation the members'
# mean (a translation sees most content, so each member's fit is measured well and weighed by its share).
MERGE_MIX = 0.5  # lexicon channel: weight of the weakest member's cosine
TRANS_MERGE_MIX = 0.7  # translation channels: weight of the members' mean cosine
BIGRAM_WEIGHT = 0.25  # Chinese translation evidence: character bigrams count this much next to single characters
FACTOR = 4  # block size ratio between levels
# Bead confidence: posterior over the band's alignments weighted exp(-cost / TEMPERATURE). The costs are already
# log-likelihood ratios, so 1; 1.3 and 1.6 measured no better calibrated on Bible 001-003.
TEMPERATURE = 1.0
# Length variance before any estimate (per target-unit character): var = VAR0 * sqrt(ratio) held within 20 % for both
# directions of Bible zh-en (1.2 en->zh, 6.0 zh->en); a short document's own estimate is shrunk towards it.
VAR0 = 2.7
VAR_PSEUDO_BEADS = 10


def _prior_var(ratio: float) -> float:
    return VAR0 * math.sqrt(ratio)


# ---------------------------------------------------------------- sparse sentence vectors

@dataclass
class _Vectors:
    """Idf-weighted bag of keys for each of `n` sentences: entries (sentence id, key id, weight)."""

    n: int
    sid: np.ndarray
    kid: np.ndarray
    w: np.ndarray

    def downsample(self, f: int) -> "_Vectors":
        k = int(self.kid.max(initial=0)) + 1
        code = (self.sid // f) * k + self.kid
        uniq, inv = np.unique(code, return_inverse=True)
        w = np.bincount(inv, weights=self.w, minlength=len(uniq))
        return _Vectors(-(-self.n // f), uniq // k, uniq % k, w)

    def span_norms(self, reach: int = 3) -> tuple[np.ndarray, list[np.ndarray]]:
        """Squared norm of each sentence, and its dot products with the sentences 1..reach after it (merged beads)."""
        norm = np.bincount(self.sid, weights=self.w * self.w, minlength=self.n)
        k = int(self.kid.max(initial=0)) + 1
        code = self.sid * k + self.kid
        order = np.argsort(code)
        code, w, sid = code[order], self.w[order], self.sid[order]
        out = []
        for d in range(1, reach + 1):
            shifted = code + d * k  # key of sentence s shows up as sentence s + d
            pos = np.searchsorted(code, shifted)
            pos = np.minimum(pos, len(code) - 1)
            hit = (code[pos] == shifted) if len(code) else np.zeros(0, bool)
            out.append(np.bincount(sid[hit], weights=w[hit] * w[pos[hit]], minlength=self.n))
        return norm, out


def _vectors_pair(src_bags: list, tgt_bags: list, bigram_weight: float = 1.0) -> tuple[_Vectors, _Vectors]:
    """Vectors for both sides with idf over the sentences of both documents (frequent keys carry little).
    Chinese character bigrams get `bigram_weight` times their idf: single characters already see the shared
    words, and bigrams of a machine translation often differ from the reference's wording."""
    vocab: dict[str, int] = {}
    parts = []
    for bags in (src_bags, tgt_bags):
        sid, kid = [], []
        for i, bag in enumerate(bags):
            for key in bag:
                kid.append(vocab.setdefault(key, len(vocab)))
                sid.append(i)
        parts.append((np.asarray(sid, dtype=np.int64), np.asarray(kid, dtype=np.int64)))
    df = np.bincount(np.concatenate([parts[0][1], parts[1][1]]), minlength=len(vocab)).astype(float)
    idf = np.log((len(src_bags) + len(tgt_bags) + 1) / np.maximum(df, 1.0))
    if bigram_weight != 1.0:
        for key, k in vocab.items():
            if len(key) == 2 and _CJK.match(key):
                idf[k] *= bigram_weight
    return tuple(_Vectors(len(bags), s, k, idf[k]) for bags, (s, k) in zip((src_bags, tgt_bags), parts))


def _band_dots(x: _Vectors, y: _Vectors, band: dp.Band, max_pairs: int = 40_000_000) -> np.ndarray:
    """S[i, c] = x_{i-1} . y_{j-1} with j = band.lo[i] + c (zero outside the documents), from posting lists.

    When the band pairs too many postings (a key in most sentences), the most frequent keys are left out: they carry
    the least idf weight and cost the most time.
    """
    rows, width = band.rows, band.width
    out = np.zeros(rows * width)
    if len(x.sid) == 0 or len(y.sid) == 0:
        return out.reshape(rows, width)
    m1 = y.n + 1
    tcode = y.kid * m1 + y.sid
    order = np.argsort(tcode)
    tcode, tw, tq = tcode[order], y.w[order], y.sid[order]
    lo_q = band.lo[x.sid + 1] - 1  # first target sentence in the band of source sentence p's row
    start = np.searchsorted(tcode, x.kid * m1 + lo_q)
    end = np.searchsorted(tcode, x.kid * m1 + np.minimum(lo_q + width, m1))
    count = end - start
    total = int(count.sum())
    keep = np.ones(len(count), dtype=bool)
    if total > max_pairs:
        per_key = np.bincount(x.kid, weights=count)
        heavy = np.argsort(-per_key)
        excess = np.cumsum(per_key[heavy]) - (per_key.sum() - max_pairs)
        drop = heavy[: int(np.searchsorted(excess, 0.0)) + 1]
        keep = ~np.isin(x.kid, drop)
    idx = np.nonzero(keep & (count > 0))[0]
    chunk = 2_000_000
    lo_pos = 0
    cum = np.cumsum(count[idx])
    while lo_pos < len(idx):
        # Take entries until about `chunk` pairs, so memory stays bounded.
        base = cum[lo_pos - 1] if lo_pos else 0
        hi_pos = max(lo_pos + 1, int(np.searchsorted(cum, base + chunk, side="right")))
        sel = idx[lo_pos:hi_pos]
        cnt = count[sel]
        rep = np.repeat(np.arange(len(sel)), cnt)
        first = np.repeat(np.cumsum(cnt) - cnt, cnt)
        tpos = np.repeat(start[sel], cnt) + (np.arange(len(rep)) - first)
        p = x.sid[sel][rep]
        cell = (p + 1) * width + (tq[tpos] + 1 - band.lo[p + 1])
        out += np.bincount(cell, weights=x.w[sel][rep] * tw[tpos], minlength=rows * width)
        lo_pos = hi_pos
    return out.reshape(rows, width)


# ---------------------------------------------------------------- tokens for translation evidence

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+")
_AR_LETTERS = str.maketrans("أإآىة", "ااايه")
_AR_PREFIX = re.compile("^(?:و|ف)?(?:ب|ل|ك)?(?:ال)?")


def translation_tokens(text: str, language: str) -> set[str]:
    """Tokens for comparing a translation with a sentence of the same language.

    Chinese: characters and character bigrams (no word segmentation needed; tokenised input is joined back).
    English/Arabic: words cut to their first five letters, a crude stemmer that needs no data (Arabic after
    normalising alef/ya/ta marbuta and dropping conjunction, preposition and article prefixes).
    """
    text = unicodedata.normalize("NFKC", text).lower()
    tokens: set[str] = set()
    if language == "zh":
        han = "".join(_CJK.findall(text))
        tokens.update(han)
        tokens.update(han[k:k + 2] for k in range(len(han) - 1))
        for word in _WORD.findall(_CJK.sub(" ", text)):
            tokens.add(word[:5])
        return tokens
    if language == "ar":
        text = AR_MARKS.sub("", text).translate(_AR_LETTERS)
    for word in _WORD.findall(text):
        if language == "ar":
            stripped = _AR_PREFIX.sub("", word)
            word = stripped if len(stripped) >= 2 else word
        tokens.add(word[:5])
    return tokens


# ---------------------------------------------------------------- evidence for one level of the pyramid

@dataclass
class _Channel:
    name: str
    x: _Vectors
    y: _Vectors
    merge_mix: float = 0.0  # weight of the per-member cosines in a merged bead's similarity
    weakest: bool = True  # per-member cosines combined by their minimum (else by their mean)


@dataclass
class _Params:
    ratio: float  # target chars per source char
    var: float  # variance of the length difference per target-unit char
    prior: dict = field(default_factory=lambda: dict(_PRIOR))
    length_weight: float = 1.0
    mean_x: float = 1.0  # mean source sentence length: an omission costs -log p(1-0) per mean-length sentence
    mean_y: float = 1.0
    # Per channel: log-likelihood gain per unit of cosine, and the cosine at which a pair is as likely true as not.
    weight: tuple = ()
    threshold: tuple = ()


@dataclass
class _Level:
    n: int
    m: int
    lx: np.ndarray  # chars per source unit
    ly: np.ndarray
    channels: list[_Channel]
    factor: int = 1  # sentences per unit at this level

    def downsample(self, f: int) -> "_Level":
        def blocks(v: np.ndarray) -> np.ndarray:
            return np.add.reduceat(v, np.arange(0, len(v), f)) if len(v) else v

        chans = [replace(c, x=c.x.downsample(f), y=c.y.downsample(f)) for c in self.channels]
        return _Level(-(-self.n // f), -(-self.m // f), blocks(self.lx), blocks(self.ly), chans, self.factor * f)


def _prefix(v: np.ndarray) -> np.ndarray:
    """Prefix sums with a leading 0: _prefix(v)[i] is the sum of the first i values (index i = DP index i)."""
    return np.concatenate([[0.0], np.cumsum(v)])


def _span(cum: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """Sum of k consecutive units ending before DP index idx (prefix sums `cum`, cum[0] = 0)."""
    return cum[idx] - cum[np.maximum(idx - k, 0)]


def _shift_rows(a: np.ndarray, band: dp.Band, da: int, db: int) -> np.ndarray:
    """out[i, c] = a[i - da, column (j - db)] where j = lo[i] + c, zero outside the band."""
    rows, width = a.shape
    if da == 0 and db == 0:
        return a
    prev = np.arange(rows) - da
    shift = band.lo - band.lo[np.maximum(prev, 0)] - db
    col = np.arange(width)[None, :] + shift[:, None]
    ok = (col >= 0) & (col < width) & (prev >= 0)[:, None]
    out = a[np.maximum(prev, 0)[:, None], np.clip(col, 0, width - 1)]
    out[~ok] = 0.0
    return out


@dataclass
class _Features:
    """Parameter-free evidence of every bead type at every band cell of one level (computed once per band)."""

    lx: dict  # (a, b) -> source length of the bead, shape (rows, 1)
    ly: dict  # (a, b) -> target length, shape (rows, width)
    cos: dict  # (a, b) -> list (per channel) of cosines, shape (rows, width)
    skip_x: np.ndarray  # length of the source sentence a 1-0 bead omits, (rows,)
    skip_y: np.ndarray  # length of the target sentence a 0-1 bead adds, (rows, width)
    columns: np.ndarray  # j of every band cell, (rows, width)
    m: int


@dataclass
class _Scored:
    costs: np.ndarray  # (rows, types, width)
    add_cost: np.ndarray  # (rows, width)
    features: _Features


def _features(level: _Level, band: dp.Band) -> _Features:
    m = level.m
    i = np.arange(band.rows)
    j = np.clip(band.columns(), 0, m)
    cx, cy = _prefix(level.lx), _prefix(level.ly)
    match = [t for t in TYPES if t[0] and t[1]]
    max_a, max_b = max(a for a, _ in match), max(b for _, b in match)
    cos: dict = {t: [] for t in match}
    for ch in level.channels:
        s = _band_dots(ch.x, ch.y, band)
        # rowsum[b][i, c]: dot of source sentence i-1 with the b target sentences ending before j (same row);
        # colsum[a]: dot of the a source sentences ending before i with target sentence j-1.
        rowsum = {1: s}
        for b in range(2, max_b + 1):
            rowsum[b] = rowsum[b - 1] + _shift_rows(s, band, 0, b - 1)
        colsum = {1: s}
        for a in range(2, max_a + 1):
            colsum[a] = colsum[a - 1] + _shift_rows(s, band, a - 1, 0)
        xn, yn = ch.x.span_norms(max_a - 1), ch.y.span_norms(max_b - 1)
        nx = _merged_norms(xn, i, range(1, max_a + 1))
        ny = _merged_norms(yn, j, range(1, max_b + 1))
        cx1, cy1 = _prefix(xn[0]), _prefix(yn[0])  # single-sentence squared norms
        mix = ch.merge_mix
        for a, b in match:
            dot = rowsum[b]
            for da in range(1, a):
                dot = dot + _shift_rows(rowsum[b], band, da, 0)
            sim = _cosine(dot, nx[a][:, None], ny[b])
            if (a > 1 or b > 1) and mix > 0:
                # Every sentence of a merged bead must be explained by the other side: the weakest one's cosine
                # with the other side's merged text (a long sentence cannot carry an unrelated short neighbour).
                # (The row shifts are recomputed, not shared with the sum above: one loop doing both measured
                # about 90 MiB more peak memory on Bible 006 for no gain in time.)
                parts = [_cosine(_shift_rows(rowsum[b], band, da, 0),
                                 _span(cx1, np.maximum(i - da, 0), 1)[:, None], ny[b]) for da in range(a) if a > 1]
                parts += [_cosine(_shift_rows(colsum[a], band, 0, db), nx[a][:, None],
                                  _span(cy1, np.maximum(j - db, 0), 1)) for db in range(b) if b > 1]
                if ch.weakest:
                    sim = (1 - mix) * sim + mix * np.minimum.reduce(parts)
                else:
                    # A side with one sentence is one member whose cosine is the merged one.
                    parts += [sim] * ((a == 1) + (b == 1))
                    sim = (1 - mix) * sim + mix * (sum(parts) / len(parts))
            cos[(a, b)].append(sim.astype(np.float32))
    ly = {b: _span(cy, j, b) for b in {t[1] for t in match}}  # shared by the types with b target sentences
    return _Features(lx={t: _span(cx, i, t[0])[:, None] for t in match},
                     ly={t: ly[t[1]] for t in match},
                     cos=cos, skip_x=_span(cx, i, 1), skip_y=_span(cy, j, 1), columns=band.columns(), m=m)


def _cosine(dot: np.ndarray, nx: np.ndarray, ny: np.ndarray) -> np.ndarray:
    """dot / sqrt(nx * ny) from squared norms (broadcast to dot's (rows, width)); 0 where a side is empty."""
    denom = np.sqrt(nx * ny)
    return np.divide(dot, denom, out=np.zeros_like(dot), where=denom > 0)


def _score(feat: _Features, params: _Params, factor: int) -> _Scored:
    rows, width = feat.skip_y.shape
    costs = np.empty((rows, len(TYPES), width), dtype=np.float64)
    prior = _level_prior(params, factor)
    for t, (a, b) in enumerate(TYPES):
        if (a, b) == (1, 0):
            # Omitting a long passage costs more than omitting a short one (and a block more than a sentence).
            costs[:, t, :] = (prior[(1, 0)] * np.maximum(feat.skip_x / params.mean_x, 1.0))[:, None]
            continue
        cost = costs[:, t, :]
        lx, ly = feat.lx[(a, b)], feat.ly[(a, b)]
        scale = params.ratio * lx + ly
        cost[...] = (ly - params.ratio * lx) ** 2 / (params.var * np.maximum(scale, 1.0))  # (delta^2) / 2
        cost *= params.length_weight
        cost += prior[(a, b)]
        for k, cos in enumerate(feat.cos[(a, b)]):
            # Evidence per sentence: a bead of a + b sentences weighs (a + b) / 2 times a 1-1 pair, so how a passage
            # is cut into beads does not change how much similarity evidence it gets.
            cost -= (a + b) / 2 * params.weight[k] * (cos - params.threshold[k])
    add_cost = prior[(0, 1)] * np.maximum(feat.skip_y / params.mean_y, 1.0)
    if factor == 1:
        _edge_gaps(costs, add_cost, feat, prior)
    return _Scored(costs, add_cost, feat)


def _edge_gaps(costs: np.ndarray, add_cost: np.ndarray, feat: _Features, prior: dict) -> None:
    """Cheaper omission/addition of a document's first or last sentence (EDGE_GAP instead of the inner prior),
    never cheaper than a 1-1 bead. (Where a per-sentence analysis recognises a dateline or a news lead, its
    sentences would get the same treatment through these two arrays.)"""
    gain = max(math.log(EDGE_GAP) + prior[(0, 1)], 0.0), max(math.log(EDGE_GAP) + prior[(1, 0)], 0.0)
    floor = prior[(1, 1)]
    skip = costs[:, TYPES.index((1, 0)), :]
    rows = costs.shape[0]
    for r in {1, rows - 1}:  # 1-0 beads ending at row r omit source sentence r - 1
        skip[r] = np.maximum(skip[r] - gain[1], floor)
    edge = (feat.columns == 1) | (feat.columns == feat.m)  # 0-1 beads ending at column j add target sentence j - 1
    add_cost[edge] = np.maximum(add_cost[edge] - gain[0], floor)


def _level_prior(params: _Params, factor: int) -> dict:
    """Bead costs (-log probability). On coarse levels, blocks are cut arbitrarily, so every shape of merged block
    is about as likely; only omissions keep their per-sentence cost (scaled by length in `_score`)."""
    cost = {t: -math.log(p) for t, p in params.prior.items()}
    if factor > 1:
        for t in TYPES:
            if t[0] and t[1]:
                cost[t] = 0.5 * (t[0] + t[1] - 2)
    return cost


def _merged_norms(norms: tuple, idx: np.ndarray, sizes) -> dict[int, np.ndarray]:
    """Squared norm of the sum of the k sentences ending before DP index idx, for each k in sizes."""
    c = _prefix(norms[0])
    cd = [_prefix(v) for v in norms[1]]
    out = {}
    for k in sizes:
        # |sum|^2 = sum of squared norms + twice the dot products of every pair at distance d < k.
        total = _span(c, idx, k)
        for d in range(1, k):
            total = total + 2 * _span(cd[d - 1], np.maximum(idx - d, 0), k - d) * (idx >= k)
        out[k] = total
    return out


# ---------------------------------------------------------------- estimation from an alignment

def _beads_of(path: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    return [(i0, j0, i1 - i0, j1 - j0) for (i0, j0), (i1, j1) in zip(path, path[1:])]


def _reestimate(level: _Level, band: dp.Band, scored: _Scored, path, params: _Params) -> _Params:
    beads = _beads_of(path)
    counts = {t: 0.0 for t in _ALL_TYPES}
    for _, _, a, b in beads:
        if (a, b) in counts:
            counts[(a, b)] += 1
    total = sum(counts.values()) + _PRIOR_WEIGHT
    prior = {t: (counts[t] + _PRIOR_WEIGHT * _PRIOR[t]) / total for t in _ALL_TYPES}
    for t in ((1, 0), (0, 1)):  # omissions found by a first pass are often its mistakes: never make them cheaper
        prior[t] = min(prior[t], _PRIOR[t])
    var = params.var
    match = np.array([(i0, j0, a, b) for i0, j0, a, b in beads if a and b], dtype=np.int64).reshape(-1, 4)
    if len(match) >= 5:
        cx, cy = _prefix(level.lx), _prefix(level.ly)
        lx = cx[match[:, 0] + match[:, 2]] - cx[match[:, 0]]
        ly = cy[match[:, 1] + match[:, 3]] - cy[match[:, 1]]
        d2 = (ly - params.ratio * lx) ** 2 / np.maximum((params.ratio * lx + ly) / 2, 1.0)
        # The median of chi-square(1) is 0.455: robust to a few wrong beads. The floor keeps near-identical
        # documents from making every length difference infinitely unlikely.
        # With a dozen beads (a short readout) the median is noisy: shrink it towards the prior variance with a
        # pseudo-count, so one near-exact pair cannot make every other length difference look impossible.
        found = float(np.median(d2) / 0.455)
        var = (VAR_PSEUDO_BEADS * _prior_var(params.ratio) + len(match) * found) / (VAR_PSEUDO_BEADS + len(match))
        var = max(var, 0.5 * min(params.ratio, 1.0))
    ones = np.array([(i0 + 1, j0 + 1) for i0, j0, a, b in beads if a == 1 and b == 1], dtype=np.int64)
    weight, threshold = params.weight, params.threshold
    if len(ones) >= 10 and level.channels:
        r, c = ones[:, 0], ones[:, 1] - band.lo[ones[:, 0]]
        # Near misses: 1-1 cells in the same rows, at least 2 columns off the path.
        off = np.abs(np.arange(band.width)[None, :] - c[:, None]) >= 2
        columns = band.columns()[r]
        valid = off & (columns <= level.m) & (columns >= 1)
        if valid.sum() >= 10:
            pos = np.stack([cos[r, c] for cos in scored.features.cos[(1, 1)]], axis=1)
            neg = np.stack([cos[r][valid] for cos in scored.features.cos[(1, 1)]], axis=1)
            weight, threshold = _discriminant(pos, neg, params)
    return replace(params, var=var, prior=prior, weight=tuple(weight), threshold=tuple(threshold))


def _discriminant(pos: np.ndarray, neg: np.ndarray, fallback: _Params) -> tuple[tuple, tuple]:
    """Per-channel log-likelihood weights of true vs near-miss pairs (Gaussian, shared covariance: Fisher's
    discriminant). The channels are estimated jointly, so two channels that measure the same thing (dictionary
    glosses and a translation both see shared content) do not count that evidence twice."""
    mu1, mu0 = pos.mean(axis=0), neg.mean(axis=0)
    k = pos.shape[1]
    cov = sum(np.cov(v, rowvar=False, bias=True).reshape(k, k) for v in (pos, neg)) / 2 + 1e-4 * np.eye(k)
    useful = mu1 > mu0  # a channel that does not separate keeps its fallback rather than getting a negative weight
    weight = np.asarray(fallback.weight, dtype=float).copy()
    if useful.any():
        sub = np.ix_(useful, useful)
        weight[useful] = np.linalg.solve(cov[sub], (mu1 - mu0)[useful])
    weight = np.clip(weight, 0.0, 200.0)
    threshold = np.where(useful, (mu1 + mu0) / 2, np.asarray(fallback.threshold))
    return tuple(float(w) for w in weight), tuple(float(t) for t in threshold)


# ---------------------------------------------------------------- driver

def _initial_similarity(feat: _Features, band: dp.Band, m: int, params: _Params) -> _Params:
    """Starting similarity calibration read off the band itself: the best 1-1 cell of a row stands for a true pair,
    the row's median for a near miss (the band is narrow, so most of its cells are near misses)."""
    inside = (band.columns() >= 1) & (band.columns() <= m)
    ok = inside.any(axis=1)
    best, mid = [], []
    for cos in feat.cos[(1, 1)]:
        c = np.where(inside, cos, np.nan)[ok]
        # The row's best cell per channel (taken at the combined best would need weights we do not have yet).
        best.append(np.nanmax(c, axis=1))
        mid.append(np.nanmedian(c, axis=1))
    # A channel that does not separate here starts with no weight.
    weight, threshold = _discriminant(np.stack(best, axis=1), np.stack(mid, axis=1),
                                      replace(params, weight=(0.0,) * len(best)))
    return replace(params, weight=weight, threshold=threshold)


Check = Callable[[], None]  # raises Cancelled when the caller asked to stop


def _search(level: _Level, band: dp.Band, params: _Params, rounds: int,
            check: Check) -> tuple[list, _Scored, _Params]:
    check()
    feat = _features(level, band)
    if level.channels:
        params = _initial_similarity(feat, band, level.m, params)
    for r in range(rounds):
        scored = _score(feat, params, level.factor)
        check()
        path, _ = dp.search(scored.costs, scored.add_cost, band, level.n, level.m)
        if r + 1 < rounds:
            params = _reestimate(level, band, scored, path, params)
            scored = None  # free this round's costs before the next round builds its own
    return path, scored, params


def _align_ids(level: _Level, params: _Params, check: Check) -> tuple[list, _Scored, dp.Band, _Params]:
    if not level.channels and level.n * level.m > FULL_CELLS:
        return _align_by_length(level, params, check)
    pyramid = [level]
    while pyramid[-1].n * pyramid[-1].m > FULL_CELLS and min(pyramid[-1].n, pyramid[-1].m) > 8:
        pyramid.append(pyramid[-1].downsample(FACTOR))
    top = pyramid[-1]
    band = dp.full_band(top.n, top.m)
    # Each level estimates its own parameters: blocks cut at arbitrary sentence boundaries have noisier lengths
    # and higher similarities than sentences, so a coarse level's estimates would mislead a finer one.
    path, scored, found = _search(top, band, params, 2, check)
    for lv in reversed(pyramid[:-1]):
        band = dp.band_around_path(path, FACTOR, lv.n, lv.m, MARGIN, MAX_BAND_CELLS)
        path, scored, found = _search(lv, band, params, 2, check)
    return path, scored, band, found


def _align_by_length(level: _Level, params: _Params, check: Check) -> tuple[list, _Scored, dp.Band, _Params]:
    """Length only: block lengths average out, so a coarse level carries no signal. Search instead a band around
    the line where cumulative lengths agree, and widen it (re-centred on the path) while the path touches its edge."""
    n, m = level.n, level.m
    cx = np.cumsum(level.lx) / level.lx.sum()
    cy = np.concatenate([[0.0], np.cumsum(level.ly) / level.ly.sum()])
    centre = np.concatenate([[0], np.searchsorted(cy, cx)]).astype(np.int64)
    path = [(i, int(c)) for i, c in enumerate(centre)]
    path[-1] = (n, m)
    half = 32
    while True:
        band = dp.band_around_path(path, 1, n, m, half, MAX_BAND_CELLS)
        path, scored, params = _search(level, band, params, 2, check)
        cells = np.array(path)
        col = cells[:, 1] - band.lo[cells[:, 0]]
        at_edge = ((col < 2) & (band.lo[cells[:, 0]] > 0)) | \
                  ((col > band.width - 3) & (band.lo[cells[:, 0]] + band.width - 1 < m))
        if not at_edge.any() or band.width * (n + 1) * 2 > MAX_BAND_CELLS:
            return path, scored, band, params
        half *= 2


def align(source: list[str], target: list[str], source_language: str, target_language: str, *,
          source_translations: list[str] | None = None, target_translations: list[str] | None = None,
          use_lexicon: bool = True, use_length: bool = True,
          source_keys: list[AbstractSet[str]] | None = None, target_keys: list[AbstractSet[str]] | None = None,
          should_stop: Callable[[], bool] | None = None) -> Alignment:
    """Align two documents given as sentence lists; beads cover every sentence of both sides once, in order.

    `source_keys` / `target_keys`, when given, are each sentence's lexicon keys already computed by the caller (what
    `lexicon.sentence_keys` returns), so a comparison analyses a sentence once for the aligner and its findings.
    `should_stop` is asked between passes (evidence, pyramid levels, search rounds); when it returns True the
    alignment stops with Cancelled.
    """

    def check() -> None:
        if should_stop is not None and should_stop():
            raise Cancelled("alignment cancelled by the caller")

    src_lang, tgt_lang = normalize_language(source_language), normalize_language(target_language)
    for name, given, side in (("source_translations", source_translations, source),
                              ("target_translations", target_translations, target),
                              ("source_keys", source_keys, source), ("target_keys", target_keys, target)):
        if given is not None and len(given) != len(side):
            raise InvalidInput(f"{name} has {len(given)} items but there are {len(side)} "
                               f"{name.split('_')[0]} sentences: give one per sentence")
    n, m = len(source), len(target)
    evidence = []
    channels: list[_Channel] = []
    if use_length:
        evidence.append("length")
    if use_lexicon and n and m:
        evidence.append("lexicon")
        x, y = _vectors_pair(source_keys if source_keys is not None else _bags(source, src_lang, _sentence_keys, check),
                             target_keys if target_keys is not None else _bags(target, tgt_lang, _sentence_keys, check))
        channels.append(_Channel("lexicon", x, y, MERGE_MIX))
    if (source_translations is not None or target_translations is not None) and n and m:
        evidence.append("translation")
        if source_translations is not None:
            x, y = _vectors_pair(_bags(source_translations, tgt_lang, translation_tokens, check),
                                 _bags(target, tgt_lang, translation_tokens, check), BIGRAM_WEIGHT)
            channels.append(_Channel("translation", x, y, TRANS_MERGE_MIX, weakest=False))
        if target_translations is not None:
            x, y = _vectors_pair(_bags(source, src_lang, translation_tokens, check),
                                 _bags(target_translations, src_lang, translation_tokens, check), BIGRAM_WEIGHT)
            channels.append(_Channel("back-translation", x, y, TRANS_MERGE_MIX, weakest=False))
    signature = (f"triglot-align|{VERSION}|evidence={'+'.join(evidence) or 'none'}"
                 f"|beads=0-1,1-0,{','.join(f'{a}-{b}' for a, b in TYPES if a and b)}"
                 f"|levels=x{FACTOR}|margin={MARGIN}")
    if n == 0 or m == 0:
        beads = [Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)]
        return Alignment(beads, signature)

    lx = np.array([max(len(s.strip()), 1) for s in source], dtype=float)
    ly = np.array([max(len(s.strip()), 1) for s in target], dtype=float)
    ratio = float(ly.sum() / lx.sum())
    params = _Params(ratio=ratio, var=_prior_var(ratio), length_weight=1.0 if use_length else 0.0,
                     mean_x=float(lx.mean()), mean_y=float(ly.mean()),
                     weight=(8.0,) * len(channels), threshold=(0.15,) * len(channels))
    level = _Level(n, m, lx, ly, channels)
    path, scored, band, params = _align_ids(level, params, check)
    beads = _to_beads(path, scored, band, n, m)
    check_coverage(beads, n, m, f"{src_lang}-{tgt_lang}")
    return Alignment(beads, signature)


def check_coverage(beads: list[Bead], n: int, m: int, what: str) -> None:
    """Callers build on the aligner's promise — every sentence of both sides in exactly one bead, in order — so it
    is checked (cheap) rather than trusted; EngineError names the alignment `what` when it does not hold."""
    src = [i for b in beads for i in b.source_ids]
    tgt = [j for b in beads for j in b.target_ids]
    if src != list(range(n)) or tgt != list(range(m)):
        raise EngineError(f"the alignment {what} does not cover every sentence once and in order "
                          f"({len(src)} of {n} and {len(tgt)} of {m} sentences)")


def _bags(texts: list[str], language: str, keys: Callable[[str, str], AbstractSet[str]], check: Check,
          every: int = 4000) -> list[AbstractSet[str]]:
    """Evidence keys of each sentence, asking `check` every few thousand sentences (a long book takes seconds)."""
    out = []
    for start in range(0, len(texts), every):
        check()
        out.extend(keys(t, language) for t in texts[start:start + every])
    return out


def _to_beads(path, scored: _Scored, band: dp.Band, n: int, m: int) -> list[Bead]:
    """Beads of the path, each scored by its posterior probability among all alignments in the band."""
    post = dp.posteriors(scored.costs, scored.add_cost, band, n, m, path, TEMPERATURE)
    return [Bead(tuple(range(i0, i0 + a)), tuple(range(j0, j0 + b)), round(float(p), 4))
            for (i0, j0, a, b), p in zip(_beads_of(path), post)]
