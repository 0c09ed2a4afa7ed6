"""Translation throughput and latency: the raw CTranslate2 engine (a) against triglot's Translate over gRPC (b).

Model: bench/benchmodel.py — an int8 en→zh `.argosmodel` with the dimensions of a real Argos package (6+6 layers,
d_model 512, 8 heads, ffn 2048, 50k vocabulary). Documents: the English sample readout (19 sentences) as a single
readout, and the same readout repeated to ~1,000 sentences.

(a) raw engine: one `ctranslate2.Translator` built with the engine's settings (threads, compute type), fed pre-tokenised
    input (tokenisation is not timed) in one `translate_batch` call with the engine's decoding settings (beam, length
    penalty, batch size, decoding length cap). This is the ceiling: no tokenisation, no Python around it, no RPC.
(b) triglot: a `triglot serve` process on loopback, and the Python client's Translate with pre-split sentences: the
    whole path a caller pays for (validation, tokenisation, flags, gRPC, protobuf).

Runs are interleaved (a, b, a, b, …) after a warm-up and the median is reported, because the 2-core machine may be
shared. The last line is `ratio=<(b)/(a) sentences per second on the ~1,000-sentence document>`.

Usage: python bench/translate_bench.py [--recipe realistic|aligned|random] [--sentences 1000] [--runs 5] [--long-runs 1]
       [--part a|ab]
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmodel import build_bench_model  # noqa: E402
from benchutil import SAMPLE, Server, lines, timed  # noqa: E402


@dataclass
class Row:
    document: str
    path: str
    sentences: int
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def throughput(self) -> float:
        return self.sentences / self.median


def readout(run: int = 0) -> list[str]:
    """The sample readout; for run > 0 every sentence starts with "(run) ", so that a repeated timed run is really
    decoded again instead of being answered from triglot's cache (the raw engine has none). Both paths get the
    same text."""
    single = lines(SAMPLE / "en.sents")
    return [f"({run}) {s}" for s in single] if run else single


def long_document(size: int, run: int = 0) -> list[str]:
    """The readout repeated to `size` sentences (whole copies, rounded up); every copy's sentences start with the
    copy's (and run's) number, "(run.copy) …", so no path can answer a sentence from a cache or by de-duplication:
    every sentence is really decoded (2-3 more pieces per sentence)."""
    single = readout()
    copies = math.ceil(size / len(single))
    return [f"({run}.{k}) {s}" for k in range(1, copies + 1) for s in single]


class RawEngine:
    """(a): CTranslate2 with exactly the engine's translator and decoding settings, on pre-tokenised input."""

    def __init__(self, package_dir: Path, settings: dict) -> None:
        import ctranslate2
        import sentencepiece

        self.settings = settings
        self.tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(package_dir / "sentencepiece.model"))
        self.translator = ctranslate2.Translator(
            str(package_dir / "model"), device="cpu", inter_threads=settings["inter_threads"],
            intra_threads=settings["intra_threads"], compute_type=settings["compute_type"])

    def tokenize(self, sentences: list[str]) -> list[list[str]]:
        return [self.tokenizer.encode(sentence, out_type=str) for sentence in sentences]

    def translate(self, tokens: list[list[str]]) -> list[list[str]]:
        s = self.settings
        longest = max(len(t) for t in tokens)
        results = self.translator.translate_batch(
            tokens, max_batch_size=s["max_batch_size"], batch_type=s["batch_type"], beam_size=s["beam_size"],
            length_penalty=s["length_penalty"],
            max_decoding_length=int(s["max_decoding_ratio"] * longest) + int(s["max_decoding_extra"]),
            replace_unknowns=True)
        return [r.hypotheses[0] for r in results]


def print_table(rows: list[Row]) -> None:
    print(f"{'document':<22} {'path':<26} {'sent':>5} {'runs':>4} {'median s':>9} {'min s':>7} {'sent/s':>7}")
    for row in rows:
        print(f"{row.document:<22} {row.path:<26} {row.sentences:>5} {len(row.seconds):>4} {row.median:>9.3f} "
              f"{min(row.seconds):>7.3f} {row.throughput:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", choices=["realistic", "aligned", "random"], default="realistic",
                        help="benchmark model weights (see bench/benchmodel.py)")
    parser.add_argument("--sentences", type=int, default=1000, help="size of the long document")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per path on the single readout")
    parser.add_argument("--long-runs", type=int, default=1, help="timed runs per path on the long document")
    parser.add_argument("--part", choices=["a", "ab"], default="ab")
    args = parser.parse_args()

    from triglot_server.engine.translation import DEFAULT_SETTINGS, install_packages

    package = build_bench_model(recipe=args.recipe)
    model_dir = Path(tempfile.mkdtemp(prefix="triglot-bench-"))
    info = install_packages([package], model_dir)[0]
    settings = dict(DEFAULT_SETTINGS)
    raw = RawEngine(info.path, settings)
    server = Server(model_dir) if args.part == "ab" else None
    try:
        client = server.client() if server else None
        single_size = len(readout())
        long_size = len(long_document(args.sentences))
        tokens = raw.tokenize(readout())
        print(f"model {package.name} (recipe {args.recipe}); engine settings {settings}")
        print(f"pieces per sentence {sum(map(len, tokens)) / len(tokens):.1f}; load average "
              f"{os.getloadavg()[0]:.2f}; cores {os.cpu_count()}")
        raw.translate(tokens)  # warm-up: the first call allocates and packs weights
        if client:
            client.translate(readout(), "zh", source="en")
        rows = {key: Row(doc, path, size, []) for key, doc, path, size in [
            ("a1", "single readout", "(a) raw ctranslate2", single_size),
            ("b1", "single readout", "(b) triglot gRPC", single_size),
            ("aL", f"readout x{long_size // single_size}", "(a) raw ctranslate2", long_size),
            ("bL", f"readout x{long_size // single_size}", "(b) triglot gRPC", long_size)]}
        run = 0
        for suffix, make, count in (("1", readout, args.runs),
                                    ("L", lambda r: long_document(args.sentences, r), args.long_runs)):
            for _ in range(count):  # interleaved (a), (b); each run on fresh text (see readout())
                run += 1
                text = make(run)
                pieces = raw.tokenize(text)
                rows["a" + suffix].seconds.append(timed(lambda: raw.translate(pieces))[1])
                if client:
                    rows["b" + suffix].seconds.append(timed(lambda: client.translate(text, "zh", source="en"))[1])
        table = [row for row in rows.values() if row.seconds]
        if client:  # the same readout again: every sentence is a cache hit
            text = readout(1)
            table.append(Row("single readout, again", "(b) triglot gRPC, cached", single_size,
                             [timed(lambda: client.translate(text, "zh", source="en"))[1] for _ in range(args.runs)]))
        print_table(table)
        a, b = rows["aL"], rows["bL"]
        if b.seconds:
            print(f"ratio={b.throughput / a.throughput:.3f}")
        else:
            print(f"raw_long_sentences_per_second={a.throughput:.3f}")
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    main()
