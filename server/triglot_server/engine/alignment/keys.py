"""Lexicon keys of both documents, shared with a worker process when the documents are long.

Key extraction is pure Python (the GIL keeps it on one core) and, for a long book, about a third of the alignment.
A long-running server calls `start_worker()`: one worker process, kept for the server's life with its dictionaries
loaded, then takes chunks of both documents while the server takes the others. Without it (a library caller, a
script: a spawned process would re-import their main module) both sides are computed here, one after the other.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import AbstractSet, Callable, TypeVar

from triglot_server.engine import transliteration
from triglot_server.engine.lexicon import sentence_keys

PARALLEL_MIN = 10_000  # sentences on both sides: below this, a worker's round trip costs more than it saves
CHUNK = 4000  # sentences between two cancellation checks
SHARE_CHUNK = 1000  # sentences per chunk shared between this process and the worker

_worker: ProcessPoolExecutor | None = None
_lock = threading.Lock()
T = TypeVar("T")


def _each(texts: list[str], language: str, of: Callable[[str, str], T]) -> list[T]:
    return [of(t, language) for t in texts]


PARENT_CHECK_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """A server killed with SIGKILL cannot stop its worker: the worker leaves by itself once it is orphaned, so no
    process (holding the server's log pipes and memory) outlives the server."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _warm() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the server stops us
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch").start()
    for sample, language in (("Beijing, 9 March", "en"), ("北京3月9日", "zh"), ("بغداد ٩ مارس", "ar")):
        sentence_keys(sample, language)
    transliteration.preload()  # the Chinese names check loads them on its first name inside a name (~1 s)
    from triglot_server.engine.alignment import learned, pinyin

    learned.keys_and_tokens("北京，3月9日", "zh")  # a book's tokens are read with its keys: their NFKC table too
    pinyin.preload()  # a long zh-en pair's English names are read here too (`alongside`)


def start_worker() -> None:
    """Start the key worker (spawned, not forked: the server has threads running) and load its dictionaries in the
    background; idempotent."""
    global _worker
    with _lock:
        if _worker is None:
            _worker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                          initializer=_warm)
            _worker.submit(int)  # starts the process now, so its dictionaries load before the first long call


def stop_worker() -> None:
    global _worker
    with _lock:
        if _worker is not None:
            try:
                _worker.shutdown(wait=True, cancel_futures=True)
            except BrokenProcessPool:
                pass
            _worker = None


def alongside(size: int, fn: Callable[..., T], *args: object) -> Callable[[], T]:
    """fn(*args) for a call of `size` sentences in all: started in the worker now when the call is long enough to
    share (its chunks then queue behind it, and this process takes more of them), else run here when asked. Returns
    the function that gives the result; `fn` must be module-level (the worker receives it by name)."""
    worker = _worker
    future = None
    if worker is not None and size >= PARALLEL_MIN:
        try:
            future = worker.submit(fn, *args)
        except BrokenProcessPool:
            stop_worker()

    def result() -> T:
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool:
                stop_worker()
        return fn(*args)

    return result


def bags(texts: list[str], language: str, keys: Callable[[str, str], AbstractSet[str]], check: Callable[[], None],
         every: int = CHUNK) -> list[AbstractSet[str]]:
    """keys(text, language) of each text, asking `check` every few thousand sentences (a long book takes seconds)."""
    out: list[AbstractSet[str]] = []
    for start in range(0, len(texts), every):
        check()
        out.extend(keys(t, language) for t in texts[start:start + every])
    return out


def both_sides(source: list[str], source_language: str, target: list[str], target_language: str,
               check: Callable[[], None], of: Callable[[str, str], T] = sentence_keys) -> tuple[list[T], list[T]]:
    """of(sentence, language) for every sentence of both documents: by default its lexicon keys (what
    `lexicon.sentence_keys` returns); `of` must be a module-level function (the worker receives it by name).

    With the worker, both documents are cut into chunks that the worker takes from the front (target first) and
    this process from the back (source last first), each chunk done once: the two cores finish together whatever
    the two languages cost per sentence (English and Chinese keys differ by 1.5x either way with the text).
    """
    worker = _worker
    if worker is None or len(source) + len(target) < PARALLEL_MIN:
        return bags(source, source_language, of, check), bags(target, target_language, of, check)
    check()
    tasks = [(target, target_language, a) for a in range(0, len(target), SHARE_CHUNK)] + \
            [(source, source_language, a) for a in range(0, len(source), SHARE_CHUNK)]
    try:
        pending = [worker.submit(_each, texts[a:a + SHARE_CHUNK], language, of) for texts, language, a in tasks]
    except BrokenProcessPool:  # the worker died (killed from outside): this call and later ones work without it
        stop_worker()
        return bags(source, source_language, of, check), bags(target, target_language, of, check)
    done: dict[int, list] = {}
    try:
        for k in range(len(tasks) - 1, 0, -1):  # the first chunk stays the worker's: its result says it is alive
            if not pending[k].cancel():  # the worker has started it (and every chunk before it)
                break
            check()
            texts, language, a = tasks[k]
            done[k] = _each(texts[a:a + SHARE_CHUNK], language, of)
        for k, future in enumerate(pending):
            if k not in done:
                check()
                try:
                    done[k] = future.result()
                except BrokenProcessPool:
                    stop_worker()
                    texts, language, a = tasks[k]
                    done[k] = _each(texts[a:a + SHARE_CHUNK], language, of)
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    n_target = -(-len(target) // SHARE_CHUNK)
    src = [value for k in range(n_target, len(tasks)) for value in done[k]]
    tgt = [value for k in range(n_target) for value in done[k]]
    return src, tgt
