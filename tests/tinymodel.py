"""Build small but real Argos Translate packages (`.argosmodel`) for tests and benchmarks.

A package is a real CTranslate2 Transformer (written with ctranslate2's spec API, weights from numpy) plus a real
SentencePiece model trained on the bundled sample readout (en, zh and ar together, so one shared vocabulary serves
every pair). Nothing is downloaded.

Weights are deterministic (seeded) and set by a *recipe*, so the same builder makes every model the project needs:

- ``"aligned"`` (default): a word-by-word "dictionary" model. Cross-attention is wired to look at the source token in
  the same position as the decoding step, and the output layer maps each source piece to a fixed (seeded) piece of the
  target language's script; punctuation and digits carry over. The output therefore has exactly as many pieces as the
  input, is in the target script (a test can tell zh from en output), and ends with ``</s>`` right after the last
  source piece (the model config sets ``add_source_eos``), so decoding terminates on its own.
- ``"copy"``: the same wiring with an identity table: it returns the source sentence unchanged (argos-translate#496).
- ``"loop"``: ignores the source and cycles through a few target pieces, never emitting ``</s>``; decoding only stops
  at the engine's length cap (the runaway repetition of argos-translate#444).
- ``"random"``: plain random weights, output restricted to target-script pieces; for compute-only benchmarks.
- any callable ``recipe(ctx: WeightContext) -> None`` that fills ``ctx.spec``.

Dimensions are parameters (:class:`ModelDims`), so a benchmark can build a transformer-base sized model (6+6 layers,
d_model 512, 8 heads, ffn 2048) whose compute cost matches a real Argos package; ``vocab_size`` larger than the
SentencePiece vocabulary pads the model vocabulary with tokens that are never produced.

Public API: :func:`build_argosmodel`, :func:`build_test_models`, :func:`install_test_models`,
:func:`train_sentencepiece`, :class:`ModelDims`, :data:`TINY`, :data:`TRANSFORMER_BASE`, :data:`RECIPES`.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from triglot_server.engine.languages import LANGUAGES

BUILDER_VERSION = 1  # bump when the output of the builder changes (invalidates the on-disk cache)
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "examples" / "2020-03-09-china-iraq"
DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (("en", "zh"), ("zh", "en"), ("en", "ar"), ("ar", "en"))
NEG = -1e4  # logit bias of tokens a model must never produce


@dataclass(frozen=True)
class ModelDims:
    """Architecture of the Transformer. Compute cost depends on these, not on the weights' values."""

    encoder_layers: int = 1
    decoder_layers: int = 1
    d_model: int = 128
    heads: int = 4
    ffn: int = 256
    vocab_size: int | None = None  # None: the SentencePiece vocabulary; larger pads with never-produced tokens
    max_positions: int = 2048  # rows of the position table: bounds input tokens and decoding steps
    sp_vocab_size: int = 600  # SentencePiece vocabulary requested (the sample text yields at most ~760 pieces)


TINY = ModelDims()
# Transformer-base (Vaswani et al. 2017) with a 32k shared vocabulary: the usual OpenNMT-py recipe behind Argos
# packages. bench/benchmodel.py's ARGOS_EN_ZH overrides it with the sizes of Argos' own trainer (50k vocabulary).
TRANSFORMER_BASE = ModelDims(encoder_layers=6, decoder_layers=6, d_model=512, heads=8, ffn=2048,
                             vocab_size=32000, max_positions=2048)


# ---------------------------------------------------------------------------------------------- SentencePiece

_EXTRA_TRAINING_LINES = [  # so any English letter or digit in a test sentence has a piece (no <unk> surprises)
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789",
]


def sample_lines() -> list[str]:
    """Non-empty lines of the bundled sample readout in all three languages."""
    lines: list[str] = []
    for name in ("en.txt", "zh.txt", "ar.txt"):
        lines += [line.strip() for line in (SAMPLE_DIR / name).read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    return lines


def train_sentencepiece(lines: Iterable[str] | None = None, vocab_size: int = TINY.sp_vocab_size) -> bytes:
    """Train a unigram SentencePiece model (serialized bytes) on `lines` (default: the sample readout)."""
    import sentencepiece as spm

    lines = list(lines) if lines is not None else sample_lines() + _EXTRA_TRAINING_LINES
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buffer, vocab_size=vocab_size, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False,  # small corpus: take what it has, up to vocab_size
        num_threads=1, minloglevel=2)  # one thread: deterministic and quiet
    return buffer.getvalue()


