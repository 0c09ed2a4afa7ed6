"""Build and run the gRPC server: the Triglot service, grpc.health.v1 and server reflection.

Start-up order (why): the port is bound and health answers NOT_SERVING first, so an orchestrator sees a live but
not-ready server; the models load next (Triglot RPCs answer UNAVAILABLE meanwhile); then health turns SERVING.
The default listen address is loopback: plaintext is never exposed to other machines unless asked for
(security.check_listen).

Interceptors, outermost first (why this order):
1. observability.CallLog — logs and counts every call, including those refused by the ones below;
2. the shutdown gate — once shutdown begins, new calls (except health) are refused UNAVAILABLE, so clients retry
   elsewhere, while health keeps answering NOT_SERVING;
3. security.TokenAuth (when tokens are configured) — UNAUTHENTICATED before any work or queueing;
4. service.MalformedRequests — bytes that are not a valid request message are INVALID_ARGUMENT (logged, counted);
5. admission.AdmissionControl — bounds running and queued heavy calls (RESOURCE_EXHAUSTED beyond).

SIGHUP reloads the model directory (packages installed or replaced since start-up); calls running finish with the
models they started with.

Graceful shutdown (stop()/SIGTERM/SIGINT): the gate closes (new calls refused) and health turns NOT_SERVING; calls
already running get up to `grace` seconds to finish; then the server stops, cancelling any still running (and ending
health Watch streams).
"""
from __future__ import annotations

import errno
import gc
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from triglot.client import DEFAULT_ADDRESS
from triglot.v1 import triglot_pb2_grpc
from triglot_server import limits, observability, security
from triglot_server.admission import AdmissionControl
from triglot_server.service import SERVICE_NAME, MalformedRequests, TriglotServicer

log = logging.getLogger(__name__)

DEFAULT_LISTEN = DEFAULT_ADDRESS  # where clients look by default
SHUTDOWN_GRACE_SECONDS = 30.0  # in-flight calls get this long after SIGTERM (Kubernetes' default grace is 30 s)
SHUTTING_DOWN_MESSAGE = "the triglot server is shutting down; retry (another replica, or after the restart)"


class ListenError(Exception):
    """The server could not bind its listen address (or may not: plaintext on a public address)."""


