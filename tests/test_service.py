"""The gRPC service end to end: a real server on loopback, the tiny real translation models, generated stubs."""
from __future__ import annotations

import logging
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from conftest import SAMPLE
from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc
from triglot_server import limits
from triglot_server.engine.languages import detect_language
from triglot_server.server import load_models, start_server
from triglot_server.service import INTERNAL_MESSAGE, LOADING_MESSAGE

INVALID = grpc.StatusCode.INVALID_ARGUMENT


def text_doc(name: str, language: str = "") -> pb.Document:
    return pb.Document(text=(SAMPLE / name).read_text(encoding="utf-8"), language=language)


def lines_doc(name: str, language: str = "") -> pb.Document:
    items = (SAMPLE / name).read_text(encoding="utf-8").splitlines()
    return pb.Document(sentences=pb.SentenceList(items=items), language=language)


def assert_still_serving(stub) -> None:
    """After a refused request the server must keep answering."""
    assert stub.DetectLanguage(pb.DetectLanguageRequest(text="北京"), timeout=10).language == "zh"


def rpc_error(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=30)
    return caught.value


# --- discovery: reflection and health ---------------------------------------------------------------------------

def test_reflection_lists_the_triglot_service_and_its_methods(channel):
    database = ProtoReflectionDescriptorDatabase(channel)
    services = set(database.get_services())
    assert {"triglot.v1.Triglot", "grpc.health.v1.Health"} <= services
    pool = descriptor_pool.DescriptorPool(database)
    methods = {m.name for m in pool.FindServiceByName("triglot.v1.Triglot").methods}
    assert {"Translate", "Align", "DetectLanguage", "ListLanguages"} <= methods


def test_health_reports_serving_for_the_server_and_the_service(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "triglot.v1.Triglot"):
        response = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
        assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_health_is_not_serving_until_models_are_loaded(tmp_path: Path):
    running = start_server("127.0.0.1:0")
    try:
        with grpc.insecure_channel(running.address) as ch:
            health = health_pb2_grpc.HealthStub(ch)
            stub = triglot_pb2_grpc.TriglotStub(ch)
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == \
                health_pb2.HealthCheckResponse.NOT_SERVING
            error = rpc_error(stub.ListLanguages, pb.ListLanguagesRequest())
            assert error.code() == grpc.StatusCode.UNAVAILABLE and error.details() == LOADING_MESSAGE
            load_models(running, tmp_path)  # an empty model directory is a valid (if useless) installation
            assert health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == \
                health_pb2.HealthCheckResponse.SERVING
            # With no model installed, translating is FAILED_PRECONDITION and says how to fix it.
            error = rpc_error(stub.Translate, pb.TranslateRequest(document=text_doc("en.txt"), target_language="zh"))
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "triglot models install" in error.details()
            assert stub.ListLanguages(pb.ListLanguagesRequest(), timeout=10).pairs == []
    finally:
        running.stop(grace=None)


# --- Translate --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source, target, route", [
    ("en", "zh", ["en", "zh"]),
    ("zh", "en", ["zh", "en"]),
    ("zh", "ar", ["zh", "en", "ar"]),  # no direct zh->ar test model: through the English pivot
])
def test_translate_returns_one_pair_per_sentence_in_order(stub, source, target, route):
    items = (SAMPLE / f"{source}.sents").read_text(encoding="utf-8").splitlines()
    document = pb.Document(sentences=pb.SentenceList(items=items))  # language detected
    response = stub.Translate(pb.TranslateRequest(document=document, target_language=target), timeout=60)
    assert (response.source_language, response.target_language) == (source, target)
    assert [p.source.text for p in response.pairs] == items
    assert [p.source.index for p in response.pairs] == list(range(len(items)))
    joined = "\n".join(items)
    assert all(joined[p.source.start:p.source.end] == p.source.text for p in response.pairs)
    assert all(p.translation.strip() for p in response.pairs)
    # The tiny "aligned" models write the target language's script: the translations really came from them.
    assert detect_language(" ".join(p.translation for p in response.pairs))[0] == target
    assert list(response.route) == route
    assert len(response.models) == len(route) - 1
    assert response.signature


def test_translate_text_is_segmented_with_offsets_into_the_text(stub):
    text = (SAMPLE / "en.txt").read_text(encoding="utf-8")
    response = stub.Translate(pb.TranslateRequest(document=pb.Document(text=text, language="en-GB"),
                                                  target_language="zh-CN"), timeout=60)
    expected = (SAMPLE / "en.sents").read_text(encoding="utf-8").splitlines()
    assert [p.source.text for p in response.pairs] == expected
    assert all(text[p.source.start:p.source.end] == p.source.text for p in response.pairs)
    assert (response.source_language, response.target_language) == ("en", "zh")


