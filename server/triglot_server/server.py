"""Build and run the gRPC server: the Triglot service, grpc.health.v1 and server reflection.

Start-up order (why): the port is bound and health answers NOT_SERVING first, so an orchestrator sees a live but
not-ready server; the models load next (Triglot RPCs answer UNAVAILABLE meanwhile); then health turns SERVING.
The default listen address is loopback: plaintext is never exposed to other machines unless asked for.
"""
from __future__ import annotations

import logging
import signal
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from triglot.v1 import triglot_pb2_grpc
from triglot_server import limits
from triglot_server.service import SERVICE_NAME, TriglotServicer

log = logging.getLogger(__name__)

DEFAULT_LISTEN = "127.0.0.1:50051"
SHUTDOWN_GRACE_SECONDS = 5.0


class ListenError(Exception):
    """The server could not bind its listen address."""


@dataclass
class RunningServer:
    server: grpc.Server
    address: str  # host:port actually bound (port 0 resolved)
    servicer: TriglotServicer
    health: health.HealthServicer

    def set_serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", SERVICE_NAME):  # "" is the whole server, as grpc_health_probe asks by default
            self.health.set(name, status)

    def stop(self, grace: float | None = SHUTDOWN_GRACE_SECONDS) -> None:
        self.set_serving(False)
        self.server.stop(grace).wait()


def start_server(listen: str = DEFAULT_LISTEN, *, max_workers: int = limits.WORKER_THREADS) -> RunningServer:
    """Bind `listen` ("HOST:PORT", port 0 picks a free one) and start serving; health says NOT_SERVING until
    load_models() has run."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="triglot-rpc"),
                         options=limits.CHANNEL_OPTIONS)
    servicer = TriglotServicer()
    triglot_pb2_grpc.add_TriglotServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME), server)
    try:
        port = server.add_insecure_port(listen)
    except RuntimeError:  # grpc raises RuntimeError("Failed to bind to address ...") and says no more
        raise ListenError(f"cannot listen on {listen}: the port is in use or the address is not on this machine") \
            from None
    host = listen.rpartition(":")[0]
    running = RunningServer(server, f"{host}:{port}", servicer, health_servicer)
    running.set_serving(False)
    server.start()
    return running


def load_models(running: RunningServer, model_dir: Path) -> int:
    """Load every installed translation package and warm the dictionaries, then report SERVING.

    Returns the number of translation routes. Imported here, not at module level, so that binding the port
    comes first and `triglot serve --help` stays fast.
    """
    from triglot_server.engine import lexicon
    from triglot_server.engine.translation import TranslationEngine

    translator = TranslationEngine(model_dir)
    # The first use of each language's dictionary prepares it (seconds on a first run): pay that before SERVING,
    # not in the first caller's Align.
    for sample, language in (("Beijing, 9 March", "en"), ("北京3月9日", "zh"), ("بغداد ٩ مارس", "ar")):
        lexicon.sentence_keys(sample, language)
    running.servicer.translator = translator
    running.set_serving(True)
    return len(translator.routes())


def serve(listen: str, model_dir: Path, *, on_ready: Callable[[str], None] | None = None,
          on_listening: Callable[[str], None] | None = None) -> None:
    """Run until SIGINT/SIGTERM: turn health NOT_SERVING, let in-flight calls finish (grace period), return."""
    running = start_server(listen)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if on_listening:
            on_listening(running.address)
        routes = load_models(running, model_dir)
        log.info("serving on %s with %d translation routes from %s", running.address, routes, model_dir)
        if on_ready:
            on_ready(f"{running.address} ({routes} translation routes from {model_dir})")
        stop.wait()
    finally:
        running.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
