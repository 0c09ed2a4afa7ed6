"""Bad bytes on the wire: malformed protobuf, oversized messages, a request at the document limit with one sentence
over the sentence limit. Each is refused with a status code, and the server keeps serving.

Raw calls (`channel.unary_unary` with no serializer) send bytes exactly as given, as a broken or hostile client would.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator

import grpc
import pytest

from triglot.client import TriglotClient, TriglotError
from triglot.v1 import triglot_pb2 as pb
from triglot_server import limits

ALIGN = "/triglot.v1.Triglot/Align"


def assert_still_serving(stub) -> None:
    assert stub.DetectLanguage(pb.DetectLanguageRequest(text="北京"), timeout=10).language == "zh"


def raw_error(channel: grpc.Channel, method: str, payload: bytes) -> grpc.RpcError:
    call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
    with pytest.raises(grpc.RpcError) as caught:
        call(payload, timeout=30)
    return caught.value


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field (wire type 2)."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


@pytest.fixture(scope="module")
def big_channel(address: str) -> Iterator[grpc.Channel]:
    """A channel that lets the client send more than the server accepts, so the server's limit is what is tested."""
    with grpc.insecure_channel(address, options=[("grpc.max_send_message_length", 2 * limits.MAX_MESSAGE_BYTES),
                                                 ("grpc.max_receive_message_length", 2 * limits.MAX_MESSAGE_BYTES)]
                               ) as channel:
        yield channel


MALFORMED = {
    "random bytes": b"\xff\xfe\xfd\xfc garbage \x00\x01",
    "a length running past the end": field(1, b"abc")[:-2],
    "an invalid UTF-8 string": field(1, field(1, b"\xc3\x28 not utf-8")),  # source.text
    "a varint that never ends": b"\x08" + b"\xff" * 20,
}


@pytest.mark.parametrize("payload", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_protobuf_is_invalid_argument_and_the_server_keeps_serving(channel, stub, payload: bytes):
    # Was INTERNAL "Exception deserializing request!" (blaming the server), from gRPC before any triglot code ran.
    error = raw_error(channel, ALIGN, payload)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid protobuf message" in error.details() and "triglot.v1.AlignRequest" in error.details()
    assert_still_serving(stub)


def test_a_malformed_request_is_logged_in_one_line_and_counted(caplog):
    from triglot_server.server import start_server

    running = start_server("127.0.0.1:0", metrics_port=0)
    try:
        with grpc.insecure_channel(running.address) as channel:
            caplog.set_level(logging.INFO)
            caplog.clear()
            for method in (ALIGN, "/triglot.v1.Triglot/TranslateStream"):
                call = (channel.unary_stream if "Stream" in method else channel.unary_unary)(method)
                with pytest.raises(grpc.RpcError) as caught:
                    list(call(MALFORMED["an invalid UTF-8 string"], timeout=30)) if "Stream" in method \
                        else call(MALFORMED["an invalid UTF-8 string"], timeout=30)
                assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        records = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert [r.name for r in records] == ["triglot.access", "triglot.access"]  # no traceback from gRPC
        assert all("code=INVALID_ARGUMENT" in r.getMessage() and not r.exc_info for r in records)
        for method in (ALIGN, "/triglot.v1.Triglot/TranslateStream"):
            assert running.metrics.registry.get_sample_value(
                "triglot_calls_total", {"method": method.lstrip("/"), "code": "INVALID_ARGUMENT"}) == 1
    finally:
        running.stop(grace=None)


SKIPPED = {
    "an unknown field number": varint(99 << 3 | 0) + varint(5),
    "a field of the wrong wire type": varint(1 << 3 | 0) + varint(7),  # source (a message) sent as an integer
    "empty bytes": b"",
}


@pytest.mark.parametrize("payload", SKIPPED.values(), ids=SKIPPED.keys())
def test_well_formed_bytes_with_nothing_usable_are_refused_by_name(channel, stub, payload: bytes):
    # Well-formed protobuf whose fields the message does not know (or knows with another wire type) parses: such
    # fields are kept as unknown (protobuf's rule). The servicer then sees an AlignRequest with no source.
    error = raw_error(channel, ALIGN, payload)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("source is missing"), error.details()
    assert_still_serving(stub)


def test_an_unknown_method_is_unimplemented(channel, stub):
    error = raw_error(channel, "/triglot.v1.Triglot/NoSuchMethod", b"")
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED
    assert_still_serving(stub)


def test_a_message_over_the_size_limit_is_refused_by_the_server(big_channel, stub):
    text = b"x" * (limits.MAX_MESSAGE_BYTES + 1024)
    error = raw_error(big_channel, ALIGN, field(1, field(1, text)))  # AlignRequest.source.text
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "larger than max" in (error.details() or ""), error.details()
    assert_still_serving(stub)


def test_the_client_refuses_to_send_a_message_over_the_limit_and_does_not_retry_it(address, stub):
    with TriglotClient(address, timeout=30) as client:
        with pytest.raises(TriglotError) as caught:
            client.detect_language("x" * (limits.MAX_MESSAGE_BYTES + 1024))
    assert caught.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "retried" not in caught.value.details
    assert_still_serving(stub)


def test_a_document_at_the_size_limit_with_one_sentence_over_the_sentence_limit_names_that_sentence(stub):
    # ~10 MB of sentences, under MAX_DOCUMENT_CHARS and MAX_MESSAGE_BYTES; item 321 is one character too long.
    size = limits.MAX_SENTENCE_CHARS
    count = limits.MAX_DOCUMENT_CHARS // (size + 1) - 1
    items = ["x" * size] * count
    items[321] = "y" * (size + 1)
    assert sum(map(len, items)) + count - 1 <= limits.MAX_DOCUMENT_CHARS
    request = pb.AlignRequest(source=pb.Document(sentences=pb.SentenceList(items=items), language="en"),
                              target=pb.Document(text="Beijing.", language="en"))
    with pytest.raises(grpc.RpcError) as caught:
        stub.Align(request, timeout=60)
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("source.sentences.items[321]:"), error.details()
    assert f"{size + 1:,}" in error.details() and f"{size:,}" in error.details()
    assert_still_serving(stub)
