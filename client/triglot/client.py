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
fields); detect_language returns a (code, confidence) tuple. A failed call raises TriglotError with the gRPC status
code and the server's message.

What the client promises (so a batch job can rely on it):
- Deadlines: every call, unary or streaming, has one (`timeout` seconds, default DEFAULT_TIMEOUT, per client or per
  call). It bounds the whole call, retries and waiting included; past it the call fails with DEADLINE_EXCEEDED
  (or, when the server stayed unavailable until then, UNAVAILABLE with the server's last message, e.g. "still
  loading models", which says what to fix).
- Retries (on by default; `retries=False` turns them off): every triglot RPC is an idempotent read or computation,
  so a call that fails with UNAVAILABLE (server restarting, connection dropped mid-call, models still loading) is
  sent again, with exponential backoff, until it succeeds or its deadline passes. A server restart therefore does
  not fail a batch job whose deadline covers the restart: each call returns exactly one result, as if nothing had
  happened (the server may have run it twice; the RPCs are idempotent, so that cannot show). Two layers do this:
  gRPC's own retry policy (service config below: up to 5 attempts, which is gRPC's cap, backoff 0.1 s doubling to
  0.8 s, jittered) retries fast and transparently inside the channel, including streams that have not yet received a
  message; a restart with models to load outlasts those 5 attempts, so the client then sends the call again with
  `wait_for_ready`, which waits (up to the deadline) for the server to be back instead of failing on a refused
  connection.
- Fail fast when nothing was ever there: until this client has once been connected to its server, it does not wait
  for it, so a wrong address or a server that is not running is reported within about a second (gRPC's 5 quick
  attempts), not after the deadline. Once connected, it rides out restarts as above. A server whose health service
  answers NOT_SERVING (loading its models) counts as there: calls wait for it to be ready.
- Many replicas: the address is any gRPC target ("host:port", "dns:///name:port", "ipv4:a:p1,b:p2"). Calls go round
  robin over the backends whose grpc.health.v1 service says SERVING, so a replica that is loading, draining after
  SIGTERM or dead is skipped; a call cut by a replica dying is retried (as above) on another one, so each call still
  returns exactly one result.
- Not retried: RESOURCE_EXHAUSTED. The server uses it for "busy, queue full" (back-pressure) and gRPC uses it for
  a message over the size limit. The second never succeeds on a retry, and for the first the point of shedding
  load is that callers slow down: retries hidden inside every client would turn a burst into a retry storm against
  a server that is already full. The caller sees the error at once and chooses (fewer concurrent calls, a later
  retry) — or asks for `wait_when_busy=True` (the CLI's --wait): then a "server busy" answer is sent again with the
  same jittered backoff (0.25 s doubling to 2 s) until the deadline, for a batch job that would rather wait than
  fail. Every other code (INVALID_ARGUMENT, FAILED_PRECONDITION, UNAUTHENTICATED, DEADLINE_EXCEEDED, ...) is final.
- Streams too: translate_stream, cut by a restart, is resent and resumes after the last pair it yielded (each pair
  exactly once, in order); compare_stream, which returns only its final result, is resent whole (progress starts
  over).
- Security: with `root_certificates` the channel is TLS, verifying the server against those CA certificates; with
  `private_key` and `certificate_chain` as well it is mutual TLS. With `token`, every call carries the metadata
  `authorization: Bearer <token>`; over plaintext the token crosses the network in clear, so use plaintext only on
  loopback (the server's default) or inside an encrypted network.
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import grpc

from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 120.0  # seconds; a large Align (a whole Bible book) takes tens of seconds
# Both ends' limit (triglot_server.limits takes it from here): gRPC's 4 MiB default is too small for large documents.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
SERVICE = "triglot.v1.Triglot"

RETRYABLE = (grpc.StatusCode.UNAVAILABLE,)
"""Status codes a call is retried on (see the module docstring for why RESOURCE_EXHAUSTED is not, by default)."""
BUSY_MESSAGE = "server busy"
"""How the server's RESOURCE_EXHAUSTED for a full heavy-call queue begins (admission.py uses it): the one
RESOURCE_EXHAUSTED that a later send can cure (a message over the size limit never will)."""

RETRY_POLICY = {
    "maxAttempts": 5,  # gRPC caps it at 5 anyway
    # Short: these retries are for blips (a dropped connection). Long outages are the resends' job, and an
    # attempt still in gRPC's backoff when the deadline passes would hide the server's last answer.
    "initialBackoff": "0.1s",
    "maxBackoff": "0.8s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": [code.name for code in RETRYABLE],
}
# Many replicas: a target may name several backends (a DNS name with several addresses, "ipv4:a:p1,b:p2"). Calls
# go round robin over those whose grpc.health.v1 service says SERVING for SERVICE, so a replica that is loading its
# models, draining on SIGTERM or dead gets no new calls (a server without the health service counts as healthy).
BALANCING_CONFIG = {"loadBalancingConfig": [{"round_robin": {}}], "healthCheckConfig": {"serviceName": SERVICE}}
SERVICE_CONFIG = {**BALANCING_CONFIG,
                  "methodConfig": [{"name": [{"service": SERVICE}], "retryPolicy": RETRY_POLICY}]}
# gRPC's words for a pick that failed because every backend's health service says NOT_SERVING: the servers are there.
UNHEALTHY = "backend unhealthy"
NOT_READY_MESSAGE = ("the triglot server is still loading models, or shutting down: the health service of every "
                     "backend of {address} says NOT_SERVING")

# Backoff of the client's own resends (after gRPC's attempts are used up): doubling from FIRST to MAX, jittered.
RESEND_FIRST_BACKOFF = 0.25
RESEND_MAX_BACKOFF = 2.0

CHANNEL_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    # gRPC keeps the request to resend it only up to this size (256 KiB by default): raised so that a large
    # document is retried like a small one.
    ("grpc.per_rpc_retry_buffer_size", MAX_MESSAGE_BYTES),
    # The channel's reconnect backoff grows to 120 s by default: a restarted server would be found only that late.
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 1000),
]

