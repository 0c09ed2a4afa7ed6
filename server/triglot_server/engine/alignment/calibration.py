"""Parameters of the costs, estimated from the documents themselves: length ratio and variance, bead-type
frequencies, and per channel the weight and threshold that separate true pairs from near misses."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from triglot_server.engine.alignment import dp
from triglot_server.engine.alignment.channels import TRANSLATIONS, ChannelKind
from triglot_server.engine.alignment.features import TYPES, Features, Level, prefix

_ALL_TYPES = TYPES + ((0, 1),)
# Starting bead-type probabilities (Gale & Church's, with room for larger merges); re-estimated from each document
# pair. Omissions/additions start rare and are never made cheaper by re-estimation (see reestimate).
_PRIOR = {(1, 1): 0.79, (1, 0): 0.002, (0, 1): 0.002, (1, 2): 0.07, (2, 1): 0.07, (2, 2): 0.02,
          (1, 3): 0.015, (3, 1): 0.015, (2, 3): 0.003, (3, 2): 0.003, (1, 4): 0.002, (4, 1): 0.002}
# A readout's version adds or drops a sentence mostly at its ends (a news agency's lead, a dateline, a closing line):
# the first and last sentence of each side are this much likelier to have no counterpart than one inside.
EDGE_GAP = 0.03
_PRIOR_WEIGHT = 200.0  # pseudo-count weight of _PRIOR when re-estimating from a path

# Length variance before any estimate (per target-unit character): var = VAR0 * sqrt(ratio) held within 20 % for both
# directions of Bible zh-en (1.2 en->zh, 6.0 zh->en); a short document's own estimate is shrunk towards it.
VAR0 = 2.7
VAR_PSEUDO_BEADS = 10
# Characters a language spends on the same content (relative), for the length ratio before any estimate: measured
# on the dev readouts (en/zh 4.2-4.9, ar/en 0.64-0.89, ar/zh 3.0-3.7) and Bible zh-en (en/zh 4.0-4.1). A short
# document's own ratio is shrunk towards it: in a 3-versus-4 sentence readout the sentence one version adds is a
# quarter of its length, and a ratio that counts it makes every true pair look too short.
CHARS_PER_CONTENT = {"zh": 1.0, "en": 4.4, "ar": 3.4}
RATIO_PSEUDO_SENTENCES = 10


def prior_var(ratio: float) -> float:
    return VAR0 * math.sqrt(ratio)


def shrunk_ratio(found: float, sentences: int, source_language: str, target_language: str) -> float:
    """Target chars per source char: `found` (from `sentences` sentences or beads) shrunk, in log space, towards
    the languages' usual ratio with a pseudo-count, so a dozen sentences cannot move it far, thousands decide."""
    usual = CHARS_PER_CONTENT.get(target_language, 0.0) / CHARS_PER_CONTENT.get(source_language, 1.0)
    if usual <= 0 or found <= 0:
        return found
    k = RATIO_PSEUDO_SENTENCES
    return math.exp((k * math.log(usual) + sentences * math.log(found)) / (k + sentences))


@dataclass
class Params:
    ratio: float  # target chars per source char
    var: float  # variance of the length difference per target-unit char
    prior: dict = field(default_factory=lambda: dict(_PRIOR))
    length_weight: float = 1.0
    mean_x: float = 1.0  # mean source sentence length: an omission costs -log p(1-0) per mean-length sentence
    mean_y: float = 1.0
    # Per channel: log-likelihood gain per unit of cosine, and the cosine at which a pair is as likely true as not.
    weight: tuple = ()
    threshold: tuple = ()
    languages: tuple = ("", "")  # (source, target): the usual length ratio the document's estimate is shrunk to


