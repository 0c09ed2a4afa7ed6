"""Corpus batches: Compare (or Align) every readout set of a manifest with several calls in flight, one JSON line per
set written as it finishes, resuming from an earlier output, a set's failure recorded without stopping the run.

    from triglot.batch import read_manifest, run_batch
    from triglot.client import TriglotClient

    with TriglotClient("dns:///triglot.internal:50051") as client:  # replicas: see triglot.client
        progress = run_batch(client, read_manifest("sets.tsv"), "results.jsonl", jobs=8)
    print(progress.ok, progress.failed, progress.failures)  # failures: status code name -> sets

Manifest: one readout set a line, its id and one file per version, keyed by the version's language (en, zh, ar).
- TSV: a header line `id<TAB>LANG<TAB>LANG...`, then a row per set: its id, then a file per language column (an
  empty cell: the set has no version in that language).
- JSONL (a `.jsonl` file): an object a line, {"id": "2020-03-09-china-iraq", "files": {"zh": "a/zh.txt", ...}}.
Relative paths are relative to the manifest's directory; blank lines and lines starting with # are skipped.
Align takes a set's first file as the source and its second as the target (a set with other than two fails).

Output, one JSON object a line, in the order the sets finish:
    {"id", "call": "compare"|"align", "status": "OK", "seconds", "result": {...}}
        result: the JSON of `triglot compare --format json` (formats.to_dict) or `align --format json`
    {"id", "call", "status": CODE, "seconds", "error": "message"}
        CODE: the gRPC status code name of the failed call (the server reads each file: HTML, PDF, DOCX or text, and
        names a file it cannot read), or NOT_FOUND / INVALID_ARGUMENT for a version file that is missing / cannot be
        read here (a directory, over the size limit, blank lines with presplit, ...)
Resume: when the output file exists, the sets it holds as OK are skipped; its other lines (failures, a line cut
short when the run was killed) are dropped and those sets run again, so the output ends with one line per set.

Busy servers: the client does not retry RESOURCE_EXHAUSTED "server busy" (see triglot.client: callers choose), and a
batch is such a caller: it sends the set again after a jittered pause, doubling, until the set's deadline (the
client's timeout), so more jobs than the servers' queues hold slow the batch down instead of failing sets.
"""
from __future__ import annotations

import json
import os
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

import grpc

from triglot import formats
from triglot.client import Content, TriglotClient, TriglotError, version

OK = "OK"
LANGUAGES = tuple(formats.LANGUAGE_NAMES)
BUSY_FIRST_PAUSE = 0.2  # seconds before a set refused "server busy" is sent again; doubles up to BUSY_MAX_PAUSE
BUSY_MAX_PAUSE = 5.0
TOO_LARGE = "larger than max"  # gRPC's words for a message over the size limit: RESOURCE_EXHAUSTED, never busy


class Call(str, Enum):
    """The RPC a batch makes for each set."""
    COMPARE = "compare"
    ALIGN = "align"


class BatchError(Exception):
    """A problem with the manifest or the output that stops the batch before it starts."""


@dataclass(frozen=True)
class ReadoutSet:
    id: str
    files: dict[str, Path]  # language -> file, in manifest order


@dataclass
class Progress:
    """Where a batch stands; given to `on_progress` after each set and returned at the end."""
    total: int  # sets in the manifest
    skipped: int  # already OK in the output (resume)
    ok: int = 0  # finished OK in this run
    failures: Counter = field(default_factory=Counter)  # status code name -> sets failed in this run
    started: float = field(default_factory=time.monotonic)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def finished(self) -> int:
        return self.skipped + self.ok + self.failed

    @property
    def rate(self) -> float:
        """Sets per second finished in this run (skipped ones cost nothing, so they do not count)."""
        elapsed = time.monotonic() - self.started
        return (self.ok + self.failed) / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (None before the first set finished)."""
        rate = self.rate
        return (self.total - self.finished) / rate if rate else None


# --- manifest ---------------------------------------------------------------------------------------------------

def read_manifest(path: str | Path) -> list[ReadoutSet]:
    """The readout sets of a TSV or JSONL manifest (see the module docstring); BatchError names the bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BatchError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise BatchError(f"{path} is not valid UTF-8 (byte offset {error.start})") from None
    except OSError as error:
        raise BatchError(f"{path}: cannot read: {error.strerror or error}") from None
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.startswith("#")]
    rows = _jsonl_rows(path, lines) if path.suffix == ".jsonl" else _tsv_rows(path, lines)
    sets: list[ReadoutSet] = []
    seen: dict[str, int] = {}
    for number, set_id, files in rows:
        where = f"{path} line {number}"
        if not set_id.strip():
            raise BatchError(f"{where}: the set has no id")
        if set_id in seen:
            raise BatchError(f"{where}: the id {set_id!r} is also on line {seen[set_id]}")
        unknown = [language for language in files if language not in LANGUAGES]
        if unknown:
            raise BatchError(f"{where}: unknown language {unknown[0]!r} (languages: {', '.join(LANGUAGES)})")
        if len(files) < 2:
            raise BatchError(f"{where}: the set {set_id!r} has {len(files)} version(s); a set needs two or more")
        seen[set_id] = number
        sets.append(ReadoutSet(set_id, {language: path.parent / file for language, file in files.items()}))
    if not sets:
        raise BatchError(f"{path} holds no readout set")
    return sets


