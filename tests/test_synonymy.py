"""Synonymy from CC-CEDICT's glosses (engine/synonymy.py): relates words a dictionary key alone does not."""
from __future__ import annotations

from triglot_server.engine.lexicon import content_words, sentence_keys, stem
from triglot_server.engine.synonymy import expand, one_word_senses, related, synonyms


def test_two_words_glossing_the_same_headword_are_synonyms():
    # 看法 "view; opinion", 见解 "opinion; view; understanding"
    assert stem("opinion") in synonyms(stem("view"))
    assert stem("view") in synonyms(stem("opinion"))


def test_exchanged_views_is_said_where_chinese_has_yijian():
    en, zh = "The two sides exchanged views.", "双方交换了意见。"
    views = next(w for w in content_words(en, "en") if w.text == "views")
    zh_keys = sentence_keys(zh, "zh")
    assert not views.keys & zh_keys  # the dictionary alone does not relate them
    assert related(views.keys, zh_keys)
    yijian = next(w for w in content_words(zh, "zh") if w.text == "意见")
    assert related(yijian.keys, sentence_keys(en, "en"))


def test_unrelated_words_stay_unrelated():
    assert not related(frozenset({stem("vaccine")}), sentence_keys("双方交换了意见。", "zh"))
    assert stem("gridiron") not in synonyms(stem("cooperation"))


def test_polysemous_hubs_do_not_relate_to_each_other():
    # "support" and "bear" both gloss many headwords (支持, 承受, 负担 ...): their relation is dropped, while
    # support ~ aid (援助 "aid; support") stays.
    assert stem("bear") not in synonyms(stem("support"))
    assert stem("aid") in synonyms(stem("support"))


def test_one_word_senses_and_anchor_keys():
    assert one_word_senses(["to view", "point of view", "opinion (of sb)", "CL:個|个[ge4]", "the"]) == ["view", "opinion"]
    assert expand(frozenset({"#name:iraq"})) == frozenset({"#name:iraq"})
