"""Sentence alignment, the driver: evidence channels (`channels`), features and costs (`features`, `scoring`),
parameters from the documents (`calibration`), the search and the bead posteriors (`dp`).

Evidence (each usable alone, combined as a sum of log-likelihood-style terms):
- length: Gale–Church style; the character-length ratio and its variance are estimated from the two documents;
- lexicon: cosine of idf-weighted `lexicon.sentence_keys` sets (language-neutral keys, so zh/en/ar compare directly);
- translation: cosine of idf-weighted tokens of a given translation against the other side (Chinese by characters,
  with character bigrams at a lower weight);
- learned: with dictionary keys (a translation or not), on documents of a few hundred sentences or more, a word
  table learned from the finest level's first search (IBM Model 1, cross-fitted; `learned`) adds a channel for the
  second.
The channels' weights come from Fisher's discriminant of true vs. near-miss 1-1 pairs, estimated jointly, so channels
that see the same content (glosses and a translation) do not count it twice. A bead of a + b sentences gets (a + b) / 2
times the similarity evidence of a 1-1 pair: evidence per sentence, so cutting a passage into more beads does not
collect more of it. Merged sentences (a 2-1 bead) are compared through the sum of their vectors, mixed with per-member
cosines (see MERGE_MIX); every similarity is a sum of sentence-pair dot products, computed once per band cell from
posting lists (no dense matrices).

Search (vecalign-style): the documents are shrunk by merging blocks of 4^k sentences until the grid is small, aligned
there in full, and each finer level searches only a band around the coarser path. Parameters (length variance,
similarity of true vs. near-miss pairs, bead-type frequencies) are re-estimated from each level's own alignment, so
nothing is tuned to one language pair or one text. A short document's length variance and length ratio are shrunk
towards priors (a dozen beads give a noisy median; a sentence one version adds is a quarter of a short readout), and
the ratio is re-estimated from the aligned beads only. Gaps: a document's first and last sentences, and the
sentences a caller's analysis marks (news leads, bare datelines), are likelier gaps; so is a sentence with no fit of
its own between neighbours that fit each other (`scoring.isolated_gaps`).

Confidence (`confidence`): each bead's score is its posterior probability among all alignments in the final band,
in a lattice that also weighs each bead's size against the document's bead sizes, so a split of a unit the evidence
cannot tell from the unit (two 1-1 beads of one 2-2) is not called certain.
"""
from __future__ import annotations

from dataclasses import replace
from typing import AbstractSet, Callable, Sequence

import numpy as np

from triglot_server.engine.alignment import confidence, dp, keys, learned, pinyin
from triglot_server.engine.alignment.calibration import (Params, beads_of, initial_similarity, prior_var, reestimate,
                                                         shrunk_ratio)
from triglot_server.engine.alignment.channels import (BIGRAM_WEIGHT, MERGE_MIX, TRANS_MERGE_MIX, Channel,
                                                      ChannelKind, translation_tokens, vectors_pair)
from triglot_server.engine.alignment.features import TYPES, Level, features
from triglot_server.engine.alignment.scoring import Scored, score
from triglot_server.engine.languages import normalize_language
from triglot_server.engine.lexicon import sentence_keys
from triglot_server.engine.types import Alignment, Bead, Cancelled, EngineError, InvalidInput

VERSION = "v3"  # v3: posterior bead confidence, edge gaps, shrunk length variance; v2: joint channel weights, per-sentence evidence, beads up to 1-4/4-1 and 2-3/3-2

FULL_CELLS = 250_000  # grids up to this size are searched in full
MAX_BAND_CELLS = 12_000_000  # memory bound of one banded search
MARGIN = 3  # band margin (in sentences of the level) around the coarser path
FACTOR = 4  # block size ratio between levels


Check = Callable[[], None]  # raises Cancelled when the caller asked to stop
Learn = Callable[[list], "Channel | None"]  # a first pass's beads -> a channel learned from them (or None)


