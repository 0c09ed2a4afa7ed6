"""A raw HTTP/2 gRPC client (the `h2` package, no grpc library) for probing the server as a third party would.

It can open calls with a zero flow-control window: the server may send headers but no DATA, so a streaming
response can never be delivered — a reader that stopped reading. It answers pings and settings (h2 does that when
fed the bytes) but never opens the window.
"""
from __future__ import annotations

import socket
import struct
import threading
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings


def grpc_frame(message: bytes) -> bytes:
    """A gRPC length-prefixed message: uncompressed flag, 4-byte big-endian length, the bytes."""
    return struct.pack(">BI", 0, len(message)) + message


class RawH2Client:
    """One HTTP/2 connection to host:port; `call(method, request_bytes)` opens a unary-request call on it."""

    def __init__(self, address: str, window: int = 0) -> None:
        host, _, port = address.rpartition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.settimeout(None)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.local_settings = h2.settings.Settings(client=True, initial_values={
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window,
            h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1000})
        self.conn.initiate_connection()
        self.lock = threading.Lock()
        self.headers: dict[int, dict[str, str]] = {}  # stream id -> response headers (and trailers) seen
        self.ended: set[int] = set()  # streams the server reset or ended
        self.goaway = threading.Event()
        self.closed = threading.Event()
        self._flush()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _flush(self) -> None:
        with self.lock:
            data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def _read(self) -> None:
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                with self.lock:
                    try:
                        events = self.conn.receive_data(data)
                    except h2.exceptions.ProtocolError:  # frames after GOAWAY closed the connection (h2's view)
                        self.goaway.set()
                        break
                for event in events:
                    if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived)):
                        self.headers.setdefault(event.stream_id, {}).update(dict(event.headers))
                    elif isinstance(event, (h2.events.StreamReset, h2.events.StreamEnded)):
                        self.ended.add(event.stream_id)
                    elif isinstance(event, h2.events.ConnectionTerminated):
                        self.goaway.set()
                self._flush()
        except OSError:
            pass
        finally:
            self.closed.set()

    def call(self, method: str, request: bytes, authority: str = "localhost") -> int:
        """Send one request (headers + one gRPC message, end of stream); returns the stream id."""
        with self.lock:
            stream = self.conn.get_next_available_stream_id()
            self.conn.send_headers(stream, [
                (":method", "POST"), (":scheme", "http"), (":path", method), (":authority", authority),
                ("content-type", "application/grpc"), ("te", "trailers")])
        data = grpc_frame(request)
        while data:  # as much as the server's windows allow; it opens them as it reads
            with self.lock:
                room = min(self.conn.local_flow_control_window(stream), self.conn.max_outbound_frame_size, len(data))
                if room > 0:
                    self.conn.send_data(stream, data[:room], end_stream=room == len(data))
                    data = data[room:]
            self._flush()
            if data:
                time.sleep(0.01)
        return stream

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._reader.join(5)
