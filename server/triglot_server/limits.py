"""The server's documented limits, in one place.

Sizes are counted the way the contract counts offsets: in Unicode code points (Python `len`), not bytes.

| limit                 | value          | why                                                                          |
|-----------------------|----------------|------------------------------------------------------------------------------|
| MAX_MESSAGE_BYTES     | 64 MiB         | gRPC's default is 4 MiB; a whole Bible book (42,687 zh x 30,000 en sentences, |
|                       |                | ~3 MB of UTF-8 a side, plus one translation per source sentence) is ~10 MB    |
|                       |                | in and ~8 MB out through Align, so the channel limit is raised well past it.  |
| MAX_DOCUMENT_CHARS    | 10,000,000     | one document (text, or its sentences joined by "\\n"); also the total of a     |
|                       |                | `source_translations`/`target_translations` list and a DetectLanguage text.   |
| MAX_SENTENCES         | 200,000        | sentences per document (after segmentation, or as given pre-split).           |
| MAX_SENTENCE_CHARS    | 20,000         | one pre-split sentence or translation. Longer ones are almost always text     |
|                       |                | without punctuation that translation models would truncate silently, so they  |
|                       |                | are refused. (Text input never reaches it: segmentation cuts a run without    |
|                       |                | punctuation at whitespace into pieces of at most 1,000 characters.)           |
| HEAVY_WORKERS         | 2              | heavy calls (Translate, TranslateStream, Align, Compare, CompareStream) that  |
|                       |                | run at once (admission.py). The work is CPU-bound and the reference machine   |
|                       |                | has 2 cores: more at once only slows each call and holds more documents in    |
|                       |                | memory. bench/load_bench.py, 8 clients, 8 s (shared, noisy machine): translate|
|                       |                | 7.2 / 11.3 / 6.8 calls/s with 1 / 2 / 4 workers; align 134 / 149 / 141.      |
| MAX_QUEUED            | 4              | heavy calls that wait for a slot; one more is answered RESOURCE_EXHAUSTED at  |
|                       |                | once ("server busy ...; retry later"). Bounds memory: at most 6 requests of   |
|                       |                | up to MAX_MESSAGE_BYTES are held, and a queued call waits at most ~2 calls'   |
|                       |                | time instead of timing out at the back of a long line.                        |
| MAX_CALL_SECONDS      | 900            | a heavy call whose caller set no deadline is cancelled after this long        |
|                       |                | (admission.py): callers of other services often set none, and a call that     |
|                       |                | never ends (a stalled reader) would hold its thread for good. 15 minutes is   |
|                       |                | ~17,000 sentences of translation on the reference machine; set a deadline for |
|                       |                | more. `triglot serve --max-call-seconds`.                                     |
| MAX_CONNECTION_IDLE   | 300 s          | a connection with no call for this long is closed (GOAWAY; clients reconnect  |
|                       |                | on their next call): idle clients do not hold server resources.               |
| MAX_CONNECTION_AGE    | 3600 s         | a connection is asked to go away (GOAWAY) after this long; its calls still    |
|                       |                | get MAX_CALL_SECONDS to finish (the grace), then the connection is closed,    |
|                       |                | cancelling what is left: no connection lives for ever.                        |
| CHEAP_THREADS         | 4              | gRPC threads kept for cheap RPCs (health, languages, detection): a waiting    |
|                       |                | heavy call holds a thread, so a pool of HEAVY_WORKERS + MAX_QUEUED +          |
|                       |                | CHEAP_THREADS (server.start_server) keeps health answering under a full queue.|

Which status code for "too large" (the rule):
- A request the caller can fix by sending less (a document, sentence or list over a limit above) is
  INVALID_ARGUMENT, naming the field, its size and the limit. Nothing is ever truncated.
- A message over MAX_MESSAGE_BYTES is refused by gRPC itself before it reaches the servicer, with
  RESOURCE_EXHAUSTED ("Received message larger than max"). Split the job into several calls.
- RESOURCE_EXHAUSTED is otherwise kept for the server being busy (back-pressure), never for content.
"""
from __future__ import annotations

from collections.abc import Sequence

from triglot.client import MAX_MESSAGE_BYTES  # both ends agree on it; defined client-side (no server import there)
from triglot_server.engine.types import InvalidInput

MAX_DOCUMENT_CHARS = 10_000_000
MAX_SENTENCES = 200_000
MAX_SENTENCE_CHARS = 20_000

# A declared language is refused as a mismatch only when script detection is this sure of another language: mixed
# text (an English readout quoting Chinese names) stays acceptable under its declared language.
MISMATCH_CONFIDENCE = 0.8

# Back-pressure (admission.py; see the table above).
HEAVY_WORKERS = 2
MAX_QUEUED = 4
CHEAP_THREADS = 4
MAX_CALL_SECONDS = 900.0

# Connection lifetimes (seconds; see the table above).
MAX_CONNECTION_IDLE = 300.0
MAX_CONNECTION_AGE = 3600.0

# gRPC channel options for both ends, so server and client agree on message sizes.
CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]



def server_options(max_connection_idle: float = MAX_CONNECTION_IDLE, max_connection_age: float = MAX_CONNECTION_AGE,
                   max_connection_age_grace: float = MAX_CALL_SECONDS) -> list[tuple[str, int]]:
    """The server's gRPC options: message sizes, connection lifetimes, and no SO_REUSEPORT — gRPC sets it by
    default, so a second server on a busy port would start and share the port's calls instead of failing."""
    return [*CHANNEL_OPTIONS, ("grpc.so_reuseport", 0),
            ("grpc.max_connection_idle_ms", int(max_connection_idle * 1000)),
            ("grpc.max_connection_age_ms", int(max_connection_age * 1000)),
            ("grpc.max_connection_age_grace_ms", int(max_connection_age_grace * 1000))]


class LimitExceeded(InvalidInput):
    """A request field over a documented limit (INVALID_ARGUMENT). Keeps the field name for structured details."""

    def __init__(self, field: str, description: str) -> None:
        super().__init__(f"{field}: {description}")
        self.field = field
        self.description = description


def check_text(field: str, text: str) -> None:
    if len(text) > MAX_DOCUMENT_CHARS:
        raise LimitExceeded(field, f"{len(text):,} characters is over the limit of {MAX_DOCUMENT_CHARS:,}; "
                                   "split the document into several requests")


def check_sentences(field: str, sentences: Sequence[str]) -> None:
    """A list of sentences (pre-split input, or a document's sentences after segmentation)."""
    if len(sentences) > MAX_SENTENCES:
        raise LimitExceeded(field, f"{len(sentences):,} sentences is over the limit of {MAX_SENTENCES:,}")
    lengths = list(map(len, sentences))  # in C: a book has tens of thousands of sentences
    if lengths and max(lengths) > MAX_SENTENCE_CHARS:
        i = next(i for i, length in enumerate(lengths) if length > MAX_SENTENCE_CHARS)  # the first one
        raise LimitExceeded(f"{field}[{i}]", f"sentence of {lengths[i]:,} characters is over the limit of "
                                             f"{MAX_SENTENCE_CHARS:,} (is the text missing punctuation?)")
    total = sum(lengths) + len(lengths) - 1  # joined by one character each
    if total > MAX_DOCUMENT_CHARS:
        raise LimitExceeded(field, f"{total:,} characters in all is over the limit of {MAX_DOCUMENT_CHARS:,}")