@lru_cache(maxsize=4)
def _default_sentencepiece(vocab_size: int) -> bytes:
    return train_sentencepiece(vocab_size=vocab_size)


def _pieces(sp_model: bytes) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


# ---------------------------------------------------------------------------------------------- scripts

_SCRIPTS = {
    "zh": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "ar": re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "en": re.compile(r"[A-Za-z]"),
}
_SPECIAL = {"<unk>", "<s>", "</s>"}

# Punctuation carried over into the target language's own form, when the vocabulary has that piece.
_PUNCTUATION = {
    "zh": {".": "。", ",": "，", "?": "？", ":": "：", ";": "；", "،": "，", "؛": "；", "؟": "？"},
    "en": {"。": ".", "，": ",", "、": ",", "：": ":", "；": ";", "？": "?", "（": "(", "）": ")",
           "،": ",", "؛": ";", "؟": "?"},
    "ar": {",": "،", ";": "؛", "?": "؟", "，": "،", "、": "،", "；": "؛", "？": "؟", "。": ".", "：": ":"},
}


def piece_script(piece: str) -> str | None:
    """"en", "zh" or "ar" for a piece with letters of that script; None for punctuation, digits and specials."""
    if piece in _SPECIAL:
        return None
    for code, pattern in _SCRIPTS.items():
        if pattern.search(piece):
            return code
    return None


# ---------------------------------------------------------------------------------------------- weights

@dataclass
class WeightContext:
    """What a recipe needs to fill a TransformerSpec."""

    spec: object  # ctranslate2.specs.TransformerSpec
    dims: ModelDims
    vocabulary: list[str]  # model vocabulary: SentencePiece pieces, then the target prefix if any, then padding
    sp_size: int  # the first sp_size tokens are SentencePiece pieces
    source_code: str
    target_code: str
    target_prefix: str
    rng: np.random.Generator

    @property
    def d(self) -> int:
        return self.dims.d_model

    @property
    def head_dim(self) -> int:
        return self.dims.d_model // self.dims.heads

    def token_id(self, piece: str) -> int:
        return self.vocabulary.index(piece)

    def target_pieces(self) -> np.ndarray:
        """Ids of pieces in the target script, preferring how words are written there (▁-initial in en/ar)."""
        ids = [i for i in range(self.sp_size) if piece_script(self.vocabulary[i]) == self.target_code]
        if self.target_code == "zh":
            preferred = [i for i in ids if not self.vocabulary[i].startswith("▁")]
        else:
            preferred = [i for i in ids if self.vocabulary[i].startswith("▁") and len(self.vocabulary[i]) > 1]
        chosen = preferred if len(preferred) >= 8 else ids
        if not chosen:
            raise ValueError(f"the SentencePiece vocabulary has no {self.target_code} pieces")
        return np.array(chosen)

    def noise(self, *shape: int) -> np.ndarray:
        """Tiny random values for weights a recipe does not use (real, non-zero matrices; negligible effect)."""
        return (self.rng.standard_normal(shape) * (1e-3 / np.sqrt(shape[-1]))).astype(np.float32)


def dictionary_table(ctx: WeightContext) -> np.ndarray:
    """A seeded word-by-word table: model token id -> output token id (target script; punctuation kept)."""
    vocab, eos = ctx.vocabulary, ctx.token_id("</s>")
    targets = ctx.target_pieces()
    choice = targets[ctx.rng.integers(0, len(targets), size=len(vocab))]
    punctuation = _PUNCTUATION.get(ctx.target_code, {})
    index = {piece: i for i, piece in enumerate(vocab[:ctx.sp_size])}
    table = np.empty(len(vocab), dtype=np.int64)
    for i, piece in enumerate(vocab):
        script = piece_script(piece) if i < ctx.sp_size else None
        if i == eos:
            table[i] = eos
        elif i < ctx.sp_size and piece not in _SPECIAL and script is None:
            table[i] = index.get(punctuation.get(piece, piece), i)  # digits and punctuation carry over
        elif script == ctx.target_code:
            table[i] = i  # already in the target language (a name, a quoted word)
        else:
            table[i] = choice[i]
    return table


