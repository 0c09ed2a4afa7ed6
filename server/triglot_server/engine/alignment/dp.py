"""Dynamic-programming search for a sentence alignment inside a band (no scoring here).

The search space is the grid of cells (i, j) = "the first i source and the first j target sentences are aligned".
A bead of type (a, b) moves from (i - a, j - b) to (i, j). Only cells inside a band are visited: row i holds the
columns lo[i] .. lo[i] + width - 1, so time and memory are O(rows x width) instead of O(rows x columns).

Costs come from the caller as a lattice (`cellcost`): computed where they are read from the level's features, or
dense arrays over the band. `search` and `posteriors` run compiled loops (numba); `search_reference` is the numpy
original on dense arrays (one vectorised step per row), kept as the reference. Beads that stay in
the same row (0-1, an addition) make a row depend on itself; that recurrence is a running minimum:
D[j] = min(X[j], D[j-1] + c[j])  <=>  D[j] = P[j] + min_{k<=j} (X[k] - P[k])  with P the running sum of c.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from triglot_server.engine.alignment.cellcost import ADD, LINK, SIZE_LAW, SIZES, row_costs
from triglot_server.engine.alignment.compiled import njit

INF = np.inf

# Bead types (source count, target count) other than 0-1; 0-1 is handled by the in-row recurrence.
BEAD_TYPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1),
                                           (2, 3), (3, 2), (1, 4), (4, 1))


@dataclass(frozen=True)
class Band:
    """Row i of the grid (0..rows-1) covers columns lo[i] .. lo[i] + width - 1."""

    lo: np.ndarray  # int64, shape (rows,)
    width: int

    @property
    def rows(self) -> int:
        return len(self.lo)

    def columns(self) -> np.ndarray:
        """Column index j of every band cell, shape (rows, width)."""
        return self.lo[:, None] + np.arange(self.width)[None, :]


def full_band(n: int, m: int) -> Band:
    return Band(np.zeros(n + 1, dtype=np.int64), m + 1)


def band_around_path(path: list[tuple[int, int]], factor: int, n: int, m: int, margin: int,
                     max_cells: int) -> Band:
    """Band on a grid `factor` times finer than the coarse grid of `path`.

    `path` is the list of coarse cells visited (coarse cell (I, J) = first I blocks of `factor` source sentences and
    first J target blocks). Each coarse bead from (I0, J0) to (I1, J1) spans the fine rectangle
    [I0*f, I1*f] x [J0*f, J1*f]; the band is the union of those rectangles widened by `margin` on each side.
    """
    lo = np.full(n + 1, np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(n + 1, -1, dtype=np.int64)
    for (i0, j0), (i1, j1) in zip(path, path[1:]):
        r0, r1 = min(i0 * factor, n), min(i1 * factor, n)
        c0, c1 = min(j0 * factor, m), min(j1 * factor, m)
        lo[r0:r1 + 1] = np.minimum(lo[r0:r1 + 1], c0)
        hi[r0:r1 + 1] = np.maximum(hi[r0:r1 + 1], c1)
    return _band_from_bounds(lo, hi, n, m, margin, max_cells)


def _band_from_bounds(lo: np.ndarray, hi: np.ndarray, n: int, m: int, margin: int, max_cells: int) -> Band:
    # Widen rows up and down as well as sideways, so a path that leaves the coarse route by `margin` rows is kept.
    k = 2 * margin + 1
    lo_w = np.min(np.lib.stride_tricks.sliding_window_view(np.pad(lo, margin, mode="edge"), k), axis=1) - margin
    hi_w = np.max(np.lib.stride_tricks.sliding_window_view(np.pad(hi, margin, mode="edge"), k), axis=1) + margin
    # Monotone staircase: lo never decreases downwards, hi never decreases either, so the band is connected.
    lo_w = np.minimum.accumulate(np.clip(lo_w, 0, m)[::-1])[::-1]
    hi_w = np.maximum.accumulate(np.clip(hi_w, 0, m))
    lo_w[0] = 0
    hi_w[n] = m
    width = int(np.max(hi_w - lo_w)) + 1
    cap = max(64, max_cells // (n + 1))
    if width > cap:
        # Memory bound: keep each row's start and clip its end; rows stay connected because lo_{i+1} <= hi_i.
        width = cap
        lo_w[n] = max(lo_w[n], m - width + 1)
        for i in range(n - 1, -1, -1):  # rare path: make every row reach the next row's start
            lo_w[i] = min(lo_w[i], lo_w[i + 1])
            lo_w[i] = max(lo_w[i], lo_w[i + 1] - width + 1) if i > 0 else 0
    return Band(lo_w.astype(np.int64), width)


def search(lat: tuple, band: Band, n: int, m: int) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Cheapest monotone path from (0, 0) to (n, m) (compiled kernel; `search_reference` is the numpy original,
    kept to check it: both give the same path).

    lat: the bead costs (`cellcost`; cellcost.dense(costs, add_cost) for arrays costs[i, t, c], the cost of a bead of
    type BEAD_TYPES[t] ending at cell (i, band.lo[i] + c), and add_cost[i, c], of a 0-1 bead ending there). Returns
    the visited cells (0,0) .. (n,m) and the cumulative cost of each visited cell.
    """
    a, b = type_sizes()
    d, back = _viterbi(lat, band.lo, band.width, a, b, n, m)
    if not (0 <= m - band.lo[n] < band.width) or not np.isfinite(d[n, m - band.lo[n]]):
        raise RuntimeError("alignment band does not reach the end cell")
    rows, cols, cum = _trace(d, back, band.lo, a, b, n, m)
    return list(zip(rows.tolist(), cols.tolist())), cum


