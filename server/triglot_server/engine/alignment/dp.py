"""Dynamic-programming search for a sentence alignment inside a band (no scoring here).

The search space is the grid of cells (i, j) = "the first i source and the first j target sentences are aligned".
A bead of type (a, b) moves from (i - a, j - b) to (i, j). Only cells inside a band are visited: row i holds the
columns lo[i] .. lo[i] + width - 1, so time and memory are O(rows x width) instead of O(rows x columns).

Costs come from the caller as a lattice (`cellcost`): computed where they are read from the level's features, or
dense arrays over the band; the posterior passes, which read every cost many times, take a cost table
(`cellcost.table`, computed once). `search` and `posteriors` run compiled loops (numba); `search_reference` and
`forward_backward_reference` are the plain originals on dense arrays, kept as the references. Beads that stay in
the same row (0-1, an addition) make a row depend on itself; that recurrence is a running minimum:
D[j] = min(X[j], D[j-1] + c[j])  <=>  D[j] = P[j] + min_{k<=j} (X[k] - P[k])  with P the running sum of c,
and in the posterior passes the same unrolling with a log-sum in place of the minimum (`_scan`).
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from triglot_server.engine.alignment import cellcost
from triglot_server.engine.alignment.cellcost import ADD, T_ADD, T_LAW, T_LINK, T_SIZES, row_costs, table_row
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

    a, b = cellcost.type_sizes(types)
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


# The forward and backward passes sum, at every cell, the weights of the beads reaching it: log(sum(exp(term))) over
# up to 12 terms. They work a row at a time, in loops over the row's columns that the compiler turns into vector
# instructions: the terms of each bead type from the rows it comes from, their maximum, exp of their distance to it
# (`_exp_neg`, a polynomial: libm's exp is a call per term and cannot be vectorised, and was most of a pass), then
# the row's own recurrence of 0-1 beads, one column after the other (one exp and one log per cell).
EXP_FLOOR = -40.0  # exp below it is < 4.3e-18: nothing next to the largest term (1) of a sum, nor in a count


@njit(cache=True, nogil=True, fastmath={"contract"})
def _exp_neg(x):
    """exp(x) for x <= 0 to about 1e-14 relative (0 below EXP_FLOOR): exp(x / 64) by its Taylor series to degree 15
    (|x / 64| <= 0.625), squared six times. Plain arithmetic, so a loop of it is vectorised."""
    y = max(x, EXP_FLOOR) * 0.015625
    p = 1.0 / 1307674368000.0
    p = p * y + 1.0 / 87178291200.0
    p = p * y + 1.0 / 6227020800.0
    p = p * y + 1.0 / 479001600.0
    p = p * y + 1.0 / 39916800.0
    p = p * y + 1.0 / 3628800.0
    p = p * y + 1.0 / 362880.0
    p = p * y + 1.0 / 40320.0
    p = p * y + 1.0 / 5040.0
    p = p * y + 1.0 / 720.0
    p = p * y + 1.0 / 120.0
    p = p * y + 1.0 / 24.0
    p = p * y + 1.0 / 6.0
    p = p * y + 0.5
    p = p * y + 1.0
    p = p * y + 1.0
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    return p if x > EXP_FLOOR else 0.0


@njit(cache=True, nogil=True, fastmath={"contract"})
def _sum_terms(terms, hi, mx, acc, keep):
    """Per column c < hi: mx[c] = the largest of terms[:, c] (0 when all are -inf) and acc[c] = sum of exp(terms[:, c]
    - mx[c]), so that log(sum(exp(terms[:, c]))) = mx[c] + log(acc[c]) (-inf when acc[c] is 0). keep: terms becomes
    those exps (a bead's probability is its exp times exp(mx + the other pass's value - total))."""
    n_terms = terms.shape[0]
    for c in range(hi):
        mx[c] = -np.inf
        acc[c] = 0.0
    for q in range(n_terms):
        tq = terms[q]
        for c in range(hi):
            if tq[c] > mx[c]:
                mx[c] = tq[c]
    for c in range(hi):
        if mx[c] == -np.inf:
            mx[c] = 0.0
    for q in range(n_terms):
        tq = terms[q]
        if keep:
            for c in range(hi):
                tq[c] = _exp_neg(tq[c] - mx[c])
                acc[c] += tq[c]
        else:
            for c in range(hi):
                acc[c] += _exp_neg(tq[c] - mx[c])


@njit(cache=True, nogil=True, fastmath={"contract"})
def _scan(mx, acc, w, out, pre, top, e1, e2):
    """The row's own recurrence of 0-1 beads, out[c] = log(exp(x[c]) + exp(out[c - 1] + w[c])) in scan order, with
    x[c] = mx[c] + log(acc[c]) (`_sum_terms`). Unrolled, out[c] = pre[c] + log(sum over k <= c of exp(x[k] - pre[k]))
    with pre the running sum of w: the running maximum `top` of mx - pre and the rescaled sum are chains of a max and
    of a multiply-add, and the exps (vectorised) and logs are off the chains, which a cell-by-cell logaddexp has on
    them (latency-bound, most of a pass). An impossible step (w = -inf) starts the sums again."""
    k = len(out)
    run, last = 0.0, -np.inf
    for c in range(k):
        if c > 0:
            run += w[c]
        if run == -np.inf:  # no 0-1 bead into c: the recurrence starts again here
            run, last = 0.0, -np.inf
        pre[c] = run
        z = mx[c] - run if acc[c] > 0.0 else -np.inf
        e1[c] = last  # the previous maximum, for the rescaling below
        last = max(last, z)
        top[c] = last
        e2[c] = z
    for c in range(k):
        e1[c] = _exp_neg(e1[c] - top[c])  # 0 after a restart or before the first term (-inf - x, NaN)
        e2[c] = acc[c] * _exp_neg(e2[c] - top[c])
    total = 0.0
    for c in range(k):
        total = total * e1[c] + e2[c]
        e1[c] = total
    for c in range(k):
        out[c] = pre[c] + top[c] + math.log(e1[c]) if e1[c] > 0.0 else -np.inf


@njit(cache=True, nogil=True, fastmath={"contract"})
def _collect(tab, e, mx, other, total, hi, row, link, b, off, stats, g, p):
    """Add to stats (counts per type, then the sums of log size and of its square) the probabilities of the beads
    whose exps relative to mx are e[t] (`_sum_terms`), at band row i where the other pass has `other`; bead type t's
    end cell is band cell c + off[t] of row[t] (its log size is read there)."""
    sizes, centre = tab[T_SIZES], tab[T_LAW][2]
    n_types = len(link)
    for c in range(hi):
        g[c] = _exp_neg(min(mx[c] + other[c] - total, 0.0))
    for t in range(n_types):
        if row[t] < 0:
            continue
        et, sp = e[t], 0.0
        for c in range(hi):
            p[c] = et[c] * g[c]
        for c in range(hi):
            sp += p[c]
        stats[t] += sp
        if link[t] >= 0 and b[t] > 0 and sizes.shape[0] > 0:
            size, o = sizes[row[t], link[t]], off[t]
            ss, ss2 = 0.0, 0.0
            for c in range(max(0, -o), min(hi, len(size) - o)):
                ls = size[c + o] + centre
                ss += p[c] * ls
                ss2 += p[c] * ls * ls
            stats[n_types] += ss
            stats[n_types + 1] += ss2


@njit(cache=True, nogil=True)
def _forward(tab, lo, width, a, b, n, m, inv_t, fwd, r0, r1, bwd, total):
    """Rows r0 .. r1 - 1 of the forward pass into fwd (the rows above already there): the log of the summed weight
    exp(-cost * inv_t) of all paths from (0, 0) to each band cell (i, lo[i] + c), for the costs of a cost table
    (`cellcost.table`). With the backward values bwd of those rows (an empty array for none) and the log total
    weight, also the EM statistics (`expected_beads`) of the beads ending in those rows, returned as counts per type
    then the sums of log size and of its square."""
    n_types, add_cost = len(a), tab[T_ADD]
    expect = bwd.shape[0] > 0
    stats = np.zeros(n_types + 2)
    costs = np.empty((n_types, width))
    terms = np.empty((n_types, width))
    mx, acc, w = np.empty(width), np.empty(width), np.empty(width)
    scratch = (np.empty(width), np.empty(width), np.empty(width), np.empty(width))
    row, off = np.empty(n_types, dtype=np.int64), np.zeros(n_types, dtype=np.int64)
    for i in range(r0, r1):
        table_row(tab, i, inv_t, costs)
        hi = min(width, m - lo[i] + 1)  # the columns with j <= m
        if hi <= 0:
            continue
        for t in range(n_types):  # bead type t from (i - a, j - b): band column c + d of row i - a
            tt = terms[t]
            tt[:hi] = -np.inf
            pi = i - a[t]
            row[t] = i if pi >= 0 else -1
            if pi < 0:
                continue
            d = lo[i] - b[t] - lo[pi]
            prev, ct = fwd[pi], costs[t]
            for c in range(max(0, -d), min(hi, width - d)):
                tt[c] = prev[c + d] - ct[c]
        _sum_terms(terms, hi, mx, acc, expect)
        if expect:
            _collect(tab, terms, mx, bwd[i], total, hi, row, tab[T_LINK], b, off, stats, *scratch[:2])
        if i == 0 and lo[0] == 0:  # the start
            mx[0], acc[0] = (mx[0], acc[0] + math.exp(-mx[0])) if acc[0] > 0.0 else (0.0, 1.0)
        w[0] = 0.0
        for c in range(1, hi):  # 0-1 bead from (i, j - 1)
            w[c] = -add_cost[i, c] * inv_t
        _scan(mx[:hi], acc[:hi], w[:hi], fwd[i, :hi], *scratch)
    return stats


@njit(cache=True, nogil=True)
def _backward(tab, lo, width, a, b, n, m, inv_t, bwd, r0, r1, fwd, total, last):
    """Rows r1 - 1 down to r0 of the backward pass into bwd (the rows below already there): the log of the summed
    weight of all paths from each band cell to (n, m). With the forward values fwd of those rows (an empty array
    for none), also the EM statistics of the beads from those rows that end in a row <= last (as `_forward`)."""
    rows, n_types, add_cost = len(lo), len(a), tab[T_ADD]
    expect = fwd.shape[0] > 0
    stats = np.zeros(n_types + 2)
    ring = np.max(a) + 1  # the costs of the rows below this one that a bead can reach
    costs = np.empty((ring, n_types, width))
    for q in range(r1, min(r1 + ring - 1, rows)):
        table_row(tab, q, inv_t, costs[q % ring])
    terms = np.empty((n_types, width))
    mx, acc, w = np.empty(width), np.empty(width), np.empty(width)
    scratch = (np.empty(width), np.empty(width), np.empty(width), np.empty(width))
    row, off = np.empty(n_types, dtype=np.int64), np.empty(n_types, dtype=np.int64)
    for i in range(r1 - 1, r0 - 1, -1):
        if i + 1 < rows:
            table_row(tab, i + 1, inv_t, costs[(i + 1) % ring])
        hi = min(width, m - lo[i] + 1)
        if hi <= 0:
            continue
        for t in range(n_types):  # bead type t to (i + a, j + b): band column c + d of row i + a
            tt = terms[t]
            tt[:hi] = -np.inf
            ni = i + a[t]
            row[t] = ni if ni < rows and ni <= last else -1
            if ni >= rows:
                continue
            d = lo[i] + b[t] - lo[ni]
            off[t] = d
            nxt, ct = bwd[ni], costs[ni % ring, t]
            for c in range(max(0, -d), min(hi, width - d, m - lo[i] - b[t] + 1)):
                tt[c] = nxt[c + d] - ct[c + d]
        _sum_terms(terms, hi, mx, acc, expect)
        if expect:
            _collect(tab, terms, mx, fwd[i], total, hi, row, tab[T_LINK], b, off, stats, *scratch[:2])
        if i == n and lo[i] + hi - 1 == m:  # the end
            c = hi - 1
            mx[c], acc[c] = (mx[c], acc[c] + math.exp(-mx[c])) if acc[c] > 0.0 else (0.0, 1.0)
        # Right to left: the scan's step into column c is the 0-1 bead from (i, j) to (i, j + 1).
        for c in range(hi - 1):
            w[c] = -add_cost[i, c + 1] * inv_t
        w[hi - 1] = 0.0
        _scan(mx[:hi][::-1], acc[:hi][::-1], w[:hi][::-1], bwd[i, :hi][::-1], *scratch)
    return stats


@njit(cache=True, nogil=True)
def _cut_total(tab, fwd, bwd, lo, a, b, m, h, inv_t):
    """Log total weight of all paths, from the forward values of rows <= h and the backward values of rows > h:
    every path crosses between them by exactly one bead."""
    rows, n_types, width = len(lo), len(a), fwd.shape[1]
    costs = np.empty((n_types, width))
    top, acc = 0.0, 0.0
    for i in range(h + 1, min(h + 1 + np.max(a), rows)):
        table_row(tab, i, inv_t, costs)
        for t in range(n_types):
            pi = i - a[t]
            if pi < 0 or pi > h:
                continue
            d = lo[i] - b[t] - lo[pi]
            for c in range(max(0, -d), min(width, width - d, m - lo[i] + 1)):
                v = fwd[pi, c + d] - costs[t, c] + bwd[i, c]
                if v == -np.inf:
                    continue
                if acc == 0.0:
                    top, acc = v, 1.0
                elif v <= top:
                    acc += math.exp(v - top)
                else:
                    top, acc = v, acc * math.exp(top - v) + 1.0
    return top + math.log(acc) if acc > 0.0 else -np.inf


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


PARALLEL_PASSES_MIN = 200_000  # cost entries (rows x bead types x width) from which the passes run in parallel


def type_sizes() -> tuple[np.ndarray, np.ndarray]:
    """Source and target sentence counts of BEAD_TYPES, as the kernels take them."""
    return cellcost.type_sizes(BEAD_TYPES)


def _parallel(band: Band, *calls):
    """The results of calls (function, args...); the kernels release the GIL, so on a large band all but the first
    run on other cores. A readout: starting a thread costs more than the pass it would move."""
    if band.rows * len(BEAD_TYPES) * band.width < PARALLEL_PASSES_MIN:
        return [f(*args) for f, *args in calls]
    with ThreadPoolExecutor(max_workers=len(calls) - 1) as other:
        pending = [other.submit(f, *args) for f, *args in calls[1:]]
        first = calls[0][0](*calls[0][1:])
        return [first] + [p.result() for p in pending]


def _passes(tab: tuple, band: Band, n: int, m: int, inv_t: float, expect: bool
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The forward and backward values (and with `expect`, the EM statistics as `_forward` returns them). The two
    passes are independent and run side by side; the statistics need both, so with `expect` each pass first does
    its half of the rows (forward the top half, backward the bottom), then the other half, collecting them there
    from the other pass's half: no third pass, and still both cores."""
    a, b = type_sizes()
    rows, width, lo = band.rows, band.width, band.lo
    fwd, bwd = np.full((rows, width), -np.inf), np.full((rows, width), -np.inf)
    args = (tab, lo, width, a, b, n, m, inv_t)
    none = np.zeros((0, 0))
    if not expect:
        _parallel(band, (_forward, *args, fwd, 0, rows, none, 0.0), (_backward, *args, bwd, 0, rows, none, 0.0, n))
        return fwd, bwd, None
    h = (rows - 1) // 2
    _parallel(band, (_forward, *args, fwd, 0, h + 1, none, 0.0), (_backward, *args, bwd, h + 1, rows, none, 0.0, n))
    total = _cut_total(tab, fwd, bwd, lo, a, b, m, h, inv_t)
    below, above = _parallel(band, (_forward, *args, fwd, h + 1, rows, bwd, total),
                             (_backward, *args, bwd, 0, h + 1, fwd, total, h))
    return fwd, bwd, below + above


