"""`--wait` (TriglotClient(wait_when_busy=True)): a CLI job sent to a busy server waits for a slot instead of failing
(issue 14, item 13). Off by default, as before: a library caller sees RESOURCE_EXHAUSTED at once.

A real server on loopback with one heavy slot and no queue, kept busy by a Translate on the slow `loop` model that
ends at its own deadline (a few seconds); the CLI's Align is sent meanwhile.
"""
from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from conftest import SAMPLE, run_cli, wait_for
from failure_models import install_failure_model
from triglot.client import TriglotClient, TriglotError
from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc
from triglot_server.server import load_models, start_server

EN = [f"The minister met delegation number {i} in Beijing and discussed trade." for i in range(4000)]


@pytest.fixture(scope="module")
def one_slot(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    model_dir = install_failure_model(tmp_path_factory.mktemp("loop") / "models", "loop", "en", "zh")
    running = start_server("127.0.0.1:0", heavy_workers=1, max_queue=0)
    load_models(running, model_dir)
    yield running
    running.stop(grace=None)


def occupy(server, channel: grpc.Channel, seconds: float) -> grpc.Future:
    """A Translate holding the only slot until its deadline."""
    stub = triglot_pb2_grpc.TriglotStub(channel)
    call = stub.Translate.future(pb.TranslateRequest(
        document=pb.Document(sentences=pb.SentenceList(items=EN), language="en"), target_language="zh"),
        timeout=seconds)
    wait_for(lambda: server.admission.active == 1, "the slot to be taken")
    return call


def test_without_wait_a_busy_server_fails_the_job_at_once(one_slot, capsys):
    with grpc.insecure_channel(one_slot.address) as channel:
        busy = occupy(one_slot, channel, 4)
        code, _, err = run_cli(capsys, "align", str(SAMPLE / "zh.txt"), str(SAMPLE / "en.txt"),
                               "--server", one_slot.address)
        assert code == 1 and "RESOURCE_EXHAUSTED: server busy" in err
        with TriglotClient(one_slot.address) as client, pytest.raises(TriglotError) as caught:
            client.align("北京。", "Beijing.")
        assert caught.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        busy.exception()
    wait_for(lambda: one_slot.admission.active == 0, "the slot to be free")


def test_with_wait_the_job_waits_for_the_slot_and_succeeds(one_slot, capsys):
    with grpc.insecure_channel(one_slot.address) as channel:
        busy = occupy(one_slot, channel, 4)
        code, out, err = run_cli(capsys, "align", str(SAMPLE / "zh.txt"), str(SAMPLE / "en.txt"), "--wait",
                                 "--timeout", "60", "--format", "align", "--server", one_slot.address)
        assert code == 0, err  # was: "unrecognized arguments: --wait"
        assert out.count("\n") > 10
        assert busy.exception().code() == grpc.StatusCode.DEADLINE_EXCEEDED  # the job waited for it to end
    wait_for(lambda: one_slot.admission.active == 0, "the slot to be free")


def test_with_wait_a_server_busy_until_the_deadline_says_so(one_slot, capsys):
    with grpc.insecure_channel(one_slot.address) as channel:
        busy = occupy(one_slot, channel, 8)
        with TriglotClient(one_slot.address, timeout=2, wait_when_busy=True) as client, \
                pytest.raises(TriglotError) as caught:
            client.align("北京。", "Beijing.")
        assert caught.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "until the deadline" in caught.value.details
        busy.exception()
    wait_for(lambda: one_slot.admission.active == 0, "the slot to be free")
