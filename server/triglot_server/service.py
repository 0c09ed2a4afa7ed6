"""The gRPC servicer: validate a request, call the engine, map the result (or the engine's error) to the contract.

Status codes (the rule every RPC follows):
- InvalidInput (bad or missing field, unknown language, a field over a limit in `limits`) -> INVALID_ARGUMENT
- NotInstalled (no translation model for the pair) -> FAILED_PRECONDITION, the message names the install command
- models still loading at start-up -> UNAVAILABLE (retryable)
- anything unexpected -> INTERNAL with a generic message; the traceback goes to the server log, never to the caller.
Document text is never logged.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc

from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc
from triglot_server import limits
from triglot_server.engine import alignment, languages, segmentation
from triglot_server.engine.types import EngineError, InvalidInput, NotInstalled, Sentence

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Triglot"].full_name  # "triglot.v1.Triglot"

# The client's CLI recognises this phrase to tell "still starting" from "nothing listening".
LOADING_MESSAGE = "the triglot server is still loading models; retry in a moment"
INTERNAL_MESSAGE = "internal error in the triglot server (details are in the server log)"


class _Loading(Exception):
    """The translation models are not loaded yet."""


R = TypeVar("R")


def _rpc(method: Callable[[Any, Any, grpc.ServicerContext], R]) -> Callable[[Any, Any, grpc.ServicerContext], R]:
    """Run an RPC body and turn its exceptions into gRPC status codes (see the module docstring)."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> R:
        try:
            return method(self, request, context)
        except InvalidInput as error:
            code, message = grpc.StatusCode.INVALID_ARGUMENT, str(error)
        except NotInstalled as error:
            code, message = grpc.StatusCode.FAILED_PRECONDITION, str(error)
        except _Loading:
            code, message = grpc.StatusCode.UNAVAILABLE, LOADING_MESSAGE
        except EngineError as error:  # an engine error of no known kind: its message is meant for callers
            log.error("%s: engine error: %s", method.__name__, error)
            code, message = grpc.StatusCode.INTERNAL, str(error)
        except Exception:  # noqa: BLE001 - the one place that keeps tracebacks away from callers
            log.exception("%s failed", method.__name__)
            code, message = grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE
        context.abort(code, message)  # raises; outside the try so it is not caught above

    return wrapper


@dataclass(frozen=True)
class _Document:
    language: str
    sentences: list[Sentence]


def _language(code: str, field: str) -> str:
    try:
        return languages.normalize_language(code)
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None


def _document_language(declared: str, text: str, field: str) -> str:
    """The declared language (checked against the script of the text), or the detected one when none is declared."""
    if not declared:
        try:
            return languages.detect_language(text)[0]
        except InvalidInput as error:
            raise InvalidInput(f"{field}: {error}; set {field}.language") from None
    language = _language(declared, f"{field}.language")
    try:
        detected, confidence = languages.detect_language(text)
    except InvalidInput:
        return language  # no letters to judge by (numbers only): trust the caller
    if detected != language and confidence >= limits.MISMATCH_CONFIDENCE:
        raise InvalidInput(
            f"{field}.language is {language!r} but the text is {languages.LANGUAGES[detected]}: detected "
            f"{detected!r} ({confidence:.0%} of its letters); fix the language or leave it empty to detect it")
    return language


def _read_document(document: pb.Document, field: str) -> _Document:
    """Validate a Document and split it into sentences (or take its pre-split sentences as given)."""
    kind = document.WhichOneof("content")
    if kind is None:
        raise InvalidInput(f"{field} is missing: set {field}.text or {field}.sentences")
    if kind == "text":
        text = document.text
        limits.check_text(f"{field}.text", text)
        if not text.strip():
            raise InvalidInput(f"{field}.text is empty")
        language = _document_language(document.language, text, field)
        sentences = segmentation.split_sentences(text, language)
        if not sentences:
            raise InvalidInput(f"{field}.text has no sentences")
        limits.check_sentences(f"{field}.text sentences", [s.text for s in sentences])
        return _Document(language, sentences)
    items = list(document.sentences.items)
    if not items:
        raise InvalidInput(f"{field}.sentences is empty: give at least one sentence")
    limits.check_sentences(f"{field}.sentences.items", items)
    for i, item in enumerate(items):
        if not item.strip():
            raise InvalidInput(f"{field}.sentences.items[{i}] is empty")
        if "\n" in item:
            raise InvalidInput(f"{field}.sentences.items[{i}] contains a line break: give one sentence per item")
    language = _document_language(document.language, "\n".join(items), field)
    return _Document(language, segmentation.sentences_from_lines(items))