def _search(level: Level, band: dp.Band, params: Params, rounds: int, check: Check,
            learn: Learn | None = None) -> tuple[list, Scored, Params]:
    check()
    feat = features(level, band)
    if level.channels:
        params = initial_similarity(feat, band, level.m, params)
    for r in range(rounds):
        scored = score(feat, params, level.factor)
        check()
        path, _ = dp.search(scored.lattice, band, level.n, level.m)
        if r + 1 < rounds:
            scored = None  # free this round's costs before the next round builds its own
            if r == 0 and learn is not None and level.factor == 1:
                level, feat, params = _add_learned(level, band, feat, params, learn(beads_of(path)))
                check()
            params = reestimate(level, band, feat, path, params)
    return path, scored, params


def _add_learned(level: Level, band: dp.Band, feat, params: Params, channel: Channel | None):
    """The level, features and parameters with one more channel (learned from the first round's path); its weight
    starts like every channel's and the re-estimation that follows fits it with the others."""
    if channel is None:
        return level, feat, params
    extra = features(replace(level, channels=[channel]), band)
    for t, cos in extra.cos.items():
        feat.cos[t].extend(cos)
    level = replace(level, channels=level.channels + [channel])  # keeps the gap hints
    return level, feat, replace(params, weight=params.weight + (8.0,), threshold=params.threshold + (0.15,))


def _align_ids(level: Level, params: Params, check: Check,
               learn: Learn | None = None) -> tuple[list, Scored, dp.Band, Params]:
    if not level.channels and level.n * level.m > FULL_CELLS:
        return _align_by_length(level, params, check)
    pyramid = [level]
    while pyramid[-1].n * pyramid[-1].m > FULL_CELLS and min(pyramid[-1].n, pyramid[-1].m) > 8:
        pyramid.append(pyramid[-1].downsample(FACTOR))
    top = pyramid[-1]
    band = dp.full_band(top.n, top.m)
    # Each level estimates its own parameters: blocks cut at arbitrary sentence boundaries have noisier lengths
    # and higher similarities than sentences, so a coarse level's estimates would mislead a finer one.
    path, scored, found = _search(top, band, params, 2, check, learn)
    for lv in reversed(pyramid[:-1]):
        band = dp.band_around_path(path, FACTOR, lv.n, lv.m, MARGIN, MAX_BAND_CELLS)
        scored = None  # the coarser level's costs: freed before the finer level builds its own
        path, scored, found = _search(lv, band, params, 2, check, learn)
    return path, scored, band, found


def _align_by_length(level: Level, params: Params, check: Check) -> tuple[list, Scored, dp.Band, Params]:
    """Length only: block lengths average out, so a coarse level carries no signal. Search instead a band around
    the line where cumulative lengths agree, and widen it (re-centred on the path) while the path touches its edge."""
    n, m = level.n, level.m
    cx = np.cumsum(level.lx) / level.lx.sum()
    cy = np.concatenate([[0.0], np.cumsum(level.ly) / level.ly.sum()])
    centre = np.concatenate([[0], np.searchsorted(cy, cx)]).astype(np.int64)
    path = [(i, int(c)) for i, c in enumerate(centre)]
    path[-1] = (n, m)
    half = 32
    while True:
        band = dp.band_around_path(path, 1, n, m, half, MAX_BAND_CELLS)
        path, scored, params = _search(level, band, params, 2, check)
        cells = np.array(path)
        col = cells[:, 1] - band.lo[cells[:, 0]]
        at_edge = ((col < 2) & (band.lo[cells[:, 0]] > 0)) | \
                  ((col > band.width - 3) & (band.lo[cells[:, 0]] + band.width - 1 < m))
        if not at_edge.any() or band.width * (n + 1) * 2 > MAX_BAND_CELLS:
            return path, scored, band, params
        half *= 2