def forward_backward(tab: tuple, band: Band, n: int, m: int, temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """Log summed weights exp(-cost / temperature) of all paths from (0, 0) to each band cell (forward) and from
    each cell to (n, m) (backward), for the bead costs of a cost table (`cellcost.table`)."""
    fwd, bwd, _ = _passes(tab, band, n, m, 1.0 / temperature, False)
    return fwd, bwd


def expected_beads(tab: tuple, band: Band, n: int, m: int) -> tuple[np.ndarray, float, float]:
    """Over all alignments weighted exp(-cost) (a cost table with sizes, `cellcost.with_sizes`): the expected number
    of beads of each type of BEAD_TYPES, and over the beads linking both sides the expected sums of their log size
    and of its square (`confidence._em_stats` is the plain version)."""
    stats = _passes(tab, band, n, m, 1.0, True)[2]
    k = len(BEAD_TYPES)
    return stats[:k], float(stats[k]), float(stats[k + 1])


def forward_backward_reference(costs: np.ndarray, add_cost: np.ndarray, band: Band, n: int, m: int,
                               temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """`forward_backward` on dense arrays (as `search_reference` takes them), cell by cell with numpy's logaddexp of
    each term: the reference of the kernels."""
    lo, width, rows = band.lo, band.width, band.rows
    fwd, bwd = np.full((rows, width), -np.inf), np.full((rows, width), -np.inf)

    def at(values: np.ndarray, i: int, j: int) -> float:
        c = j - lo[i] if 0 <= i < rows else -1
        return values[i, c] if 0 <= j <= m and 0 <= c < width else -np.inf

    for i in range(rows):
        for c in range(min(width, m - lo[i] + 1)):
            j = lo[i] + c
            v = 0.0 if i == j == 0 else -np.inf
            for t, (x, y) in enumerate(BEAD_TYPES):
                if i >= x and j >= y:
                    v = np.logaddexp(v, at(fwd, i - x, j - y) - costs[i, t, c] / temperature)
            if c > 0:
                v = np.logaddexp(v, fwd[i, c - 1] - add_cost[i, c] / temperature)
            fwd[i, c] = v
    for i in range(rows - 1, -1, -1):
        for c in range(min(width, m - lo[i] + 1) - 1, -1, -1):
            j = lo[i] + c
            v = 0.0 if (i, j) == (n, m) else -np.inf
            for t, (x, y) in enumerate(BEAD_TYPES):
                nc = j + y - lo[i + x] if i + x < rows else -1
                if j + y <= m and 0 <= nc < width:
                    v = np.logaddexp(v, bwd[i + x, nc] - costs[i + x, t, nc] / temperature)
            if j + 1 <= m and c + 1 < width:
                v = np.logaddexp(v, bwd[i, c + 1] - add_cost[i, c + 1] / temperature)
            bwd[i, c] = v
    return fwd, bwd


def posteriors(tab: tuple, band: Band, n: int, m: int, path: list[tuple[int, int]], temperature: float
               ) -> np.ndarray:
    """Posterior probability of each bead of `path` (consecutive cells) among all alignments in the band, with
    alignments weighted exp(-cost / temperature), for the costs of a cost table (`cellcost.table`)."""
    fwd, bwd = forward_backward(tab, band, n, m, temperature)
    cells = np.array(path, dtype=np.int64).reshape(-1, 2)
    a, b = type_sizes()
    return _posteriors(tab, fwd, bwd, band.lo, a, b, n, m, cells[:, 0], cells[:, 1], 1.0 / temperature)


@njit(cache=True, nogil=True)
def _posteriors(tab, fwd, bwd, lo, a, b, n, m, rows, cols, inv_t):
    total = fwd[n, m - lo[n]]
    out = np.empty(len(rows) - 1)
    costs = np.empty((len(a), fwd.shape[1]))
    filled = -1
    for k in range(len(rows) - 1):
        i0, j0, i1, j1 = rows[k], cols[k], rows[k + 1], cols[k + 1]
        c1 = j1 - lo[i1]
        if i1 == i0:
            v = tab[T_ADD][i1, c1] * inv_t
        else:
            t = 0
            while a[t] != i1 - i0 or b[t] != j1 - j0:
                t += 1
            if filled != i1:
                table_row(tab, i1, inv_t, costs)
                filled = i1
            v = costs[t, c1]
        out[k] = math.exp(min(fwd[i0, j0 - lo[i0]] - v + bwd[i1, c1] - total, 0.0))
    return out
