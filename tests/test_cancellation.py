"""Deadlines and cancellation: when the caller leaves, the server stops working on its request.

A real server on loopback with one heavy slot and no queue (so "the next call gets a worker" is observable: a busy
server would answer RESOURCE_EXHAUSTED), serving the tiny `loop` failure models (tests/failure_models.py): they decode
every sentence to the length cap, so a document of a few thousand sentences takes many seconds — long enough to
cancel in the middle. What is asserted is a count, not a time: how many batches the engine started before it
stopped, against how many the whole document needs.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from conftest import SAMPLE, wait_for
from failure_models import install_failure_model
from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc
from triglot_server.engine.translation import TranslationEngine
from triglot_server.engine.types import Cancelled
from triglot_server.server import load_models, start_server

SENTENCES = 4000
BATCHES = SENTENCES // 32  # the engine's batches for the whole document (max_batch_size 32)
EN = [f"The minister met delegation number {i} in Beijing and discussed trade." for i in range(SENTENCES)]
ZH = [f"外交部长在北京会见了第{i}个代表团并讨论了贸易问题。" for i in range(SENTENCES)]


class Recorder:
    """The server's real engine, with a count of the batches it started (its should_stop checks) and of the calls
    that ended Cancelled: a test-side window into the server, not a replacement for anything in it."""

    def __init__(self, engine: TranslationEngine) -> None:
        self.engine = engine
        self.reset()

    def reset(self) -> None:
        self.checks = 0
        self.calls = 0
        self.chunks = 0
        self.cancelled = threading.Event()

    def _counted(self, should_stop: Callable[[], bool] | None) -> Callable[[], bool] | None:
        if should_stop is None:
            return None

        def counted() -> bool:
            self.checks += 1
            return should_stop()

        return counted

    def routes(self):
        return self.engine.routes()

    def translate(self, sentences, source, target, *, should_stop=None):
        self.calls += 1
        try:
            return self.engine.translate(sentences, source, target, should_stop=self._counted(should_stop))
        except Cancelled:
            self.cancelled.set()
            raise

    def translate_chunks(self, sentences, source, target, chunk_size=64, *, should_stop=None) -> Iterator:
        try:
            for item in self.engine.translate_chunks(sentences, source, target, chunk_size,
                                                     should_stop=self._counted(should_stop)):
                self.chunks += 1
                yield item
        except Cancelled:
            self.cancelled.set()
            raise


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    model_dir = tmp_path_factory.mktemp("loop-models") / "models"
    for source, target in (("en", "zh"), ("zh", "en")):
        install_failure_model(model_dir, "loop", source, target)
    running = start_server("127.0.0.1:0", heavy_workers=1, max_queue=0)
    load_models(running, model_dir)
    running.servicer.translator = Recorder(running.servicer.translator)
    yield running
    running.stop(grace=None)


@pytest.fixture()
def recorder(slow_server) -> Recorder:
    slow_server.servicer.translator.reset()
    return slow_server.servicer.translator


@pytest.fixture()
def channel(slow_server) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(slow_server.address) as channel:
        yield channel


@pytest.fixture()
def stub(channel):
    return triglot_pb2_grpc.TriglotStub(channel)


def translate_request(items: list[str], language: str = "en", target: str = "zh") -> pb.TranslateRequest:
    return pb.TranslateRequest(document=pb.Document(sentences=pb.SentenceList(items=items), language=language),
                               target_language=target)


def compare_request(zh_count: int) -> pb.CompareRequest:
    return pb.CompareRequest(versions=[
        pb.Version(document=pb.Document(sentences=pb.SentenceList(items=EN[:3]), language="en")),
        pb.Version(document=pb.Document(sentences=pb.SentenceList(items=ZH[:zh_count]), language="zh"))])


def assert_serves_again(slow_server, channel) -> None:
    """The slot is free again: with one slot and no queue, a busy server would refuse this with
    RESOURCE_EXHAUSTED; and cheap RPCs answer."""
    wait_for(lambda: slow_server.admission.active == 0, "the heavy slot to be released")
    stub = triglot_pb2_grpc.TriglotStub(channel)
    assert len(stub.Translate(translate_request(["Beijing is large."]), timeout=30).pairs) == 1
    health = health_pb2_grpc.HealthStub(channel)
    assert health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == \
        health_pb2.HealthCheckResponse.SERVING


def test_engine_stops_between_batches_when_told(slow_server):
    engine = slow_server.servicer.translator.engine
    asked = []

    def stop_after_three() -> bool:
        asked.append(True)
        return len(asked) > 3

    with pytest.raises(Cancelled):
        engine.translate(EN[:1000], "en", "zh", should_stop=stop_after_three)
    assert len(asked) == 4  # three batches started, the fourth check said stop: nothing more was submitted
    # A should_stop that never fires is asked, and the whole document is translated.
    never: list[bool] = []
    result = engine.translate(EN[1000:1010], "en", "zh", should_stop=lambda: never.append(True) or False)
    assert len(result.translations) == 10 and all(result.translations) and never


def no_service_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    """A caller leaving is not a server error: the servicer logs nothing at ERROR for it."""
    assert not [r for r in caplog.records if r.name == "triglot_server.service" and r.levelno >= logging.ERROR]


def test_client_cancel_mid_translate_stops_the_work(slow_server, channel, stub, recorder, caplog):
    caplog.set_level(logging.DEBUG, logger="triglot_server.service")
    call = stub.Translate.future(translate_request(EN), timeout=120)
    wait_for(lambda: recorder.checks >= 1, "the server to start translating")
    call.cancel()
    assert call.code() == grpc.StatusCode.CANCELLED
    assert recorder.cancelled.wait(60), "the engine did not stop for a cancelled call"
    assert recorder.checks < BATCHES  # stopped part-way: the rest of the document was never submitted
    assert_serves_again(slow_server, channel)
    assert any("stopped early" in r.getMessage() for r in caplog.records)  # it was seen, at DEBUG
    no_service_errors_logged(caplog)


def test_deadline_shorter_than_the_work_is_deadline_exceeded_and_the_server_keeps_serving(slow_server, channel,
                                                                                         stub, recorder, caplog):
    with pytest.raises(grpc.RpcError) as caught:
        stub.Translate(translate_request(EN), timeout=1.0)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert recorder.cancelled.wait(60), "the engine kept working after the deadline"
    assert recorder.checks < BATCHES
    assert_serves_again(slow_server, channel)
    no_service_errors_logged(caplog)


def test_client_cancel_mid_translate_stream_stops_the_work(slow_server, channel, stub, recorder):
    stream = stub.TranslateStream(translate_request(EN), timeout=120)
    first = next(stream)
    assert first.total == SENTENCES and first.done < SENTENCES
    stream.cancel()
    wait_for(lambda: slow_server.admission.active == 0, "the stream's slot to be released")
    assert recorder.chunks < SENTENCES // 32  # the stream stopped well before the last chunk
    assert_serves_again(slow_server, channel)


def test_client_cancel_mid_compare_stops_the_work(slow_server, channel, stub, recorder):
    # Compare glosses the zh version through the (slow) zh->en model in batches of 64 sentences first.
    call = stub.Compare.future(compare_request(2000), timeout=120)
    wait_for(lambda: recorder.checks >= 1, "the server to start glossing")
    call.cancel()
    wait_for(lambda: slow_server.admission.active == 0, "the compare call's slot to be released")
    assert recorder.calls < 2000 // 64  # not every gloss batch was translated
    assert_serves_again(slow_server, channel)


def test_compare_deadline_is_deadline_exceeded_and_stops_the_work(slow_server, channel, stub, recorder):
    with pytest.raises(grpc.RpcError) as caught:
        stub.Compare(compare_request(2000), timeout=1.0)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    wait_for(lambda: slow_server.admission.active == 0, "the compare call's slot to be released")
    assert recorder.calls < 2000 // 64
    assert_serves_again(slow_server, channel)


def test_client_cancel_mid_compare_stream_stops_the_work(slow_server, channel, stub, recorder):
    stream = stub.CompareStream(compare_request(2000), timeout=120)
    first = next(stream)
    assert first.WhichOneof("event") == "progress"
    stream.cancel()
    wait_for(lambda: slow_server.admission.active == 0, "the stream's slot to be released")
    assert recorder.calls < 2000 // 64
    assert_serves_again(slow_server, channel)


def test_align_deadline_stops_the_aligner(slow_server, channel, stub, monkeypatch):
    from triglot_server.engine import alignment

    real_align, outcome = alignment.align, []

    def recorded_align(*args, **kwargs):  # the real aligner, noting how it ended
        if kwargs.get("should_stop") is None:
            outcome.append("called without should_stop")
        try:
            result = real_align(*args, **kwargs)
        except Cancelled:
            outcome.append("cancelled")
            raise
        outcome.append("finished")
        return result

    monkeypatch.setattr(alignment, "align", recorded_align)
    en = (SAMPLE / "en.sents").read_text(encoding="utf-8").split("\n")
    zh = (SAMPLE / "zh.sents").read_text(encoding="utf-8").split("\n")
    copies = 1000  # ~19,000 sentences a side: seconds of alignment, far more than the deadline
    # Each copy numbered: a sentence seen before is not analysed again (memoised), so plain copies would be quick.
    numbered = lambda sentences: [f"{s} ({k})" for k in range(copies) for s in sentences if s.strip()]  # noqa: E731
    request = pb.AlignRequest(
        source=pb.Document(sentences=pb.SentenceList(items=numbered(en)), language="en"),
        target=pb.Document(sentences=pb.SentenceList(items=numbered(zh)), language="zh"))
    with pytest.raises(grpc.RpcError) as caught:
        stub.Align(request, timeout=1.5)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    wait_for(lambda: bool(outcome), "the aligner to end")
    assert outcome == ["cancelled"]
    monkeypatch.undo()
    assert_serves_again(slow_server, channel)
