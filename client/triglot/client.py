"""A small typed client for the triglot gRPC service. Needs only grpcio and protobuf.

    from triglot.client import TriglotClient

    with TriglotClient("127.0.0.1:50051") as client:
        result = client.translate("Wang Yi spoke with Fuad Hussein.", target="zh")
        for pair in result.pairs:
            print(pair.source.text, "->", pair.translation)
        aligned = client.align(zh_sentences, en_sentences, source_language="zh", target_language="en")
        language, confidence = client.detect_language("北京")

A document is a `str` (the server splits it into sentences) or a list of strings (pre-split sentences, used as
given). translate/align/list_languages return the response messages of `triglot.v1` (see the .proto for the
fields); detect_language returns a (code, confidence) tuple. Every call has a deadline (`timeout` seconds, default
DEFAULT_TIMEOUT); a failed call raises TriglotError with the gRPC status code and the server's message.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from types import TracebackType

import grpc

from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 120.0  # seconds; a large Align (a whole Bible book) takes tens of seconds
# Must match the server's limit (triglot_server.limits.MAX_MESSAGE_BYTES): gRPC's 4 MiB default is too small for
# large documents.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

Content = str | Sequence[str]


class TriglotError(Exception):
    """A call failed: `code` is the grpc.StatusCode, `details` the server's (or gRPC's) message."""

    def __init__(self, code: grpc.StatusCode, details: str, address: str) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details
        self.address = address


def document(content: Content, language: str = "") -> pb.Document:
    """A Document message: a str is text for the server to split; a list of str is pre-split sentences."""
    if isinstance(content, str):
        return pb.Document(text=content, language=language)
    return pb.Document(sentences=pb.SentenceList(items=list(content)), language=language)


def version(content: Content, language: str = "", name: str = "") -> pb.Version:
    """A Version for compare: a document (text, or pre-split sentences), its language (empty: detected) and a name
    (empty: its language code)."""
    return pb.Version(name=name, document=document(content, language))


class TriglotClient:
    """A connection to one triglot server. Thread-safe; close it (or use `with`) when done."""

    def __init__(self, address: str = DEFAULT_ADDRESS, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout
        self._channel = grpc.insecure_channel(address, options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ])
        self._stub = triglot_pb2_grpc.TriglotStub(self._channel)

    def _call(self, method: grpc.UnaryUnaryMultiCallable, request: object, timeout: float | None) -> object:
        try:
            return method(request, timeout=self.timeout if timeout is None else timeout)
        except grpc.RpcError as error:  # every RpcError raised by a unary call is also a grpc.Call
            raise TriglotError(error.code(), error.details() or "", self.address) from None

    def translate(self, content: Content, target: str, *, source: str = "",
                  timeout: float | None = None) -> pb.TranslateResponse:
        """Translate every sentence of a document into `target`; `source` is detected when empty."""
        request = pb.TranslateRequest(document=document(content, source), target_language=target)
        return self._call(self._stub.Translate, request, timeout)  # type: ignore[return-value]

    def translate_stream(self, content: Content, target: str, *, source: str = "",
                         timeout: float | None = None) -> Iterator[pb.TranslateStreamResponse]:
        """translate, streamed: yields TranslateStreamResponse messages (the next pairs in order, done/total; the
        first also carries the languages, route, models and signature) as the server finishes each chunk.
        Closing the generator early cancels the call, and the server stops translating."""
        request = pb.TranslateRequest(document=document(content, source), target_language=target)
        call = self._stub.TranslateStream(request, timeout=self.timeout if timeout is None else timeout)
        try:
            yield from call
        except grpc.RpcError as error:  # a streaming call's error is also a grpc.Call
            raise TriglotError(error.code(), error.details() or "", self.address) from None
        finally:
            call.cancel()  # a no-op once the stream has ended; stops the server's work if the caller stopped early

    def align(self, source: Content, target: Content, *, source_language: str = "", target_language: str = "",
              source_translations: Sequence[str] | None = None, target_translations: Sequence[str] | None = None,
              timeout: float | None = None) -> pb.AlignResponse:
        """Align the sentences of two documents into beads. Translations, when given, are one per sentence."""
        request = pb.AlignRequest(source=document(source, source_language), target=document(target, target_language),
                                  source_translations=list(source_translations or ()),
                                  target_translations=list(target_translations or ()))
        return self._call(self._stub.Align, request, timeout)  # type: ignore[return-value]

    def detect_language(self, text: str, *, timeout: float | None = None) -> tuple[str, float]:
        """The language code ("en", "zh" or "ar") of a text and the confidence in [0, 1]."""
        response = self._call(self._stub.DetectLanguage, pb.DetectLanguageRequest(text=text), timeout)
        return response.language, response.confidence  # type: ignore[attr-defined]

    def list_languages(self, *, timeout: float | None = None) -> pb.ListLanguagesResponse:
        """Supported languages and installed translation pairs (with the pivot of indirect ones)."""
        return self._call(self._stub.ListLanguages, pb.ListLanguagesRequest(), timeout)  # type: ignore[return-value]

    def compare(self, versions: Sequence[pb.Version], *, pivot_language: str = "", gloss_language: str = "",
                timeout: float | None = None) -> pb.CompareResponse:
        """Two or more versions of one document (see `version`) side by side in rows, with the findings where they
        diverge. The pivot defaults to the Chinese version (else the first); glosses default to English."""
        request = pb.CompareRequest(versions=list(versions), pivot_language=pivot_language,
                                    gloss_language=gloss_language)
        return self._call(self._stub.Compare, request, timeout)  # type: ignore[return-value]

    def compare_stream(self, versions: Sequence[pb.Version], *, pivot_language: str = "", gloss_language: str = "",
                       on_progress: Callable[[pb.CompareProgress], None] | None = None,
                       timeout: float | None = None) -> pb.CompareResponse:
        """compare, with `on_progress(CompareProgress)` called as the server works (stage, done, total)."""
        request = pb.CompareRequest(versions=list(versions), pivot_language=pivot_language,
                                    gloss_language=gloss_language)
        result: pb.CompareResponse | None = None
        try:
            for event in self._stub.CompareStream(request, timeout=self.timeout if timeout is None else timeout):
                if event.HasField("progress"):
                    if on_progress is not None:
                        on_progress(event.progress)
                elif event.HasField("result"):
                    result = event.result
        except grpc.RpcError as error:  # a streaming call's error is also a grpc.Call
            raise TriglotError(error.code(), error.details() or "", self.address) from None
        if result is None:
            raise TriglotError(grpc.StatusCode.INTERNAL, "the server ended the stream without a result",
                               self.address)
        return result

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> TriglotClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
