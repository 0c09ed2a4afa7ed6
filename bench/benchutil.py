"""What several benchmarks share: the sample readout, line files, timing, and a `triglot serve` subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "2020-03-09-china-iraq"
# The Bible zh-en benchmark data (books NNN.en/.zh/.trans/.gold.align); $TRIGLOT_BIBLE overrides.
BIBLE = Path(os.environ.get("TRIGLOT_BIBLE") or ROOT.parent / "shared" / "data" / "bible-zh-en")
T = TypeVar("T")


def lines(path: Path) -> list[str]:
    """The lines of a one-sentence-a-line file, split at "\\n" only (so ids match gold files even when a sentence
    holds another Unicode line break); an empty file has none."""
    text = Path(path).read_text(encoding="utf-8")
    return text.removesuffix("\n").split("\n") if text else []


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """call()'s result and its wall-clock seconds."""
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory of a running process (VmHWM in /proc), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


class Server:
    """`triglot serve` in its own process on a free loopback port, as a deployment runs it. The constructor returns
    once the server printed "ready on": models loaded, health SERVING."""

    def __init__(self, model_dir: Path, extra: Sequence[str] = ()) -> None:
        # The log goes to a file, not a pipe that nobody reads: per-call log lines must never block the server.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "triglot.cli", "serve", "--listen", "127.0.0.1:0", "--models", str(model_dir),
             *extra], stdout=subprocess.PIPE, stderr=self.log, text=True)
        assert self.process.stdout is not None
        first, ready = self.process.stdout.readline(), self.process.stdout.readline()  # "listening on …", "ready on …"
        if "listening on" not in first or "ready on" not in ready:
            self.stop()  # keeps the log readable
            raise RuntimeError(f"triglot serve did not start: {first!r} {ready!r} {self._log_text()}")
        self.address = first.split("listening on ", 1)[1].split(",", 1)[0]

    def client(self, timeout: float = 3600, **options: object):  # noqa: ANN201 (triglot.client.TriglotClient)
        from triglot.client import TriglotClient

        return TriglotClient(self.address, timeout=timeout, **options)

    def peak_rss_mib(self) -> float:
        return peak_rss_mib(self.process.pid)

    def _log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


# The readout sets with gold sentences (<lang>.txt, <lang>.sents) in real/: $TRIGLOT_READOUTS, else
# ../shared/data/readouts when it is there, else the copy carried in tests/data.
_SHARED_READOUTS = ROOT.parent / "shared" / "data" / "readouts"
READOUTS = Path(os.environ.get("TRIGLOT_READOUTS")
                or (_SHARED_READOUTS if _SHARED_READOUTS.is_dir() else ROOT / "tests" / "data" / "readouts"))


def readout_sets(root: Path) -> list[Path]:
    """The bundled sample and every set under root/real."""
    return [SAMPLE] + sorted(p for p in (root / "real").iterdir() if p.is_dir())
