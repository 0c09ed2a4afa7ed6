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

from triglot_server.engine.alignment import dp
from triglot_server.engine.alignment.calibration import Params
from triglot_server.engine.alignment.scoring import Scored

# The costs sum channels that see overlapping evidence (length, glosses, a translation; neighbouring cells share
# sentences) as if independent, so the lattice is surer than it should be; 1.5 makes the bands of Bible 001-003 match
# their exact share (1.0 and 1.2 leave the >= 0.9 band under 0.9; 2.0 pushes nearly every bead under 0.9).
TEMPERATURE = 1.5
# EM rounds from the search's estimates. More rounds keep moving mass to 2-2 and 2-3 on evidence that cannot tell
# them from their splits (10 rounds give 11 % 2-2 beads on Bible 003, the gold has 6 %): two are a step towards the
# document's sizes, not a fit of its noise.
EM_ROUNDS = 2
# Pseudo-counts of the search's bead-type frequencies in the re-estimate (as calibration's re-estimation uses).
PRIOR_WEIGHT = 200.0
# Spread (log size) before any estimate and its pseudo-count, so a dozen beads of a short readout cannot make every
# size but one look impossible (Bible books give 0.44-0.47).
SIZE_SD0 = 0.5
SIZE_PSEUDO_BEADS = 10

_LINKING = [t for t, (a, b) in enumerate(dp.BEAD_TYPES) if a and b]


def bead_confidence(path: list[tuple[int, int]], scored: Scored, band: dp.Band, n: int, m: int,
                    params: Params) -> np.ndarray:
    """Confidence of each bead of `path` (see the module doc). Consumes `scored.costs`: it is changed in place (the
    search is done; a copy would double the largest array of the alignment)."""
    costs, add_cost, feat = scored.costs, scored.add_cost, scored.features
    lo = band.lo

    def log_size(t: int) -> np.ndarray:
        a, b = dp.BEAD_TYPES[t]
        # Source characters plus target characters in source units: one size for both sides of a bead.
        return np.log(np.maximum(feat.lx[(a, b)] + feat.ly[(a, b)] / params.ratio, 1.0))

    on_path = [math.log(max(float(feat.lx[t][i1, 0] + feat.ly[t][i1, j1 - lo[i1]] / params.ratio), 1.0))
               for (i0, j0), (i1, j1) in zip(path, path[1:]) if (t := (i1 - i0, j1 - j0))[0] and t[1]]
    if not on_path:  # nothing links the two sides: only the search's posterior
        return dp.posteriors(costs, add_cost, band, n, m, path, TEMPERATURE)
    mu, sd = _size_law(np.asarray(on_path), np.ones(len(on_path)))

    def size_cost(t: int, mu: float, sd: float) -> np.ndarray:
        # -log of the log-normal density relative to its mode: a bead of typical size pays nothing, and the
        # per-bead constant is left to the bead-type frequencies.
        return 0.5 * ((log_size(t) - mu) / sd) ** 2

    for t in _LINKING:
        costs[:, t, :] += size_cost(t, mu, sd)
    search_prior = {t: params.prior[dp.BEAD_TYPES[t]] for t in _LINKING}
    mass = sum(search_prior.values())
    prior = dict(search_prior)
    for _ in range(EM_ROUNDS):
        fwd, bwd = dp.forward_backward(costs, add_cost, band, n, m, 1.0)
        counts, sizes, weights = {}, [], []
        for t in _LINKING:
            post = dp.type_posteriors(costs, fwd, bwd, band, n, m, t, 1.0)
            counts[t] = float(post.sum())
            keep = post > 1e-4
            sizes.append(np.broadcast_to(log_size(t), post.shape)[keep])
            weights.append(post[keep])
        total = sum(counts.values())
        new_mu, new_sd = _size_law(np.concatenate(sizes), np.concatenate(weights))
        for t in _LINKING:
            p = (counts[t] + PRIOR_WEIGHT * search_prior[t] / mass) / (total + PRIOR_WEIGHT) * mass
            costs[:, t, :] += (size_cost(t, new_mu, new_sd) - size_cost(t, mu, sd)
                               + math.log(prior[t]) - math.log(max(p, 1e-9)))
            prior[t] = p
        mu, sd = new_mu, new_sd
    return dp.posteriors(costs, add_cost, band, n, m, path, TEMPERATURE)


def _size_law(log_sizes: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted mean and spread of log bead sizes, the spread shrunk towards SIZE_SD0 by SIZE_PSEUDO_BEADS."""
    w = weights.sum()
    mu = float((weights * log_sizes).sum() / w)
    var = float((weights * (log_sizes - mu) ** 2).sum() / w)
    var = (SIZE_PSEUDO_BEADS * SIZE_SD0 ** 2 + w * var) / (SIZE_PSEUDO_BEADS + w)
    return mu, math.sqrt(var)
