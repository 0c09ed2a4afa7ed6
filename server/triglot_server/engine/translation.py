"""Offline translation with installed Argos Translate packages, through CTranslate2.

One `ctranslate2.Translator` and one SentencePiece tokenizer per installed package, loaded once when the engine is
built and reused by every call. A call translates all its sentences together: they are tokenised in one SentencePiece
call, sorted by length and cut into batches that are submitted to `translate_batch` asynchronously, so
CTranslate2's `inter_threads` workers decode several batches at once. zh↔ar (or any pair without a direct package) goes through
English when both hops are installed.

A call can be stopped: `should_stop()` (e.g. "the gRPC caller went away") is asked before each batch is submitted, and
only a small window of batches (2 per worker, enough to keep every worker busy) is in flight, so a caller that leaves
costs at most that window, after which the call raises Cancelled.

Every translated pair gets reference-free quality flags (engine/quality.py: untranslated, repetition, length_outlier,
wrong_script). A flagged sentence is translated again with other decoding settings (a wider beam and
`no_repeat_ngram_size`); the retry is kept only when it is better by the flags (some gone, none new) and did not run
to the decoding length cap, and the result records what was done.
Results are cached per (models, sentence) in a bounded LRU cache, so a repeated sentence is translated once.

We read packages ourselves (metadata.json, sentencepiece.model, model/) and never import
`argostranslate.translate`: it pulls in stanza, torch and spacy (~5 s of start-up) for sentence splitting we do not
use. Detokenisation follows Argos (`apply_packaged_translation`): SentencePiece decode, "▁" to spaces (a literal "_"
stays: identifiers such as foreign_ministry_2020 come back as written), target prefix and leading space removed.
Nothing here touches the network.

Settings (keyword arguments of TranslationEngine; defaults measured on 2 cores with bench/translate_bench.py and
bench/decoding_guards.py on a transformer-base int8 model — figures in bench/README.md):

| setting                    | default   | meaning                                                                   |
|----------------------------|-----------|---------------------------------------------------------------------------|
| inter_threads              | 2         | batches decoded in parallel per model; 2 x 1 beats 1 x 2 on 2 cores       |
| intra_threads              | 1         | threads inside one batch (0 = CTranslate2 picks)                          |
| compute_type               | "default" | keep the model's stored type (Argos ships int8); "auto", "float32" ...    |
| beam_size                  | 4         | as Argos Translate                                                        |
| length_penalty             | 0.2       | as Argos Translate                                                        |
| max_batch_size             | 32        | sentences per batch; a smaller call is split so that every                |
|                            |           | inter_threads worker gets a batch                                         |
| batch_type                 | "examples"| or "tokens" (then max_batch_size counts tokens)                           |
| max_decoding_ratio         | 2.0       | decoding length cap = ratio x input tokens + extra, per sentence (an      |
|                            |           | output that reached its own cap inside a batch is decoded again alone),   |
| max_decoding_extra         | 10        | so a model that never emits </s> (a runaway loop) still stops, and a      |
|                            |           | sentence translates the same whatever it is sent with                     |
| max_input_tokens           | 512       | longer sentences are translated in consecutive chunks of this many tokens |
|                            |           | and joined (CTranslate2 would otherwise truncate them silently); each     |
|                            |           | chunk is a batch of its own, so a cancelled call stops between chunks     |
| repetition_penalty         | 1.0       | first-pass guard, off: it changes normal output and does not stop loops   |
| no_repeat_ngram_size       | 0         | first-pass guard, off: real MT output repeats a 4-gram of pieces in ~4%   |
|                            |           | of sentences, which this would alter                                      |
| retry_flagged              | True      | translate flagged sentences again with the retry settings below           |
| retry_beam_size            | 8         | beam of the retry                                                         |
| retry_no_repeat_ngram_size | 4         | n-gram guard of the retry (stops the looping test model)                  |
| cache_size                 | 4096      | LRU cache entries of (models, sentence) -> result; 0 disables             |
"""
from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from triglot_server.engine.languages import normalize_language
from triglot_server.engine.packages import (INSTALL_HINT, ModelInfo, PackageUnloadable, default_model_dir,
                                            install_packages, list_packages, load_package)
