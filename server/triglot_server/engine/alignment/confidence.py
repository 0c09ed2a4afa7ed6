"""Bead confidence: the probability that a bead is exactly right as a unit, not only that the path passes there.

The search's own posterior (forward-backward over its lattice) knows how sure the path is of where beads start and
end, but not of their granularity. Whether two adjacent 1-1 beads are one 2-2 unit of the text (a verse, a sentence
both versions cut in two at the same place) is not in the evidence: on Bible 001-003 the cost difference between the
2-2 and its 1-1 + 1-1 split has the same distribution where the gold groups the two pairs and where it does not
(AUC 0.49). The search's bead-type frequencies, counted on its own path, never see those merges (p(2-2) 0.25 % where
the gold has 3-6 %), so its posterior calls the split certain: 98 % of beads scored >= 0.9, 84 % of them exact.

What the document does show is the size of its units. A bead much smaller than the document's typical bead is often a
part of a larger one (Bible 001-003: 1-1 beads of the shortest fifth of English sentences are exact 55 % of the time,
of the longest fifth 93 %). So the confidence lattice adds to every bead linking both sides the cost of its size under
a log-normal law of bead sizes, and re-estimates that law and the frequencies of the linking bead types from the
lattice's own posteriors (EM: expected counts over all alignments rather than counts on one path), so a merge the
evidence cannot rule out gets the probability the document's sizes give it. A bead's confidence is its posterior in
that lattice at TEMPERATURE. The path itself is the search's, unchanged.
"""
from __future__ import annotations

import math

import numpy as np

from triglot_server.engine.alignment import cellcost, dp
from triglot_server.engine.alignment.calibration import Params
from triglot_server.engine.alignment.dp import njit
from triglot_server.engine.alignment.features import prefix
from triglot_server.engine.alignment.scoring import Scored

# The costs sum channels that see overlapping evidence (length, glosses, a translation, a word table learned from the
# first pass; neighbouring cells share sentences) as if independent, so the lattice is surer than it should be. 2.0
# makes the bands of Bible 001-003 match their exact share (with EM_ROUNDS 3; 1.5 was enough before the learned word
# table, which repeats the first pass's choices: beads >= 0.9 exact 0.928 without it, 0.882 with it at 1.5).
TEMPERATURE = 2.0
# EM rounds from the search's estimates. More rounds keep moving mass to 2-2 and 2-3 on evidence that cannot tell
# them from their splits (10 rounds give 11 % 2-2 beads on Bible 003, the gold has 6 %): three are a step towards the
# document's sizes, not a fit of its noise.
EM_ROUNDS = 3
# Pseudo-counts of the search's bead-type frequencies in the re-estimate (as calibration's re-estimation uses).
PRIOR_WEIGHT = 200.0
# Spread (log size) before any estimate and its pseudo-count, so a dozen beads of a short readout cannot make every
# size but one look impossible (Bible books give 0.44-0.47).
SIZE_SD0 = 0.5
SIZE_PSEUDO_BEADS = 10
# Cost entries (rows x bead types x width) from which the cost table is float32 (a book: 62 MiB on Bible 006, not
# 124); a readout's stays float64, its confidences those of the search's costs to the last digit.
FLOAT32_MIN = 1 << 22