@njit(cache=True, nogil=True)
def _trace(d, back, lo, a, b, n, m):
    """`_backtrace` compiled, for the DP values `d` of `_viterbi`: the cells from (0, 0) to (n, m) and their values."""
    n_types = len(a)
    rows = np.empty(n + m + 1, dtype=np.int64)
    cols = np.empty(n + m + 1, dtype=np.int64)
    cum = np.empty(n + m + 1)
    i, j, k = n, m, 0
    while True:
        rows[k], cols[k], cum[k] = i, j, d[i, j - lo[i]]
        k += 1
        if i == 0 and j == 0:
            break
        t = back[i, j - lo[i]]
        if t == n_types:
            j -= 1
        else:
            i -= a[t]
            j -= b[t]
    return rows[:k][::-1].copy(), cols[:k][::-1].copy(), cum[:k][::-1].copy()


def _backtrace(back: np.ndarray, band: Band, n: int, m: int, cumulative) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The path ending at (n, m) from the bead types in `back`; `cumulative(i, c)` is the DP value of a cell."""
    lo, n_types = band.lo, len(BEAD_TYPES)
    i, j = n, m
    if not (0 <= j - lo[i] < band.width) or not np.isfinite(cumulative(i, j - lo[i])):
        raise RuntimeError("alignment band does not reach the end cell")
    path, cum = [(i, j)], [cumulative(i, j - lo[i])]
    while i > 0 or j > 0:
        t = back[i, j - lo[i]]
        if t == n_types:
            j -= 1
        else:
            i -= BEAD_TYPES[t][0]
            j -= BEAD_TYPES[t][1]
        path.append((i, j))
        cum.append(cumulative(i, j - lo[i]))
    path.reverse()
    cum.reverse()
    return path, np.asarray(cum)


def search_reference(costs: np.ndarray, add_cost: np.ndarray, band: Band, n: int, m: int
                     ) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Cheapest monotone path from (0, 0) to (n, m), one vectorised numpy step per row.

    costs[i, t, c]: cost of a bead of type BEAD_TYPES[t] ending at cell (i, band.lo[i] + c);
    add_cost[i, c]: cost of a 0-1 bead ending there. Returns the visited cells (0,0) .. (n,m) and the cumulative
    cost of each visited cell.
    """
    types = BEAD_TYPES
    rows, width = n + 1, band.width
    lo = band.lo
    pad = width + 8  # a row's values live at [pad, pad + width); everything else is +inf
    stride = width + 2 * pad
    top = max(t[0] for t in types)  # virtual rows above row 0 (a bead reaches this many rows back)
    d = np.full((rows + top) * stride, INF)
    back = np.zeros((rows, width), dtype=np.int8)  # index into types, or len(types) for 0-1
    cols = np.arange(width)
    j_all = band.columns()

    a = np.array([t[0] for t in types], dtype=np.int64)
    b = np.array([t[1] for t in types], dtype=np.int64)
    # Flat offset, for every row and type, of the predecessor of column 0.
    i_idx = np.arange(rows)[:, None]
    prev = i_idx - a[None, :]
    shift = lo[:, None] - lo[np.maximum(prev, 0)] - b[None, :]
    shift = np.clip(shift, -(width + 4), width + 4)
    base = (prev + top) * stride + pad + shift  # (rows, types)

    # Row 0: only additions (0-1) from (0, 0).
    row0 = np.where(j_all[0] == 0, 0.0, INF)
    p = np.cumsum(np.where(cols > 0, add_cost[0], 0.0))
    row0 = np.minimum.accumulate(row0 - p) + p
    row0[j_all[0] > m] = INF
    back[0, :] = len(types)
    d[top * stride + pad: top * stride + pad + width] = row0

    n_types = len(types)
    for i in range(1, rows):
        cand = d[base[i][:, None] + cols[None, :]]
        cand += costs[i]
        best = cand.argmin(axis=0)
        x = cand[best, cols]
        p = np.cumsum(add_cost[i])
        v = x - p
        run = np.minimum.accumulate(v)
        via_add = v > run  # compare the same floats: no rounding makes a tie look like an addition
        y = np.where(via_add, run + p, x)
        y[j_all[i] > m] = INF
        best[via_add] = n_types
        back[i] = best
        start = (i + top) * stride + pad
        d[start:start + width] = y

    return _backtrace(back, band, n, m, lambda i, c: d[(i + top) * stride + pad + c])


