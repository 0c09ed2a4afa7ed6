"""A package that cannot load must not cost anything else (issue 14, item 4).

`triglot models install` loads a package (CTranslate2 translator and SentencePiece tokenizer) before it replaces the
installed one, and refuses it otherwise; `triglot serve` skips an installed package that fails to load, says so in one
log line and in ListLanguages, and serves everything else — alignment, which needs no model, and the other pairs.
"""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import grpc
import pytest

from conftest import SAMPLE, run_cli, start_cli_server, stop_cli_server
from tinymodel import cached_test_models
from triglot.client import TriglotClient, TriglotError


def damaged_copy(package: Path, out: Path) -> Path:
    """The package with its model.bin replaced by junk: a valid archive layout whose model cannot load."""
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = b"not a CTranslate2 model" if info.filename.endswith("model/model.bin") else source.read(info)
            target.writestr(info, data)
    return out


def test_install_refuses_a_package_that_cannot_load_and_keeps_the_working_one(tmp_path, capsys):
    good = cached_test_models([("en", "zh")])[0]
    models = tmp_path / "models"
    assert run_cli(capsys, "models", "install", str(good), "--models", str(models))[0] == 0
    installed = (models / "translate-en_zh" / "model" / "model.bin").read_bytes()
    bad = damaged_copy(good, tmp_path / "damaged-en_zh.argosmodel")

    code, out, err = run_cli(capsys, "models", "install", str(bad), "--models", str(models))
    assert code == 1  # was 0: the damaged package replaced the working one
    assert err.count("\n") == 1 and "damaged-en_zh.argosmodel" in err and "cannot be loaded" in err
    assert "nothing was installed or replaced" in err
    assert (models / "translate-en_zh" / "model" / "model.bin").read_bytes() == installed
    assert [p.name for p in models.iterdir()] == ["translate-en_zh"]  # no staging left behind


def test_one_bad_file_among_several_installs_nothing(tmp_path, capsys):
    good = cached_test_models([("en", "zh"), ("zh", "en")])
    models = tmp_path / "models"
    bad = damaged_copy(good[1], tmp_path / "damaged-zh_en.argosmodel")
    code, _, err = run_cli(capsys, "models", "install", str(good[0]), str(bad), "--models", str(models))
    assert code == 1 and "cannot be loaded" in err
    assert not any(models.iterdir())


def test_serve_skips_a_package_that_cannot_load_and_serves_the_rest(model_dir, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(model_dir, models)
    (models / "translate-en_ar" / "model" / "model.bin").write_bytes(b"damaged on disk")
    (models / "translate-ar_en" / "metadata.json").write_text("{not json", encoding="utf-8")
    process, address = start_cli_server(models)  # was: start-up failed, alignment gone too
    try:
        with TriglotClient(address, timeout=30) as client:
            listing = client.list_languages()
            unavailable = list(listing.unavailable_models)
            assert len(unavailable) == 2
            assert any(line.startswith("translate-en_ar: cannot be loaded") for line in unavailable)
            assert any(line.startswith("translate-ar_en:") and "metadata.json" in line for line in unavailable)
            assert str(models) not in " ".join(unavailable)  # remote callers are not shown the server's paths
            assert {(p.source, p.target) for p in listing.pairs if not p.via} == {("en", "zh"), ("zh", "en")}
            zh = (SAMPLE / "zh.txt").read_text(encoding="utf-8")
            en = (SAMPLE / "en.txt").read_text(encoding="utf-8")
            assert len(client.align(zh, en).beads) > 10
            assert len(client.translate("Beijing is large.", target="zh", source="en").pairs) == 1
            with pytest.raises(TriglotError) as caught:
                client.translate("Beijing is large.", target="ar", source="en")
            assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        _, _, err = stop_cli_server(process)
    skipped = [line for line in err.splitlines() if "skipping translation package" in line]
    assert len(skipped) == 2 and any("translate-en_ar" in line for line in skipped)
