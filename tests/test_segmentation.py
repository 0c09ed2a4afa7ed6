"""Sentence segmentation: the gold sample, the traps one by one, the offset contract, and adversarial input."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triglot_server.engine.segmentation import _STRIP, MAX_SENTENCE_CHARS, sentences_from_lines, split_sentences
from triglot_server.engine.types import InvalidInput, Sentence

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"
PARAGRAPH_BREAKS = "\x0c\x1c\x1d\x1e\u2029"
BLANK_LINE = re.compile("(\r\n|[\n\r\x0b\x85\u2028])[^\\S\n\r\x0b\x85\u2028]*(\r\n|[\n\r\x0b\x85\u2028])")


def stripped(ch: str) -> bool:
    """The characters a sentence may not begin or end with (and the only ones allowed between sentences)."""
    return ch.isspace() or ch in "\u200b\u2060\ufeff\u180e"


def check_contract(text: str, sentences: list[Sentence], max_chars: int = MAX_SENTENCE_CHARS) -> None:
    """Offsets inside the text and in order, text[start:end] == sentence, stripped, no paragraph end inside, no longer
    than max_chars, and nothing but whitespace left out."""
    previous_end = 0
    for i, sentence in enumerate(sentences):
        assert sentence.index == i
        assert previous_end <= sentence.start < sentence.end <= len(text)
        assert text[sentence.start:sentence.end] == sentence.text
        assert not stripped(sentence.text[0]) and not stripped(sentence.text[-1])
        assert not any(ch in PARAGRAPH_BREAKS for ch in sentence.text)
        assert not BLANK_LINE.search(sentence.text), "a sentence spans a blank line (a paragraph end)"
        assert len(sentence.text) <= max_chars
        assert all(stripped(ch) for ch in text[previous_end:sentence.start]), "characters were dropped"
        previous_end = sentence.end
    assert all(stripped(ch) for ch in text[previous_end:]), "characters were dropped"


def texts(text: str, language: str, **kwargs) -> list[str]:
    sentences = split_sentences(text, language, **kwargs)
    check_contract(text, sentences, kwargs.get("max_chars", MAX_SENTENCE_CHARS))
    return [s.text for s in sentences]


@pytest.mark.parametrize("language", ["en", "zh", "ar"])
def test_reproduces_the_gold_segmentation_of_the_sample(language):
    text = (SAMPLE / f"{language}.txt").read_text(encoding="utf-8")
    gold = (SAMPLE / f"{language}.sents").read_text(encoding="utf-8").splitlines()
    assert texts(text, language) == gold


# -- the sample's traps, one at a time ---------------------------------------------------------------------------

def test_trap_initial_before_surname():
    assert texts("Wang Yi took a call from Iraqi Foreign Minister Mohamad A. Alhakim. Alhakim said hello.", "en") == [
        "Wang Yi took a call from Iraqi Foreign Minister Mohamad A. Alhakim.", "Alhakim said hello."]


def test_trap_arabic_sentence_ending_in_closing_guillemet_then_period():
    text = "وأضاف: «نحن واثقون من أن العراق سيتغلب على الوباء». وأكد استعداد العراق."
    assert texts(text, "ar") == ["وأضاف: «نحن واثقون من أن العراق سيتغلب على الوباء».", "وأكد استعداد العراق."]


def test_trap_chinese_without_spaces():
    assert texts("哈基姆表示，伊中两国友谊源远流长。在伊拉克人民抗击疫情最关键的时刻，中方无私提供援助。伊方感谢中方。", "zh") == [
        "哈基姆表示，伊中两国友谊源远流长。", "在伊拉克人民抗击疫情最关键的时刻，中方无私提供援助。", "伊方感谢中方。"]


# -- general rules -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
    ("Mrs. Brown and Prof. Li arrived. Gen. Smith left.", ["Mrs. Brown and Prof. Li arrived.", "Gen. Smith left."]),
    ("The U.S. delegation arrived. The U.K. one did not.", ["The U.S. delegation arrived.", "The U.K. one did not."]),
    ("He moved to the U.S. The next year he left.", ["He moved to the U.S.", "The next year he left."]),
    ("See Resolution No. 2334 of the Council. No. They refused.",
     ["See Resolution No. 2334 of the Council.", "No.", "They refused."]),
    ("It rose 3.5 percent. Then 0.7 more.", ["It rose 3.5 percent.", "Then 0.7 more."]),
    ("Growth was 3. Then it fell.", ["Growth was 3.", "Then it fell."]),
    ("We waited... Nothing came. I thought… maybe not.", ["We waited...", "Nothing came.", "I thought… maybe not."]),
    ("J. R. R. Tolkien wrote it. George W. Bush read it.", ["J. R. R. Tolkien wrote it.", "George W. Bush read it."]),
    ("It was me and I. Then we left.", ["It was me and I.", "Then we left."]),
    ("Meet at 9 a.m. The talks start at 10 a.m. sharp.", ["Meet at 9 a.m.", "The talks start at 10 a.m. sharp."]),
    ("Apples, pears, etc. are fruit. Plums etc. The end.", ["Apples, pears, etc. are fruit.", "Plums etc.", "The end."]),
    ("Use e.g. tea. Or i.e. coffee.", ["Use e.g. tea.", "Or i.e. coffee."]),
    ("Visit example.com today. Version 2.0.1 is out.", ["Visit example.com today.", "Version 2.0.1 is out."]),
    ("1. Introduction. 2. Methods.", ["1. Introduction.", "2. Methods."]),
])
def test_english_abbreviations_initials_decimals_ellipses(text, expected):
    assert texts(text, "en") == expected


@pytest.mark.parametrize("text, expected", [
    ('He said "Stop." She stopped.', ['He said "Stop."', "She stopped."]),
    ("He said 'Stop.' She stopped.", ["He said 'Stop.'", "She stopped."]),
    ("He said “Stop.” She stopped.", ["He said “Stop.”", "She stopped."]),
    ("(This is an aside.) The text goes on.", ["(This is an aside.)", "The text goes on."]),
    ('"Why?" he asked. "Because!" she said.', ['"Why?" he asked.', '"Because!" she said.']),
    ("Really?! Yes. Why? and how?", ["Really?!", "Yes.", "Why?", "and how?"]),
    ("Is it so? Yes! It is.", ["Is it so?", "Yes!", "It is."]),
    ("The U.S., China and others agreed.", ["The U.S., China and others agreed."]),
])
def test_english_closers_and_question_marks(text, expected):
    assert texts(text, "en") == expected


@pytest.mark.parametrize("text, expected", [
    ("他说：「你好。」我们走吧！", ["他说：「你好。」", "我们走吧！"]),
    ("“中方支持伊方。”伊方表示感谢。", ["“中方支持伊方。”", "伊方表示感谢。"]),
    ("『好吗？』（是的。）再见", ["『好吗？』", "（是的。）", "再见"]),
    ("一是加强合作；二是深化交流。", ["一是加强合作；", "二是深化交流。"]),
    ("他沉默了……然后离开。", ["他沉默了……", "然后离开。"]),
    ("太好了!我们走吧?好.", ["太好了!", "我们走吧?", "好."]),
    ("增长3.5%。COVID-19 疫情。Mr. Wang 来了。", ["增长3.5%。", "COVID-19 疫情。", "Mr. Wang 来了。"]),
    ("真的吗？！是的。", ["真的吗？！", "是的。"]),
])
def test_chinese_terminators_and_closers(text, expected):
    assert texts(text, "zh") == expected


@pytest.mark.parametrize("text, expected", [
    ("هل أنت بخير؟ نعم! شكرا.", ["هل أنت بخير؟", "نعم!", "شكرا."]),
    ("أولا، التعاون؛ ثانيا، التنمية.", ["أولا، التعاون؛", "ثانيا، التنمية."]),
    ("في ٩ آذار/مارس، اتصل الوزير. وفي عام ٢٠٢٠. انتهى.", ["في ٩ آذار/مارس، اتصل الوزير.", "وفي عام ٢٠٢٠.", "انتهى."]),
    ("ارتفع بنسبة ٣.٥ في المئة. ثم انخفض.", ["ارتفع بنسبة ٣.٥ في المئة.", "ثم انخفض."]),
    ("التقى د. محمد بالوزير. ثم غادر.", ["التقى د. محمد بالوزير.", "ثم غادر."]),
    ("قال: «نعم؟» ثم غادر.", ["قال: «نعم؟»", "ثم غادر."]),
    ("وأكد الوزير.\u200f وقال إن.", ["وأكد الوزير.\u200f", "وقال إن."]),
])
def test_arabic_terminators_digits_and_quotes(text, expected):
    assert texts(text, "ar") == expected


def test_arabic_commas_and_colons_are_not_boundaries():
    # pysbd splits here; a comma "،" or a colon never ends an Arabic sentence.
    text = "من جانبه، قال وانغ يي: إن المرض يتفشى، ومن مصادر متعددة."
    assert texts(text, "ar") == [text]


@pytest.mark.parametrize("text, expected", [
    ("Mr.\nSmith", ["Mr.", "Smith"]),
    ("A title without a stop\n\nThe body. Goes on", ["A title without a stop", "The body.", "Goes on"]),
    ("one\r\ntwo\rthree\u2028four\u2029five\x85six", ["one", "two", "three", "four", "five", "six"]),
    ("标题\n正文。", ["标题", "正文。"]),
])
def test_line_breaks_of_short_lines_are_boundaries(text, expected):
    assert texts(text, "en") == expected


def test_offsets_are_code_points_into_the_original_text():
    text = "\ufeff  Hello 😀 world.  \r\n\n  第二句。 \t"
    sentences = split_sentences(text, "zh")
    assert [(s.text, s.start, s.end) for s in sentences] == [("Hello 😀 world.", 3, 17), ("第二句。", 24, 28)]
    check_contract(text, sentences)


def test_language_tags_are_normalized_and_bad_ones_rejected():
    assert texts("中方支持。伊方感谢。", "zh-CN") == ["中方支持。", "伊方感谢。"]
    with pytest.raises(InvalidInput, match="unsupported language 'fr'"):
        split_sentences("Bonjour.", "fr")
    with pytest.raises(InvalidInput, match="language code is empty"):
        split_sentences("Hello.", "")
    with pytest.raises(InvalidInput, match="max_chars"):
        split_sentences("Hello.", "en", max_chars=1)


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\u200b\ufeff \t"])
def test_empty_or_blank_text_has_no_sentences(text):
    assert split_sentences(text, "en") == []


# -- long and adversarial input ------------------------------------------------------------------------------------

def test_long_text_without_punctuation_is_cut_at_whitespace_within_the_limit():
    words = [f"w{i}" for i in range(40_000)]
    text = " ".join(words)  # about 230,000 characters, no punctuation
    sentences = texts(text, "en")
    assert len(sentences) > 1
    assert all(len(s) > MAX_SENTENCE_CHARS // 2 for s in sentences[:-1])  # cuts are in the window's second half
    assert " ".join(sentences).split(" ") == words  # no word lost or broken


def test_long_text_without_any_space_is_cut_at_the_limit_or_after_a_comma():
    assert texts("中" * 200_000, "zh") == ["中" * MAX_SENTENCE_CHARS] * (200_000 // MAX_SENTENCE_CHARS)
    clause = "中" * 599 + "，"
    assert texts(clause * 10, "zh") == [clause] * 10


def test_cut_never_separates_combining_marks_from_their_base():
    text = "x" + "e\u0301" * 3  # the limit of 4 falls on the second accent: cut before its "e"
    assert texts(text, "en", max_chars=4) == ["xe\u0301", "e\u0301e\u0301"]
    assert texts("e\u0301" * 3, "en", max_chars=4) == ["e\u0301e\u0301", "e\u0301"]


def test_unlimited_sentences_when_asked():
    text = "word " * 50_000
    assert len(texts(text, "en", max_chars=len(text))) == 1


def test_thousands_of_one_character_sentences():
    assert texts("好。" * 5_000, "zh") == ["好。"] * 5_000
    assert texts("!\n" * 5_000, "en") == ["!"] * 5_000
    assert texts("A? " * 5_000, "en") == ["A?"] * 5_000


@pytest.mark.parametrize("text", [
    "." * 50_000, "A. " * 20_000, "a.b." * 20_000, "\u200f" * 10_000 + ".", "\x00. \x00. \x00",
    "Mr. " * 10_000, "«»" * 10_000 + ".", ("x" * 23 + ". ") * 5_000, "\u0301" * 10_000,
])
def test_pathological_inputs_keep_the_contract(text):
    for language in ("en", "zh", "ar"):
        texts(text, language)


SPECIAL = list(".!?…؟؛。！？；,،:\"'”’»«」「』『）()[] \t\n\r\u2028\u00a0\u3000\x00\u200b\u200c\u200d\u200e\u200f"
               "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u0301\u064b\ufe0f")
LETTERS = list("AaBbIiMrsDUSNo019٩٠ابتحمدو中国好王") + ["Mr", "Dr", "U.S", "No", "e.g", "etc", "...", "د"]


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(st.one_of(st.sampled_from(SPECIAL), st.sampled_from(LETTERS),
                             st.characters(exclude_categories=())), max_size=120),
    language=st.sampled_from(["en", "zh", "ar"]),
    max_chars=st.integers(min_value=2, max_value=40),
)
def test_random_text_keeps_the_contract(parts, language, max_chars):
    text = "".join(parts)
    check_contract(text, split_sentences(text, language, max_chars=max_chars), max_chars)
    check_contract(text, split_sentences(text, language))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=300), st.sampled_from(["en", "zh", "ar"]))
def test_arbitrary_unicode_keeps_the_contract(text, language):
    check_contract(text, split_sentences(text, language))


# -- pre-split sentences -------------------------------------------------------------------------------------------

def test_sentences_from_lines_offsets_into_the_joined_text():
    items = ["First one.", "  Second, padded.  ", "第三句。"]
    joined = "\n".join(items)
    sentences = sentences_from_lines(items)
    assert [s.text for s in sentences] == ["First one.", "Second, padded.", "第三句。"]
    assert [s.index for s in sentences] == [0, 1, 2]
    for sentence in sentences:
        assert joined[sentence.start:sentence.end] == sentence.text
    assert [(s.start, s.end) for s in sentences] == [(0, 10), (13, 28), (31, 35)]


def test_sentences_from_lines_reproduces_the_gold_file():
    gold = (SAMPLE / "zh.sents").read_text(encoding="utf-8").splitlines()
    sentences = sentences_from_lines(gold)
    assert [s.text for s in sentences] == gold
    check_contract("\n".join(gold), sentences)


def test_sentences_from_lines_empty_list_and_empty_items():
    assert sentences_from_lines([]) == []
    with pytest.raises(InvalidInput, match="sentence 1 is empty"):
        sentences_from_lines(["One.", "   ", "Three."])
    with pytest.raises(InvalidInput, match="sentence 0 must be a string"):
        sentences_from_lines([None])  # type: ignore[list-item]


def test_sentences_from_lines_names_the_first_bad_item_whatever_comes_after_it():
    with pytest.raises(InvalidInput, match="sentence 2 is empty"):
        sentences_from_lines(["One.", " Two. ", "\u200b ", None])  # type: ignore[list-item]
    with pytest.raises(InvalidInput, match="sentence 1 must be a string"):
        sentences_from_lines(["One.", b"Two.", ""])  # type: ignore[list-item]


def test_sentences_from_lines_is_the_text_stripped_at_its_offset():
    # each item on its own: what the one pass over the whole list must give
    pieces = [" ", "\t", "\u3000", "\u200b", "\xa0", "a", "中", "x y"]
    random = __import__("random").Random(7)
    for _ in range(300):
        items = ["".join(random.choice(pieces) for _ in range(random.randint(1, 5))) + "z"
                 for _ in range(random.randint(1, 6))]
        joined = "\n".join(items)
        offset = 0
        for i, (item, sentence) in enumerate(zip(items, sentences_from_lines(items))):
            lead = len(item) - len(item.lstrip(_STRIP))
            assert (sentence.index, sentence.text, sentence.start) == (i, item.strip(_STRIP), offset + lead)
            assert joined[sentence.start:sentence.end] == sentence.text
            offset += len(item) + 1


# -- hard-wrapped text -----------------------------------------------------------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parent))
from builddocs import wrapped  # noqa: E402
from conftest import READOUT_SETS  # noqa: E402

SETS = READOUT_SETS


def same_sentences(a: list[str], b: list[str], language: str) -> bool:
    """Equal with whitespace normalised (Chinese has none between words: line breaks vanish)."""
    def norm(s: str) -> str:
        return "".join(s.split()) if language == "zh" else " ".join(s.split())
    return [norm(x) for x in a] == [norm(x) for x in b]


def test_the_sample_wrapped_at_70_columns_gives_the_gold_sentences():
    text = (SAMPLE / "en.txt").read_text(encoding="utf-8")
    gold = (SAMPLE / "en.sents").read_text(encoding="utf-8").splitlines()
    folded = wrapped(text, 70, "en")
    assert folded.count("\n") > 2 * text.count("\n")  # really wrapped
    sentences = texts(folded, "en")
    assert same_sentences(sentences, gold, "en")
    assert any("\n" in s for s in sentences)  # the original text, line breaks kept: offsets point at it


@pytest.mark.parametrize("width", [60, 70, 80])
@pytest.mark.parametrize("folder", SETS, ids=lambda p: p.name)
def test_every_readout_wrapped_segments_like_unwrapped(folder, width):
    for path in sorted(folder.glob("*.txt")):
        language = path.stem
        text = path.read_text(encoding="utf-8")
        gold = (folder / f"{language}.sents").read_text(encoding="utf-8").splitlines()
        assert texts(text, language) == gold  # the unwrapped text still gives the gold file exactly
        assert same_sentences(texts(wrapped(text, width, language), language), gold, language)


@pytest.mark.parametrize("text, expected", [
    # a heading and a list stay their own units, inside wrapped paragraphs
    ("Wang Yi Holds Talks with Fuad Hussein\nOn 9 March, Chinese State Councillor and Foreign Minister Wang Yi "
     "took\na phone call from Iraqi Foreign Minister.",
     ["Wang Yi Holds Talks with Fuad Hussein",
      "On 9 March, Chinese State Councillor and Foreign Minister Wang Yi took\na phone call from Iraqi Foreign "
      "Minister."]),
    ("The two sides agreed on the following points of their cooperation\n- to deepen the Belt and Road "
     "cooperation\n- to support each other's core interests in the world",
     ["The two sides agreed on the following points of their cooperation",
      "- to deepen the Belt and Road cooperation", "- to support each other's core interests in the world"]),
    # an initial at a line start is a name, not a list item
    ("a phone call from Iraqi Foreign Minister Mohamad\nA. Alhakim about the fight against the epidemic.",
     ["a phone call from Iraqi Foreign Minister Mohamad\nA. Alhakim about the fight against the epidemic."]),
    # a blank line always ends a paragraph
    ("A long line of text that goes on and on without any final stop at all\n\nand a new paragraph.",
     ["A long line of text that goes on and on without any final stop at all", "and a new paragraph."]),
])
def test_deliberate_line_breaks_stay_boundaries(text, expected):
    assert texts(text, "en") == expected