def _tsv_rows(path: Path, lines: list[tuple[int, str]]) -> Iterator[tuple[int, str, dict[str, str]]]:
    if not lines:
        return
    header_number, header = lines[0]
    columns = header.split("\t")
    if columns[0] != "id" or len(columns) < 2:
        raise BatchError(f"{path} line {header_number}: the header must be id<TAB>LANG<TAB>LANG..., "
                         f"not {header!r}")
    if len(set(columns)) != len(columns):
        raise BatchError(f"{path} line {header_number}: a column is named twice")
    for number, line in lines[1:]:
        cells = line.split("\t")
        if len(cells) > len(columns):
            raise BatchError(f"{path} line {number}: {len(cells)} fields for {len(columns)} columns")
        yield number, cells[0], {language: cell for language, cell in zip(columns[1:], cells[1:]) if cell}


def _jsonl_rows(path: Path, lines: list[tuple[int, str]]) -> Iterator[tuple[int, str, dict[str, str]]]:
    for number, line in lines:
        try:
            record = json.loads(line)
        except ValueError as error:
            raise BatchError(f"{path} line {number}: not JSON ({error})") from None
        files = record.get("files") if isinstance(record, dict) else None
        if not (isinstance(record, dict) and isinstance(record.get("id"), str) and isinstance(files, dict)
                and all(isinstance(f, str) and f for f in files.values())):
            raise BatchError(f'{path} line {number}: expected {{"id": "...", "files": {{"LANG": "FILE", ...}}}}')
        yield number, record["id"], files


# --- output -----------------------------------------------------------------------------------------------------

def resume(output: Path, call: Call) -> set[str]:
    """The ids of the sets `output` holds as OK. Its other lines (failures, a line cut short) are dropped from the
    file (rewritten whole, atomically) so that those sets, run again, end up there once."""
    if not output.exists():
        return set()
    try:
        text = output.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BatchError(f"{output}: cannot read it to resume: {error}") from None
    kept: list[str] = []
    done: set[str] = set()
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # cut short: the run was killed while writing it
        if not isinstance(record, dict):
            continue
        if record.get("call") != call.value:
            raise BatchError(f"{output} holds results of {record.get('call')!r}, not {call.value!r}: "
                             "give another output file")
        if record.get("status") == OK and record.get("id") not in done:
            done.add(record["id"])
            kept.append(line + "\n")
    if "".join(kept) != text:
        handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as rewritten:
            rewritten.writelines(kept)
        os.replace(temporary, output)
    return done


# --- running ----------------------------------------------------------------------------------------------------