class ShutdownGate(grpc.ServerInterceptor):
    """Counts calls from the start of their body until they terminate and, once closed, refuses new ones with
    UNAVAILABLE (health excepted, so probes keep seeing NOT_SERVING): the drain step of a graceful shutdown."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._running = 0
        self._closed = False

    @property
    def running(self) -> int:
        return self._running

    def _enter(self, context: grpc.ServicerContext) -> observability.Finish:
        with self._lock:
            closed = self._closed
            if not closed:
                self._running += 1
        if closed:
            context.abort(grpc.StatusCode.UNAVAILABLE, SHUTTING_DOWN_MESSAGE)
        # Counted until the call has terminated (its response and status sent), not merely until its body returned:
        # stopping the server in between would cancel a finished answer on its way out.
        if not context.add_callback(self._leave):
            self._leave()  # already terminated
        return lambda _code: None

    def _leave(self) -> None:
        with self._lock:
            self._running -= 1
            self._lock.notify_all()

    def close(self) -> None:
        """Refuse new calls from now on."""
        with self._lock:
            self._closed = True

    def wait(self, timeout: float | None, interrupt: threading.Event | None = None) -> int:
        """Wait up to `timeout` s (None or 0: no wait) for running calls to end, or until `interrupt` is set;
        returns how many still run."""
        deadline = time.monotonic() + (timeout or 0)
        with self._lock:
            # Short waits, so that `interrupt` (a second signal) is noticed soon.
            while self._running and (left := deadline - time.monotonic()) > 0 \
                    and not (interrupt and interrupt.is_set()):
                self._lock.wait(min(left, 0.1))
            return self._running

    def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
                          details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        handler = continuation(details)
        if handler is None or security.service_of(details.method) == security.HEALTH_SERVICE:
            return handler
        return observability.instrument(handler, self._enter)


@dataclass
class RunningServer:
    server: grpc.Server
    address: str  # host:port actually bound (port 0 resolved)
    servicer: TriglotServicer
    health: health.HealthServicer
    gate: ShutdownGate = field(default_factory=ShutdownGate)
    admission: AdmissionControl | None = None
    metrics: observability.Metrics | None = None
    metrics_address: str | None = None  # host:port of /metrics, when exposed
    tls: bool = False
    _stopped: bool = False

    def set_serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", SERVICE_NAME):  # "" is the whole server, as grpc_health_probe asks by default
            self.health.set(name, status)
        if self.metrics:
            self.metrics.model_state.set(1 if serving else 0)

    def stop(self, grace: float | None = SHUTDOWN_GRACE_SECONDS, interrupt: threading.Event | None = None) -> int:
        """Graceful stop: refuse new calls, health NOT_SERVING, wait up to `grace` s for running calls (or until
        `interrupt` is set), stop. Returns how many calls were still running, and so cancelled, at the end."""
        if self._stopped:
            return 0
        self._stopped = True
        # Close first, then NOT_SERVING: a client that sees NOT_SERVING and calls again is refused, never admitted.
        self.gate.close()
        self.health.enter_graceful_shutdown()  # NOT_SERVING for every service name, and stays so
        if self.metrics:
            self.metrics.model_state.set(2)
        left = self.gate.wait(grace, interrupt)
        if left:
            why = "stop forced" if interrupt and interrupt.is_set() else f"grace period of {grace or 0:g} s over"
            log.warning("%s: cancelling %d calls still running", why, left)
        self.server.stop(None).wait()
        if self.metrics:
            self.metrics.close()
        return left


def _check_address(listen: str) -> None:
    """ListenError unless `listen` is HOST:PORT (a port number 0-65535) or a unix: address."""
    if listen.startswith(("unix:", "unix-abstract:")):
        return
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535 or "/" in listen:
        raise ListenError(f"cannot listen on {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:50051, [::1]:50051 or "
                          "0.0.0.0:50051 (port 0 picks a free port)")


def _bind_failure(listen: str, tls: bool) -> str:
    """Why gRPC could not bind `listen`, found by binding it ourselves (gRPC does not say)."""
    host, _, port = listen.rpartition(":")
    try:
        infos = socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.bind(infos[0][4])
    except socket.gaierror:
        return f"cannot resolve the host {host!r}"
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return "address already in use (is another triglot server running on it?)"
        return error.strerror or str(error)
    return "the TLS certificate and key are unusable" if tls else "gRPC refused the address"


def start_server(listen: str = DEFAULT_LISTEN, *, max_workers: int | None = None, heavy_workers: int | None = None,
                 max_queue: int | None = None, tls: security.TlsConfig | None = None,
                 tokens: security.TokenSet | None = None, metrics_port: int | None = None,
                 metrics_host: str = "127.0.0.1", insecure_listen: bool = False,
                 max_call_seconds: float | None = None, max_connection_idle: float | None = None,
                 max_connection_age: float | None = None) -> RunningServer:
    """Bind `listen` ("HOST:PORT", port 0 picks a free one) and start serving; health says NOT_SERVING until
    load_models() has run.

    heavy_workers/max_queue: admission control (defaults in limits). max_workers: gRPC threads, by default
    heavy_workers + max_queue + limits.CHEAP_THREADS, so cheap RPCs always find a thread. tls: serve TLS (mutual when
    it has a client CA). tokens: require a bearer token (health excepted). metrics_port: expose Prometheus /metrics
    on metrics_host:metrics_port (0 picks a free port). insecure_listen: allow plaintext on a non-loopback address.
    max_call_seconds: the bound of a heavy call without a deadline; max_connection_idle/max_connection_age:
    connection lifetimes in seconds (defaults and why: limits).
    """
    _check_address(listen)
    try:
        security.check_listen(listen, tls, insecure_listen)
    except security.SecurityError as error:
        raise ListenError(str(error)) from None
    heavy_workers = limits.HEAVY_WORKERS if heavy_workers is None else heavy_workers
    max_queue = limits.MAX_QUEUED if max_queue is None else max_queue
    max_call_seconds = limits.MAX_CALL_SECONDS if max_call_seconds is None else max_call_seconds
    admission = AdmissionControl(heavy_workers, max_queue, max_call_seconds)
    needed = heavy_workers + max_queue + 1  # every running or waiting heavy call holds a thread; one left for cheap
    if max_workers is None:
        max_workers = heavy_workers + max_queue + limits.CHEAP_THREADS
    elif max_workers < needed:
        raise ValueError(f"max_workers={max_workers} leaves no thread for cheap RPCs: give at least {needed} "
                         f"(heavy_workers + max_queue + 1)")

    metrics = observability.Metrics() if metrics_port is not None else None
    if metrics:
        metrics.watch_admission(admission)
    gate = ShutdownGate()
    interceptors: list[grpc.ServerInterceptor] = [observability.CallLog(metrics), gate]
    if tokens is not None:
        interceptors.append(security.TokenAuth(tokens))
    interceptors += [MalformedRequests(), admission]

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="triglot-rpc"),
                         interceptors=interceptors, options=limits.server_options(
                             limits.MAX_CONNECTION_IDLE if max_connection_idle is None else max_connection_idle,
                             limits.MAX_CONNECTION_AGE if max_connection_age is None else max_connection_age,
                             max_call_seconds))
    servicer = TriglotServicer()
    triglot_pb2_grpc.add_TriglotServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((SERVICE_NAME, security.HEALTH_SERVICE, reflection.SERVICE_NAME), server)
    try:
        if tls is not None:
            port = server.add_secure_port(listen, tls.server_credentials())
        else:
            port = server.add_insecure_port(listen)
    except RuntimeError:  # grpc raises RuntimeError("Failed to bind to address ...") and says no more
        raise ListenError(f"cannot listen on {listen}: {_bind_failure(listen, tls is not None)}") from None
    except security.SecurityError as error:
        raise ListenError(str(error)) from None
    host = listen.rpartition(":")[0]
    running = RunningServer(server, f"{host}:{port}", servicer, health_servicer, gate=gate, admission=admission,
                            metrics=metrics, tls=tls is not None)
    running.set_serving(False)
    if metrics is not None:
        try:
            running.metrics_address = metrics.serve_http(metrics_port or 0, metrics_host)
        except OSError as error:
            server.stop(None)
            raise ListenError(f"cannot serve metrics on {metrics_host}:{metrics_port}: {error.strerror}") from None
    server.start()
    return running


def load_models(running: RunningServer, model_dir: Path, settings: dict[str, object] | None = None) -> int:
    """Load every installed translation package and warm the dictionaries, then report SERVING.

    Returns the number of translation routes. Imported here, not at module level, so that binding the port
    comes first and `triglot serve --help` stays fast.
    """
    from triglot_server.engine import alignment, comparison, languages, lexicon

    routes = reload_models(running, model_dir, settings)
    # The first use of each language's dictionary prepares it (seconds on a first run): pay that before SERVING,
    # not in the first caller's Align.
    for sample, language in (("Beijing, 9 March", "en"), ("北京3月9日", "zh"), ("بغداد ٩ مارس", "ar")):
        lexicon.sentence_keys(sample, language)
    languages.warm_up()  # the language identifiers, which every document with text is checked by
    alignment.warm_up()  # loads the aligner's compiled kernels, so the first Align is not the slow one
    comparison.warm_up()  # the name, qualifier and phrase tables, so the first Compare is not the slow one
    # What is loaded by now (~560k objects: tables, compiled kernels) lives as long as the server: kept out of the
    # garbage collector's full collections, which a large request sets off several times (each walked all of it,
    # ~0.2 s). Freed objects are still freed; only cycles among them would stay.
    gc.freeze()
    running.set_serving(True)
    return routes


def reload_models(running: RunningServer, model_dir: Path, settings: dict[str, object] | None = None) -> int:
    """Load the packages installed in model_dir now and serve them from the next call on (calls running keep the
    engine they started with). Returns the number of translation routes."""
    from triglot_server.engine.translation import TranslationEngine

    translator = TranslationEngine(model_dir, **(settings or {}))  # settings: engine/translation.py's table
    running.servicer.translator = translator
    routes = len(translator.routes())
    if running.metrics:
        running.metrics.routes.set(routes)
    return routes


MMAP_THRESHOLD = 256 * 1024  # bytes: blocks from this size up are mapped on their own, and unmapped when freed


def return_freed_memory() -> None:
    """Fix glibc's mmap threshold. By default it grows to the largest block freed so far (up to 32 MiB), after which
    the aligner's big numpy temporaries come from the heap, whose freed space the process keeps: after one long
    book a server stayed hundreds of MB above what it used. A fixed threshold keeps those blocks mapped on their
    own, so freeing one gives it back. No-op where the C library is not glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, MMAP_THRESHOLD)  # -3: M_MMAP_THRESHOLD (malloc.h)
    except (OSError, AttributeError):
        pass


