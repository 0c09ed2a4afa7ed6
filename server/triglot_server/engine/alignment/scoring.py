"""Bead costs (-log-likelihood-style) from features and parameters: length, bead-type prior, channel evidence."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from triglot_server.engine.alignment.calibration import EDGE_GAP, Params
from triglot_server.engine.alignment.features import TYPES, Features


@dataclass
class Scored:
    costs: np.ndarray  # (rows, types, width)
    add_cost: np.ndarray  # (rows, width)
    features: Features


def score(feat: Features, params: Params, factor: int) -> Scored:
    rows, width = feat.skip_y.shape
    costs = np.empty((rows, len(TYPES), width), dtype=np.float64)
    prior = level_prior(params, factor)
    for t, (a, b) in enumerate(TYPES):
        if (a, b) == (1, 0):
            # Omitting a long passage costs more than omitting a short one (and a block more than a sentence).
            costs[:, t, :] = (prior[(1, 0)] * np.maximum(feat.skip_x / params.mean_x, 1.0))[:, None]
            continue
        cost = costs[:, t, :]
        lx, ly = feat.lx[(a, b)], feat.ly[(a, b)]
        scale = params.ratio * lx + ly
        cost[...] = (ly - params.ratio * lx) ** 2 / (params.var * np.maximum(scale, 1.0))  # (delta^2) / 2
        cost *= params.length_weight
        cost += prior[(a, b)]
        for k, cos in enumerate(feat.cos[(a, b)]):
            # Evidence per sentence: a bead of a + b sentences weighs (a + b) / 2 times a 1-1 pair, so how a passage
            # is cut into beads does not change how much similarity evidence it gets.
            cost -= (a + b) / 2 * params.weight[k] * (cos - params.threshold[k])
    add_cost = prior[(0, 1)] * np.maximum(feat.skip_y / params.mean_y, 1.0)
    if factor == 1:
        edge_gaps(costs, add_cost, feat, prior)
    return Scored(costs, add_cost, feat)


def edge_gaps(costs: np.ndarray, add_cost: np.ndarray, feat: Features, prior: dict) -> None:
    """Cheaper omission/addition of a document's first or last sentence (EDGE_GAP instead of the inner prior),
    never cheaper than a 1-1 bead. (Where a per-sentence analysis recognises a dateline or a news lead, its
    sentences would get the same treatment through these two arrays.)"""
    gain = max(math.log(EDGE_GAP) + prior[(0, 1)], 0.0), max(math.log(EDGE_GAP) + prior[(1, 0)], 0.0)
    floor = prior[(1, 1)]
    skip = costs[:, TYPES.index((1, 0)), :]
    rows = costs.shape[0]
    for r in {1, rows - 1}:  # 1-0 beads ending at row r omit source sentence r - 1
        skip[r] = np.maximum(skip[r] - gain[1], floor)
    edge = (feat.columns == 1) | (feat.columns == feat.m)  # 0-1 beads ending at column j add target sentence j - 1
    add_cost[edge] = np.maximum(add_cost[edge] - gain[0], floor)


def level_prior(params: Params, factor: int) -> dict:
    """Bead costs (-log probability). On coarse levels, blocks are cut arbitrarily, so every shape of merged block
    is about as likely; only omissions keep their per-sentence cost (scaled by length in `score`)."""
    cost = {t: -math.log(p) for t, p in params.prior.items()}
    if factor > 1:
        for t in TYPES:
            if t[0] and t[1]:
                cost[t] = 0.5 * (t[0] + t[1] - 2)
    return cost


