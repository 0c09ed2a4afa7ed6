"""One structured log line per call, and Prometheus metrics over HTTP, from a real server on loopback."""
from __future__ import annotations

import json
import logging
import time
import urllib.request
from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from conftest import SAMPLE
from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc
from triglot_server import observability
from triglot_server.server import load_models, start_server

TRIGLOT = "triglot.v1.Triglot"


@pytest.fixture(scope="module")
def running(model_dir) -> Iterator:
    server = start_server("127.0.0.1:0", metrics_port=0)
    load_models(server, model_dir)
    yield server
    server.stop(grace=None)


@pytest.fixture(scope="module")
def stub(running) -> Iterator:
    with grpc.insecure_channel(running.address) as channel:
        yield triglot_pb2_grpc.TriglotStub(channel)


def call_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "triglot.access"]


def wait_for(predicate, seconds: float = 10.0) -> None:
    """Server-side logging finishes just after the client has its answer: poll briefly."""
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)


def scrape(running) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    with urllib.request.urlopen(f"http://{running.metrics_address}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_one_log_line_per_call_with_method_code_duration_and_sizes_but_no_text(stub, caplog):
    caplog.set_level(logging.INFO, logger="triglot.access")
    zh = (SAMPLE / "zh.txt").read_text(encoding="utf-8")
    en = (SAMPLE / "en.txt").read_text(encoding="utf-8")
    stub.DetectLanguage(pb.DetectLanguageRequest(text=zh), timeout=30)
    stub.Translate(pb.TranslateRequest(document=pb.Document(text=en, language="en"), target_language="zh"),
                   timeout=60)
    with pytest.raises(grpc.RpcError):
        stub.DetectLanguage(pb.DetectLanguageRequest(text="  "), timeout=30)  # INVALID_ARGUMENT
    wait_for(lambda: len(call_records(caplog)) >= 3)
    records = call_records(caplog)
    assert [(r.call["method"], r.call["code"]) for r in records] == [
        (f"{TRIGLOT}/DetectLanguage", "OK"), (f"{TRIGLOT}/Translate", "OK"),
        (f"{TRIGLOT}/DetectLanguage", "INVALID_ARGUMENT")]
    translate = records[1].call
    assert translate["request_bytes"] > len(en.encode()) and translate["response_bytes"] > len(en.encode())
    assert translate["duration_ms"] >= 0 and translate["peer"].startswith("ipv4:127.0.0.1:")
    line = records[1].getMessage()
    assert line.startswith(f"call method={TRIGLOT}/Translate code=OK duration_ms=") and "request_bytes=" in line
    for record in records:  # not a sentence of either document, in the line or in its fields
        logged = record.getMessage() + json.dumps(record.call, ensure_ascii=False)
        assert not any(s in logged for s in ("北京", "Baghdad", "بغداد", zh[:20], en[:20]))


def test_a_streaming_call_is_logged_when_it_ends_with_its_final_code(stub, caplog):
    caplog.set_level(logging.INFO, logger="triglot.access")
    sentences = pb.SentenceList(items=[f"This is sentence number {i}." for i in range(600)])
    request = pb.TranslateRequest(document=pb.Document(sentences=sentences, language="en"), target_language="zh")
    assert sum(len(m.pairs) for m in stub.TranslateStream(request, timeout=60)) == 600
    # Sentences not in the cache, so the server is still translating when the caller leaves.
    fresh = pb.SentenceList(items=[f"This is another sentence, number {i}." for i in range(600)])
    stream = stub.TranslateStream(pb.TranslateRequest(document=pb.Document(sentences=fresh, language="en"),
                                                      target_language="zh"), timeout=60)
    next(stream)  # the stream has started on the server ...
    stream.cancel()  # ... and the caller leaves
    wait_for(lambda: len(call_records(caplog)) >= 2)
    assert [(r.call["method"], r.call["code"]) for r in call_records(caplog)] == [
        (f"{TRIGLOT}/TranslateStream", "OK"), (f"{TRIGLOT}/TranslateStream", "CANCELLED")]


def test_json_log_format_has_the_call_fields_at_top_level(stub, caplog):
    caplog.set_level(logging.INFO, logger="triglot.access")
    stub.DetectLanguage(pb.DetectLanguageRequest(text="بغداد"), timeout=30)
    wait_for(lambda: len(call_records(caplog)) >= 1)
    entry = json.loads(observability.JsonFormatter().format(call_records(caplog)[0]))
    assert entry["event"] == "call" and entry["method"] == f"{TRIGLOT}/DetectLanguage" and entry["code"] == "OK"
    assert {"ts", "level", "duration_ms", "request_bytes", "response_bytes", "peer"} <= entry.keys()
    assert "بغداد" not in json.dumps(entry, ensure_ascii=False)


def test_health_checks_are_counted_but_logged_only_at_debug(running, caplog):
    caplog.set_level(logging.INFO, logger="triglot.access")
    with grpc.insecure_channel(running.address) as channel:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    time.sleep(0.2)
    assert call_records(caplog) == []
    key = ("triglot_calls_total", (("code", "OK"), ("method", "grpc.health.v1.Health/Check")))
    wait_for(lambda: scrape(running).get(key, 0) >= 1)
    assert scrape(running)[key] >= 1


def test_metrics_show_counts_by_method_and_code_latency_and_state(running, stub):
    before = scrape(running)
    for _ in range(3):
        stub.DetectLanguage(pb.DetectLanguageRequest(text="北京"), timeout=30)
    with pytest.raises(grpc.RpcError):
        stub.DetectLanguage(pb.DetectLanguageRequest(text=""), timeout=30)
    method = (("method", f"{TRIGLOT}/DetectLanguage"),)
    ok = ("triglot_calls_total", (("code", "OK"), *method))
    invalid = ("triglot_calls_total", (("code", "INVALID_ARGUMENT"), *method))
    latency_count = ("triglot_call_duration_seconds_count", method)
    wait_for(lambda: scrape(running).get(latency_count, 0) >= before.get(latency_count, 0) + 4)
    after = scrape(running)
    assert after[ok] - before.get(ok, 0) == 3
    assert after[invalid] - before.get(invalid, 0) == 1
    assert after[latency_count] - before.get(latency_count, 0) == 4
    buckets = [v for (name, labels), v in after.items()
               if name == "triglot_call_duration_seconds_bucket" and ("method", f"{TRIGLOT}/DetectLanguage") in labels]
    assert len(buckets) == len(observability.LATENCY_BUCKETS) + 1 and max(buckets) == after[latency_count]
    assert after[("triglot_model_state", ())] == 1
    assert after[("triglot_translation_routes", ())] >= 4  # en<->zh, en<->ar and zh<->ar via en
    assert after[("triglot_heavy_queued", ())] == 0 and after[("triglot_heavy_active", ())] == 0
    assert after[("triglot_calls_in_flight", ())] == 0


def test_metrics_are_off_by_default_and_on_loopback_when_on(running):
    plain = start_server("127.0.0.1:0")
    try:
        assert plain.metrics is None and plain.metrics_address is None
    finally:
        plain.stop(grace=None)
    assert running.metrics_address.startswith("127.0.0.1:")
    assert scrape(running)[("triglot_model_state", ())] == 1


def test_queue_depth_and_refused_calls_are_visible_in_metrics_and_log(model_dir, caplog):
    """One worker, one queue place: a running call, a waiting one, and a third refused — counted and logged too,
    because the log/metrics interceptor sits outside admission control."""
    caplog.set_level(logging.INFO, logger="triglot.access")
    busy = start_server("127.0.0.1:0", heavy_workers=1, max_queue=1, metrics_port=0)
    load_models(busy, model_dir)
    items = [f"This is sentence number {i} about the partnership." for i in range(2000)]
    request = pb.TranslateRequest(document=pb.Document(sentences=pb.SentenceList(items=items), language="en"),
                                  target_language="zh")
    try:
        with grpc.insecure_channel(busy.address) as channel:
            translate = triglot_pb2_grpc.TriglotStub(channel).Translate
            running = translate.future(request, timeout=60)
            wait_for(lambda: scrape(busy)[("triglot_heavy_active", ())] == 1)
            waiting = translate.future(request, timeout=60)
            wait_for(lambda: scrape(busy)[("triglot_heavy_queued", ())] == 1)
            metrics = scrape(busy)
            assert metrics[("triglot_heavy_active", ())] == 1 and metrics[("triglot_heavy_queued", ())] == 1
            with pytest.raises(grpc.RpcError) as refused:
                translate(request, timeout=60)
            assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            waiting.cancel()
            running.cancel()
            wait_for(lambda: len(call_records(caplog)) >= 3)
        key = ("triglot_calls_total", (("code", "RESOURCE_EXHAUSTED"), ("method", f"{TRIGLOT}/Translate")))
        assert scrape(busy)[key] == 1
        codes = sorted(r.call["code"] for r in call_records(caplog))
        assert codes == ["CANCELLED", "CANCELLED", "RESOURCE_EXHAUSTED"]
    finally:
        busy.stop(grace=None)