def _position_code(positions: int, width: int) -> np.ndarray:
    """Sinusoidal position codes of `width` dims as [sin, cos, -sin, -cos] groups: zero-mean (so layer norms only
    rescale them) and unit norm; code(t)·code(s) = mean cos((t-s)ω), 1 at t == s and below ~0.8 elsewhere for
    up to 2048 positions with >= 8 frequencies."""
    frequencies = 2 * np.pi / np.geomspace(2.5, 4096, width // 4)
    angles = np.outer(np.arange(positions), frequencies)
    sin, cos = np.sin(angles), np.cos(angles)
    code = np.concatenate([sin, cos, -sin, -cos], axis=1) / np.sqrt(2 * len(frequencies))
    return np.pad(code, ((0, 0), (0, width - code.shape[1]))).astype(np.float32)


def _fill_background(ctx: WeightContext) -> None:
    """Give every weight a harmless value: layer norms identity, linears near-zero noise (so every layer is a
    residual pass-through), embeddings noise, no output token allowed. Recipes then wire what they need."""
    spec, d, ffn, vocab = ctx.spec, ctx.d, ctx.dims.ffn, len(ctx.vocabulary)

    def norm(layer_norm) -> None:
        layer_norm.gamma = np.ones(d, dtype=np.float32)
        layer_norm.beta = np.zeros(d, dtype=np.float32)

    def linear(lin, out: int, inp: int) -> None:
        lin.weight = ctx.noise(out, inp)
        lin.bias = np.zeros(out, dtype=np.float32)

    def feed_forward(ff) -> None:
        norm(ff.layer_norm)
        linear(ff.linear_0, ffn, d)
        linear(ff.linear_1, d, ffn)

    def self_attention(att) -> None:
        norm(att.layer_norm)
        linear(att.linear[0], 3 * d, d)  # fused query, key, value
        linear(att.linear[1], d, d)

    positions = _position_code(ctx.dims.max_positions, d)
    encoder, decoder = spec.encoder, spec.decoder
    encoder.scale_embeddings = False  # recipes set embeddings at the scale they want
    decoder.scale_embeddings = False
    encoder.embeddings[0].weight = ctx.noise(vocab, d)
    encoder.position_encodings.encodings = positions
    norm(encoder.layer_norm)
    for layer in encoder.layer:
        self_attention(layer.self_attention)
        feed_forward(layer.ffn)
    decoder.embeddings.weight = ctx.noise(vocab, d)
    decoder.position_encodings.encodings = positions
    norm(decoder.layer_norm)
    for layer in decoder.layer:
        self_attention(layer.self_attention)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)  # query
        linear(layer.attention.linear[1], 2 * d, d)  # fused key, value
        linear(layer.attention.linear[2], d, d)
        feed_forward(layer.ffn)
    decoder.projection.weight = ctx.noise(vocab, d)
    decoder.projection.bias = np.full(vocab, NEG, dtype=np.float32)


