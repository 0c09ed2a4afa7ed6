"""Who may talk to the server: TLS (optionally mutual) and bearer tokens.

- TLS: a certificate chain and its private key (PEM). With a client CA as well, every client must present a
  certificate signed by it (mutual TLS) — the handshake fails otherwise, before any RPC runs.
- Tokens: callers send `authorization: Bearer <token>` metadata. Tokens come from a file (one a line, `#` comments and
  blank lines ignored) and/or the TRIGLOT_TOKENS environment variable (comma- or whitespace-separated). A missing or
  wrong token is UNAUTHENTICATED. Every accepted token is compared with hmac.compare_digest, always all of them, so
  the time taken says nothing about which token (or how much of one) matched.
- The gRPC health service needs no token: orchestrators (Kubernetes probes, grpc_health_probe, load balancers) ask it
  without credentials, and it reveals nothing but SERVING/NOT_SERVING. Server reflection does need a token: it lists
  the API to whoever asks, and the people who use it (grpcurl) can send the header (`-H 'authorization: Bearer …'`).
- Plaintext on a non-loopback address must be asked for explicitly (`insecure_listen`): a server reachable from other
  machines without TLS would send readouts and tokens in the clear.
Tokens are never logged, nor echoed in error messages.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2

TOKENS_ENV = "TRIGLOT_TOKENS"
AUTH_HEADER = "authorization"
HEALTH_SERVICE = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name  # "grpc.health.v1.Health"
# Services callable without a token (see the module docstring for why health and not reflection).
PUBLIC_SERVICES = frozenset({HEALTH_SERVICE})
UNAUTHENTICATED_MESSAGE = "missing or invalid token: send metadata 'authorization: Bearer <token>'"


class SecurityError(Exception):
    """The security configuration cannot be used (unreadable file, empty token list, plaintext on a public address)."""


def _read(path: str | Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SecurityError(f"cannot read the {what} {path}: {error.strerror}") from None


@dataclass(frozen=True)
class TlsConfig:
    """Server TLS material (PEM bytes). `client_ca` set => clients must present a certificate it signed (mTLS)."""

    certificate_chain: bytes
    private_key: bytes
    client_ca: bytes | None = None

    @classmethod
    def from_files(cls, cert: str | Path, key: str | Path, client_ca: str | Path | None = None) -> TlsConfig:
        """Read and check the PEM files (gRPC itself would only say "failed to bind" for a bad pair)."""
        config = cls(_read(cert, "TLS certificate"), _read(key, "TLS key"),
                     _read(client_ca, "client CA certificate") if client_ca else None)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(cert, key)
        except ssl.SSLError as error:
            raise SecurityError(f"the TLS certificate {cert} and key {key} are not a matching PEM certificate "
                                f"chain and private key ({error.reason or error})") from None
        if client_ca:
            try:
                context.load_verify_locations(cafile=str(client_ca))
            except ssl.SSLError as error:
                raise SecurityError(f"the client CA {client_ca} is not a PEM certificate ({error.reason or error})") \
                    from None
        return config

    @property
    def mutual(self) -> bool:
        return self.client_ca is not None

    def server_credentials(self) -> grpc.ServerCredentials:
        try:
            return grpc.ssl_server_credentials([(self.private_key, self.certificate_chain)],
                                               root_certificates=self.client_ca,
                                               require_client_auth=self.mutual)
        except (TypeError, ValueError) as error:
            raise SecurityError(f"unusable TLS material: {error}") from None


class TokenSet:
    """The bearer tokens the server accepts. Never printed: repr shows only how many there are."""

    def __init__(self, tokens: Iterable[str]) -> None:
        self._tokens = tuple(dict.fromkeys(t for t in tokens if t))  # keep order, drop duplicates and empties
        if not self._tokens:
            raise SecurityError("no tokens given: the token file and $TRIGLOT_TOKENS are empty")
        self._encoded = tuple(t.encode() for t in self._tokens)

    def __len__(self) -> int:
        return len(self._tokens)

    def __repr__(self) -> str:
        return f"TokenSet({len(self)} tokens)"

    @staticmethod
    def parse_file_text(text: str) -> list[str]:
        """One token a line; blank lines and lines starting with # are ignored; surrounding spaces are stripped."""
        lines = (line.strip() for line in text.splitlines())
        return [line for line in lines if line and not line.startswith("#")]

    @classmethod
    def load(cls, path: str | Path | None = None, env: str | None = None) -> TokenSet | None:
        """Tokens from a file and/or an environment value (comma/whitespace separated); None when neither is set."""
        if not path and not (env and env.strip()):
            return None
        tokens = cls.parse_file_text(_read(path, "token file").decode("utf-8", errors="replace")) if path else []
        # A set value that holds no token (say ",") is refused by TokenSet, not taken as "no auth".
        return cls(tokens + (env or "").replace(",", " ").split())

    @classmethod
    def from_environment(cls, path: str | Path | None = None) -> TokenSet | None:
        return cls.load(path, os.environ.get(TOKENS_ENV))

    def accepts(self, token: str) -> bool:
        """Constant-time membership: compares against every token, whatever matches first."""
        candidate = token.encode()
        matched = False
        for known in self._encoded:
            matched |= hmac.compare_digest(candidate, known)
        return matched