def align(source: list[str], target: list[str], source_language: str, target_language: str, *,
          source_translations: list[str] | None = None, target_translations: list[str] | None = None,
          use_lexicon: bool = True, use_length: bool = True,
          source_keys: list[AbstractSet[str]] | None = None, target_keys: list[AbstractSet[str]] | None = None,
          source_gap_hints: Sequence[bool] | None = None, target_gap_hints: Sequence[bool] | None = None,
          should_stop: Callable[[], bool] | None = None) -> Alignment:
    """Align two documents given as sentence lists; beads cover every sentence of both sides once, in order.

    `source_keys` / `target_keys`, when given, are each sentence's lexicon keys already computed by the caller (what
    `lexicon.sentence_keys` returns), so a comparison analyses a sentence once for the aligner and its findings.
    `source_gap_hints` / `target_gap_hints`, when given, say per sentence whether the caller's analysis expects it
    to have no counterpart (a news lead, a sentence that is only a dateline): such a sentence is as cheap a gap as a
    document's first or last one, wherever it stands.
    `should_stop` is asked between passes (evidence, pyramid levels, search rounds); when it returns True the
    alignment stops with Cancelled.
    """

    def check() -> None:
        if should_stop is not None and should_stop():
            raise Cancelled("alignment cancelled by the caller")

    src_lang, tgt_lang = normalize_language(source_language), normalize_language(target_language)
    for name, given, side in (("source_translations", source_translations, source),
                              ("target_translations", target_translations, target),
                              ("source_keys", source_keys, source), ("target_keys", target_keys, target),
                              ("source_gap_hints", source_gap_hints, source),
                              ("target_gap_hints", target_gap_hints, target)):
        if given is not None and len(given) != len(side):
            raise InvalidInput(f"{name} has {len(given)} items but there are {len(side)} "
                               f"{name.split('_')[0]} sentences: give one per sentence")
    n, m = len(source), len(target)
    evidence = []
    channels: list[Channel] = []
    # With dictionary keys, learn a word table from the first pass at the finest level; with a translation too
    # (it learns what the translation renders otherwise: names, a book's own words; measured on Bible 001-003:
    # strict F1 with .trans 0.8648 -> 0.8676, 2-1 beads split into a 1-1 and an omission 66 -> 29).
    learns = use_lexicon and min(n, m) >= learned.MIN_BEADS
    source_tokens = target_tokens = None  # the learned table's tokens, when read with the keys
    if use_length:
        evidence.append("length")
    if use_lexicon and n and m:
        evidence.append(ChannelKind.LEXICON.value)
        english = pinyin.english_side(source, target, src_lang, tgt_lang)
        # The English side's romanised names (read from it alone) are read alongside the keys.
        names = keys.alongside(n + m, pinyin.english_names, english) if english is not None else lambda: None
        if source_keys is None and target_keys is None and learns:
            source_keys, target_keys, source_tokens, target_tokens = learned.keys_with_tokens(
                source, src_lang, target, tgt_lang, check)
        elif source_keys is None and target_keys is None:
            source_keys, target_keys = keys.both_sides(source, src_lang, target, tgt_lang, check)
        source_keys = keys.bags(source, src_lang, sentence_keys, check) if source_keys is None else source_keys
        target_keys = keys.bags(target, tgt_lang, sentence_keys, check) if target_keys is None else target_keys
        source_keys, target_keys = pinyin.with_name_keys(source_keys, target_keys, source, target, src_lang, tgt_lang,
                                                         names())
        x, y = vectors_pair(source_keys, target_keys)
        # The key sets take more memory than the whole search: drop ours (a caller's own stay theirs) before it.
        source_keys = target_keys = None
        channels.append(Channel(ChannelKind.LEXICON, x, y, MERGE_MIX))
    if (source_translations is not None or target_translations is not None) and n and m:
        evidence.append(ChannelKind.TRANSLATION.value)
        if source_translations is not None:
            x, y = vectors_pair(keys.bags(source_translations, tgt_lang, translation_tokens, check),
                                 keys.bags(target, tgt_lang, translation_tokens, check), BIGRAM_WEIGHT)
            channels.append(Channel(ChannelKind.TRANSLATION, x, y, TRANS_MERGE_MIX, weakest=False))
        if target_translations is not None:
            x, y = vectors_pair(keys.bags(source, src_lang, translation_tokens, check),
                                 keys.bags(target_translations, src_lang, translation_tokens, check), BIGRAM_WEIGHT)
            channels.append(Channel(ChannelKind.BACK_TRANSLATION, x, y, TRANS_MERGE_MIX, weakest=False))
    learn = None
    if learns:
        evidence.append(ChannelKind.LEARNED.value)

        def learn(beads: list) -> Channel | None:
            # (Built here, after the key sets are freed: a book's tokens as strings are a peak of their own.)
            return learned.learned_channel(learned.Tokens(source, src_lang, 1, source_tokens),
                                           learned.Tokens(target, tgt_lang, 0, target_tokens), beads)
    signature = (f"triglot-align|{VERSION}|evidence={'+'.join(evidence) or 'none'}"
                 f"|beads=0-1,1-0,{','.join(f'{a}-{b}' for a, b in TYPES if a and b)}"
                 f"|levels=x{FACTOR}|margin={MARGIN}")
    if n == 0 or m == 0:
        beads = [Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)]
        return Alignment(beads, signature)

    lx = np.array([max(len(s.strip()), 1) for s in source], dtype=float)
    ly = np.array([max(len(s.strip()), 1) for s in target], dtype=float)
    ratio = shrunk_ratio(float(ly.sum() / lx.sum()), min(n, m), src_lang, tgt_lang)
    params = Params(ratio=ratio, var=prior_var(ratio), length_weight=1.0 if use_length else 0.0,
                     mean_x=float(lx.mean()), mean_y=float(ly.mean()),
                     weight=(8.0,) * len(channels), threshold=(0.15,) * len(channels),
                     languages=(src_lang, tgt_lang))
    level = Level(n, m, lx, ly, channels,
                  gap_hint_x=None if source_gap_hints is None else np.asarray(source_gap_hints, dtype=bool),
                  gap_hint_y=None if target_gap_hints is None else np.asarray(target_gap_hints, dtype=bool))
    path, scored, band, params = _align_ids(level, params, check, learn)
    beads = _to_beads(path, scored, band, level, params)
    check_coverage(beads, n, m, f"{src_lang}-{tgt_lang}")
    return Alignment(beads, signature)