def _layout(ctx: WeightContext) -> tuple[int, np.ndarray]:
    """Split the model width: dims [0, p) carry position, [p, d-2) token identity, the last two mark </s>.
    Returns p and one unit, zero-mean token code per vocabulary entry (placed in the full width)."""
    d, p = ctx.d, min(ctx.head_dim, ctx.d // 2) // 4 * 4
    if p < 16 or d - p < 16:
        raise ValueError(f"recipe needs d_model/heads >= 16 and d_model >= 32 (got {ctx.dims})")
    codes = np.zeros((len(ctx.vocabulary), d), dtype=np.float32)
    block = ctx.rng.standard_normal((len(ctx.vocabulary), d - 2 - p))
    block -= block.mean(axis=1, keepdims=True)
    codes[:, p:d - 2] = block / np.linalg.norm(block, axis=1, keepdims=True)
    eos = ctx.token_id("</s>")
    codes[eos] = 0
    codes[eos, d - 2:] = (1 / np.sqrt(2), -1 / np.sqrt(2))  # a direction of its own: </s> is never confused
    return p, codes


def _output_layer(ctx: WeightContext, codes: np.ndarray, table: np.ndarray, inputs: np.ndarray, scale: float) -> None:
    """Projection such that the token coded by codes[i] (for i in inputs) is answered with table[i]."""
    projection = ctx.spec.decoder.projection
    weight = np.zeros((len(ctx.vocabulary), ctx.d), dtype=np.float32)
    np.add.at(weight, table[inputs], codes[inputs])
    projection.weight = weight * scale
    bias = np.full(len(ctx.vocabulary), NEG, dtype=np.float32)
    bias[np.unique(table[inputs])] = 0.0
    projection.bias = bias


def wire_position_aligned(ctx: WeightContext, table: np.ndarray) -> None:
    """Decoding step t outputs table[source token t]; the source's </s> gives </s>, so the output has the
    input's length. Layer 0's cross-attention does the work; all other layers pass the residual through."""
    _fill_background(ctx)
    d, hd = ctx.d, ctx.head_dim
    p, codes = _layout(ctx)
    position = _position_code(ctx.dims.max_positions, p)
    shift = 1 if ctx.target_prefix else 0  # a prefix token occupies the first decoding step after <s>
    encoder, decoder = ctx.spec.encoder, ctx.spec.decoder
    encoder.embeddings[0].weight = codes
    enc_pos = np.zeros((ctx.dims.max_positions, d), dtype=np.float32)
    enc_pos[:, :p] = position
    encoder.position_encodings.encodings = enc_pos
    dec_pos = np.zeros_like(enc_pos)
    dec_pos[shift:, :p] = position[:len(position) - shift]
    dec_pos[:shift, :p] = position[0]
    decoder.position_encodings.encodings = dec_pos
    # The encoder output is LN(code + pos) = sqrt(d/2)(code + pos); the decoder input LN(pos) = sqrt(d) pos.
    # Attention score (CT2 divides by sqrt(head_dim)): sharpness * d/sqrt(2) * pos(t)·pos(s) / sqrt(hd).
    sharpness = 30.0 / 0.19 * np.sqrt(2 * hd) / d  # >= ~30 logits between the aligned position and any other
    cross = decoder.layer[0].attention
    query = np.zeros((d, d), dtype=np.float32)
    key_value = np.zeros((2 * d, d), dtype=np.float32)
    for head in range(ctx.dims.heads):  # every head attends alike: position block in the head's first p dims
        query[head * hd + np.arange(p), np.arange(p)] = sharpness
        key_value[head * hd + np.arange(p), np.arange(p)] = 1.0
    key_value[d + np.arange(p, d), np.arange(p, d)] = 1.0  # values: the token block
    output = np.zeros((d, d), dtype=np.float32)
    output[np.arange(p, d), np.arange(p, d)] = 1.0
    cross.linear[0].weight, cross.linear[1].weight, cross.linear[2].weight = query, key_value, output
    sources = np.arange(len(ctx.vocabulary))
    _output_layer(ctx, codes, table, sources, scale=30.0 / np.sqrt(d))


def recipe_aligned(ctx: WeightContext) -> None:
    wire_position_aligned(ctx, dictionary_table(ctx))


def recipe_copy(ctx: WeightContext) -> None:
    wire_position_aligned(ctx, np.arange(len(ctx.vocabulary)))


def recipe_loop(ctx: WeightContext, cycle_length: int = 3) -> None:
    """Ignore the source; answer <s> (and the prefix) with c0, c0 with c1, ... c[k-1] with c0; never </s>."""
    _fill_background(ctx)
    p, codes = _layout(ctx)
    targets = ctx.target_pieces()
    cycle = targets[ctx.rng.choice(len(targets), size=min(cycle_length, len(targets)), replace=False)]
    table = np.full(len(ctx.vocabulary), cycle[0], dtype=np.int64)
    table[cycle] = np.roll(cycle, -1)
    decoder = ctx.spec.decoder
    decoder.embeddings.weight = codes  # the previous token decides the next one
    positions = np.zeros((ctx.dims.max_positions, ctx.d), dtype=np.float32)
    positions[:, :p] = _position_code(ctx.dims.max_positions, p)  # kept out of the token block
    decoder.position_encodings.encodings = positions
    inputs = [*cycle, ctx.token_id("<s>")] + ([ctx.token_id(ctx.target_prefix)] if ctx.target_prefix else [])
    _output_layer(ctx, codes, table, np.array(inputs), scale=30.0 / np.sqrt(ctx.d))


def recipe_random(ctx: WeightContext) -> None:
    """Random weights of the usual scale; only target-script pieces (and </s>) may be produced."""
    _fill_background(ctx)

    def randomize(spec, name, value) -> None:
        if isinstance(value, np.ndarray) and value.ndim == 2 and "encodings" not in name:
            setattr(spec, name.split("/")[-1],
                    (ctx.rng.standard_normal(value.shape) / np.sqrt(value.shape[1])).astype(np.float32))

    from ctranslate2.specs.model_spec import visit_spec

    visit_spec(ctx.spec, randomize)
    ctx.spec.encoder.embeddings[0].weight *= np.sqrt(ctx.d)  # embeddings of unit-scale components
    ctx.spec.decoder.embeddings.weight *= np.sqrt(ctx.d)
    bias = np.full(len(ctx.vocabulary), NEG, dtype=np.float32)
    bias[ctx.target_pieces()] = 0.0
    bias[ctx.token_id("</s>")] = 0.0
    ctx.spec.decoder.projection.bias = bias


Recipe = Callable[[WeightContext], None]
RECIPES: dict[str, Recipe] = {"aligned": recipe_aligned, "copy": recipe_copy, "loop": recipe_loop,
                              "random": recipe_random}


# ---------------------------------------------------------------------------------------------- packaging

def build_ct2_model(model_dir: Path, from_code: str, to_code: str, sp_model: bytes, *, seed: int = 0,
                    dims: ModelDims = TINY, recipe: str | Recipe = "aligned", target_prefix: str = "",
                    quantization: str | None = None) -> Path:
    """Write a CTranslate2 model directory (model.bin, config.json, shared_vocabulary.json)."""
    from ctranslate2.specs import TransformerSpec

    fill = RECIPES[recipe] if isinstance(recipe, str) else recipe
    pieces = _pieces(sp_model)
    vocabulary = pieces + ([target_prefix] if target_prefix else [])
    if dims.vocab_size is not None:
        if dims.vocab_size < len(vocabulary):
            raise ValueError(f"vocab_size {dims.vocab_size} < {len(vocabulary)} tokens of the SentencePiece model")
        vocabulary += [f"<extra_{i}>" for i in range(dims.vocab_size - len(vocabulary))]
    spec = TransformerSpec.from_config((dims.encoder_layers, dims.decoder_layers), dims.heads)
    spec.config.add_source_eos = True  # the source ends with </s>: the aligned recipes answer it with </s>
    pair_key = zlib.crc32(f"{from_code}>{to_code}".encode())
    fill(WeightContext(spec=spec, dims=dims, vocabulary=vocabulary, sp_size=len(pieces), source_code=from_code,
                       target_code=to_code, target_prefix=target_prefix,
                       rng=np.random.default_rng([seed, pair_key])))
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization=quantization)
    model_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(model_dir))
    return model_dir


