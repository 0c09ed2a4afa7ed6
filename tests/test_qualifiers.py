"""Qualifiers (engine/qualifiers.py, data/qualifiers.tsv): found where a version says them, not where it does not."""
from __future__ import annotations

import pytest

from triglot_server.engine.qualifiers import QualifierGroup, QualifierWeight, concepts, find_qualifiers, qualifiers


def test_the_table_has_a_few_dozen_concepts_each_in_three_languages():
    table = qualifiers()
    assert len(table) >= 30
    for q in table.values():
        for lang in ("en", "zh", "ar"):
            assert [f for f in q.forms[lang] if not f.startswith("!")], (q.concept, lang)
    assert table["negation"].group is QualifierGroup.NEGATION
    assert table["modal_future"].weight is QualifierWeight.WEAK
    assert table["at_request"].weight is QualifierWeight.STRONG


# Real sentence pairs of the dev readouts where gold records a qualifier in one version only.
@pytest.mark.parametrize("a, la, b, lb, concept", [
    ("当地时间2025年2月22日,中共中央政治局委员、外交部长王毅在出席二十国集团约翰内斯堡外长会后回国途中应约同埃及外长阿卜杜勒阿提通电话。",
     "zh", "A lasting peace in the Israeli-Palestinian conflict can only be achieved through the two-state solution, "
     "Chinese Foreign Minister Wang Yi said in a phone conversation with Egyptian Foreign Minister Badr Abdelatty on "
     "Saturday.", "en", "at_request"),
    ("the UNPROVOKED Iranian missile attacks on the UAE", "en",
     "الاعتداءات الصاروخية الإيرانية الغاشمة على دولة الإمارات", "ar", "unprovoked"),
    ("الاعتداءات الصاروخية الإيرانية الغاشمة على دولة الإمارات", "ar",
     "the unprovoked Iranian missile attacks on the UAE", "en", "brutal"),
    ("祝贺中塞双方精心筹备并成功组织本次会议", "zh", "congratulated China and Senegal on successfully organizing the meeting",
     "en", "meticulous"),
    ("including an additional 1 billion doses of COVID-19 vaccines to Africa", "en", "对非提供10亿剂疫苗等重大举措", "zh",
     "additional"),
    ("双方同意推动中伊全面战略伙伴关系", "zh", "The two sides agreed to promote the China-Iraq comprehensive partnership", "en",
     "strategic"),
])
def test_a_qualifier_said_in_one_version_only(a, la, b, lb, concept):
    assert concept in concepts(a, la)
    assert concept not in concepts(b, lb)


# Real aligned sentences that say the same: the concept is found on both sides.
@pytest.mark.parametrize("texts, concept", [
    ((("3月9日，国务委员兼外长王毅应约同伊拉克外长哈基姆通电话。", "zh"),
      ("On 9 March, Chinese State Councillor & Foreign Minister Wang Yi took a phone call from Iraqi Foreign Minister "
       "Mohamad A. Alhakim.", "en"),
      ("في ٩ آذار/مارس، تلقى عضو مجلس الدولة ووزير الخارجية الصيني وانغ يي اتصالاً هاتفياً من وزير الخارجية العراقي "
       "محمد علي الحكيم.", "ar")), "at_request"),
    ((("the comprehensive strategic partnership between China and Egypt has achieved significant development", "en"),
      ("حققت الشراكة الاستراتيجية الشاملة بين الصين ومصر تطورا مهما", "ar"),
      ("中埃全面战略伙伴关系取得重要发展", "zh")), "comprehensive"),
    ((("China has always regarded Saudi Arabia as a priority in its diplomacy", "en"),
      ("中方始终把沙特视为中东外交的优先方向", "zh")), "always"),
    ((("China firmly supports Saudi Arabia in safeguarding its sovereignty, security and dignity", "en"),
      ("中方也坚定支持沙方维护自身主权、安全和尊严", "zh"),
      ("وتدعم الصين بقوة المملكة في الحفاظ على سيادتها وأمنها وكرامتها", "ar")), "sovereignty"),
    ((("firmly support each other's core interests", "en"), ("在涉及彼此核心利益问题上坚定相互支持", "zh"),
      ("ويدعم كل منهما بقوة المصالح الجوهرية للآخر", "ar")), "core_interests"),
    ((("firmly support each other's core interests", "en"), ("在涉及彼此核心利益问题上坚定相互支持", "zh"),
      ("ويدعم كل منهما بقوة المصالح الجوهرية للآخر", "ar")), "firmly"),
    ((("Jordan for adhering to the one-China principle", "en"), ("约方坚持一个中国原则", "zh"),
      ("التزام الأردن بمبدأ الصين الواحدة", "ar")), "one_china"),
    ((("China is ready to work with the League of Arab States", "en"), ("中方愿同阿盟一道", "zh"),
      ("الصين تقف على أهبة الاستعداد للعمل مع جامعة الدول العربية", "ar")), "modal_willingness"),
    ((("relations are enjoying their best period in history", "en"), ("中阿关系进入历史最好时期", "zh"),
      ("العلاقات تحظى بأفضل فتراتها في التاريخ", "ar")), "historic"),
    ((("Iraq will overcome the epidemic at an early date", "en"), ("伊拉克一定能早日战胜疫情", "zh"),
      ("العراق سيتغلب على الوباء في وقت قريب", "ar")), "soon"),
])
def test_the_same_qualifier_is_found_in_every_version(texts, concept):
    for text, lang in texts:
        assert concept in concepts(text, lang), (text, lang)


