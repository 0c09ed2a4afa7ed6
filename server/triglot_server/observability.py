"""What the server tells its operators: one structured log line per call, and Prometheus metrics.

Log line (logger "triglot.access", INFO; health checks at DEBUG so probes do not flood the log):
    call method=triglot.v1.Triglot/Align code=OK duration_ms=41.2 request_bytes=5120 response_bytes=9001 \
peer=ipv4:127.0.0.1:53412
or the same fields as one JSON object with `--log-format json`. Never the text of a request, never metadata (tokens).
Streaming calls are logged when they end, with their final code (CANCELLED when the caller left).

Metrics (own registry, served over HTTP on a separate port, loopback by default):
    triglot_calls_total{method,code}          calls finished, by final status code (rejected calls included)
    triglot_call_duration_seconds{method}     latency histogram
    triglot_calls_in_flight                   calls running now
    triglot_heavy_queued / triglot_heavy_active   calls waiting for / holding a heavy worker (admission control)
    triglot_model_state                       0 loading models, 1 serving, 2 shutting down
    triglot_translation_routes                translation routes loaded
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from triglot_server.security import HEALTH_SERVICE, service_of

access_log = logging.getLogger("triglot.access")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
QUIET_SERVICES = frozenset({HEALTH_SERVICE})  # logged at DEBUG (still counted)

Finish = Callable[[grpc.StatusCode], None]


def method_label(method: str) -> str:
    """"/triglot.v1.Triglot/Align" -> "triglot.v1.Triglot/Align"."""
    return method.lstrip("/")


def ended_early_code(context: grpc.ServicerContext) -> grpc.StatusCode:
    """The status of a call its caller has left: DEADLINE_EXCEEDED once its deadline has passed, else CANCELLED."""
    remaining = context.time_remaining()
    return grpc.StatusCode.DEADLINE_EXCEEDED if remaining is not None and remaining <= 0 else grpc.StatusCode.CANCELLED


def final_code(context: grpc.ServicerContext, error: BaseException | None) -> grpc.StatusCode:
    """The status a call ended with: the one set/aborted with, else what gRPC sends for how the body ended."""
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code
    if not context.is_active():  # the caller cancelled, or its deadline passed
        return ended_early_code(context)
    return grpc.StatusCode.UNKNOWN if error is not None else grpc.StatusCode.OK


def instrument(handler: grpc.RpcMethodHandler,
               on_start: Callable[[grpc.ServicerContext], Finish]) -> grpc.RpcMethodHandler:
    """`handler` with `on_start(context)` run as each call's body begins (it may abort the call) and the Finish it
    returns called once with the final code when the call ends — for a streaming response, when the stream ends.
    Non-blocking behaviours (health Watch) are returned as they are: wrapping would make them hold a thread."""
    if handler.unary_unary:
        kind, behavior = grpc.unary_unary_rpc_method_handler, handler.unary_unary
    elif handler.unary_stream:
        kind, behavior = grpc.unary_stream_rpc_method_handler, handler.unary_stream
    elif handler.stream_unary:
        kind, behavior = grpc.stream_unary_rpc_method_handler, handler.stream_unary
    else:
        kind, behavior = grpc.stream_stream_rpc_method_handler, handler.stream_stream
    if getattr(behavior, "experimental_non_blocking", False):
        return handler

    def unary(request: Any, context: grpc.ServicerContext) -> Any:
        finish = on_start(context)
        error: BaseException | None = None
        try:
            return behavior(request, context)
        except BaseException as caught:
            error = caught
            raise
        finally:
            finish(final_code(context, error))

    def streaming(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        finish = on_start(context)
        error: BaseException | None = None
        try:
            yield from behavior(request, context)
        except GeneratorExit:  # the server stopped iterating: the caller went away
            raise
        except BaseException as caught:
            error = caught
            raise
        finally:
            finish(final_code(context, error))

    return kind(streaming if handler.response_streaming else unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)


class Metrics:
    """The server's Prometheus metrics, in a registry of their own (several servers may share one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.calls = Counter("triglot_calls", "RPCs finished, by method and final status code",
                             ("method", "code"), registry=self.registry)
        self.latency = Histogram("triglot_call_duration_seconds", "RPC duration, by method", ("method",),
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.in_flight = Gauge("triglot_calls_in_flight", "RPCs running now", registry=self.registry)
        self.queued = Gauge("triglot_heavy_queued", "heavy calls waiting for a worker", registry=self.registry)
        self.active = Gauge("triglot_heavy_active", "heavy calls running on a worker", registry=self.registry)
        self.model_state = Gauge("triglot_model_state", "0 loading models, 1 serving, 2 shutting down",
                                 registry=self.registry)
        self.routes = Gauge("triglot_translation_routes", "translation routes loaded", registry=self.registry)
        self._http: Any = None

    def watch_admission(self, admission: Any) -> None:
        """Read queue depth and active heavy calls from an admission.AdmissionControl when scraped."""
        self.queued.set_function(lambda: admission.queued)
        self.active.set_function(lambda: admission.active)

    def serve_http(self, port: int, host: str = "127.0.0.1") -> str:
        """Expose /metrics on host:port (0 picks a free port); returns "host:port" actually bound."""
        self._http, _thread = start_http_server(port, addr=host, registry=self.registry)
        return f"{host}:{self._http.server_address[1]}"

    def close(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None


class CallLog(grpc.ServerInterceptor):
    """Outermost interceptor: logs and counts every call, including those refused by the interceptors inside it."""

    def __init__(self, metrics: Metrics | None = None) -> None:
        self.metrics = metrics

    def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
                          details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        handler = continuation(details)
        if handler is None:
            return None
        method = method_label(details.method)
        level = logging.DEBUG if service_of(method) in QUIET_SERVICES else logging.INFO
        sizes = {"request_bytes": 0, "response_bytes": 0}  # per call: intercept_service runs once per call
        handler = _count_bytes(handler, sizes)

        def on_start(context: grpc.ServicerContext) -> Finish:
            started = time.perf_counter()
            if self.metrics:
                self.metrics.in_flight.inc()

            def finish(code: grpc.StatusCode) -> None:
                seconds = time.perf_counter() - started
                if self.metrics:
                    self.metrics.in_flight.dec()
                    self.metrics.calls.labels(method, code.name).inc()
                    self.metrics.latency.labels(method).observe(seconds)
                fields = {"method": method, "code": code.name, "duration_ms": round(seconds * 1000, 1),
                          **sizes, "peer": context.peer()}
                access_log.log(level, "call %s", " ".join(f"{k}={v}" for k, v in fields.items()),
                               extra={"call": fields})

            return finish

        return instrument(handler, on_start)


def _count_bytes(handler: grpc.RpcMethodHandler, sizes: dict[str, int]) -> grpc.RpcMethodHandler:
    """Request sizes are measured in the deserializer (exact wire bytes, free); response sizes by ByteSize (the
    serialization itself happens after the body returns, too late for the log line) — a streamed message once gRPC
    has sent it, so a stream its caller never read logs the bytes it delivered, not those it produced."""
    decode = handler.request_deserializer

    def deserialize(data: bytes) -> Any:
        sizes["request_bytes"] += len(data)
        return decode(data) if decode else data

    def size(message: Any) -> None:
        sizes["response_bytes"] += message.ByteSize() if hasattr(message, "ByteSize") else 0

    handler = handler._replace(request_deserializer=deserialize)
    if handler.unary_unary or handler.stream_unary:
        name = "unary_unary" if handler.unary_unary else "stream_unary"
        behavior = getattr(handler, name)

        def unary(request: Any, context: grpc.ServicerContext) -> Any:
            response = behavior(request, context)
            size(response)
            return response

        return handler._replace(**{name: unary})
    name = "unary_stream" if handler.unary_stream else "stream_stream"
    behavior = getattr(handler, name)
    if getattr(behavior, "experimental_non_blocking", False):
        return handler

    def streaming(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        for message in behavior(request, context):
            yield message
            size(message)  # gRPC asks for the next message once it took this one: a stalled reader's don't count

    return handler._replace(**{name: streaming})


class JsonFormatter(logging.Formatter):
    """One JSON object a line; call records carry their fields at top level."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
                                 "level": record.levelname.lower(), "logger": record.name}
        call = getattr(record, "call", None)
        if isinstance(call, dict):
            entry["event"] = "call"
            entry.update(call)
        else:
            entry["msg"] = record.getMessage()
            if record.exc_info:
                entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Root logging for `triglot serve`: to stderr, as text or JSON lines, times in UTC."""
    handler = logging.StreamHandler()
    if fmt == "json":
        formatter: logging.Formatter = JsonFormatter()
    else:
        formatter = logging.Formatter("%(asctime)s.%(msecs)03dZ %(levelname)s %(name)s: %(message)s",
                                      "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)

