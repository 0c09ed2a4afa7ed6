"""The phrase-table matcher shared by qualifiers and formulae (engine/phrases.py) and its generated data."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from triglot_server.engine.anchors import fold_arabic
from triglot_server.engine.phrases import Phrase, PhraseMatcher, is_arabic_future, read_table

ROOT = Path(__file__).resolve().parent.parent


def test_generated_data_is_fresh():
    spec = importlib.util.spec_from_file_location("build_phrases", ROOT / "scripts" / "build_phrases.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_phrases"] = module
    spec.loader.exec_module(module)
    stale = [p.name for p, text in module.build().items() if p.read_text(encoding="utf-8") != text]
    assert not stale, f"run python scripts/build_phrases.py: {stale} differ"


def matcher(**forms: str) -> PhraseMatcher:
    return PhraseMatcher([Phrase("c", {lang: tuple(forms.get(lang, "").split("|")) if forms.get(lang) else ()
                                       for lang in ("en", "zh", "ar")})])


def found(m: PhraseMatcher, text: str, lang: str) -> list[str]:
    return [h.text for h in m.find(text, lang)]


def test_english_whole_words_wildcards_and_gaps():
    m = matcher(en="strateg*|*n't|at … request|not|!not only")
    assert found(m, "Strategically, it doesn't matter", "en") == ["Strategically", "doesn't"]
    assert found(m, "at Egypt's request", "en") == ["at Egypt's request"]
    assert found(m, "at the request", "en") == ["at the request"]
    assert found(m, "notably not only this", "en") == []  # "notably" is not "not"; "not only" is excluded


def test_chinese_substrings_gaps_and_the_one_character_guard():
    m = matcher(zh="应…邀请")
    assert found(m, "王毅应埃及外长邀请访问", "zh") == ["应埃及外长邀请"]
    assert found(m, "应。邀请", "zh") == []  # a gap does not cross punctuation


def test_arabic_clitics_inflections_exact_words_and_gaps():
    m = matcher(ar="شامل|=لا|تلقى … اتصالا")
    assert found(m, "وللشراكة الشاملة والشاملين", "ar") == ["الشاملة", "والشاملين"]
    assert found(m, "ولا بلا", "ar") == ["ولا"]
    assert found(m, "تلقى وزير الخارجية الصيني وانغ يي اتصالاً", "ar") == ["تلقى وزير الخارجية الصيني وانغ يي اتصالاً"]


def test_arabic_future_prefix_is_a_verb_of_the_lexicon():
    for word in ("سيواصل", "ستعمل", "سنعزز", "وسيتغلب", "ستستضيف", "ستقف", "سيكون"):
        assert is_arabic_future(fold_arabic(word)), word
    for word in ("سياسة", "سياسي", "السياسي", "سيادة", "سنة", "سنوات", "ستة", "سنغافورة", "سيطرة", "سيارة", "سيدة"):
        assert not is_arabic_future(fold_arabic(word)), word


def test_tables_are_checked(tmp_path):
    bad = tmp_path / "t.tsv"
    bad.write_text("concept\ten\nx\ta\tb\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected 2 tab-separated columns"):
        read_table(bad, 2)
    bad.write_text("x\ta\nx\tb\n", encoding="utf-8")
    with pytest.raises(ValueError, match="defined twice"):
        read_table(bad, 2)