Content = str | Sequence[str] | pb.File


class TriglotError(Exception):
    """A call failed: `code` is the grpc.StatusCode, `details` the server's (or gRPC's) message."""

    def __init__(self, code: grpc.StatusCode, details: str, address: str) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details
        self.address = address


@contextmanager
def valid_unicode(address: str = "") -> Iterator[None]:
    """Building a request: a str that cannot be UTF-8 encoded (a lone surrogate, e.g. from undecodable bytes read
    with errors="surrogateescape") is a TriglotError INVALID_ARGUMENT naming the character, never a bare
    UnicodeEncodeError. `address` is the server's, "" when the request was built outside a client."""
    try:
        yield
    except UnicodeEncodeError as error:
        bad = error.object[error.start:error.end] if isinstance(error.object, str) else ""
        raise TriglotError(grpc.StatusCode.INVALID_ARGUMENT,
                           f"text is not valid Unicode: {bad!r} at character {error.start} ({error.reason}); "
                           "requests must be valid UTF-8, nothing was sent",
                           address) from None


def document(content: Content, language: str = "") -> pb.Document:
    """A Document message: a str is text for the server to split; a list of str is pre-split sentences; a File
    (see `file`) is a document whose text the server extracts first."""
    return fill_document(pb.Document(), content, language)


def fill_document(message: pb.Document, content: Content, language: str = "") -> pb.Document:
    """`document(content, language)` written into `message` (a request's field) and returned: a message given to
    a request's constructor is copied, and a book's sentences are tens of thousands of strings."""
    if isinstance(content, (bytes, bytearray)):
        raise TypeError("give a file's bytes as triglot.client.file(data, media_type, name)")
    with valid_unicode():
        if isinstance(content, str):
            message.text = content
        elif isinstance(content, pb.File):
            message.file.CopyFrom(content)
        else:
            message.sentences.items.extend(content)
        message.language = language
    return message


def file(data: bytes, media_type: str = "", name: str = "") -> pb.File:
    """A document as a file's bytes: an HTML page, a PDF, a .docx or plain text in any common encoding.
    `media_type` ("text/html", "application/pdf", ..., or "text/plain; charset=gb18030") overrides what the server
    recognises from the content; `name` is used in error messages."""
    return pb.File(data=bytes(data), media_type=media_type, name=name)


def version(content: Content, language: str = "", name: str = "") -> pb.Version:
    """A Version for compare: a document (text, or pre-split sentences), its language (empty: detected) and a name
    (empty: its language code)."""
    with valid_unicode():
        return pb.Version(name=name, document=document(content, language))


def channel_options(retries: bool = True) -> list[tuple[str, Any]]:
    """The channel options the client uses: message sizes, reconnect backoff, balancing over healthy backends and
    (with retries) the retry policy."""
    options = list(CHANNEL_OPTIONS)
    options.append(("grpc.enable_retries", 1 if retries else 0))
    options.append(("grpc.service_config", json.dumps(SERVICE_CONFIG if retries else BALANCING_CONFIG)))
    return options


