"""The gRPC servicer: validate a request, call the engine, map the result (or the engine's error) to the contract.

Status codes (the rule every RPC follows):
- InvalidInput (bad or missing field, unknown language) -> INVALID_ARGUMENT with the message
- LimitExceeded (a field over a limit in `limits`) -> INVALID_ARGUMENT with the same message, plus a
  `google.rpc.BadRequest` in the status details naming the field and what is wrong (read it with
  `grpc_status.rpc_status.from_call`)
- Cancelled (the caller cancelled or its deadline passed; the engine stopped between batches) -> CANCELLED or
  DEADLINE_EXCEEDED; not an error of the server, so it is not logged as one
- NotInstalled (no translation model for the pair) -> FAILED_PRECONDITION, the message names the install command
- models still loading at start-up -> UNAVAILABLE (retryable)
- anything unexpected -> INTERNAL with a generic message; the traceback goes to the server log, never to the caller.
Document text is never logged.
"""
from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc
from triglot_server import limits
from triglot_server.engine import alignment, comparison, languages, resources, segmentation, traditional
from triglot_server.engine import documents as extraction
from triglot_server.engine.normal_form import NormalForm, has_line_end_hyphen, normal_forms, vocabulary
from triglot_server.engine.types import Cancelled, EngineError, InvalidInput, NotInstalled, Sentence
from triglot_server.observability import ended_early_code

log = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Triglot"].full_name  # "triglot.v1.Triglot"

# The client's CLI recognises this phrase to tell "still starting" from "nothing listening".
LOADING_MESSAGE = "the triglot server is still loading models; retry in a moment"
INTERNAL_MESSAGE = "internal error in the triglot server (details are in the server log)"


class _Loading(Exception):
    """The translation models are not loaded yet."""


R = TypeVar("R")


def _status(error: BaseException, name: str, context: grpc.ServicerContext) -> tuple[grpc.StatusCode, str]:
    """The status code and message for an exception raised by an RPC body (see the module docstring)."""
    if isinstance(error, InvalidInput):
        return grpc.StatusCode.INVALID_ARGUMENT, str(error)
    if isinstance(error, NotInstalled):
        return grpc.StatusCode.FAILED_PRECONDITION, str(error)
    if isinstance(error, _Loading):
        return grpc.StatusCode.UNAVAILABLE, LOADING_MESSAGE
    if isinstance(error, Cancelled):  # the caller is gone (it sees its own status); nothing went wrong here
        log.debug("%s: stopped early: %s", name, error)
        return ended_early_code(context), str(error)
    if isinstance(error, EngineError):  # an engine error of no known kind: its message is meant for callers
        log.error("%s: engine error: %s", name, error)
        return grpc.StatusCode.INTERNAL, str(error)
    # The one place that keeps tracebacks away from callers: they go to the server log.
    log.error("%s failed", name, exc_info=(type(error), error, error.__traceback__))
    return grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE


def _abort(context: grpc.ServicerContext, error: BaseException, name: str) -> None:
    """End the call with the status for `error` (raises). A limit violation also carries a google.rpc.BadRequest,
    so a program can tell which field to shrink without parsing the message."""
    code, message = _status(error, name, context)
    if isinstance(error, limits.LimitExceeded):
        detail = any_pb2.Any()
        detail.Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=error.field, description=error.description)]))
        context.abort_with_status(rpc_status.to_status(
            status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message=message, details=[detail])))
    context.abort(code, message)


def _stopper(context: grpc.ServicerContext) -> Callable[[], bool]:
    """should_stop for the engine: true once the caller cancelled or its deadline passed (gRPC then ends the
    call, and is_active() turns false)."""
    return lambda: not context.is_active()


def _aligner(should_stop: Callable[[], bool]) -> Callable[..., Any]:
    """alignment.align, stopping (Cancelled) between its passes when should_stop says so."""
    return functools.partial(alignment.align, should_stop=should_stop)


