"""The aligner: DP search edges, input checks, coverage invariants, and the sample readout's gold alignments."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from triglot_server.engine.alignment import cellcost, dp
from triglot_server.engine.alignment import align, check_coverage, translation_tokens
from triglot_server.engine.types import Bead, EngineError, InvalidInput

READOUT = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"


def pairs(alignment) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.source_ids, b.target_ids) for b in alignment.beads]


def assert_covers(alignment, n: int, m: int) -> None:
    """Every sentence of both sides exactly once, in order; each bead non-empty; confidences in [0, 1]."""
    src = [i for b in alignment.beads for i in b.source_ids]
    tgt = [j for b in alignment.beads for j in b.target_ids]
    assert src == list(range(n))
    assert tgt == list(range(m))
    for b in alignment.beads:
        assert b.source_ids or b.target_ids
        assert 0.0 <= b.score <= 1.0


def read_gold(path: Path) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        s, t = line.split(":", 1)
        out.append((tuple(ast.literal_eval(s)), tuple(ast.literal_eval(t))))
    return out


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# ---------------------------------------------------------------- edges

def test_both_sides_empty() -> None:
    assert align([], [], "en", "zh").beads == []


def test_empty_side_gives_only_omissions_or_additions() -> None:
    assert pairs(align(["One.", "Two."], [], "en", "zh")) == [((0,), ()), ((1,), ())]
    assert pairs(align([], ["一。", "二。", "三。"], "en", "zh")) == [((), (0,)), ((), (1,)), ((), (2,))]


def test_one_sentence_each_side() -> None:
    result = align(["China and Iraq are friends."], ["中国和伊拉克是朋友。"], "en", "zh")
    assert pairs(result) == [((0,), (0,))]


def test_identical_documents_align_one_to_one() -> None:
    rng = np.random.default_rng(7)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
    doc = [" ".join(rng.choice(words, size=int(rng.integers(3, 30)))) + "." for _ in range(300)]
    result = align(doc, doc, "en", "en")
    assert pairs(result) == [((i,), (i,)) for i in range(300)]


def test_identical_long_documents_use_the_banded_search() -> None:
    # 1500 x 1500 is above the full-grid size, so this goes through the coarse-to-fine band.
    rng = np.random.default_rng(3)
    doc = ["x" * int(k) for k in rng.integers(5, 300, size=1500)]
    assert pairs(align(doc, doc, "en", "en")) == [((i,), (i,)) for i in range(1500)]


@pytest.mark.parametrize("n, m", [(1, 60), (60, 1), (2, 400), (400, 3)])
def test_wildly_unequal_lengths_still_cover_everything(n: int, m: int) -> None:
    src = [f"Sentence number {i} is here." for i in range(n)]
    tgt = [f"第{j}句在这里。" for j in range(m)]
    assert_covers(align(src, tgt, "en", "zh"), n, m)


def test_one_long_sentence_against_many_short_ones_is_a_merge_not_omissions() -> None:
    src = ["The minister said that the two countries enjoy a long friendship, that they will deepen cooperation, "
           "and that they will support each other."]
    tgt = ["部长表示，两国友谊源远流长。", "双方将深化合作。", "双方将相互支持。"]
    assert pairs(align(src, tgt, "en", "zh")) == [((0,), (0, 1, 2))]


def test_search_can_omit_everything() -> None:
    # When every pairing is impossible, the only path is omissions and additions.
    n, m = 4, 3
    band = dp.full_band(n, m)
    costs = np.full((n + 1, len(dp.BEAD_TYPES), m + 1), np.inf)
    costs[:, dp.BEAD_TYPES.index((1, 0)), :] = 1.0
    path, cum = dp.search(cellcost.dense(costs, np.ones((n + 1, m + 1))), band, n, m)
    steps = [(i1 - i0, j1 - j0) for (i0, j0), (i1, j1) in zip(path, path[1:])]
    assert sorted(steps) == [(0, 1)] * m + [(1, 0)] * n
    assert cum[-1] == pytest.approx(n + m)


def _reference(costs: np.ndarray, add: np.ndarray, n: int, m: int) -> float:
    best = np.full((n + 1, m + 1), np.inf)
    best[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == j == 0:
                continue
            v = best[i, j - 1] + add[i, j] if j else np.inf
            for t, (a, b) in enumerate(dp.BEAD_TYPES):
                if i >= a and j >= b:
                    v = min(v, best[i - a, j - b] + costs[i, t, j])
            best[i, j] = v
    return float(best[n, m])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 7), st.integers(0, 7), st.integers(0, 2**32 - 1))
def test_search_finds_the_cheapest_path_and_reports_its_cost(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    costs = rng.random((n + 1, len(dp.BEAD_TYPES), m + 1)) * 5
    add = rng.random((n + 1, m + 1)) * 5
    path, cum = dp.search(cellcost.dense(costs, add), dp.full_band(n, m), n, m)
    assert cum[-1] == pytest.approx(_reference(costs, add, n, m))
    # The reported path really costs that much.
    total = 0.0
    for (i0, j0), (i1, j1) in zip(path, path[1:]):
        step = (i1 - i0, j1 - j0)
        total += add[i1, j1] if step == (0, 1) else costs[i1, dp.BEAD_TYPES.index(step), j1]
    assert total == pytest.approx(cum[-1])


# ---------------------------------------------------------------- input checks

def test_translations_of_the_wrong_length_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="source_translations has 1 items but there are 2 source sentences"):
        align(["A.", "B."], ["甲。"], "en", "zh", source_translations=["甲。"])
    with pytest.raises(InvalidInput, match="target_translations has 2 items but there are 1 target sentences"):
        align(["A.", "B."], ["甲。"], "en", "zh", target_translations=["A.", "B."])


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        align(["A."], ["B."], "en", "xx")


def test_signature_names_the_evidence() -> None:
    plain = align(["One."], ["一。"], "en", "zh").signature
    with_tr = align(["One."], ["一。"], "en", "zh", source_translations=["一。"]).signature
    assert plain.startswith("triglot-align|v3|evidence=length")
    assert "translation" not in plain
    assert "translation" in with_tr and "beads=" in with_tr


def test_translation_tokens_compare_chinese_by_characters() -> None:
    assert {"伊", "拉", "伊拉"} <= translation_tokens("伊拉 克", "zh")
    assert translation_tokens("Cooperation", "en") == translation_tokens("cooperate", "en")


# ---------------------------------------------------------------- invariants

sentence = st.text(alphabet="abc 中文，。", min_size=0, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(sentence, max_size=25), st.lists(sentence, max_size=25), st.booleans())
def test_beads_cover_each_sentence_once_in_order(src: list[str], tgt: list[str], translate: bool) -> None:
    kwargs = {"source_translations": [s[::-1] for s in src]} if translate else {}
    assert_covers(align(src, tgt, "en", "zh", **kwargs), len(src), len(tgt))


@settings(max_examples=5, deadline=None)
@given(st.integers(600, 1400), st.integers(600, 1400), st.integers(0, 2**32 - 1))
def test_banded_search_covers_long_random_documents(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    src = ["a" * int(k) for k in rng.integers(1, 200, size=n)]
    tgt = ["b" * int(k) for k in rng.integers(1, 200, size=m)]
    assert_covers(align(src, tgt, "en", "en"), n, m)


# ---------------------------------------------------------------- the sample readout, no model

@pytest.mark.parametrize("source, target", [("zh", "en"), ("en", "ar"), ("zh", "ar")])
def test_sample_readout_gold_alignment_is_reproduced(source: str, target: str) -> None:
    result = align(lines(READOUT / f"{source}.sents"), lines(READOUT / f"{target}.sents"), source, target)
    assert pairs(result) == read_gold(READOUT / f"{source}-{target}.align")
    assert "lexicon" in result.signature


@pytest.mark.parametrize("beads", [
    [Bead((0,), (0,), 1.0), Bead((0,), (1,), 1.0)],  # source 0 twice, source 1 never
    [Bead((1,), (0,), 1.0), Bead((0,), (1,), 1.0)],  # out of order
    [Bead((0, 1), (0,), 1.0)],  # target 1 missing
])
def test_coverage_check_refuses_beads_that_break_the_aligners_promise(beads):
    with pytest.raises(EngineError, match=r"the alignment zh-en does not cover every sentence once and in order"):
        check_coverage(beads, 2, 2, "zh-en")
    check_coverage([Bead((0,), (0,), 1.0), Bead((1,), (), 0.5), Bead((), (1,), 0.5)], 2, 2, "zh-en")  # a valid one
