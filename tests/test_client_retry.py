"""Fault test: a `triglot serve` process is killed (SIGKILL) and restarted on the same port under a running batch job.

The client's retries (gRPC's retry policy, then resends with wait_for_ready until the deadline) must complete the
batch: every result present exactly once, in order, and equal to the result of an undisturbed run. A control run
with retries=False shows the same fault does fail a batch, so the first test can fail.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import grpc
import pytest

from conftest import SAMPLE, free_port
from triglot.client import TriglotClient, TriglotError, channel_options
from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc

BATCH = 30
ZH = (SAMPLE / "zh.sents").read_text(encoding="utf-8").splitlines()
EN = (SAMPLE / "en.sents").read_text(encoding="utf-8").splitlines()


def job(client: TriglotClient, i: int) -> Any:
    """Call i of the batch: even calls Align a window of the sample readout, odd calls Translate one sentence.
    Each call's input differs, so a result delivered to the wrong call would show."""
    if i % 2 == 0:
        k = (i // 2) % (len(ZH) - 4)
        response = client.align(ZH[k:k + 5], EN[k:k + 5], source_language="zh", target_language="en")
        return ("align", [(tuple(b.source_ids), tuple(b.target_ids)) for b in response.beads],
                [s.text for s in response.source_sentences])
    response = client.translate([EN[(i // 2) % len(EN)]], "zh", source="en")
    return ("translate", [p.source.text for p in response.pairs], [p.translation for p in response.pairs])


def serve(model_dir: Path, port: int) -> subprocess.Popen:
    """`triglot serve` on 127.0.0.1:port; returns once the port is bound (models may still be loading)."""
    log = tempfile.TemporaryFile(mode="w+")  # not a pipe: a per-call log line must never block the server
    process = subprocess.Popen(
        [sys.executable, "-m", "triglot.cli", "serve", "--listen", f"127.0.0.1:{port}", "--models", str(model_dir)],
        stdout=subprocess.PIPE, stderr=log, text=True, env=dict(os.environ))
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        log.seek(0)
        raise AssertionError(f"server did not start: {line!r} {log.read()}")
    process.stderr = log  # closed by kill()
    return process


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()


def run_batch(client: TriglotClient, model_dir: Path, port: int, first: subprocess.Popen
              ) -> tuple[list[Any], list[int], BaseException | None, subprocess.Popen]:
    """Run the batch in a thread; after a third of it, SIGKILL the server and start a new one on the same port.
    Returns the results, the order in which calls completed, the batch's exception (if any) and the new server."""
    results: list[Any] = [None] * BATCH
    completed: list[int] = []
    failure: list[BaseException] = []

    def batch() -> None:
        try:
            for i in range(BATCH):
                results[i] = job(client, i)
                completed.append(i)
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            failure.append(error)

    worker = threading.Thread(target=batch, daemon=True)
    worker.start()
    while len(completed) < BATCH // 3 and worker.is_alive():
        time.sleep(0.005)
    assert len(completed) < BATCH, "the batch finished before the fault: nothing was tested"
    kill(first)  # calls run back to back, so this usually lands in the middle of one
    time.sleep(0.5)  # down for a while: connections are refused
    second = serve(model_dir, port)  # same port; it answers UNAVAILABLE while its models load
    worker.join(timeout=120)
    assert not worker.is_alive(), "the batch hung"
    return results, completed, (failure[0] if failure else None), second


@pytest.fixture()
def expected(client) -> list[Any]:
    """The batch's results from an undisturbed server (the session's in-process one)."""
    return [job(client, i) for i in range(BATCH)]


def test_a_batch_survives_the_server_being_killed_and_restarted(model_dir: Path, expected: list[Any]):
    port = free_port()
    server = serve(model_dir, port)
    try:
        with TriglotClient(f"127.0.0.1:{port}", timeout=60) as client:
            results, completed, failure, server = run_batch(client, model_dir, port, server)
        assert failure is None, f"the batch failed: {failure!r}"
        assert completed == list(range(BATCH))  # each call returned once, in order
        assert results == expected  # and with the same result as without the fault
    finally:
        kill(server)


def test_without_retries_the_same_fault_fails_the_batch(model_dir: Path):
    port = free_port()
    server = serve(model_dir, port)
    try:
        with TriglotClient(f"127.0.0.1:{port}", timeout=60, retries=False) as client:
            _, completed, failure, server = run_batch(client, model_dir, port, server)
        assert isinstance(failure, TriglotError) and failure.code.name == "UNAVAILABLE", failure
        assert len(completed) < BATCH
    finally:
        kill(server)


def test_a_server_that_was_never_reached_is_reported_quickly():
    """No waiting for a server that never answered (wrong address, not started): UNAVAILABLE after gRPC's few
    quick attempts, not after resends until the 60 s deadline (which would say "retried for 60 s")."""
    with TriglotClient(f"127.0.0.1:{free_port()}", timeout=60) as client:
        with pytest.raises(TriglotError) as caught:
            client.detect_language("北京")
    assert caught.value.code.name == "UNAVAILABLE"
    assert "retried for" not in caught.value.details, caught.value.details


def test_a_call_waits_out_a_model_load_longer_than_grpcs_own_retries(model_dir: Path):
    """Real models take seconds to load; gRPC's 5 attempts span at most 1.5 s (0.1+0.2+0.4+0.8 s of backoff). The
    client's resends carry a call through a longer load: it returns the result, not "still loading"."""
    from triglot_server.server import load_models, start_server

    running = start_server("127.0.0.1:0")  # bound, health NOT_SERVING, Triglot RPCs UNAVAILABLE
    loader = threading.Timer(3.0, load_models, (running, model_dir))
    try:
        loader.start()
        with TriglotClient(running.address, timeout=60) as client:
            assert client.translate([EN[0]], "zh", source="en").pairs[0].source.text == EN[0]
        assert loader.finished.is_set()  # the answer came after the load, so the call was resent across it
    finally:
        loader.join()
        running.stop(grace=None)


def test_a_server_that_stays_unavailable_is_reported_with_its_last_word():
    """Past the deadline, the error says the cause (the server's health service says NOT_SERVING: the client sends
    calls only to ready backends), not a bare DEADLINE_EXCEEDED."""
    from triglot.client import NOT_READY_MESSAGE
    from triglot_server.server import start_server

    running = start_server("127.0.0.1:0")  # models never loaded
    try:
        with TriglotClient(running.address, timeout=3) as client:
            with pytest.raises(TriglotError) as caught:
                client.list_languages()
    finally:
        running.stop(grace=None)
    assert caught.value.code.name == "UNAVAILABLE"
    assert caught.value.details.startswith(NOT_READY_MESSAGE.format(address=running.address))
    assert "retried for 3 s" in caught.value.details


def test_a_translation_stream_cut_by_a_restart_resumes_without_losing_or_repeating_pairs(model_dir: Path, client):
    sentences = [f"{EN[i % len(EN)][:-1]} (item {i})." for i in range(160)]  # 5 stream messages of 32 pairs
    expected = [p.translation for p in client.translate(sentences, "zh", source="en").pairs]
    port = free_port()
    server = serve(model_dir, port)
    try:
        with TriglotClient(f"127.0.0.1:{port}", timeout=120) as retrying:
            messages = []
            for message in retrying.translate_stream(sentences, "zh", source="en"):
                messages.append(message)
                if len(messages) == 1:  # mid-stream: more messages are still to come
                    kill(server)
                    server = serve(model_dir, port)
        assert messages[0].total == 160 and messages[-1].done == 160
        assert sum(bool(m.signature) for m in messages) == 1  # the metadata once, in the first message
        pairs = [p for m in messages for p in m.pairs]
        assert [p.source.index for p in pairs] == list(range(160))  # each pair exactly once, in order
        assert [p.source.text for p in pairs] == sentences
        assert [p.translation for p in pairs] == expected
    finally:
        kill(server)


class FlakyDetect:
    """A server whose DetectLanguage fails with `code` for the first `failures` attempts, then answers; it counts
    the attempts it saw. A stand-in server: what is tested is the client's channel configuration."""

    def __init__(self, code: grpc.StatusCode, failures: int) -> None:
        from concurrent import futures

        self.code, self.failures, self.attempts = code, failures, 0
        handler = grpc.unary_unary_rpc_method_handler(
            self.detect, request_deserializer=pb.DetectLanguageRequest.FromString,
            response_serializer=pb.DetectLanguageResponse.SerializeToString)
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        self.server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
            "triglot.v1.Triglot", {"DetectLanguage": handler})])
        self.address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"
        self.server.start()

    def detect(self, request: pb.DetectLanguageRequest, context: grpc.ServicerContext) -> pb.DetectLanguageResponse:
        self.attempts += 1
        if self.attempts <= self.failures:
            context.abort(self.code, f"failure {self.attempts}")
        return pb.DetectLanguageResponse(language="zh", confidence=1.0)


@pytest.mark.parametrize("retries,answered", [(True, True), (False, False)])
def test_grpcs_retry_policy_resends_inside_the_channel(retries: bool, answered: bool):
    # A plain stub on a channel with the client's options: no resend loop of the client's own is involved, so a
    # success after 4 failures is gRPC's retry policy (service config) at work, up to its 5 attempts.
    flaky = FlakyDetect(grpc.StatusCode.UNAVAILABLE, failures=4)
    try:
        with grpc.insecure_channel(flaky.address, options=channel_options(retries)) as channel:
            stub = triglot_pb2_grpc.TriglotStub(channel)
            try:
                assert stub.DetectLanguage(pb.DetectLanguageRequest(text="北京"), timeout=30).language == "zh"
                assert answered and flaky.attempts == 5
            except grpc.RpcError as error:
                assert not answered and error.code() == grpc.StatusCode.UNAVAILABLE and flaky.attempts == 1
    finally:
        flaky.server.stop(None)


def test_resource_exhausted_is_not_retried():
    flaky = FlakyDetect(grpc.StatusCode.RESOURCE_EXHAUSTED, failures=1)
    try:
        with TriglotClient(flaky.address, timeout=30) as client:
            with pytest.raises(TriglotError) as caught:
                client.detect_language("北京")
        assert caught.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED and flaky.attempts == 1
    finally:
        flaky.server.stop(None)
