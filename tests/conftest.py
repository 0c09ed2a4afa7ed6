"""Shared fixtures: the tiny test models, installed once per session, and real triglot servers on loopback."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "2020-03-09-china-iraq"
# Every readout set the repo carries (verbatim copies of ../shared/data/readouts): the sample and the real dev sets.
# The real dev readouts the tests run on: the copies in tests/data, or $TRIGLOT_READOUTS (builddocs.readouts).
from builddocs import readouts  # noqa: E402

REAL_READOUTS = sorted(p for p in (readouts() / "real").iterdir() if p.is_dir())
READOUT_SETS = [SAMPLE, *REAL_READOUTS]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model directory with the tiny en<->zh and en<->ar test packages installed (built by tests/tinymodel.py)."""
    from tinymodel import install_test_models

    return install_test_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def server(model_dir: Path) -> Iterator:
    """A real in-process triglot server on a free loopback port, models loaded (health SERVING)."""
    from triglot_server.server import load_models, start_server

    running = start_server("127.0.0.1:0")
    load_models(running, model_dir)
    yield running
    running.stop(grace=None)


@pytest.fixture(scope="session")
def address(server) -> str:
    return server.address


@pytest.fixture(scope="session")
def channel(address: str) -> Iterator[grpc.Channel]:
    from triglot.client import MAX_MESSAGE_BYTES

    with grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                                                 ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)]) as ch:
        yield ch


@pytest.fixture(scope="session")
def stub(channel: grpc.Channel):
    from triglot.v1 import triglot_pb2_grpc

    return triglot_pb2_grpc.TriglotStub(channel)


@pytest.fixture()
def client(address: str) -> Iterator:
    from triglot.client import TriglotClient

    with TriglotClient(address, timeout=60) as c:
        yield c


def run_cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    from triglot.cli import main

    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll until condition() holds (a generous bound against a hang, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def free_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cli_server(model_dir: Path, env: dict[str, str] | None = None, timeout: float = 60,
                     extra_args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """`triglot serve [extra_args]` in a subprocess on a free port; returns it and its address once it says it is
    ready (it prints "ready on" only after health turned SERVING — plaintext or TLS alike)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "triglot.cli", "serve", "--listen", "127.0.0.1:0", "--models", str(model_dir),
         *extra_args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or dict(os.environ))
    listening = _output_line(process, timeout)  # "triglot: listening on 127.0.0.1:PORT, loading models ..."
    ready = _output_line(process, timeout) if "listening on" in listening else ""  # "triglot: ready on ..."
    if "ready on" not in ready:
        process.kill()
        raise AssertionError(f"server did not get ready: {listening!r} {ready!r} {process.stderr.read()}")
    return process, listening.split("listening on ", 1)[1].split(",", 1)[0]


def _output_line(process: subprocess.Popen, timeout: float) -> str:
    """The server's next line on stdout, or "" when none comes in time (a reader thread: readline cannot time out)."""
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return line[0] if line else ""


def stop_cli_server(process: subprocess.Popen) -> tuple[int, str, str]:
    """SIGTERM, then the exit code and remaining output."""
    process.terminate()
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err
