"""TranslateStream over a real server on loopback, and the quality flags of Translate over gRPC and in the CLI,
with tiny real models that fail like Argos models do (tests/failure_models.py)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

import failure_models
from conftest import SAMPLE
from conftest import run_cli as run
from triglot.render import FLAG_MARK
from triglot.client import TriglotClient, TriglotError
from triglot_server.engine.translation import TranslationEngine
from triglot_server.server import load_models, start_server
from triglot_server.service import STREAM_CHUNK_SENTENCES


def sents(language: str) -> list[str]:
    return (SAMPLE / f"{language}.sents").read_text(encoding="utf-8").splitlines()


LONG = sents("en") * 4  # 76 sentences: three stream messages of up to STREAM_CHUNK_SENTENCES


def test_stream_gives_the_pairs_of_translate_in_order_with_progress(client):
    assert len(LONG) > 2 * STREAM_CHUNK_SENTENCES
    whole = client.translate(LONG, "zh", source="en")
    messages = list(client.translate_stream(LONG, "zh", source="en"))
    assert len(messages) == 3
    pairs = [p for m in messages for p in m.pairs]
    assert pairs == list(whole.pairs)
    assert [p.source.index for p in pairs] == list(range(len(LONG)))
    assert [m.done for m in messages] == [32, 64, 76]
    assert all(m.total == len(LONG) for m in messages)
    first, rest = messages[0], messages[1:]
    assert (first.source_language, first.target_language) == ("en", "zh")
    assert (list(first.route), list(first.models), first.signature) == \
        (list(whole.route), list(whole.models), whole.signature)
    assert all(not m.signature and not m.route and not m.source_language for m in rest)


def test_stream_of_text_splits_like_translate(client):
    text = (SAMPLE / "zh.txt").read_text(encoding="utf-8")
    whole = client.translate(text, "ar")
    messages = list(client.translate_stream(text, "ar"))
    assert [p for m in messages for p in m.pairs] == list(whole.pairs)
    assert list(messages[0].route) == ["zh", "en", "ar"]
    assert messages[-1].done == messages[-1].total == len(sents("zh"))


@pytest.mark.parametrize("target,fragment", [("en", "nothing to translate"), ("", "target_language is required"),
                                             ("xx", "target_language")])
def test_stream_validates_like_translate(client, target, fragment):
    for call in (lambda: client.translate(sents("en"), target, source="en"),
                 lambda: list(client.translate_stream(sents("en"), target, source="en"))):
        with pytest.raises(TriglotError) as error:
            call()
        assert error.value.code == grpc.StatusCode.INVALID_ARGUMENT
        assert fragment in error.value.details


def test_stream_without_a_model_fails_precondition(tmp_path):
    running = start_server("127.0.0.1:0")
    try:
        load_models(running, tmp_path)  # an empty model directory
        with TriglotClient(running.address, timeout=30) as c, pytest.raises(TriglotError) as error:
            list(c.translate_stream(sents("en"), "zh", source="en"))
        assert error.value.code == grpc.StatusCode.FAILED_PRECONDITION
        assert "triglot models install" in error.value.details
    finally:
        running.stop(grace=None)


def test_closing_the_stream_early_cancels_it(client):
    stream = client.translate_stream(LONG, "zh", source="en")
    first = next(stream)
    assert first.done == STREAM_CHUNK_SENTENCES < first.total
    stream.close()  # cancels the call; the client stays usable
    assert len(client.translate(sents("en")[:2], "zh", source="en").pairs) == 2


@pytest.mark.parametrize("source,target", [("en", "zh"), ("zh", "ar"), ("ar", "en")])
def test_normal_test_models_raise_no_flags_over_grpc(client, source, target):
    whole = client.translate(sents(source), target, source=source)
    streamed = [p for m in client.translate_stream(sents(source), target, source=source) for p in m.pairs]
    for p in list(whole.pairs) + streamed:
        assert list(p.flags) == [] and p.retry == "", (p.translation, p.flags, p.retry)


# --- failure models behind their own servers -------------------------------------------------------------------

@pytest.fixture(scope="module")
def failing_dir(tmp_path_factory) -> Path:
    """A copying en→ar model and a looping en→zh model."""
    directory = tmp_path_factory.mktemp("failing") / "models"
    failure_models.install_failure_model(directory, "copy", "en", "ar")
    return failure_models.install_failure_model(directory, "loop", "en", "zh")


@pytest.fixture(scope="module")
def failing_address(failing_dir) -> Iterator[str]:
    """A server as `triglot serve` runs it (default settings: flagged sentences are retried)."""
    running = start_server("127.0.0.1:0")
    load_models(running, failing_dir)
    yield running.address
    running.stop(grace=None)


@pytest.fixture(scope="module")
def no_retry_address(failing_dir) -> Iterator[str]:
    """A server whose engine does not retry, so the first pass's flags come back as they are."""
    running = start_server("127.0.0.1:0")
    running.servicer.translator = TranslationEngine(failing_dir, retry_flagged=False)
    running.set_serving(True)
    yield running.address
    running.stop(grace=None)