from triglot_server.engine.quality import assess
from triglot_server.engine.types import Cancelled, InvalidInput, NotInstalled

__all__ = ["ModelInfo", "Route", "TranslationResult", "TranslatedPair", "TranslationEngine", "default_model_dir",
           "parse_settings", "install_packages", "list_packages", "PIVOT", "DEFAULT_SETTINGS"]

log = logging.getLogger(__name__)

PIVOT = "en"
DEFAULT_SETTINGS: dict[str, object] = {
    "inter_threads": 2, "intra_threads": 1, "compute_type": "default", "beam_size": 4, "length_penalty": 0.2,
    "max_batch_size": 32, "batch_type": "examples", "max_decoding_ratio": 2.0, "max_decoding_extra": 10,
    "max_input_tokens": 512, "repetition_penalty": 1.0, "no_repeat_ngram_size": 0,
    "retry_flagged": True, "retry_beam_size": 8, "retry_no_repeat_ngram_size": 4, "cache_size": 4096,
}
StopCheck = Callable[[], bool]  # says True when the caller went away or its deadline passed
# Decoding settings a retry overrides, and where their values come from.
_RETRY_OVERRIDES = {"beam_size": "retry_beam_size", "no_repeat_ngram_size": "retry_no_repeat_ngram_size"}


@dataclass(frozen=True)
class Route:
    """How source reaches target: directly (via == []) or through pivot languages; models used, in order."""

    source: str
    target: str
    via: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TranslatedPair:
    """One sentence's translation, its quality flags (engine/quality.py) and what was retried ("" if nothing)."""

    translation: str
    flags: tuple[str, ...] = ()
    retry: str = ""


@dataclass(frozen=True)
class TranslationResult:
    translations: list[str]  # one per input sentence, in order
    route: list[str]  # languages passed through, e.g. ["zh", "en", "ar"]
    models: list[str]  # package names used, in order
    signature: str  # models and decoding settings, for reproducibility
    flags: list[tuple[str, ...]] = field(default_factory=list)  # per sentence; () when nothing looks wrong
    retries: list[str] = field(default_factory=list)  # per sentence; "" when no retry was made


