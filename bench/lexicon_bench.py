"""Lexicon benchmark: dictionary load time, sentence_keys speed, and how well keys separate aligned pairs.

    .venv/bin/python bench/lexicon_bench.py            # all figures (about a minute)
    .venv/bin/python bench/lexicon_bench.py --quick    # load time and speed only

Quality: for the gold 1-1 beads of Bible 001 (gold lines are `[en ids]:[zh ids]`), the key overlap of each gold pair
against a shifted pair (the zh sentence of bead k with the en sentence of bead k+1): mean Jaccard, mean overlap
coefficient |A∩B|/min(|A|,|B|), and how often the gold pair beats the shifted one — the figure that matters to the
aligner. Variants rebuild the Chinese dictionary in memory with other settings.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "server")]

from benchutil import BIBLE, SAMPLE, lines  # noqa: E402


def load_times() -> None:
    from triglot_server.engine import lexicon as L

    with tempfile.TemporaryDirectory() as cache:
        os.environ["TRIGLOT_CACHE"] = cache
        for lang in ("zh", "ar"):
            L._loaded.clear()
            t = time.perf_counter()
            L.preload((lang,))
            cold = time.perf_counter() - t
            L._loaded.clear()
            t = time.perf_counter()
            L.preload((lang,))
            warm = time.perf_counter() - t
            print(f"load {lang}: first build {cold:.2f} s, from disk cache {warm:.2f} s")
        del os.environ["TRIGLOT_CACHE"]
    L._loaded.clear()


def speed() -> None:
    from triglot_server.engine import lexicon as L

    L.preload()
    zh, en = lines(BIBLE / "006.zh"), lines(BIBLE / "006.en")
    ar = lines(SAMPLE / "ar.sents") * 500  # no Arabic book here: the sample readout repeated (warm word cache)
    total = cpu_total = 0.0
    for lang, data in (("zh", zh), ("en", en), ("ar", ar)):
        t, c = time.perf_counter(), time.process_time()
        for s in data:
            L.sentence_keys(s, lang)
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        if lang != "ar":
            total, cpu_total = total + dt, cpu_total + cpu
        print(f"sentence_keys {lang}: {len(data)} sentences in {dt:.2f} s wall ({cpu:.2f} s CPU) = "
              f"{len(data) / dt:,.0f} sentences/s")
    print(f"Bible 006 (zh + en, {len(zh) + len(en)} sentences): {total:.2f} s wall, {cpu_total:.2f} s CPU "
          f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def gold_pairs(name: str) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    zh, en = lines(BIBLE / f"{name}.zh"), lines(BIBLE / f"{name}.en")
    pairs = []
    for line in (BIBLE / f"{name}.gold.align").read_text().split():
        en_ids, zh_ids = (side.strip("[]") for side in line.split(":"))
        if en_ids and zh_ids and "," not in en_ids and "," not in zh_ids:
            pairs.append((int(zh_ids), int(en_ids)))
    return zh, en, pairs


def separation(zh: list[str], en: list[str], pairs: list[tuple[int, int]]) -> str:
    from triglot_server.engine import lexicon as L

    kz = {i: L.sentence_keys(zh[i], "zh") for i, _ in pairs}
    ke = {j: L.sentence_keys(en[j], "en") for _, j in pairs}

    def jac(a: frozenset, b: frozenset) -> float:
        return len(a & b) / len(a | b) if a | b else 0.0

    def ovl(a: frozenset, b: frozenset) -> float:
        return len(a & b) / min(len(a), len(b)) if a and b else 0.0

    gold = [(kz[i], ke[j]) for i, j in pairs]
    shifted = [(kz[pairs[k][0]], ke[pairs[k + 1][1]]) for k in range(len(pairs) - 1)]
    gj, sj = [jac(*p) for p in gold], [jac(*p) for p in shifted]
    go, so = [ovl(*p) for p in gold], [ovl(*p) for p in shifted]
    wins = sum(g > s for g, s in zip(go, so)) / len(so)
    return (f"Jaccard gold {statistics.mean(gj):.3f} shifted {statistics.mean(sj):.3f} | overlap gold "
            f"{statistics.mean(go):.3f} shifted {statistics.mean(so):.3f} | gold > shifted {wins:.3f}")


def quality() -> None:
    from triglot_server.engine import lexicon as L

    zh, en, pairs = gold_pairs("001")
    print(f"Bible 001: {len(pairs)} gold 1-1 pairs")
    default_stem, default_fmm = L.stem, L._fmm

    def plural_only(word: str) -> str:
        w = L._IRREGULAR.get(word, word)
        return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w

    def all_substrings(text, i, end, words, prefixes, out):
        # every dictionary word of 2+ characters anywhere in the run, and single characters no such word covers
        covered = set()
        for p in range(i, end):
            for n in range(2, end - p + 1):
                piece = text[p:p + n]
                if piece in words:
                    covered.update(range(p, p + n))
                    if words[piece]:
                        out.append((p, p + n, words[piece], "word"))
                if piece not in prefixes:
                    break
        for p in range(i, end):
            if p not in covered and words.get(text[p]):
                out.append((p, p + 1, words[text[p]], "word"))

    variants = [
        ("default (max-match, 3 senses x 3 words, light stemmer)", {}, None, None),
        ("1 sense", {"MAX_SENSES": 1}, None, None),
        ("5 senses", {"MAX_SENSES": 5}, None, None),
        ("1 word per sense", {"MAX_GLOSS_WORDS": 1}, None, None),
        ("all substrings instead of max-match", {}, None, all_substrings),
        ("plural-only stemmer", {}, plural_only, None),
        ("no stemmer", {}, lambda w: w, None),
    ]
    defaults = {"MAX_SENSES": L.MAX_SENSES, "MAX_GLOSS_WORDS": L.MAX_GLOSS_WORDS}
    for label, settings, stem_fn, seg_fn in variants:
        for k, v in {**defaults, **settings}.items():
            setattr(L, k, v)
        L.stem, L._fmm = stem_fn or default_stem, seg_fn or default_fmm
        L.stem.cache_clear()
        L._en_key_cache.clear()
        L._loaded["zh"] = L._build_cedict(L.MAX_SENSES, L.MAX_GLOSS_WORDS)
        print(f"  {label:<58} {separation(zh, en, pairs)}", flush=True)
    for k, v in defaults.items():
        setattr(L, k, v)
    L.stem, L._fmm = default_stem, default_fmm
    L._loaded.clear()


def readout() -> None:
    from triglot_server.engine import lexicon as L

    keys = {lang: [L.sentence_keys(s, lang) for s in lines(SAMPLE / f"{lang}.sents") if s]
            for lang in ("zh", "en", "ar")}
    for pair in ("zh-en", "en-ar", "zh-ar"):
        src, tgt = pair.split("-")
        beads = []
        for line in (SAMPLE / f"{pair}.align").read_text().split():
            a, b = (side.strip("[]") for side in line.split(":"))
            if a and b and "," not in a and "," not in b:
                beads.append((int(a), int(b)))

        def ovl(a: frozenset, b: frozenset) -> float:
            return len(a & b) / min(len(a), len(b)) if a and b else 0.0

        gold = [ovl(keys[src][i], keys[tgt][j]) for i, j in beads]
        shifted = [ovl(keys[src][beads[k][0]], keys[tgt][beads[k + 1][1]]) for k in range(len(beads) - 1)]
        wins = sum(g > s for g, s in zip(gold, shifted))
        print(f"sample readout {pair}: overlap gold {statistics.mean(gold):.3f} shifted {statistics.mean(shifted):.3f}"
              f" | gold > shifted {wins}/{len(shifted)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="load time and speed only")
    args = parser.parse_args()
    load_times()
    speed()
    readout()
    if not args.quick:
        quality()


if __name__ == "__main__":
    main()