@pytest.mark.parametrize("text, lang, present", [
    # negation present
    ("China will not accept any interference", "en", True),
    ("China doesn't accept it", "en", True),
    ("China has never interfered in the internal affairs of Afghanistan", "en", True),
    ("中方不接受任何干涉", "zh", True),
    ("中国从不干涉阿内政", "zh", True),          # 从不 "never", although 不干涉 is "non-interference"
    ("双方没有分歧", "zh", True),
    ("ولن تقبل الإمارات بذلك", "ar", True),
    ("لم يتم التوصل إلى اتفاق", "ar", True),
    ("لا تقبل الصين أي تدخل", "ar", True),
    # not negation: lexical negation and lookalikes
    ("China will not only protect its own people but also help others", "en", False),
    ("中方不断推动双边合作", "zh", False),        # 不断 "unceasing"
    ("中方坚持不干涉内政原则", "zh", False),      # 不干涉 "non-interference"
    ("非洲国家和非盟", "zh", False),             # 非 "Africa"
    ("对非提供10亿剂疫苗", "zh", False),
    ("中阿关系非常重要", "zh", False),            # 非常 "very"
    ("面向未来", "zh", False),                   # 未来 "future"
    ("无论是在双边还是多边层面", "zh", False),      # 无论 "no matter"
    ("水势浩大，高山都淹没了", "zh", False),        # 淹没 "submerge", although 没了 is "to end"
    ("王毅说，中方从不干涉", "zh", True),           # leftmost word 从不 "never" decides over 不干涉
    ("لا سيما في المجال الاقتصادي", "ar", False),  # لا سيما "especially"
    ("the non-interference principle", "en", False),
])
def test_negation(text, lang, present):
    assert ("negation" in concepts(text, lang)) is present


@pytest.mark.parametrize("text, lang, concept, present", [
    ("两国应加强协调", "zh", "modal_obligation", True),
    ("应对疫情挑战", "zh", "modal_obligation", False),       # 应对 "to respond"
    ("这一点非常重要", "zh", "modal_obligation", False),      # 重要 "important", not 要 "must"
    ("双方要加强合作", "zh", "modal_obligation", True),
    ("the two sides should take the opportunity", "en", "modal_obligation", True),
    ("يتعين على الجانبين استغلال هذه الفرصة", "ar", "modal_obligation", True),
    ("中方将继续支持", "zh", "modal_future", True),
    ("王毅会见沙特外交大臣", "zh", "modal_future", False),     # 会见 "to meet"
    ("推动社会发展", "zh", "modal_future", False),            # 社会 "society"
    ("China will host the meeting", "en", "modal_future", True),
    ("وأن الصين ستستضيف الاجتماع الوزاري العاشر", "ar", "modal_future", True),
    ("وستواصل الإمارات العمل", "ar", "modal_future", True),
    ("السياسة الخارجية والسيادة الوطنية", "ar", "modal_future", False),
    ("خلال السنة الماضية", "ar", "modal_future", False),
    ("中方愿同沙方加强合作", "zh", "modal_willingness", True),
    ("沙特2030愿景", "zh", "modal_willingness", False),        # 愿景 "vision"
    ("China would like to work with Qatar", "en", "modal_willingness", True),
    ("China would like to work with Qatar", "en", "modal_future", False),
])
def test_modal_verbs(text, lang, concept, present):
    assert (concept in concepts(text, lang)) is present


@pytest.mark.parametrize("text, lang, concept", [
    ("Foreign Minister Wang Yi met at the request of his counterpart", "en", "at_request"),
    ("أجرى اتصالا هاتفيا بناء على طلب من نظيره", "ar", "at_request"),
    ("王毅应埃及外长邀请访问埃及", "zh", "at_invitation"),
    ("the all-round cooperation", "en", "all_round"),
    ("全方位合作", "zh", "all_round"),
    ("deep-rooted friendship", "en", "deep_rooted"),
    ("中沙友谊深厚", "zh", "deep_rooted"),
    ("صداقة عريقة", "ar", "deep_rooted"),
    ("last week", "en", "last_week"),
    ("上周", "zh", "last_week"),
    ("الأسبوع الماضي", "ar", "last_week"),
    ("the brutal aggression", "en", "brutal"),
    ("الاعتداءات الغاشمة", "ar", "brutal"),
    ("无端指责", "zh", "unprovoked"),
    ("الهجمات غير المبررة", "ar", "unprovoked"),
    ("الصين تدعم بحزم", "ar", "firmly"),
    ("中方坚决反对", "zh", "firmly"),
    ("للشراكة الاستراتيجية", "ar", "strategic"),        # clitic لل + article
    ("والاستراتيجيين", "ar", "strategic"),              # plural
    ("وسيادتها", "ar", "sovereignty"),                 # ة -> ت before a pronoun
    ("التوافق المهم", "ar", "important"),
])
def test_forms_and_inflections(text, lang, concept):
    assert concept in concepts(text, lang)


def test_hits_carry_spans_group_and_weight():
    text = "中方愿同沙方一道，坚定支持彼此核心利益。"
    hits = find_qualifiers(text, "zh")
    assert [(h.concept, h.text) for h in hits] == [("modal_willingness", "愿"), ("firmly", "坚定"),
                                                  ("core_interests", "核心利益")]
    for h in hits:
        assert text[h.start:h.end] == h.text
    assert hits[1].group is QualifierGroup.STANCE and hits[1].weight is QualifierWeight.STRONG


def test_one_concept_never_has_overlapping_hits():
    hits = find_qualifiers("中方将会继续支持", "zh")
    assert [(h.concept, h.text) for h in hits] == [("modal_future", "将会")]


def test_language_is_validated():
    with pytest.raises(Exception, match="language"):
        find_qualifiers("x", "de")