def _rpc(method: Callable[[Any, Any, grpc.ServicerContext], R]) -> Callable[[Any, Any, grpc.ServicerContext], R]:
    """Run an RPC body and turn its exceptions into gRPC status codes (see the module docstring). A streaming
    body (a generator) is mapped the same way, whether it fails before its first message or after some."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def streaming(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            try:
                yield from method(self, request, context)  # type: ignore[misc]
                return
            except Exception as error:  # noqa: BLE001 - mapped to a status; tracebacks stay in the server log
                failure = error
            _abort(context, failure, method.__name__)  # raises; outside the try so it is not caught above

        return streaming  # type: ignore[return-value]

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> R:
        try:
            return method(self, request, context)
        except Exception as error:  # noqa: BLE001 - mapped to a status; tracebacks stay in the server log
            failure = error
        _abort(context, failure, method.__name__)  # raises; outside the try so it is not caught above

    return wrapper


@dataclass(frozen=True)
class _Document:
    """A validated document: its language as the caller sees it (en, zh, zt, ar), its sentences (original text and
    offsets, as returned) and their normal forms (what the engine analyses and translates; None when each sentence
    is its own, see normal_forms)."""

    language: str
    sentences: Sequence[Sentence]  # a list, or segmentation.Lines for a pre-split document
    forms: list[NormalForm] | None
    extracted: str = ""  # the text extracted from a document given as a file, which the offsets point into

    @property
    def engine_language(self) -> str:
        """The language the engine analyses the document in (Traditional Chinese through Simplified)."""
        return languages.analysis_language(self.language)

    def analysed(self) -> list[Sentence]:
        """The sentences as the engine analyses them: normal forms, each starting at its original's offset."""
        if self.forms is None:
            return list(self.sentences)
        return [Sentence(s.index, f.analysed, s.start, s.start + len(f.analysed))
                for s, f in zip(self.sentences, self.forms)]

    def texts(self) -> list[str]:
        """The text of each analysed() sentence (without building the sentences: a book has tens of thousands)."""
        if self.forms is None:
            return self._own_texts()
        return [f.analysed for f in self.forms]

    def translation_texts(self) -> list[str]:
        """The text of each sentence as translation gets it (Traditional Chinese stays Traditional)."""
        if self.forms is None:
            return self._own_texts()
        return [f.text for f in self.forms]

    def _own_texts(self) -> list[str]:
        """The sentences' texts; a pre-split document's are a column (no Sentence made for each)."""
        if isinstance(self.sentences, segmentation.Lines):
            return list(self.sentences.texts)
        return [s.text for s in self.sentences]

    def original_span(self, sentence: int, start: int, end: int) -> tuple[int, int]:
        """A span the engine found in analysed() sentence `sentence`, as offsets into the original text."""
        if self.forms is None:
            return start, end
        base = self.sentences[sentence].start
        local = self.forms[sentence].original_span(start - base, end - base)
        return base + local[0], base + local[1]


def _language(code: str, field: str) -> str:
    try:
        return languages.normalize_language(code)
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None


def _document_language(declared: str, text: str, field: str) -> str:
    """The declared language (checked against the script and the language of the text), or the detected one when
    none is declared. Chinese in Traditional characters is "zt" even when declared "zh"."""
    if not declared:
        try:
            language = languages.detect_script(text)[0]
        except InvalidInput as error:
            raise InvalidInput(f"{field}: {error}; set {field}.language") from None
    else:
        language = _language(declared, f"{field}.language")
        try:
            detected, confidence = languages.detect_script(text)
        except InvalidInput:
            return language  # no letters to judge by (numbers only): trust the caller
        if detected != languages.analysis_language(language) and confidence >= limits.MISMATCH_CONFIDENCE:
            raise InvalidInput(
                f"{field}.language is {language!r} but the text is {languages.LANGUAGES[detected]}: detected "
                f"{detected!r} ({confidence:.0%} of its letters); fix the language or leave it empty to detect it")
    try:
        languages.check_not_other_language(text, language)
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None
    if language == "zh" and languages.is_traditional(text):
        return "zt"
    return language