class TriglotClient:
    """A connection to one triglot server. Thread-safe; close it (or use `with`) when done.

    `root_certificates` (PEM) makes the channel TLS; `private_key` and `certificate_chain` (PEM) add a client
    certificate (mutual TLS); `server_name` overrides the name the server's certificate is checked against (for a
    certificate issued to a name other than the address's host). `token` is sent as `authorization: Bearer <token>`
    on every call. `retries=False` sends every call once (see the module docstring for what retries promise).
    `wait_when_busy=True` sends a call again, until its deadline, while the server answers "server busy"
    (RESOURCE_EXHAUSTED). `options` are extra gRPC channel options.

    `address` is any gRPC target: "host:port", "dns:///triglot.internal:50051" (every address the name resolves
    to, e.g. a Kubernetes headless Service), "ipv4:127.0.0.1:5001,127.0.0.1:5002" (a fixed list). Calls are spread
    round robin over the backends whose health service says SERVING (see BALANCING_CONFIG)."""

    def __init__(self, address: str = DEFAULT_ADDRESS, timeout: float = DEFAULT_TIMEOUT, *,
                 root_certificates: bytes | None = None, private_key: bytes | None = None,
                 certificate_chain: bytes | None = None, token: str | None = None, retries: bool = True,
                 server_name: str | None = None, options: Sequence[tuple[str, Any]] = (),
                 wait_when_busy: bool = False) -> None:
        if (private_key is None) != (certificate_chain is None):
            raise ValueError("mutual TLS needs both private_key and certificate_chain")
        if private_key is not None and root_certificates is None:
            raise ValueError("a client certificate (mutual TLS) needs root_certificates to verify the server")
        if token is not None and (not token.strip() or any(c in token for c in "\r\n")):
            raise ValueError("token is empty or contains a line break")
        self.address = address
        self.timeout = timeout
        self.retries = retries
        self.wait_when_busy = wait_when_busy
        options = channel_options(retries) + list(options)
        if root_certificates is None:
            if server_name is not None:
                raise ValueError("server_name applies to TLS only: give root_certificates")
            self._channel = grpc.insecure_channel(address, options=options)
        else:
            if server_name is not None:
                options.append(("grpc.ssl_target_name_override", server_name))
            credentials = grpc.ssl_channel_credentials(root_certificates, private_key, certificate_chain)
            self._channel = grpc.secure_channel(address, credentials, options=options)
        self._metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token.strip()}"),) \
            if token is not None else ()
        # Whether the channel has ever been connected: from then on a call waits for the server to come back.
        self._connected = threading.Event()
        self._channel.subscribe(self._on_state)
        self._stub = triglot_pb2_grpc.TriglotStub(self._channel)

    def _on_state(self, state: grpc.ChannelConnectivity) -> None:
        if state == grpc.ChannelConnectivity.READY and not self._connected.is_set():
            self._connected.set()
            self._channel.unsubscribe(self._on_state)  # known for good: lets gRPC's polling thread end

    def _sends(self, timeout: float | None) -> _Sends:
        return _Sends(self, self.timeout if timeout is None else timeout)

    def _call(self, method: grpc.UnaryUnaryMultiCallable, request: object, timeout: float | None) -> Any:
        sends = self._sends(timeout)
        for remaining, wait in sends:
            try:
                return method(request, timeout=remaining, metadata=self._metadata, wait_for_ready=wait)
            except grpc.RpcError as error:  # every RpcError raised by a unary call is also a grpc.Call
                sends.again_or_raise(error)
        raise AssertionError("unreachable")

    def translate(self, content: Content, target: str, *, source: str = "",
                  timeout: float | None = None) -> pb.TranslateResponse:
        """Translate every sentence of a document into `target`; `source` is detected when empty."""
        with valid_unicode(self.address):
            request = pb.TranslateRequest(document=document(content, source), target_language=target)
        return self._call(self._stub.Translate, request, timeout)

    def translate_stream(self, content: Content, target: str, *, source: str = "",
                         timeout: float | None = None) -> Iterator[pb.TranslateStreamResponse]:
        """translate, streamed: yields TranslateStreamResponse messages (the next pairs in order, done/total; the
        first also carries the languages, route, models and signature) as the server finishes each chunk.
        Closing the generator early cancels the call, and the server stops translating.

        On UNAVAILABLE mid-stream (a server restart) the call is resent and resumes where it stopped: the pairs
        already yielded are skipped, so each pair arrives exactly once, in order. Translation is deterministic
        for given models; if the restarted server translates with other models (another signature), the stream
        ends with ABORTED rather than mix the two."""
        with valid_unicode(self.address):
            request = pb.TranslateRequest(document=document(content, source), target_language=target)
        sends = self._sends(timeout)
        delivered = 0  # pairs yielded so far, over every send
        signature: str | None = None  # of the first send: a resumed stream must match it
        for remaining, wait in sends:
            call = self._stub.TranslateStream(request, timeout=remaining, metadata=self._metadata,
                                              wait_for_ready=wait)
            try:
                for message in call:
                    if message.signature:  # the first message of this send
                        if signature is None:
                            signature = message.signature
                        elif message.signature != signature:
                            raise TriglotError(grpc.StatusCode.ABORTED, "the server restarted with other models in "
                                               f"the middle of the stream ({signature} before, {message.signature} "
                                               "now): translate the document again", self.address)
                    skip = delivered - (message.done - len(message.pairs))  # pairs this message repeats
                    if skip < 0:
                        raise TriglotError(grpc.StatusCode.INTERNAL, f"the stream jumped from pair {delivered} to "
                                           f"{message.done - len(message.pairs)}", self.address)
                    if skip >= len(message.pairs):
                        continue
                    if delivered:  # a resumed stream: the caller already has the first message's metadata
                        for name in ("source_language", "target_language", "route", "models", "signature"):
                            message.ClearField(name)
                    if skip > 0:
                        del message.pairs[:skip]
                    delivered = message.done
                    yield message
                return
            except grpc.RpcError as error:  # a streaming call's error is also a grpc.Call
                sends.again_or_raise(error)
            finally:
                call.cancel()  # a no-op once the stream has ended; stops the server's work if the caller stopped

    def align(self, source: Content, target: Content, *, source_language: str = "", target_language: str = "",
              source_translations: Sequence[str] | None = None, target_translations: Sequence[str] | None = None,
              timeout: float | None = None) -> pb.AlignResponse:
        """Align the sentences of two documents into beads. Translations, when given, are one per sentence."""
        with valid_unicode(self.address):
            request = pb.AlignRequest(source_translations=list(source_translations or ()),
                                      target_translations=list(target_translations or ()))
            fill_document(request.source, source, source_language)
            fill_document(request.target, target, target_language)
        return self._call(self._stub.Align, request, timeout)

    def detect_language(self, text: str, *, timeout: float | None = None) -> tuple[str, float]:
        """The language code ("en", "zh" or "ar") of a text and the confidence in [0, 1]."""
        with valid_unicode(self.address):
            request = pb.DetectLanguageRequest(text=text)
        response = self._call(self._stub.DetectLanguage, request, timeout)
        return response.language, response.confidence

    def extract(self, content: pb.File, *, timeout: float | None = None) -> pb.ExtractResponse:
        """The text the server reads from a file (see `file`): what align/compare/translate would split."""
        return self._call(self._stub.Extract, pb.ExtractRequest(file=content), timeout)

    def list_languages(self, *, timeout: float | None = None) -> pb.ListLanguagesResponse:
        """Supported languages and installed translation pairs (with the pivot of indirect ones)."""
        return self._call(self._stub.ListLanguages, pb.ListLanguagesRequest(), timeout)

    def compare(self, versions: Sequence[pb.Version], *, pivot_language: str = "", gloss_language: str = "",
                timeout: float | None = None) -> pb.CompareResponse:
        """Two or more versions of one document (see `version`) side by side in rows, with the findings where they
        diverge. The pivot defaults to the Chinese version (else the first); glosses default to English."""
        with valid_unicode(self.address):
            request = pb.CompareRequest(versions=list(versions), pivot_language=pivot_language,
                                        gloss_language=gloss_language)
        return self._call(self._stub.Compare, request, timeout)

    def compare_stream(self, versions: Sequence[pb.Version], *, pivot_language: str = "", gloss_language: str = "",
                       on_progress: Callable[[pb.CompareProgress], None] | None = None,
                       timeout: float | None = None) -> pb.CompareResponse:
        """compare, with `on_progress(CompareProgress)` called as the server works (stage, done, total). Resent
        whole on UNAVAILABLE (progress starts over)."""
        with valid_unicode(self.address):
            request = pb.CompareRequest(versions=list(versions), pivot_language=pivot_language,
                                        gloss_language=gloss_language)
        sends = self._sends(timeout)
        for remaining, wait in sends:
            result: pb.CompareResponse | None = None
            call = self._stub.CompareStream(request, timeout=remaining, metadata=self._metadata,
                                            wait_for_ready=wait)
            try:
                for event in call:
                    if event.HasField("progress"):
                        if on_progress is not None:
                            on_progress(event.progress)
                    elif event.HasField("result"):
                        result = event.result
            except grpc.RpcError as error:  # a streaming call's error is also a grpc.Call
                sends.again_or_raise(error)
                continue
            finally:
                call.cancel()
            if result is None:
                raise TriglotError(grpc.StatusCode.INTERNAL, "the server ended the stream without a result",
                                   self.address)
            return result
        raise AssertionError("unreachable")

    def close(self, wait: bool = True) -> None:
        """Close the channel. `wait=False` returns at once and closes it on a daemon thread: for a process that
        ends right after (the CLI), which would otherwise spend up to 0.2 s here after a short call."""
        self._channel.unsubscribe(self._on_state)
        if wait:
            self._close_channel()
        else:
            threading.Thread(target=self._close_channel, name="triglot-close", daemon=True).start()

    def _close_channel(self) -> None:
        # gRPC's connectivity polling thread ends within 0.2 s of the last unsubscribe (its watch of the channel
        # times out; closing the channel waits for that watch anyway); closing the channel before then makes that
        # thread raise "Cannot monitor channel state: Channel closed!" (a traceback on stderr). There is no public
        # way to wait for it, so this reads gRPC's own flag, and gives up after a second.
        state = getattr(self._channel, "_connectivity_state", None)
        deadline = time.monotonic() + 1.0
        while getattr(state, "polling", False) and time.monotonic() < deadline:
            time.sleep(0.01)
        self._channel.close()

    def __enter__(self) -> TriglotClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


