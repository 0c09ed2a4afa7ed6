"""The analyst outputs of a comparison (triglot.formats): each format parsed back and checked against the response."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from triglot import formats, render
from triglot.v1 import triglot_pb2 as pb

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Three versions with the awkward cases: markup characters, a tab, a control character (not allowed in XML),
# Arabic (right-to-left), Chinese (double-width), a row where a version has no counterpart, and overlapping spans.
ZH = ["3月9日，王毅同伊拉克外长通电话。", "中方愿深化全面战略伙伴关系。", "双方同意<加强>合作。"]
EN = ["On 9 March, Wang Yi spoke with Iraq's foreign minister.", "China is ready to deepen the comprehensive "
      "partnership.", "Both sides agreed\tto <strengthen> cooperation & trade.", "A control \x01 character."]
AR = ["في ٩ آذار/مارس، تحدث وانغ يي مع وزير الخارجية العراقي.", "الصين مستعدة لتعميق الشراكة الاستراتيجية الشاملة."]


def _version(name: str, language: str, lines: list[str], glosses: list[str] | None = None) -> pb.VersionInfo:
    sentences, offset = [], 0
    for i, line in enumerate(lines):
        sentences.append(pb.Sentence(index=i, text=line, start=offset, end=offset + len(line)))
        offset += len(line) + 1
    return pb.VersionInfo(name=name, language=language, sentences=sentences, glosses=glosses or [],
                          gloss_signature="argos|zh->en|test" if glosses else "")


def _ref(v: pb.VersionInfo, sentence: int, needle: str | None = None) -> pb.FindingRef:
    s = v.sentences[sentence]
    start = s.start + (s.text.index(needle) if needle else 0)
    end = start + len(needle) if needle else s.end
    return pb.FindingRef(version=v.name, language=v.language, sentence=sentence, start=start, end=end)


@pytest.fixture(scope="module")
def response() -> pb.CompareResponse:
    zh = _version("zh", "zh", ZH, glosses=["On March 9, Wang Yi called the Iraqi foreign minister.",
                                           "China will deepen the comprehensive strategic partnership.",
                                           "Both sides agreed to strengthen cooperation."])
    en, ar = _version("en", "en", EN), _version("ar", "ar", AR)
    rows = [pb.Row(index=0, cells=[pb.Cell(sentence_ids=[0], score=1), pb.Cell(sentence_ids=[0], score=0.97),
                                   pb.Cell(sentence_ids=[0], score=0.95)]),
            pb.Row(index=1, cells=[pb.Cell(sentence_ids=[1], score=1), pb.Cell(sentence_ids=[1], score=0.9),
                                   pb.Cell(sentence_ids=[1], score=0.92)]),
            pb.Row(index=2, cells=[pb.Cell(sentence_ids=[2], score=1), pb.Cell(sentence_ids=[2, 3], score=0.8),
                                   pb.Cell(sentence_ids=[], score=0.6)])]
    findings = [
        pb.Finding(kind=pb.FINDING_KIND_CONTENT_DIFFERENCE, confidence=0.7, refs=[_ref(zh, 1, "战略"), _ref(ar, 1, "الاستراتيجية"), _ref(en, 1)],
                   evidence="战略 / الاستراتيجية = strategic: no counterpart in en 1", severity=pb.SEVERITY_MEDIUM, row=1),
        pb.Finding(kind=pb.FINDING_KIND_OMISSION, confidence=0.9, refs=[_ref(zh, 2), _ref(en, 2), _ref(en, 3)],
                   evidence="zh 2 / en 2,3 has no counterpart in ar", severity=pb.SEVERITY_HIGH, row=2),
        # Overlaps the omission's whole-sentence span.
        pb.Finding(kind=pb.FINDING_KIND_NAME_MISMATCH, confidence=0.6, refs=[_ref(en, 2, "<strengthen> cooperation & trade")],
                   evidence="“trade” <not> in zh 2", severity=pb.SEVERITY_MEDIUM, row=2),
    ]
    return pb.CompareResponse(versions=[zh, en, ar], rows=rows, findings=findings, pivot="zh",
                              signature="triglot-compare|v1|pivot=zh|test|gloss=en")


def _cell_text(response: pb.CompareResponse, v: int, ids) -> str:
    return " ".join(response.versions[v].sentences[i].text for i in ids)


def test_json_has_the_documented_schema_and_every_value(response: pb.CompareResponse) -> None:
    data = json.loads(formats.to_json(response))
    assert set(data) == {"pivot", "signature", "versions", "rows", "findings"}
    assert [v["name"] for v in data["versions"]] == ["zh", "en", "ar"]
    assert data["versions"][1]["sentences"][2]["text"] == EN[2]
    assert data["versions"][0]["glosses"][1].endswith("strategic partnership.")
    assert [[c["sentence_ids"] for c in row["cells"]] for row in data["rows"]] == [[[0], [0], [0]], [[1], [1], [1]],
                                                                                  [[2], [2, 3], []]]
    assert data["rows"][2]["cells"][2] == {"version": "ar", "language": "ar", "sentence_ids": [], "score": 0.6}
    first = data["findings"][0]
    assert set(first) == {"kind", "refs", "evidence", "severity", "confidence", "row"}
    assert set(first["refs"][0]) == {"version", "language", "sentence", "start", "end"}
    for f in data["findings"]:  # every span points into its version's text
        for r in f["refs"]:
            s = data["versions"][[v["name"] for v in data["versions"]].index(r["version"])]["sentences"][r["sentence"]]
            assert s["start"] <= r["start"] < r["end"] <= s["end"]
    ref = first["refs"][1]
    ar_sentence = data["versions"][2]["sentences"][1]
    assert ar_sentence["text"][ref["start"] - ar_sentence["start"]:ref["end"] - ar_sentence["start"]] == "الاستراتيجية"


def _tsv_unescape(field: str) -> str:
    out, k = [], 0
    while k < len(field):
        if field[k] == "\\" and k + 1 < len(field):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[field[k + 1]])
            k += 2
        else:
            out.append(field[k])
            k += 1
    return "".join(out)


def test_tsv_is_one_line_per_row_and_round_trips(response: pb.CompareResponse) -> None:
    lines = formats.to_tsv(response).rstrip("\n").split("\n")
    header = lines[0].split("\t")
    assert header == ["row", "zh ids", "zh (zh)", "zh gloss", "en ids", "en (en)", "ar ids", "ar (ar)", "findings"]
    assert len(lines) == 1 + len(response.rows)
    for row, line in zip(response.rows, lines[1:]):
        fields = [_tsv_unescape(f) for f in line.split("\t")]
        assert len(fields) == len(header)
        assert int(fields[0]) == row.index
        assert fields[1] == ",".join(map(str, row.cells[0].sentence_ids))
        assert fields[2] == _cell_text(response, 0, row.cells[0].sentence_ids)
        assert fields[5] == _cell_text(response, 1, row.cells[1].sentence_ids)  # the tab survives, escaped
        assert fields[7] == _cell_text(response, 2, row.cells[2].sentence_ids)
    assert lines[3].split("\t")[-1] == "omission,name_mismatch"
    assert lines[1].split("\t")[-1] == ""


def test_tmx_is_valid_xml_with_one_tu_per_row_and_a_tuv_per_version(response: pb.CompareResponse) -> None:
    root = ET.fromstring(formats.to_tmx(response, tool_version="0.1.0").encode("utf-8"))
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None and header.get("srclang") == "zh" and header.get("segtype") == "sentence"
    for attribute in ("creationtool", "creationtoolversion", "o-tmf", "adminlang", "datatype"):
        assert header.get(attribute)
    tus = root.findall("body/tu")
    assert len(tus) == len(response.rows)
    for row, tu in zip(response.rows, tus):
        tuvs = tu.findall("tuv")
        assert [t.get(XML_LANG) for t in tuvs] == ["zh", "en", "ar"]
        for v, tuv in enumerate(tuvs):
            expected = _cell_text(response, v, row.cells[v].sentence_ids).replace("\x01", "\ufffd")
            assert (tuv.findtext("seg") or "") == expected
            ids = tuv.find("prop[@type='x-triglot-sentences']")
            assert ids is not None and (ids.text or "") == ",".join(map(str, row.cells[v].sentence_ids))
    notes = [n.text for n in tus[2].findall("note")]
    assert notes == ["omission (high, confidence 0.90): zh 2 / en 2,3 has no counterpart in ar",
                     "name_mismatch (medium, confidence 0.60): “trade” <not> in zh 2"]


class _Page(HTMLParser):
    """What a reader of the report sees: rows, the text of every <mark> with its findings, links, cell attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.marks: list[tuple[str, str]] = []  # (finding ids, marked text)
        self.row_ids: list[str] = []
        self.links: list[str] = []
        self.cells: list[dict] = []
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag not in ("br", "meta"):
            self.stack.append((tag, a))
        if tag == "tr" and a.get("id"):
            self.row_ids.append(a["id"])
        if tag == "a":
            self.links.append(a.get("href", ""))
        if tag == "td" and "lang" in a:
            self.cells.append(a)
        if tag == "mark":
            self.marks.append((a["data-findings"], ""))
        if tag in ("script", "link", "img", "iframe") or any(k in ("src",) for k in a):
            self.external.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if any(t == "mark" for t, _ in self.stack):
            ids, text = self.marks[-1]
            self.marks[-1] = (ids, text + data)


