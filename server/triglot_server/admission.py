"""Admission control for CPU-heavy RPCs: a bounded number run at once, a bounded number wait, the rest are refused.

Why: translation and alignment are CPU-bound, and the machine has few cores. Running more heavy calls at once than
there are slots only makes every one of them slower and holds more documents in memory; letting an unbounded number
wait piles up memory too. So a heavy call takes one of `heavy_workers` slots; at most `max_queue` more wait for a
slot; beyond that the call is answered RESOURCE_EXHAUSTED at once ("server busy ...; retry later"), which a client
can back off from. A waiting call whose caller cancels or whose deadline passes leaves the queue at once.

Cheap RPCs (health, ListLanguages, DetectLanguage, reflection) never pass through here, so they stay fast while heavy
ones run — as long as the gRPC thread pool has threads left for them (waiting calls hold a pool thread: size the pool
above heavy_workers + max_queue, see limits.CHEAP_THREADS).

A streaming heavy call holds its slot until its stream ends (its generator is closed).
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import grpc

from triglot_server import limits
from triglot_server.observability import Finish, ended_early_code, instrument
from triglot_server.service import SERVICE_NAME

HEAVY_METHODS = frozenset(f"/{SERVICE_NAME}/{name}"
                          for name in ("Translate", "TranslateStream", "Align", "Compare", "CompareStream", "Extract"))

# How often a waiting call re-checks that its caller is still there (a termination callback also wakes it sooner).
_POLL_SECONDS = 0.25


class AdmissionControl(grpc.ServerInterceptor):
    """A grpc.ServerInterceptor bounding concurrent and queued heavy calls. `.active` and `.queued` are live counts."""

    def __init__(self, heavy_workers: int = limits.HEAVY_WORKERS, max_queue: int = limits.MAX_QUEUED) -> None:
        if heavy_workers < 1:
            raise ValueError("heavy_workers must be at least 1")
        if max_queue < 0:
            raise ValueError("max_queue must be at least 0")
        self.heavy_workers = heavy_workers
        self.max_queue = max_queue
        self.active = 0
        self.queued = 0
        self.refused = 0  # heavy calls answered RESOURCE_EXHAUSTED since start
        self._lock = threading.Condition()

    # ------------------------------------------------------------------ slots

    def _acquire(self, context: grpc.ServicerContext) -> None:
        """Take a slot, waiting in the queue if needed; aborts the call when busy or when its caller leaves."""
        with self._lock:
            if self.active < self.heavy_workers and self.queued == 0:
                self.active += 1
                return
            if self.queued >= self.max_queue:
                self.refused += 1
                message = (f"server busy: {self.active} heavy calls running and {self.queued} queued; "
                           "retry later")
            else:
                message = ""
                self.queued += 1
        if message:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, message)
        # Wake the waiters when this call ends (cancel, deadline), so it leaves the queue promptly.
        context.add_callback(self._wake)
        with self._lock:
            try:
                while self.active >= self.heavy_workers and context.is_active():
                    self._lock.wait(_POLL_SECONDS)
                if context.is_active():
                    self.active += 1
                    return
            finally:
                self.queued -= 1
        context.abort(ended_early_code(context), "the call ended while waiting for a worker")

    def _release(self) -> None:
        with self._lock:
            self.active -= 1
            self._lock.notify_all()

    def _wake(self) -> None:
        with self._lock:
            self._lock.notify_all()

    def _admit(self, context: grpc.ServicerContext) -> Finish:
        """Hold a slot from the start of the call's body until it ends (for a stream: until its generator closes)."""
        self._acquire(context)
        return lambda _code: self._release()

    def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
                          handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler_call_details.method not in HEAVY_METHODS:
            return handler
        return instrument(handler, self._admit)
