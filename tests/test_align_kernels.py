"""The aligner's compiled kernels give exactly the floats of their numpy originals (kept as references), on random
sparse vectors and bands: posting-list dot products, merged blocks, neighbour dots, row shifts; the bead costs the DP
kernels compute from features, and the confidence lattice on them."""
from __future__ import annotations

import numpy as np
import pytest

from triglot_server.engine.alignment import cellcost, channels, confidence, dp, features, scoring
from triglot_server.engine.alignment.calibration import Params, nan_row_medians


def _bags(rng: np.random.Generator, n: int, vocabulary: int, size: int = 8) -> list[set[str]]:
    return [{f"k{int(v)}" for v in rng.integers(0, vocabulary, rng.integers(0, size))} for _ in range(n)]


def _band(rng: np.random.Generator, n: int, m: int) -> dp.Band:
    if rng.random() < 0.5:
        return dp.full_band(n, m)
    path = [(0, 0)] + [(i, min(m, int(i * m / max(n, 1)))) for i in range(1, n + 1)]
    path[-1] = (n, m)
    return dp.band_around_path(path, 1, n, m, int(rng.integers(1, 5)), 10**6)


@pytest.mark.parametrize("seed", range(4))
def test_band_dots_equals_the_numpy_reference(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    for trial in range(80):
        n, m = (int(v) for v in rng.integers(0, 60, size=2))
        x, y = channels.vectors_pair(_bags(rng, n, int(rng.integers(1, 40))), _bags(rng, m, 40))
        if trial % 3 == 1 and x.n > 4:
            x, y = x.downsample(2), y.downsample(2)
        band = _band(rng, x.n, y.n)
        # Small passes and a small pair budget exercise the multi-pass sums and the heavy-key cut.
        monkeypatch.setattr(channels, "CHUNK_PAIRS", (2_000_000, 7, 1)[trial % 3])
        max_pairs = (40_000_000, 50, 5)[trial % 3]
        got = channels.band_dots(x, y, band, max_pairs)
        want = channels.band_dots_reference(x, y, band, max_pairs)
        assert got.shape == want.shape == (band.rows, band.width)
        assert np.array_equal(got, want)


@pytest.mark.parametrize("seed", range(3))
def test_merged_blocks_and_neighbour_dots_equal_the_numpy_reference(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    for trial in range(60):
        # Every third trial has sentences of up to 80 keys (sorted otherwise than by insertion).
        size, vocabulary = (80, 200) if trial % 3 == 2 else (8, int(rng.integers(1, 30)))
        x, _ = channels.vectors_pair(_bags(rng, int(rng.integers(0, 80)), vocabulary, size), [{"a"}])
        for f in (1, 2, 4, 5):
            got, want = x.downsample(f), x.downsample_reference(f)
            assert got.n == want.n
            for field in ("sid", "kid", "w"):
                assert np.array_equal(getattr(got, field), getattr(want, field))
            again, again_want = got.downsample(3), got.downsample_reference(3)  # blocks of sorted blocks
            for field in ("sid", "kid", "w"):
                assert np.array_equal(getattr(again, field), getattr(again_want, field))
            for v in (x, got):
                for reach in (1, 3):
                    (norm, dots), (ref_norm, ref_dots) = v.span_norms(reach), v.span_norms_reference(reach)
                    assert np.array_equal(norm, ref_norm)
                    assert len(dots) == len(ref_dots) == reach
                    assert all(np.array_equal(a, b) for a, b in zip(dots, ref_dots))


def test_vectors_in_any_order_take_the_reference_path() -> None:
    x = channels.Vectors(3, np.array([2, 0, 1, 0]), np.array([0, 1, 0, 0]), np.array([1.0, 2.0, 3.0, 4.0]))
    got, want = x.downsample(2), x.downsample_reference(2)
    assert np.array_equal(got.w, want.w) and np.array_equal(got.kid, want.kid)
    (norm, dots), (ref_norm, ref_dots) = x.span_norms(2), x.span_norms_reference(2)
    assert np.array_equal(norm, ref_norm) and all(np.array_equal(a, b) for a, b in zip(dots, ref_dots))
    assert dots[0].tolist() == [4.0 * 3.0, 3.0 * 1.0, 0.0]  # sentences 0, 1, 2 share key 0 in turn


@pytest.mark.parametrize("seed", range(3))
def test_shift_rows_equals_the_numpy_reference(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    for _ in range(60):
        n, m = (int(v) for v in rng.integers(1, 40, size=2))
        band = _band(rng, n, m)
        a = rng.random((band.rows, band.width))
        for da in range(4):
            for db in range(4):
                assert np.array_equal(features.shift_rows(a, band, da, db),
                                      features.shift_rows_reference(a, band, da, db))


@pytest.mark.parametrize("seed", range(4))
def test_channel_cosines_equal_the_numpy_reference(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(300 + seed)
    if seed % 2:  # the rows split between two threads, as on a large band
        monkeypatch.setattr(features, "PARALLEL_CELLS_MIN", 0)
    match = [t for t in dp.BEAD_TYPES if t[0] and t[1]]
    for trial in range(25):
        n, m = (int(v) for v in rng.integers(1, 50, size=2))
        x, y = channels.vectors_pair(_bags(rng, n, int(rng.integers(2, 30))), _bags(rng, m, 30))
        band = _band(rng, n, m)
        for mix, weakest in ((0.5, True), (0.7, False), (0.0, True)):
            ch = channels.Channel(channels.ChannelKind.LEXICON, x, y, mix, weakest)
            got = features.channel_cosines(ch, band, m, match)
            want = features.channel_cosines_reference(ch, band, m, match)
            assert len(got) == len(want) == len(match)
            for t, g, w in zip(match, got, want):
                assert g.dtype == w.dtype == np.float32
                assert np.array_equal(g, w), (trial, t, mix, float(np.abs(g - w).max()))


# ---------------------------------------------------------------- the fused lattice (costs computed where read)

def _level(rng: np.random.Generator) -> tuple[features.Level, dp.Band, Params]:
    n, m = (int(v) for v in rng.integers(2, 45, size=2))
    lexicon = channels.Channel(channels.ChannelKind.LEXICON, *channels.vectors_pair(_bags(rng, n, 25), _bags(rng, m, 25)), 0.5, True)
    extra = channels.Channel(channels.ChannelKind.LEARNED, *channels.vectors_pair(_bags(rng, n, 15), _bags(rng, m, 15)), 0.7, False)
    level = features.Level(n, m, rng.integers(1, 300, n).astype(float), rng.integers(1, 300, m).astype(float),
                           [lexicon, extra][:int(rng.integers(0, 3))],
                           gap_hint_x=rng.random(n) < 0.1, gap_hint_y=rng.random(m) < 0.1)
    k = len(level.channels)
    params = Params(ratio=float(rng.uniform(0.3, 3)), var=float(rng.uniform(0.5, 6)), mean_x=float(level.lx.mean()),
                    mean_y=float(level.ly.mean()), weight=tuple(rng.uniform(0, 20, k).tolist()),
                    threshold=tuple(rng.uniform(0, 0.4, k).tolist()))
    return level, _band(rng, n, m), params


def _dense(lat: tuple, band: dp.Band, m: int) -> np.ndarray:
    """The lattice's costs at every band cell, one row at a time (inf where no bead can end)."""
    a, b = dp.type_sizes()
    out = np.empty((band.rows, len(a), band.width))
    for i in range(band.rows):
        cellcost.row_costs(lat, i, band.lo, m, a, b, out[i])
    return out


@pytest.mark.parametrize("seed", range(3))
def test_fused_costs_equal_the_numpy_scores_and_give_the_same_search(seed: int) -> None:
    """Every cost the kernels compute from the features is the float of `score_reference`'s array, on the finest
    level (gap adjustments, phrase term) and a coarse one; the search, forward and backward passes agree."""
    rng = np.random.default_rng(400 + seed)
    a, b = dp.type_sizes()
    for _ in range(12):
        level, band, params = _level(rng)
        feat = features.features(level, band)
        for factor in (1, 4):
            scored = scoring.score(feat, params, factor)
            costs, add = scoring.score_reference(feat, params, factor)
            got = _dense(scored.lattice, band, level.m)
            cells = np.isfinite(got)
            assert np.array_equal(got[cells], costs[cells])
            assert np.array_equal(scored.lattice[cellcost.ADD], add)
            # Where no bead can end, no kernel reads: the cost there is the lattice's inf, the reference's anything.
            columns = band.columns()[:, None, :]
            readable = (np.arange(band.rows)[:, None, None] >= a[None, :, None]) & (columns >= b[None, :, None]) \
                & (columns <= level.m)
            assert np.array_equal(cells, readable)
            dense = cellcost.dense(costs, add)
            path, cum = dp.search(scored.lattice, band, level.n, level.m)
            assert (path, cum.tolist()) == (lambda p, c: (p, c.tolist()))(*dp.search(dense, band, level.n, level.m))
            # (The numpy search sums in another order: on exact ties, as lengths alone give, it may take another path.)
            assert cum[-1] == pytest.approx(dp.search_reference(costs, add, band, level.n, level.m)[1][-1])
            tables = [cellcost.table(lat, dp.BEAD_TYPES, band.lo, band.width, level.m) for lat in (scored.lattice, dense)]
            assert np.array_equal(tables[0][cellcost.COSTS], tables[1][cellcost.COSTS])
            got, want = (dp.forward_backward(tab, band, level.n, level.m, 1.0) for tab in tables)
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


@pytest.mark.parametrize("seed", range(3))
def test_confidence_on_the_fused_lattice_equals_the_dense_reference(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    for _ in range(8):
        level, band, params = _level(rng)
        feat = features.features(level, band)
        scored = scoring.score(feat, params, 1)
        path, _ = dp.search(scored.lattice, band, level.n, level.m)
        costs, add = scoring.score_reference(feat, params, 1)
        got = confidence.bead_confidence(path, scored, band, level.n, level.m, params, level.lx, level.ly)
        want = confidence.bead_confidence_reference(path, costs, add, band, level.n, level.m, params, level.lx,
                                                    level.ly)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_forward_backward_and_expected_beads_equal_the_reference_on_random_costs(seed: int,
                                                                                 monkeypatch: pytest.MonkeyPatch
                                                                                 ) -> None:
    """The vectorised passes (polynomial exp, the 0-1 recurrence as a scan, statistics collected by each pass on its
    second half of the rows) against a cell-by-cell logaddexp and the plain statistics pass, on random bands,
    with impossible beads (inf) among the 0-1 and linking costs, run in parallel or not."""
    rng = np.random.default_rng(700 + seed)
    monkeypatch.setattr(dp, "PARALLEL_PASSES_MIN", 0 if seed % 2 else 10**9)
    for _ in range(25):
        n, m = (int(v) for v in rng.integers(1, 40, size=2))
        band = _band(rng, n, m)
        scale = float(rng.choice([1.0, 30.0]))  # 30: terms far apart, many below the exp's floor
        costs = rng.random((band.rows, len(dp.BEAD_TYPES), band.width)) * scale
        add = rng.random((band.rows, band.width)) * scale
        costs[rng.random(costs.shape) < 0.05] = np.inf
        add[rng.random(add.shape) < 0.05] = np.inf
        temperature = float(rng.uniform(0.5, 3))
        tab = cellcost.table(cellcost.dense(costs, add), dp.BEAD_TYPES, band.lo, band.width, m)
        fwd, bwd = dp.forward_backward(tab, band, n, m, temperature)
        want_fwd, want_bwd = dp.forward_backward_reference(np.where(np.isfinite(tab[cellcost.COSTS]), costs, np.inf),
                                                           add, band, n, m, temperature)
        for got, want in ((fwd, want_fwd), (bwd, want_bwd)):
            assert np.array_equal(np.isfinite(got), np.isfinite(want))
            np.testing.assert_allclose(got[np.isfinite(got)], want[np.isfinite(want)], rtol=1e-12, atol=1e-9)
        if not np.isfinite(fwd[n, m - band.lo[n]]):
            continue
        lx, ly = rng.integers(1, 200, n).astype(float), rng.integers(1, 200, m).astype(float)
        cx, cy = np.concatenate([[0.0], np.cumsum(lx)]), np.concatenate([[0.0], np.cumsum(ly)])
        sizes = cellcost.size_table(tab, dp.BEAD_TYPES, band.lo, band.width, m, cx, cy, 0.7, 4.0)
        shift = rng.normal(0, 1, len(dp.BEAD_TYPES))
        sized = cellcost.with_sizes(tab, sizes, 4.0, 4.2, 0.6, shift)
        got = dp.expected_beads(sized, band, n, m)
        dense = cellcost.dense(np.stack([np.array(cellcost_row(sized, i, band.width)) for i in range(band.rows)]), add)
        f, b = dp.forward_backward_reference(dense[cellcost.DENSE], add, band, n, m, 1.0)
        a_, b_ = dp.type_sizes()
        want = confidence._em_stats(dense, f, b, band.lo, a_, b_, n, m, cx, cy, 0.7)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-12)
        assert got[1:] == pytest.approx(want[1:], rel=1e-6)  # (the table's log sizes are float32)


def cellcost_row(tab: tuple, i: int, width: int) -> np.ndarray:
    out = np.empty((len(dp.BEAD_TYPES), width))
    cellcost.table_row(tab, i, 1.0, out)
    return out


def test_exp_polynomial_equals_exp_to_1e_14() -> None:
    x = np.concatenate([np.linspace(dp.EXP_FLOOR, 0, 100_001), -np.random.default_rng(3).random(1000) * 40])
    got = np.array([dp._exp_neg(v) for v in x])
    np.testing.assert_allclose(got[x > dp.EXP_FLOOR], np.exp(x[x > dp.EXP_FLOOR]), rtol=2e-14)
    assert dp._exp_neg(-np.inf) == 0.0 and dp._exp_neg(dp.EXP_FLOOR - 1) == 0.0 and dp._exp_neg(np.nan) == 0.0


@pytest.mark.parametrize("seed", range(2))
def test_confidence_on_a_float32_cost_table_is_within_1e_5_of_float64(seed: int,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(800 + seed)
    for _ in range(6):
        level, band, params = _level(rng)
        scored = scoring.score(features.features(level, band), params, 1)
        path, _ = dp.search(scored.lattice, band, level.n, level.m)
        want = confidence.bead_confidence(path, scored, band, level.n, level.m, params, level.lx, level.ly)
        monkeypatch.setattr(confidence, "FLOAT32_MIN", 0)
        got = confidence.bead_confidence(path, scored, band, level.n, level.m, params, level.lx, level.ly)
        monkeypatch.undo()
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_isolated_gaps_equal_the_numpy_reference(seed: int) -> None:
    rng = np.random.default_rng(600 + seed)
    for _ in range(20):
        level, band, params = _level(rng)
        if not level.channels:
            continue
        feat = features.features(level, band)
        skip, add = rng.random((2, band.rows, band.width)) * 8
        want_skip, want_add = skip.copy(), add.copy()
        scoring.isolated_gaps(skip, add, feat, params)
        scoring.isolated_gaps_reference(want_skip, want_add, feat, params)
        assert np.array_equal(skip, want_skip) and np.array_equal(add, want_add)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_medians_equal_numpys_nanmedian(dtype) -> None:
    """The near-miss similarity of a row (its median cell, cells outside the grid NaN) is numpy's nanmedian."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        rows, width = rng.integers(1, 30, size=2)
        a = rng.random((rows, width)).astype(dtype)
        hole = rng.random((rows, width)) < rng.random()
        hole[np.arange(rows), rng.integers(0, width, rows)] = False  # every row keeps a number
        a[hole] = np.nan
        expected = np.nanmedian(a, axis=1)
        got = nan_row_medians(a)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