class _Sends:
    """The sends of one call: its deadline, the backoff between sends and the last retryable failure.
    Iterating yields (seconds left, wait_for_ready) for each send; the caller returns on success and calls
    `again_or_raise(error)` after a failure. Between sends: jittered exponential backoff, never past the deadline."""

    def __init__(self, client: TriglotClient, timeout: float) -> None:
        self.client = client
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.last: grpc.RpcError | None = None  # the last failure that was retried

    def __iter__(self) -> Iterator[tuple[float, bool]]:
        backoff = RESEND_FIRST_BACKOFF
        while True:
            yield max(self.deadline - time.monotonic(), 0.0), self.client._connected.is_set()
            pause = min(backoff * random.uniform(0.5, 1.0), self.deadline - time.monotonic())
            if pause > 0:
                time.sleep(pause)
            backoff = min(backoff * 2, RESEND_MAX_BACKOFF)

    def again_or_raise(self, error: grpc.RpcError) -> None:
        """Return to send again — retries on, a retryable code, time left, and only once the client has been
        connected (a server that was never reached is reported at once: wrong address, or not running); or a
        "server busy" answer with wait_when_busy and time left — else raise the TriglotError for `error`."""
        if UNHEALTHY in (error.details() or ""):  # type: ignore[attr-defined]
            self.client._connected.set()  # a server answered (its health service): wait for it like a connected one
        retryable = self.client.retries and error.code() in RETRYABLE  # type: ignore[attr-defined]
        # A busy server has answered, so it is there, whether or not the channel has reported READY yet.
        if not ((self._busy(error) or retryable and self.client._connected.is_set())
                and self.deadline - time.monotonic() > RESEND_FIRST_BACKOFF):
            raise self.failure(error) from None
        self.last = error

    def _busy(self, error: grpc.RpcError) -> bool:
        """A "server busy" answer that this client waits out (wait_when_busy)."""
        return (self.client.wait_when_busy and error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED  # type: ignore
                and (error.details() or "").startswith(BUSY_MESSAGE))  # type: ignore[attr-defined]

    def failure(self, error: grpc.RpcError) -> TriglotError:
        """The error to raise. A deadline that ran out while the server stayed unavailable is reported as
        UNAVAILABLE with the server's last word (say, "still loading models"): that is the cause, and the fix."""
        code, details, retried = error.code(), error.details() or "", ""  # type: ignore[attr-defined]
        if code in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED, *RETRYABLE) \
                and self.last is not None:
            last: Any = self.last
            code, details = last.code(), last.details() or ""
            retried = f" (retried for {self.timeout:g} s, until the deadline)"
        if UNHEALTHY in details:  # gRPC's own words name no cause a user can act on
            details = NOT_READY_MESSAGE.format(address=self.client.address)
        return TriglotError(code, details + retried, self.client.address)
