"""The learned table's compiled Model 1 gives exactly the table of its numpy original (kept as the reference)."""
from __future__ import annotations

import numpy as np
import pytest

from triglot_server.engine.alignment import learned


def _book(rng: np.random.Generator, n: int, vocab: int) -> list[str]:
    # Zipf-like word choice, so some tokens are frequent enough to be learned and some are dropped as too common.
    words = [f"w{k}" for k in range(vocab)]
    p = 1.0 / np.arange(1, vocab + 1)
    return [" ".join(rng.choice(words, size=int(rng.integers(1, 12)), p=p / p.sum())) for _ in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_model1_equals_the_numpy_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(700, 1500))
    src, tgt = learned.Tokens(_book(rng, n, 300), "en", first_id=1), learned.Tokens(_book(rng, n, 200), "en")
    # A path of beads of 0-4 sentences a side over both documents (1-1 mostly), starting at (0, 0).
    beads, i, j = [], 0, 0
    while i < n and j < n:
        a, b = (1, 1) if rng.random() < 0.7 else (int(rng.integers(0, 5)), int(rng.integers(0, 5)))
        a, b = min(a, n - i), min(b, n - j)
        if a + b:
            beads.append((i, j, a, b))
        i, j = i + a, j + b
    beads = np.asarray(beads, dtype=np.int64)
    got, want = learned.model1(src, tgt, beads), learned.model1_reference(src, tgt, beads)
    assert len(want[0]) > 0
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_too_few_beads_learn_no_table() -> None:
    tokens = learned.Tokens(["a b", "c d"] * 200, "en")
    beads = np.array([(k, k, 1, 1) for k in range(learned.MIN_BEADS - 1)], dtype=np.int64)
    assert all(len(x) == 0 for x in learned.model1(tokens, tokens, beads))