def warm_up() -> None:
    """Align a tiny pair once: compiles (or loads from numba's cache) the DP kernels, which takes seconds the first
    time, so a server pays it at start-up rather than in its first call."""
    align(["China and Iraq.", "Friends for sixty years."], ["中国和伊拉克。", "六十年的朋友。", "加油。"], "en", "zh")
    learned.warm_up()  # the learned table's loops: a tiny pair learns none
    translation_tokens("北京，3月9日", "zh")  # its table of full-width forms (~25 ms), for a translation or a book


def check_coverage(beads: list[Bead], n: int, m: int, what: str) -> None:
    """Callers build on the aligner's promise — every sentence of both sides in exactly one bead, in order — so it
    is checked (cheap) rather than trusted; EngineError names the alignment `what` when it does not hold."""
    src = [i for b in beads for i in b.source_ids]
    tgt = [j for b in beads for j in b.target_ids]
    if src != list(range(n)) or tgt != list(range(m)):
        raise EngineError(f"the alignment {what} does not cover every sentence once and in order "
                          f"({len(src)} of {n} and {len(tgt)} of {m} sentences)")


def _to_beads(path, scored: Scored, band: dp.Band, level: Level, params: Params) -> list[Bead]:
    """Beads of the path, each scored by its confidence (`confidence.bead_confidence`)."""
    post = confidence.bead_confidence(path, scored, band, level.n, level.m, params, level.lx, level.ly)
    return [Bead(tuple(range(i0, i0 + a)), tuple(range(j0, j0 + b)), round(float(p), 4))
            for (i0, j0, a, b), p in zip(beads_of(path), post)]