# ---------------------------------------------------------------- compiled kernels (numba), same lattice as `search`



@njit(cache=True, nogil=True)
def _cell(lo, width, i, j):
    """(row, band column) of grid cell (i, j), or (-1, -1) when it lies outside the grid or the band."""
    if i < 0 or j < 0:
        return -1, -1
    c = j - lo[i]
    if c < 0 or c >= width:
        return -1, -1
    return i, c


@njit(cache=True, nogil=True)
def _logsumexp(buf, k):
    """log(sum(exp(buf[:k]))): one exp per term and one log per cell (not a log1p per term as pairwise logaddexp)."""
    mx = -np.inf
    for q in range(k):
        if buf[q] > mx:
            mx = buf[q]
    if mx == -np.inf:
        return -np.inf
    acc = 0.0
    for q in range(k):
        acc += np.exp(buf[q] - mx)
    return mx + np.log(acc)


@njit(cache=True, nogil=True)
def _forward(lat, lo, width, a, b, n, m, inv_t, bwd):
    """Log of the summed weight exp(-cost * inv_t) of all paths from (0, 0) to each band cell (i, lo[i] + c).

    With the backward values `bwd` of the same lattice (an empty array for none), also what the confidence lattice's
    EM needs: the expected number of beads of each type over all alignments and, over the beads linking both sides,
    the expected sums of their log size (from the lattice's size table) and its square. A bead's probability is its
    forward term times exp(max + bwd - total), one exp per cell rather than per bead (`confidence._em_stats` is the
    plain version)."""
    rows, n_types, add_cost = len(lo), len(a), lat[ADD]
    link, sizes, centre = lat[LINK], lat[SIZES], lat[SIZE_LAW][2]
    expect = bwd.shape[0] > 0
    total = bwd[0, 0] if expect else 0.0
    counts = np.zeros(n_types)
    w_size, w_size2 = 0.0, 0.0
    fwd = np.full((rows, width), -np.inf)
    buf = np.empty(n_types + 2)
    kind = np.empty(n_types + 2, dtype=np.int64)  # the bead type of each term (-1: the start, n_types: 0-1)
    costs = np.empty((n_types, width))
    for i in range(rows):
        row_costs(lat, i, lo, m, a, b, costs)
        for c in range(width):
            j = lo[i] + c
            if j > m:
                break
            k = 0
            if i == 0 and j == 0:
                buf[k], kind[k] = 0.0, -1
                k += 1
            for t in range(n_types):
                pi, pc = _cell(lo, width, i - a[t], j - b[t])
                if pi < 0:
                    continue
                v = fwd[pi, pc]
                if v != -np.inf:
                    buf[k], kind[k] = v - costs[t, c] * inv_t, t
                    k += 1
            if c > 0 and j > 0:  # 0-1 bead from (i, j - 1)
                v = fwd[i, c - 1]
                if v != -np.inf:
                    buf[k], kind[k] = v - add_cost[i, c] * inv_t, n_types
                    k += 1
            mx = -np.inf
            for q in range(k):
                if buf[q] > mx:
                    mx = buf[q]
            if mx == -np.inf:
                continue
            # log(sum(exp(buf[:k]))) as `_logsumexp` computes it, keeping the terms.
            acc = 0.0
            for q in range(k):
                buf[q] = np.exp(buf[q] - mx)
                acc += buf[q]
            fwd[i, c] = mx + np.log(acc)
            if not expect:
                continue
            g = mx + bwd[i, c] - total
            if not g > -700.0:  # also skips NaN from -inf + inf
                continue
            g = np.exp(g)
            for q in range(k):
                t = kind[q]
                if t < 0 or t == n_types:
                    continue
                p = min(buf[q] * g, 1.0)
                counts[t] += p
                if link[t] >= 0 and a[t] > 0 and b[t] > 0:
                    ls = sizes[i, link[t], c] + centre
                    w_size += p * ls
                    w_size2 += p * ls * ls
    return fwd, counts, w_size, w_size2


