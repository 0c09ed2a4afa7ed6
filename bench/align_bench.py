"""Alignment benchmark: quality on Bible 001-003, speed and memory on Bible 006, the sample readout's gold.

    .venv/bin/python bench/align_bench.py [--data DIR] [--scorer PATH] [--skip-006]

Prints one table. Quality is strict/lax precision, recall and F1 from ../shared/tools/alignscore.py (imported, and
fed through files in a temporary directory exactly as its command line reads them). The gold files are
`[en ids]:[zh ids]`, so English is aligned as the source; `NNN.trans` (a Chinese translation of each English line) is
given as `source_translations`.

Bible 006 runs twice: the engine in a fresh process, and end to end as a user runs it (`triglot serve` and
`triglot align ... --format align` in two processes: wall time, both peak memories, F1 against the gold).

Other aligners (the CLI, the gRPC server) plug in through `run(aligner)`: any callable with the signature of
`triglot_server.engine.alignment.align` that returns beads with `source_ids`/`target_ids` (or (src, tgt) tuples).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import BIBLE, SAMPLE, Server, lines  # noqa: E402

SCORER = Path("/work/shared/tools/alignscore.py")
DEV = ("001", "002", "003")
SCALE = "006"

Aligner = Callable[..., object]


def _pairs(result) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    beads = getattr(result, "beads", result)
    out = []
    for b in beads:
        if hasattr(b, "source_ids"):
            out.append((tuple(b.source_ids), tuple(b.target_ids)))
        else:
            out.append((tuple(b[0]), tuple(b[1])))
    return out


def _write(path: Path, pairs: Iterable) -> None:
    path.write_text("".join(f"[{','.join(map(str, s))}]:[{','.join(map(str, t))}]\n" for s, t in pairs),
                    encoding="utf-8")


def _scorer(path: Path):
    spec = importlib.util.spec_from_file_location("alignscore", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def quality(aligner: Aligner, data: Path, scorer, ids: Sequence[str], translations: bool) -> dict:
    """Align each book, write `[src]:[tgt]` files, score them against the gold like alignscore.py's CLI does."""
    with tempfile.TemporaryDirectory() as tmp:
        pairs = []
        for book in ids:
            en, zh = lines(data / f"{book}.en"), lines(data / f"{book}.zh")
            kwargs = {"source_translations": lines(data / f"{book}.trans")} if translations else {}
            test = Path(tmp) / f"{book}.align"
            _write(test, _pairs(aligner(en, zh, "en", "zh", **kwargs)))
            pairs.append((scorer.read(data / f"{book}.gold.align"), scorer.read(test)))
        return scorer.score(pairs)


def _scale_child(book: str, data: Path) -> None:
    """Runs in a fresh process so that peak RSS belongs to this one alignment (keys included)."""
    from triglot_server.engine.alignment import align

    en, zh = lines(data / f"{book}.en"), lines(data / f"{book}.zh")
    start = time.perf_counter()
    result = align(zh, en, "zh", "en")
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{wall:.2f} {peak_kib} {len(result.beads)}")


def scale(data: Path) -> tuple[float, float, int]:
    """Wall seconds and peak memory (MiB, whole process incl. imports) of aligning Bible 006, zh as source."""
    out = subprocess.run([sys.executable, __file__, "--child-006", str(data)], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2])


_PEAK_OF_CHILD = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                  "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


def through_server(data: Path, scorer) -> dict:
    """Bible 006 end to end as a user runs it: `triglot serve` (no model) in one process, `triglot align 006.en
    006.zh --presplit --format align` in another; wall time of the CLI, peak memory of both, F1 against the gold."""
    cli = [sys.executable, "-m", "triglot.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "models")
        try:
            out = Path(tmp) / f"{SCALE}.align"
            start = time.perf_counter()
            # The CLI runs under a small parent that reports the CLI's own peak memory on stderr (this process's
            # RUSAGE_CHILDREN would also count the earlier in-process child).
            done = subprocess.run([sys.executable, "-c", _PEAK_OF_CHILD, *cli, "align", str(data / f"{SCALE}.en"),
                                   str(data / f"{SCALE}.zh"), "--presplit", "--format", "align", "--server",
                                   server.address, "--timeout", "600"],
                                  check=True, stdout=out.open("w"), stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - start
            client_mib = int(done.stderr.split()[-1]) / 1024
            server_mib = server.peak_rss_mib()
        finally:
            server.stop()
        q = scorer.score([(scorer.read(data / f"{SCALE}.gold.align"), scorer.read(out))])
    return {"wall": wall, "server_mib": server_mib, "client_mib": client_mib, **q}


def readout(aligner: Aligner, scorer) -> list[tuple[str, bool, str]]:
    rows = []
    for src, tgt in (("zh", "en"), ("en", "ar"), ("zh", "ar")):
        gold = scorer.read(SAMPLE / f"{src}-{tgt}.align")
        got = _pairs(aligner(lines(SAMPLE / f"{src}.sents"), lines(SAMPLE / f"{tgt}.sents"), src, tgt))
        wanted = set(gold)
        diff = [f"{list(s)}:{list(t)}" for s, t in got if (s, t) not in wanted]
        rows.append((f"{src}-{tgt}", got == gold, " ".join(diff[:4])))
    return rows


def run(aligner: Aligner, *, data: Path = BIBLE, scorer_path: Path = SCORER, with_scale: bool = True,
        name: str = "engine (in-process)") -> str:
    """The whole table for one aligner, as text."""
    scorer = _scorer(scorer_path)
    lines = [f"## {name}", "", "| Bible 001-003 | P strict | R strict | F1 strict | P lax | R lax | F1 lax | time |",
             "|---|---|---|---|---|---|---|---|"]
    for label, trans in (("no model", False), ("with .trans", True)):
        t0 = time.perf_counter()
        q = quality(aligner, data, scorer, DEV, trans)
        lines.append(f"| {label} | {q['p_strict']:.3f} | {q['r_strict']:.3f} | {q['f1_strict']:.3f} | "
                     f"{q['p_lax']:.3f} | {q['r_lax']:.3f} | {q['f1_lax']:.3f} | {time.perf_counter() - t0:.1f} s |")
    if with_scale:
        wall, mib, beads = scale(data)
        lines += ["", f"Bible {SCALE} (42,687 zh x 30,000 en, no model, keys included): "
                      f"{wall:.1f} s wall, {mib:.0f} MiB peak RSS, {beads} beads"]
        e2e = through_server(data, scorer)
        lines += ["", f"Bible {SCALE} through `triglot align {SCALE}.en {SCALE}.zh --presplit --format align` and "
                      f"`triglot serve` (no model): {e2e['wall']:.1f} s wall, server peak {e2e['server_mib']:.0f} MiB, "
                      f"CLI peak {e2e['client_mib']:.0f} MiB, strict F1 {e2e['f1_strict']:.3f}, "
                      f"lax F1 {e2e['f1_lax']:.3f}"]
    lines += ["", "| sample readout | exact gold | wrong beads (first 4) |", "|---|---|---|"]
    for pair, exact, diff in readout(aligner, scorer):
        lines.append(f"| {pair} | {'yes' if exact else 'NO'} | {diff} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=BIBLE)
    parser.add_argument("--scorer", type=Path, default=SCORER)
    parser.add_argument("--skip-006", action="store_true", help="leave out the Bible 006 speed/memory run")
    parser.add_argument("--child-006", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_006:
        _scale_child(SCALE, args.child_006)
        return
    from triglot_server.engine.alignment import align

    print(run(align, data=args.data, scorer_path=args.scorer, with_scale=not args.skip_006))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
