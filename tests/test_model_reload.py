"""Models installed while the server runs (issue 14, item 5): FAILED_PRECONDITION says how to get them served
(install on the server, then SIGHUP or a restart) without showing remote callers the server's paths, and SIGHUP
makes a running `triglot serve` load them — no restart, alignment never interrupted."""
from __future__ import annotations

import signal

import grpc
import pytest

from conftest import run_cli, start_cli_server, stop_cli_server, wait_for
from tinymodel import cached_test_models
from triglot.client import TriglotClient, TriglotError


def test_sighup_serves_a_package_installed_while_the_server_runs(tmp_path, capsys):
    models = tmp_path / "models"
    en_zh, en_ar = cached_test_models([("en", "zh"), ("en", "ar")])
    assert run_cli(capsys, "models", "install", str(en_zh), "--models", str(models))[0] == 0
    process, address = start_cli_server(models)
    try:
        with TriglotClient(address, timeout=30) as client:
            with pytest.raises(TriglotError) as caught:
                client.translate("Beijing is large.", target="ar", source="en")
            assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
            message = caught.value.details
            assert str(tmp_path) not in message  # was: "no model for en→ar in /path/to/models: ..."
            assert "triglot models install" in message and "SIGHUP" in message and "restart" in message

            assert run_cli(capsys, "models", "install", str(en_ar), "--models", str(models))[0] == 0
            process.send_signal(signal.SIGHUP)  # was: the default action, the server died
            wait_for(lambda: any((p.source, p.target) == ("en", "ar") for p in client.list_languages().pairs),
                     "the server to serve en→ar")
            assert len(client.translate("Beijing is large.", target="ar", source="en").pairs) == 1
            assert len(client.align("北京。", "Beijing.").beads) == 1
    finally:
        code, _, err = stop_cli_server(process)
    assert code == 0
    assert "reloaded models (SIGHUP): 2 translation routes" in err
