"""Bead confidence (issue 13, item 3): the posterior of a bead as a unit, in a lattice that weighs bead sizes against
the document's own (engine/alignment/confidence.py), and the lattice posteriors it is built from."""
from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import REAL_READOUTS
from test_align_edges import _all_paths
from test_alignment import read_gold as gold
from triglot_server.engine.alignment import align, cellcost, confidence, dp
from triglot_server.engine.alignment.calibration import Params
from triglot_server.engine.alignment.scoring import Scored
from triglot_server.engine.comparison.findings.structural import LOW_CONFIDENCE


@pytest.mark.parametrize("seed", range(3))
def test_expected_bead_counts_and_sizes_equal_brute_force_sums_over_every_alignment(seed: int) -> None:
    """The EM of the confidence lattice rests on these: the expected number of beads of each type, and the expected
    sums of the linking beads' log sizes, over every alignment."""
    rng = np.random.default_rng(seed)
    n, m = 3, 4
    band = dp.full_band(n, m)
    costs = rng.random((n + 1, len(dp.BEAD_TYPES), m + 1)) * 3
    add = rng.random((n + 1, m + 1)) * 3
    lx, ly = rng.integers(1, 200, n).astype(float), rng.integers(1, 200, m).astype(float)
    cx, cy = np.concatenate([[0.0], np.cumsum(lx)]), np.concatenate([[0.0], np.cumsum(ly)])
    index = {t: k for k, t in enumerate(dp.BEAD_TYPES)}

    def cost(p0, p1):
        t = (p1[0] - p0[0], p1[1] - p0[1])
        return add[p1] if t == (0, 1) else costs[p1[0], index[t], p1[1]]

    weights = {tuple(p): math.exp(-sum(cost(a, b) for a, b in zip(p, p[1:]))) for p in _all_paths(n, m)}
    total = sum(weights.values())
    want_counts, want_size, want_size2 = np.zeros(len(dp.BEAD_TYPES)), 0.0, 0.0
    for path, w in weights.items():
        for (i0, j0), (i1, j1) in zip(path, path[1:]):
            if (i1 - i0, j1 - j0) == (0, 1):
                continue
            want_counts[index[(i1 - i0, j1 - j0)]] += w / total
            if i1 > i0 and j1 > j0:
                size = math.log(cx[i1] - cx[i0] + (cy[j1] - cy[j0]) / 2.0)
                want_size += w / total * size
                want_size2 += w / total * size * size
    lat = cellcost.dense(costs, add)
    tab = cellcost.table(lat, dp.BEAD_TYPES, band.lo, band.width, m)
    fwd, bwd = dp.forward_backward(tab, band, n, m, 1.0)
    a, b = dp.type_sizes()
    for stats in {confidence._em_stats, getattr(confidence._em_stats, "py_func", confidence._em_stats)}:
        counts, size, size2 = stats(lat, fwd, bwd, band.lo, a, b, n, m, cx, cy, 0.5)
        assert counts == pytest.approx(want_counts, abs=1e-12)
        assert (size, size2) == pytest.approx((want_size, want_size2), rel=1e-9)
    # The forward pass collecting them, with a size table whose costs are nil (sd infinite).
    sizes = cellcost.size_table(tab, dp.BEAD_TYPES, band.lo, band.width, m, cx, cy, 0.5, 4.0)
    counts, size, size2 = dp.expected_beads(cellcost.with_sizes(tab, sizes, 4.0, 0.0, math.inf,
                                                                np.zeros(len(a))), band, n, m)
    assert counts == pytest.approx(want_counts, abs=1e-12)
    assert (size, size2) == pytest.approx((want_size, want_size2), rel=1e-6)


def _lattice(sizes: list[float]) -> tuple[Scored, dp.Band, Params]:
    """A document of 1-1 translations whose sentence i has sizes[i] characters on both sides, and evidence that cannot
    tell a diagonal merge (2-2, 3-3 ...) from its 1-1 split: every diagonal bead costs only its type's prior, every
    other bead 15 more."""
    n = m = len(sizes)
    band = dp.full_band(n, m)
    params = Params(ratio=1.0, var=1.0)
    rows, cols = np.arange(n + 1), band.columns()
    costs = np.empty((n + 1, len(dp.BEAD_TYPES), m + 1))
    for t, (a, b) in enumerate(dp.BEAD_TYPES):
        diagonal = (a == b) & (rows[:, None] - cols == 0) & (rows[:, None] >= a)
        costs[:, t, :] = -math.log(params.prior[(a, b)]) + np.where(diagonal, 0.0, 15.0)
    add = np.full((n + 1, m + 1), -math.log(params.prior[(0, 1)]) + 15.0)
    return Scored(cellcost.dense(costs, add)), band, params


def _confidence(sizes: list[float]) -> np.ndarray:
    scored, band, params = _lattice(sizes)
    n = len(sizes)
    return confidence.bead_confidence([(i, i) for i in range(n + 1)], scored, band, n, n, params,
                                      np.asarray(sizes), np.asarray(sizes))


def test_two_short_halves_of_a_typical_unit_are_not_certain_where_evidence_cannot_tell() -> None:
    """Two 1-1 pairs that are each half the size of the document's typical bead may be one 2-2 unit (a verse both
    versions cut in two): each is a real translation pair, but not certain as a unit. Pairs of typical size stay sure,
    and the same short pairs are sure in a document whose beads are all that short: the size law is the document's."""
    sizes = [100.0] * 40
    sizes[10:12] = [50.0, 50.0]
    got = _confidence(sizes)
    typical = np.delete(got, [9, 10, 11, 12])  # the halves and their neighbours
    assert typical.min() > 0.9
    assert got[10] < 0.9 and got[11] < 0.9
    assert _confidence([50.0] * 40).min() > 0.9


@pytest.mark.parametrize("readout", REAL_READOUTS, ids=lambda p: p.name)
def test_on_the_dev_readouts_a_wrong_bead_is_never_near_certain(readout) -> None:
    for align_file in sorted(readout.glob("*-*.align")):
        src, tgt = align_file.stem.split("-")
        read = lambda lang: (readout / f"{lang}.sents").read_text(encoding="utf-8").splitlines()  # noqa: E731
        want = set(gold(align_file))
        for bead in align(read(src), read(tgt), src, tgt).beads:
            if (tuple(bead.source_ids), tuple(bead.target_ids)) not in want:
                assert bead.score < 0.9, (align_file.name, bead)
