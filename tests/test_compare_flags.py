"""A comparison whose machine glosses come from a model that copies its input (argos-translate#496): every gloss is
shown as flagged in every output format, and the flagged glosses are not used as evidence — the rows and findings are
those of a comparison with no gloss at all."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import failure_models
from triglot import formats
from triglot.client import TriglotClient, version
from triglot.v1 import triglot_pb2 as pb

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "2020-03-09-china-iraq"


def _lines(language: str) -> list[str]:
    return (SAMPLE / f"{language}.sents").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def copy_address(tmp_path_factory):
    """A server whose only model is a zh→en model that returns its input unchanged."""
    from triglot_server.server import load_models, start_server

    model_dir = failure_models.install_failure_model(tmp_path_factory.mktemp("copy") / "models", "copy", "zh", "en")
    running = start_server("127.0.0.1:0")
    load_models(running, model_dir)
    yield running.address
    running.stop(grace=None)


@pytest.fixture(scope="module")
def response(copy_address) -> pb.CompareResponse:
    with TriglotClient(copy_address, timeout=120) as client:
        return client.compare([version(_lines("zh"), "zh"), version(_lines("en"), "en")])


def _rows_and_findings(rows, findings) -> tuple[list, list]:
    return ([[tuple(c.sentence_ids) for c in row.cells] for row in rows],
            [(f.row, _kind(f), [(r.version, r.sentence, r.start, r.end) for r in f.refs]) for f in findings])


def _kind(f) -> str:
    """The kind's lower-case name, of a gRPC finding (an enum number) or an engine one (a string enum)."""
    return f.kind if isinstance(f.kind, str) else formats.kind_name(f)


def test_copied_glosses_are_flagged_untranslated(response):
    zh, en = response.versions
    assert len(zh.glosses) == len(zh.gloss_quality) == len(_lines("zh"))
    assert all("untranslated" in q.flags for q in zh.gloss_quality)
    assert all(q.retry.startswith("retried with") for q in zh.gloss_quality)  # the engine tried again, said so
    assert not en.glosses and not en.gloss_quality  # English needs no English gloss


def test_flagged_glosses_are_no_evidence(response):
    from triglot_server.engine import comparison, segmentation

    versions = [comparison.Version(lang, lang, segmentation.sentences_from_lines(_lines(lang))) for lang in ("zh", "en")]
    plain = comparison.compare(versions)  # no glosser at all
    assert _rows_and_findings(response.rows, response.findings) == _rows_and_findings(plain.rows, plain.findings)


def test_every_format_marks_the_flagged_glosses(response):
    n = len(_lines("zh"))
    data = json.loads(formats.to_json(response))
    assert all("untranslated" in q["flags"] for q in data["versions"][0]["gloss_quality"])
    page = formats.to_html(response)
    assert page.count('class="gloss flagged"') == n
    assert 'title="likely not a translation: untranslated' in page
    tsv_gloss = [line.split("\t")[3] for line in formats.to_tsv(response).splitlines()[1:]]
    assert all(g.startswith("⚠ untranslated") for g in tsv_gloss if g)
    text = formats.to_text(response, width=200)
    assert text.count("MT: ⚠ untranslated") >= n - 1  # one per zh cell (two merged sentences share one cell)
