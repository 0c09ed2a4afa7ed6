"""Bad bytes from the caller's side (issue 14, item 7): a file name or flag value that is not UTF-8, a lone surrogate
in a Python string. Each is one clear error (or, for a file name, a usable label), against a real server on
loopback — never a raw UnicodeEncodeError.
"""
from __future__ import annotations

import grpc
import pytest

from conftest import SAMPLE, run_cli
from triglot.client import TriglotClient, TriglotError, version

UNDECODABLE = "\udcff"  # how Python's argv and os.listdir keep the byte 0xff of a name that is not UTF-8


def test_a_file_name_that_is_not_utf8_is_compared_under_a_printable_name(address, tmp_path, capsys):
    zh = tmp_path / f"zh{UNDECODABLE}.txt"
    zh.write_text((SAMPLE / "zh.txt").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run_cli(capsys, "compare", str(zh), str(SAMPLE / "en.txt"), "--server", address,
                             "--format", "json", "--no-progress")
    assert code == 0, err  # was: unexpected UnicodeEncodeError
    assert '"name": "zh\ufffd"' in out


@pytest.mark.parametrize("flag, args", [
    ("--languages", ["compare", "A", "B", "--languages", f"zh,{UNDECODABLE}"]),
    ("--from", ["translate", "A", "--to", "en", "--from", f"z{UNDECODABLE}"]),
    ("--pivot", ["compare", "A", "B", "--pivot", UNDECODABLE]),
])
def test_a_flag_value_that_is_not_utf8_is_one_line_naming_the_flag(flag, args, address, capsys):
    code, _, err = run_cli(capsys, *args, "--server", address)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(f"triglot: error: {flag} ") and "not valid UTF-8" in err


def test_a_lone_surrogate_given_to_the_client_is_a_triglot_error(address):
    with TriglotClient(address, timeout=30) as client:
        for call in (lambda: client.align("Beijing.\ud800", "北京。"),
                     lambda: client.translate("Beijing.", target="zh\ud800"),
                     lambda: client.detect_language("\udcff"),
                     lambda: client.compare([version("Beijing.", "en"), version("北京。", "zh", name="\ud800")])):
            with pytest.raises(TriglotError) as caught:  # was: UnicodeEncodeError
                call()
            assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
            assert "not valid Unicode" in caught.value.details and "nothing was sent" in caught.value.details
        assert client.detect_language("北京")[0] == "zh"  # the client still works