def package_dir_name(from_code: str, to_code: str, version: str = "1.0") -> str:
    return f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"


def build_argosmodel(out_path: Path, from_code: str, to_code: str, *, seed: int = 0, dims: ModelDims = TINY,
                     recipe: str | Recipe = "aligned", target_prefix: str = "", version: str = "1.0",
                     quantization: str | None = None, sp_model: bytes | None = None) -> Path:
    """Write a real `.argosmodel` (zip with one top directory: metadata.json, model/, sentencepiece.model,
    README.md) to out_path and return it. `sp_model` defaults to the SentencePiece model of the sample readout."""
    out_path = Path(out_path)
    if sp_model is None:
        sp_model = _default_sentencepiece(dims.sp_vocab_size)
    recipe_name = recipe if isinstance(recipe, str) else getattr(recipe, "__name__", "custom")
    top = package_dir_name(from_code, to_code, version)
    with tempfile.TemporaryDirectory(prefix="triglot-build-") as tmp:
        root = Path(tmp) / top
        build_ct2_model(root / "model", from_code, to_code, sp_model, seed=seed, dims=dims, recipe=recipe,
                        target_prefix=target_prefix, quantization=quantization)
        (root / "sentencepiece.model").write_bytes(sp_model)
        metadata = {
            "package_version": version, "argos_version": "1.9", "from_code": from_code,
            "from_name": LANGUAGES.get(from_code, from_code), "to_code": to_code,
            "to_name": LANGUAGES.get(to_code, to_code), "type": "translate",
            "target_prefix": target_prefix,
        }
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        (root / "README.md").write_text(
            f"# triglot test model {from_code}→{to_code}\n\nNot a real translator: a tiny CTranslate2 Transformer "
            f"with constructed weights (recipe {recipe_name!r}, seed {seed}, {dims}), built by triglot's "
            "tests/tinymodel.py for tests and benchmarks.\n", encoding="utf-8")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        partial = out_path.with_name(out_path.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for path in sorted(root.rglob("*")):
                # Weights hardly compress (random floats): store model.bin, so big benchmark models build fast.
                stored = zipfile.ZIP_STORED if path.name == "model.bin" else zipfile.ZIP_DEFLATED
                archive.write(path, path.relative_to(tmp).as_posix(), compress_type=stored)
        os.replace(partial, out_path)  # a reader never sees a half-written archive
    return out_path


def build_test_models(out_dir: Path, pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS, *, seed: int = 0,
                      dims: ModelDims = TINY, recipe: str | Recipe = "aligned") -> list[Path]:
    """Build one `.argosmodel` per pair into out_dir (sharing one SentencePiece model) and return their paths."""
    sp_model = _default_sentencepiece(dims.sp_vocab_size)
    return [build_argosmodel(Path(out_dir) / f"{src}_{tgt}.argosmodel", src, tgt, seed=seed, dims=dims,
                             recipe=recipe, sp_model=sp_model) for src, tgt in pairs]


def _cache_key(pairs: Sequence[tuple[str, str]], seed: int, dims: ModelDims) -> str:
    digest = hashlib.sha256(json.dumps([BUILDER_VERSION, list(pairs), seed, asdict(dims)]).encode())
    digest.update(Path(__file__).read_bytes())  # any change to the builder rebuilds
    for name in ("en.txt", "zh.txt", "ar.txt"):
        digest.update((SAMPLE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def cached_test_models(pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS, *, seed: int = 0, dims: ModelDims = TINY,
                       cache_dir: Path | None = None) -> list[Path]:
    """The test models, built once per builder version into a cache directory
    ($TRIGLOT_TEST_CACHE, else <tmp>/triglot-test-models) and reused by later runs and processes."""
    base = Path(cache_dir or os.environ.get("TRIGLOT_TEST_CACHE") or Path(tempfile.gettempdir()) / "triglot-test-models")
    final = base / _cache_key(pairs, seed, dims)
    if not final.is_dir():
        base.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=base))
        build_test_models(staging, pairs, seed=seed, dims=dims)
        try:
            os.rename(staging, final)  # atomic; another process may have won the race
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    return [final / f"{src}_{tgt}.argosmodel" for src, tgt in pairs]


def install_test_models(model_dir: Path, pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS, *, seed: int = 0,
                        dims: ModelDims = TINY, cache_dir: Path | None = None) -> Path:
    """Build (cached) and install the test models into model_dir with the engine's own installer."""
    from triglot_server.engine.translation import install_packages

    install_packages(cached_test_models(pairs, seed=seed, dims=dims, cache_dir=cache_dir), Path(model_dir))
    return Path(model_dir)
