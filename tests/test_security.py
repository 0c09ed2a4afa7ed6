"""TLS, mutual TLS and bearer tokens, against real servers on loopback with certificates made by `openssl` here."""
from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc
from triglot_server import security
from triglot_server.server import ListenError, start_server

TOKENS = ("alpha-7f3e9c1d2b", "bravo-0a4d8e6f55")  # distinctive, so a leak into the log is found by search
SECRET_TEXT = "北京秘密会谈的内容"  # document text that must not reach the log


@dataclass(frozen=True)
class Pki:
    ca: bytes
    server_cert: bytes
    server_key: bytes
    client_cert: bytes
    client_key: bytes
    rogue_cert: bytes  # a client certificate signed by a CA the server does not trust
    rogue_key: bytes


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["/usr/bin/openssl", *args], cwd=cwd, check=True, capture_output=True)


def _issue(directory: Path, name: str, ca: str, extensions: str) -> None:
    """A P-256 key and a certificate for it, signed by `ca` (EC keys: generated in milliseconds)."""
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=directory)
    (directory / f"{name}.ext").write_text(extensions)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key", "-CAcreateserial",
             "-days", "2", "-out", f"{name}.crt", "-extfile", f"{name}.ext", cwd=directory)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "rogue-ca"):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", f"{ca}.key", "-out", f"{ca}.crt", "-subj", f"/CN=triglot test {ca}", "-days", "2",
                 cwd=directory)
    _issue(directory, "server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    _issue(directory, "client", "ca", "extendedKeyUsage=clientAuth\n")
    _issue(directory, "rogue", "rogue-ca", "extendedKeyUsage=clientAuth\n")
    read = lambda name: (directory / name).read_bytes()  # noqa: E731
    return Pki(read("ca.crt"), read("server.crt"), read("server.key"), read("client.crt"), read("client.key"),
               read("rogue.crt"), read("rogue.key"))


@pytest.fixture(scope="module")
def tls_server(pki: Pki) -> Iterator:
    """TLS and token auth. Models are not loaded: DetectLanguage and health need none, and auth comes first."""
    running = start_server("127.0.0.1:0", tls=security.TlsConfig(pki.server_cert, pki.server_key),
                           tokens=security.TokenSet(TOKENS))
    yield running
    running.stop(grace=None)


@pytest.fixture(scope="module")
def mtls_server(pki: Pki) -> Iterator:
    running = start_server("127.0.0.1:0", tls=security.TlsConfig(pki.server_cert, pki.server_key, client_ca=pki.ca))
    yield running
    running.stop(grace=None)


def detect(channel: grpc.Channel, token: str | None = None, text: str = "北京") -> pb.DetectLanguageResponse:
    metadata = (("authorization", f"Bearer {token}"),) if token is not None else None
    return triglot_pb2_grpc.TriglotStub(channel).DetectLanguage(pb.DetectLanguageRequest(text=text), timeout=10,
                                                                metadata=metadata)


def tls_channel(pki: Pki, address: str, cert: bytes | None = None, key: bytes | None = None) -> grpc.Channel:
    return grpc.secure_channel(address, grpc.ssl_channel_credentials(pki.ca, key, cert))


def code_of(call) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value.code()


# --- TLS --------------------------------------------------------------------------------------------------------

def test_tls_with_the_right_token_works(pki, tls_server):
    with tls_channel(pki, tls_server.address) as channel:
        assert detect(channel, TOKENS[1]).language == "zh"


def test_a_plaintext_client_cannot_talk_to_a_tls_server(tls_server):
    with grpc.insecure_channel(tls_server.address) as channel:
        assert code_of(lambda: detect(channel, TOKENS[0])) == grpc.StatusCode.UNAVAILABLE


def test_a_client_that_does_not_trust_the_server_ca_is_refused(pki, tls_server):
    credentials = grpc.ssl_channel_credentials(pki.rogue_cert)  # trusts only the rogue CA
    with grpc.secure_channel(tls_server.address, credentials) as channel:
        assert code_of(lambda: detect(channel, TOKENS[0])) == grpc.StatusCode.UNAVAILABLE


# --- tokens -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "wrong-token", TOKENS[0] + "x", TOKENS[0][:-1], ""])
def test_a_missing_or_wrong_token_is_unauthenticated(pki, tls_server, token):
    with tls_channel(pki, tls_server.address) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            detect(channel, token)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert caught.value.details() == security.UNAUTHENTICATED_MESSAGE  # names the header, never echoes a token


def test_the_token_scheme_is_case_insensitive_but_must_be_bearer(pki, tls_server):
    with tls_channel(pki, tls_server.address) as channel:
        stub = triglot_pb2_grpc.TriglotStub(channel)
        request = pb.DetectLanguageRequest(text="Baghdad")
        assert stub.DetectLanguage(request, timeout=10,
                                   metadata=(("authorization", f"bearer {TOKENS[0]}"),)).language == "en"
        assert code_of(lambda: stub.DetectLanguage(request, timeout=10, metadata=(
            ("authorization", f"Basic {TOKENS[0]}"),))) == grpc.StatusCode.UNAUTHENTICATED


def test_health_needs_no_token_but_reflection_does(pki, tls_server):
    with tls_channel(pki, tls_server.address) as channel:
        response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert response.status == health_pb2.HealthCheckResponse.NOT_SERVING  # models never loaded here
        with pytest.raises(grpc.RpcError) as caught:
            list(ProtoReflectionDescriptorDatabase(channel).get_services())
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_an_unknown_method_is_unauthenticated_without_a_token_and_unimplemented_with_one(pki, tls_server):
    with tls_channel(pki, tls_server.address) as channel:
        call = channel.unary_unary("/triglot.v1.Triglot/NoSuchMethod")
        assert code_of(lambda: call(b"", timeout=10)) == grpc.StatusCode.UNAUTHENTICATED
        assert code_of(lambda: call(b"", timeout=10, metadata=(("authorization", f"Bearer {TOKENS[0]}"),))) \
            == grpc.StatusCode.UNIMPLEMENTED


def test_tokens_and_text_never_reach_the_log(pki, tls_server, caplog):
    caplog.set_level(logging.DEBUG)
    with tls_channel(pki, tls_server.address) as channel:
        detect(channel, TOKENS[0], text=SECRET_TEXT)
        code_of(lambda: detect(channel, TOKENS[1] + "-forged", text=SECRET_TEXT))
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    assert "DetectLanguage code=OK" in logged and "DetectLanguage code=UNAUTHENTICATED" in logged
    for secret in (*TOKENS, SECRET_TEXT):
        assert secret not in logged


def test_token_file_parsing_and_constant_time_check(tmp_path, monkeypatch):
    path = tmp_path / "tokens"
    path.write_text("# service A\nalpha-1\n\n  bravo-2  \n# retired: charlie-3\n")
    monkeypatch.setenv(security.TOKENS_ENV, "delta-4, echo-5")
    tokens = security.TokenSet.from_environment(path)
    assert len(tokens) == 4 and "alpha" not in repr(tokens)
    assert tokens.accepts("bravo-2") and tokens.accepts("echo-5")
    assert not tokens.accepts("charlie-3") and not tokens.accepts("# service A") and not tokens.accepts("")
    monkeypatch.delenv(security.TOKENS_ENV)
    assert security.TokenSet.from_environment(None) is None
    empty = tmp_path / "empty"
    empty.write_text("# nothing yet\n")
    with pytest.raises(security.SecurityError, match="no tokens"):
        security.TokenSet.from_environment(empty)


# --- mutual TLS -------------------------------------------------------------------------------------------------

def test_mutual_tls_accepts_a_client_certificate_signed_by_the_client_ca(pki, mtls_server):
    with tls_channel(pki, mtls_server.address, pki.client_cert, pki.client_key) as channel:
        assert detect(channel).language == "zh"


@pytest.mark.parametrize("which", ["none", "rogue"])
def test_mutual_tls_refuses_a_client_without_an_accepted_certificate(pki, mtls_server, which):
    cert, key = (None, None) if which == "none" else (pki.rogue_cert, pki.rogue_key)
    with tls_channel(pki, mtls_server.address, cert, key) as channel:
        assert code_of(lambda: detect(channel)) == grpc.StatusCode.UNAVAILABLE


# --- where plaintext may listen ---------------------------------------------------------------------------------

@pytest.mark.parametrize("listen,loopback", [("127.0.0.1:1", True), ("127.5.0.1:1", True), ("[::1]:1", True),
                                             ("localhost:1", True), ("unix:/tmp/x.sock", True),
                                             ("0.0.0.0:1", False), ("[::]:1", False), ("10.0.0.5:1", False),
                                             ("example.org:1", False), (":1", False)])
def test_which_addresses_count_as_loopback(listen, loopback):
    assert security.is_loopback(listen) is loopback


def test_plaintext_on_a_public_address_needs_an_explicit_flag(pki):
    with pytest.raises(ListenError, match="--insecure-listen"):
        start_server("0.0.0.0:0")
    running = start_server("0.0.0.0:0", insecure_listen=True)  # acknowledged
    running.stop(grace=None)
    running = start_server("0.0.0.0:0", tls=security.TlsConfig(pki.server_cert, pki.server_key))  # TLS: fine
    running.stop(grace=None)


def test_the_cli_refuses_plaintext_on_a_public_address_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "triglot.cli", "serve", "--listen", "0.0.0.0:0",
                             "--models", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "refusing to listen on 0.0.0.0:0 without TLS" in result.stderr


# --- the CLI end to end: TLS, mTLS and a token through `triglot serve` and a client command ---------------------

def test_cli_client_and_server_with_mutual_tls_and_a_token(pki, model_dir, tmp_path):
    from conftest import start_cli_server

    for name, data in (("ca.crt", pki.ca), ("server.crt", pki.server_cert), ("server.key", pki.server_key),
                       ("client.crt", pki.client_cert), ("client.key", pki.client_key)):
        (tmp_path / name).write_bytes(data)
    (tmp_path / "tokens").write_text(f"# test\n{TOKENS[0]}\n")
    process, address = start_cli_server(model_dir, extra_args=(
        "--tls-cert", str(tmp_path / "server.crt"), "--tls-key", str(tmp_path / "server.key"),
        "--tls-client-ca", str(tmp_path / "ca.crt"), "--tokens-file", str(tmp_path / "tokens"), "--grace", "5"))
    try:
        client = [sys.executable, "-m", "triglot.cli", "languages", "--server", address, "--timeout", "20",
                  "--tls-ca", str(tmp_path / "ca.crt"), "--tls-cert", str(tmp_path / "client.crt"),
                  "--tls-key", str(tmp_path / "client.key")]
        ok = subprocess.run([*client, "--token", TOKENS[0]], capture_output=True, text=True, timeout=60)
        assert ok.returncode == 0, ok.stderr
        assert "zh" in ok.stdout
        refused = subprocess.run([*client, "--token", "not-a-token"], capture_output=True, text=True, timeout=60)
        assert refused.returncode == 1 and "UNAUTHENTICATED" in refused.stderr and "--token" in refused.stderr
        assert "not-a-token" not in refused.stderr
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert TOKENS[0] not in err and "not-a-token" not in err
    assert "ListLanguages code=UNAUTHENTICATED" in err and "ListLanguages code=OK" in err


def test_unusable_tls_files_are_named_before_the_server_starts(pki, tmp_path):
    (tmp_path / "server.crt").write_bytes(pki.server_cert)
    (tmp_path / "client.key").write_bytes(pki.client_key)  # a key of another certificate
    (tmp_path / "garbage.pem").write_text("not a certificate\n")
    with pytest.raises(security.SecurityError, match="not a matching PEM certificate chain and private key"):
        security.TlsConfig.from_files(tmp_path / "server.crt", tmp_path / "client.key")
    with pytest.raises(security.SecurityError, match="cannot read the TLS key"):
        security.TlsConfig.from_files(tmp_path / "server.crt", tmp_path / "missing.key")
    (tmp_path / "server.key").write_bytes(pki.server_key)
    with pytest.raises(security.SecurityError, match="client CA .* is not a PEM certificate"):
        security.TlsConfig.from_files(tmp_path / "server.crt", tmp_path / "server.key", tmp_path / "garbage.pem")
    assert security.TlsConfig.from_files(tmp_path / "server.crt", tmp_path / "server.key").mutual is False
