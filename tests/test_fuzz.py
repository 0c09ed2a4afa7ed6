"""Fuzz tests (hypothesis) for segmentation, alignment and the RPCs, with the text that breaks text tools: bidi
controls, zero-width characters, combining marks, NUL, mixed scripts, stray punctuation; plus the explicit extremes
(a 200,000-character "sentence" with no punctuation, thousands of one-character sentences).

Invariants: no crash (an RPC answers OK or INVALID_ARGUMENT, never INTERNAL/UNKNOWN), no hang (every RPC has a
deadline; engine calls on the extremes run under a hang guard), sentence offsets inside the text and in order with
text[start:end] == sentence.text, every sentence of both sides in exactly one bead, in order.
Sizes are kept small so the whole file runs in seconds; the extremes are explicit cases.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triglot.v1 import triglot_pb2 as pb
from triglot_server import limits
from triglot_server.engine import alignment, segmentation
from triglot_server.engine.types import InvalidInput

LANGS = ("en", "zh", "ar")
BIDI = [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)] + ["\u200e", "\u200f"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"]
COMBINING = [chr(c) for c in range(0x0300, 0x0310)] + [chr(c) for c in range(0x064B, 0x0653)] + ["\u20dd"]
PUNCT = list(".!?…;:,\"'()«»“”「」。！？；，、؟؛،") + ["..."]
SPACE = [" ", "  ", "\n", "\r\n", "\t", "\u3000", "\u00a0", "\u2028", "\x0b"]
WORDS = ["Wang Yi", "Iraq", "U.S.", "Dr.", "No. 9", "3.5", "e.g.", "1.", "北京", "王毅", "伊拉克", "3月9日",
         "بغداد", "وزير", "٩", "١٠٧٥", "A.", "x"]

special = st.sampled_from(BIDI + ZERO_WIDTH + COMBINING + PUNCT + SPACE + WORDS + ["\x00"])
letters = st.one_of(
    st.characters(min_codepoint=0x41, max_codepoint=0x7A),  # ASCII letters and some punctuation
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # CJK
    st.characters(min_codepoint=0x0621, max_codepoint=0x064A),  # Arabic letters
    st.characters(codec="utf-8", exclude_categories=("Cs",)),  # anything that can cross the wire
)
# Text: runs of characters and special tokens; no lone surrogates (they cannot be encoded in a protobuf string).
texts = st.lists(st.one_of(special, letters, st.text(letters, min_size=1, max_size=8)), max_size=60).map("".join)
sentence_lists = st.lists(st.lists(st.one_of(special, letters), min_size=1, max_size=12).map("".join),
                          max_size=12)

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
RPC_FUZZ = settings(FUZZ, max_examples=40)
OK_OR_INVALID = (grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT)
HANG_GUARD = 120.0  # seconds: far beyond any normal run; only a hang (a non-linear blow-up) reaches it

T = TypeVar("T")


def bounded(function: Callable[[], T]) -> T:
    """Run `function` in a thread and fail if it has not returned within HANG_GUARD (a hang guard, not a timing)."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(("ok", function()))
        except BaseException as error:  # noqa: BLE001 - re-raised in the test thread
            result.append(("error", error))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(HANG_GUARD)
    assert not worker.is_alive(), f"{function} did not return within {HANG_GUARD} s"
    kind, value = result[0]
    if kind == "error":
        raise value
    return value


def assert_sentences_of(text: str, sentences: Sequence[Any]) -> None:
    """Offsets inside the text, in order, not overlapping, each the exact span of its sentence."""
    end = 0
    for i, s in enumerate(sentences):
        assert s.index == i
        assert end <= s.start < s.end <= len(text), (i, s.start, s.end, len(text))
        assert text[s.start:s.end] == s.text
        end = s.end


def assert_covers(beads: Sequence[Any], n_source: int, n_target: int) -> None:
    """Every sentence of both sides in exactly one bead, in order; no empty bead."""
    assert [i for b in beads for i in b.source_ids] == list(range(n_source))
    assert [i for b in beads for i in b.target_ids] == list(range(n_target))
    assert all(b.source_ids or b.target_ids for b in beads)


# --- segmentation -----------------------------------------------------------------------------------------------

@FUZZ
@given(text=texts, language=st.sampled_from(LANGS))
def test_segmentation_offsets_hold_for_any_text(text: str, language: str):
    sentences = segmentation.split_sentences(text, language)
    assert_sentences_of(text, sentences)
    for s in sentences:
        assert s.text and s.text == s.text.strip()
        assert len(s.text) <= limits.MAX_SENTENCE_CHARS
    # Nothing but whitespace (and invisible spacers) is left out between the sentences.
    kept = set(range(len(text)))
    for s in sentences:
        kept -= set(range(s.start, s.end))
    assert all(not text[i].strip() or text[i] in "\u200b\u2060\ufeff\u180e" for i in kept), \
        [text[i] for i in sorted(kept) if text[i].strip()]


@pytest.mark.parametrize("language,unit", [("en", "word "), ("zh", "中文"), ("ar", "كلمة ")])
def test_a_200000_character_sentence_without_punctuation_is_cut_not_lost(language: str, unit: str):
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    sentences = bounded(lambda: segmentation.split_sentences(text, language))
    assert_sentences_of(text, sentences)
    assert len(sentences) > 1 and all(len(s.text) <= limits.MAX_SENTENCE_CHARS for s in sentences)
    assert "".join(text[s.start:s.end] for s in sentences).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("language,text", [("en", "a! " * 5000), ("zh", "我。" * 5000), ("ar", "ب؟ " * 5000)])
