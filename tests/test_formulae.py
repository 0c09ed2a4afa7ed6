"""Diplomatic formulae (engine/formulae.py, data/formulae.tsv): a phrase said on both sides is recognised as such."""
from __future__ import annotations

import pytest

from triglot_server.engine.formulae import FormulaCategory, find_formulae, formulae, shared_formulae
from triglot_server.engine.qualifiers import qualifiers


def concepts(text: str, lang: str) -> set[str]:
    return {h.concept for h in find_formulae(text, lang)}


def test_the_table_is_a_few_hundred_formulae_in_three_languages_and_repeats_no_qualifier():
    table = formulae()
    assert 150 <= len(table) <= 300
    for f in table.values():
        for lang in ("en", "zh", "ar"):
            assert [x for x in f.forms[lang] if not x.startswith("!")], (f.concept, lang)
    assert not set(table) & set(qualifiers())
    assert table["video_call"].category is FormulaCategory.EVENT


@pytest.mark.parametrize("versions, concept", [
    ((("举行视频通话", "zh"), ("held a video call", "en"), ("أجرى اتصالاً عبر الفيديو", "ar")), "video_call"),
    ((("双方交换了意见", "zh"), ("the two sides exchanged views", "en"), ("تبادل الجانبان وجهات النظر", "ar")),
     "exchanged_views"),
    ((("双方交换了意见", "zh"), ("the two sides exchanged views", "en"), ("تبادل الجانبان وجهات النظر", "ar")),
     "both_sides"),
    ((("王毅同埃及外长通电话", "zh"), ("Wang Yi held a phone conversation with", "en"),
      ("أجرى وانغ يي اتصالاً هاتفياً مع", "ar")), "phone_call"),
    ((("王毅表示", "zh"), ("Wang Yi said", "en"), ("وقال وانغ يي", "ar")), "said"),
    ((("王毅强调", "zh"), ("Wang stressed", "en"), ("وأكد وانغ", "ar")), "stressed"),
    ((("王毅会见阿盟秘书长", "zh"), ("Wang Yi met with the LAS Secretary-General", "en"),
      ("التقى وانغ يي الأمين العام", "ar")), "met_with"),
    ((("落实两国元首共识", "zh"), ("implement the consensus reached by the two heads of state", "en"),
      ("تنفيذ التوافق الذي توصل إليه رئيسا البلدين", "ar")), "consensus"),
    ((("进一步深化务实合作", "zh"), ("further deepen practical cooperation", "en"), ("تعميق التعاون العملي", "ar")),
     "deepen"),
    ((("构建中阿命运共同体", "zh"), ("build a China-Arab community with a shared future", "en"),
      ("بناء مجتمع مصير مشترك صيني عربي", "ar")), "community_shared_future"),
    ((("双方就共同关心的问题交换意见", "zh"), ("on issues of common concern", "en"),
      ("بشأن القضايا محل الاهتمام المشترك", "ar")), "common_concern"),
    ((("当地时间7月15日", "zh"), ("On July 15 local time", "en"), ("بالتوقيت المحلي", "ar")), "local_time"),
])
def test_a_formula_is_found_in_every_version(versions, concept):
    for text, lang in versions:
        assert concept in concepts(text, lang), (text, lang)


def test_shared_formulae_cover_the_words_a_dictionary_cannot_relate():
    # اتصالاً "a call" and 通电话 "to phone" have no dictionary key in common; the formula relates them.
    zh = "王毅应约同埃及外长阿卜杜勒阿提通电话。"
    ar = "أجرى وانغ يي اتصالاً هاتفياً مع عبد العاطي."
    in_zh, in_ar = shared_formulae(zh, "zh", ar, "ar")
    assert "phone_call" in {h.concept for h in in_zh} and "phone_call" in {h.concept for h in in_ar}
    call = next(h for h in in_ar if h.concept == "phone_call")
    assert ar[call.start:call.end] == call.text and "اتصال" in call.text


def test_a_formula_on_one_side_only_is_not_shared():
    in_en, in_zh = shared_formulae("The two sides exchanged views.", "en", "双方签署了协议。", "zh")
    assert {h.concept for h in in_en} == {"both_sides"} == {h.concept for h in in_zh}


@pytest.mark.parametrize("text, lang, concept", [
    ("王毅说", "zh", "said"),
    ("这说明了问题", "zh", "said"),        # 说明 "to explain": not 说 "said"
    ("王毅会见沙特外交大臣", "zh", "meeting"),  # 会见 "to meet with" is met_with, not 会 "meeting"
    ("外交部发言人", "zh", "minister"),
])
def test_one_character_forms_follow_cc_cedict_words(text, lang, concept):
    expected = text in ("王毅说", "外交部发言人")
    assert (concept in concepts(text, lang)) is expected
