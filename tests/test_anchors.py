"""Numbers, dates and names normalised across English, Chinese and Arabic (engine/anchors.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from triglot_server.engine.anchors import (
    Anchor, DATA_DIR, anchor_keys, cedict_path, extract_anchors, find_names, numeral_words_file_text,
    parse_zh_number,
)
from triglot_server.engine.types import InvalidInput

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"


def keys(text: str, lang: str, kind: str | None = None) -> frozenset[str]:
    return anchor_keys([a for a in extract_anchors(text, lang) if kind is None or a.kind == kind])


@pytest.mark.parametrize("text, lang", [("9", "en"), ("nine", "en"), ("٩", "ar"), ("۹", "ar"), ("九", "zh"),
                                        ("９", "zh"), ("9", "zh")])
def test_nine_in_every_script(text: str, lang: str) -> None:
    assert keys(f"x {text} x" if lang != "zh" else f"有{text}个", lang) == {"#num:9"}


def test_nine_does_not_match_nineteen_and_2020_not_2030() -> None:
    assert keys("19 people", "en") == {"#num:19"}
    assert keys("十九个", "zh") == {"#num:19"}
    assert keys("١٩ شخصا", "ar") == {"#num:19"}
    assert keys("in 2020", "en") != keys("2030年", "zh")
    assert keys("二〇二〇年", "zh") == {"#num:2020"} == keys("عام ٢٠٢٠", "ar")
    assert keys("二〇三〇年", "zh") == {"#num:2030"}


def test_amounts_with_scales_agree() -> None:
    expected = {"#num:107500000000"}
    assert keys("贸易额达1075亿美元", "zh") == expected
    assert keys("trade reached 107.5 billion dollars", "en") == expected
    assert keys("بلغت التجارة 107.5 مليار دولار", "ar") == expected
    assert keys("بلغت التجارة ١٠٧٫٥ مليار دولار", "ar") == expected
    assert keys("trade reached 106.5 billion dollars", "en") != expected  # the readout-style mismatch stays visible


def test_ordinals_and_anniversaries() -> None:
    assert keys("the 35th anniversary", "en") == keys("建交35周年", "zh") == {"#num:35"}
    assert keys("the thirty-fifth anniversary", "en") == {"#num:35"}


@pytest.mark.parametrize("text, value", [("十九", 19), ("二〇二〇", 2020), ("一百零五", 105), ("三千五百万", 35_000_000),
                                         ("1075亿", 107_500_000_000), ("3.5万", 35_000), ("两千", 2000),
                                         ("一亿三千万", 130_000_000), ("十", 10)])
def test_parse_chinese_numerals(text: str, value: int) -> None:
    assert parse_zh_number(text) == value


def test_english_number_words() -> None:
    assert [a.value for a in extract_anchors("two hundred and five men, forty days and forty nights", "en")] == \
        ["205", "40", "40"]
    assert [a.value for a in extract_anchors("two and two of all flesh", "en")] == ["2", "2"]  # not 4
    assert extract_anchors("no one came at first", "en") == []


def test_chinese_words_containing_numerals_are_not_numbers() -> None:
    assert keys("一些人十分高兴，百姓一起来了", "zh") == frozenset()
    assert keys("三十分钟", "zh") == {"#num:30"}  # 十分 "very" does not swallow a real number


def test_small_spelled_numbers_are_weak() -> None:
    (two,) = extract_anchors("来了两个人", "zh")
    assert two.value == "2" and two.weak
    (digits,) = extract_anchors("2 countries", "en")
    assert not digits.weak


def test_percentages() -> None:
    assert keys("增长百分之五", "zh") == keys("grew 5 percent", "en") == keys("نما بنسبة ٥٪", "ar") == {"#num:5%"}


def test_one_date_three_ways_is_one_anchor() -> None:
    zh = extract_anchors("3月9日，国务委员兼外长王毅应约同伊拉克外长哈基姆通电话。", "zh")
    en = extract_anchors("On 9 March, Chinese State Councillor & Foreign Minister Wang Yi took a call.", "en")
    ar = extract_anchors("في ٩ آذار/مارس، تلقى وزير الخارجية الصيني وانغ يي اتصالاً هاتفياً.", "ar")
    for anchors in (zh, en, ar):
        dates = [a for a in anchors if a.kind == "date"]
        assert [d.value for d in dates] == ["--03-09"]
        assert not [a for a in anchors if a.kind == "number"]  # the day is not a free number
    assert keys("March 9", "en", "date") == keys("٩ مارس", "ar", "date") == keys("三月九日", "zh", "date") == \
        {"#date:3-9"}
    assert keys("March 19", "en") != keys("March 9", "en")


def test_dates_with_years_give_the_year_as_a_number() -> None:
    assert keys("March 9, 2020", "en") == keys("2020年3月9日", "zh") == keys("9 آذار 2020", "ar") == \
        {"#date:3-9", "#num:2020"}


def test_spans_point_into_the_text() -> None:
    text = "增长十九个百分点，达1075亿美元"
    for a in extract_anchors(text, "zh"):
        assert text[a.start:a.end] == a.text


def test_names_across_languages() -> None:
    assert keys("伊拉克", "zh") == keys("Iraq", "en") == keys("العراق", "ar") == {"#name:iraq"}
    assert keys("在巴格达", "zh") == keys("to Baghdad", "en") == keys("إلى بغداد", "ar") == \
        {"#name:baghdad", "#name:iraq"}
    assert keys("王毅", "zh") == keys("Wang Yi", "en") == keys("وانغ يي", "ar") == {"#name:wang_yi", "#name:china"}
    # clitics and nisba adjectives in Arabic
    assert keys("وبالعراق", "ar") == keys("الشعب العراقي", "ar") == {"#name:iraq"}
    assert keys("القادة الصينيين", "ar") == {"#name:china"}
    assert keys("ورئيس وزرائه", "ar") == {"#name:prime_minister"}


def test_longest_name_wins_and_acronyms_need_exact_case() -> None:
    names = find_names("the Belt & Road Initiative and the US", "en")
    assert [n.value for n in names] == ["belt_and_road", "usa"]
    assert find_names("give it to us", "en") == []
    assert [n.value for n in find_names("عضو مجلس الدولة", "ar")] == ["state_councilor"]


def test_misspelt_country_is_a_weak_name() -> None:
    (irapi,) = [a for a in extract_anchors("the Irapi people", "en") if a.kind == "name"]
    assert irapi.value == "iraq" and irapi.weak


def test_sample_readout_first_sentences_share_all_anchor_keys() -> None:
    zh = (EXAMPLES / "zh.sents").read_text(encoding="utf-8").splitlines()
    en = (EXAMPLES / "en.sents").read_text(encoding="utf-8").splitlines()
    ar = (EXAMPLES / "ar.sents").read_text(encoding="utf-8").splitlines()
    k_zh, k_en, k_ar = keys(zh[0], "zh"), keys(en[0], "en"), keys(ar[0], "ar")
    assert k_zh == k_en == k_ar
    assert {"#date:3-9", "#name:iraq", "#name:china", "#name:wang_yi", "#name:alhakim"} <= k_zh


def test_bad_language_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        extract_anchors("9", "fr")


def test_anchor_keys_union() -> None:
    a = Anchor("number", "9", 0, 1, "9")
    b = Anchor("name", "beijing", 2, 9, "Beijing", implies=("china",))
    assert anchor_keys([a, b]) == {"#num:9", "#name:beijing", "#name:china"}


def test_numeral_word_list_is_fresh() -> None:
    """data/zh_numeral_words.txt is what CC-CEDICT gives today (regenerate with the command in its header)."""
    assert (DATA_DIR / "zh_numeral_words.txt").read_text(encoding="utf-8") == numeral_words_file_text(cedict_path())