@njit(cache=True, nogil=True)
def _backward(lat, lo, width, a, b, n, m, inv_t):
    """Log of the summed weight of all paths from each band cell to (n, m)."""
    rows, n_types, add_cost = len(lo), len(a), lat[ADD]
    bwd = np.full((rows, width), -np.inf)
    buf = np.empty(n_types + 2)
    ring = np.max(a) + 1  # the costs of the rows below this one that a bead can reach
    costs = np.empty((ring, n_types, width))
    slot = np.empty(n_types, dtype=np.int64)
    for i in range(rows - 1, -1, -1):
        if i + 1 < rows:
            row_costs(lat, i + 1, lo, m, a, b, costs[(i + 1) % ring])
        for t in range(n_types):
            slot[t] = (i + a[t]) % ring
        for c in range(width - 1, -1, -1):
            j = lo[i] + c
            if j > m:
                continue
            k = 0
            if i == n and j == m:
                buf[k] = 0.0
                k += 1
            for t in range(n_types):
                ni, nj = i + a[t], j + b[t]
                if ni >= rows or nj > m:
                    continue
                nc = nj - lo[ni]
                if nc < 0 or nc >= width:
                    continue
                v = bwd[ni, nc]
                if v != -np.inf:
                    buf[k] = v - costs[slot[t], t, nc] * inv_t
                    k += 1
            if c + 1 < width and j + 1 <= m:  # 0-1 bead to (i, j + 1)
                v = bwd[i, c + 1]
                if v != -np.inf:
                    buf[k] = v - add_cost[i, c + 1] * inv_t
                    k += 1
            bwd[i, c] = _logsumexp(buf, k)
    return bwd


@njit(cache=True, nogil=True)
def _viterbi(lat, lo, width, a, b, n, m):
    """Cheapest cumulative cost of every band cell and the bead type that reached it (len(a) for a 0-1 bead).
    Ties go to the lower type index, and a 0-1 bead is taken only when strictly cheaper, as in `search_reference`."""
    rows, n_types, add_cost = len(lo), len(a), lat[ADD]
    d = np.full((rows, width), np.inf)
    back = np.zeros((rows, width), dtype=np.int8)
    costs = np.empty((n_types, width))
    for i in range(rows):
        row_costs(lat, i, lo, m, a, b, costs)
        for c in range(width):
            j = lo[i] + c
            if j > m:
                break
            best = 0.0 if i == 0 and j == 0 else np.inf
            arg = n_types
            if i > 0:
                for t in range(n_types):
                    pi, pc = _cell(lo, width, i - a[t], j - b[t])
                    if pi < 0:
                        continue
                    v = d[pi, pc] + costs[t, c]
                    if v < best:
                        best, arg = v, t
            if c > 0:
                v = d[i, c - 1] + add_cost[i, c]
                if v < best:
                    best, arg = v, n_types
            d[i, c] = best
            back[i, c] = arg
    return d, back


