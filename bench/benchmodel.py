"""Build an `.argosmodel` with the dimensions of a real Argos Translate en→zh package, for benchmarks.

Architecture (source: argosopentech/argos-train `config.yml` and `argostrain/train.py`, and LibreTranslate/Locomotive
`train.py`, the two trainers of Argos packages): OpenNMT-py Transformer, `enc_layers: 6`, `dec_layers: 6`, `heads: 8`,
`rnn_size`/`word_vec_size: 512`, `transformer_ff: 2048`, one SentencePiece model shared by both sides with
`vocab_size=50000` (`share_vocab: True`), converted with `ct2-opennmt-py-converter --quantization int8`. The
translate-en_zh-1_9 package is ~150 MB, which matches ~121 M int8 parameters plus its tokenizer and Stanza files.

Compute cost depends on those dimensions, not on the weights' values, so the weights come from tests/tinymodel.py
(imported, not copied): recipe "realistic" (default) is tinymodel's "aligned" wiring — each output has as many pieces as
its input and ends on its own, the same for every run — with a dictionary of one-character Chinese pieces, so outputs
have the length of a real translation and raise no quality flag (nothing is retried); "aligned" is tinymodel's recipe
as is (its Chinese pieces are often whole Bible phrases: outputs 3-4x too long, all flagged and retried); "random" uses
plain random weights, whose output length is set by the decoding length cap (the engine's `max_decoding_ratio` × input
+ `max_decoding_extra`), so decoding can never run forever. All are real int8 CTranslate2 models of transformer-base
size.

The SentencePiece model is trained on the Bible en/zh texts (bench data, ../shared/data/bible-zh-en) plus the sample
readout, with 16,000 pieces: an English readout sentence (19.9 words) then becomes ~32 pieces (1.6 per word, punctuation
included; the Bible-only tokenizer gives 2.25 per word, the 600-piece test tokenizer far more). A 50k Argos tokenizer
trained on news text likely splits a little finer than that, so the figures are, if anything, pessimistic. The model vocabulary is
padded to 50,000 entries so the embedding and output layers have the real size.

Usage: python bench/benchmodel.py [--recipe aligned|random] [--out FILE]   (prints the path; cached by settings)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import asdict, fields, replace
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "tests")]

import tinymodel  # noqa: E402  (tests/ is not a package; the builder lives there and is shared, not copied)
from benchutil import BIBLE  # noqa: E402

ARGOS_EN_ZH = replace(tinymodel.TRANSFORMER_BASE, encoder_layers=6, decoder_layers=6, d_model=512, heads=8, ffn=2048,
                      vocab_size=50000, max_positions=1024, sp_vocab_size=16000)
BIBLE_BOOKS = ("001", "002", "003")


def training_lines() -> list[str]:
    """Text for the benchmark tokenizer: Bible en/zh dev books (when present) and the sample readout, weighted x10
    so that its modern words (Iraq, COVID-19, minister) are whole pieces, as in a tokenizer trained on news text."""
    lines = tinymodel.sample_lines() * 10
    for book in BIBLE_BOOKS:
        for language in ("en", "zh"):
            path = BIBLE / f"{book}.{language}"
            if path.is_file():
                lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


class _OneCharacterPieces(tinymodel.WeightContext):
    """Target pieces of one letter (the Bible-trained tokenizer also has whole zh phrases as pieces)."""

    def target_pieces(self):  # noqa: ANN201 (numpy array, as the base class)
        ids = super().target_pieces()
        short = ids[[len(self.vocabulary[i].lstrip("▁")) == 1 for i in ids]]
        return short if len(short) >= 8 else ids


def recipe_realistic(ctx: tinymodel.WeightContext) -> None:
    """tinymodel's `aligned` wiring (one output piece per input piece, then </s>) whose dictionary writes one
    Chinese character per English piece: output lengths like a real en→zh translation's, so the quality flags
    stay silent and no sentence is retried — the benchmark measures the normal path."""
    short = _OneCharacterPieces(**{f.name: getattr(ctx, f.name) for f in fields(ctx)})
    tinymodel.wire_position_aligned(short, tinymodel.dictionary_table(short))


RECIPES = {"realistic": recipe_realistic, "aligned": "aligned", "random": "random"}


def cache_dir() -> Path:
    return Path(os.environ.get("TRIGLOT_BENCH_CACHE") or Path(tempfile.gettempdir()) / "triglot-bench-models")


def build_bench_model(out: Path | None = None, *, recipe: str = "realistic", from_code: str = "en", to_code: str = "zh",
                      dims: tinymodel.ModelDims = ARGOS_EN_ZH, seed: int = 0) -> Path:
    """The benchmark `.argosmodel` (int8, transformer-base); built once per settings and builder, then cached."""
    key = hashlib.sha256(json.dumps([recipe, from_code, to_code, asdict(dims), seed,
                                     tinymodel.BUILDER_VERSION]).encode())
    key.update(Path(tinymodel.__file__).read_bytes())
    key.update(Path(__file__).read_bytes())
    path = Path(out) if out else cache_dir() / f"bench-{from_code}_{to_code}-{recipe}-{key.hexdigest()[:12]}.argosmodel"
    if path.is_file():
        return path
    sp_model = tinymodel.train_sentencepiece(training_lines(), vocab_size=dims.sp_vocab_size)
    return tinymodel.build_argosmodel(path, from_code, to_code, seed=seed, dims=dims, recipe=RECIPES[recipe],
                                      quantization="int8", sp_model=sp_model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", choices=list(RECIPES), default="realistic")
    parser.add_argument("--out", type=Path, help="where to write the .argosmodel (default: a cache directory)")
    args = parser.parse_args()
    print(build_bench_model(args.out, recipe=args.recipe))


if __name__ == "__main__":
    main()
