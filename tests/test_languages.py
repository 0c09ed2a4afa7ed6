"""Language codes and script-based language detection."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triglot_server.engine.languages import LANGUAGES, detect_language, normalize_language
from triglot_server.engine.types import InvalidInput

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"
NO_LETTERS = "cannot detect the language: no English, Chinese or Arabic letters"


def test_languages_table():
    assert LANGUAGES == {"en": "English", "zh": "Chinese", "ar": "Arabic"}


@pytest.mark.parametrize("code, expected", [
    ("en", "en"), ("EN", "en"), ("en-GB", "en"), ("en_US", "en"), ("eng", "en"), (" en ", "en"),
    ("zh", "zh"), ("zh-CN", "zh"), ("zh-Hans", "zh"), ("zh_Hant", "zh"), ("zh-Hant-TW", "zh"), ("ZH-tw", "zh"),
    ("cmn", "zh"), ("zho", "zh"),
    ("ar", "ar"), ("AR", "ar"), ("ar-EG", "ar"), ("ar_SA", "ar"), ("ara", "ar"), ("arb", "ar"),
])
def test_normalize_accepts_bcp47_variants(code, expected):
    assert normalize_language(code) == expected


@pytest.mark.parametrize("code", ["fr", "de-DE", "ja", "ru"])
def test_normalize_rejects_unsupported_naming_the_supported_codes(code):
    with pytest.raises(InvalidInput) as error:
        normalize_language(code)
    message = str(error.value)
    assert message.startswith(f"unsupported language {code!r}")
    for supported in ("en (English)", "zh (Chinese)", "ar (Arabic)"):
        assert supported in message


@pytest.mark.parametrize("code", ["e", "english", "zh--CN", "zh-", "-zh", "z h", "zh-CN-toolongsubtag", "中文",
                                  "en\x00", "x" * 10_000])
def test_normalize_rejects_malformed_tags(code):
    with pytest.raises(InvalidInput, match="invalid language code"):
        normalize_language(code)


@pytest.mark.parametrize("code", ["", "   "])
def test_normalize_rejects_empty(code):
    with pytest.raises(InvalidInput, match="language code is empty"):
        normalize_language(code)


def test_normalize_rejects_non_strings():
    with pytest.raises(InvalidInput, match="must be a string"):
        normalize_language(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "zh", "ar"])
def test_detects_each_sample_text(language):
    text = (SAMPLE / f"{language}.txt").read_text(encoding="utf-8")
    detected, confidence = detect_language(text)
    assert detected == language
    assert confidence > 0.95


@pytest.mark.parametrize("text, expected", [
    ("Hello, world!", "en"),
    ("Ça va très bien", "en"),  # Latin letters with diacritics
    ("你好，世界。", "zh"),
    ("〇々", "zh"),
    ("مرحبا بالعالم", "ar"),
    ("وأضاف: «نحن واثقون». ٩", "ar"),
])
def test_detects_single_script_with_full_confidence(text, expected):
    assert detect_language(text) == (expected, 1.0)


def test_digits_and_punctuation_are_ignored():
    # Many Latin-looking digits and marks, one Chinese letter: only letters count.
    assert detect_language("2020-03-09 12:30 ٩٩٩ ... !!! 中") == ("zh", 1.0)
    assert detect_language("COVID-19 ٢٠٢٠ 在") == ("en", 0.8333)


def test_mixed_text_goes_to_the_majority_script_with_its_share():
    language, confidence = detect_language("王毅 said hello")  # 2 Han letters, 9 Latin letters
    assert language == "en"
    assert confidence == pytest.approx(9 / 11, abs=1e-4)
    language, confidence = detect_language("中方表示 WHO 中方相信伊拉克")  # 11 Han, 3 Latin
    assert (language, confidence) == ("zh", pytest.approx(11 / 14, abs=1e-4))


def test_other_scripts_lower_the_confidence():
    language, confidence = detect_language("Привет мир hello")  # 9 Cyrillic letters, 5 Latin
    assert language == "en"
    assert confidence == pytest.approx(5 / 14, abs=1e-4)


def test_ties_break_in_table_order():
    assert detect_language("ab 中文")[0] == "en"
    assert detect_language("中文 عر")[0] == "zh"


@pytest.mark.parametrize("text", ["", "   \n", "12345 ٩٨٧", "!?。，…", "Привет", "こんにちは", "\u200f\u202e\x00"])
def test_no_letters_of_our_scripts_is_invalid_input(text):
    with pytest.raises(InvalidInput) as error:
        detect_language(text)
    assert str(error.value) == NO_LETTERS


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=200))
def test_detection_never_fails_otherwise(text):
    try:
        language, confidence = detect_language(text)
    except InvalidInput as error:
        assert str(error) == NO_LETTERS
    else:
        assert language in LANGUAGES
        assert 0.0 < confidence <= 1.0
