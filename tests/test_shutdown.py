"""Graceful shutdown of `triglot serve`: SIGTERM/SIGINT with a call in flight, in a real subprocess."""
from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from conftest import free_port, start_cli_server
from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc

SENTENCES = 2000  # a Translate of this many sentences with the test model runs for seconds on a 2-core machine


def start(model_dir: Path, *flags: str) -> tuple[subprocess.Popen, str, str]:
    """`triglot serve` with `flags` and metrics on free ports; returns it, its address and its metrics address once
    ready."""
    metrics = free_port()
    process, address = start_cli_server(model_dir, extra_args=("--metrics-port", str(metrics), *flags))
    return process, address, f"127.0.0.1:{metrics}"


def gauge(metrics: str, name: str) -> float:
    with urllib.request.urlopen(f"http://{metrics}/metrics", timeout=5) as response:
        text = response.read().decode()
    return next(s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == name)


class SlowCall(threading.Thread):
    """A long Translate in a thread; waits until the server has it running (a heavy worker is busy)."""

    def __init__(self, address: str, metrics: str) -> None:
        super().__init__(daemon=True)
        self.channel = grpc.insecure_channel(address, options=[("grpc.max_send_message_length", 64 << 20),
                                                               ("grpc.max_receive_message_length", 64 << 20)])
        items = [f"This is sentence number {i} about the partnership." for i in range(SENTENCES)]
        self.request = pb.TranslateRequest(document=pb.Document(sentences=pb.SentenceList(items=items),
                                                                language="en"), target_language="zh")
        self.response: pb.TranslateResponse | None = None
        self.error: grpc.RpcError | None = None
        self.start()
        deadline = time.monotonic() + 30
        while gauge(metrics, "triglot_heavy_active") < 1:
            assert time.monotonic() < deadline and self.is_alive(), "the slow call never started"
            time.sleep(0.02)

    def run(self) -> None:
        try:
            self.response = triglot_pb2_grpc.TriglotStub(self.channel).Translate(self.request, timeout=120)
        except grpc.RpcError as error:
            self.error = error


@pytest.fixture()
def watch() -> Iterator:
    """Open health Watch streams; closed after the test."""
    channels: list[grpc.Channel] = []

    def open_watch(address: str) -> Iterator[health_pb2.HealthCheckResponse]:
        channels.append(grpc.insecure_channel(address))
        return health_pb2_grpc.HealthStub(channels[-1]).Watch(health_pb2.HealthCheckRequest(), timeout=60)

    yield open_watch
    for channel in channels:
        channel.close()


def test_sigterm_lets_the_call_in_flight_finish_refuses_new_ones_and_exits_0(model_dir, watch):
    process, address, metrics = start(model_dir, "--grace", "60")
    try:
        statuses = watch(address)
        assert next(statuses).status == health_pb2.HealthCheckResponse.SERVING
        slow = SlowCall(address, metrics)
        process.send_signal(signal.SIGTERM)
        # Health turns NOT_SERVING (seen by the Watch opened before) ...
        assert next(statuses).status == health_pb2.HealthCheckResponse.NOT_SERVING
        # ... and a new call is refused while the slow one still runs.
        with grpc.insecure_channel(address) as channel:
            with pytest.raises(grpc.RpcError) as caught:
                triglot_pb2_grpc.TriglotStub(channel).DetectLanguage(pb.DetectLanguageRequest(text="北京"),
                                                                     timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "shutting down" in caught.value.details()
        slow.join(timeout=120)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert slow.error is None, slow.error
    assert slow.response is not None and len(slow.response.pairs) == SENTENCES
    assert process.returncode == 0, err
    assert out.endswith("triglot: stopped\n")
    assert "shutting down" in err and "Translate code=OK" in err and "DetectLanguage code=UNAVAILABLE" in err
    assert "cancelling" not in err


def test_sigint_after_the_grace_period_cancels_what_still_runs_and_exits_0(model_dir):
    process, address, metrics = start(model_dir, "--grace", "0.2")
    try:
        slow = SlowCall(address, metrics)
        process.send_signal(signal.SIGINT)
        slow.join(timeout=120)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert slow.response is None and slow.error is not None
    assert slow.error.code() in (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE)
    assert process.returncode == 0, err
    assert "grace period of 0.2 s over: cancelling 1 calls still running" in err and out.endswith("triglot: stopped\n")


def test_an_idle_server_stops_at_once_on_sigterm_and_logs_json_lines(model_dir):
    process, address, _ = start(model_dir, "--grace", "60", "--log-format", "json")
    with grpc.insecure_channel(address) as channel:
        triglot_pb2_grpc.TriglotStub(channel).DetectLanguage(pb.DetectLanguageRequest(text="北京"), timeout=10)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)  # no call in flight: no waiting for the grace period
    assert process.returncode == 0, err
    assert out.endswith("triglot: stopped\n")
    entries = [json.loads(line) for line in err.splitlines()]  # every line of the log is one JSON object
    calls = [e for e in entries if e.get("event") == "call"]
    assert [(c["method"], c["code"]) for c in calls] == [("triglot.v1.Triglot/DetectLanguage", "OK")]
    assert any(e.get("msg") == "stopped" for e in entries)


def test_a_second_signal_cuts_the_grace_period_short(model_dir):
    process, address, metrics = start(model_dir, "--grace", "600")
    try:
        slow = SlowCall(address, metrics)
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while gauge(metrics, "triglot_model_state") != 2:  # draining: the first signal was handled
            assert time.monotonic() < deadline, "the server did not start draining"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        slow.join(timeout=120)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert slow.error is not None and process.returncode == 0, err
    assert "stop forced: cancelling 1 calls still running" in err and out.endswith("triglot: stopped\n")


def test_a_server_killed_with_sigkill_leaves_no_process_behind(model_dir):
    """The aligner's key worker is the server's child: once the server is killed (no chance to stop it), the worker
    must leave too, or it holds the server's memory and the pipes a supervisor reads the log from."""
    process, _ = start_cli_server(model_dir)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert children, "triglot serve starts its key worker"
    process.kill()
    process.communicate(timeout=30)  # returns only once every holder of the server's stdout/stderr is gone
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(_running, children)):
        time.sleep(0.1)
    assert not [pid for pid in children if _running(pid)]


def _running(pid: str) -> bool:
    """Alive and not a zombie (an orphan's exit status waits for whoever reaps it: not the worker's doing)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False
