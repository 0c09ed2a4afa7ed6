"""Admission control for CPU-heavy RPCs: a bounded number run at once, a bounded number wait, the rest are refused.

Why: translation and alignment are CPU-bound, and the machine has few cores. Running more heavy calls at once than
there are slots only makes every one of them slower and holds more documents in memory; letting an unbounded number
wait piles up memory too. So a heavy call takes one of `heavy_workers` slots; at most `max_queue` more wait for a
slot; beyond that the call is answered RESOURCE_EXHAUSTED at once ("server busy ...; retry later"), which a client
can back off from. A waiting call whose caller cancels or whose deadline passes leaves the queue at once.

Cheap RPCs (health, ListLanguages, DetectLanguage, reflection) never pass through here, so they stay fast while heavy
ones run — as long as the gRPC thread pool has threads left for them (waiting calls hold a pool thread: size the pool
above heavy_workers + max_queue, see limits.CHEAP_THREADS).

A streaming heavy call holds its slot while the engine works, not while its messages wait for the caller to read
them: its messages are produced on a thread of their own into a queue that the RPC thread delivers from, and the
slot is released when production ends. So a client that stops reading (a zero HTTP/2 flow-control window, a paused
stream) holds one RPC thread and its undelivered messages, never a heavy slot.

A heavy call whose caller set no deadline gets the server's own bound (`max_call_seconds`, default
limits.MAX_CALL_SECONDS): past it the call is cancelled, which also frees the thread of a stream stuck in delivery.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import grpc

from triglot.client import BUSY_MESSAGE
from triglot_server import limits
from triglot_server.observability import Finish, ended_early_code, instrument
from triglot_server.service import SERVICE_NAME

HEAVY_METHODS = frozenset(f"/{SERVICE_NAME}/{name}"
                          for name in ("Translate", "TranslateStream", "Align", "Compare", "CompareStream", "Extract"))

log = logging.getLogger(__name__)

# time_remaining() of a call without a deadline: gRPC reports its infinite deadline as ~9.2e18 s.
_NO_DEADLINE = 1e15
_END = object()  # the end of a stream's messages


class _Failed:
    """A stream body's exception, handed from the producing thread to the delivering one."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


# How often a waiting call re-checks that its caller is still there (a termination callback also wakes it sooner).
_POLL_SECONDS = 0.25


class AdmissionControl(grpc.ServerInterceptor):
    """A grpc.ServerInterceptor bounding concurrent and queued heavy calls. `.active` and `.queued` are live counts."""

    def __init__(self, heavy_workers: int = limits.HEAVY_WORKERS, max_queue: int = limits.MAX_QUEUED,
                 max_call_seconds: float = limits.MAX_CALL_SECONDS) -> None:
        if heavy_workers < 1:
            raise ValueError("heavy_workers must be at least 1")
        if max_queue < 0:
            raise ValueError("max_queue must be at least 0")
        if max_call_seconds <= 0:
            raise ValueError("max_call_seconds must be more than 0")
        self.heavy_workers = heavy_workers
        self.max_queue = max_queue
        self.max_call_seconds = max_call_seconds
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
                message = (f"{BUSY_MESSAGE}: {self.active} heavy calls running and {self.queued} queued; "
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

    def _bound(self, context: grpc.ServicerContext) -> None:
        """Cancel the call after max_call_seconds when its caller set no deadline (the caller sees CANCELLED)."""
        if context.time_remaining() < _NO_DEADLINE:
            return

        def expire() -> None:
            if context.is_active():
                log.warning("cancelling a heavy call without a deadline after %g s (the server's bound, "
                            "--max-call-seconds); callers should set a deadline", self.max_call_seconds)
                context.cancel()

        timer = threading.Timer(self.max_call_seconds, expire)
        timer.daemon = True
        if context.add_callback(timer.cancel):
            timer.start()

    def _admit(self, context: grpc.ServicerContext) -> Finish:
        """Hold a slot from the start of the call's body until it returns."""
        self._bound(context)
        self._acquire(context)
        return lambda _code: self._release()

    def _stream(self, behavior: Callable[[Any, grpc.ServicerContext], Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        """A streaming body whose messages are produced on a thread of their own while it holds a slot, and
        delivered from this (the RPC) thread as the caller reads them: the slot is released when production ends."""

        def streaming(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            self._bound(context)
            self._acquire(context)
            messages: queue.SimpleQueue = queue.SimpleQueue()

            def produce() -> None:
                try:
                    for message in behavior(request, context):
                        messages.put(message)
                except BaseException as error:  # noqa: BLE001 - re-raised in the RPC thread, which reports it
                    messages.put(_Failed(error))
                finally:
                    self._release()
                    messages.put(_END)

            threading.Thread(target=produce, name="triglot-heavy-stream", daemon=True).start()
            # A caller that went away ends delivery (gRPC stops iterating); production stops at its next check.
            while (item := messages.get()) is not _END:
                if isinstance(item, _Failed):
                    raise item.error
                yield item

        return streaming

    def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
                          handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler_call_details.method not in HEAVY_METHODS:
            return handler
        if handler.unary_stream:
            return handler._replace(unary_stream=self._stream(handler.unary_stream))
        return instrument(handler, self._admit)
