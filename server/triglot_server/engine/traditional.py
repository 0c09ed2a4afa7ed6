"""Traditional Chinese ("zt") translated with the packages that are installed.

A `zt` package (Argos Translate names Traditional Chinese `zt`) is used when there is one. Otherwise the text goes
through Simplified Chinese: Traditional input is converted to Simplified (OpenCC) and translated by the `zh`
packages; output wanted in Traditional is translated into `zh` and converted to Traditional. The route says so:
["zt", "zh", "en"] means "converted to Simplified, then translated zh→en".
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from triglot_server.engine.languages import normalize_language, to_simplified, to_traditional
from triglot_server.engine.translation import Route, TranslationResult
from triglot_server.engine.types import NotInstalled

CONVERTER = "opencc"
"""How the conversion is named in a route's models."""


class Translator:
    """A TranslationEngine's translate / translate_chunks / routes, with Traditional Chinese through Simplified
    when no `zt` package serves the pair."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def _plan(self, source: str, target: str) -> tuple[str, str]:
        """The languages the engine translates between for source→target."""
        source, target = normalize_language(source), normalize_language(target)
        if "zt" not in (source, target):
            return source, target
        try:
            self.engine._chain(source, target)  # noqa: SLF001 - asks whether a zt package serves the pair
            return source, target
        except NotInstalled:
            pass
        return "zh" if source == "zt" else source, "zh" if target == "zt" else target

    def translate(self, sentences: list[str], source: str, target: str, **kwargs: Any) -> TranslationResult:
        return next(self._run(sentences, source, target, None, **kwargs))[1]

    def translate_chunks(self, sentences: list[str], source: str, target: str, chunk_size: int = 64,
                         **kwargs: Any) -> Iterator[tuple[int, TranslationResult]]:
        return self._run(sentences, source, target, chunk_size, **kwargs)

    def _run(self, sentences: list[str], source: str, target: str, chunk_size: int | None,
             **kwargs: Any) -> Iterator[tuple[int, TranslationResult]]:
        source, target = normalize_language(source), normalize_language(target)
        inner_source, inner_target = self._plan(source, target)
        texts = [to_simplified(s) for s in sentences] if inner_source != source else list(sentences)
        if inner_source == inner_target:  # Traditional ↔ Simplified: OpenCC only
            converted = [to_traditional(t) if target == "zt" else t for t in texts]
            yield 0, TranslationResult(translations=converted, route=[source, target], models=[CONVERTER],
                                       signature=f"triglot-translate|v1|models={CONVERTER}",
                                       flags=[()] * len(texts), retries=[""] * len(texts))
            return
        if chunk_size is None:
            results: Iterator[tuple[int, TranslationResult]] = iter(
                [(0, self.engine.translate(texts, inner_source, inner_target, **kwargs))])
        else:
            results = self.engine.translate_chunks(texts, inner_source, inner_target, chunk_size, **kwargs)
        for start, result in results:
            yield start, self._converted(result, source, target, inner_source, inner_target)

    @staticmethod
    def _converted(result: TranslationResult, source: str, target: str, inner_source: str,
                   inner_target: str) -> TranslationResult:
        route, models = list(result.route), list(result.models)
        translations = result.translations
        if inner_source != source:
            route, models = [source] + route, [CONVERTER] + models
        if inner_target != target:
            route, models = route + [target], models + [CONVERTER]
            translations = [to_traditional(t) for t in translations]
        if (route, models) == (result.route, result.models):
            return result
        return dataclasses.replace(result, translations=translations, route=route, models=models,
                                   signature=result.signature.replace("|models=", f"|convert={CONVERTER}|models=", 1))

    def routes(self) -> list[Route]:
        """The engine's routes, plus Traditional Chinese through Simplified where no zt package serves a pair."""
        routes = list(self.engine.routes())
        served = {(r.source, r.target) for r in routes}
        extra = []
        for r in routes:
            if r.source == "zh" and ("zt", r.target) not in served and r.target != "zt":
                extra.append(Route("zt", r.target, ["zh"] + r.via, [CONVERTER] + r.models))
            if r.target == "zh" and (r.source, "zt") not in served and r.source != "zt":
                extra.append(Route(r.source, "zt", r.via + ["zh"], r.models + [CONVERTER]))
        return routes + extra

    def __getattr__(self, name: str) -> Any:  # packages, settings, model_dir: the engine's own
        return getattr(self.engine, name)
