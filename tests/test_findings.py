"""Each detector of the comparison on small hand-made trilingual cases (engine.comparison.findings).

Every case is a pair (or trio) of faithful renderings with at most one planted difference: a detector must report
the planted one and nothing on the faithful ones."""
from __future__ import annotations

import pytest

from triglot_server.engine import analysis
from triglot_server.engine.qualifiers import find_qualifiers
from triglot_server.engine.comparison import FindingKind, Severity, Version, compare
from triglot_server.engine.segmentation import sentences_from_lines


def _compare(**versions: list[str]):
    """Versions named by keyword: zh, en, ar, or zh2 (a second Chinese version): the language is the name's start."""
    return compare([Version(name, name[:2], sentences_from_lines(lines)) for name, lines in versions.items()])


def _found(result) -> list[tuple[str, str]]:
    return [(f.kind.value, f.evidence) for f in result.findings if f.kind != FindingKind.LOW_CONFIDENCE]


# ---------------------------------------------------------------- datelines

EN_CALL = ["BEIJING, Aug. 6 (Xinhua) -- Chinese Foreign Minister Wang Yi on Tuesday held a phone conversation with "
           "Egyptian Foreign Minister Badr Abdelatty.",
           "The two sides exchanged views on the situation in the Middle East."]
AR_CALL = ["أجرى وزير الخارجية الصيني وانغ يي يوم الثلاثاء محادثات هاتفية مع وزير الخارجية المصري بدر عبد العاطي.",
           "وتبادل الجانبان وجهات النظر حول الوضع في الشرق الأوسط."]


def test_a_dateline_in_one_version_only_is_no_finding_when_the_other_states_the_day() -> None:
    result = _compare(en=EN_CALL, ar=AR_CALL)
    assert _found(result) == []
    dateline = analysis.analyse(EN_CALL[0], "en").dateline
    assert dateline is not None and dateline.agency == "xinhua" and EN_CALL[0][dateline.end:].startswith("Chinese")


def test_a_dateline_alone_with_its_place_and_date_is_one_low_severity_anchor_finding() -> None:
    ar = [AR_CALL[0].replace(" يوم الثلاثاء", ""), AR_CALL[1]]  # the Arabic now says nothing of when
    findings = [f for f in _compare(en=EN_CALL, ar=ar).findings if f.kind != FindingKind.LOW_CONFIDENCE]
    assert len(findings) == 1
    (f,) = findings
    assert f.kind in (FindingKind.NUMBER_MISMATCH, FindingKind.NAME_MISMATCH) and f.severity == Severity.LOW
    assert "BEIJING, Aug. 6 (Xinhua)" in f.evidence and 0 < f.confidence < 0.9


def test_two_datelines_with_different_days_are_one_anchor_finding() -> None:
    zh = ["新华社北京8月7日电 外交部长王毅6日同埃及外长阿卜杜勒阿提通电话。", "双方就中东局势交换了意见。"]
    result = _compare(zh=zh, en=EN_CALL)
    dateline = [f for f in result.findings if "dateline" in f.evidence]
    assert len(dateline) == 1 and dateline[0].severity == Severity.LOW and "date" in dateline[0].evidence


# ---------------------------------------------------------------- names

def test_the_kingdom_refers_to_saudi_arabia() -> None:
    en = ["Wang Yi met Saudi Foreign Minister Faisal bin Farhan in Beijing.",
          "Saudi Arabia supports the Global Development Initiative."]
    ar = ["التقى وانغ يي وزير الخارجية السعودي فيصل بن فرحان في بكين.",
          "وتدعم المملكة مبادرة التنمية العالمية."]
    assert [k for k, _ in _found(_compare(en=en, ar=ar))] == []


def test_the_saudi_side_refers_to_saudi_arabia_and_a_different_country_is_a_name_mismatch() -> None:
    zh = ["王毅会见沙特外交大臣费萨尔。", "中方感谢沙方在涉及中方核心利益问题上给予理解支持。"]
    en = ["Wang Yi met Saudi Foreign Minister Faisal.",
          "China thanks Saudi Arabia for its understanding and support on issues concerning China's core interests."]
    assert _found(_compare(zh=zh, en=en)) == []
    wrong = [en[0], en[1].replace("Saudi Arabia", "Qatar")]
    found = _found(_compare(zh=zh, en=wrong))
    assert [k for k, _ in found] == ["name_mismatch"] and "Qatar" in found[0][1]


def test_g20_and_its_arabic_name_and_ordinals_in_words_are_the_same() -> None:
    en = ["Wang Yi attended the G20 Foreign Ministers' Meeting.",
          "China will host the 10th ministerial meeting of the forum."]
    ar = ["حضر وانغ يي اجتماع وزراء خارجية مجموعة العشرين.",
          "وستستضيف الصين الاجتماع الوزاري العاشر للمنتدى."]
    assert _found(_compare(en=en, ar=ar)) == []
    changed = [ar[0], ar[1].replace("العاشر", "الحادي عشر")]
    assert _found(_compare(en=["Wang Yi attended the G20 Foreign Ministers' Meeting.",
                               "China will host the 10th ministerial meeting of the forum in 2026."],
                           ar=[changed[0], changed[1].replace("للمنتدى", "للمنتدى عام 2027")]))[0][0] == \
        "number_mismatch"


# ---------------------------------------------------------------- qualifiers