class _LRU:
    """A bounded, thread-safe LRU map (the gRPC server translates on several threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple, TranslatedPair] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> TranslatedPair | None:
        if self.size <= 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple, value: TranslatedPair) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class _Package:
    """One loaded package: its translator, tokenizer and metadata."""

    def __init__(self, info: ModelInfo, settings: dict) -> None:
        self.info = info
        self.target_prefix = info.target_prefix
        self.tokenizer, self.translator = load_package(info.path, int(settings["inter_threads"]),
                                                       int(settings["intra_threads"]),
                                                       str(settings["compute_type"]))

    @property
    def label(self) -> str:
        return f"{self.info.name}@{self.info.version}" if self.info.version else self.info.name

    def translate(self, sentences: list[str], settings: dict, should_stop: StopCheck | None = None,
                  capped: set[int] | None = None) -> list[str]:
        """Translate sentences (all at once, in length-sorted batches); "" for blank input. The indices of
        sentences whose output ran to the decoding length cap (a runaway, not a finished translation) are added
        to `capped` when it is given."""
        limit = int(settings["max_input_tokens"])
        indices = [i for i, sentence in enumerate(sentences) if sentence.strip()]
        # One SentencePiece call for the whole list (C++ loop) instead of one call per sentence.
        encoded = self.tokenizer.encode([sentences[i] for i in indices], out_type=str) if indices else []
        chunks: list[list[str]] = []  # token chunks to translate
        owners: list[int] = []  # which sentence each chunk belongs to
        alone: set[int] = set()  # chunks of a sentence over the limit: each is a batch of its own
        for index, tokens in zip(indices, encoded):
            for start in range(0, len(tokens), limit):
                if len(tokens) > limit:
                    alone.add(len(chunks))
                chunks.append(tokens[start:start + limit])
                owners.append(index)
        outputs: list[list[str]] = [[] for _ in sentences]
        translated, reached = self._translate_tokens(chunks, settings, should_stop, alone)
        for owner, tokens in zip(owners, translated):
            outputs[owner] += tokens  # a long sentence's chunks are detokenised together, as one output
        if capped is not None:
            capped.update(owners[i] for i in reached)
        return [self._detokenize(tokens) if tokens else "" for tokens in outputs]

    @staticmethod
    def _cap(tokens: list[str], settings: dict) -> int:
        """The decoding length cap of one input: ratio x its pieces + extra, so a runaway loop stops."""
        return int(settings["max_decoding_ratio"] * len(tokens)) + int(settings["max_decoding_extra"])

    def _translate_tokens(self, batch: list[list[str]], settings: dict, should_stop: StopCheck | None = None,
                          alone: set[int] = frozenset()  # type: ignore[assignment]
                          ) -> tuple[list[list[str]], set[int]]:
        # Returns the output tokens of each input, and which inputs ran to their decoding cap.
        # Batches are formed here rather than inside CTranslate2: sentences sorted by length (least padding), cut
        # into batches of max_batch_size — fewer when the call is small, so that every inter_threads worker gets
        # one. Chunks of a sentence over max_input_tokens (`alone`) are as long as a whole batch of ordinary
        # sentences: each is a batch of its own, so they pass the in-flight window one by one and a call that is
        # cancelled stops submitting them. Batches are submitted asynchronously and the workers decode them in
        # parallel.
        if not batch:
            return [], set()
        order = sorted(range(len(batch)), key=lambda i: len(batch[i]))
        ordinary = [i for i in order if i not in alone]
        size = int(settings["max_batch_size"])
        if settings["batch_type"] == "tokens":  # max_batch_size counts tokens: let CTranslate2 cut one call
            groups = [ordinary] if ordinary else []
        else:
            size = max(1, min(size, math.ceil(len(ordinary) / int(settings["inter_threads"]))))
            groups = [ordinary[start:start + size] for start in range(0, len(ordinary), size)]
        groups += [[i] for i in order if i in alone]
        outputs = self._decode(batch, groups, settings, should_stop)
        # A batch decodes to the cap of its longest input. An output that reached its own (lower) cap was
        # decoded further than it would have been alone: it is decoded again alone, with its own cap, so a
        # sentence's translation never depends on the sentences it came with (nor does the cache).
        group_cap = {i: self._cap(batch[group[-1]], settings) for group in groups for i in group}  # sorted groups
        again = [i for i in order if len(outputs[i]) >= self._cap(batch[i], settings)
                 and self._cap(batch[i], settings) < group_cap[i]]
        if again:
            redone = self._decode(batch, [[i] for i in again], settings, should_stop)
            for i in again:
                outputs[i] = redone[i]
        reached = {i for i in order if len(outputs[i]) >= self._cap(batch[i], settings)}
        prefix = [self.target_prefix] if self.target_prefix else None
        return [tokens[1:] if prefix and tokens[:1] == prefix else tokens  # the forced prefix is not a word
                for tokens in outputs], reached

    def _decode(self, batch: list[list[str]], groups: list[list[int]], settings: dict,
                should_stop: StopCheck | None) -> list[list[str]]:
        """The hypotheses (prefix included) of the inputs in `groups`, each group one translate_batch call with the
        cap of its longest input; [] for inputs in no group."""
        prefix = [self.target_prefix] if self.target_prefix else None
        # A bounded window of batches is in flight (2 per inter_threads worker: each worker always has its next
        # batch queued, so throughput is as with all submitted at once), and should_stop is asked before each
        # further batch is submitted: a caller that left costs at most the window, not the whole document.
        window = 2 * int(settings["inter_threads"])
        outputs: list[list[str]] = [[] for _ in batch]
        pending: deque = deque()

        def collect() -> None:
            members, futures = pending.popleft()
            for i, future in zip(members, futures):
                outputs[i] = future.result().hypotheses[0]

        for members in groups:
            if len(pending) >= window:
                collect()
            if should_stop is not None and should_stop():
                for _, futures in pending:  # let the batches in flight finish, so no work outlives the call
                    for future in futures:
                        future.result()
                raise Cancelled("translation stopped: the caller went away or its deadline passed")
            futures = self.translator.translate_batch(
                [batch[i] for i in members],
                target_prefix=[prefix] * len(members) if prefix else None,
                max_batch_size=int(settings["max_batch_size"]), batch_type=settings["batch_type"],
                beam_size=settings["beam_size"], length_penalty=settings["length_penalty"],
                repetition_penalty=settings["repetition_penalty"],
                no_repeat_ngram_size=settings["no_repeat_ngram_size"],
                max_decoding_length=self._cap(batch[members[-1]], settings),  # members sorted by length
                max_input_length=0,  # 0: never truncate (chunked above instead)
                replace_unknowns=True, asynchronous=True)
            pending.append((members, futures))
        while pending:
            collect()
        return outputs

    def _detokenize(self, tokens: list[str]) -> str:
        text = self.tokenizer.decode_pieces(tokens).replace("▁", " ")
        if self.target_prefix and text.startswith(self.target_prefix):
            text = text[len(self.target_prefix):]
        return text[1:] if text.startswith(" ") else text


def parse_settings(items: list[str]) -> dict[str, object]:
    """Engine settings from "KEY=VALUE" strings (the CLI's --translation-setting), each VALUE read as the type of
    its default in DEFAULT_SETTINGS; InvalidInput names what is wrong."""
    settings: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in DEFAULT_SETTINGS:
            raise InvalidInput(f"translation setting {item!r}: expected KEY=VALUE with KEY one of "
                               f"{', '.join(DEFAULT_SETTINGS)}")
        default = DEFAULT_SETTINGS[key]
        try:
            if isinstance(default, bool):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    raise ValueError(value)
                settings[key] = value.lower() in ("true", "1", "yes", "on")
            else:
                settings[key] = type(default)(value)
        except ValueError:
            raise InvalidInput(f"translation setting {key}: {value!r} is not a {type(default).__name__}") from None
    return settings


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
        self._retry_settings = {**self.settings, **{k: self.settings[v] for k, v in _RETRY_OVERRIDES.items()}}
        self._cache = _LRU(int(self.settings["cache_size"]))
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        self._packages: dict[tuple[str, str], _Package] = {}
        # Installed packages that cannot be used, a line each: skipped (logged, and listed by ListLanguages), so
        # one damaged package costs its pair only, not every other pair and alignment.
        self.unavailable: list[str] = []
        for info in list_packages(self.model_dir, self.unavailable):
            try:
                self._packages[(info.from_code, info.to_code)] = _Package(info, self.settings)
            except PackageUnloadable as error:
                reason = str(error).replace(str(info.path), info.name)  # remote callers see it: no server paths
                self.unavailable.append(f"{info.name}: cannot be loaded ({reason}); reinstall it with: "
                                        f"{INSTALL_HINT}")
        for problem in self.unavailable:
            log.warning("skipping translation package %s", problem)

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
        # The message goes to remote callers: no server paths in it.
        raise NotInstalled(f"no model for {source}→{target} on this server: install a {source}→{target} "
                           f"package{via} on the server with: {INSTALL_HINT}, then reload the server (SIGHUP) or "
                           "restart it")

    def _check(self, sentences: list[str], source: str, target: str) -> tuple[str, str, list[_Package]]:
        source, target = normalize_language(source), normalize_language(target)
        if source == target:
            raise InvalidInput(f"source and target language are both {source}")
        if not all(isinstance(sentence, str) for sentence in sentences):
            raise InvalidInput("sentences must be strings")
        return source, target, self._chain(source, target)

    def translate(self, sentences: list[str], source: str, target: str, *,
                  should_stop: StopCheck | None = None) -> TranslationResult:
        """Translate each sentence from source into target; one translation per sentence, in order.

        should_stop (e.g. "the caller went away") is asked between batches; when it says so, the call raises
        Cancelled after the batches already in flight (a bounded window) are done."""
        source, target, chain = self._check(sentences, source, target)
        pairs = self._translate_pairs(list(sentences), source, target, chain, should_stop)
        return self._result(pairs, source, chain)

    def translate_chunks(self, sentences: list[str], source: str, target: str,
                         chunk_size: int = 64, *,
                         should_stop: StopCheck | None = None) -> Iterator[tuple[int, TranslationResult]]:
        """Translate in consecutive chunks of sentences, yielding (index of the chunk's first sentence, result) as
        each chunk is done, so a caller can stream the first pairs before the last are translated. Input errors
        are raised before anything is yielded."""
        source, target, chain = self._check(sentences, source, target)
        if chunk_size < 1:
            raise InvalidInput("chunk_size must be at least 1")
        for start in range(0, len(sentences), chunk_size):
            pairs = self._translate_pairs(list(sentences[start:start + chunk_size]), source, target, chain,
                                          should_stop)
            yield start, self._result(pairs, source, chain)

    def _result(self, pairs: list[TranslatedPair], source: str, chain: list[_Package]) -> TranslationResult:
        return TranslationResult(translations=[p.translation for p in pairs],
                                 route=[source] + [package.info.to_code for package in chain],
                                 models=[p.info.name for p in chain], signature=self._signature(chain),
                                 flags=[p.flags for p in pairs], retries=[p.retry for p in pairs])

    def _translate_pairs(self, sentences: list[str], source: str, target: str, chain: list[_Package],
                         should_stop: StopCheck | None = None) -> list[TranslatedPair]:
        models = tuple(package.label for package in chain)
        pairs: list[TranslatedPair | None] = [self._cache.get((models, s)) for s in sentences]
        todo = list(dict.fromkeys(s for s, pair in zip(sentences, pairs) if pair is None))  # unique, in order
        if todo:
            done = self._translate_new(todo, source, target, chain, should_stop)
            for sentence, pair in zip(todo, done):
                self._cache.put((models, sentence), pair)
            found = dict(zip(todo, done))
            pairs = [pair if pair is not None else found[s] for s, pair in zip(sentences, pairs)]
        return pairs  # type: ignore[return-value]

    def _run_chain(self, texts: list[str], chain: list[_Package], settings: dict,
                   should_stop: StopCheck | None = None, capped: set[int] | None = None) -> list[str]:
        for package in chain:
            texts = package.translate(texts, settings, should_stop, capped)
        return texts

    def _translate_new(self, sentences: list[str], source: str, target: str, chain: list[_Package],
                       should_stop: StopCheck | None = None) -> list[TranslatedPair]:
        outputs = self._run_chain(sentences, chain, self.settings, should_stop)
        pairs = [TranslatedPair(out, assess(src, out, source, target)) for src, out in zip(sentences, outputs)]
        flagged = [i for i, pair in enumerate(pairs) if pair.flags]
        if not (flagged and self.settings["retry_flagged"]):
            return pairs
        # A second opinion for flagged sentences only: wider beam and an n-gram guard (bench/decoding_guards.py).
        capped: set[int] = set()  # retries that ran to the decoding cap: runaways, however they are flagged
        retried = self._run_chain([sentences[i] for i in flagged], chain, self._retry_settings, should_stop, capped)
        how = ",".join(f"{k}={self._retry_settings[k]}" for k in _RETRY_OVERRIDES)
        for k, (i, out) in enumerate(zip(flagged, retried)):
            flags = assess(sentences[i], out, source, target)
            before = pairs[i].flags
            tried = f"retried with {how} after {'+'.join(before)}"
            # Kept only when better by the flags (some of the first's flags gone, none new) and finished before
            # the cap: a retry that runs to the cap is another runaway.
            if k in capped:
                pairs[i] = TranslatedPair(pairs[i].translation, before,
                                          f"{tried}: the retry ran to the length cap, kept the first")
            elif set(flags) < set(before):
                pairs[i] = TranslatedPair(out, flags, f"{tried}: kept the retry")
            else:
                pairs[i] = TranslatedPair(pairs[i].translation, before, f"{tried}: no better, kept the first")
        return pairs

    def _signature(self, chain: list[_Package]) -> str:
        s = self.settings
        retry = (f"|retry=beam{s['retry_beam_size']}+nrng{s['retry_no_repeat_ngram_size']}"
                 if s["retry_flagged"] else "|retry=off")
        return ("triglot-translate|v1|models=" + "+".join(p.label for p in chain)
                + f"|beam={s['beam_size']}|lp={s['length_penalty']}|compute={s['compute_type']}"
                + f"|rp={s['repetition_penalty']}|nrng={s['no_repeat_ngram_size']}"
                + f"|maxlen={s['max_decoding_ratio']}n+{s['max_decoding_extra']}|chunk={s['max_input_tokens']}"
                + retry + "|flags=quality-v1")