def bead_confidence(path: list[tuple[int, int]], scored: Scored, band: dp.Band, n: int, m: int, params: Params,
                    lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    """Confidence of each bead of `path` (see the module doc); lx, ly are the sentence lengths. The lattice's costs
    are computed once into a table (`cellcost.table`) that every pass reads, the size costs and bead-type shifts
    added where a kernel reads a cost (`cellcost.with_sizes`), from a table of log sizes computed once;
    `bead_confidence_reference` is the original on dense cost arrays (the same to about 1e-7, 1e-5 with float32)."""
    em = _Em(path, params, lx, ly)
    entries = band.rows * len(dp.BEAD_TYPES) * band.width
    tab = cellcost.table(scored.lattice, dp.BEAD_TYPES, band.lo, band.width, m,
                         np.float32 if entries >= FLOAT32_MIN else np.float64)
    if em.mu is None:  # nothing links the two sides: only the search's posterior
        return dp.posteriors(tab, band, n, m, path, TEMPERATURE)
    centre = em.mu
    sizes = cellcost.size_table(tab, dp.BEAD_TYPES, band.lo, band.width, m, em.cx, em.cy, em.inv_ratio, centre)

    def lattice() -> tuple:  # the table with the current estimates' size costs and shifts
        return cellcost.with_sizes(tab, sizes, centre, em.mu, em.sd, em.shift)

    for _ in range(EM_ROUNDS):
        em.update(*dp.expected_beads(lattice(), band, n, m))
    return dp.posteriors(lattice(), band, n, m, path, TEMPERATURE)


def bead_confidence_reference(path: list[tuple[int, int]], costs: np.ndarray, add_cost: np.ndarray, band: dp.Band,
                              n: int, m: int, params: Params, lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    """`bead_confidence` on dense arrays (cellcost.dense), the original kept as its reference: the size costs
    added to a copy of the costs in place each round, the EM statistics from a pass of their own."""
    em = _Em(path, params, lx, ly)

    def table(costs: np.ndarray) -> tuple:
        return cellcost.table(cellcost.dense(costs, add_cost), dp.BEAD_TYPES, band.lo, band.width, m)

    if em.mu is None:
        return dp.posteriors(table(costs), band, n, m, path, TEMPERATURE)
    costs = costs.copy()
    _add_size_cost(costs, band.lo, em.a, em.b, m, em.cx, em.cy, em.inv_ratio, 0.0, 0.0, em.mu, em.sd,
                   np.zeros(len(em.a)))
    for _ in range(EM_ROUNDS):
        lat = cellcost.dense(costs, add_cost)
        fwd, bwd = dp.forward_backward(table(costs), band, n, m, 1.0)
        mu, sd, prior = em.mu, em.sd, em.prior
        em.update(*_em_stats(lat, fwd, bwd, band.lo, em.a, em.b, n, m, em.cx, em.cy, em.inv_ratio))
        _add_size_cost(costs, band.lo, em.a, em.b, m, em.cx, em.cy, em.inv_ratio, mu, sd, em.mu, em.sd,
                       np.log(prior) - np.log(np.maximum(em.prior, 1e-9)))
    return dp.posteriors(table(costs), band, n, m, path, TEMPERATURE)


class _Em:
    """The confidence lattice's estimates: the log-normal law of bead sizes (mu, sd; None when nothing links the two
    sides), the linking bead types' frequencies (prior) and the cost shift of each type from the search's."""

    def __init__(self, path: list[tuple[int, int]], params: Params, lx: np.ndarray, ly: np.ndarray) -> None:
        self.cx, self.cy = prefix(lx), prefix(ly)
        self.a, self.b = dp.type_sizes()
        self.inv_ratio = 1.0 / params.ratio
        cx, cy = self.cx, self.cy
        on_path = np.array([math.log(max(cx[i1] - cx[i0] + (cy[j1] - cy[j0]) * self.inv_ratio, 1.0))
                            for (i0, j0), (i1, j1) in zip(path, path[1:]) if i1 > i0 and j1 > j0])
        self.mu = self.sd = None
        if len(on_path):
            self.mu, self.sd = _size_law(len(on_path), float(on_path.sum()), float((on_path ** 2).sum()))
        self.linking = (self.a > 0) & (self.b > 0)
        self.search_prior = np.array([params.prior[t] if ok else 1.0 for t, ok in zip(dp.BEAD_TYPES, self.linking)])
        self.mass = self.search_prior[self.linking].sum()
        self.prior = self.search_prior.copy()
        self.shift = np.zeros(len(self.a))

    def update(self, counts: np.ndarray, w_size: float, w_size2: float) -> None:
        """Re-estimate from expected bead counts and size sums over all alignments."""
        linking = self.linking
        new = np.where(linking, (counts + PRIOR_WEIGHT * self.search_prior / self.mass)
                       / (counts[linking].sum() + PRIOR_WEIGHT) * self.mass, self.prior)
        self.mu, self.sd = _size_law(counts[linking].sum(), w_size, w_size2)
        self.shift = self.shift + np.log(self.prior) - np.log(np.maximum(new, 1e-9))
        self.prior = new


def _size_law(weight: float, w_size: float, w_size2: float) -> tuple[float, float]:
    """Mean and spread of log bead sizes from weighted sums (weight, sum of w * size, of w * size^2); the spread is
    shrunk towards SIZE_SD0 by SIZE_PSEUDO_BEADS."""
    mu = w_size / weight
    var = max(w_size2 / weight - mu * mu, 0.0)
    var = (SIZE_PSEUDO_BEADS * SIZE_SD0 ** 2 + weight * var) / (SIZE_PSEUDO_BEADS + weight)
    return mu, math.sqrt(var)


# ---------------------------------------------------------------- compiled loops over the lattice (numba)

@njit(cache=True, nogil=True)
def _add_size_cost(costs, lo, a, b, m, cx, cy, inv_ratio, mu0, sd0, mu1, sd1, shift):
    """In place, on every bead linking both sides: replace the size cost under (mu0, sd0) (none when sd0 is 0) by the
    one under (mu1, sd1), and add shift[t] to type t. The size cost is -log of the log-normal density relative to its
    mode: a bead of typical size pays nothing, and the per-bead constant is left to the bead-type frequencies."""
    rows, n_types, width = costs.shape
    for i in range(rows):
        for t in range(n_types):
            if a[t] == 0 or b[t] == 0 or i < a[t]:
                continue
            for c in range(width):
                j = lo[i] + c
                if j > m:
                    break
                if j < b[t]:
                    continue
                ls = cellcost.log_size(cx, cy, inv_ratio, i, j, a[t], b[t])
                old = 0.5 * ((ls - mu0) / sd0) ** 2 if sd0 > 0 else 0.0
                costs[i, t, c] += 0.5 * ((ls - mu1) / sd1) ** 2 - old + shift[t]


@njit(cache=True, nogil=True)
def _em_stats(lat, fwd, bwd, lo, a, b, n, m, cx, cy, inv_ratio):
    """Expected number of beads of each type over all alignments (weights exp(-cost)), and over the beads linking
    both sides the expected sums of their log size and its square (the reference of dp.expected_beads)."""
    rows, width = fwd.shape
    n_types = len(a)
    total = fwd[n, m - lo[n]]
    counts = np.zeros(n_types)
    w_size, w_size2 = 0.0, 0.0
    costs = np.empty((n_types, width))
    for i in range(rows):
        cellcost.row_costs(lat, i, lo, m, a, b, costs)
        for t in range(n_types):
            pi = i - a[t]
            if pi < 0:
                continue
            for c in range(width):
                j = lo[i] + c
                if j > m:
                    break
                pc = j - b[t] - lo[pi]
                if pc < 0 or pc >= width or j < b[t]:
                    continue
                v = fwd[pi, pc] - costs[t, c] + bwd[i, c] - total
                if not v > -700.0:  # also skips NaN from -inf + inf
                    continue
                p = math.exp(min(v, 0.0))
                counts[t] += p
                if a[t] > 0 and b[t] > 0:
                    ls = cellcost.log_size(cx, cy, inv_ratio, i, j, a[t], b[t])
                    w_size += p * ls
                    w_size2 += p * ls * ls
    return counts, w_size, w_size2
