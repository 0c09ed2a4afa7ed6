"""Translations keep literal underscores (issue 14, item 10): detokenisation turns SentencePiece's word marker "▁"
into spaces, never the ASCII "_" of identifiers and file names.

A real server on loopback with the `copy` failure model (tests/failure_models.py: it returns its input pieces
unchanged, so whatever differs between input and output is the detokeniser's doing).
"""
from __future__ import annotations

import pytest

from failure_models import install_failure_model
from triglot.client import TriglotClient
from triglot_server.server import load_models, start_server


@pytest.fixture(scope="module")
def copy_server(tmp_path_factory: pytest.TempPathFactory):
    model_dir = install_failure_model(tmp_path_factory.mktemp("copy") / "models", "copy", "en", "zh")
    running = start_server("127.0.0.1:0")
    load_models(running, model_dir)
    yield running
    running.stop(grace=None)


@pytest.mark.parametrize("sentence", ["The file foreign_ministry_2020 was read.", "snake__case and _private_ names"])
def test_underscores_come_back_as_written(copy_server, sentence):
    with TriglotClient(copy_server.address, timeout=30) as client:
        pair = client.translate([sentence], target="zh", source="en").pairs[0]
    assert pair.translation == sentence  # was "The file foreign ministry 2020 was read."
