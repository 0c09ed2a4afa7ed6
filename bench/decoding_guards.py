"""What each decoding guard does, measured: on a model that loops (argos-translate#444), on the normal test models, and
on the benchmark model's speed.

For every setting (the first pass only: retry_flagged off, cache off):
- loop model (tests/tinymodel.py recipe `loop`, en→zh, never emits </s>): how many of the sample readout's sentences
  still come out flagged (any quality flag: repetition, length_outlier, wrong_script, untranslated), and their mean
  and longest output in characters;
- normal test models (recipe `aligned`, en→zh, zh→en, en→ar, ar→en): how many outputs differ from the unguarded
  baseline (a guard that changes sound output is not free);
- benchmark model (bench/benchmodel.py, transformer-base dimensions, int8, en→zh): sentences/s on the readout ×5,
  median of interleaved runs, and the ratio to the baseline.
Then the loop model as served (default settings, retry of flagged sentences on): how many come out flagged, how many
retries were kept, and the longest output.

Usage: .venv/bin/python bench/decoding_guards.py [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "tests")]

import failure_models  # noqa: E402
import tinymodel  # noqa: E402
from benchmodel import build_bench_model  # noqa: E402
from benchutil import SAMPLE, lines, timed  # noqa: E402
from triglot_server.engine.translation import TranslationEngine, install_packages  # noqa: E402

NORMAL_PAIRS = [("en", "zh"), ("zh", "en"), ("en", "ar"), ("ar", "en")]
FIRST_PASS_ONLY = {"retry_flagged": False, "cache_size": 0}

# (label, engine settings): each guard alone, against the unguarded first pass.
VARIANTS: list[tuple[str, dict]] = [
    ("baseline: no guard, cap 2x+10", {}),
    ("repetition_penalty 1.1", {"repetition_penalty": 1.1}),
    ("repetition_penalty 1.2", {"repetition_penalty": 1.2}),
    ("no_repeat_ngram_size 4", {"no_repeat_ngram_size": 4}),
    ("no_repeat_ngram_size 6", {"no_repeat_ngram_size": 6}),
    ("cap 256 (CTranslate2 default)", {"max_decoding_ratio": 0.0, "max_decoding_extra": 256}),
    ("the retry: beam 8, no_repeat 4", {"beam_size": 8, "no_repeat_ngram_size": 4}),
]


def sentences(language: str) -> list[str]:
    return lines(SAMPLE / f"{language}.sents")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per setting on the benchmark model")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        loop_dir = failure_models.install_failure_model(tmp_path / "loop", "loop", "en", "zh")
        normal_dir = tinymodel.install_test_models(tmp_path / "normal")
        bench_dir = tmp_path / "bench"
        install_packages([build_bench_model()], bench_dir)
        english = sentences("en")
        bench_input = [f"({k}) {s}" for k in range(5) for s in english]

        baseline: dict[tuple[str, str], list[str]] = {}
        rows = []
        for label, settings in VARIANTS:
            config = {**FIRST_PASS_ONLY, **settings}
            looped = TranslationEngine(loop_dir, **config).translate(english, "en", "zh")
            still_looping = sum(bool(flags) for flags in looped.flags)
            mean_chars = statistics.mean(len(t) for t in looped.translations)
            max_chars = max(len(t) for t in looped.translations)

            normal = TranslationEngine(normal_dir, **config)
            changed = total = 0
            for source, target in NORMAL_PAIRS:
                outputs = normal.translate(sentences(source), source, target).translations
                reference = baseline.setdefault((source, target), outputs)
                changed += sum(a != b for a, b in zip(outputs, reference))
                total += len(outputs)
            rows.append([label, config, still_looping, mean_chars, max_chars, changed, total])

        # Speed on the benchmark model: settings interleaved run by run, so a busy moment hits them all alike.
        engines = [TranslationEngine(bench_dir, **{**FIRST_PASS_ONLY, **row[1]}) for row in rows]
        for engine in engines:
            engine.translate(english, "en", "zh")  # warm-up
        seconds: list[list[float]] = [[] for _ in rows]
        for run in range(args.runs):
            for k, engine in enumerate(engines):
                text = [f"[{run}] {s}" for s in bench_input]
                seconds[k].append(timed(lambda: engine.translate(text, "en", "zh"))[1])
        served = TranslationEngine(loop_dir, cache_size=0).translate(english, "en", "zh")

    base_speed = len(bench_input) / statistics.median(seconds[0])
    print(f"{'setting':<32} {'loop: flagged':>13} {'loop: chars':>11} {'max':>5} {'normal: changed':>15} "
          f"{'bench sent/s':>12} {'vs baseline':>11}")
    for row, times in zip(rows, seconds):
        label, _, still_looping, mean_chars, max_chars, changed, total = row
        speed = len(bench_input) / statistics.median(times)
        print(f"{label:<32} {f'{still_looping}/{len(english)}':>13} {mean_chars:>11.1f} {max_chars:>5} "
              f"{f'{changed}/{total}':>15} {speed:>12.2f} {speed / base_speed:>11.3f}")
    print(f"# {args.runs} interleaved runs of {len(bench_input)} sentences on the benchmark model; loop model and "
          "normal models on the sample readout; first pass only (retry_flagged=False, cache_size=0)")
    kept = sum("kept the retry" in retry for retry in served.retries)
    print(f"loop model as served (retry on): {sum(bool(f) for f in served.flags)}/{len(english)} flagged "
          f"({', '.join(sorted({flag for f in served.flags for flag in f}))}), {kept}/{len(english)} retries kept, "
          f"longest output {max(len(t) for t in served.translations)} characters")


if __name__ == "__main__":
    main()