def test_thousands_of_one_character_sentences(language: str, text: str):
    sentences = bounded(lambda: segmentation.split_sentences(text, language))
    assert_sentences_of(text, sentences)
    assert len(sentences) == 5000 and all(len(s.text) == 2 for s in sentences)


# --- alignment --------------------------------------------------------------------------------------------------

@FUZZ
@given(source=sentence_lists, target=sentence_lists, languages=st.sampled_from(
    [("zh", "en"), ("en", "zh"), ("ar", "en"), ("zh", "ar"), ("en", "en")]))
def test_alignment_covers_every_sentence_once_for_any_input(source: list[str], target: list[str],
                                                            languages: tuple[str, str]):
    try:
        result = alignment.align(source, target, *languages)
    except InvalidInput:
        return  # a clear refusal is allowed (e.g. nothing to align); a crash is not
    assert_covers(result.beads, len(source), len(target))
    assert all(0.0 <= b.score <= 1.0 for b in result.beads)


def test_alignment_of_thousands_of_one_character_sentences():
    source, target = ["我"] * 3000, ["a"] * 2000 + ["b"] * 1500
    result = bounded(lambda: alignment.align(source, target, "zh", "en"))
    assert_covers(result.beads, len(source), len(target))


# --- the RPCs ---------------------------------------------------------------------------------------------------

def call(method: Callable, request: Any) -> tuple[grpc.StatusCode, Any]:
    """The status code and response of one call, with a deadline (a hang is DEADLINE_EXCEEDED, which fails)."""
    try:
        return grpc.StatusCode.OK, method(request, timeout=60)
    except grpc.RpcError as error:
        return error.code(), error.details()


def assert_document(response_sentences: Sequence[Any], document: pb.Document) -> None:
    if document.HasField("text"):
        assert_sentences_of(document.text, response_sentences)
    else:  # pre-split: one sentence per item, as given (surrounding whitespace stripped); offsets into the join
        items = list(document.sentences.items)
        assert len(response_sentences) == len(items)
        assert_sentences_of("\n".join(items), response_sentences)
        assert all(s.text in item for s, item in zip(response_sentences, items))


documents = st.one_of(
    st.builds(lambda text, language: pb.Document(text=text, language=language), texts,
              st.sampled_from(("", *LANGS))),
    st.builds(lambda items, language: pb.Document(sentences=pb.SentenceList(items=items), language=language),
              sentence_lists, st.sampled_from(("", *LANGS))),
)


@RPC_FUZZ
@given(source=documents, target=documents)
def test_align_rpc_answers_ok_or_invalid_argument(stub, source: pb.Document, target: pb.Document):
    code, response = call(stub.Align, pb.AlignRequest(source=source, target=target))
    assert code in OK_OR_INVALID, (code, response)
    if code == grpc.StatusCode.OK:
        assert_document(response.source_sentences, source)
        assert_document(response.target_sentences, target)
        assert_covers(response.beads, len(response.source_sentences), len(response.target_sentences))


@RPC_FUZZ
@given(text=texts)
def test_detect_language_rpc_answers_ok_or_invalid_argument(stub, text: str):
    code, response = call(stub.DetectLanguage, pb.DetectLanguageRequest(text=text))
    assert code in OK_OR_INVALID, (code, response)
    if code == grpc.StatusCode.OK:
        assert response.language in (*LANGS, "zt") and 0.0 <= response.confidence <= 1.0


@RPC_FUZZ
@given(document=documents, target=st.sampled_from(LANGS))
def test_translate_rpc_answers_ok_or_invalid_argument(stub, document: pb.Document, target: str):
    code, response = call(stub.Translate, pb.TranslateRequest(document=document, target_language=target))
    assert code in OK_OR_INVALID, (code, response)
    if code == grpc.StatusCode.OK:
        assert_document([p.source for p in response.pairs], document)
        assert response.target_language == target


def test_a_200000_character_text_without_punctuation_over_grpc(stub):
    text = ("word " * 40_000)[:200_000]
    # As text, the server cuts it into pieces no longer than the sentence limit (nothing dropped) and aligns them.
    code, response = call(stub.Align, pb.AlignRequest(source=pb.Document(text=text, language="en"),
                                                      target=pb.Document(text="北京。", language="zh")))
    assert code == grpc.StatusCode.OK, response
    assert_sentences_of(text, response.source_sentences)
    assert_covers(response.beads, len(response.source_sentences), 1)
    # As one pre-split sentence it is over MAX_SENTENCE_CHARS: refused, naming the item.
    for method, request in (
            (stub.Align, pb.AlignRequest(source=pb.Document(sentences=pb.SentenceList(items=[text])),
                                         target=pb.Document(text="北京。"))),
            (stub.Translate, pb.TranslateRequest(document=pb.Document(sentences=pb.SentenceList(items=[text])),
                                                 target_language="zh"))):
        code, details = call(method, request)
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert ".sentences.items[0]:" in details and f"{limits.MAX_SENTENCE_CHARS:,}" in details, details


def test_thousands_of_one_character_sentences_over_grpc(stub):
    source = pb.Document(text="我。" * 3000, language="zh")
    target = pb.Document(sentences=pb.SentenceList(items=["a"] * 3000), language="en")
    code, response = call(stub.Align, pb.AlignRequest(source=source, target=target))
    assert code == grpc.StatusCode.OK, response
    assert len(response.source_sentences) == 3000
    assert_covers(response.beads, 3000, 3000)
    code, response = call(stub.Translate, pb.TranslateRequest(document=source, target_language="en"))
    assert code == grpc.StatusCode.OK, response
    assert [p.source.text for p in response.pairs] == ["我。"] * 3000