def beads_of(path: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    return [(i0, j0, i1 - i0, j1 - j0) for (i0, j0), (i1, j1) in zip(path, path[1:])]


def reestimate(level: Level, band: dp.Band, feat: Features, path, params: Params) -> Params:
    beads = beads_of(path)
    counts = {t: 0.0 for t in _ALL_TYPES}
    for _, _, a, b in beads:
        if (a, b) in counts:
            counts[(a, b)] += 1
    total = sum(counts.values()) + _PRIOR_WEIGHT
    prior = {t: (counts[t] + _PRIOR_WEIGHT * _PRIOR[t]) / total for t in _ALL_TYPES}
    for t in ((1, 0), (0, 1)):  # omissions found by a first pass are often its mistakes: never make them cheaper
        prior[t] = min(prior[t], _PRIOR[t])
    var, ratio = params.var, params.ratio
    match = np.array([(i0, j0, a, b) for i0, j0, a, b in beads if a and b], dtype=np.int64).reshape(-1, 4)
    cx, cy = prefix(level.lx), prefix(level.ly)
    lx = cx[match[:, 0] + match[:, 2]] - cx[match[:, 0]]
    ly = cy[match[:, 1] + match[:, 3]] - cy[match[:, 1]]
    if len(match) >= 2 and level.factor == 1:
        # The ratio of the aligned text only: a sentence one version adds (a gap) does not count.
        ratio = shrunk_ratio(float(ly.sum() / lx.sum()), int(match[:, 2:].sum() // 2), *params.languages)
        params = replace(params, ratio=ratio)
    if len(match) >= 5:
        d2 = (ly - params.ratio * lx) ** 2 / np.maximum((params.ratio * lx + ly) / 2, 1.0)
        # The median of chi-square(1) is 0.455: robust to a few wrong beads. The floor keeps near-identical
        # documents from making every length difference infinitely unlikely.
        # With a dozen beads (a short readout) the median is noisy: shrink it towards the prior variance with a
        # pseudo-count, so one near-exact pair cannot make every other length difference look impossible.
        found = float(np.median(d2) / 0.455)
        var = (VAR_PSEUDO_BEADS * prior_var(params.ratio) + len(match) * found) / (VAR_PSEUDO_BEADS + len(match))
        var = max(var, 0.5 * min(params.ratio, 1.0))
    ones = np.array([(i0 + 1, j0 + 1) for i0, j0, a, b in beads if a == 1 and b == 1], dtype=np.int64)
    weight, threshold = params.weight, params.threshold
    if len(ones) >= 10 and level.channels:
        r, c = ones[:, 0], ones[:, 1] - band.lo[ones[:, 0]]
        # Near misses: 1-1 cells in the same rows, at least 2 columns off the path.
        off = np.abs(np.arange(band.width)[None, :] - c[:, None]) >= 2
        columns = band.columns()[r]
        valid = off & (columns <= level.m) & (columns >= 1)
        if valid.sum() >= 10:
            pos = np.stack([cos[r, c] for cos in feat.cos[(1, 1)]], axis=1)
            neg = np.stack([cos[r][valid] for cos in feat.cos[(1, 1)]], axis=1)
            weight, threshold = discriminant(pos, neg, params)
            weight = learned_below_translation(weight, [c.name for c in level.channels])
    return replace(params, ratio=ratio, var=var, prior=prior, weight=tuple(weight), threshold=tuple(threshold))


def learned_below_translation(weight: tuple, names: list[ChannelKind]) -> tuple:
    """The learned table's weight capped at the given translation's. The table was fitted to the first pass, so its
    1-1 pairs separate from near misses as well as that pass's; but it covers a sentence's words unevenly (a fragment
    of a split sentence may hold none it knows), and the 1-1 discriminant never sees the merged beads where that
    shows. Measured: Bible 001-003 with .trans strict F1 0.8676 uncapped, 0.8687 capped; a made-up book whose
    translation renders most words otherwise, 0.949 uncapped, 1.0 capped (0.991 without the table)."""
    if ChannelKind.LEARNED not in names:
        return weight
    given = [w for w, name in zip(weight, names) if name in TRANSLATIONS]
    if not given:
        return weight
    k = names.index(ChannelKind.LEARNED)
    return tuple(min(w, max(given)) if i == k else w for i, w in enumerate(weight))


def discriminant(pos: np.ndarray, neg: np.ndarray, fallback: Params) -> tuple[tuple, tuple]:
    """Per-channel log-likelihood weights of true vs near-miss pairs (Gaussian, shared covariance: Fisher's
    discriminant). The channels are estimated jointly, so two channels that measure the same thing (dictionary
    glosses and a translation both see shared content) do not count that evidence twice."""
    mu1, mu0 = pos.mean(axis=0), neg.mean(axis=0)
    k = pos.shape[1]
    cov = sum(np.cov(v, rowvar=False, bias=True).reshape(k, k) for v in (pos, neg)) / 2 + 1e-4 * np.eye(k)
    useful = mu1 > mu0  # a channel that does not separate keeps its fallback rather than getting a negative weight
    weight = np.asarray(fallback.weight, dtype=float).copy()
    if useful.any():
        sub = np.ix_(useful, useful)
        weight[useful] = np.linalg.solve(cov[sub], (mu1 - mu0)[useful])
    weight = np.clip(weight, 0.0, 200.0)
    threshold = np.where(useful, (mu1 + mu0) / 2, np.asarray(fallback.threshold))
    return tuple(float(w) for w in weight), tuple(float(t) for t in threshold)


def nan_row_medians(a: np.ndarray) -> np.ndarray:
    """np.nanmedian(a, axis=1) for a 2-D array whose rows each hold a number: the same values, without the per-row
    Python loop nanmedian runs on small arrays (a fifth of a short readout's alignment)."""
    ordered = np.sort(a, axis=1)  # NaN sorts last
    count = (~np.isnan(a)).sum(axis=1)
    rows = np.arange(len(a))
    low, high = ordered[rows, (count - 1) // 2], ordered[rows, count // 2]
    return np.where(count % 2 == 1, low, (low + high) / a.dtype.type(2))


def initial_similarity(feat: Features, band: dp.Band, m: int, params: Params) -> Params:
    """Starting similarity calibration read off the band itself: the best 1-1 cell of a row stands for a true pair,
    the row's median for a near miss (the band is narrow, so most of its cells are near misses)."""
    inside = (band.columns() >= 1) & (band.columns() <= m)
    ok = inside.any(axis=1)
    best, mid = [], []
    for cos in feat.cos[(1, 1)]:
        c = np.where(inside, cos, np.nan)[ok]
        # The row's best cell per channel (taken at the combined best would need weights we do not have yet).
        best.append(np.nanmax(c, axis=1))
        mid.append(nan_row_medians(c))
    # A channel that does not separate here starts with no weight.
    weight, threshold = discriminant(np.stack(best, axis=1), np.stack(mid, axis=1),
                                      replace(params, weight=(0.0,) * len(best)))
    return replace(params, weight=weight, threshold=threshold)


