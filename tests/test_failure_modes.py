"""The engine flags the outputs of tiny real models that fail like Argos models do (tests/failure_models.py), retries
them, says what it did, and stays silent on the normal test models; plus its cache and chunked translation."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import failure_models
import tinymodel
from triglot_server.engine.quality import LENGTH_OUTLIER, REPETITION, UNTRANSLATED, WRONG_SCRIPT
from triglot_server.engine.translation import TranslationEngine, install_packages
from triglot_server.engine.types import InvalidInput

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"


def sents(language: str) -> list[str]:
    return (SAMPLE / f"{language}.sents").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def normal_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("normal")
    install_packages(tinymodel.cached_test_models(), directory)
    return directory


@pytest.fixture(scope="module")
def engine(normal_dir) -> TranslationEngine:
    return TranslationEngine(normal_dir)


def failing_engine(tmp_path: Path, kind: str, source: str, target: str, **settings) -> TranslationEngine:
    return TranslationEngine(failure_models.install_failure_model(tmp_path / "models", kind, source, target),
                             **settings)


@pytest.mark.parametrize("source,target", [("en", "zh"), ("zh", "en"), ("en", "ar"), ("ar", "en"), ("zh", "ar")])
def test_normal_test_models_raise_no_flag_and_no_retry(engine, source, target):
    result = engine.translate(sents(source), source, target)
    assert len(result.flags) == len(result.retries) == len(result.translations) == len(sents(source))
    assert all(flags == () for flags in result.flags), result.flags
    assert all(retry == "" for retry in result.retries)


@pytest.mark.parametrize("source,target", [("en", "ar"), ("zh", "en")])
def test_copying_model_is_flagged_untranslated_and_the_retry_is_recorded(tmp_path, source, target):
    result = failing_engine(tmp_path, "copy", source, target).translate(sents(source)[:5], source, target)
    for original, translation, flags, retry in zip(sents(source), result.translations, result.flags, result.retries):
        assert translation.replace(" ", "") == unicodedata.normalize("NFKC", original).replace(" ", "")  # a copy
        assert {UNTRANSLATED, WRONG_SCRIPT} <= set(flags)
        assert retry.startswith("retried with beam_size=8,no_repeat_ngram_size=4 after untranslated")
        assert retry.endswith("no better, kept the first")


def test_looping_model_is_flagged_and_its_runaway_retry_is_not_kept(tmp_path):
    loop = failing_engine(tmp_path, "loop", "en", "zh")
    result = loop.translate(sents("en")[:4], "en", "zh")
    for flags, retry in zip(result.flags, result.retries):
        # The retry's n-gram guard breaks the exact loop, but it still runs to the length cap: no translation, so
        # the first output is kept with its flags (it used to be kept, flagged length_outlier).
        assert retry.endswith("after repetition+length_outlier: the retry ran to the length cap, kept the first")
        assert set(flags) == {REPETITION, LENGTH_OUTLIER}
    first_pass = failing_engine(tmp_path / "plain", "loop", "en", "zh", retry_flagged=False)
    plain = first_pass.translate(sents("en")[:4], "en", "zh")
    assert all(set(flags) == {REPETITION, LENGTH_OUTLIER} for flags in plain.flags)
    assert plain.retries == ["", "", "", ""]
    assert "retry=off" in plain.signature


def test_truncating_model_is_a_length_outlier(tmp_path):
    result = failing_engine(tmp_path, "truncate", "zh", "en").translate(sents("zh")[:6], "zh", "en")
    assert all(len(t.split()) == 1 for t in result.translations)
    assert all(flags == (LENGTH_OUTLIER,) for flags in result.flags)


@pytest.mark.parametrize("source,target", [("en", "ar"), ("zh", "en")])
def test_model_writing_the_wrong_language_is_flagged_wrong_script(tmp_path, source, target):
    result = failing_engine(tmp_path, "wrong_script", source, target).translate(sents(source)[:6], source, target)
    assert all(WRONG_SCRIPT in flags and UNTRANSLATED not in flags for flags in result.flags)


def test_blank_sentences_are_not_flagged(engine):
    result = engine.translate(["", "   ", sents("en")[1]], "en", "zh")
    assert result.translations[:2] == ["", ""]
    assert result.flags == [(), (), ()]


def test_cache_returns_the_same_pairs_and_is_bounded(normal_dir):
    cached = TranslationEngine(normal_dir, cache_size=5)
    uncached = TranslationEngine(normal_dir, cache_size=0)
    document = sents("en")
    first = cached.translate(document, "en", "zh")
    again = cached.translate(document, "en", "zh")
    assert first == again == uncached.translate(document, "en", "zh")
    assert len(cached._cache) == 5 and len(uncached._cache) == 0


def test_repeated_sentences_in_one_call_are_translated_once_and_kept_in_place(engine):
    document = sents("zh")[:3] * 4
    result = engine.translate(document, "zh", "en")
    assert result.translations == engine.translate(sents("zh")[:3], "zh", "en").translations * 4


def test_chunks_cover_the_document_in_order_and_match_one_call(engine):
    document = sents("en")
    chunks = list(engine.translate_chunks(document, "en", "ar", chunk_size=7))
    assert [start for start, _ in chunks] == [0, 7, 14]
    joined = [t for _, chunk in chunks for t in chunk.translations]
    assert joined == engine.translate(document, "en", "ar").translations
    with pytest.raises(InvalidInput):
        next(engine.translate_chunks(document, "en", "ar", chunk_size=0))
