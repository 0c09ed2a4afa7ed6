"""Batch benchmark: `triglot.batch.run_batch` over a corpus of readout sets, against 1 and 3 local replicas.

The corpus: --sets sets (default 200) cycled over the 11 readout sets (benchutil.readout_sets: the sample and
../shared/data/readouts/real, else the copy in tests/data; $TRIGLOT_READOUTS overrides), compared with the tiny test
models (tests/tinymodel.py) as glossing models. Each server runs with `--translation-setting cache_size=0`, so a
repeated readout is translated again, not answered from the cache (the figures are of the work, and 1 and 3 replicas
are not told apart by how warm their caches are).

Runs, interleaved --repeats times (the machine is shared: compare figures of one run):
- 1 replica, target host:port; 3 replicas, target ipv4:a,b,c — sets/s with --jobs in flight, the servers' CPU time
  (/proc/PID/stat) as cores busy and per set (the figure a busy shared machine does not distort: it shows what
  balancing costs), and the spread: Compare calls answered OK by each replica (its Prometheus counter);
- resume: the same batch over an output that already holds every set (all skipped): the cost of resuming, and over
  one that holds half of them;
- faults (once): 3 replicas, one SIGKILLed after a quarter of the sets and one SIGTERMed (drained) after half: sets
  lost, sets written twice, failures.
Each replica's peak RSS (VmHWM) is reported too.

Usage: python bench/batch_bench.py [--sets 200] [--jobs 8] [--repeats 2]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

os.environ.setdefault("GRPC_VERBOSITY", "NONE")  # gRPC's own log of a replica's GOAWAY is not a figure

from prometheus_client.parser import text_string_to_metric_families  # the server extra has it

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "tests")]

from benchutil import READOUTS, Server, readout_sets, timed  # noqa: E402
from conftest import free_port  # noqa: E402
from triglot.batch import Progress, read_manifest, run_batch  # noqa: E402
from triglot.client import TriglotClient  # noqa: E402

LANGUAGES = ("zh", "en", "ar")
COMPARE = "triglot.v1.Triglot/Compare"


def write_corpus(manifest: Path, count: int) -> None:
    dirs = readout_sets(READOUTS)
    rows = ["id\t" + "\t".join(LANGUAGES)]
    for k in range(count):
        source = dirs[k % len(dirs)]
        rows.append("\t".join([f"{source.name}~{k}", *(str(source / f"{lang}.txt") if (source / f"{lang}.txt")
                                                         .exists() else "" for lang in LANGUAGES)]))
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")


class Replica(Server):
    def __init__(self, model_dir: Path) -> None:
        self.metrics = free_port()
        super().__init__(model_dir, ["--metrics-port", str(self.metrics), "--translation-setting", "cache_size=0"])

    def cpu_seconds(self) -> float:
        """CPU time the replica's process used so far (user + system, /proc/PID/stat)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def compare_calls(self) -> int:
        """Compare calls this replica answered OK (its Prometheus counter)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics}/metrics", timeout=10) as response:
            text = response.read().decode()
        return int(sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
                       if s.name == "triglot_calls_total" and s.labels == {"method": COMPARE, "code": "OK"}))


def target(replicas: list[Replica]) -> str:
    return replicas[0].address if len(replicas) == 1 else "ipv4:" + ",".join(r.address for r in replicas)


def batch(replicas: list[Replica], manifest: Path, output: Path, jobs: int, on_progress=None) -> tuple[Progress, float]:
    with TriglotClient(target(replicas), timeout=600) as client:
        return timed(lambda: run_batch(client, read_manifest(manifest), output, jobs=jobs, on_progress=on_progress))


def lines(output: Path) -> list[dict]:
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


def results(output: Path) -> dict[str, object]:
    """Each set's result, by id (the timing left out)."""
    return {r["id"]: r.get("result") for r in lines(output)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    options = parser.parse_args()
    from tinymodel import install_test_models

    work = Path(tempfile.mkdtemp(prefix="triglot-batch-bench-"))
    model_dir = install_test_models(work / "models")
    manifest = work / "sets.tsv"
    write_corpus(manifest, options.sets)
    rates: dict[int, list[float]] = {1: [], 3: []}
    cores: dict[int, list[float]] = {1: [], 3: []}  # CPU seconds of the servers per second of the batch
    spreads: list[list[int]] = []
    peaks: list[float] = []
    for repeat in range(options.repeats):
        for count in (1, 3):
            replicas = [Replica(model_dir) for _ in range(count)]
            try:
                output = work / f"out-{count}-{repeat}.jsonl"
                cpu = sum(r.cpu_seconds() for r in replicas)
                progress, seconds = batch(replicas, manifest, output, options.jobs)
                assert progress.ok == options.sets, progress.failures
                rates[count].append(options.sets / seconds)
                cores[count].append((sum(r.cpu_seconds() for r in replicas) - cpu) / seconds)
                if count == 3:
                    spreads.append([r.compare_calls() for r in replicas])
                peaks += [r.peak_rss_mib() for r in replicas]
                print(f"run {repeat + 1}: {count} replica(s): {options.sets / seconds:.2f} sets/s "
                      f"({seconds:.1f} s, servers busy {cores[count][-1]:.2f} cores)", flush=True)
            finally:
                for replica in replicas:
                    replica.stop()

    # Resume: everything done (nothing to send: no server needed beyond the connection), then half done.
    done = work / f"out-3-{options.repeats - 1}.jsonl"
    replicas = [Replica(model_dir)]
    try:
        resumes = [batch(replicas, manifest, done, options.jobs)[1] for _ in range(3)]
        half = work / "half.jsonl"
        half.write_text("".join(done.read_text(encoding="utf-8").splitlines(keepends=True)[:options.sets // 2]),
                        encoding="utf-8")
        progress, half_seconds = batch(replicas, manifest, half, options.jobs)
        assert (progress.skipped, progress.ok) == (options.sets // 2, options.sets - options.sets // 2)
    finally:
        for replica in replicas:
            replica.stop()

    # Faults: SIGKILL one replica after a quarter of the sets, SIGTERM another after half.
    replicas = [Replica(model_dir) for _ in range(3)]
    faults: list[str] = []

    def fault(progress: Progress) -> None:
        if not faults and progress.finished >= options.sets // 4:
            replicas[0].process.send_signal(signal.SIGKILL)
            faults.append(f"SIGKILL at {progress.finished}")
        elif len(faults) == 1 and progress.finished >= options.sets // 2:
            replicas[1].process.send_signal(signal.SIGTERM)
            faults.append(f"SIGTERM at {progress.finished}")

    try:
        output = work / "faults.jsonl"
        progress, fault_seconds = batch(replicas, manifest, output, options.jobs, on_progress=fault)
        survivor_calls = replicas[2].compare_calls()
        drained_exit = replicas[1].process.wait(timeout=60)
    finally:
        for replica in replicas:
            replica.stop()
    written = Counter(r["id"] for r in lines(output))
    expected = {s.id for s in read_manifest(manifest)}
    one_server = results(work / "out-1-0.jsonl")
    equal = sum(results(work / f"out-3-{repeat}.jsonl") == one_server for repeat in range(options.repeats))

    print(f"\n{options.sets} sets, --jobs {options.jobs}, {options.repeats} interleaved runs (shared 2-core machine)")
    print("| replicas | sets/s (median) | runs | servers' CPU, cores busy | server CPU ms per set (median) | "
          "Compare calls per replica |")
    print("|---:|---:|---|---|---:|---|")
    for count in (1, 3):
        spread = '; '.join('/'.join(map(str, s)) for s in spreads) if count == 3 else "all"
        per_set = statistics.median(1000 * c / r for c, r in zip(cores[count], rates[count]))
        print(f"| {count} | {statistics.median(rates[count]):.2f} | {', '.join(f'{r:.2f}' for r in rates[count])} | "
              f"{', '.join(f'{c:.2f}' for c in cores[count])} | {per_set:.0f} | {spread} |")
    print(f"results of 3 replicas equal to 1 replica's: {equal} of {options.repeats} runs; with faults: "
          f"{'yes' if results(output) == one_server else 'NO'}")
    print(f"ratio 3/1 replicas: {statistics.median(rates[3]) / statistics.median(rates[1]):.2f}")
    print(f"resume, all {options.sets} sets done: {statistics.median(resumes) * 1000:.0f} ms (median of 3; output "
          f"{done.stat().st_size / 1e6:.1f} MB); half done: {half_seconds:.1f} s for the other "
          f"{options.sets - options.sets // 2}")
    print(f"faults ({', '.join(faults)}): {progress.ok} OK, {progress.failed} failed, "
          f"{len(expected - set(written))} lost, {sum(n > 1 for n in written.values())} written twice, "
          f"{options.sets / fault_seconds:.2f} sets/s; drained replica exit {drained_exit}; survivor answered "
          f"{survivor_calls}")
    print(f"replica peak RSS: {min(peaks):.0f}-{max(peaks):.0f} MiB")


if __name__ == "__main__":
    main()
