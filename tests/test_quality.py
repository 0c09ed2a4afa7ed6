"""Quality flags: silent on the gold translations of the sample readout, firing on crafted Argos failure outputs."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from triglot_server.engine.quality import (
    FLAGS,
    LENGTH_OUTLIER,
    REPETITION,
    UNTRANSLATED,
    WRONG_SCRIPT,
    assess,
    longest_loop,
    tokens,
)

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"


def _sents(language: str) -> list[str]:
    return (SAMPLE / f"{language}.sents").read_text(encoding="utf-8").splitlines()


def gold_pairs(source: str, target: str) -> list[tuple[str, str]]:
    """Every 1-1 bead of the gold alignment `source-target.align`, as (source sentence, target sentence)."""
    src, tgt = _sents(source), _sents(target)
    pairs = []
    for line in (SAMPLE / f"{source}-{target}.align").read_text(encoding="utf-8").splitlines():
        left, right = (ast.literal_eval(side) for side in line.split(":"))
        if len(left) == 1 and len(right) == 1:
            pairs.append((src[left[0]], tgt[right[0]]))
    return pairs


@pytest.mark.parametrize("source,target", [("zh", "en"), ("en", "ar"), ("zh", "ar")])
def test_gold_translations_raise_no_flag_in_either_direction(source: str, target: str) -> None:
    pairs = gold_pairs(source, target)
    assert len(pairs) >= 13  # zh-ar has 13 1-1 beads, the others 16
    for src, tgt in pairs:
        assert assess(src, tgt, source, target) == (), (src, tgt)
        assert assess(tgt, src, target, source) == (), (tgt, src)


# Crafted failure outputs, each shaped like a reported Argos failure.
EN = "Alhakim said that Iraq and China enjoy a long standing friendship."
ZH = "哈基姆表示，伊中两国友谊源远流长。"
AR = "وقال الحكيم إن العراق والصين تربطهما صداقة عريقة."


@pytest.mark.parametrize("source,target,src,out,expected", [
    # argos-translate#496: the source comes back unchanged.
    ("en", "ar", EN, EN, {UNTRANSLATED, WRONG_SCRIPT}),
    ("zh", "en", ZH, ZH, {UNTRANSLATED, WRONG_SCRIPT}),
    ("ar", "zh", AR, AR, {UNTRANSLATED, WRONG_SCRIPT}),
    # Nearly the input: case and punctuation changed, one word dropped.
    ("en", "zh", EN, "alhakim said that Iraq and China enjoy a long friendship", {UNTRANSLATED, WRONG_SCRIPT}),
    # #383: most words left in the source language, a few translated.
    ("en", "ar", EN, "Alhakim said that Iraq and China صداقة friendship.", {UNTRANSLATED, WRONG_SCRIPT}),
    # #444: a runaway loop from a short sentence.
    ("en", "zh", "(Applause)", "(掌声) " * 12, {REPETITION, LENGTH_OUTLIER}),
    ("en", "zh", EN, "哈基姆表示，伊中两国友谊源远流长" + "长" * 9, {REPETITION}),
    ("zh", "en", ZH, "Alhakim said that the friendship, the friendship, the friendship, the friendship.", {REPETITION}),
    ("en", "ar", EN, "وقال الحكيم إن العراق والصين " + "العراق والصين " * 3, {REPETITION}),
    # Truncated and run-on outputs.
    ("zh", "en", "在伊拉克人民抗击新冠肺炎疫情最关键的时刻，中方无私提供援助，向巴格达派遣抗疫医疗专家组并运送医疗物资。",
     "At the moment.", {LENGTH_OUTLIER}),
    ("en", "zh", "Wang Yi said.", "王毅说，中方愿同伊方一道，加强抗疫合作，推动两国全面战略伙伴关系不断向前发展，造福两国人民。" * 2,
     {LENGTH_OUTLIER}),
    ("en", "ar", EN, "", {LENGTH_OUTLIER, WRONG_SCRIPT}),
    # A pivot leaking its intermediate language: zh→ar answered in English.
    ("zh", "ar", ZH, "Alhakim said that Iraq and China enjoy a long standing friendship.", {WRONG_SCRIPT}),
    ("en", "zh", EN, "وقال الحكيم إن العراق والصين تربطهما صداقة عريقة.", {WRONG_SCRIPT}),
])
def test_failure_outputs_raise_their_flags(source: str, target: str, src: str, out: str, expected: set[str]) -> None:
    assert set(assess(src, out, source, target)) == expected


def test_flags_come_in_a_fixed_order() -> None:
    flags = assess(EN, EN + " " + EN + " " + EN + " " + EN, "en", "ar")
    assert flags == tuple(f for f in FLAGS if f in flags)
    assert {UNTRANSLATED, REPETITION, LENGTH_OUTLIER, WRONG_SCRIPT} == set(flags)


@pytest.mark.parametrize("source,target,src,out", [
    ("en", "zh", "Yes.", "是。"),  # short sentences: the slack absorbs the ratio's noise
    ("zh", "en", "好。", "Good."),
    ("en", "ar", "2020", "2020"),  # no letters: nothing to translate
    ("zh", "en", "新冠肺炎", "COVID-19"),
    ("en", "zh", "Wang Yi met Alhakim on 9 March 2020.", "王毅于2020年3月9日会见Alhakim。"),  # a name kept in Latin
    # The source itself repeats: its translation may too.
    ("en", "zh", "Thank you, thank you, thank you, thank you!", "谢谢，谢谢，谢谢，谢谢！"),
    ("zh", "en", "所多玛王，蛾摩拉王，押玛王，洗扁王，比拉王都出来了。",
     "And there went out the king of Sodom, and the king of Gomorrah, and the king of Admah, "
     "and the king of Zeboiim, and the king of Bela."),
    ("en", "zh", "We need very, very careful work.", "我们需要非常非常细致的工作。"),
])
def test_plausible_translations_raise_no_flag(source: str, target: str, src: str, out: str) -> None:
    assert assess(src, out, source, target) == ()


def test_tokens_split_han_characters_words_and_punctuation() -> None:
    assert tokens("王毅说：COVID-19 حكيم!") == ["王", "毅", "说", "：", "covid", "-", "19", "حكيم", "!"]


def test_longest_loop_finds_the_shortest_period_of_the_longest_repeat() -> None:
    assert longest_loop(tokens("(掌声) (掌声) (掌声) (掌声)")) == (4, 4)
    assert longest_loop(tokens("谢谢谢谢谢谢")) == (1, 6)
    assert longest_loop(tokens("a b c a b c a b c d")) == (3, 3)
    assert longest_loop(tokens("…… !! ?? ??")) == (0, 0)  # punctuation alone never loops
    assert longest_loop([]) == (0, 0)