# --- Align ------------------------------------------------------------------------------------------------------

def covers_each_once(beads, n_source: int, n_target: int) -> bool:
    source = [i for b in beads for i in b.source_ids]
    target = [j for b in beads for j in b.target_ids]
    return source == list(range(n_source)) and target == list(range(n_target))


def test_align_presplit_sample_covers_every_sentence_once(stub):
    request = pb.AlignRequest(source=lines_doc("zh.sents"), target=lines_doc("en.sents"))
    response = stub.Align(request, timeout=60)
    assert (response.source_language, response.target_language) == ("zh", "en")
    assert [s.text for s in response.source_sentences] == list(request.source.sentences.items)
    assert [s.text for s in response.target_sentences] == list(request.target.sentences.items)
    assert covers_each_once(response.beads, 19, 19)
    assert all(0.0 <= b.score <= 1.0 for b in response.beads)
    assert response.signature.startswith("triglot-align")


def test_align_text_documents_with_source_translations(stub):
    zh, en = text_doc("zh.txt"), text_doc("en.txt")
    translations = stub.Translate(pb.TranslateRequest(document=zh, target_language="en"), timeout=60)
    request = pb.AlignRequest(source=zh, target=en,
                              source_translations=[p.translation for p in translations.pairs])
    response = stub.Align(request, timeout=60)
    assert len(response.source_sentences) == len(translations.pairs)
    assert all(zh.text[s.start:s.end] == s.text for s in response.source_sentences)
    assert all(en.text[s.start:s.end] == s.text for s in response.target_sentences)
    assert covers_each_once(response.beads, len(response.source_sentences), len(response.target_sentences))
    assert "translation" in response.signature


# --- DetectLanguage and ListLanguages ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, language", [("en.txt", "en"), ("zh.txt", "zh"), ("ar.txt", "ar")])
def test_detect_language(stub, name, language):
    response = stub.DetectLanguage(pb.DetectLanguageRequest(text=(SAMPLE / name).read_text(encoding="utf-8")),
                                   timeout=10)
    assert response.language == language and 0.5 < response.confidence <= 1.0


def test_list_languages_shows_direct_and_pivot_pairs(stub):
    response = stub.ListLanguages(pb.ListLanguagesRequest(), timeout=10)
    assert [(l.code, l.name) for l in response.languages] == [("en", "English"), ("zh", "Chinese"),
                                                                ("zt", "Traditional Chinese"), ("ar", "Arabic")]
    pairs = {(p.source, p.target): list(p.via) for p in response.pairs}
    for direct in [("en", "zh"), ("zh", "en"), ("en", "ar"), ("ar", "en")]:
        assert pairs[direct] == []
    assert pairs[("zh", "ar")] == ["en"] and pairs[("ar", "zh")] == ["en"]
    # no zt package installed: Traditional Chinese goes through the zh packages, converted by OpenCC
    assert pairs[("zt", "en")] == ["zh"] and pairs[("en", "zt")] == ["zh"] and pairs[("zt", "ar")] == ["zh", "en"]
    assert all(p.models for p in response.pairs)


def test_a_message_over_the_default_4_mib_fits(stub):
    text = "北京" * 800_000  # 4.8 MB of UTF-8: over gRPC's default limit, under limits.MAX_MESSAGE_BYTES
    assert stub.DetectLanguage(pb.DetectLanguageRequest(text=text), timeout=30).language == "zh"


# --- bad input: a clear status, and the server keeps serving ------------------------------------------------------

def translate(document: pb.Document | None, target: str = "zh") -> pb.TranslateRequest:
    return pb.TranslateRequest(document=document, target_language=target)


def sentences(*items: str, language: str = "") -> pb.Document:
    return pb.Document(sentences=pb.SentenceList(items=list(items)), language=language)


ZH = "王毅同伊拉克外长侯赛因通电话。"
EN = "Wang Yi spoke with Fuad Hussein."

