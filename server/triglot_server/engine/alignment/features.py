"""Parameter-free evidence of every bead type at every band cell of one pyramid level: lengths and, per channel,
cosines of merged beads (computed once per band; `scoring` turns them into costs for given parameters)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from triglot_server.engine.alignment import dp
from triglot_server.engine.alignment.channels import Channel, band_dots

TYPES = dp.BEAD_TYPES  # 1-1, 1-0, 1-2, 2-1, 2-2, 1-3, 3-1, 2-3, 3-2, 1-4, 4-1; 0-1 is separate


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
class Features:
    """Parameter-free evidence of every bead type at every band cell of one level (computed once per band)."""

    lx: dict  # (a, b) -> source length of the bead, shape (rows, 1)
    ly: dict  # (a, b) -> target length, shape (rows, width)
    cos: dict  # (a, b) -> list (per channel) of cosines, shape (rows, width)
    skip_x: np.ndarray  # length of the source sentence a 1-0 bead omits, (rows,)
    skip_y: np.ndarray  # length of the target sentence a 0-1 bead adds, (rows, width)
    columns: np.ndarray  # j of every band cell, (rows, width)
    m: int
    gap_hint_x: np.ndarray | None = None  # bool per source sentence: likely without counterpart (Level.gap_hint_x)
    gap_hint_y: np.ndarray | None = None


def features(level: Level, band: dp.Band) -> Features:
    m = level.m
    i = np.arange(band.rows)
    j = np.clip(band.columns(), 0, m)
    cx, cy = prefix(level.lx), prefix(level.ly)
    match = [t for t in TYPES if t[0] and t[1]]
    max_a, max_b = max(a for a, _ in match), max(b for _, b in match)
    cos: dict = {t: [] for t in match}
    for ch in level.channels:
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
            cos[(a, b)].append(sim.astype(np.float32))
    ly = {b: span(cy, j, b) for b in {t[1] for t in match}}  # shared by the types with b target sentences
    return Features(lx={t: span(cx, i, t[0])[:, None] for t in match},
                     ly={t: ly[t[1]] for t in match},
                     cos=cos, skip_x=span(cx, i, 1), skip_y=span(cy, j, 1), columns=band.columns(), m=m,
                     gap_hint_x=level.gap_hint_x, gap_hint_y=level.gap_hint_y)


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

