"""Bead costs (-log-likelihood-style) from features and parameters: length, bead-type prior, channel evidence."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from triglot_server.engine.alignment import cellcost
from triglot_server.engine.alignment.calibration import EDGE_GAP, Params
from triglot_server.engine.alignment.compiled import njit
from triglot_server.engine.alignment.features import TYPES, Features


@dataclass
class Scored:
    """A level's bead costs as the DP kernels read them (`cellcost`): the 1-0 and 0-1 costs as (rows, width)
    arrays, every other bead's cost computed where it is read from the features and the parameters."""
    lattice: tuple


# Length differences have a part that does not grow with the sentence: a version adds or drops a phrase (a title,
# an appositive, a place) whatever the sentence's length. Its variance is (PHRASE_SHARE x the mean target sentence)^2;
# without it, a short sentence whose version carries a title moved from its neighbour looks impossible as a 1-1 pair,
# and is merged with the neighbours to hide it.
PHRASE_SHARE = 0.2
# A sentence is a unit of content a version adds or drops whole: a long one is somewhat less likely to be dropped
# than a short one, not proportionally (the gap's cost grows with the square root of its length over the mean). On
# block levels it stays proportional: a block of k sentences is k gaps.
GAP_LENGTH_EXPONENT = 0.5


def score(feat: Features, params: Params, factor: int) -> Scored:
    """The costs of `score_reference` (the same floats), without its (rows, types, width) array."""
    prior = level_prior(params, factor)
    skip, add_cost = _gap_costs(feat, params, factor, prior)
    lat = cellcost.fused(TYPES, skip, add_cost, feat.lx, feat.ly, feat.cos, prior, params.weight, params.threshold,
                         (params.ratio, params.var, _phrase_variance(params, factor), params.length_weight))
    return Scored(lat)


def _phrase_variance(params: Params, factor: int) -> float:
    """The length variance that does not grow with the sentence (see PHRASE_SHARE); none between blocks."""
    return (PHRASE_SHARE * params.mean_y) ** 2 if factor == 1 else 0.0


def _gap_costs(feat: Features, params: Params, factor: int, prior: dict) -> tuple[np.ndarray, np.ndarray]:
    """Costs of 1-0 and of 0-1 beads at every band cell, (rows, width) each, with their neighbourhood adjustments."""
    gap_growth = GAP_LENGTH_EXPONENT if factor == 1 else 1.0
    # Omitting a long passage costs more than omitting a short one (and a block more than a sentence).
    skip = np.empty(feat.skip_y.shape)
    skip[...] = (prior[(1, 0)] * np.maximum(feat.skip_x / params.mean_x, 1.0) ** gap_growth)[:, None]
    add_cost = prior[(0, 1)] * np.maximum(feat.skip_y / params.mean_y, 1.0) ** gap_growth
    if factor == 1:
        if feat.cos[(1, 1)]:
            isolated_gaps(skip, add_cost, feat, params)
        edge_gaps(skip, add_cost, feat, prior)
    return skip, add_cost


