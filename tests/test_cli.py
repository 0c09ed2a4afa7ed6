"""The `triglot` CLI against a real server on loopback, its error lines, and the terminal rendering."""
from __future__ import annotations

import ast
import io
import json
import socket
import subprocess
import sys

import pytest

from conftest import SAMPLE, free_port
from conftest import run_cli as run
from triglot import render


def run_process(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run the CLI as a real process (entry point behaviour: exit status, stderr, no traceback)."""
    return subprocess.run([sys.executable, "-m", "triglot.cli", *args], capture_output=True, text=True,
                          timeout=60, **kwargs)


def assert_one_error_line(code: int, err: str, *fragments: str) -> None:
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("triglot: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


# --- help and version -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [[], ["serve"], ["translate"], ["align"], ["detect"], ["languages"], ["models"],
                                     ["models", "install"], ["models", "list"]])
def test_help_everywhere(capsys, command):
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0 and out.startswith(f"usage: triglot {' '.join(command)}".rstrip())


def test_version_from_the_entry_point():
    result = run_process("--version")
    assert result.returncode == 0 and result.stdout.startswith("triglot 0.")


# --- client commands against the test server --------------------------------------------------------------------

def test_align_presplit_json_covers_every_sentence_once(capsys, address):
    code, out, _ = run(capsys, "align", str(SAMPLE / "zh.sents"), str(SAMPLE / "en.sents"), "--presplit",
                       "--format", "json", "--server", address)
    assert code == 0
    result = json.loads(out)
    n_source = len((SAMPLE / "zh.sents").read_text(encoding="utf-8").splitlines())
    n_target = len((SAMPLE / "en.sents").read_text(encoding="utf-8").splitlines())
    assert len(result["source_sentences"]) == n_source and len(result["target_sentences"]) == n_target
    assert sorted(i for b in result["beads"] for i in b["source_ids"]) == list(range(n_source))
    assert sorted(j for b in result["beads"] for j in b["target_ids"]) == list(range(n_target))
    assert (result["source_language"], result["target_language"]) == ("zh", "en")


def test_align_format_is_what_alignscore_reads(capsys, address, monkeypatch):
    monkeypatch.setenv("TRIGLOT_SERVER", address)  # the server address from the environment
    code, out, _ = run(capsys, "align", str(SAMPLE / "en.sents"), str(SAMPLE / "ar.sents"), "--presplit",
                       "--format", "align")
    assert code == 0
    beads = []
    for line in out.splitlines():
        src, tgt = line.split(":")
        beads.append((ast.literal_eval(src), ast.literal_eval(tgt)))
    assert [i for s, _ in beads for i in s] == list(range(19))
    assert [j for _, t in beads for j in t] == list(range(18))
    assert out.splitlines() == [f"[{','.join(map(str, s))}]:[{','.join(map(str, t))}]" for s, t in beads]


def test_a_command_does_not_wait_for_grpcs_connectivity_poll_to_close_its_channel(address):
    import threading
    import time

    from triglot.client import TriglotClient

    client = TriglotClient(address, timeout=60)
    client.detect_language("Beijing is large.")  # connected: gRPC polls the channel's state for another 0.2 s
    started = time.monotonic()
    client.close(wait=False)
    assert time.monotonic() - started < 0.1
    closing = [t for t in threading.enumerate() if t.name == "triglot-close"]
    for thread in closing:
        thread.join(5)
    with pytest.raises(ValueError, match="closed"):  # closed all the same
        client.detect_language("Beijing is large.")


def test_align_text_lays_out_cjk_in_columns(capsys, address):
    code, out, _ = run(capsys, "align", str(SAMPLE / "zh.txt"), str(SAMPLE / "en.txt"), "--width", "80",
                       "--server", address)
    assert code == 0
    rows = [line for line in out.splitlines()[1:] if line]
    assert any("习近平" in line or "王毅" in line for line in rows)
    for line in rows:
        assert render.text_width(line) <= 80
        left = line.split(render.GUTTER.rstrip())[0]  # lines are right-stripped: the gutter may end one
        assert render.text_width(left) == (80 - len(render.GUTTER)) // 2  # the gutter sits in one column


def test_align_tsv_and_source_translations(capsys, address, tmp_path):
    translations = tmp_path / "zh.trans"
    code, out, _ = run(capsys, "translate", str(SAMPLE / "zh.sents"), "--to", "en", "--presplit", "--format", "tsv",
                       "--server", address)
    assert code == 0
    translations.write_text("".join(line.split("\t")[2] + "\n" for line in out.splitlines()), encoding="utf-8")
    code, out, _ = run(capsys, "align", str(SAMPLE / "zh.sents"), str(SAMPLE / "en.sents"), "--presplit",
                       "--source-translations", str(translations), "--format", "tsv", "--server", address)
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert all(len(row) == 5 for row in rows)
    assert [int(i) for row in rows if row[0] for i in row[0].split(",")] == list(range(19))


def test_align_rejects_translations_of_the_wrong_length(capsys, address, tmp_path):
    translations = tmp_path / "short.trans"
    translations.write_text("only one line\n", encoding="utf-8")
    code, _, err = run(capsys, "align", str(SAMPLE / "zh.sents"), str(SAMPLE / "en.sents"), "--presplit",
                       "--source-translations", str(translations), "--server", address)
    assert_one_error_line(code, err, "INVALID_ARGUMENT: source_translations has 1 items", "19 sentences")


def test_translate_json_from_stdin(capsys, address, monkeypatch):
    data = (SAMPLE / "zh.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run(capsys, "translate", "-", "--to", "ar", "--format", "json", "--server", address)
    assert code == 0
    result = json.loads(out)
    assert result["route"] == ["zh", "en", "ar"]
    expected = (SAMPLE / "zh.sents").read_text(encoding="utf-8").splitlines()
    assert [p["source"]["text"] for p in result["pairs"]] == expected


def test_translate_text_format(capsys, address):
    code, out, _ = run(capsys, "translate", str(SAMPLE / "en.sents"), "--presplit", "--to", "zh", "--width", "90",
                       "--server", address)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("# en → zh")
    assert all(render.text_width(line) <= 90 for line in lines[1:])


def test_detect_and_languages(capsys, address):
    code, out, _ = run(capsys, "detect", str(SAMPLE / "ar.txt"), "--server", address)
    assert code == 0 and out.startswith("ar\t")
    code, out, _ = run(capsys, "languages", "--server", address)
    assert code == 0
    assert "en (English), zh (Chinese), zt (Traditional Chinese), ar (Arabic)" in out
    assert any(line.startswith("zh → ar\tvia en") for line in out.splitlines())


def test_models_list_shows_the_installed_packages(capsys, model_dir):
    code, out, _ = run(capsys, "models", "list", "--models", str(model_dir))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"model directory: {model_dir}"
    assert len(lines) == 1 + 4  # the four tiny test packages


def test_models_install_then_list(capsys, tmp_path):
    from tinymodel import cached_test_models

    packages = cached_test_models()[:2]  # en->zh and zh->en, built once per session (and cached on disk)
    target = tmp_path / "models"
    code, out, _ = run(capsys, "models", "install", *map(str, packages), "--models", str(target))
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()[:2]] == ["installed en → zh", "installed zh → en"]
    code, out, _ = run(capsys, "models", "list", "--models", str(target))
    assert code == 0 and len(out.splitlines()) == 1 + 2
    code, _, err = run(capsys, "models", "install", str(tmp_path / "missing.argosmodel"), "--models", str(target))
    assert_one_error_line(code, err, "missing.argosmodel: no such file")
    not_a_package = tmp_path / "junk.argosmodel"
    not_a_package.write_bytes(b"not a zip archive")
    code, _, err = run(capsys, "models", "install", str(not_a_package), "--models", str(target))
    assert_one_error_line(code, err, "junk.argosmodel")


# --- errors: one line, non-zero exit, never a traceback ---------------------------------------------------------

def test_invalid_utf8_names_the_file_and_offset(capsys, tmp_path, address):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("Wang Yi ".encode() + b"\xff\xfe spoke.")
    code, _, err = run(capsys, "translate", str(bad), "--to", "zh", "--server", address)
    assert_one_error_line(code, err, f"{bad} is not valid UTF-8: byte 0xff at offset 8")
    code, _, err = run(capsys, "align", str(SAMPLE / "en.txt"), str(bad), "--server", address)
    assert_one_error_line(code, err, str(bad), "offset 8")


def test_invalid_utf8_through_the_entry_point(tmp_path):
    bad = tmp_path / "bad.sents"
    bad.write_bytes(b"ok\n\xc3(\n")
    result = run_process("detect", str(bad), "--server", f"127.0.0.1:{free_port()}")
    assert_one_error_line(result.returncode, result.stderr, "not valid UTF-8: byte 0xc3 at offset 3")


def test_missing_file_and_blank_presplit_line(capsys, tmp_path, address):
    code, _, err = run(capsys, "detect", str(tmp_path / "nope.txt"), "--server", address)
    assert_one_error_line(code, err, "nope.txt: no such file")
    blank = tmp_path / "blank.sents"
    blank.write_text("One.\n\nTwo.\n", encoding="utf-8")
    code, _, err = run(capsys, "translate", str(blank), "--presplit", "--to", "zh", "--server", address)
    assert_one_error_line(code, err, "line 2 is blank")


def test_server_status_errors_print_code_and_message(capsys, address):
    code, _, err = run(capsys, "translate", str(SAMPLE / "en.txt"), "--from", "zh", "--to", "ar",
                       "--server", address)
    assert_one_error_line(code, err, "INVALID_ARGUMENT: the language given for ", "en.txt (--from) is 'zh' but the "
                          "text is English")
    code, _, err = run(capsys, "translate", str(SAMPLE / "en.txt"), "--to", "en", "--server", address)
    assert_one_error_line(code, err, "INVALID_ARGUMENT", "nothing to translate")


def test_server_not_running():
    address = f"127.0.0.1:{free_port()}"
    result = run_process("align", str(SAMPLE / "zh.sents"), str(SAMPLE / "en.sents"), "--presplit",
                         "--server", address)
    assert_one_error_line(result.returncode, result.stderr,
                          f"cannot reach the triglot server at {address}: is `triglot serve` running?")
    assert result.stdout == ""


def test_serve_on_a_busy_port_is_one_error_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_process("serve", "--listen", f"127.0.0.1:{port}", "--models", str(tmp_path))
    assert_one_error_line(result.returncode, result.stderr, f"cannot listen on 127.0.0.1:{port}")


@pytest.mark.parametrize("setting,message", [
    ("bogus=1", "translation setting 'bogus=1': expected KEY=VALUE with KEY one of"),
    ("beam_size=two", "translation setting beam_size: 'two' is not a int"),
    ("retry_flagged=maybe", "translation setting retry_flagged: 'maybe' is not a bool"),
])
def test_serve_refuses_a_bad_translation_setting(tmp_path, setting, message):
    result = run_process("serve", "--listen", "127.0.0.1:0", "--models", str(tmp_path),
                         "--translation-setting", setting)
    assert_one_error_line(result.returncode, result.stderr, message)


def test_serve_applies_translation_settings(model_dir):
    from conftest import start_cli_server, stop_cli_server
    from triglot.client import TriglotClient

    process, address = start_cli_server(model_dir, extra_args=("--translation-setting", "beam_size=2",
                                                                "--translation-setting", "retry_flagged=off"))
    try:
        with TriglotClient(address, timeout=60) as client:
            signature = client.translate(["Wang Yi spoke with Fuad Hussein."], target="zh", source="en").signature
    finally:
        stop_cli_server(process)
    assert "|beam=2|" in signature and "|retry=off|" in signature


def test_a_server_still_loading_models_is_told_apart(capsys):
    from triglot_server.server import start_server

    running = start_server("127.0.0.1:0")  # models never loaded: Triglot RPCs answer UNAVAILABLE
    try:
        code, _, err = run(capsys, "languages", "--server", running.address, "--timeout", "3")
    finally:
        running.stop(grace=None)
    assert_one_error_line(code, err, "UNAVAILABLE: the triglot server is still loading models")


def test_missing_server_extra_is_named():
    from triglot.cli import CliError, _server_module

    with pytest.raises(CliError, match=r"install the server extra: pip install '\.\[server\]' in a clone"):
        _server_module("argostranslate_not_installed_here")


def test_usage_errors_exit_2(capsys):
    code, _, err = run(capsys, "translate", "x.txt")  # --to missing
    assert code == 2 and "--to" in err


# --- rendering --------------------------------------------------------------------------------------------------

def test_display_widths():
    assert render.text_width("abc") == 3
    assert render.text_width("北京，") == 6  # Han and fullwidth punctuation: two columns each
    assert render.text_width("بِسْمِ") == 3  # Arabic letters 1, harakat (combining marks) 0
    assert render.text_width("a\u200db\u200f") == 2  # zero-width joiner and RLM take no column


def test_wrap_keeps_within_width_and_loses_nothing():
    text = "国务委员兼外长王毅同伊拉克外长侯赛因通电话。 Wang Yi said China supports Iraq. supercalifragilistic"
    lines = render.wrap(text, 12)
    assert all(render.text_width(line) <= 12 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_chinese_closing_punctuation_never_starts_a_line():
    lines = render.wrap("伊拉克一定能早日战胜疫情。中方愿继续提供帮助。", 24)
    assert lines == ["伊拉克一定能早日战胜疫", "情。中方愿继续提供帮助。"]


def test_rtl_column_is_right_aligned_in_logical_order():
    arabic = "أجرى وانغ يي اتصالا هاتفيا مع وزير الخارجية العراقي"
    lines = list(render.side_by_side([("Wang Yi spoke with the Iraqi foreign minister.", arabic)], width=60))
    right = [line.split(render.GUTTER.rstrip())[1][1:] for line in lines]
    assert all(render.text_width(cell) == (60 - len(render.GUTTER)) // 2 for cell in right)  # padded on the left
    assert " ".join(cell.strip() for cell in right) == arabic  # never reversed
    assert render.is_rtl(arabic) and not render.is_rtl("Wang Yi")
