"""Corpus batches over replicas: `triglot batch` / triglot.batch against real servers on loopback.

Sets are made from the readouts the repo carries (conftest.READOUT_SETS, copies of ../shared/data/readouts): a corpus
of N sets cycles over them, copy k of a readout having the id NAME~k, so every result has a known right answer (the
readout's result on one server).
"""
from __future__ import annotations

import io
import json
import signal
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import READOUT_SETS, free_port, run_cli, start_cli_server, wait_for
from triglot.batch import BatchError, Call, Progress, TerminalProgress, read_manifest, run_batch
from triglot.client import TriglotClient

COMPARE = "triglot.v1.Triglot/Compare"
DETECT = "triglot.v1.Triglot/DetectLanguage"
LANGUAGES = ("zh", "en", "ar")


def corpus(manifest: Path, count: int) -> list[str]:
    """Write a TSV manifest of `count` sets cycled over the readout sets; returns their ids."""
    dirs = READOUT_SETS
    rows, ids = ["id\t" + "\t".join(LANGUAGES)], []
    for k in range(count):
        source = dirs[k % len(dirs)]
        ids.append(f"{source.name}~{k}")
        rows.append("\t".join([ids[-1], *(str(source / f"{lang}.txt") if (source / f"{lang}.txt").exists()
                                          else "" for lang in LANGUAGES)]))
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ids


def records(output: Path) -> list[dict[str, Any]]:
    """The output's JSON lines; fails on a set written twice."""
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    repeated = [i for i, n in Counter(r["id"] for r in lines).items() if n > 1]
    assert not repeated, f"sets written more than once: {repeated}"
    return lines


def readout_of(set_id: str) -> str:
    return set_id.rsplit("~", 1)[0]


