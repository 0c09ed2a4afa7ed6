"""Offline translation with installed Argos Translate packages, through CTranslate2.

One `ctranslate2.Translator` and one SentencePiece tokenizer per installed package, loaded once when the engine is
built and reused by every call. A call translates all its sentences together: they are tokenised, grouped into
length buckets and each bucket goes to `translate_batch` once (CTranslate2 batches inside, `max_batch_size`).
zh↔ar (or any pair without a direct package) goes through English when both hops are installed.

We read packages ourselves (metadata.json, sentencepiece.model, model/) and never import
`argostranslate.translate`: it pulls in stanza, torch and spacy (~5 s of start-up) for sentence splitting we do not
use. Detokenisation follows Argos (`apply_packaged_translation`): SentencePiece decode, "▁"/"_" to spaces, target
prefix and leading space removed. Nothing here touches the network.

Settings (keyword arguments of TranslationEngine; defaults chosen for a 2-core CPU serving one request at a time):

| setting              | default   | meaning                                                                         |
|----------------------|-----------|---------------------------------------------------------------------------------|
| inter_threads        | 1         | batches translated in parallel per model (CTranslate2 workers)                 |
| intra_threads        | 2         | threads inside one batch (0 = CTranslate2 picks); 1 x 2 uses both cores        |
| compute_type         | "default" | keep the model's stored type (Argos ships int8); "auto", "int8", "float32" ... |
| beam_size            | 4         | as Argos Translate                                                              |
| length_penalty       | 0.2       | as Argos Translate                                                              |
| max_batch_size       | 32        | sentences per CTranslate2 batch (batch_type "examples")                         |
| batch_type           | "examples"| or "tokens" (then max_batch_size counts tokens)                                |
| max_decoding_ratio   | 2.0       | decoding length cap = ratio x input tokens + extra, per length bucket, so a     |
| max_decoding_extra   | 10        | model that never emits </s> (a runaway loop) still stops                        |
| max_input_tokens     | 512       | longer sentences are translated in consecutive chunks of this many tokens and   |
|                      |           | joined (CTranslate2 would otherwise truncate them silently)                     |
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from triglot_server.engine.languages import normalize_language
from triglot_server.engine.packages import (INSTALL_HINT, ModelInfo, default_model_dir, install_packages,
                                            list_packages, read_metadata)
from triglot_server.engine.types import EngineError, InvalidInput, NotInstalled

__all__ = ["ModelInfo", "Route", "TranslationResult", "TranslationEngine", "default_model_dir",
           "install_packages", "list_packages", "PIVOT", "DEFAULT_SETTINGS"]

PIVOT = "en"
DEFAULT_SETTINGS: dict[str, object] = {
    "inter_threads": 1, "intra_threads": 2, "compute_type": "default", "beam_size": 4, "length_penalty": 0.2,
    "max_batch_size": 32, "batch_type": "examples", "max_decoding_ratio": 2.0, "max_decoding_extra": 10,
    "max_input_tokens": 512,
}


@dataclass(frozen=True)
class Route:
    """How source reaches target: directly (via == []) or through pivot languages; models used, in order."""

    source: str
    target: str
    via: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TranslationResult:
    translations: list[str]  # one per input sentence, in order
    route: list[str]  # languages passed through, e.g. ["zh", "en", "ar"]
    models: list[str]  # package names used, in order
    signature: str  # models and decoding settings, for reproducibility


class _Package:
    """One loaded package: its translator, tokenizer and metadata."""

    def __init__(self, info: ModelInfo, settings: dict) -> None:
        import ctranslate2
        import sentencepiece

        self.info = info
        metadata = read_metadata(info.path)
        self.target_prefix: str = metadata.get("target_prefix", "") or ""
        try:
            self.tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(info.path / "sentencepiece.model"))
            self.translator = ctranslate2.Translator(
                str(info.path / "model"), device="cpu", inter_threads=settings["inter_threads"],
                intra_threads=settings["intra_threads"], compute_type=settings["compute_type"])
        except (RuntimeError, OSError, ValueError) as error:
            raise EngineError(f"cannot load translation model {info.name} from {info.path}: {error}; "
                              f"reinstall it with: {INSTALL_HINT}") from None

    @property
    def label(self) -> str:
        return f"{self.info.name}@{self.info.version}" if self.info.version else self.info.name

    def translate(self, sentences: list[str], settings: dict) -> list[str]:
        """Translate sentences (all at once, bucketed by length); "" for blank input."""
        limit = int(settings["max_input_tokens"])
        chunks: list[list[str]] = []  # token chunks to translate
        owners: list[int] = []  # which sentence each chunk belongs to
        for index, sentence in enumerate(sentences):
            if not sentence.strip():
                continue
            tokens = self.tokenizer.encode(sentence, out_type=str)
            for start in range(0, len(tokens), limit):
                chunks.append(tokens[start:start + limit])
                owners.append(index)
        outputs: list[list[str]] = [[] for _ in sentences]
        for owner, tokens in zip(owners, self._translate_tokens(chunks, settings)):
            outputs[owner] += tokens  # a long sentence's chunks are detokenised together, as one output
        return [self._detokenize(tokens) if tokens else "" for tokens in outputs]

    def _translate_tokens(self, batch: list[list[str]], settings: dict) -> list[list[str]]:
        # Length buckets (<=8, <=16, <=32 ... tokens) so the decoding cap stays within ~2x of each sentence's own
        # bound; each bucket is one translate_batch call, batched inside by CTranslate2.
        buckets: dict[int, list[int]] = {}
        for i, tokens in enumerate(batch):
            buckets.setdefault(max(3, math.ceil(math.log2(max(1, len(tokens))))), []).append(i)
        outputs: list[list[str]] = [[] for _ in batch]
        prefix = [self.target_prefix] if self.target_prefix else None
        for members in buckets.values():
            longest = max(len(batch[i]) for i in members)
            cap = int(settings["max_decoding_ratio"] * longest) + int(settings["max_decoding_extra"])
            results = self.translator.translate_batch(
                [batch[i] for i in members],
                target_prefix=[prefix] * len(members) if prefix else None,
                max_batch_size=settings["max_batch_size"], batch_type=settings["batch_type"],
                beam_size=settings["beam_size"], length_penalty=settings["length_penalty"],
                max_decoding_length=cap, max_input_length=0,  # 0: never truncate (chunked above instead)
                replace_unknowns=True)
            for i, result in zip(members, results):
                tokens = result.hypotheses[0]
                if prefix and tokens[:1] == prefix:
                    tokens = tokens[1:]  # the forced prefix token is not an output word
                outputs[i] = tokens
        return outputs

    def _detokenize(self, tokens: list[str]) -> str:
        text = self.tokenizer.decode_pieces(tokens).replace("▁", " ").replace("_", " ")
        if self.target_prefix and text.startswith(self.target_prefix):
            text = text[len(self.target_prefix):]
        return text[1:] if text.startswith(" ") else text


class TranslationEngine:
    """Every package installed in model_dir, loaded once; translate() picks a direct or pivot route."""

    def __init__(self, model_dir: Path | None = None, **settings: object) -> None:
        unknown = set(settings) - set(DEFAULT_SETTINGS)
        if unknown:
            raise InvalidInput(f"unknown translation settings: {', '.join(sorted(unknown))}; "
                               f"known: {', '.join(DEFAULT_SETTINGS)}")
        self.settings = {**DEFAULT_SETTINGS, **settings}
        if int(self.settings["max_input_tokens"]) < 1:
            raise InvalidInput("max_input_tokens must be at least 1")
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        self._packages: dict[tuple[str, str], _Package] = {}
        for info in list_packages(self.model_dir):
            self._packages[(info.from_code, info.to_code)] = _Package(info, self.settings)

    @property
    def packages(self) -> list[ModelInfo]:
        return [package.info for package in self._packages.values()]

    def routes(self) -> list[Route]:
        """Direct pairs, then pairs reachable through the pivot (en) that have no direct package."""
        direct = [Route(s, t, [], [p.info.name]) for (s, t), p in sorted(self._packages.items())]
        pivoted = []
        for (source, middle), first in sorted(self._packages.items()):
            if middle != PIVOT:
                continue
            for (start, target), second in sorted(self._packages.items()):
                if start == PIVOT and target != source and (source, target) not in self._packages:
                    pivoted.append(Route(source, target, [PIVOT], [first.info.name, second.info.name]))
        return direct + pivoted

    def _chain(self, source: str, target: str) -> list[_Package]:
        if (source, target) in self._packages:
            return [self._packages[(source, target)]]
        if (source, PIVOT) in self._packages and (PIVOT, target) in self._packages:
            return [self._packages[(source, PIVOT)], self._packages[(PIVOT, target)]]
        missing = [f"{a}→{b}" for a, b in ((source, PIVOT), (PIVOT, target)) if (a, b) not in self._packages]
        via = f" or {' and '.join(missing)} (through {PIVOT})" if PIVOT not in (source, target) else ""
        raise NotInstalled(f"no model for {source}→{target} in {self.model_dir}: install a {source}→{target} "
                           f"package{via} with: {INSTALL_HINT}")

    def translate(self, sentences: list[str], source: str, target: str) -> TranslationResult:
        """Translate each sentence from source into target; one translation per sentence, in order."""
        source, target = normalize_language(source), normalize_language(target)
        if source == target:
            raise InvalidInput(f"source and target language are both {source}")
        if not all(isinstance(sentence, str) for sentence in sentences):
            raise InvalidInput("sentences must be strings")
        chain = self._chain(source, target)
        texts = list(sentences)
        for package in chain:
            texts = package.translate(texts, self.settings)
        route = [source] + [package.info.to_code for package in chain]
        return TranslationResult(translations=texts, route=route, models=[p.info.name for p in chain],
                                 signature=self._signature(chain))

    def _signature(self, chain: list[_Package]) -> str:
        s = self.settings
        return ("triglot-translate|v1|models=" + "+".join(p.label for p in chain)
                + f"|beam={s['beam_size']}|lp={s['length_penalty']}|compute={s['compute_type']}"
                + f"|maxlen={s['max_decoding_ratio']}n+{s['max_decoding_extra']}|chunk={s['max_input_tokens']}")