def serve(listen: str, model_dir: Path, *, on_ready: Callable[[str], None] | None = None,
          on_listening: Callable[[str], None] | None = None, grace: float = SHUTDOWN_GRACE_SECONDS,
          translation_settings: dict[str, object] | None = None, **options: Any) -> int:
    """Run until SIGINT/SIGTERM, then shut down gracefully (see RunningServer.stop). `options` go to start_server,
    `translation_settings` to the TranslationEngine. Returns how many calls had to be cancelled at the end of the
    grace period."""
    stop, force, reload = threading.Event(), threading.Event(), threading.Event()

    def on_signal(*_: Any) -> None:  # the first signal starts a graceful stop, a second one cuts it short
        (force if stop.is_set() else stop).set()

    from triglot_server.engine.alignment import keys

    return_freed_memory()
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, lambda *_: reload.set())  # models installed since
    try:
        running = start_server(listen, **options)
        try:
            if on_listening:
                on_listening(running.address)
            keys.start_worker()  # a second core for the aligner's key extraction, for as long as this server runs
            routes = load_models(running, model_dir, translation_settings)
            log.info("serving on %s (%s%s) with %d translation routes from %s", running.address,
                     "mutual TLS" if options.get("tls") and options["tls"].mutual else
                     "TLS" if running.tls else "plaintext",
                     ", token auth" if options.get("tokens") else "", routes, model_dir)
            if not running.tls and not security.is_loopback(listen):
                log.warning("plaintext on %s (--insecure-listen): documents and tokens cross the network unencrypted",
                            listen)
            if running.metrics_address:
                log.info("metrics on http://%s/metrics", running.metrics_address)
            if on_ready:
                on_ready(f"{running.address} ({routes} translation routes from {model_dir})")
            # Short waits, not one long one: a signal may land on one of gRPC's threads, and Python runs its handler
            # in the main thread only once that thread is back in the interpreter.
            while not stop.wait(0.2):
                if reload.is_set():
                    reload.clear()
                    routes = reload_models(running, model_dir, translation_settings)
                    log.info("reloaded models (SIGHUP): %d translation routes from %s", routes, model_dir)
            log.info("shutting down: refusing new calls; %d running get up to %g s to finish (signal again to "
                     "stop now)", running.gate.running, grace)
        finally:
            left = running.stop(grace, force)
            keys.stop_worker()
        log.info("stopped")
        return left
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