def test_copying_model_is_flagged_untranslated_with_its_retry_over_grpc(failing_address):
    with TriglotClient(failing_address, timeout=60) as c:
        whole = c.translate(sents("en")[:4], "ar", source="en")
        streamed = [p for m in c.translate_stream(sents("en")[:4], "ar", source="en") for p in m.pairs]
    assert streamed == list(whole.pairs)
    for p in whole.pairs:
        assert "untranslated" in p.flags
        assert p.retry.startswith("retried with ") and "after untranslated" in p.retry


def test_looping_model_is_flagged_repetition_over_grpc(no_retry_address, failing_address):
    with TriglotClient(no_retry_address, timeout=60) as c:
        response = c.translate(sents("en")[:3], "zh", source="en")
    assert all("repetition" in p.flags and p.retry == "" for p in response.pairs)
    with TriglotClient(failing_address, timeout=60) as c:  # retried: the response says the first pass looped
        response = c.translate(sents("en")[:3], "zh", source="en")
    assert all("after repetition" in p.retry for p in response.pairs)


def test_cli_shows_flagged_translations(capsys, failing_address, no_retry_address):
    path = str(SAMPLE / "en.sents")
    code, out, _ = run(capsys, "translate", path, "--presplit", "--to", "ar", "--width", "120",
                       "--server", failing_address)
    assert code == 0
    assert f"{FLAG_MARK} untranslated" in out
    assert f"{len(sents('en'))} of {len(sents('en'))} translations flagged" in out.splitlines()[-1]

    code, out, _ = run(capsys, "translate", path, "--presplit", "--to", "zh", "--format", "tsv",
                       "--server", no_retry_address)
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) == len(sents("en")) and all(len(row) == 4 and "repetition" in row[3] for row in rows)

    code, out, _ = run(capsys, "translate", path, "--presplit", "--to", "ar", "--format", "json",
                       "--server", failing_address)
    pairs = json.loads(out)["pairs"]
    assert code == 0 and all("untranslated" in p["flags"] and p["retry"] for p in pairs)


def test_cli_normal_output_is_unmarked_and_progress_shows_for_long_documents(capsys, address, tmp_path):
    code, out, err = run(capsys, "translate", str(SAMPLE / "en.sents"), "--presplit", "--to", "zh", "--format", "tsv",
                         "--server", address)
    assert code == 0 and err == ""  # 19 sentences: no progress by default
    assert all(line.split("\t")[3] == "" for line in out.splitlines())
    code, out, _ = run(capsys, "translate", str(SAMPLE / "en.sents"), "--presplit", "--to", "zh", "--server", address)
    assert code == 0 and FLAG_MARK not in out

    long = tmp_path / "long.sents"
    long.write_text("\n".join(LONG) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "translate", str(long), "--presplit", "--to", "zh", "--format", "tsv",
                         "--server", address)
    assert code == 0 and len(out.splitlines()) == len(LONG)
    assert err.splitlines() == [f"triglot: translating sentences {n}/{len(LONG)}" for n in (32, 64, 76)]
    code, _, err = run(capsys, "translate", str(long), "--presplit", "--to", "zh", "--no-progress",
                       "--server", address)
    assert code == 0 and err == ""
    code, _, err = run(capsys, "translate", str(SAMPLE / "en.sents"), "--presplit", "--to", "zh", "--progress",
                       "--server", address)
    assert code == 0 and err == "triglot: translating sentences 19/19\n"
