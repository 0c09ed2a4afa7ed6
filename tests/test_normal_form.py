"""Normal forms: the re-joined text the engine analyses, and the map back to the original's offsets."""
from __future__ import annotations

import pytest

from triglot_server.engine.normal_form import normal_form, normal_forms, vocabulary


@pytest.mark.parametrize("text, language, words, expected", [
    ("the fight\nagainst", "en", (), "the fight against"),
    ("the fight\r\nagainst", "en", (), "the fight  against"),  # same length: offsets are the original's
    ("recog-\nnition", "en", ("recognition",), "recognition"),  # the document writes the word unbroken
    ("recog-\nnition", "en", (), "recog-nition"),  # no evidence: the hyphen stays
    ("people-to-\npeople", "en", (), "people-to-people"),
    ("Abdel Fattah el-\nSisi", "en", ("elsisi",), "Abdel Fattah el-Sisi"),  # before a capital: a compound
    ("中国\n人民", "zh", (), "中国人民"),
    ("2 0\n30 年", "zh", (), "2 030 年"),  # digits split by the wrap join
    ("Wang\nYi 说", "zh", (), "Wang Yi 说"),  # two Latin words keep a space
    ("中國\n人民會見", "zt", (), "中國人民會見"),
])
def test_normal_form_text(text, language, words, expected):
    assert normal_form(text, language, frozenset(words)).text == expected


def test_traditional_is_analysed_in_simplified_with_the_same_length():
    form = normal_form("王毅會見\n伊拉克外長。", "zt")
    assert form.text == "王毅會見伊拉克外長。" and form.analysed == "王毅会见伊拉克外长。"
    assert form.original_span(4, 7) == (5, 8)  # 伊拉克 in the original, after the line break


def test_every_span_maps_back_onto_the_same_characters():
    original = "He said the recog-\nnition of\nthe two-\nstate solution\nmatters."
    form = normal_form(original, "en", vocabulary("recognition"))
    assert form.text == "He said the recognition of the two-state solution matters."
    for word in ("recognition", "two-state", "solution", "matters."):
        start = form.text.index(word)
        a, b = form.original_span(start, start + len(word))
        assert original[a:b].replace("-\n", "").replace("\n", " ") in (word, word.replace("-", ""))
        assert original[a:b].replace("\n", "").replace("-", "") == word.replace("-", "")


def test_the_vocabulary_is_the_documents_lowercase_words():
    assert vocabulary("The Recognition of 2 states, re-cognition") == {"the", "recognition", "of", "states", "re",
                                                                        "cognition"}


def test_a_document_of_sentences_that_are_their_own_normal_forms_keeps_none():
    assert normal_forms(["One sentence.", "Another\u00a0one."], "en") is None
    assert normal_forms(["中国人民。"], "zh") is None


@pytest.mark.parametrize("texts, language", [
    (["One.", "the fight\nagainst", "Two."], "en"),
    (["Ends\u2028here.", "Plain."], "en"),
    (["中国\n人民", "好。"], "zh"),
    (["中國人民。", "會見。"], "zt"),  # Traditional: analysed in Simplified, even with no line break
])
def test_normal_forms_are_each_sentences_normal_form(texts, language):
    words = frozenset({"fight"})
    assert normal_forms(texts, language, words) == [normal_form(t, language, words) for t in texts]
