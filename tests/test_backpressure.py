"""Back-pressure: one heavy call runs and one waits (heavy_workers=1, max_queue=1); beyond that heavy calls are
answered RESOURCE_EXHAUSTED at once, the accepted ones complete, the server recovers, and cheap RPCs answer throughout.

A real server on loopback serving the tiny `loop` failure models (tests/failure_models.py), which are slow on purpose
(every sentence decodes to the length cap), so a call holds its slot long enough to observe. "At once" is asserted
as: a refused call comes back RESOURCE_EXHAUSTED within a deadline far shorter than the running call needs (were it
queued, it would end DEADLINE_EXCEEDED) — no timing ratios.
"""
from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from conftest import wait_for
from failure_models import install_failure_model
from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc
from triglot_server.admission import AdmissionControl
from triglot_server.server import load_models, start_server

EN = [f"The minister met delegation number {i} in Beijing and discussed trade." for i in range(4000)]
ZH = [f"外交部长在北京会见了第{i}个代表团。" for i in range(50)]
BUSY = grpc.StatusCode.RESOURCE_EXHAUSTED


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    model_dir = tmp_path_factory.mktemp("loop-models") / "models"
    install_failure_model(model_dir, "loop", "en", "zh")
    running = start_server("127.0.0.1:0", heavy_workers=1, max_queue=1)
    load_models(running, model_dir)
    yield running
    running.stop(grace=None)


@pytest.fixture()
def channel(busy_server) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(busy_server.address) as channel:
        yield channel
    # Every test leaves the server idle for the next one.
    wait_for(lambda: busy_server.admission.active == 0 and busy_server.admission.queued == 0, "an idle server")


@pytest.fixture()
def stub(channel):
    return triglot_pb2_grpc.TriglotStub(channel)


def translate(items: list[str]) -> pb.TranslateRequest:
    return pb.TranslateRequest(document=pb.Document(sentences=pb.SentenceList(items=items), language="en"),
                               target_language="zh")


def align_request() -> pb.AlignRequest:
    return pb.AlignRequest(source=pb.Document(sentences=pb.SentenceList(items=EN[:50]), language="en"),
                           target=pb.Document(sentences=pb.SentenceList(items=ZH), language="zh"))


def compare_request() -> pb.CompareRequest:
    return pb.CompareRequest(versions=[
        pb.Version(document=pb.Document(sentences=pb.SentenceList(items=EN[:50]), language="en")),
        pb.Version(document=pb.Document(sentences=pb.SentenceList(items=ZH), language="zh"))])


def occupy(busy_server, stub) -> tuple[grpc.Future, grpc.Future]:
    """A long call in the slot and a short one in the queue."""
    running = stub.Translate.future(translate(EN), timeout=120)
    wait_for(lambda: busy_server.admission.active == 1, "the first call to take the slot")
    waiting = stub.Translate.future(translate(EN[:40]), timeout=120)
    wait_for(lambda: busy_server.admission.queued == 1, "the second call to queue")
    return running, waiting


def assert_cheap_rpcs_answer(channel: grpc.Channel) -> None:
    stub = triglot_pb2_grpc.TriglotStub(channel)
    health = health_pb2_grpc.HealthStub(channel)
    assert health.Check(health_pb2.HealthCheckRequest(), timeout=2).status == health_pb2.HealthCheckResponse.SERVING
    assert stub.ListLanguages(pb.ListLanguagesRequest(), timeout=2).pairs
    assert stub.DetectLanguage(pb.DetectLanguageRequest(text="北京"), timeout=2).language == "zh"


def test_beyond_the_slot_and_the_queue_heavy_calls_are_refused_at_once(busy_server, channel, stub):
    running, waiting = occupy(busy_server, stub)
    refused = []
    for call, request in ((stub.Translate, translate(EN[:5])), (stub.Align, align_request()),
                          (stub.Compare, compare_request())):
        with pytest.raises(grpc.RpcError) as caught:
            call(request, timeout=10)  # far less than the running call needs: a queued call would time out
        refused.append(caught.value)
    with pytest.raises(grpc.RpcError) as caught:
        next(stub.TranslateStream(translate(EN[:5]), timeout=10))
    refused.append(caught.value)
    for error in refused:
        assert error.code() == BUSY
        assert error.details() == "server busy: 1 heavy calls running and 1 queued; retry later"
    assert_cheap_rpcs_answer(channel)  # while the heavy calls run and wait
    assert busy_server.admission.active == 1 and busy_server.admission.queued == 1
    running.cancel()  # (to keep the test short; completion of accepted calls is shown below)
    assert len(waiting.result(timeout=120).pairs) == 40  # the queued call gets the slot and completes
    # Recovered: heavy calls are accepted again.
    assert len(stub.Translate(translate(EN[:3]), timeout=60).pairs) == 3
    assert stub.Align(align_request(), timeout=60).beads


def test_a_burst_gets_completed_or_refused_calls_only_then_the_server_recovers(busy_server, channel, stub):
    calls = [stub.Translate.future(translate(EN[100 * k:100 * k + 30]), timeout=120) for k in range(6)]
    codes = []
    for call in calls:
        try:
            assert len(call.result().pairs) == 30
            codes.append(grpc.StatusCode.OK)
        except grpc.RpcError as error:
            assert error.code() == BUSY, error
            codes.append(BUSY)
    assert codes.count(grpc.StatusCode.OK) >= 2  # the slot and the queue place are always served
    assert BUSY in codes
    assert len(stub.Translate(translate(EN[:3]), timeout=60).pairs) == 3


def test_a_queued_call_whose_caller_cancels_or_times_out_leaves_the_queue(busy_server, channel, stub):
    running, waiting = occupy(busy_server, stub)
    waiting.cancel()
    wait_for(lambda: busy_server.admission.queued == 0, "the cancelled call to leave the queue")
    with pytest.raises(grpc.RpcError) as caught:
        stub.Translate(translate(EN[:5]), timeout=0.5)  # queues, then its deadline passes
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    wait_for(lambda: busy_server.admission.queued == 0, "the timed-out call to leave the queue")
    assert busy_server.admission.active == 1  # the running call was not disturbed
    running.cancel()


def test_a_stream_holds_its_slot_until_it_ends(busy_server, channel, stub):
    stream = stub.TranslateStream(translate(EN), timeout=120)
    first = next(stream)
    assert first.done < first.total
    assert busy_server.admission.active == 1
    assert_cheap_rpcs_answer(channel)
    stream.cancel()
    wait_for(lambda: busy_server.admission.active == 0, "the stream to release its slot")


def test_settings_are_checked():
    with pytest.raises(ValueError):
        AdmissionControl(heavy_workers=0)
    with pytest.raises(ValueError):
        AdmissionControl(max_queue=-1)