BAD_TRANSLATE = {
    "missing document": (translate(None), "document is missing"),
    "empty text": (translate(pb.Document(text="")), "document.text is empty"),
    "whitespace text": (translate(pb.Document(text=" \n\t ")), "document.text is empty"),
    "empty sentence list": (translate(sentences()), "document.sentences is empty"),
    "blank sentence": (translate(sentences(EN, "  ")), "items[1] is empty"),
    "line break in a sentence": (translate(sentences("One.\nTwo.")), "line break"),
    "text over the limit": (translate(pb.Document(text="a" * (limits.MAX_DOCUMENT_CHARS + 1), language="en")),
                            "over the limit of 10,000,000"),
    "too many sentences": (translate(sentences(*["Yes."] * (limits.MAX_SENTENCES + 1), language="en")),
                           "200,001 sentences is over the limit"),
    "sentence over the limit": (translate(sentences("word " * 5000, language="en")),
                                "items[0]: sentence of 25,000 characters is over the limit"),
    "unknown language code": (translate(pb.Document(text=EN, language="xx")), "document.language"),
    "malformed language code": (translate(pb.Document(text=EN, language="en!!")), "invalid language code"),
    "unsupported source language": (translate(pb.Document(text=EN, language="fr")), "unsupported language 'fr'"),
    "unsupported target language": (translate(pb.Document(text=EN), target="de"), "target_language"),
    "missing target language": (translate(pb.Document(text=EN), target=""), "target_language is required"),
    "language mismatch": (translate(pb.Document(text=ZH, language="en"), target="ar"), "detected 'zh'"),
    "identical languages": (translate(pb.Document(text=EN), target="en"), "both 'en'"),
    "identical languages after normalising": (translate(pb.Document(text=ZH, language="zh-Hans"), target="zh-CN"),
                                              "both 'zh'"),
    "nothing to detect": (translate(pb.Document(text="2020 - 03 - 09"), target="en"), "cannot detect the language"),
}


@pytest.mark.parametrize("request_, expected", BAD_TRANSLATE.values(), ids=BAD_TRANSLATE.keys())
def test_bad_translate_request_is_invalid_argument(stub, request_, expected):
    error = rpc_error(stub.Translate, request_)
    assert error.code() == INVALID, error.details()
    assert expected in error.details()
    assert "Traceback" not in error.details()
    assert_still_serving(stub)


def align(source: pb.Document | None, target: pb.Document | None, **kwargs) -> pb.AlignRequest:
    return pb.AlignRequest(source=source, target=target, **kwargs)


BAD_ALIGN = {
    "missing target": (align(sentences(ZH), None), "target is missing"),
    "source_translations too short": (align(sentences(ZH, ZH), sentences(EN), source_translations=["one"]),
                                      "source_translations has 1 items but the source document has 2 sentences"),
    "target_translations too long": (align(sentences(ZH), sentences(EN), target_translations=["a", "b"]),
                                     "target_translations has 2 items but the target document has 1 sentences"),
    "mismatched target language": (align(sentences(ZH), sentences(EN, language="ar")),
                                   "target.language is 'ar' but the text is English"),
    "unsupported language": (align(sentences(ZH, language="ja"), sentences(EN)), "source.language"),
}


@pytest.mark.parametrize("request_, expected", BAD_ALIGN.values(), ids=BAD_ALIGN.keys())
def test_bad_align_request_is_invalid_argument(stub, request_, expected):
    error = rpc_error(stub.Align, request_)
    assert error.code() == INVALID, error.details()
    assert expected in error.details()
    assert_still_serving(stub)


def test_bad_detect_request_is_invalid_argument(stub):
    for text, expected in [("", "text is empty"), ("   ", "text is empty"), ("12 34 ...", "cannot detect"),
                           ("x" * (limits.MAX_DOCUMENT_CHARS + 1), "over the limit")]:
        error = rpc_error(stub.DetectLanguage, pb.DetectLanguageRequest(text=text))
        assert error.code() == INVALID and expected in error.details()
    assert_still_serving(stub)


def test_message_over_the_grpc_limit_is_resource_exhausted(address, stub):
    # A channel allowed to send more than the server accepts: gRPC itself refuses the message at the server.
    big = limits.MAX_MESSAGE_BYTES + 1024
    with grpc.insecure_channel(address, options=[("grpc.max_send_message_length", big * 2)]) as ch:
        error = rpc_error(triglot_pb2_grpc.TriglotStub(ch).DetectLanguage, pb.DetectLanguageRequest(text="a" * big))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert_still_serving(stub)


class _BrokenTranslator:
    """A translator that fails in an unexpected way, to exercise the INTERNAL path of the real servicer."""

    def translate(self, sentences, source, target, **options):
        raise ZeroDivisionError("secret internal detail")

    def routes(self):
        return []


def test_unexpected_error_is_internal_without_details_and_logged(caplog):
    running = start_server("127.0.0.1:0")
    running.servicer.translator = _BrokenTranslator()
    try:
        with grpc.insecure_channel(running.address) as ch, caplog.at_level(logging.ERROR):
            stub = triglot_pb2_grpc.TriglotStub(ch)
            error = rpc_error(stub.Translate, translate(pb.Document(text=EN)))
            assert error.code() == grpc.StatusCode.INTERNAL
            assert error.details() == INTERNAL_MESSAGE
            assert_still_serving(stub)
    finally:
        running.stop(grace=None)
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
    assert EN not in caplog.text  # document text never reaches the log