ZH_REQUEST = ["当地时间2月22日,外交部长王毅应约同埃及外长阿卜杜勒阿提通电话。", "双方就地区局势进行了深入沟通。"]
EN_REQUEST = ["On Feb. 22 local time, Foreign Minister Wang Yi held a phone call with Egyptian Foreign Minister "
              "Badr Abdelatty at the request of the latter.",
              "The two sides had in-depth communication on the regional situation."]


def test_at_the_request_of_said_on_both_sides_is_no_finding() -> None:
    assert _found(_compare(zh=ZH_REQUEST, en=EN_REQUEST)) == []


def test_at_the_request_of_dropped_is_a_content_difference_naming_it() -> None:
    en = [EN_REQUEST[0].replace(" at the request of the latter", ""), EN_REQUEST[1]]
    result = _compare(zh=ZH_REQUEST, en=en)
    (f,) = [f for f in result.findings if f.kind != FindingKind.LOW_CONFIDENCE]
    assert f.kind == FindingKind.CONTENT_DIFFERENCE and "应约" in f.evidence and "(at request)" in f.evidence
    assert [(r.version, r.sentence) for r in f.refs] == [("zh", 0), ("en", 0)]
    zh = result.versions[0]
    assert zh.sentences[0].text[f.refs[0].start - zh.sentences[0].start:][:2] == "应约"


def test_a_qualifier_in_all_three_is_no_finding_and_one_version_lacking_it_is_confirmed_by_two() -> None:
    zh = ["双方同意推动中沙全面战略伙伴关系不断发展。"]
    en = ["The two sides agreed to advance the China-Saudi Arabia comprehensive strategic partnership."]
    ar = ["واتفق الجانبان على دفع الشراكة الاستراتيجية الشاملة بين الصين والسعودية."]
    assert _found(_compare(zh=zh, en=en, ar=ar)) == []
    result = _compare(zh=zh, en=[en[0].replace("comprehensive ", "")], ar=ar)
    (f,) = [f for f in result.findings if f.kind != FindingKind.LOW_CONFIDENCE]
    assert f.kind == FindingKind.CONTENT_DIFFERENCE and "(comprehensive)" in f.evidence
    assert f.severity == Severity.HIGH and f.confidence >= 0.9  # said by two languages, lacking in the third
    assert {r.version for r in f.refs} == {"zh", "en", "ar"}


def test_one_chinese_character_or_a_negation_is_reported_only_when_another_language_confirms_it() -> None:
    # 愿 is "willing" in 中方愿同…, but "may" in a wish: alone it shows the concept, and proves nothing.
    assert [h.concept for h in find_qualifiers("愿你平安。", "zh")] == ["modal_willingness"]
    assert _found(_compare(zh=["愿你平安。"], en=["Peace be with you."])) == []
    zh, en = ["中方不接受这一做法。"], ["China does not accept this practice."]
    ar = ["الصين لا تقبل هذه الممارسة."]
    assert _found(_compare(zh=zh, en=en, ar=ar)) == []
    assert _found(_compare(zh=zh, en=["China accepts this practice."])) == []  # two versions: never alone
    found = _found(_compare(zh=zh, en=["China accepts this practice."], ar=ar))
    assert [k for k, _ in found] == ["content_difference"] and "(negation)" in found[0][1]


# ---------------------------------------------------------------- same language

ZH = ["中方愿同沙方深化全面战略伙伴关系。", "双方同意加强能源合作。"]
EN = ["China is willing to deepen the comprehensive strategic partnership with Saudi Arabia.",
      "The two sides agreed to strengthen energy cooperation."]


def test_a_version_compared_with_itself_or_a_copy_with_one_number_changed() -> None:
    assert _found(_compare(zh=ZH, zh2=ZH)) == []
    numbers = ["今年双方贸易额增长了5%。"]
    changed = _found(_compare(zh=numbers, zh2=["今年双方贸易额增长了7%。"]))
    assert [k for k, _ in changed] == ["number_mismatch"]


def test_two_chinese_versions_are_diffed_directly_and_never_confirm_each_other() -> None:
    zh2 = [ZH[0].replace("战略", ""), ZH[1]]
    found = _found(_compare(zh=ZH, zh2=zh2, en=EN))
    assert ("content_difference", "zh 0 and zh2 0 differ: “战略” → “∅”") in found
    assert any("(strategic) has no counterpart in zh2 0" in e for _, e in found)
    assert len(found) == 2
    # A word both Chinese copies have and English lacks is said by one language only: not "confirmed".
    en = [EN[0].replace("comprehensive ", ""), EN[1]]
    result = _compare(zh=ZH, zh2=ZH, en=en)
    (f,) = [f for f in result.findings if f.kind != FindingKind.LOW_CONFIDENCE]
    assert "(comprehensive)" in f.evidence and f.severity == Severity.MEDIUM and f.confidence < 0.9


@pytest.mark.parametrize("language,text", [
    ("en", "ABU DHABI, 11th March, 2026 (WAM) -- H.H. Sheikh Abdullah bin Zayed met Zhai Jun."),
    ("zh", "新华社达喀尔11月30日电 当地时间11月29日,王毅会见拉马拉。"),
    ("ar", "بكين 28 مارس 2024 (شينخوا) التقى وانغ يي أحمد مصطفى فهمي."),
])
def test_the_dateline_is_not_body_text(language: str, text: str) -> None:
    a = analysis.analyse(text, language)
    assert a.dateline is not None
    assert all(x.start >= a.dateline.end for x in a.anchors + tuple(a.words))
    assert a.dateline_anchors  # its place or date is still known, as the dateline's

