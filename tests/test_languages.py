"""Language codes and script-based language detection."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triglot_server.engine.languages import (LANGUAGES, check_not_other_language, detect_language, normalize_language,
                                              to_simplified, to_traditional)
from triglot_server.engine.types import InvalidInput

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"
sys.path.insert(0, str(Path(__file__).resolve().parent))
NO_LETTERS = "cannot detect the language: no English, Chinese or Arabic letters"


def test_languages_table():
    assert LANGUAGES == {"en": "English", "zh": "Chinese", "zt": "Traditional Chinese", "ar": "Arabic"}


@pytest.mark.parametrize("code, expected", [
    ("en", "en"), ("EN", "en"), ("en-GB", "en"), ("en_US", "en"), ("eng", "en"), (" en ", "en"),
    ("zh", "zh"), ("zh-CN", "zh"), ("zh-Hans", "zh"), ("zh-SG", "zh"), ("cmn", "zh"), ("zho", "zh"),
    # Traditional characters: the script subtag, or a region that writes them; Argos Translate's own code
    ("zh_Hant", "zt"), ("zh-Hant-TW", "zt"), ("ZH-tw", "zt"), ("zh-HK", "zt"), ("zh-MO", "zt"), ("zt", "zt"),
    ("zh-Hans-HK", "zh"),
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
        assert str(error) == NO_LETTERS or str(error).startswith("the text is ")
    else:
        assert language in LANGUAGES
        assert 0.0 < confidence <= 1.0


# Hand-written readout-like sentences in languages triglot does not support (French, Spanish, German, Japanese,
# Persian, Urdu): each is refused by name, not taken for the language of its script.
OTHER_LANGUAGES = [
    ("fr", "French", "Le ministre chinois des Affaires étrangères Wang Yi s'est entretenu au téléphone avec son "
                     "homologue irakien. Les deux parties ont salué l'amitié traditionnelle entre les deux pays."),
    ("es", "Spanish", "El ministro de Relaciones Exteriores de China, Wang Yi, conversó por teléfono con su homólogo "
                      "iraquí sobre la cooperación entre los dos países."),
    ("de", "German", "Der chinesische Außenminister Wang Yi telefonierte mit seinem irakischen Amtskollegen über "
                     "die Zusammenarbeit der beiden Länder."),
    ("ja", "Japanese", "中国の王毅外相は、イラクのフアド外相と電話会談を行った。両国は伝統的な友好関係を確認した。"),
    ("fa", "Persian", "وزیر امور خارجه چین با همتای عراقی خود گفتگوی تلفنی داشت و دو طرف بر همکاری تأکید کردند."),
    ("ur", "Urdu", "چین کے وزیر خارجہ نے عراقی ہم منصب سے ٹیلی فون پر بات کی اور دونوں ممالک کے تعاون پر زور دیا۔"),
]


@pytest.mark.parametrize("code, name, text", OTHER_LANGUAGES)
def test_another_language_of_the_same_script_is_refused_by_name(code, name, text):
    with pytest.raises(InvalidInput, match=rf"the text is {name} \({code}\)"):
        detect_language(text)


def test_every_real_readout_sentence_keeps_its_language():
    """No false refusal on the development readouts, whole texts and every sentence of 30 letters or more."""
    from builddocs import readouts

    files = sorted(readouts().rglob("*.sents")) + sorted(SAMPLE.glob("*.sents"))
    assert files
    for path in files:
        language = path.stem
        assert detect_language(path.with_suffix(".txt").read_text(encoding="utf-8"))[0] == language
        for line in path.read_text(encoding="utf-8").splitlines():
            check_not_other_language(line, language)


def test_traditional_chinese_is_told_from_simplified():
    simplified = (SAMPLE / "zh.txt").read_text(encoding="utf-8")
    traditional = to_traditional(simplified)
    assert traditional != simplified
    assert detect_language(simplified)[0] == "zh"
    assert detect_language(traditional)[0] == "zt"
    converted = to_simplified(traditional)
    assert len(converted) == len(traditional)  # one character for one: offsets hold
    assert converted == simplified


def test_warm_up_builds_the_script_converters_every_chinese_document_needs():
    """A server warms up before it reports SERVING: its first Chinese document must not wait for OpenCC's two
    converters (~0.1 s, then 1/3 of a first Align)."""
    from triglot_server.engine import languages

    languages._converter.cache_clear()
    languages.warm_up()
    assert languages._converter.cache_info().currsize == 2
    hits = languages._converter.cache_info().hits
    assert languages.is_traditional("會見") and not languages.is_traditional("会见")
    assert languages._converter.cache_info().misses == 2 and languages._converter.cache_info().hits > hits


def test_compiled_langid_walk_gives_py3langid_scores_exactly():
    """engine/langid.py's compiled byte walk against py3langid's own Python walk (the reference): the same ranking,
    float for float, on real readouts in each language and on random bytes and characters."""
    import random

    from py3langid.langid import LanguageIdentifier

    from triglot_server.engine import langid

    compiled = langid.model()
    reference = LanguageIdentifier(compiled.nb_ptc, compiled.nb_pc, compiled.nb_classes, compiled.tk_nextmove,
                                   compiled.tk_output, norm_probs=True, tk_row=compiled.tk_row)  # the Python walk
    rng = random.Random(7)
    texts = [(SAMPLE / f"{lang}.txt").read_text(encoding="utf-8") for lang in ("en", "zh", "ar")]
    texts += [t[rng.randrange(len(t)):][:rng.randrange(1, 400)] for t in texts for _ in range(20)]
    texts += ["", " ", "Ü", "こんにちは世界", "Bonjour tout le monde, comment ça va ?"]
    texts += ["".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(1, 200))) for _ in range(40)]
    texts += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(40)]
    for text in texts:
        assert compiled.rank(text) == reference.rank(text)


@pytest.mark.parametrize("chunk", [None, 7])
def test_letter_counts_equal_counting_each_class_by_its_regex(chunk, monkeypatch):
    """The table lookup that counts letters by script agrees with the class regexes it is built from, on text of
    every plane (Han extensions beyond the BMP, lone surrogates, letters of other scripts), counted in one piece or
    in many."""
    import random

    from triglot_server.engine import languages

    if chunk:
        monkeypatch.setattr(languages, "_CHUNK", chunk)
    rng = random.Random(3)
    planes = [(0x20, 0x7F), (0x80, 0x3000), (0x3000, 0xA000), (0xD800, 0xE000), (0xF900, 0x10000),
              (0x10000, 0x20000), (0x20000, 0x32000), (0x32000, 0x110000)]
    texts = [(SAMPLE / f"{lang}.txt").read_text(encoding="utf-8") for lang in ("en", "zh", "ar")]
    texts += ["", "1 2 3"] + ["".join(chr(rng.randrange(*rng.choice(planes))) for _ in range(rng.randrange(1, 300)))
                              for _ in range(200)]
    for text in texts:
        want = tuple(pattern.subn("", text)[1] for pattern in languages._CLASSES)
        assert languages._letter_counts(text) == want