@pytest.fixture(scope="module")
def expected(address: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each readout's compare result from one server (the session's), by readout name."""
    folder = tmp_path_factory.mktemp("one-server")
    corpus(folder / "sets.tsv", len(READOUT_SETS))
    with TriglotClient(address, timeout=120) as client:
        progress = run_batch(client, read_manifest(folder / "sets.tsv"), folder / "out.jsonl", jobs=2)
    assert progress.ok == len(READOUT_SETS), progress.failures
    return {readout_of(r["id"]): r["result"] for r in records(folder / "out.jsonl")}


# --- replicas -------------------------------------------------------------------------------------------------

class Replica:
    """`triglot serve` in a subprocess with its Prometheus metrics on a port of its own."""

    def __init__(self, model_dir: Path) -> None:
        self.metrics = f"127.0.0.1:{free_port()}"
        self.process, self.address = start_cli_server(
            model_dir, extra_args=("--metrics-port", self.metrics.rsplit(":", 1)[1]))

    def calls(self, method: str = COMPARE, code: str = "OK") -> float:
        with urllib.request.urlopen(f"http://{self.metrics}/metrics", timeout=10) as response:
            text = response.read().decode()
        return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
                   if s.name == "triglot_calls_total" and s.labels == {"method": method, "code": code})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=30)


@pytest.fixture()
def replicas(model_dir: Path) -> Iterator[list[Replica]]:
    started: list[Replica] = []
    try:
        for _ in range(3):
            started.append(Replica(model_dir))
        yield started
    finally:
        for replica in started:
            replica.stop()


def ipv4_target(replicas: list[Replica]) -> str:
    return "ipv4:" + ",".join(r.address for r in replicas)


def test_three_replicas_give_the_results_of_one_server_and_share_the_calls(replicas, expected, tmp_path):
    ids = corpus(tmp_path / "sets.tsv", 48)
    with TriglotClient(ipv4_target(replicas), timeout=120) as client:
        progress = run_batch(client, read_manifest(tmp_path / "sets.tsv"), tmp_path / "out.jsonl", jobs=8)
    assert (progress.ok, progress.failed, progress.skipped) == (48, 0, 0)
    results = records(tmp_path / "out.jsonl")
    assert sorted(r["id"] for r in results) == sorted(ids)
    assert all(r["result"] == expected[readout_of(r["id"])] for r in results)
    spread = [replica.calls() for replica in replicas]
    assert sum(spread) == 48 and all(spread), spread  # every replica answered, and no set twice


def test_a_replica_killed_and_another_drained_mid_run_lose_no_set_and_duplicate_none(replicas, expected, tmp_path):
    count = 48
    ids = corpus(tmp_path / "sets.tsv", count)
    killed, drained, survivor = replicas
    faults: list[tuple[str, int]] = []

    def fault(progress: Progress) -> None:  # called in the batch's own thread after each set it wrote
        if not faults and progress.finished >= count // 4:
            killed.process.send_signal(signal.SIGKILL)
            faults.append(("SIGKILL", progress.finished))
        elif len(faults) == 1 and progress.finished >= count // 2:
            drained.process.send_signal(signal.SIGTERM)
            faults.append(("SIGTERM", progress.finished))

    with TriglotClient(ipv4_target(replicas), timeout=120) as client:
        progress = run_batch(client, read_manifest(tmp_path / "sets.tsv"), tmp_path / "out.jsonl", jobs=8,
                             on_progress=fault)
    assert [name for name, _ in faults] == ["SIGKILL", "SIGTERM"] and all(n < count for _, n in faults)
    assert (progress.ok, progress.failed) == (count, 0), progress.failures
    results = records(tmp_path / "out.jsonl")
    assert sorted(r["id"] for r in results) == sorted(ids)  # none lost, none twice
    assert all(r["status"] == "OK" and r["result"] == expected[readout_of(r["id"])] for r in results)
    assert drained.process.wait(timeout=60) == 0  # it drained (its calls in flight finished) and exited cleanly
    assert survivor.calls() > 0


# --- target forms and health checking (in-process servers, each counting its calls) ---------------------------

@pytest.fixture(scope="module")
def pair(model_dir: Path) -> Iterator[list]:
    from triglot_server.server import load_models, start_server

    servers = [start_server("127.0.0.1:0", metrics_port=0) for _ in range(2)]
    try:
        for running in servers:
            load_models(running, model_dir)
        yield servers
    finally:
        for running in servers:
            running.stop(grace=None)


def calls(running: Any, method: str = DETECT) -> float:
    return running.metrics.registry.get_sample_value("triglot_calls_total", {"method": method, "code": "OK"}) or 0


@pytest.mark.parametrize("form", ["host:port", "dns:///localhost:port", "ipv4:host:port,host:port"])
def test_every_target_form_reaches_its_servers(pair, form):
    first, second = pair
    target = {"host:port": first.address,
              "dns:///localhost:port": f"dns:///localhost:{first.address.rsplit(':', 1)[1]}",
              "ipv4:host:port,host:port": f"ipv4:{first.address},{second.address}"}[form]
    before = [calls(s) for s in pair]
    with TriglotClient(target, timeout=30) as client:
        assert [client.detect_language("北京外交部")[0] for _ in range(20)] == ["zh"] * 20
    spread = [calls(s) - b for s, b in zip(pair, before)]
    assert sum(spread) == 20
    if form.startswith("ipv4:"):
        assert all(spread), spread  # round robin: both servers answered
    else:
        assert spread[1] == 0


def test_a_replica_whose_health_says_not_serving_gets_no_calls_until_it_is_ready(pair):
    first, second = pair
    second.set_serving(False)
    try:
        before = calls(second)
        with TriglotClient(f"ipv4:{first.address},{second.address}", timeout=30) as client:
            for _ in range(20):
                client.detect_language("Beijing")
            assert calls(second) == before
            second.set_serving(True)
            wait_for(lambda: client.detect_language("Beijing") and calls(second) > before, "calls to the replica "
                     "back in service", timeout=30)
    finally:
        second.set_serving(True)


# --- resume, failures, busy servers, progress ---------------------------------------------------------------------

def test_resuming_an_interrupted_batch_redoes_no_finished_set(pair, tmp_path):
    server = pair[0]
    ids = corpus(tmp_path / "sets.tsv", 20)
    sets = read_manifest(tmp_path / "sets.tsv")
    output = tmp_path / "out.jsonl"

    class Interrupted(Exception):
        pass

    def interrupt(progress: Progress) -> None:
        if progress.finished == 8:
            raise Interrupted  # as Ctrl-C would, between two sets (jobs=1: nothing else in flight)

    start = calls(server, COMPARE)
    with TriglotClient(server.address, timeout=120) as client:
        with pytest.raises(Interrupted):
            run_batch(client, sets, output, jobs=1, on_progress=interrupt)
        first_run = output.read_text(encoding="utf-8")
        with output.open("a", encoding="utf-8") as cut:
            cut.write('{"id": "' + ids[8] + '", "call": "compare", "status": "OK", "res')  # killed mid-line
        assert calls(server, COMPARE) - start == 8
        progress = run_batch(client, sets, output, jobs=4)
    assert (progress.skipped, progress.ok, progress.failed) == (8, 12, 0)
    assert calls(server, COMPARE) - start == 20  # the 8 finished sets were not sent again
    text = output.read_text(encoding="utf-8")
    assert text.startswith(first_run)  # finished lines kept as they were, the cut line dropped
    assert sorted(r["id"] for r in records(output)) == sorted(ids)


def test_failed_sets_are_reported_with_their_status_and_the_run_goes_on(address, tmp_path, capsys):
    good = READOUT_SETS[:3]
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait.".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()
    lines = [{"id": d.name, "files": {lang: str(d / f"{lang}.txt") for lang in LANGUAGES
                                      if (d / f"{lang}.txt").exists()}} for d in good]
    lines += [{"id": "missing", "files": {"zh": str(good[0] / "zh.txt"), "en": "no/such/en.txt"}},
              {"id": "not-utf8", "files": {"zh": str(good[0] / "zh.txt"), "en": "latin1.txt"}},
              {"id": "empty", "files": {"zh": str(good[0] / "zh.txt"), "en": "empty.txt"}},
              {"id": "a-directory", "files": {"zh": str(good[0] / "zh.txt"), "en": "folder.txt"}}]
    manifest = tmp_path / "sets.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    code, _, err = run_cli(capsys, "batch", str(manifest), "-o", str(output), "--server", address, "--jobs", "3")
    assert code == 1
    assert err.count("\n") == 1 and "4 of 7 sets failed (INVALID_ARGUMENT 3, NOT_FOUND 1)" in err, err
    status = {r["id"]: (r["status"], r.get("error", "")) for r in records(output)}
    assert status["missing"] == ("NOT_FOUND", f"{tmp_path}/no/such/en.txt: no such file")  # found missing here
    assert status["a-directory"] == ("INVALID_ARGUMENT", f"{tmp_path}/folder.txt: is a directory, not a file")
    # refused by the server (it reads the files' bytes), with its message
    assert status["not-utf8"][0] == "INVALID_ARGUMENT" and "latin1.txt is not valid UTF-8" in status["not-utf8"][1]
    assert status["empty"] == ("INVALID_ARGUMENT", f"{tmp_path}/empty.txt: the file is empty")
    assert all(status[d.name][0] == "OK" for d in good)
    # Run again: the OK sets are kept, the failed ones tried again (and fail again); still one line per set.
    code, _, err = run_cli(capsys, "batch", str(manifest), "-o", str(output), "--server", address)
    assert code == 1 and "(3 already in" in err
    assert len(records(output)) == 7


def test_a_batch_waits_for_a_busy_server_instead_of_failing_sets(model_dir, tmp_path):
    from triglot_server.server import load_models, start_server

    running = start_server("127.0.0.1:0", heavy_workers=1, max_queue=0)  # one heavy call at a time, no queue
    try:
        load_models(running, model_dir)
        corpus(tmp_path / "sets.tsv", 8)
        with TriglotClient(running.address, timeout=120) as client:
            progress = run_batch(client, read_manifest(tmp_path / "sets.tsv"), tmp_path / "out.jsonl", jobs=4)
        assert running.admission.refused > 0  # the server did say busy
    finally:
        running.stop(grace=None)
    assert (progress.ok, progress.failed) == (8, 0), progress.failures


def test_the_progress_line_shows_sets_failures_rate_and_eta():
    stream = io.StringIO()
    show = TerminalProgress(stream)
    progress = Progress(total=10, skipped=2, ok=3)
    progress.failures["NOT_FOUND"] = 1
    progress.started -= 2.0  # 4 sets in 2 s: 2 sets/s, 4 left
    show(progress)
    show.close()
    line = stream.getvalue()
    assert line.startswith("\rtriglot: [") and line.endswith("\n")
    assert "6/10 sets, 1 failed, 2.00 sets/s, ETA 0:02" in line


def test_the_cli_shows_progress_and_writes_json_lines_to_stdout(address, tmp_path, capsys):
    ids = corpus(tmp_path / "sets.tsv", 4)
    not_two = {s.id for s in read_manifest(tmp_path / "sets.tsv") if len(s.files) != 2}
    assert 0 < len(not_two) < 4  # the sample readout has three versions: align fails for it, alone
    code, out, err = run_cli(capsys, "batch", str(tmp_path / "sets.tsv"), "--server", address, "--progress",
                             "--call", "align", "--jobs", "2")
    lines = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert code == 1 and sorted(lines) == sorted(ids)
    assert all(r["call"] == "align" for r in lines.values())
    for set_id, r in lines.items():
        if set_id in not_two:
            assert (r["status"], r["error"]) == ("INVALID_ARGUMENT", "align needs two versions, the set has 3")
        else:
            assert r["status"] == "OK" and r["result"]["beads"]
    assert "4/4 sets" in err


# --- manifests -------------------------------------------------------------------------------------------------

def test_tsv_and_jsonl_manifests_read_the_same_sets(tmp_path):
    (tmp_path / "sets.tsv").write_text("# a comment\nid\tzh\ten\tar\na\tzh.txt\ten.txt\t\nb\t\ten.txt\tar.txt\n",
                                       encoding="utf-8")
    (tmp_path / "sets.jsonl").write_text('{"id": "a", "files": {"zh": "zh.txt", "en": "en.txt"}}\n\n'
                                         '{"id": "b", "files": {"en": "en.txt", "ar": "ar.txt"}}\n', encoding="utf-8")
    tsv, jsonl = read_manifest(tmp_path / "sets.tsv"), read_manifest(tmp_path / "sets.jsonl")
    assert tsv == jsonl
    assert [(s.id, list(s.files)) for s in tsv] == [("a", ["zh", "en"]), ("b", ["en", "ar"])]
    assert tsv[0].files["zh"] == tmp_path / "zh.txt"  # relative to the manifest


@pytest.mark.parametrize("text,message", [
    ("id\tzh\ten\na\tz.txt\te.txt\na\tz.txt\te.txt\n", "line 3: the id 'a' is also on line 2"),
    ("id\tzh\tfr\na\tz.txt\tf.txt\n", "line 2: unknown language 'fr'"),
    ("id\tzh\ten\na\tz.txt\t\n", "line 2: the set 'a' has 1 version(s)"),
    ("set\tzh\ten\n", "line 1: the header must be id<TAB>LANG"),
    ("id\tzh\ten\na\tz.txt\te.txt\textra\n", "line 2: 4 fields for 3 columns"),
    ("id\tzh\ten\n", "holds no readout set"),
])
def test_a_bad_manifest_names_its_line(tmp_path, text, message):
    (tmp_path / "sets.tsv").write_text(text, encoding="utf-8")
    with pytest.raises(BatchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_manifest(tmp_path / "sets.tsv")


def test_a_bad_jsonl_line_is_named(tmp_path, capsys):
    (tmp_path / "sets.jsonl").write_text('{"id": "a", "files": {"zh": "z.txt", "en": "e.txt"}}\n{"id": "b"}\n',
                                         encoding="utf-8")
    code, _, err = run_cli(capsys, "batch", str(tmp_path / "sets.jsonl"))
    assert code == 1 and "sets.jsonl line 2: expected" in err


def test_resume_refuses_an_output_of_another_call(tmp_path, address):
    corpus(tmp_path / "sets.tsv", 2)
    (tmp_path / "out.jsonl").write_text('{"id": "x", "call": "align", "status": "OK"}\n', encoding="utf-8")
    with TriglotClient(address) as client, pytest.raises(BatchError, match="holds results of 'align'"):
        run_batch(client, read_manifest(tmp_path / "sets.tsv"), tmp_path / "out.jsonl", call=Call.COMPARE)