def test_html_report_is_self_contained_and_marks_every_span(response: pb.CompareResponse) -> None:
    page = formats.to_html(response, title="China–Iraq <call>")
    parser = _Page()
    parser.feed(page)
    assert parser.external == []
    assert "http://" not in page and "https://" not in page and "url(" not in page
    assert parser.row_ids == ["row-0", "row-1", "row-2"]
    for k, f in enumerate(response.findings):
        assert f"#row-{f.row}" in parser.links
        assert f'id="finding-{k}"' in page
    # Marked text per finding, in document order, equals its spans' text (cut where spans overlap).
    marked: dict[str, str] = {}
    for ids, text in parser.marks:
        for fid in ids.split():
            marked[fid] = marked.get(fid, "") + text
    assert marked["f0"] == "战略" + EN[1] + "الاستراتيجية"  # columns zh, en, ar in page order
    assert marked["f1"] == ZH[2] + EN[2] + EN[3]
    assert marked["f2"] == "<strengthen> cooperation & trade"
    # Every character of every sentence is shown exactly once (marks never drop or repeat text).
    body = "".join(parser.text)
    for lines in (ZH, EN, AR):
        for line in lines:
            assert line in body
    arabic = [c for c in parser.cells if c["lang"] == "ar"]
    assert arabic and all(c.get("dir") == "rtl" for c in arabic)
    assert all(c.get("dir") == "ltr" for c in parser.cells if c["lang"] in ("zh", "en"))
    assert "MT: " in page and "On March 9, Wang Yi called" in body  # glosses shown, marked as machine output
    assert "<title>China–Iraq &lt;call&gt;</title>" in page