PARALLEL_PASSES_MIN = 200_000  # cost entries (rows x bead types x width) from which the two passes run in parallel


def type_sizes() -> tuple[np.ndarray, np.ndarray]:
    """Source and target sentence counts of BEAD_TYPES, as the kernels take them."""
    return (np.array([t[0] for t in BEAD_TYPES], dtype=np.int64), np.array([t[1] for t in BEAD_TYPES], dtype=np.int64))


def forward_backward(lat: tuple, band: Band, n: int, m: int, temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """Log summed weights exp(-cost / temperature) of all paths from (0, 0) to each band cell (forward) and from
    each cell to (n, m) (backward), for the bead costs `lat` (`cellcost`)."""
    a, b = type_sizes()
    args = (lat, band.lo, band.width, a, b, n, m, 1.0 / temperature)
    none = np.zeros((0, 0))
    # A readout: starting a thread costs more than the pass it would move.
    if band.rows * len(a) * band.width < PARALLEL_PASSES_MIN:
        return _forward(*args, none)[0], _backward(*args)
    # The two passes are independent and the kernels release the GIL: one runs on a second core.
    with ThreadPoolExecutor(max_workers=1) as other:
        pending = other.submit(_backward, *args)
        fwd = _forward(*args, none)[0]
        bwd = pending.result()
    return fwd, bwd


def expected_beads(lat: tuple, band: Band, n: int, m: int) -> tuple[np.ndarray, float, float]:
    """Over all alignments weighted exp(-cost) (lat with a size table, `cellcost.with_sizes`): the expected number
    of beads of each type of BEAD_TYPES, and over the beads linking both sides the expected sums of their log size
    and of its square. The backward pass, then the forward pass collecting them (no third pass)."""
    a, b = type_sizes()
    bwd = _backward(lat, band.lo, band.width, a, b, n, m, 1.0)
    _, counts, w_size, w_size2 = _forward(lat, band.lo, band.width, a, b, n, m, 1.0, bwd)
    return counts, w_size, w_size2


def posteriors(lat: tuple, band: Band, n: int, m: int, path: list[tuple[int, int]], temperature: float
               ) -> np.ndarray:
    """Posterior probability of each bead of `path` (consecutive cells) among all alignments in the band, with
    alignments weighted exp(-cost / temperature)."""
    fwd, bwd = forward_backward(lat, band, n, m, temperature)
    cells = np.array(path, dtype=np.int64).reshape(-1, 2)
    a, b = type_sizes()
    return _posteriors(lat, fwd, bwd, band.lo, a, b, n, m, cells[:, 0], cells[:, 1], 1.0 / temperature)


@njit(cache=True, nogil=True)
def _posteriors(lat, fwd, bwd, lo, a, b, n, m, rows, cols, inv_t):
    total = fwd[n, m - lo[n]]
    out = np.empty(len(rows) - 1)
    costs = np.empty((len(a), fwd.shape[1]))
    filled = -1
    for k in range(len(rows) - 1):
        i0, j0, i1, j1 = rows[k], cols[k], rows[k + 1], cols[k + 1]
        c1 = j1 - lo[i1]
        if i1 == i0:
            v = lat[ADD][i1, c1]
        else:
            t = 0
            while a[t] != i1 - i0 or b[t] != j1 - j0:
                t += 1
            if filled != i1:
                row_costs(lat, i1, lo, m, a, b, costs)
                filled = i1
            v = costs[t, c1]
        out[k] = math.exp(min(fwd[i0, j0 - lo[i0]] - v * inv_t + bwd[i1, c1] - total, 0.0))
    return out
