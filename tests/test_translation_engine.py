"""The translation engine on real .argosmodel packages built by tests/tinymodel.py (real CTranslate2, real
SentencePiece): install, list, direct and pivot routes, batching order, failures and bad archives."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

import tinymodel
from triglot_server.engine.translation import (TranslationEngine, default_model_dir, install_packages,
                                               list_packages)
from triglot_server.engine.types import InvalidInput, NotInstalled

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
ARABIC = re.compile(r"[\u0600-\u06ff]")


def lines(name: str) -> list[str]:
    return (SAMPLE / name).read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def packages() -> dict[tuple[str, str], Path]:
    paths = tinymodel.cached_test_models()
    return dict(zip(tinymodel.DEFAULT_PAIRS, paths))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, packages) -> Path:
    directory = tmp_path_factory.mktemp("models")
    install_packages(list(packages.values()), directory)
    return directory


@pytest.fixture(scope="module")
def engine(model_dir) -> TranslationEngine:
    return TranslationEngine(model_dir)


def test_listing_shows_every_installed_package(model_dir):
    infos = list_packages(model_dir)
    assert [(i.from_code, i.to_code) for i in infos] == [("ar", "en"), ("en", "ar"), ("en", "zh"), ("zh", "en")]
    for info in infos:
        assert info.version == "1.0"
        assert info.name == f"translate-{info.from_code}_{info.to_code}"
        assert info.path == model_dir / info.name and (info.path / "model" / "model.bin").is_file()


def test_routes_are_direct_pairs_plus_pivots_through_english(engine):
    routes = {(r.source, r.target): r for r in engine.routes()}
    assert set(routes) == {("ar", "en"), ("en", "ar"), ("en", "zh"), ("zh", "en"), ("zh", "ar"), ("ar", "zh")}
    assert routes[("en", "zh")].via == [] and routes[("en", "zh")].models == ["translate-en_zh"]
    assert routes[("zh", "ar")].via == ["en"]
    assert routes[("zh", "ar")].models == ["translate-zh_en", "translate-en_ar"]


def test_en_to_zh_returns_one_chinese_translation_per_sentence_in_order(engine):
    sentences = lines("en.sents")
    result = engine.translate(sentences, "en", "zh")
    assert result.route == ["en", "zh"] and result.models == ["translate-en_zh"]
    assert len(result.translations) == len(sentences)
    for translation in result.translations:
        assert HAN.search(translation) and not LATIN.search(translation), translation
    # Batched in one call == one call per sentence, in the same order.
    assert result.translations[:6] == [engine.translate([s], "en", "zh").translations[0] for s in sentences[:6]]
    assert len(set(result.translations)) == len(sentences)  # distinct inputs, distinct outputs: order is checkable
    assert "translate-en_zh@1.0" in result.signature and "beam=4" in result.signature


def test_zh_to_en_gives_english_and_keeps_numbers(engine):
    sentences = lines("zh.sents")
    result = engine.translate(sentences, "zh", "en")
    assert len(result.translations) == len(sentences)
    for translation in result.translations:
        assert LATIN.search(translation) and not HAN.search(translation), translation
    assert "9" in engine.translate(["3月9日"], "zh", "en").translations[0]


def test_zh_to_ar_goes_through_english(engine):
    sentences = lines("zh.sents")
    result = engine.translate(sentences, "zh", "ar")
    assert result.route == ["zh", "en", "ar"]
    assert result.models == ["translate-zh_en", "translate-en_ar"]
    assert all(ARABIC.search(t) and not HAN.search(t) for t in result.translations)
    english = engine.translate(sentences, "zh", "en").translations
    assert result.translations == engine.translate(english, "en", "ar").translations


def test_blank_sentences_and_empty_calls(engine):
    assert engine.translate([], "en", "zh").translations == []
    result = engine.translate(["", "   ", "Thank you."], "en", "zh")
    assert result.translations[:2] == ["", ""] and HAN.search(result.translations[2])


def test_language_codes_are_normalised_and_checked(engine):
    assert engine.translate(["Iraq."], "EN", "zh-CN").route == ["en", "zh"]
    with pytest.raises(InvalidInput, match="both en"):
        engine.translate(["Iraq."], "en", "en-GB")
    with pytest.raises(InvalidInput, match="unsupported language"):
        engine.translate(["Iraq."], "fr", "en")


def test_missing_pair_names_the_install_command(tmp_path, packages):
    install_packages([packages[("en", "zh")]], tmp_path)
    engine = TranslationEngine(tmp_path)
    assert [(r.source, r.target) for r in engine.routes()] == [("en", "zh")]
    with pytest.raises(NotInstalled) as error:
        engine.translate(["中国"], "zh", "ar")
    message = str(error.value)
    assert "zh→ar" in message and "triglot models install FILE.argosmodel" in message
    assert TranslationEngine(tmp_path / "empty").routes() == []


def test_long_sentences_are_chunked_not_truncated(model_dir, engine):
    long_sentence = " ".join(lines("en.sents")[:6])  # ~250 tokens
    whole = engine.translate([long_sentence], "en", "zh").translations[0]
    chunked = TranslationEngine(model_dir, max_input_tokens=40).translate([long_sentence], "en", "zh").translations[0]
    # The word-by-word test model translates each piece alone, so chunking must not change a thing.
    assert chunked == whole and len(whole) > 150


def test_unknown_setting_is_refused(model_dir):
    with pytest.raises(InvalidInput, match="unknown translation settings: beam"):
        TranslationEngine(model_dir, beam=2)


def test_target_prefix_is_forced_and_removed(tmp_path):
    path = tinymodel.build_argosmodel(tmp_path / "p.argosmodel", "en", "zh", target_prefix="__zh__")
    install_packages([path], tmp_path / "models")
    prefixed = TranslationEngine(tmp_path / "models").translate(["China and Iraq."], "en", "zh").translations[0]
    assert "__zh__" not in prefixed and "zh" not in prefixed and HAN.search(prefixed)


def test_decoding_stops_at_the_length_cap_for_a_looping_model(tmp_path):
    path = tinymodel.build_argosmodel(tmp_path / "loop.argosmodel", "en", "zh", recipe="loop")
    install_packages([path], tmp_path / "models")
    engine = TranslationEngine(tmp_path / "models", max_decoding_ratio=1.0, max_decoding_extra=4)
    output = engine.translate(["China and Iraq."], "en", "zh").translations[0]
    # 5 source pieces, 8-token bucket: at most 1.0 * 5 + 4 pieces, each one or a few characters.
    assert 0 < len(output) <= 9 * 4 and HAN.search(output)


def test_copy_model_round_trips_text_like_argos_detokenisation(tmp_path):
    path = tinymodel.build_argosmodel(tmp_path / "copy.argosmodel", "en", "zh", recipe="copy")
    install_packages([path], tmp_path / "models")
    sentence = lines("en.sents")[0]
    assert TranslationEngine(tmp_path / "models").translate([sentence], "en", "zh").translations == [sentence]


def test_reinstall_replaces_the_pair(tmp_path, packages):
    models = tmp_path / "models"
    install_packages([packages[("en", "zh")]], models)
    before = TranslationEngine(models).translate(["China and Iraq agreed."], "en", "zh").translations
    newer = tinymodel.build_argosmodel(tmp_path / "new.argosmodel", "en", "zh", seed=7, version="1.1")
    [info] = install_packages([newer], models)
    assert info.version == "1.1"
    assert [(i.from_code, i.to_code, i.version) for i in list_packages(models)] == [("en", "zh", "1.1")]
    assert sorted(p.name for p in models.iterdir()) == ["translate-en_zh"]  # no leftovers
    after = TranslationEngine(models).translate(["China and Iraq agreed."], "en", "zh").translations
    assert after != before and HAN.search(after[0])


# ------------------------------------------------------------------------------------------- bad archives

def write_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def valid_entries(top: str = "pkg", **metadata: str) -> dict[str, bytes]:
    meta = {"from_code": "en", "to_code": "zh", "type": "translate", "package_version": "1.0", **metadata}
    return {f"{top}/metadata.json": json.dumps(meta).encode(), f"{top}/model/model.bin": b"x",
            f"{top}/sentencepiece.model": b"x"}


@pytest.mark.parametrize("entries, message", [
    ({"pkg/model/model.bin": b"x", "pkg/sentencepiece.model": b"x"}, "no pkg/metadata.json"),
    ({**valid_entries(), "pkg/../../evil.txt": b"owned"}, "unsafe path"),
    ({**valid_entries(), "/etc/evil.txt": b"owned"}, "unsafe path"),
    ({**valid_entries(), "other/readme.md": b"x"}, "exactly one top directory"),
    ({k: v for k, v in valid_entries().items() if "model.bin" not in k}, "no pkg/model/model.bin"),
    (valid_entries(to_code="fr"), "unsupported language 'fr'"),
    (valid_entries(to_code="en"), "translates en into itself"),
    (valid_entries(type="sbd"), "only 'translate' packages"),
    ({**valid_entries(), "pkg/metadata.json": b"{not json"}, "not valid JSON"),
    ({}, "archive is empty"),
])
def test_bad_archives_are_refused_and_install_nothing(tmp_path, entries, message):
    bad = write_zip(tmp_path / "bad.argosmodel", entries)
    models = tmp_path / "models"
    with pytest.raises(InvalidInput, match=re.escape(message)) as error:
        install_packages([bad], models)
    assert str(bad) in str(error.value)
    assert list_packages(models) == [] and not (tmp_path / "evil.txt").exists()


def test_not_a_zip_and_missing_file_are_refused(tmp_path, packages):
    text = tmp_path / "notes.argosmodel"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(InvalidInput, match="is a zip archive"):
        install_packages([text], tmp_path / "models")
    with pytest.raises(InvalidInput, match="no such file"):
        install_packages([tmp_path / "absent.argosmodel"], tmp_path / "models")
    # One bad file among good ones installs nothing at all.
    with pytest.raises(InvalidInput):
        install_packages([packages[("en", "zh")], text], tmp_path / "models")
    assert list_packages(tmp_path / "models") == []


def test_truncated_archive_is_refused(tmp_path, packages):
    data = packages[("en", "zh")].read_bytes()
    cut = tmp_path / "cut.argosmodel"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidInput, match="cut.argosmodel"):
        install_packages([cut], tmp_path / "models")


def test_default_model_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIGLOT_MODELS", str(tmp_path / "m"))
    assert default_model_dir() == tmp_path / "m"
    monkeypatch.delenv("TRIGLOT_MODELS")
    assert default_model_dir() == Path.home() / ".local" / "share" / "triglot" / "models"
