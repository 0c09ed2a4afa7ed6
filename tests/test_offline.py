"""Serving makes no network connection: `triglot serve` runs in a subprocess whose every attempt to reach a
non-loopback address (connect, sendto, DNS lookup, urllib/http.client) is recorded and refused by an audit hook
(PEP 578) installed from sitecustomize; every RPC is exercised; the record must stay empty. As a second net for
connections made below Python (C++ code), the server's open sockets are read from /proc while it runs."""
from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from conftest import SAMPLE, start_cli_server, stop_cli_server
from triglot.client import TriglotClient, TriglotError

GUARD = textwrap.dedent('''
    """Installed by tests/test_offline.py: record and refuse any network access beyond loopback."""
    import ipaddress, os, socket, sys

    _LOG = os.environ["TRIGLOT_NETWORK_LOG"]

    def _allowed(host, lookup):
        """Loopback is allowed; so is looking up an address literal (no DNS query), only connecting to it is not."""
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        host = str(host).strip("[]").split("%")[0]
        if host in ("", "localhost"):
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False  # a name to resolve: a DNS query leaves the machine
        return lookup or address.is_loopback

    def _target(event, args):
        """The remote host an event is about, or None when it is not a network access."""
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            sock, address = args[0], args[1]
            if address is None or getattr(sock, "family", None) == getattr(socket, "AF_UNIX", None):
                return None
            return address[0] if isinstance(address, tuple) else address
        if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                     "socket.gethostbyaddr", "http.client.connect"):
            return args[1] if event == "http.client.connect" else args[0]
        if event == "socket.getnameinfo":
            return args[0][0]
        if event == "urllib.Request":
            return args[0]
        return None

    def _guard(event, args):
        if not event.startswith(("socket.", "http.", "urllib.")):
            return
        host = _target(event, args)
        lookup = event.startswith(("socket.getaddrinfo", "socket.gethostby", "socket.getnameinfo"))
        if host is None or (event != "urllib.Request" and _allowed(host, lookup)):
            return
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {event} {host!r}\\n")
        raise OSError(f"network access blocked by the offline test: {event} {host!r}")

    sys.addaudithook(_guard)
''')


@pytest.fixture()
def guarded_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "network.log"
    home = tmp_path / "home"
    home.mkdir()
    # A fresh HOME: nothing a first run would fetch is already there. The lexicon's prepared-dictionary cache (built
    # from local files, ~4 s) is shared with the test process so the server starts quickly.
    cache = os.environ.get("TRIGLOT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "triglot")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")])),
               TRIGLOT_NETWORK_LOG=str(log), HOME=str(home), TRIGLOT_CACHE=cache)
    return env, log


def test_the_guard_catches_connects_and_lookups(guarded_env):
    """The hook itself works, so an empty record below means something."""
    env, log = guarded_env
    probe = ("import socket\n"
             "for attempt in (lambda: socket.create_connection(('192.0.2.1', 9), timeout=1),\n"
             "                lambda: socket.getaddrinfo('example.com', 443),\n"
             "                lambda: socket.create_connection(('127.0.0.1', 9), timeout=1)):\n"
             "    try:\n"
             "        attempt()\n"
             "    except OSError as error:\n"
             "        print(error)\n")
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    recorded = log.read_text(encoding="utf-8")
    assert "socket.connect '192.0.2.1'" in recorded and "socket.getaddrinfo 'example.com'" in recorded
    assert "127.0.0.1" not in recorded  # loopback stays allowed


def _remote_addresses(pid: int) -> list[str]:
    """Remote addresses of the process's TCP/UDP sockets, from /proc (covers sockets opened by C/C++ code)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    remotes = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for row in path.read_text().splitlines()[1:]:
            fields = row.split()
            if fields[9] not in inodes:
                continue
            host_hex = fields[2].split(":")[0]
            # /proc prints each 32-bit word of the address in host (little-endian) byte order.
            raw = b"".join(bytes.fromhex(host_hex[i:i + 8])[::-1] for i in range(0, len(host_hex), 8))
            address = ipaddress.ip_address(raw)
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            if not (address.is_loopback or address.is_unspecified):
                remotes.append(f"{table} {address}")
    return remotes


def test_serving_makes_no_network_connection(guarded_env, model_dir):
    env, log = guarded_env
    process, address = start_cli_server(model_dir, env)
    try:
        with grpc.insecure_channel(address) as channel:
            assert "triglot.v1.Triglot" in ProtoReflectionDescriptorDatabase(channel).get_services()
            status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10).status
            assert status == health_pb2.HealthCheckResponse.SERVING
        with TriglotClient(address, timeout=60) as client:
            zh = (SAMPLE / "zh.txt").read_text(encoding="utf-8")
            en = (SAMPLE / "en.txt").read_text(encoding="utf-8")
            assert client.translate(en, "zh").route == ["en", "zh"]
            pivot = client.translate(zh, "ar")
            assert list(pivot.route) == ["zh", "en", "ar"]
            aligned = client.align(zh, en, source_translations=[
                p.translation for p in client.translate(zh, "en").pairs])
            assert aligned.beads
            assert client.detect_language(zh)[0] == "zh"
            assert client.list_languages().pairs
            with pytest.raises(TriglotError):
                client.translate("", "zh")  # the error path too
        # The CLI, under the same guard, talks to the server over loopback only.
        cli = subprocess.run([sys.executable, "-m", "triglot.cli", "languages", "--server", address],
                             env=env, capture_output=True, text=True, timeout=60)
        assert cli.returncode == 0, cli.stderr
        assert _remote_addresses(process.pid) == []
    finally:
        code, out, err = stop_cli_server(process)
    assert code == 0, err
    assert "triglot: stopped" in out
    assert not log.exists(), log.read_text(encoding="utf-8")