def _extract(file: pb.File, field: str, should_stop: Callable[[], bool] | None = None) -> extraction.Extracted:
    """The text of a File message; errors name the file (or the field when it has no name)."""
    try:
        return extraction.extract(file.data, file.media_type, file.name or field, should_stop)
    except InvalidInput as error:
        if len(file.data) > extraction.MAX_FILE_BYTES:
            raise limits.LimitExceeded(f"{field}.data", str(error)) from None
        raise


def _split(text: str, declared: str, field: str, kind: str) -> tuple[str, list[Sentence], list[NormalForm] | None]:
    """The language (checked, see _document_language), sentences and normal forms of a document's text."""
    language = _document_language(declared, text, field)
    sentences = segmentation.split_sentences(text, language)
    if not sentences:
        raise InvalidInput(f"{field}.{kind} has no sentences")
    texts = [s.text for s in sentences]
    limits.check_sentences(f"{field}.{kind} sentences", texts)
    words = vocabulary(text) if language == "en" and has_line_end_hyphen(text) else frozenset()
    return language, sentences, normal_forms(texts, language, words)


REMEMBERED_CHARS = 50_000
REMEMBERED_DOCUMENTS = 16
"""The last REMEMBERED_DOCUMENTS texts of up to REMEMBERED_CHARS characters are split once: a readout sent again, or
aligned with its other versions a pair at a time, is not checked and split again (0.4 ms of the sample readout's 5 ms
Align); they hold ~10 MB at most. Errors are not remembered, and nothing changes a document once read."""
_split_remembered = resources.bounded(REMEMBERED_DOCUMENTS)(_split)


def _read_document(document: pb.Document, field: str) -> _Document:
    """Validate a Document and split it into sentences (or take its pre-split sentences as given); a file's text is
    extracted first."""
    kind = document.WhichOneof("content")
    if kind is None:
        raise InvalidInput(f"{field} is missing: set {field}.text, {field}.sentences or {field}.file")
    if kind in ("text", "file"):
        extracted = _extract(document.file, f"{field}.file").text if kind == "file" else ""
        text = extracted or document.text
        limits.check_text(f"{field}.{kind}", text)
        if not text.strip():
            raise InvalidInput(f"{field}.{kind} is empty")
        split = _split_remembered if len(text) <= REMEMBERED_CHARS else _split
        return _Document(*split(text, document.language, field, kind), extracted)
    items = list(document.sentences.items)
    if not items:
        raise InvalidInput(f"{field}.sentences is empty: give at least one sentence")
    limits.check_sentences(f"{field}.sentences.items", items)
    joined = "\n".join(items)
    # Both checks in C (a book has tens of thousands of items); the loop names the first bad item.
    if joined.count("\n") != len(items) - 1 or not all(map(str.strip, items)):
        for i, item in enumerate(items):
            if not item.strip():
                raise InvalidInput(f"{field}.sentences.items[{i}] is empty")
            if "\n" in item:
                raise InvalidInput(f"{field}.sentences.items[{i}] contains a line break: give one sentence per item")
    language = _document_language(document.language, joined, field)
    sentences = segmentation.lines(items)
    return _Document(language, sentences, normal_forms(sentences.texts, language))


def _translations(values: Sequence[str], field: str, side: str, sentences: Sequence[Sentence]) -> list[str] | None:
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


def _add_sentences(field: Any, sentences: Sequence[Sentence]) -> None:
    """Append the sentences to a repeated Sentence field of a response (what `_sentence` builds, in place)."""
    add = field.add
    for s in sentences:
        add(index=s.index, text=s.text, start=s.start, end=s.end)


# ------------------------------------------------------------------ Translate / TranslateStream (issue 6)

STREAM_CHUNK_SENTENCES = 32
"""Sentences per TranslateStream message: one full batch of the engine (max_batch_size), so streaming costs little
throughput, while the first pairs of a long document arrive early."""


