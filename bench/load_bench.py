"""Load benchmark: N concurrent clients over loopback, for a fixed time, against Align and Translate.

For each workload and N (default 1, 8, 64) a fresh `triglot serve` subprocess is started (so its peak RSS, VmHWM in
/proc/PID/status, belongs to that run alone), warmed up with one call, then N clients call it back to back for
--duration seconds. Reported: throughput (successful calls per second), latency percentiles of successful calls,
error counts by status code, and the server's peak RSS.

- align: the sample readout (examples/2020-03-09-china-iraq zh.txt vs en.txt, 19 x 19 sentences) as text.
- translate: the sample readout's 19 English sentences into zh with the tiny test model (tests/tinymodel.py). The
  engine caches translations per sentence, so every call gets sentences no call sent before (each sentence ends
  with a unique reference number): the figures are of translating, not of cache hits.

Clients are threads in this process, each with its own TriglotClient (its own channel); --processes P spreads the
N clients over P processes instead, to check whether the client side's GIL distorts the figures (compare the two).
The clients are the library as shipped (deadlines, retries on UNAVAILABLE; RESOURCE_EXHAUSTED is not retried, so
the server's back-pressure shows up as errors here). A client refused with RESOURCE_EXHAUSTED waits
ERROR_PAUSE (0.1 s) before its next call, as a polite caller would, instead of spinning on refusals.

Usage: python bench/load_bench.py [--duration 15] [--clients 1 8 64] [--workloads align translate]
                                  [--processes 1] [--server-args "--workers 2 --max-queue 4"]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shlex
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "tests")]

from benchutil import SAMPLE, Server, lines  # noqa: E402
from triglot.client import TriglotClient, TriglotError  # noqa: E402
CALL_TIMEOUT = 60.0
ERROR_PAUSE = 0.1


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, successful calls
    errors: Counter = field(default_factory=Counter)  # status code name -> count
    elapsed: float = 0.0


def workload_call(name: str) -> Callable[[TriglotClient, str], object]:
    """A function(client, unique) making one call of the workload; `unique` differs between all calls."""
    zh = (SAMPLE / "zh.txt").read_text(encoding="utf-8")
    en = (SAMPLE / "en.txt").read_text(encoding="utf-8")
    en_sentences = lines(SAMPLE / "en.sents")
    if name == "align":
        return lambda client, unique: client.align(zh, en, source_language="zh", target_language="en")
    if name == "translate":
        return lambda client, unique: client.translate(
            [f"{sentence[:-1]} (ref {unique}-{i}){sentence[-1]}" for i, sentence in enumerate(en_sentences)],
            "zh", source="en")
    raise SystemExit(f"unknown workload {name!r}")


def run_clients(address: str, workload: str, clients: int, start_at: float, duration: float) -> Outcome:
    """`clients` threads, each with its own client, calling back to back from start_at for `duration` seconds."""
    call = workload_call(workload)
    outcome = Outcome()
    lock = threading.Lock()
    # A local subchannel pool per client: otherwise gRPC shares one TCP connection among channels to one address.
    connections = [TriglotClient(address, timeout=CALL_TIMEOUT, options=[("grpc.use_local_subchannel_pool", 1)])
                   for _ in range(clients)]

    def worker(client: TriglotClient, number: int) -> None:
        latencies, errors = [], Counter()
        time.sleep(max(0.0, start_at - time.time()))
        end = start_at + duration
        calls = 0
        while time.time() < end:
            began = time.perf_counter()
            calls += 1
            try:
                call(client, f"{os.getpid()}-{number}-{calls}")
                latencies.append(time.perf_counter() - began)
            except TriglotError as error:
                errors[error.code.name] += 1
                time.sleep(ERROR_PAUSE)
        with lock:
            outcome.latencies.extend(latencies)
            outcome.errors.update(errors)

    threads = [threading.Thread(target=worker, args=(c, k)) for k, c in enumerate(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcome.elapsed = time.time() - start_at
    for client in connections:
        client.close()
    return outcome


def _process_main(args: tuple, queue: "mp.Queue") -> None:
    outcome = run_clients(*args)
    queue.put((outcome.latencies, dict(outcome.errors), outcome.elapsed))


def run_load(address: str, workload: str, clients: int, duration: float, processes: int) -> Outcome:
    start_at = time.time() + 1.0 + 0.05 * clients  # all clients connected and waiting before the clock starts
    if processes <= 1:
        return run_clients(address, workload, clients, start_at, duration)
    start_at += 2.0  # processes need longer to start (imports)
    shares = [clients // processes + (i < clients % processes) for i in range(processes)]
    queue: mp.Queue = mp.get_context("spawn").Queue()
    procs = [mp.get_context("spawn").Process(target=_process_main,
                                             args=((address, workload, n, start_at, duration), queue))
             for n in shares if n]
    for p in procs:
        p.start()
    outcome = Outcome()
    for _ in procs:
        latencies, errors, elapsed = queue.get()
        outcome.latencies.extend(latencies)
        outcome.errors.update(errors)
        outcome.elapsed = max(outcome.elapsed, elapsed)
    for p in procs:
        p.join()
    return outcome


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per run (default 15)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--workloads", nargs="+", default=["align", "translate"], choices=["align", "translate"])
    parser.add_argument("--processes", type=int, default=1,
                        help="spread the clients over this many processes (default 1: threads in this process)")
    parser.add_argument("--server-args", default="", help="extra `triglot serve` arguments, e.g. '--workers 4'")
    args = parser.parse_args()

    from tinymodel import install_test_models

    model_dir = install_test_models(Path(tempfile.mkdtemp(prefix="triglot-load-models-")))
    command = "python bench/load_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    print(f"# {command}")
    print(f"# {os.cpu_count()} CPUs; clients as {'threads' if args.processes <= 1 else f'{args.processes} processes'}"
          f"; {args.duration:g} s per run; server: triglot serve {args.server_args}".rstrip(), flush=True)
    rows = []
    for workload in args.workloads:
        for clients in args.clients:
            server = Server(model_dir, shlex.split(args.server_args))
            try:
                with server.client(CALL_TIMEOUT) as warm:
                    workload_call(workload)(warm, "warm-up")  # first call pays one-time costs outside the window
                outcome = run_load(server.address, workload, clients, args.duration, args.processes)
                rss = server.peak_rss_mib()
            finally:
                server.stop()
            ok = outcome.latencies
            errors = ", ".join(f"{code} {n}" for code, n in sorted(outcome.errors.items())) or "0"
            row = (f"| {workload} | {clients} | {len(ok) / outcome.elapsed:.1f} | {len(ok)} | "
                   f"{percentile(ok, 50) * 1000:.0f} | {percentile(ok, 95) * 1000:.0f} | "
                   f"{percentile(ok, 99) * 1000:.0f} | {errors} | {rss:.0f} |")
            rows.append(row)
            print(f"  {row}", file=sys.stderr, flush=True)
    print()
    print("| workload | clients | OK calls/s | OK calls | p50 ms | p95 ms | p99 ms | errors by code "
          "| server peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