class _SetFailure(Exception):
    """A set that cannot be sent: a version file missing or unreadable."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def _read(file: Path, presplit: bool) -> Content:
    # The CLI's reading rules (the file's bytes for the server to extract; one sentence a line with presplit),
    # imported here because the CLI imports this module.
    from triglot.cli import CliError, read_document

    if not file.exists():
        raise _SetFailure(grpc.StatusCode.NOT_FOUND.name, f"{file}: no such file")
    try:
        return read_document(str(file), presplit)
    except CliError as error:
        raise _SetFailure(grpc.StatusCode.INVALID_ARGUMENT.name, str(error)) from None


def _busy(error: TriglotError) -> bool:
    return error.code == grpc.StatusCode.RESOURCE_EXHAUSTED and TOO_LARGE not in error.details


def _send(client: TriglotClient, call: Call, documents: dict[str, Content], pivot_language: str,
          gloss_language: str) -> dict[str, Any]:
    deadline = time.monotonic() + client.timeout
    pause = BUSY_FIRST_PAUSE
    while True:
        remaining = deadline - time.monotonic()
        try:
            if call is Call.COMPARE:
                return formats.to_dict(client.compare(
                    [version(content, language) for language, content in documents.items()],
                    pivot_language=pivot_language, gloss_language=gloss_language, timeout=remaining))
            (source_language, source), (target_language, target) = documents.items()
            return formats.alignment_dict(client.align(source, target, source_language=source_language,
                                                       target_language=target_language, timeout=remaining))
        except TriglotError as error:
            wait_for = pause * random.uniform(0.5, 1.0)
            if not _busy(error) or time.monotonic() + wait_for >= deadline:
                raise
            time.sleep(wait_for)
            pause = min(pause * 2, BUSY_MAX_PAUSE)


def _run_set(client: TriglotClient, readout_set: ReadoutSet, call: Call, presplit: bool, pivot_language: str,
             gloss_language: str) -> dict[str, Any]:
    """The output record of one set: never raises for the set's own failure."""
    start = time.monotonic()
    try:
        if call is Call.ALIGN and len(readout_set.files) != 2:
            raise _SetFailure(grpc.StatusCode.INVALID_ARGUMENT.name,
                              f"align needs two versions, the set has {len(readout_set.files)}")
        documents = {language: _read(file, presplit) for language, file in readout_set.files.items()}
        status, payload = OK, {"result": _send(client, call, documents, pivot_language, gloss_language)}
    except _SetFailure as failure:
        status, payload = failure.status, {"error": str(failure)}
    except TriglotError as error:
        status, payload = error.code.name, {"error": error.details}
    return {"id": readout_set.id, "call": call.value, "status": status,
            "seconds": round(time.monotonic() - start, 3), **payload}


def run_batch(client: TriglotClient, sets: Sequence[ReadoutSet], output: str | Path | TextIO, *,
              call: Call = Call.COMPARE, jobs: int = 4, presplit: bool = False, pivot_language: str = "",
              gloss_language: str = "", on_progress: Callable[[Progress], None] | None = None) -> Progress:
    """Run `call` for every set not yet OK in `output` (a path: resumed, see the module docstring; or an open text
    stream), `jobs` sets at once, appending each set's JSON line as it finishes. Returns the final Progress; a
    set's failure is in its line and in Progress.failures, never raised."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    done = resume(Path(output), call) if isinstance(output, (str, Path)) else set()
    pending = iter([s for s in sets if s.id not in done])
    progress = Progress(total=len(sets), skipped=sum(1 for s in sets if s.id in done))
    stream = open(output, "a", encoding="utf-8") if isinstance(output, (str, Path)) else output  # noqa: SIM115
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="triglot-batch")
    running: set[Future] = set()
    try:
        while True:
            # At most `jobs` sets are read and held at once: a large corpus never sits in memory. The first set goes
            # alone: its call opens the connections to every replica, so the next ones spread over all of them
            # instead of piling onto whichever replica was connected first.
            limit = jobs if progress.ok + progress.failed else 1
            while len(running) < limit and (readout_set := next(pending, None)) is not None:
                running.add(pool.submit(_run_set, client, readout_set, call, presplit, pivot_language,
                                        gloss_language))
            if not running:
                break
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                record = future.result()
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                stream.flush()  # a set is finished once its line is out: a killed run resumes after it
                if record["status"] == OK:
                    progress.ok += 1
                else:
                    progress.failures[record["status"]] += 1
                if on_progress:
                    on_progress(progress)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # on an interrupt: the calls in flight end with the client
        if stream is not output:
            stream.close()
    return progress


class TerminalProgress:
    """A batch's progress on one line of a terminal, rewritten in place at most every REFRESH seconds: a bar, sets
    finished of total, failures, rate and ETA. (tqdm would do it, at the cost of a third dependency for the light
    client and ~70-160 ms more start-up; this is all the batch needs.)"""

    REFRESH = 0.2
    BAR = 24

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = 0
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < self.REFRESH and progress.finished < progress.total:
            return
        self.last = now
        filled = self.BAR * progress.finished // max(progress.total, 1)
        eta = progress.eta
        text = (f"triglot: [{'#' * filled}{'.' * (self.BAR - filled)}] {progress.finished}/{progress.total} sets"
                + (f", {progress.failed} failed" if progress.failed else "")
                + f", {progress.rate:.2f} sets/s, ETA {_clock(eta) if eta is not None else '?'}")
        self.stream.write("\r" + text.ljust(self.shown))
        self.stream.flush()
        self.shown = len(text)

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
