"""The cost of one bead at one band cell, computed where a DP kernel reads it: no (rows, bead types, width) array.

On Bible 006's finest level that array was 124 MiB, written once by `scoring` and read by every pass of the search
and the confidence lattice. A pass now computes each cost from the level's features (lengths, per-channel cosines)
and parameters: the length term, the bead-type prior and the channel evidence of a bead linking both sides, in the
same float operations as the numpy original (`scoring.score_reference`), so costs are equal bit for bit. The 1-0 and
0-1 costs, which carry neighbourhood adjustments (`scoring.isolated_gaps`, `scoring.edge_gaps`), stay (rows, width)
arrays. The confidence lattice, whose passes read every cost eight times, computes them once into a cost table
(`table`: float32 on a book, 62 MiB on 006) and adds a size cost and a per-type shift on top (`with_sizes`), reading
log sizes from a float32 table of their deviations from a typical size (57 MiB on 006); its confidences move by at
most 2.4e-7 on Bible 006 from float64 costs computed where read.

A lattice is a tuple (numba reads it as a struct), built by `fused` or, from dense cost arrays, by `dense` (tests,
references). Bead type t is dp.BEAD_TYPES[t]; the 0-1 bead is separate (its cost is always the array `add`).
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from triglot_server.engine.alignment.compiled import njit

# Field positions in the lattice tuple.
DENSE, SKIP, ADD, LINK, LX, LY, COS, CHANNELS, PRIOR, EVIDENCE, THRESHOLD, TERMS = range(12)


def _no_sizes() -> tuple:
    """A cost table's size fields when it has none."""
    return np.zeros((0, 0, 0), dtype=np.float32), np.zeros(3), np.zeros((1,))


def fused(types: tuple, skip: np.ndarray, add: np.ndarray, lx: dict, ly: dict, cos: dict, prior: dict,
          weight: tuple, threshold: tuple, terms: tuple) -> tuple:
    """Lattice computing linking costs from features: lx[t] (rows,), ly[t] (rows, width) and cos[t] (per channel,
    float32 (rows, width)) for every linking type t; weight/threshold per channel; terms = (ratio, var, phrase,
    length weight). skip: 1-0 costs and add: 0-1 costs, (rows, width) each."""
    linking = [t for t in types if t[0] and t[1]]
    link = np.array([linking.index(t) if t in linking else -1 for t in types], dtype=np.int64)
    channels = len(cos[linking[0]]) if linking else 0
    # Per (linking type, channel): (a + b) / 2 * weight in float32, as numpy computes it with the float32 cosines.
    evidence = np.array([[(a + b) / 2 * w for w in weight] for a, b in linking], dtype=np.float32).reshape(
        len(linking), channels)
    flat = tuple(np.ascontiguousarray(c) for t in linking for c in cos[t])
    placeholder = np.zeros((1, 1), dtype=np.float32)
    return (np.zeros((0, 0, 0)), np.ascontiguousarray(skip, dtype=np.float64), np.ascontiguousarray(add), link,
            np.stack([np.ascontiguousarray(lx[t], dtype=np.float64).reshape(-1) for t in linking]),
            tuple(np.ascontiguousarray(ly[t], dtype=np.float64) for t in linking),
            flat if flat else (placeholder,), channels,
            np.array([prior[t] for t in linking], dtype=np.float64), evidence,
            np.array(threshold, dtype=np.float32).reshape(channels), np.array(terms, dtype=np.float64))


def dense(costs: np.ndarray, add: np.ndarray) -> tuple:
    """Lattice reading costs[i, t, c] (bead type t ending at band cell (i, c)) and add[i, c] (0-1 beads)."""
    types = costs.shape[1]
    one = np.zeros((1, 1))
    return (np.ascontiguousarray(costs, dtype=np.float64), one, np.ascontiguousarray(add, dtype=np.float64),
            np.full(types, -1, dtype=np.int64), np.zeros((1, 1)), (one,), (np.zeros((1, 1), dtype=np.float32),),
            0, np.zeros(1), np.zeros((1, 0), dtype=np.float32), np.zeros(0, dtype=np.float32), np.zeros(4))


