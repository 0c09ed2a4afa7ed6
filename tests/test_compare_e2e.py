"""Compare end to end: a real server (tiny real translation models installed, so glosses are made), the client, the
CLI and every output format must agree; the HTML report is rendered by headless Chromium."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import grpc
import pytest

from triglot import formats
from triglot.cli import main
from triglot.client import TriglotError, version
from triglot.v1 import triglot_pb2 as pb

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "2020-03-09-china-iraq"
ARTIFACTS = ROOT / "artifacts"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FILES = [SAMPLE / f"{lang}.sents" for lang in ("zh", "en", "ar")]


def _lines(language: str) -> list[str]:
    return (SAMPLE / f"{language}.sents").read_text(encoding="utf-8").splitlines()


# What the sample's findings must be, exactly: (row, kind, [(version, sentence, cited text)]).
EXPECTED = [
    (7, "omission", [("zh", 7, _lines("zh")[7]), ("en", 8, _lines("en")[8])]),
    (15, "content_difference", [("zh", 17, "战略"), ("en", 17, _lines("en")[17]), ("ar", 15, "الاستراتيجية")]),
    (17, "addition", [("ar", 17, _lines("ar")[17])]),
]


def _cited(response: pb.CompareResponse) -> list[tuple]:
    texts = {v.name: "\n".join(s.text for s in v.sentences) for v in response.versions}
    return [(f.row, formats.kind_name(f), [(r.version, r.sentence, texts[r.version][r.start:r.end]) for r in f.refs])
            for f in response.findings]


@pytest.fixture(scope="module")
def response(client_module) -> pb.CompareResponse:
    versions = [version(_lines(lang), name=lang) for lang in ("zh", "en", "ar")]  # languages detected
    return client_module.compare(versions)


@pytest.fixture(scope="module")
def client_module(address: str):
    from triglot.client import TriglotClient

    with TriglotClient(address, timeout=120) as c:
        yield c


def _cli(address: str, tmp_path: Path, fmt: str, *extra: str) -> str:
    out = tmp_path / f"report.{fmt}"
    code = main(["compare", *map(str, FILES), "--presplit", "--server", address, "--format", fmt, "-o", str(out),
                 *extra])
    assert code == 0
    return out.read_text(encoding="utf-8")


def test_grpc_result_has_the_gold_rows_glosses_and_exactly_the_built_in_findings(response: pb.CompareResponse) -> None:
    assert [v.name for v in response.versions] == ["zh", "en", "ar"] and response.pivot == "zh"
    assert [v.language for v in response.versions] == ["zh", "en", "ar"]
    assert _cited(response) == EXPECTED
    # The tiny test models are installed: zh and ar sentences carry machine glosses into en, marked as such.
    zh, en, ar = response.versions
    assert len(zh.glosses) == len(zh.sentences) and len(ar.glosses) == len(ar.sentences) and not en.glosses
    assert zh.gloss_signature and ar.gloss_signature and "|gloss=en" in response.signature
    # Their glosses are sound, so none is flagged (a copying model's are: tests/test_compare_flags.py).
    assert len(zh.gloss_quality) == len(zh.glosses) and not any(q.flags for v in (zh, ar) for q in v.gloss_quality)
    assert [list(c.sentence_ids) for c in response.rows[6].cells] == [[6], [6, 7], [6, 7]]
    assert [list(c.sentence_ids) for c in response.rows[11].cells] == [[11, 12], [12, 13], [11]]


def test_stream_reports_progress_then_the_same_result(client_module, response: pb.CompareResponse) -> None:
    events: list[pb.CompareProgress] = []
    streamed = client_module.compare_stream([version(_lines(lang), name=lang) for lang in ("zh", "en", "ar")],
                                            on_progress=events.append)
    assert streamed == response
    stages = [e.stage for e in events]
    assert stages[0] == "gloss" and "align" in stages and stages[-1] == "findings"
    assert all(e.done <= e.total for e in events) and events[-1].done == events[-1].total


def test_cli_json_tsv_tmx_and_html_agree_with_the_grpc_result(address: str, tmp_path: Path,
                                                               response: pb.CompareResponse) -> None:
    # JSON: the same document as the client's response written by formats.
    data = json.loads(_cli(address, tmp_path, "json"))
    assert data == formats.to_dict(response)
    rows = [[c["sentence_ids"] for c in row["cells"]] for row in data["rows"]]
    assert rows == [[list(c.sentence_ids) for c in row.cells] for row in response.rows]

    # TSV: ids and texts of every cell, and each row's finding kinds.
    lines = _cli(address, tmp_path, "tsv").rstrip("\n").split("\n")
    header = lines[0].split("\t")
    id_columns = [header.index(f"{v.name} ids") for v in response.versions]
    text_columns = [header.index(f"{v.name} ({v.language})") for v in response.versions]
    assert len(lines) - 1 == len(response.rows)
    kinds_by_row = {f.row: [] for f in response.findings}
    for f in response.findings:
        kinds_by_row[f.row].append(formats.kind_name(f))
    for row, line in zip(response.rows, lines[1:]):
        fields = line.split("\t")
        for v, (ic, tc) in enumerate(zip(id_columns, text_columns)):
            ids = list(row.cells[v].sentence_ids)
            assert fields[ic] == ",".join(map(str, ids))
            assert fields[tc] == " ".join(response.versions[v].sentences[i].text for i in ids)
        assert fields[-1] == ",".join(kinds_by_row.get(row.index, []))

    # TMX: one tu per row, a tuv per version with its language, the same ids and texts.
    root = ET.fromstring(_cli(address, tmp_path, "tmx").encode("utf-8"))
    tus = root.findall("body/tu")
    assert len(tus) == len(response.rows)
    for row, tu in zip(response.rows, tus):
        tuvs = tu.findall("tuv")
        assert [t.get(XML_LANG) for t in tuvs] == ["zh", "en", "ar"]
        for v, tuv in enumerate(tuvs):
            ids = list(row.cells[v].sentence_ids)
            assert tuv.findtext("prop[@type='x-triglot-sentences']", default="") == ",".join(map(str, ids))
            assert tuv.findtext("seg", default="") == " ".join(response.versions[v].sentences[i].text for i in ids)
        assert len(tu.findall("note")) == len(kinds_by_row.get(row.index, []))

    # HTML: every row, and every finding's spans marked with exactly the cited text.
    page = _cli(address, tmp_path, "html")
    assert _marked_by_finding(page) == {f"f{k}": "".join(text for _, _, text in refs)
                                        for k, (_, _, refs) in enumerate(EXPECTED)}
    for row in response.rows:
        assert f'id="row-{row.index}"' in page and f'href="#row-{row.index}"' in page


def test_cli_text_table_and_progress_on_stderr(address: str, capsys) -> None:
    assert main(["compare", *map(str, FILES), "--presplit", "--server", address, "--width", "150",
                 "--progress"]) == 0
    out, err = capsys.readouterr()
    assert "Findings (3):" in out and "content_difference" in out and "战略" in out
    assert "aligning versions" in err and "finding divergences" in err


def test_cli_pivot_and_bad_input(address: str, capsys, tmp_path: Path) -> None:
    data = json.loads(_cli(address, tmp_path, "json", "--pivot", "en"))
    assert data["pivot"] == "en" and sorted(f["kind"] for f in data["findings"]) == [
        "addition", "content_difference", "omission"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["compare", str(FILES[0]), "--presplit", "--server", address])
    assert exited.value.code == 1 and "at least two" in capsys.readouterr().err


def test_invalid_requests_get_invalid_argument(client_module) -> None:
    cases = [
        ([version(["One."], "en")], "at least 2 versions"),
        ([version(["One."], "en", "a"), version(["一。"], "zh", "a")], "'a' names two versions"),
        ([version(["One."], "en"), version([], "zh")], "versions[1].document.sentences is empty"),
        ([version(["One."], "en"), version(["Un."], "fr")], "versions[1].document.language"),
    ]
    for versions, message in cases:
        with pytest.raises(TriglotError) as caught:
            client_module.compare(versions)
        assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT and message in caught.value.details
    with pytest.raises(TriglotError) as caught:
        client_module.compare([version(["One."], "en"), version(["一。"], "zh")], pivot_language="ar")
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT and "pivot_language" in caught.value.details
    with pytest.raises(TriglotError) as caught:  # the stream maps errors the same way
        client_module.compare_stream([version(["One."], "en")])
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT


class _Marks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth: list[str | None] = []
        self.marked: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("br", "meta", "link", "img", "input", "hr"):
            return
        self.depth.append(dict(attrs).get("data-findings") if tag == "mark" else None)

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in ("br", "meta"):
            self.depth.pop()

    def handle_data(self, data: str) -> None:
        for ids in filter(None, self.depth):
            for fid in ids.split():
                self.marked[fid] = self.marked.get(fid, "") + data


def _marked_by_finding(page: str) -> dict[str, str]:
    parser = _Marks()
    parser.feed(page)
    return parser.marked


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium fonts-noto-cjk "
                    "fonts-noto-core)")
    return path


def test_html_report_renders_in_headless_chromium(address: str, tmp_path: Path, response: pb.CompareResponse) -> None:
    report = tmp_path / "compare-report.html"
    report.write_text(_cli(address, tmp_path, "html"), encoding="utf-8")
    common = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={tmp_path / 'chromium-profile'}"]
    env = dict(os.environ, HOME=str(tmp_path))  # keeps Chromium's caches out of the real home
    dom = subprocess.run([*common, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120,
                         env=env)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    # The rendered DOM has every row, the Arabic cells right to left, and each finding highlighted at its spans.
    for row in response.rows:
        assert f'id="row-{row.index}"' in rendered
    assert 'lang="ar" dir="rtl"' in rendered
    assert _marked_by_finding(rendered) == {f"f{k}": "".join(text for _, _, text in refs)
                                            for k, (_, _, refs) in enumerate(EXPECTED)}
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "compare-report.png"
    shot.unlink(missing_ok=True)
    done = subprocess.run([*common, f"--screenshot={shot}", "--window-size=1400,2000", report.as_uri()],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