def score_reference(feat: Features, params: Params, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """The costs as numpy arrays: costs[i, t, c] of bead type TYPES[t] ending at band cell (i, c), and the 0-1 costs
    (the original of `score`, kept to check its kernel against)."""
    rows, width = feat.skip_y.shape
    costs = np.empty((rows, len(TYPES), width), dtype=np.float64)
    prior = level_prior(params, factor)
    phrase = _phrase_variance(params, factor)
    skip, add_cost = _gap_costs(feat, params, factor, prior)
    for t, (a, b) in enumerate(TYPES):
        if (a, b) == (1, 0):
            costs[:, t, :] = skip
            continue
        cost = costs[:, t, :]
        lx, ly = feat.lx[(a, b)], feat.ly[(a, b)]
        scale = params.ratio * lx + ly
        cost[...] = (ly - params.ratio * lx) ** 2 / (params.var * np.maximum(scale, 1.0) + phrase)  # (delta^2) / 2
        cost *= params.length_weight
        cost += prior[(a, b)]
        for k, cos in enumerate(feat.cos[(a, b)]):
            # Evidence per sentence: a bead of a + b sentences weighs (a + b) / 2 times a 1-1 pair, so how a passage
            # is cut into beads does not change how much similarity evidence it gets.
            cost -= (a + b) / 2 * params.weight[k] * (cos - params.threshold[k])
    return costs, add_cost


# A sentence with no fit of its own between two neighbours that fit each other is likelier an addition than a piece
# of either neighbour: its gap cost loses this share of the contrast (the neighbours' 1-1 evidence minus its own best
# 1-1 evidence), down to an edge gap's cost. The neighbours' evidence is what makes the gap credible: between weak
# pairs (a drifting stretch), a sentence without fit is no sign of anything and its gap stays rare.
GAP_CONTRAST = 0.3


ROW_CHUNK = 2048  # band rows per step: the neighbour reads stay a few MiB, not several copies of the whole band


def isolated_gaps(skip: np.ndarray, add_cost: np.ndarray, feat: Features, params: Params) -> None:
    """Cheaper 0-1 / 1-0 beads for a sentence whose best 1-1 evidence with either neighbour of the other side is
    negative (no fit of its own) while the pairs on both sides of it have positive evidence (compiled loop over the
    cells; `isolated_gaps_reference` is the numpy original, which it matches float for float)."""
    _isolated_gaps(skip, add_cost, _pair_evidence(feat, params), feat.columns[:, 0].copy(), feat.m,
                   -math.log(EDGE_GAP), np.float32(GAP_CONTRAST))


def _pair_evidence(feat: Features, params: Params) -> np.ndarray:
    """The 1-1 evidence of every band cell, float32: per channel (the mean), so a second channel that sees the same
    content (a translation next to the glosses) does not double the discount."""
    return (sum(params.weight[k] * (cos - np.float32(params.threshold[k])) for k, cos in enumerate(feat.cos[(1, 1)]))
            / len(feat.cos[(1, 1)])).astype(np.float32)


@njit(cache=True, nogil=True)
def _neighbour(llr, lo, m, i, j, di, dj):
    """(llr at grid cell (i + di, j + dj), whether that cell is in the band and holds a sentence pair)."""
    r, jj = i + di, j + dj
    if r < 1 or r >= llr.shape[0] or jj < 1 or jj > m:
        return np.float32(0.0), False
    c = jj - lo[r]
    if c < 0 or c >= llr.shape[1]:
        return np.float32(0.0), False
    return llr[r, c], True


@njit(cache=True, nogil=True)
def _gain(own0, own1, around0, around1, share):
    """The discount of a gap from its own cells' evidence and its neighbours' ((value, in the band) each): share x
    (the weaker neighbour's evidence - the better own evidence) when that is negative and those positive."""
    if not (own0[1] or own1[1]) or not (around0[1] or around1[1]):
        return np.float32(0.0)
    best = max(own0[0], own1[0]) if own0[1] and own1[1] else (own0[0] if own0[1] else own1[0])
    neighbours = min(around0[0], around1[0]) if around0[1] and around1[1] else \
        (around0[0] if around0[1] else around1[0])
    if best < 0 and neighbours > 0:
        return share * (neighbours - best)
    return np.float32(0.0)


@njit(cache=True, nogil=True)
def _isolated_gaps(skip, add_cost, llr, lo, m, floor, share):
    rows, width = llr.shape
    for i in range(rows):
        for c in range(width):
            j = lo[i] + c
            here, below, left = (_neighbour(llr, lo, m, i, j, 0, 0), _neighbour(llr, lo, m, i, j, 1, 0),
                                 _neighbour(llr, lo, m, i, j, 0, -1))
            diagonal, right, above = (_neighbour(llr, lo, m, i, j, 1, 1), _neighbour(llr, lo, m, i, j, 0, 1),
                                      _neighbour(llr, lo, m, i, j, -1, 0))
            # A 0-1 bead ending at cell (i, j) adds y[j-1] between x[i-1] and x[i]; its neighbours pair x[i-1] with
            # y[j-2] and x[i] with y[j].
            if add_cost[i, c] > floor:
                add_cost[i, c] = max(add_cost[i, c] - _gain(here, below, left, diagonal, share), floor)
            # A 1-0 bead ending at (i, j) omits x[i-1] between y[j-1] and y[j].
            if skip[i, c] > floor:
                skip[i, c] = max(skip[i, c] - _gain(here, right, above, diagonal, share), floor)


def isolated_gaps_reference(skip: np.ndarray, add_cost: np.ndarray, feat: Features, params: Params) -> None:
    """`isolated_gaps` in numpy (the original, kept to check the compiled loop against)."""
    llr = _pair_evidence(feat, params)
    lo, m = feat.columns[:, 0], feat.m
    floor = -math.log(EDGE_GAP)

    def gain(own: tuple[np.ndarray, np.ndarray], around: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        best = np.fmax(*own)  # NaN (outside the grid or the band) is ignored by fmax / fmin
        neighbours = np.fmin(*around)  # at a document's edge, the one neighbour there is
        contrast = GAP_CONTRAST * (neighbours - best)
        return np.nan_to_num(np.where((best < 0) & (neighbours > 0), contrast, 0.0), nan=0.0)

    def cheaper(cost: np.ndarray, g: np.ndarray) -> None:
        cost[...] = np.where(cost > floor, np.maximum(cost - g, floor), cost)

    for r0 in range(0, len(lo), ROW_CHUNK):
        rows = np.arange(r0, min(r0 + ROW_CHUNK, len(lo)))

        def at(di: int, dj: int) -> np.ndarray:
            return _at(llr, lo, rows, di, dj, m)

        # A 0-1 bead ending at cell (i, j) adds y[j-1] between x[i-1] and x[i]; its neighbours pair x[i-1] with
        # y[j-2] and x[i] with y[j].
        cheaper(add_cost[rows[0]:rows[-1] + 1], gain((at(0, 0), at(1, 0)), (at(0, -1), at(1, 1))))
        # A 1-0 bead ending at (i, j) omits x[i-1] between y[j-1] and y[j].
        cheaper(skip[rows[0]:rows[-1] + 1], gain((at(0, 0), at(0, 1)), (at(-1, 0), at(1, 1))))


def _at(a: np.ndarray, lo: np.ndarray, rows: np.ndarray, di: int, dj: int, m: int) -> np.ndarray:
    """out[k, c] = a at grid cell (i + di, j + dj) for band row i = rows[k], j = lo[i] + c: a band array read at a
    neighbouring cell; NaN where that cell is outside the band or holds no sentence pair (row 0, column 0, > m)."""
    total, width = a.shape
    r = rows + di
    rr = np.clip(r, 0, total - 1)
    j = lo[rows][:, None] + np.arange(width)[None, :] + dj
    col = j - lo[rr][:, None]
    ok = ((r >= 1) & (r < total))[:, None] & (col >= 0) & (col < width) & (j >= 1) & (j <= m)
    return np.where(ok, a[rr[:, None], np.clip(col, 0, width - 1)], np.nan)


def edge_gaps(skip: np.ndarray, add_cost: np.ndarray, feat: Features, prior: dict) -> None:
    """Cheaper omission/addition (EDGE_GAP instead of the inner prior, never cheaper than a 1-1 bead) of a
    document's first or last sentence, and of the sentences the caller's analysis marks as likely gaps (a news
    lead, a sentence that is only a dateline)."""
    gain = max(math.log(EDGE_GAP) + prior[(0, 1)], 0.0), max(math.log(EDGE_GAP) + prior[(1, 0)], 0.0)
    floor = prior[(1, 1)]
    rows = skip.shape[0]
    hinted = set(np.flatnonzero(feat.gap_hint_x) + 1) if feat.gap_hint_x is not None else set()
    for r in {1, rows - 1} | hinted:  # 1-0 beads ending at row r omit source sentence r - 1
        skip[r] = np.maximum(skip[r] - gain[1], floor)
    edge = (feat.columns == 1) | (feat.columns == feat.m)  # 0-1 beads ending at column j add target sentence j - 1
    if feat.gap_hint_y is not None:
        hint = np.concatenate([[False], feat.gap_hint_y, [False]])
        edge |= hint[np.clip(feat.columns, 0, feat.m + 1)]
    add_cost[edge] = np.maximum(add_cost[edge] - gain[0], floor)


def level_prior(params: Params, factor: int) -> dict:
    """Bead costs (-log probability). On coarse levels, blocks are cut arbitrarily, so every shape of merged block
    is about as likely; only omissions keep their per-sentence cost (scaled by length in `score`)."""
    cost = {t: -math.log(p) for t, p in params.prior.items()}
    if factor > 1:
        for t in TYPES:
            if t[0] and t[1]:
                cost[t] = 0.5 * (t[0] + t[1] - 2)
    return cost