def test_text_table_fits_the_width_and_lists_the_findings(response: pb.CompareResponse) -> None:
    for width in (60, 100, 160):
        out = formats.to_text(response, width=width)
        table = out.split("Findings (3):")[0]
        assert all(render.text_width(line) <= width for line in table.splitlines()), width
        assert "row 2" in out and "omission" in out and "content_difference" in out
        assert "—" in table  # the empty Arabic cell
    wide = formats.to_text(response, width=400)
    for line in ZH + EN[:2] + AR:
        assert line in wide


def test_write_dispatches_and_rejects_an_unknown_format(response: pb.CompareResponse) -> None:
    assert formats.write(response, "json") == formats.to_json(response)
    assert formats.write(response, "tmx").startswith('<?xml version="1.0" encoding="UTF-8"?>')
    with pytest.raises(ValueError, match="unknown format 'xlsx'"):
        formats.write(response, "xlsx")


def test_formats_import_only_the_standard_library_and_protobuf() -> None:
    code = ("import sys, triglot.formats; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('grpc', 'numpy', 'triglot_server', 'argostranslate', 'ctranslate2', 'torch')); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_text_tsv_and_html_hide_findings_below_the_threshold_and_say_how_many(response: pb.CompareResponse) -> None:
    unsure = pb.CompareResponse()
    unsure.CopyFrom(response)
    unsure.findings[2].confidence = 0.3  # the name mismatch: below the default threshold of 0.5
    text = formats.write(unsure, "text", width=160)
    assert "Findings (2):" in text and "“trade” <not>" not in text
    assert "1 finding below confidence 0.50 hidden (--all-findings shows them)" in text
    assert " 0.90 zh 2 / en 2,3 has no counterpart in ar" in text  # each shown finding with its confidence
    tsv = formats.write(unsure, "tsv")
    assert tsv.rstrip("\n").split("\n")[3].split("\t")[-1] == "omission"  # row 2 lists only the shown finding
    assert tsv.rstrip("\n").endswith("# 1 finding below confidence 0.50 hidden (--all-findings shows them)")
    page = formats.write(unsure, "html")
    assert "Findings (2)" in page and "1 finding below confidence 0.50 hidden" in page and "confidence 0.90" in page
    everything = formats.write(unsure, "text", width=160, all_findings=True)
    assert "Findings (3):" in everything and "hidden" not in everything and " 0.30 " in everything
    # JSON (and TMX) keep every finding, each with its confidence.
    data = json.loads(formats.write(unsure, "json"))
    assert [f["confidence"] for f in data["findings"]] == [0.7, 0.9, 0.3]
    assert formats.write(response, "text", width=160).count("hidden") == 0
