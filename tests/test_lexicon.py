"""Dictionary evidence keys in English, Chinese (CC-CEDICT) and Arabic (Buckwalter) (engine/lexicon.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from triglot_server.engine.lexicon import (
    arabic_word_keys, content_words, english_word_keys, gloss_keys, sentence_keys, stem, to_buckwalter,
)
from triglot_server.engine.types import InvalidInput

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"


def sents(lang: str) -> list[str]:
    return (EXAMPLES / f"{lang}.sents").read_text(encoding="utf-8").splitlines()


def one_to_one(pair: str) -> list[tuple[int, int]]:
    beads = []
    for line in (EXAMPLES / f"{pair}.align").read_text(encoding="utf-8").split():
        src, tgt = (side.strip("[]") for side in line.split(":"))
        if src and tgt and "," not in src and "," not in tgt:
            beads.append((int(src), int(tgt)))
    return beads


def test_english_stemming_joins_related_forms() -> None:
    assert stem("strategic") == stem("strategy") == stem("strategically")
    assert stem("created") == stem("creates") == stem("creating") == stem("create")
    assert stem("said") == stem("saith") == stem("say")
    assert stem("countries") == stem("country")
    assert stem("cooperation") == stem("cooperate")
    assert stem("friend") != stem("friendship")


def test_english_keys_drop_stopwords() -> None:
    assert sentence_keys("The friends of the people", "en") == {stem("friend"), stem("people")}


def test_gloss_keys_skip_notes_and_classifiers() -> None:
    assert gloss_keys(["to say", "to speak", "CL:個|个[ge4]", "(old) to persuade"], 5) == ("say", "speak", "persuad")
    assert gloss_keys(["variant of 說|说[shuo1]", "old variant of X"]) == ()
    assert gloss_keys(["structural particle: used before a verb"]) == ()


@pytest.mark.parametrize("word, expected", [("战略", "strateg"), ("伙伴", "partner"), ("说", "say"), ("友谊", "friendship"),
                                            ("合作", "cooperat"), ("创造", "creat")])
def test_chinese_words_give_english_stems(word: str, expected: str) -> None:
    assert expected in sentence_keys(word, "zh")


def test_chinese_longest_match_beats_single_characters() -> None:
    units = content_words("我们相信伙伴关系", "zh")
    assert [u.text for u in units] == ["相信", "伙伴", "关系"]  # 我们 "we; us" carries no content
    assert all(u.kind == "word" for u in units)


def test_buckwalter_transliteration() -> None:
    assert to_buckwalter("العِرَاق") == "AlErAq"
    assert to_buckwalter("أكّد") == ">kd"


@pytest.mark.parametrize("word, expected", [("الاستراتيجية", "strateg"), ("والتعاون", "cooperat"), ("وقال", "say"),
                                            ("صداقة", "friendship"), ("الشراكة", "partnership"), ("وأكد", "confirm"),
                                            ("لتعزيز", "reinforc")])
def test_arabic_words_with_clitics_give_english_stems(word: str, expected: str) -> None:
    assert expected in arabic_word_keys(word)


def test_arabic_function_words_give_no_keys() -> None:
    assert arabic_word_keys("في") == arabic_word_keys("على") == arabic_word_keys("بين") == frozenset()


def test_same_concept_same_key_in_three_languages() -> None:
    zh = sentence_keys("中方愿同伊方加强战略伙伴关系。", "zh")
    en = sentence_keys("China is ready to strengthen the strategic partnership with Iraq.", "en")
    ar = sentence_keys("الصين مستعدة لتعزيز الشراكة الاستراتيجية مع العراق.", "ar")
    for key in ("#name:china", "#name:iraq", "strateg"):
        assert key in zh and key in en and key in ar
    assert "strengthen" in zh and "strengthen" in en


def test_names_are_keys_not_dictionary_words() -> None:
    assert sentence_keys("伊拉克", "zh") == sentence_keys("Iraq", "en") == sentence_keys("العراق", "ar") == \
        {"#name:iraq"}
    assert sentence_keys("哈基姆", "zh") == sentence_keys("Alhakim", "en") == {"#name:alhakim", "#name:iraq"}


def test_sample_readout_gold_pairs_share_more_keys_than_shifted_pairs() -> None:
    keys = {lang: [sentence_keys(s, lang) for s in sents(lang)] for lang in ("zh", "en", "ar")}

    def overlap(a: frozenset[str], b: frozenset[str]) -> float:
        return len(a & b) / min(len(a), len(b)) if a and b else 0.0

    for pair in ("zh-en", "en-ar", "zh-ar"):
        src, tgt = pair.split("-")
        beads = one_to_one(pair)
        gold = [overlap(keys[src][i], keys[tgt][j]) for i, j in beads]
        shifted = [overlap(keys[src][beads[k][0]], keys[tgt][beads[k + 1][1]]) for k in range(len(beads) - 1)]
        assert all(g > 0 for g in gold), pair
        assert sum(g > s for g, s in zip(gold, shifted)) >= len(shifted) - 1, pair
        assert sum(gold) / len(gold) > 2 * sum(shifted) / len(shifted), pair


def test_content_words_show_the_missing_qualifier() -> None:
    # zh 17 and ar 15 say "comprehensive strategic partnership"; en 17 says "comprehensive partnership".
    en_keys = sentence_keys(sents("en")[17], "en")
    for lang, i in (("zh", 17), ("ar", 15)):
        unmatched = [u for u in content_words(sents(lang)[i], lang) if "strateg" in u.keys]
        assert unmatched and not unmatched[0].keys & en_keys
        text = sents(lang)[i]
        assert text[unmatched[0].start:unmatched[0].end] == unmatched[0].text


def test_content_words_include_anchors_with_spans() -> None:
    text = sents("ar")[0]
    units = content_words(text, "ar")
    date = [u for u in units if u.kind == "date"]
    assert [u.text for u in date] == ["٩ آذار/مارس"]
    assert all(text[u.start:u.end] == u.text for u in units)
    assert [u.start for u in units] == sorted(u.start for u in units)


def test_language_tags_are_normalised_and_bad_ones_rejected() -> None:
    assert sentence_keys("伊拉克", "zh-CN") == {"#name:iraq"}
    with pytest.raises(InvalidInput):
        sentence_keys("hello", "xx")


@pytest.mark.parametrize("name", ["People's Republic of China", "One Belt One Road", "Foreign Minister", "Iraq"])
def test_a_names_english_words_have_the_keys_a_dictionary_gloss_of_it_has(name):
    # comparison asks whether a name is said in dictionary words by checking these keys against a sentence's glosses'
    # keys: both must come out of the same tokenising, stemming and stopwords.
    assert english_word_keys(name) == frozenset(gloss_keys([name]))
    assert english_word_keys(name)


def test_a_name_of_stopwords_only_has_no_word_keys():
    assert english_word_keys("US") == frozenset() == english_word_keys("WHO")