def _translate_request(request: pb.TranslateRequest) -> tuple[_Document, str]:
    """The validated document and target language of a Translate or TranslateStream request."""
    document = _read_document(request.document, "document")
    if not request.target_language:
        raise InvalidInput("target_language is required (en, zh or ar)")
    target = _language(request.target_language, "target_language")
    if target == document.language:
        raise InvalidInput(f"source and target language are both {target!r}: nothing to translate")
    return document, target


def _translated_pairs(sentences: list[Sentence], result: Any) -> list[pb.TranslatedSentence]:
    """The pairs of a TranslationResult for these sentences, with their quality flags and retries."""
    if len(result.translations) != len(sentences):
        raise RuntimeError(f"translator returned {len(result.translations)} translations "
                           f"for {len(sentences)} sentences")
    flags = result.flags or [()] * len(sentences)
    retries = result.retries or [""] * len(sentences)
    return [pb.TranslatedSentence(source=_sentence(s), translation=t, flags=f, retry=r)
            for s, t, f, r in zip(sentences, result.translations, flags, retries)]


# ------------------------------------------------------------------ Compare (issue 4)

MAX_VERSIONS = 12
"""Versions in one Compare request: each is aligned to the pivot, so the work grows with their number."""


def _compare_request(request: pb.CompareRequest) -> tuple[list[comparison.Version], str, str, dict[str, _Document]]:
    """Validated versions (documents split into sentences, names defaulting to the language, in the languages and
    normal forms the engine analyses), pivot, gloss language, and each version's document by name."""
    count = len(request.versions)
    if count < 2:
        raise InvalidInput(f"versions: Compare needs at least 2 versions, got {count}")
    if count > MAX_VERSIONS:
        raise limits.LimitExceeded("versions", f"{count} versions is over the limit of {MAX_VERSIONS}; "
                                               "compare them in several requests against the same pivot")
    versions: list[comparison.Version] = []
    documents: dict[str, _Document] = {}
    for k, item in enumerate(request.versions):
        document = _read_document(item.document, f"versions[{k}].document")
        name = item.name.strip() or document.language
        if name in documents:
            raise InvalidInput(f"versions[{k}].name: {name!r} names two versions; give each version a distinct "
                               "name (the default is its language code)")
        documents[name] = document
        versions.append(comparison.Version(name, document.engine_language, document.analysed()))
    pivot = _language(request.pivot_language, "pivot_language") if request.pivot_language else ""
    if pivot and all(d.language != pivot for d in documents.values()):
        raise InvalidInput(f"pivot_language: no version is in {pivot!r} (the versions are in "
                           f"{', '.join(d.language for d in documents.values())})")
    gloss = _language(request.gloss_language, "gloss_language") if request.gloss_language else "en"
    return versions, languages.analysis_language(pivot), languages.analysis_language(gloss), documents


def _original_ref(ref: Any, documents: dict[str, _Document]) -> pb.FindingRef:
    """A finding's span, found in the analysed text, as the version's language and offsets into its original."""
    document = documents[ref.version]
    start, end = document.original_span(ref.sentence, ref.start, ref.end)
    return pb.FindingRef(version=ref.version, language=document.language, sentence=ref.sentence, start=start, end=end)


def _compare_response(result: comparison.Comparison, documents: dict[str, _Document]) -> pb.CompareResponse:
    """The response, with each version's original language, sentences and offsets."""
    return pb.CompareResponse(
        versions=[pb.VersionInfo(name=v.name, language=documents[v.name].language,
                                 sentences=[_sentence(s) for s in documents[v.name].sentences],
                                 glosses=v.glosses, gloss_signature=v.gloss_signature,
                                 gloss_quality=[pb.GlossQuality(flags=f, retry=r)
                                                for f, r in zip(v.gloss_flags, v.gloss_retries)],
                                 text=documents[v.name].extracted)
                  for v in result.versions],
        rows=[pb.Row(index=row.index, cells=[pb.Cell(sentence_ids=c.sentence_ids, score=c.score) for c in row.cells])
              for row in result.rows],
        findings=[pb.Finding(kind=pb.FindingKind.Value(f"FINDING_KIND_{f.kind.name}"), evidence=f.evidence,
                             severity=pb.Severity.Value(f"SEVERITY_{f.severity.name}"), row=f.row,
                             confidence=f.confidence, refs=[_original_ref(r, documents) for r in f.refs])
                  for f in result.findings],
        pivot=result.pivot,
        signature=result.signature,
    )


