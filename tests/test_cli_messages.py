"""CLI messages speak of what the person typed, not of RPC fields (issue 14, item 9). Against a real server on
loopback; every message is one line naming the file or flag, and the fix."""
from __future__ import annotations

import subprocess

import pytest

from conftest import run_cli


@pytest.fixture()
def files(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert err.startswith("triglot: error: ")
    return err


def test_an_undetectable_version_names_its_file_and_the_languages_flag(address, files, capsys):
    zh, digits = files("zh.txt", "北京。"), files("numbers.txt", "123 456.")
    code, _, err = run_cli(capsys, "compare", zh, digits, "--server", address)
    assert code == 1
    err = one_line(err)
    # was: "versions[1].document: cannot detect the language ...; set versions[1].document.language"
    assert "numbers.txt: cannot detect the language" in err and "give its language with --languages" in err
    assert "versions[" not in err


def test_a_wrong_declared_language_names_the_file_and_flag(address, files, capsys):
    zh = files("zh.txt", "北京是中国的首都。")
    code, _, err = run_cli(capsys, "align", zh, zh, "--from-lang", "en", "--server", address)
    assert code == 1
    assert "the language given for " in one_line(err) and "zh.txt (--from-lang) is 'en'" in err
    assert "source." not in err


@pytest.mark.parametrize("command", [["align", "{empty}", "{zh}"], ["translate", "{empty}", "--to", "en"],
                                     ["compare", "{zh}", "{empty}"]])
def test_an_empty_file_is_named(command, address, files, capsys):
    paths = {"empty": files("empty.txt", " \n"), "zh": files("zh.txt", "北京。")}
    code, _, err = run_cli(capsys, *[part.format(**paths) for part in command], "--server", address)
    assert code == 1
    err = one_line(err)
    assert f"{paths['empty']}: no text found" in err  # was: "source.text is empty"
    assert "source" not in err and "document" not in err and "versions[" not in err


@pytest.mark.parametrize("server, expected", [
    ("http://127.0.0.1:50051", "without a scheme"),
    ("127.0.0.1", "with a port number"),
    ("nosuchhost.invalid:50051", "cannot resolve the host name"),
])
def test_a_malformed_server_address_is_not_called_a_missing_server(server, expected, files, capsys):
    code, _, err = run_cli(capsys, "detect", files("zh.txt", "北京。"), "--server", server, "--timeout", "10")
    assert code == 1
    err = one_line(err)
    assert f"--server {server}: " in err and expected in err
    assert "is `triglot serve` running?" not in err


def test_tls_against_a_plaintext_server_says_so(address, files, tmp_path, capsys):
    ca = tmp_path / "ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "k.pem"),
                    "-out", str(ca), "-days", "1", "-subj", "/CN=test"], check=True, capture_output=True)
    code, _, err = run_cli(capsys, "detect", files("zh.txt", "北京。"), "--server", address, "--tls-ca", str(ca))
    assert code == 1
    err = one_line(err)
    assert "a plaintext server?" in err and "drop --tls-ca" in err
    assert "TSI_PROTOCOL_FAILURE" not in err and "WRONG_VERSION_NUMBER" not in err


@pytest.mark.parametrize("flag, value", [("--timeout", "0"), ("--timeout", "-1"), ("--width", "-5")])
def test_numbers_that_must_be_positive_are_refused(flag, value, address, files, capsys):
    code, _, err = run_cli(capsys, "align", files("zh.txt", "北京。"), files("en.txt", "Beijing."), flag, value,
                           "--server", address)
    assert code == 2  # a usage error
    assert f"argument {flag}: must be more than 0, got {value}" in err