def bearer_token(metadata: Iterable[tuple[str, Any]] | None) -> str | None:
    """The token of an `authorization: Bearer <token>` header, if there is one."""
    for key, value in metadata or ():
        if key.lower() == AUTH_HEADER and isinstance(value, str):
            scheme, _, token = value.strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def service_of(method: str) -> str:
    """"/grpc.health.v1.Health/Check" -> "grpc.health.v1.Health"."""
    return method.lstrip("/").split("/", 1)[0]


def rejecting_handler(handler: grpc.RpcMethodHandler, code: grpc.StatusCode,
                      message: str) -> grpc.RpcMethodHandler:
    """A handler of the same shape as `handler` whose every call ends with `code` (used by interceptors to refuse)."""

    def refuse(_request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(code, message)

    kind: Callable[..., grpc.RpcMethodHandler]
    if handler.request_streaming and handler.response_streaming:
        kind = grpc.stream_stream_rpc_method_handler
    elif handler.request_streaming:
        kind = grpc.stream_unary_rpc_method_handler
    elif handler.response_streaming:
        kind = grpc.unary_stream_rpc_method_handler
    else:
        kind = grpc.unary_unary_rpc_method_handler
    return kind(refuse, request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer)


class TokenAuth(grpc.ServerInterceptor):
    """Refuse calls without an accepted bearer token (UNAUTHENTICATED), except to PUBLIC_SERVICES."""

    def __init__(self, tokens: TokenSet) -> None:
        self.tokens = tokens

    def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
                          details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        handler = continuation(details)
        if service_of(details.method) in PUBLIC_SERVICES:
            return handler
        token = bearer_token(details.invocation_metadata)
        if token is not None and self.tokens.accepts(token):
            return handler
        # An unknown method is refused the same way as a known one: without a token, the API's shape stays hidden.
        return rejecting_handler(handler or grpc.unary_unary_rpc_method_handler(lambda *_: None),
                                 grpc.StatusCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE)


def is_loopback(listen: str) -> bool:
    """Whether "HOST:PORT" binds only this machine: 127.0.0.0/8, ::1, localhost, or a unix socket."""
    if listen.startswith(("unix:", "unix-abstract:")):
        return True
    host = listen.rpartition(":")[0].strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name, "" or "0.0.0.0"-like wildcard spelled oddly: assume reachable from outside
        return False


def check_listen(listen: str, tls: TlsConfig | None, insecure_listen: bool) -> None:
    """Refuse plaintext on an address other machines can reach, unless acknowledged."""
    if tls is None and not insecure_listen and not is_loopback(listen):
        raise SecurityError(f"refusing to listen on {listen} without TLS: give --tls-cert and --tls-key, "
                            "or acknowledge plaintext with --insecure-listen")