class TriglotServicer(triglot_pb2_grpc.TriglotServicer):
    """Thin: every method validates, calls one engine function and builds the response."""

    def __init__(self, translator: Any | None = None) -> None:
        # A TranslationEngine once the models are loaded (server.load_models sets it); None while starting.
        self.translator = translator

    def _require_translator(self) -> Any:
        """The loaded engine, translating Traditional Chinese through Simplified where no zt package serves."""
        if self.translator is None:
            raise _Loading()
        return traditional.Translator(self.translator)

    @_rpc
    def Translate(self, request: pb.TranslateRequest, context: grpc.ServicerContext) -> pb.TranslateResponse:
        document, target = _translate_request(request)
        result = self._require_translator().translate(document.translation_texts(), document.language,
                                                      target, should_stop=_stopper(context))
        return pb.TranslateResponse(
            source_language=document.language,
            target_language=target,
            pairs=_translated_pairs(document.sentences, result),
            route=result.route,
            models=result.models,
            signature=result.signature,
            source_text=document.extracted,
        )

    @_rpc
    def TranslateStream(self, request: pb.TranslateRequest,
                        context: grpc.ServicerContext) -> Iterator[pb.TranslateStreamResponse]:  # type: ignore[override]
        """Translate, a chunk of pairs per message as each is done; stops when the caller goes away.
        Input errors come before the first message."""
        document, target = _translate_request(request)
        chunks = self._require_translator().translate_chunks(
            document.translation_texts(), document.language, target, chunk_size=STREAM_CHUNK_SENTENCES,
            should_stop=_stopper(context))
        total = len(document.sentences)
        first = True
        # The generator translates a chunk only when asked for it, so checking between chunks stops the work.
        while context.is_active():
            item = next(chunks, None)
            if item is None:
                return
            start, result = item
            sentences = document.sentences[start:start + len(result.translations)]
            message = pb.TranslateStreamResponse(pairs=_translated_pairs(sentences, result),
                                                 done=start + len(sentences), total=total)
            if first:
                message.source_language, message.target_language = document.language, target
                message.route.extend(result.route)
                message.models.extend(result.models)
                message.signature = result.signature
                message.source_text = document.extracted
                first = False
            yield message

    @_rpc
    def Align(self, request: pb.AlignRequest, context: grpc.ServicerContext) -> pb.AlignResponse:
        source = _read_document(request.source, "source")
        target = _read_document(request.target, "target")
        source_translations = _translations(request.source_translations, "source_translations", "source",
                                            source.sentences)
        target_translations = _translations(request.target_translations, "target_translations", "target",
                                            target.sentences)
        result = _aligner(_stopper(context))(
            source.texts(), target.texts(),
            source.engine_language, target.engine_language,
            source_translations=source_translations, target_translations=target_translations)
        response = pb.AlignResponse(source_language=source.language, target_language=target.language,
                                    signature=result.signature, source_text=source.extracted,
                                    target_text=target.extracted)
        # Added in place: a list of messages given to the constructor is copied again (a book has tens of
        # thousands of sentences; measured 2x slower).
        _add_sentences(response.source_sentences, source.sentences)
        _add_sentences(response.target_sentences, target.sentences)
        add_bead = response.beads.add
        for b in result.beads:
            add_bead(source_ids=b.source_ids, target_ids=b.target_ids, score=b.score)
        return response

    @_rpc
    def Extract(self, request: pb.ExtractRequest, context: grpc.ServicerContext) -> pb.ExtractResponse:
        if not request.HasField("file"):
            raise InvalidInput("file is missing: set file.data (and file.media_type, or leave it empty to detect)")
        result = _extract(request.file, "file", _stopper(context))
        limits.check_text("file text", result.text)
        return pb.ExtractResponse(text=result.text, media_type=result.media_type.value, method=result.method)

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
            unavailable_models=getattr(translator, "unavailable", ()),
        )

    def _glosser(self, should_stop: Callable[[], bool]) -> comparison.Glosser:
        """Machine glosses through the loaded models; a pair with no installed model gets none (not an error)."""
        translator = self._require_translator()

        def gloss(sentences: list[str], source: str, target: str) -> Any:
            try:
                return translator.translate(sentences, source, target, should_stop=should_stop)
            except NotInstalled:
                return None

        return gloss

    def _compare_steps(self, request: pb.CompareRequest, should_stop: Callable[[], bool]
                       ) -> Iterator[comparison.Step | pb.CompareResponse]:
        """The comparison's steps, then its response (input errors raise before the first step)."""
        versions, pivot, gloss_language, documents = _compare_request(request)
        steps = comparison.compare_steps(versions, pivot_language=pivot or None, gloss_language=gloss_language,
                                         gloss=self._glosser(should_stop), should_stop=should_stop)
        return (_compare_response(item, documents) if isinstance(item, comparison.Comparison) else item
                for item in steps)

    @_rpc
    def Compare(self, request: pb.CompareRequest, context: grpc.ServicerContext) -> pb.CompareResponse:
        for item in self._compare_steps(request, _stopper(context)):
            if isinstance(item, pb.CompareResponse):
                return item
        raise RuntimeError("the comparison ended without a result")

    @_rpc
    def CompareStream(self, request: pb.CompareRequest,
                      context: grpc.ServicerContext) -> Iterator[pb.CompareEvent]:  # type: ignore[override]
        """Progress events as the comparison advances, then the result; the engine yields its steps (admission
        produces a heavy stream's messages while it holds the slot, and delivers them apart), and a caller that
        goes away stops it at its next step."""
        for item in self._compare_steps(request, _stopper(context)):
            if isinstance(item, pb.CompareResponse):
                yield pb.CompareEvent(result=item)
            else:
                stage, done, total = item
                yield pb.CompareEvent(progress=pb.CompareProgress(stage=stage, done=done, total=total))


