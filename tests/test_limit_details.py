"""Limit violations carry structured details: INVALID_ARGUMENT with a google.rpc.BadRequest naming the field and what
is wrong (read with grpc_status.rpc_status.from_call), next to the same human message. Real server, real stubs."""
from __future__ import annotations

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2
from grpc_status import rpc_status

from triglot.v1 import triglot_pb2 as pb
from triglot_server import limits


def refused(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=30)
    return caught.value


def field_violations(error: grpc.RpcError) -> list[error_details_pb2.BadRequest.FieldViolation]:
    status = rpc_status.from_call(error)
    assert status is not None, "no google.rpc.Status in the trailers"
    assert status.code == code_pb2.INVALID_ARGUMENT
    assert status.message == error.details()  # the structured status repeats the human message
    violations = []
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        assert detail.Unpack(bad_request), f"unexpected detail type {detail.type_url}"
        violations += bad_request.field_violations
    return violations


def test_an_overlong_sentence_names_its_field_and_the_limit(stub):
    items = ["Beijing is large.", "x" * (limits.MAX_SENTENCE_CHARS + 1)]
    error = refused(stub.Translate, pb.TranslateRequest(
        document=pb.Document(sentences=pb.SentenceList(items=items), language="en"), target_language="zh"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    [violation] = field_violations(error)
    assert violation.field == "document.sentences.items[1]"
    assert f"{limits.MAX_SENTENCE_CHARS + 1:,} characters" in violation.description
    assert f"limit of {limits.MAX_SENTENCE_CHARS:,}" in violation.description
    assert error.details() == f"{violation.field}: {violation.description}"


def test_too_many_versions_in_compare_names_the_versions_field(stub):
    from triglot_server.service import MAX_VERSIONS

    version = pb.Version(document=pb.Document(text="Beijing is large.", language="en"))
    error = refused(stub.Compare, pb.CompareRequest(versions=[version] * (MAX_VERSIONS + 1)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    [violation] = field_violations(error)
    assert violation.field == "versions"
    assert f"limit of {MAX_VERSIONS}" in violation.description


def test_an_overlong_translation_list_item_in_align_names_its_field(stub):
    request = pb.AlignRequest(
        source=pb.Document(sentences=pb.SentenceList(items=["Beijing is large.", "It rains."]), language="en"),
        target=pb.Document(sentences=pb.SentenceList(items=["北京很大。"]), language="zh"),
        source_translations=["北京很大。", "雨" * (limits.MAX_SENTENCE_CHARS + 5)])
    error = refused(stub.Align, request)
    [violation] = field_violations(error)
    assert violation.field == "source_translations[1]"


def test_streaming_calls_carry_the_details_too(stub):
    items = ["z" * (limits.MAX_SENTENCE_CHARS + 1)]
    stream = stub.TranslateStream(pb.TranslateRequest(
        document=pb.Document(sentences=pb.SentenceList(items=items), language="en"), target_language="zh"),
        timeout=30)
    with pytest.raises(grpc.RpcError) as caught:
        next(stream)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    [violation] = field_violations(caught.value)
    assert violation.field == "document.sentences.items[0]"


def test_plain_invalid_input_is_invalid_argument_with_a_message(stub):
    error = refused(stub.Translate, pb.TranslateRequest(document=pb.Document(text="Beijing is large.")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == "target_language is required (en, zh or ar)"
    status = rpc_status.from_call(error)
    assert status is None or not status.details  # no field to point at: the message says it all


def test_check_sentences_names_the_first_sentence_over_the_limit_then_the_total():
    long = "x" * (limits.MAX_SENTENCE_CHARS + 1)
    with pytest.raises(limits.LimitExceeded) as first:
        limits.check_sentences("items", ["ok", long + "y", long])
    assert first.value.field == "items[1]" and f"{len(long) + 1:,} characters" in first.value.description
    limits.check_sentences("items", [])
    limits.check_sentences("items", ["x" * limits.MAX_SENTENCE_CHARS])
    count = limits.MAX_DOCUMENT_CHARS // limits.MAX_SENTENCE_CHARS
    exact = ["x" * (limits.MAX_SENTENCE_CHARS - 1)] * count  # joined by a character each: just under the limit
    limits.check_sentences("items", exact)
    with pytest.raises(limits.LimitExceeded, match="characters in all") as total:
        limits.check_sentences("items", exact + ["xy"])
    assert total.value.field == "items"
