"""Values shared by the engine's parts."""
from __future__ import annotations

from dataclasses import dataclass

LanguageCode = str  # "en", "zh" or "ar"


@dataclass(frozen=True, slots=True)  # slots: a book has tens of thousands (40 bytes less each)
class Sentence:
    """A sentence of a document; `text == document_text[start:end]` (code-point offsets)."""

    index: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Bead:
    """Source sentence ids linked to target sentence ids; either side may be empty."""

    source_ids: tuple[int, ...]
    target_ids: tuple[int, ...]
    score: float  # confidence in [0, 1]


@dataclass(frozen=True)
class Alignment:
    beads: list[Bead]
    signature: str  # method and settings, e.g. "triglot-align|v1|evidence=length+lexicon"


class EngineError(Exception):
    """Base of errors the engine reports to callers (mapped to gRPC status codes by the service)."""


class InvalidInput(EngineError):
    """The caller sent something the engine cannot work on (INVALID_ARGUMENT)."""


class NotInstalled(EngineError):
    """A model needed for the request is not installed (FAILED_PRECONDITION); the message says how to install it."""


class Cancelled(EngineError):
    """The caller went away or its deadline passed: the engine stopped early (raised from a `should_stop` check)."""