# ------------------------------------------------------------------ requests that are not valid protobuf (issue 14)

class _Malformed:
    """What the request deserializer returns for bytes that do not parse, so the call can be refused by name."""

    def __init__(self, error: Exception) -> None:
        self.message = str(error) or type(error).__name__


class MalformedRequests(grpc.ServerInterceptor):
    """Answers a request whose bytes are not a valid protobuf message (or carry invalid UTF-8 in a string field)
    INVALID_ARGUMENT, the caller's fault, instead of gRPC's INTERNAL "Exception deserializing request!" and a
    traceback in the log. Placed after authentication and before admission: the call is logged and counted like
    any other, and takes no heavy slot. Calls with streamed requests (reflection) keep gRPC's own handling."""

    def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
                          details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        handler = continuation(details)
        if handler is None or handler.request_streaming or handler.request_deserializer is None:
            return handler
        name = "unary_stream" if handler.unary_stream else "unary_unary"
        behavior = getattr(handler, name)
        if getattr(behavior, "experimental_non_blocking", False):
            return handler
        decode = handler.request_deserializer

        def deserialize(data: bytes) -> Any:
            try:
                return decode(data)
            except Exception as error:  # noqa: BLE001 - protobuf raises DecodeError; any failure is the caller's
                return _Malformed(error)

        def refuse(request: Any, context: grpc.ServicerContext) -> None:
            if isinstance(request, _Malformed):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                              f"the request is not a valid protobuf message ({request.message}); send the "
                              f"serialized request message of {details.method}")

        if handler.unary_stream:
            def streaming(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
                refuse(request, context)
                yield from behavior(request, context)

            wrapped: Callable[..., Any] = streaming
        else:
            def unary(request: Any, context: grpc.ServicerContext) -> Any:
                refuse(request, context)
                return behavior(request, context)

            wrapped = unary
        return handler._replace(request_deserializer=deserialize, **{name: wrapped})
