"""Parameter-free evidence of every bead type at every band cell of one pyramid level: lengths and, per channel,
cosines of merged beads (computed once per band; `scoring` turns them into costs for given parameters)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from triglot_server.engine.alignment import dp
from triglot_server.engine.alignment.channels import Channel, band_dots
from triglot_server.engine.alignment.compiled import njit

TYPES = dp.BEAD_TYPES  # 1-1, 1-0, 1-2, 2-1, 2-2, 1-3, 3-1, 2-3, 3-2, 1-4, 4-1; 0-1 is separate
PARALLEL_CELLS_MIN = 100_000  # band cells from which a channel's cosines are computed on two threads


@dataclass
class Level:
    n: int
    m: int
    lx: np.ndarray  # chars per source unit
    ly: np.ndarray
    channels: list[Channel]
    factor: int = 1  # sentences per unit at this level
    # Per sentence (finest level only): the caller's analysis expects it to have no counterpart (news lead, dateline).
    gap_hint_x: np.ndarray | None = None
    gap_hint_y: np.ndarray | None = None

    def downsample(self, f: int) -> "Level":
        def blocks(v: np.ndarray) -> np.ndarray:
            return np.add.reduceat(v, np.arange(0, len(v), f)) if len(v) else v

        chans = [replace(c, x=c.x.downsample(f), y=c.y.downsample(f)) for c in self.channels]
        return Level(-(-self.n // f), -(-self.m // f), blocks(self.lx), blocks(self.ly), chans, self.factor * f)


def prefix(v: np.ndarray) -> np.ndarray:
    """Prefix sums with a leading 0: prefix(v)[i] is the sum of the first i values (index i = DP index i)."""
    return np.concatenate([[0.0], np.cumsum(v)])


def span(cum: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """Sum of k consecutive units ending before DP index idx (prefix sums `cum`, cum[0] = 0)."""
    return cum[idx] - cum[np.maximum(idx - k, 0)]


def shift_rows(a: np.ndarray, band: dp.Band, da: int, db: int) -> np.ndarray:
    """out[i, c] = a[i - da, column (j - db)] where j = lo[i] + c, zero outside the band (compiled copy loop)."""
    if da == 0 and db == 0:
        return a
    return _shift_rows(a, band.lo, da, db)


@njit(cache=True, nogil=True)
def _shift_rows(a, lo, da, db):
    rows, width = a.shape
    out = np.zeros_like(a)
    for i in range(max(da, 0), rows):
        p = i - da
        shift = lo[i] - lo[p] - db
        for c in range(max(0, -shift), min(width, width - shift)):
            out[i, c] = a[p, c + shift]
    return out


def shift_rows_reference(a: np.ndarray, band: dp.Band, da: int, db: int) -> np.ndarray:
    """`shift_rows` in numpy (the original, kept to check the compiled copy against)."""
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
class Features:
    """Parameter-free evidence of every bead type at every band cell of one level (computed once per band)."""

    lx: dict  # (a, b) -> source length of the bead, shape (rows, 1)
    ly: dict  # (a, b) -> target length, shape (rows, width)
    cos: dict  # (a, b) -> list (per channel) of cosines, shape (rows, width)
    skip_x: np.ndarray  # length of the source sentence a 1-0 bead omits, (rows,)
    skip_y: np.ndarray  # length of the target sentence a 0-1 bead adds, (rows, width) (the array ly[(1, 1)]: read only)
    columns: np.ndarray  # j of every band cell, (rows, width)
    m: int
    gap_hint_x: np.ndarray | None = None  # bool per source sentence: likely without counterpart (Level.gap_hint_x)
    gap_hint_y: np.ndarray | None = None


def by_column(v: np.ndarray, band: dp.Band) -> np.ndarray:
    """v[clip(j, 0, len(v) - 1)] at every band cell, (rows, width): each row a slice of v (compiled copy loop)."""
    return _by_column(v, band.lo, band.width)


@njit(cache=True, nogil=True)
def _by_column(v, lo, width):
    out = np.empty((len(lo), width), dtype=v.dtype)
    last = len(v) - 1
    for i in range(len(lo)):
        for c in range(width):
            out[i, c] = v[min(max(lo[i] + c, 0), last)]
    return out


def features(level: Level, band: dp.Band) -> Features:
    m = level.m
    i = np.arange(band.rows)
    j = np.arange(m + 1)  # the target spans by column, then laid out on the band's cells (by_column)
    cx, cy = prefix(level.lx), prefix(level.ly)
    match = [t for t in TYPES if t[0] and t[1]]
    cos: dict = {t: [] for t in match}
    for ch in level.channels:
        for t, sim in zip(match, channel_cosines(ch, band, m, match)):
            cos[t].append(sim)
    ly = {b: by_column(span(cy, j, b), band) for b in {t[1] for t in match}}  # shared by the types with b targets
    return Features(lx={t: span(cx, i, t[0])[:, None] for t in match},
                     ly={t: ly[t[1]] for t in match},
                     cos=cos, skip_x=span(cx, i, 1), skip_y=ly[1], columns=band.columns(), m=m,
                     gap_hint_x=level.gap_hint_x, gap_hint_y=level.gap_hint_y)


def channel_cosines(ch: Channel, band: dp.Band, m: int, match: list) -> list[np.ndarray]:
    """One channel's similarity of every bead type in `match` at every band cell, float32 (rows, width) each:
    the cosine of the merged texts, mixed for a merged bead with its members' cosines (MERGE_MIX). A compiled
    loop over the cells from the band's dot products and 1-D norm tables (no (rows, width) temporaries);
    `channel_cosines_reference` is the numpy original, which it matches float for float."""
    max_a, max_b = max(a for a, _ in match), max(b for _, b in match)

    def norms() -> tuple:
        xn, yn = ch.x.span_norms(max_a - 1), ch.y.span_norms(max_b - 1)
        nx = merged_norms(xn, np.arange(band.rows), range(1, max_a + 1))  # by row i
        ny = merged_norms(yn, np.arange(m + 1), range(1, max_b + 1))  # by column j (cells past m read j = m)
        return (np.stack([nx[a] for a in range(1, max_a + 1)]), np.stack([ny[b] for b in range(1, max_b + 1)]),
                prefix(xn[0]), prefix(yn[0]))

    sims = np.empty((len(match), band.rows, band.width), dtype=np.float32)
    types = (np.array([a for a, _ in match]), np.array([b for _, b in match]))
    if band.rows * band.width < PARALLEL_CELLS_MIN:  # a readout: starting a thread costs more than it moves
        _cosines(band_dots(ch.x, ch.y, band), band.lo, m, *types, *norms(), float(ch.merge_mix), bool(ch.weakest),
                 sims, 0, band.rows)
        return list(sims)
    # The kernels release the GIL: the norms are computed on a second core while this one sums the dot products,
    # then each core takes half of the rows (a chunk of rows needs only the rows' inputs).
    with ThreadPoolExecutor(max_workers=1) as other:
        pending = other.submit(norms)
        s = band_dots(ch.x, ch.y, band)
        args = (s, band.lo, m, *types, *pending.result(), float(ch.merge_mix), bool(ch.weakest), sims)
        half = band.rows // 2
        pending = other.submit(_cosines, *args, half, band.rows)
        _cosines(*args, 0, half)
        pending.result()
    return list(sims)


# error_model="numpy": a float division skips Python's zero check (these divide by a positive denominator only),
# so the loops over a row's cells vectorise; the floats are the same.
@njit(cache=True, nogil=True, error_model="numpy")
def _cos(dot, nx, ny):
    denom = np.sqrt(nx * ny)
    return dot / denom if denom > 0 else 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def _cosines(s, lo, m, ta, tb, nx, ny, cx1, cy1, mix, weakest, out, r0, r1):
    """Rows r0 .. r1 - 1 of `channel_cosines` into out (k, i, c), one row at a time, each step a loop over the
    row's cells. Sums and member cosines are kept for the last max_a rows only (a ring of rows): a cell reads its
    own row and the max_a - 1 rows above, so a chunk of rows needs nothing of another chunk but those rows' sums,
    which it recomputes."""
    rows, width = s.shape
    max_a, max_b = nx.shape[0], ny.shape[0]
    # Which shifted sums and member cosines some type needs: above[b] for da < the largest a with this b; a
    # merged bead's member cosines for da < a (b target units, a > 1) and db < b (a source units, b > 1).
    reach_a = np.zeros(max_b, dtype=np.int64)
    parts_a = np.zeros(max_b, dtype=np.int64)
    parts_b = np.zeros(max_a, dtype=np.int64)
    for k in range(len(ta)):
        a, b = ta[k], tb[k]
        reach_a[b - 1] = max(reach_a[b - 1], a)
        if a > 1:
            parts_a[b - 1] = max(parts_a[b - 1], a)
        if b > 1:
            parts_b[a - 1] = max(parts_b[a - 1], b)
    # rs[b - 1, i % max_a, c]: source unit i-1 against the b target units ending at column c (summed in the
    # reference's order); pa: its cosine, the member cosine of that source unit in a bead of b target units,
    # which the cells da rows below read at the same j. cs[a - 1, c]: the a source units ending at row i against
    # target unit c; pb: its cosine, read by the cells db to the right.
    rs = np.zeros((max_b, max_a, width))
    pa = np.zeros((max_b, max_a, width))
    cs = np.zeros((max_a, width))
    pb = np.zeros((max_a, width))
    # This row's view of them: above[b - 1, da, c] = rs of row i - da at this cell's j (0 outside the band),
    # part_a the same of pa, part_b[a - 1, db, c] = pb at column c - db.
    above = np.zeros((max_b, max_a, width))
    part_a = np.zeros((max_b, max_a, width))
    part_b = np.zeros((max_a, max_b, width))
    col = np.zeros(width, dtype=np.int64)  # j of each cell (cells past m read j = m)
    nyj = np.zeros((max_b, width))
    dot = np.zeros(width)
    sim = np.zeros(width)
    low = np.zeros(width)
    total = np.zeros(width)
    for i in range(max(r0 - max_a + 1, 0), r1):
        slot = i % max_a
        xs = cx1[i] - cx1[max(i - 1, 0)]
        for c in range(width):
            col[c] = min(max(lo[i] + c, 0), m)
        for b in range(max_b):
            for c in range(width):
                nyj[b, c] = ny[b, col[c]]
        for c in range(width):
            rs[0, slot, c] = s[i, c]
        for d in range(1, max_b):
            for c in range(width):
                rs[d, slot, c] = rs[d - 1, slot, c] + (s[i, c - d] if c - d >= 0 else 0.0)
        for b in range(max_b):
            if parts_a[b]:
                for c in range(width):
                    pa[b, slot, c] = _cos(rs[b, slot, c], xs, nyj[b, c])
        if i < r0:
            continue
        for c in range(width):
            cs[0, c] = s[i, c]
        for d in range(1, max_a):
            off = lo[i] - lo[i - d] if i - d >= 0 else -2 * width  # the row d above, shifted to this row's columns
            for c in range(width):
                cc = c + off
                cs[d, c] = cs[d - 1, c] + (s[i - d, cc] if 0 <= cc < width else 0.0)
        for a in range(max_a):
            if not parts_b[a]:
                continue
            for c in range(width):
                q = col[c]
                pb[a, c] = _cos(cs[a, c], nx[a, i], cy1[q] - cy1[max(q - 1, 0)])
        for da in range(max_a):
            p = i - da
            off = lo[i] - lo[p] if p >= 0 else -2 * width
            ps = p % max_a
            for b in range(max_b):
                if da < reach_a[b]:
                    for c in range(width):
                        cc = c + off
                        above[b, da, c] = rs[b, ps, cc] if 0 <= cc < width else 0.0
                if da < parts_a[b]:
                    for c in range(width):
                        cc = c + off
                        part_a[b, da, c] = pa[b, ps, cc] if 0 <= cc < width else 0.0  # cos(0, ...) = 0
        for a in range(max_a):
            for db in range(parts_b[a]):
                for c in range(width):
                    part_b[a, db, c] = pb[a, c - db] if c - db >= 0 else 0.0
                # A cell past the last column reads j = m, not the column db to its left: its own cosine.
                for c in range(max(m + 1 - lo[i], db), width):
                    q = max(m - db, 0)
                    part_b[a, db, c] = _cos(cs[a, c - db], nx[a, i], cy1[q] - cy1[max(q - 1, 0)])
        for k in range(len(ta)):
            a, b = ta[k], tb[k]
            for c in range(width):
                dot[c] = above[b - 1, 0, c]
            for da in range(1, a):
                for c in range(width):
                    dot[c] = dot[c] + above[b - 1, da, c]
            for c in range(width):
                sim[c] = _cos(dot[c], nx[a - 1, i], nyj[b - 1, c])
            if (a > 1 or b > 1) and mix > 0:
                for c in range(width):
                    low[c], total[c] = np.inf, 0.0
                if a > 1:
                    for da in range(a):
                        for c in range(width):
                            v = part_a[b - 1, da, c]
                            low[c], total[c] = min(low[c], v), total[c] + v
                if b > 1:
                    for db in range(b):
                        for c in range(width):
                            v = part_b[a - 1, db, c]
                            low[c], total[c] = min(low[c], v), total[c] + v
                if weakest:
                    for c in range(width):
                        sim[c] = (1 - mix) * sim[c] + mix * low[c]
                else:
                    count = (a if a > 1 else 0) + (b if b > 1 else 0)
                    for _ in range((a == 1) + (b == 1)):  # a side of one sentence: its member is the bead
                        count += 1
                        for c in range(width):
                            total[c] = total[c] + sim[c]
                    for c in range(width):
                        sim[c] = (1 - mix) * sim[c] + mix * (total[c] / count)
            for c in range(width):
                out[k, i, c] = sim[c]


def channel_cosines_reference(ch: Channel, band: dp.Band, m: int, match: list) -> list[np.ndarray]:
    """`channel_cosines` in numpy (the original, kept to check the compiled one against: the same float32s)."""
    i = np.arange(band.rows)
    j = np.clip(band.columns(), 0, m)
    max_a, max_b = max(a for a, _ in match), max(b for _, b in match)
    out = []
    s = band_dots(ch.x, ch.y, band)
    # rowsum[b][i, c]: dot of source sentence i-1 with the b target sentences ending before j (same row);
    # colsum[a]: dot of the a source sentences ending before i with target sentence j-1.
    rowsum = {1: s}
    for b in range(2, max_b + 1):
        rowsum[b] = rowsum[b - 1] + shift_rows(s, band, 0, b - 1)
    colsum = {1: s}
    for a in range(2, max_a + 1):
        colsum[a] = colsum[a - 1] + shift_rows(s, band, a - 1, 0)
    xn, yn = ch.x.span_norms(max_a - 1), ch.y.span_norms(max_b - 1)
    nx = merged_norms(xn, i, range(1, max_a + 1))
    ny = merged_norms(yn, j, range(1, max_b + 1))
    cx1, cy1 = prefix(xn[0]), prefix(yn[0])  # single-sentence squared norms
    mix = ch.merge_mix
    for a, b in match:
        dot = rowsum[b]
        for da in range(1, a):
            dot = dot + shift_rows(rowsum[b], band, da, 0)
        sim = cosine(dot, nx[a][:, None], ny[b])
        if (a > 1 or b > 1) and mix > 0:
            # Every sentence of a merged bead must be explained by the other side: the weakest one's cosine
            # with the other side's merged text (a long sentence cannot carry an unrelated short neighbour).
            # (The row shifts are recomputed, not shared with the sum above: one loop doing both measured
            # about 90 MiB more peak memory on Bible 006 for no gain in time.)
            parts = [cosine(shift_rows(rowsum[b], band, da, 0),
                             span(cx1, np.maximum(i - da, 0), 1)[:, None], ny[b]) for da in range(a) if a > 1]
            parts += [cosine(shift_rows(colsum[a], band, 0, db), nx[a][:, None],
                              span(cy1, np.maximum(j - db, 0), 1)) for db in range(b) if b > 1]
            if ch.weakest:
                sim = (1 - mix) * sim + mix * np.minimum.reduce(parts)
            else:
                # A side with one sentence is one member whose cosine is the merged one.
                parts += [sim] * ((a == 1) + (b == 1))
                sim = (1 - mix) * sim + mix * (sum(parts) / len(parts))
        out.append(sim.astype(np.float32))
    return out


def cosine(dot: np.ndarray, nx: np.ndarray, ny: np.ndarray) -> np.ndarray:
    """dot / sqrt(nx * ny) from squared norms (broadcast to dot's (rows, width)); 0 where a side is empty."""
    denom = np.sqrt(nx * ny)
    return np.divide(dot, denom, out=np.zeros_like(dot), where=denom > 0)


def merged_norms(norms: tuple, idx: np.ndarray, sizes) -> dict[int, np.ndarray]:
    """Squared norm of the sum of the k sentences ending before DP index idx, for each k in sizes."""
    c = prefix(norms[0])
    cd = [prefix(v) for v in norms[1]]
    out = {}
    for k in sizes:
        # |sum|^2 = sum of squared norms + twice the dot products of every pair at distance d < k.
        total = span(c, idx, k)
        for d in range(1, k):
            total = total + 2 * span(cd[d - 1], np.maximum(idx - d, 0), k - d) * (idx >= k)
        out[k] = total
    return out

