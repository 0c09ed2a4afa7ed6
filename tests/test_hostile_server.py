"""The client must not trust the server's strings (issue 14, item 11).

A hostile server on loopback (a real gRPC server, not triglot's) answers CompareStream with markup in every string it
controls: version names, languages, sentences, glosses, evidence, signatures, and finding kinds and severities this
client does not know. The CLI's HTML report must carry each string as text — no attribute, element or script of the
server's making — and name an unknown kind rather than fail.
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from html.parser import HTMLParser

import grpc
import pytest

from conftest import run_cli
from triglot.v1 import triglot_pb2 as pb
from triglot.v1 import triglot_pb2_grpc

HOSTILE = ['x" onmouseover="alert(1)', "<script>alert(2)</script>", "' onload='alert(3)", "a&b<i>c</i>",
           '"><img src=x onerror=alert(4)>']


def hostile(k: int) -> str:
    return HOSTILE[k % len(HOSTILE)]


class HostileTriglot(triglot_pb2_grpc.TriglotServicer):
    def CompareStream(self, request, context) -> Iterator[pb.CompareEvent]:
        versions = []
        for k in range(2):
            text = hostile(k + 2)
            versions.append(pb.VersionInfo(
                name=hostile(k), language=hostile(k + 1),
                sentences=[pb.Sentence(index=0, text=text, start=0, end=len(text))],
                glosses=[hostile(k + 3)], gloss_signature=hostile(k + 4),
                gloss_quality=[pb.GlossQuality(flags=[hostile(k)], retry=hostile(k + 1))]))
        # Kinds and severities are enums: a hostile server can only send numbers this client does not know.
        findings = [pb.Finding(kind=90 + k, evidence=f"“{hostile(k + 1)}” {hostile(k + 2)}",
                               severity=80 + k, confidence=1.0, row=0,
                               refs=[pb.FindingRef(version=hostile(0), language=hostile(1), sentence=0, start=0,
                                                   end=3)])
                    for k in range(len(HOSTILE))]
        yield pb.CompareEvent(result=pb.CompareResponse(
            versions=versions, rows=[pb.Row(index=0, cells=[pb.Cell(sentence_ids=[0]), pb.Cell(sentence_ids=[0])])],
            findings=findings, pivot=hostile(2), signature=hostile(3)))


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture()
def hostile_address() -> Iterator[str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    triglot_pb2_grpc.add_TriglotServicer_to_server(HostileTriglot(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(None)


def test_the_html_report_carries_hostile_server_strings_as_text(hostile_address, tmp_path, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Beijing.", encoding="utf-8")
    b.write_text("北京。", encoding="utf-8")
    report = tmp_path / "report.html"
    code, _, err = run_cli(capsys, "compare", str(a), str(b), "--format", "html", "-o", str(report),
                           "--server", hostile_address, "--no-progress")
    assert code == 0, err
    page = Collector()
    page.feed(report.read_text(encoding="utf-8"))
    # Was: the finding kind was written into a class attribute unescaped, adding an onmouseover handler.
    assert not [name for name, _ in page.attributes if name.startswith("on") or name == "src"]
    assert not {"script", "img", "i"} & set(page.tags)
    text = "".join(page.text) + " ".join(value for _, value in page.attributes)
    for string in HOSTILE:
        assert string in text  # shown as written (unescaped by the parser), not interpreted
    assert "unknown_90" in text and "unknown_80" in text