# A cost table: a lattice's costs computed once (`table`), for the confidence lattice, whose passes read every cost
# eight times on a document (three EM rounds of a forward and a backward pass, the final pair): computing them again
# from the features (`row_costs`) was most of a pass's time. Fields: costs (rows, types, width) (inf where no bead
# can end), the 0-1 costs, link[t] (the type's index in the size table, -1 for none), the size table, its law
# (centre - mu, 1 / sd, centre) and the per-type shifts (`with_sizes`).
COSTS, T_ADD, T_LINK, T_SIZES, T_LAW, T_SHIFT = range(6)
SIZE_BLOCK = 2048  # rows of log sizes computed at a time (float64, before the table's float32)
TABLE_PARALLEL_MIN = 200_000  # cost entries from which the table is computed on two cores


def type_sizes(types: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Source and target sentence counts of each bead type of `types`, as the kernels take them (dp.type_sizes is
    this for dp.BEAD_TYPES; this module cannot import dp, which imports it)."""
    return np.array([t[0] for t in types], dtype=np.int64), np.array([t[1] for t in types], dtype=np.int64)


def table(lat: tuple, types: tuple, lo: np.ndarray, width: int, m: int, dtype: type = np.float64) -> tuple:
    """The cost table of the lattice, without sizes. float32 halves its memory (62 MiB on Bible 006, not 124): a
    cost below 40 keeps 3e-6 of its precision, which moves confidences by less than 1e-5."""
    a, b = type_sizes(types)
    link = lat[LINK]
    if lat[DENSE].shape[0]:  # a dense lattice's linking types index the size table in type order
        link = np.array([k if x and y else -1 for k, (x, y) in enumerate(types)], dtype=np.int64)
    out = np.empty((len(lo), len(a), width), dtype=dtype)
    half = len(lo) // 2
    if out.size < TABLE_PARALLEL_MIN:
        _table(lat, lo, m, a, b, out, 0, len(lo))
    else:  # the kernel releases the GIL: half the rows on another core
        with ThreadPoolExecutor(max_workers=1) as other:
            pending = other.submit(_table, lat, lo, m, a, b, out, half, len(lo))
            _table(lat, lo, m, a, b, out, 0, half)
            pending.result()
    return (out, lat[ADD], link, *_no_sizes())


@njit(cache=True, nogil=True)
def _table(lat, lo, m, a, b, out, r0, r1):
    row = np.empty(out.shape[1:])
    for i in range(r0, r1):
        row_costs(lat, i, lo, m, a, b, row)
        out[i] = row


def with_sizes(tab: tuple, sizes: np.ndarray, centre: float, mu: float, sd: float, shift: np.ndarray) -> tuple:
    """The cost table with a size cost on every bead linking both sides, 0.5 ((log size - mu) / sd)^2, and shift[t]
    added to type t. sizes: `size_table` (log sizes less `centre`, float32: the deviation from a typical size keeps
    float64's precision where it matters, at half the memory)."""
    return tab[:T_SIZES] + (sizes, np.array([centre - mu, 1.0 / sd, centre]), np.asarray(shift, dtype=np.float64))


def size_table(tab: tuple, types: tuple, lo: np.ndarray, width: int, m: int, cx: np.ndarray, cy: np.ndarray,
               inv_ratio: float, centre: float) -> np.ndarray:
    """Log size less `centre` of every bead linking both sides at every band cell, float32 (rows, linking types,
    width), in the table's order of linking types (its link)."""
    a, b = type_sizes(types)
    link = tab[T_LINK]
    out = np.empty((len(lo), max(int(link.max()) + 1, 0), width), dtype=np.float32)
    # Blocks of rows: numpy's log is vectorised (libm's, called from a loop, was most of the table's time).
    block = np.empty((min(SIZE_BLOCK, len(lo)),) + out.shape[1:])
    for r0 in range(0, len(lo), len(block)):
        part = block[:len(lo) - r0]
        _size_sums(lo, width, m, a, b, link, cx, cy, inv_ratio, r0, part)
        np.log(part, out=part)
        part -= centre
        out[r0:r0 + len(part)] = part
    return out


@njit(cache=True, nogil=True)
def _size_sums(lo, width, m, a, b, link, cx, cy, inv_ratio, r0, out):
    """out[i - r0, k, c] = the size of the bead of linking type k ending at band cell (i, c), for rows r0 ..
    r0 + len(out) - 1 (1 where none can end: log 0)."""
    out[:] = 1.0
    for i in range(r0, r0 + len(out)):
        for t in range(len(a)):
            k = link[t]
            if k < 0 or a[t] == 0 or b[t] == 0 or i < a[t]:
                continue
            for c in range(width):
                j = lo[i] + c
                if j > m:
                    break
                if j >= b[t]:
                    out[i - r0, k, c] = bead_size(cx, cy, inv_ratio, i, j, a[t], b[t])


@njit(cache=True, nogil=True)
def table_row(tab, i, inv_t, out):
    """out[t, c] = inv_t times the cost of a bead of type t ending at band cell (i, c), read from a cost table: its
    cost plus, on a linking type when the table has sizes, the size cost and the type's shift (inf where none can
    end)."""
    costs, add, link, sizes, law, shift = tab
    n_types, width = out.shape
    offset, inv_sd = law[0], law[1]
    for t in range(n_types):
        o, base, k = out[t], costs[i, t], link[t]
        if k >= 0 and sizes.shape[0] > 0:
            size, st = sizes[i, k], shift[t]
            for c in range(width):
                z = (size[c] + offset) * inv_sd
                o[c] = (base[c] + (0.5 * z * z + st)) * inv_t
        else:
            for c in range(width):
                o[c] = base[c] * inv_t


@njit(cache=True, nogil=True)
def bead_size(cx, cy, inv_ratio, i, j, a, b):
    """Size of the bead of a source and b target sentences ending at cell (i, j): source characters plus target
    characters in source units, one size for both sides (at least 1)."""
    return max(cx[i] - cx[i - a] + (cy[j] - cy[j - b]) * inv_ratio, 1.0)


@njit(cache=True, nogil=True)
def log_size(cx, cy, inv_ratio, i, j, a, b):
    return math.log(bead_size(cx, cy, inv_ratio, i, j, a, b))


@njit(cache=True, nogil=True)
def row_costs(lat, i, lo, m, a, b, out):
    """out[t, c] = cost of a bead of type t (a[t] source, b[t] target sentences) ending at band cell (i, c); inf
    where no such bead can end (i < a[t], column j < b[t] or j > m). A kernel fills a row at a time: unpacking the
    lattice per cell would count references to its arrays per cell (numba), several times the cost itself."""
    dense, skip, add, link, lx, ly, cos, channels, prior, evidence, threshold, terms = lat
    ratio, var, phrase, weight = terms[0], terms[1], terms[2], terms[3]
    n_types, width = out.shape
    j0 = lo[i]
    none = np.zeros(width, dtype=np.float32)  # a missing channel: its evidence 0 * (0 - 0) leaves a cost unchanged
    for t in range(n_types):
        k = link[t]
        o = out[t]
        lo_c = max(b[t] - j0, 0)  # first column with j >= b[t]
        hi_c = min(width, m - j0 + 1)  # past the last column with j <= m
        if i < a[t] or lo_c >= hi_c:
            o[:] = np.inf
            continue
        o[:lo_c] = np.inf
        o[hi_c:] = np.inf
        if dense.shape[0] > 0:
            o[lo_c:hi_c] = dense[i, t, lo_c:hi_c]
        elif k < 0:
            o[lo_c:hi_c] = skip[i, lo_c:hi_c]
            continue
        else:
            rx, y, p = ratio * lx[k, i], ly[k][i], prior[k]
            # The first two channels in the same loop (one pass over the row), the others after, in channel order.
            e0, th0, s0 = (evidence[k, 0], threshold[0], cos[k * channels][i]) if channels > 0 else \
                (np.float32(0.0), np.float32(0.0), none)
            e1, th1, s1 = (evidence[k, 1], threshold[1], cos[k * channels + 1][i]) if channels > 1 else \
                (np.float32(0.0), np.float32(0.0), none)
            for c in range(lo_c, hi_c):
                d = y[c] - rx
                v = d * d / (var * max(rx + y[c], 1.0) + phrase)
                v *= weight
                v = v + p
                v -= e0 * (s0[c] - th0)
                v -= e1 * (s1[c] - th1)
                o[c] = v
            for q in range(2, channels):
                e, th, sim = evidence[k, q], threshold[q], cos[k * channels + q][i]
                for c in range(lo_c, hi_c):
                    o[c] -= e * (sim[c] - th)
