"""What a third-party client cannot make the server hold or share (issue 14, items 1, 2 and 14).

- A client that stops reading must not hold the heavy slots. The stalled reader is a raw HTTP/2 client
  (tests/h2client.py) that opens its streams with a zero flow-control window and never opens it: the server can
  compute every response but deliver none of it. Meanwhile a second, ordinary client calls Align with a deadline, and
  it must succeed: a slot is held while the engine works, not while a response waits for a reader. A heavy call whose
  caller set no deadline is cut by the server's own bound, and connections have an age limit, so a stalled
  connection does not hold a thread forever either; the access log counts only the bytes delivered.
- A second server on a busy port fails "address already in use" (gRPC's default SO_REUSEPORT is off); a malformed
  --listen says what is expected.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import SAMPLE, wait_for
from h2client import RawH2Client
from triglot.client import TriglotClient
from triglot.v1 import triglot_pb2 as pb
from triglot_server.server import load_models, start_server

EN = [f"The minister met delegation number {i} in Beijing and discussed trade." for i in range(200)]
TRANSLATE_STREAM = "/triglot.v1.Triglot/TranslateStream"
COMPARE_STREAM = "/triglot.v1.Triglot/CompareStream"


def translate_stream_request() -> bytes:
    return pb.TranslateRequest(document=pb.Document(sentences=pb.SentenceList(items=EN), language="en"),
                               target_language="zh").SerializeToString()


def compare_stream_request() -> bytes:
    en = (SAMPLE / "en.txt").read_text(encoding="utf-8")
    zh = (SAMPLE / "zh.txt").read_text(encoding="utf-8")
    return pb.CompareRequest(versions=[pb.Version(document=pb.Document(text=zh, language="zh")),
                                       pb.Version(document=pb.Document(text=en, language="en"))]).SerializeToString()


@pytest.fixture()
def fresh_server(model_dir) -> Iterator:
    """A server of its own per test (default slots: 2 workers, a queue of 4), so stalled streams stay local."""
    servers = []

    def make(**options):
        running = start_server("127.0.0.1:0", **options)
        load_models(running, model_dir)
        servers.append(running)
        return running

    yield make
    for running in servers:
        running.stop(grace=None)


def test_a_stalled_reader_does_not_stop_another_clients_align(fresh_server):
    server = fresh_server()
    stalled = RawH2Client(server.address, window=0)
    try:
        streams = [stalled.call(TRANSLATE_STREAM, translate_stream_request()) for _ in range(4)]
        streams += [stalled.call(COMPARE_STREAM, compare_stream_request()) for _ in range(4)]
        # Every slot and queue place is taken by the stalled calls while the engine works for them; then the slots
        # are free although none of the responses could be delivered. (Before the fix they stayed taken for as
        # long as the connection lived.)
        wait_for(lambda: server.admission.active + server.admission.queued > 0, "the stalled calls to be admitted")
        wait_for(lambda: server.admission.active == 0 and server.admission.queued == 0,
                 "the slots to be free while the stalled streams remain", 120)
        zh = (SAMPLE / "zh.txt").read_text(encoding="utf-8")
        en = (SAMPLE / "en.txt").read_text(encoding="utf-8")
        with TriglotClient(server.address, timeout=10) as other:
            result = other.align(zh, en)  # RESOURCE_EXHAUSTED while stalled readers held the slots
        assert len(result.beads) > 10
        # The stalled client still holds its streams: none was ended or answered with trailers.
        admitted = [s for s in streams if stalled.headers.get(s, {}).get("grpc-status") != "8"]
        assert len(admitted) >= 6  # 2 running + 4 queued at first; the rest may have been refused at once
        assert all(s not in stalled.ended for s in admitted)
        assert all("grpc-status" not in stalled.headers.get(s, {}) for s in admitted)
        assert server.admission.active == 0 and server.admission.queued == 0
    finally:
        stalled.close()


def test_a_heavy_call_without_a_deadline_is_cut_by_the_servers_bound(fresh_server):
    server = fresh_server(max_call_seconds=2)
    stalled = RawH2Client(server.address, window=0)
    try:
        streams = [stalled.call(TRANSLATE_STREAM, translate_stream_request()) for _ in range(3)]
        # No grpc-timeout header: the server's bound applies, the calls are cancelled (RST_STREAM), their threads
        # and everything they hold are freed.
        wait_for(lambda: all(s in stalled.ended for s in streams), "the server to cut the stalled calls", 30)
        wait_for(lambda: server.gate.running == 0, "the server to count no call running")
    finally:
        stalled.close()


def test_connections_have_an_age_limit(model_dir):
    from conftest import start_cli_server, stop_cli_server

    process, address = start_cli_server(model_dir, extra_args=("--max-connection-age", "1"))
    stalled = RawH2Client(address, window=0)
    try:
        assert stalled.goaway.wait(30), "the server never sent GOAWAY to an old connection"
    finally:
        stalled.close()
        stop_cli_server(process)


def test_a_second_server_on_a_busy_port_exits_with_address_in_use(model_dir):
    import subprocess
    import sys

    from conftest import start_cli_server, stop_cli_server

    first, address = start_cli_server(model_dir)
    try:
        second = subprocess.run(
            [sys.executable, "-m", "triglot.cli", "serve", "--listen", address, "--models", str(model_dir)],
            capture_output=True, text=True, timeout=60)
        # Was: the second server printed "ready" and shared the port (gRPC sets SO_REUSEPORT by default).
        assert second.returncode == 1, second.stdout
        assert "ready on" not in second.stdout
        assert second.stderr.strip().splitlines()[-1] == \
            f"triglot: error: cannot listen on {address}: address already in use (is another triglot server " \
            "running on it?)"
    finally:
        stop_cli_server(first)


@pytest.mark.parametrize("listen", ["notanaddress", "127.0.0.1", "http://127.0.0.1:5", "127.0.0.1:99999"])
def test_a_malformed_listen_address_says_what_is_expected(listen, tmp_path):
    import subprocess
    import sys

    # A process of its own: `serve` configures the process's logging.
    result = subprocess.run([sys.executable, "-m", "triglot.cli", "serve", "--listen", listen, "--models",
                             str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1  # was: "refusing to listen on notanaddress without TLS" for some of them
    err = result.stderr
    assert err.count("\n") == 1 and "expected HOST:PORT" in err and "TLS" not in err, err


def test_the_access_log_counts_only_delivered_bytes(fresh_server, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="triglot.access")
    server = fresh_server(max_call_seconds=2)
    stalled = RawH2Client(server.address, window=0)
    try:
        stream = stalled.call(TRANSLATE_STREAM, translate_stream_request())
        wait_for(lambda: stream in stalled.ended, "the server to cut the stalled call", 30)
        wait_for(lambda: any("TranslateStream" in r.getMessage() for r in caplog.records), "the call's log line")
    finally:
        stalled.close()
    line = next(r.getMessage() for r in caplog.records if "TranslateStream" in r.getMessage())
    assert "code=CANCELLED" in line
    logged = int(line.split("response_bytes=")[1].split()[0])
    # The same stream read in full by an ordinary client (answered from the cache: the same messages).
    with TriglotClient(server.address, timeout=30) as client:
        sizes = [m.ByteSize() for m in client.translate_stream(EN, "zh", source="en")]
    assert len(sizes) > 3
    # Counted is what gRPC took for sending: at most the first message, which its write buffer accepts although the
    # window is closed — not every message the engine produced (before, each message was counted as it was made).
    assert logged <= sizes[0] < sum(sizes)
    wait_for(lambda: sum("TranslateStream" in r.getMessage() for r in caplog.records) == 2, "the second log line")
    line = [r.getMessage() for r in caplog.records if "TranslateStream" in r.getMessage()][-1]
    assert "code=OK" in line and f"response_bytes={sum(sizes)} " in line  # a stream that is read logs it all
