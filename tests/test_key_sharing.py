"""A long-running server shares key extraction with its worker process chunk by chunk: every sentence gets the keys
`sentence_keys` gives it, in order, whoever computed them."""
from __future__ import annotations

import pytest

from triglot_server.engine.alignment import keys
from triglot_server.engine.lexicon import sentence_keys

from test_align_edges import sample


@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_shared_chunks_give_every_sentence_its_keys_in_order(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    src, tgt, _ = sample("zh", "en")
    src, tgt = src * 3, tgt * 2 + ["Iraq and China, 9 March 2020."]
    monkeypatch.setattr(keys, "PARALLEL_MIN", 2)
    monkeypatch.setattr(keys, "SHARE_CHUNK", chunk)
    keys.start_worker()
    try:
        got = keys.both_sides(src, "zh", tgt, "en", lambda: None)
    finally:
        keys.stop_worker()
    assert got == ([sentence_keys(s, "zh") for s in src], [sentence_keys(t, "en") for t in tgt])


def test_a_cancelled_call_stops_between_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from triglot_server.engine.types import Cancelled

    src, tgt, _ = sample("zh", "en")
    monkeypatch.setattr(keys, "PARALLEL_MIN", 2)
    monkeypatch.setattr(keys, "SHARE_CHUNK", 1)
    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 3:
            raise Cancelled("stop")

    keys.start_worker()
    try:
        with pytest.raises(Cancelled):
            keys.both_sides(src, "zh", tgt * 5, "en", check)
        assert keys.both_sides(src[:2], "zh", tgt[:2], "en", lambda: None)[1] == [sentence_keys(t, "en") for t in tgt[:2]]
    finally:
        keys.stop_worker()


def test_the_learned_tables_tokens_come_with_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from triglot_server.engine.alignment import learned

    src, tgt, _ = sample("zh", "en")
    monkeypatch.setattr(keys, "PARALLEL_MIN", 2)
    monkeypatch.setattr(keys, "SHARE_CHUNK", 2)
    keys.start_worker()
    try:
        got = keys.both_sides(src, "zh", tgt, "en", lambda: None, learned.keys_and_tokens)
    finally:
        keys.stop_worker()
    for side, texts, language in ((got[0], src, "zh"), (got[1], tgt, "en")):
        assert [k for k, _ in side] == [sentence_keys(t, language) for t in texts]
        # (A set's order is its process's: the worker's joins the same tokens in another order.)
        assert [set(t.split()) for _, t in side] == [learned.sentence_tokens(t, language) for t in texts]


def test_the_english_names_read_alongside_the_keys_are_those_read_here(monkeypatch: pytest.MonkeyPatch) -> None:
    from triglot_server.engine.alignment import pinyin

    en = ["Wang Qiyao met Lin Dai-yu in the lane.", "Take the tea, she said.", "Then Dai-yu left."] * 3
    want = pinyin.english_names(en)
    assert want and keys.alongside(len(en), pinyin.english_names, en)() == want  # no worker: computed here
    monkeypatch.setattr(keys, "PARALLEL_MIN", 2)
    keys.start_worker()
    try:
        assert keys.alongside(len(en), pinyin.english_names, en)() == want
    finally:
        keys.stop_worker()