def _translations(values: Sequence[str], field: str, side: str, sentences: list[Sentence]) -> list[str] | None:
    """An optional list of one translation per sentence of one side; empty means not given."""
    if not values:
        return None
    if len(values) != len(sentences):
        raise InvalidInput(f"{field} has {len(values)} items but the {side} document has {len(sentences)} "
                           f"sentences: give one translation per {side} sentence, in order")
    limits.check_sentences(field, values)
    return list(values)


def _sentence(s: Sentence) -> pb.Sentence:
    return pb.Sentence(index=s.index, text=s.text, start=s.start, end=s.end)


def _check_coverage(beads: Sequence[Any], n_source: int, n_target: int) -> None:
    """Every sentence of both sides in exactly one bead, in order: guards callers against an engine bug."""
    source = [i for bead in beads for i in bead.source_ids]
    target = [i for bead in beads for i in bead.target_ids]
    if source != list(range(n_source)) or target != list(range(n_target)):
        raise RuntimeError("aligner returned beads that do not cover each sentence exactly once, in order")


class TriglotServicer(triglot_pb2_grpc.TriglotServicer):
    """Thin: every method validates, calls one engine function and builds the response."""

    def __init__(self, translator: Any | None = None) -> None:
        # A TranslationEngine once the models are loaded (server.load_models sets it); None while starting.
        self.translator = translator

    def _require_translator(self) -> Any:
        if self.translator is None:
            raise _Loading()
        return self.translator

    @_rpc
    def Translate(self, request: pb.TranslateRequest, context: grpc.ServicerContext) -> pb.TranslateResponse:
        document = _read_document(request.document, "document")
        if not request.target_language:
            raise InvalidInput("target_language is required (en, zh or ar)")
        target = _language(request.target_language, "target_language")
        if target == document.language:
            raise InvalidInput(f"source and target language are both {target!r}: nothing to translate")
        translator = self._require_translator()
        result = translator.translate([s.text for s in document.sentences], document.language, target)
        if len(result.translations) != len(document.sentences):
            raise RuntimeError(f"translator returned {len(result.translations)} translations "
                               f"for {len(document.sentences)} sentences")
        return pb.TranslateResponse(
            source_language=document.language,
            target_language=target,
            pairs=[pb.TranslatedSentence(source=_sentence(s), translation=t)
                   for s, t in zip(document.sentences, result.translations)],
            route=result.route,
            models=result.models,
            signature=result.signature,
        )

    @_rpc
    def Align(self, request: pb.AlignRequest, context: grpc.ServicerContext) -> pb.AlignResponse:
        source = _read_document(request.source, "source")
        target = _read_document(request.target, "target")
        source_translations = _translations(request.source_translations, "source_translations", "source",
                                            source.sentences)
        target_translations = _translations(request.target_translations, "target_translations", "target",
                                            target.sentences)
        result = alignment.align(
            [s.text for s in source.sentences], [s.text for s in target.sentences],
            source.language, target.language,
            source_translations=source_translations, target_translations=target_translations)
        _check_coverage(result.beads, len(source.sentences), len(target.sentences))
        return pb.AlignResponse(
            source_language=source.language,
            target_language=target.language,
            source_sentences=[_sentence(s) for s in source.sentences],
            target_sentences=[_sentence(s) for s in target.sentences],
            beads=[pb.Bead(source_ids=b.source_ids, target_ids=b.target_ids, score=b.score) for b in result.beads],
            signature=result.signature,
        )

    @_rpc
    def DetectLanguage(self, request: pb.DetectLanguageRequest,
                       context: grpc.ServicerContext) -> pb.DetectLanguageResponse:
        limits.check_text("text", request.text)
        if not request.text.strip():
            raise InvalidInput("text is empty")
        language, confidence = languages.detect_language(request.text)
        return pb.DetectLanguageResponse(language=language, confidence=confidence)

    @_rpc
    def ListLanguages(self, request: pb.ListLanguagesRequest,
                      context: grpc.ServicerContext) -> pb.ListLanguagesResponse:
        translator = self._require_translator()
        return pb.ListLanguagesResponse(
            languages=[pb.Language(code=code, name=name) for code, name in languages.LANGUAGES.items()],
            pairs=[pb.LanguagePair(source=r.source, target=r.target, via=r.via, models=r.models)
                   for r in translator.routes()],
        )

    # Compare / CompareStream belong to issue 4 (comparison); until then they answer UNIMPLEMENTED cleanly.
    def Compare(self, request: pb.CompareRequest, context: grpc.ServicerContext) -> pb.CompareResponse:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "Compare is not implemented by this server yet")

    def CompareStream(self, request: pb.CompareRequest, context: grpc.ServicerContext):  # type: ignore[override]
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "CompareStream is not implemented by this server yet")
