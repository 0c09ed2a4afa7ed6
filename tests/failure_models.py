"""Tiny real `.argosmodel` packages that fail the way Argos models are reported to fail, for the quality-flag tests.

Built with tests/tinymodel.py (imported: same SentencePiece model, same wiring code, real CTranslate2 weights):

| kind           | behaviour                                              | reported as           | flags expected       |
|----------------|--------------------------------------------------------|-----------------------|----------------------|
| `copy`         | returns the source sentence unchanged                   | argos-translate#496   | untranslated         |
| `loop`         | cycles through 3 target pieces, never emits </s>       | argos-translate#444   | repetition           |
| `truncate`     | one target piece, then </s>                            | (truncated output)    | length_outlier       |
| `wrong_script` | a word-by-word model writing the third language        | (pivot leak)          | wrong_script         |
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

import tinymodel


def recipe_truncate(ctx: tinymodel.WeightContext) -> None:
    """Answer one target-script piece, then </s>: a truncated translation."""
    tinymodel._fill_background(ctx)  # every layer a pass-through, every token forbidden (bias NEG) ...
    bias = np.full(len(ctx.vocabulary), tinymodel.NEG, dtype=np.float32)
    bias[ctx.target_pieces()[0]] = -1.0  # ... except one target piece (CTranslate2 never ends on step 0) ...
    bias[ctx.token_id("</s>")] = 0.0  # ... and </s>, preferred as soon as it is allowed
    ctx.spec.decoder.projection.bias = bias


def recipe_wrong_script(ctx: tinymodel.WeightContext) -> None:
    """The `aligned` word-by-word model, but its dictionary maps into the third language's script."""
    third = ({"en", "zh", "ar"} - {ctx.source_code, ctx.target_code}).pop()
    other = replace(ctx, target_code=third)
    tinymodel.wire_position_aligned(other, tinymodel.dictionary_table(other))


FAILURE_RECIPES: dict[str, str | tinymodel.Recipe] = {
    "copy": "copy", "loop": "loop", "truncate": recipe_truncate, "wrong_script": recipe_wrong_script,
}


def build_failure_model(out_dir: Path, kind: str, from_code: str = "en", to_code: str = "zh") -> Path:
    """Build the `.argosmodel` of one failure kind for the pair, into out_dir."""
    return tinymodel.build_argosmodel(Path(out_dir) / f"{kind}-{from_code}_{to_code}.argosmodel", from_code, to_code,
                                      recipe=FAILURE_RECIPES[kind])


def install_failure_model(model_dir: Path, kind: str, from_code: str = "en", to_code: str = "zh") -> Path:
    """Build and install one failure model (the engine's own installer) into model_dir; returns model_dir."""
    from triglot_server.engine.translation import install_packages

    model_dir = Path(model_dir)
    install_packages([build_failure_model(model_dir.parent / f"{model_dir.name}-packages", kind, from_code, to_code)],
                     model_dir)
    return model_dir
