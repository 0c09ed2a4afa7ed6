"""Alignment benchmark: quality on Bible 001-003 (and 006, not tuned on), confidence calibration, speed against
hunalign, memory, the bead-for-bead difference from the previous version, and the sample readout's gold.

    .venv/bin/python bench/align_bench.py [--data DIR] [--scorer PATH] [--hunalign DIR] [--previous REV] [--skip-006]

Prints one report. Quality is strict/lax precision, recall and F1 from ../shared/tools/alignscore.py (imported, and
fed through files in a temporary directory exactly as its command line reads them). The gold files are
`[en ids]:[zh ids]`, so English is aligned as the source; `NNN.trans` (a Chinese translation of each English line) is
given as `source_translations`.

Speed: hunalign (`../shared/tools/hunalign/`, empty dictionary) and triglot end to end as a user runs it (`triglot
serve` with no model and `triglot align ... --presplit --format align` in two processes) on Bible 006 and on its first
quarter (cut at a gold bead boundary), interleaved round by round, medians of 3, with the ratio; the server's peak
memory (and at start); the sample readout's Align p50 over gRPC on that server (the same document again, and a new
document every call). Calibration: the share of beads that are exactly a gold bead (strict) and that lie inside one gold bead (a
finer split of it) per confidence band. The previous version (`--previous`, a git revision) runs from `git archive`
in a child process; the report counts the beads that differ.

Other aligners (the CLI, the gRPC server) plug in through `run(aligner)`: any callable with the signature of
`triglot_server.engine.alignment.align` that returns beads with `source_ids`/`target_ids` (or (src, tgt) tuples).
"""
from __future__ import annotations

import argparse
import json
import statistics
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import BIBLE, ROOT, SAMPLE, Server, lines  # noqa: E402

SCORER = Path("/work/shared/tools/alignscore.py")
HUNALIGN = Path("/work/shared/tools/hunalign")
PREVIOUS = "f10a623"  # main before this round (confidence table, cheaper evidence prep); c199d29 before fused costs, 25311eb before v3 edges, e88e7c2 is v2
BANDS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
DEV = ("001", "002", "003")
# The readout sets with gold (`real/*/` and the sample readout): $TRIGLOT_READOUTS, else the copy in tests/data.
READOUTS = Path(os.environ.get("TRIGLOT_READOUTS") or ROOT / "tests" / "data" / "readouts")
# Sentences with no counterpart, inserted into a readout: off topic, so no evidence ties them to either neighbour.
UNRELATED = {"en": "The weather in Geneva was mild and sunny throughout the week of the conference.",
             "zh": "会议期间日内瓦天气温和晴朗，气温适宜。",
             "ar": "كان الطقس في جنيف معتدلا ومشمسا طوال أسبوع المؤتمر."}
SCALE = "006"

Aligner = Callable[..., object]


def _pairs(result) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    beads = getattr(result, "beads", result)
    out = []
    for b in beads:
        if hasattr(b, "source_ids"):
            out.append((tuple(b.source_ids), tuple(b.target_ids)))
        else:
            out.append((tuple(b[0]), tuple(b[1])))
    return out


def _write(path: Path, pairs: Iterable) -> None:
    path.write_text("".join(f"[{','.join(map(str, s))}]:[{','.join(map(str, t))}]\n" for s, t in pairs),
                    encoding="utf-8")


def _scorer(path: Path):
    spec = importlib.util.spec_from_file_location("alignscore", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def quality(aligner: Aligner, data: Path, scorer, ids: Sequence[str], translations: bool) -> dict:
    """Align each book, write `[src]:[tgt]` files, score them against the gold like alignscore.py's CLI does."""
    with tempfile.TemporaryDirectory() as tmp:
        pairs = []
        for book in ids:
            en, zh = lines(data / f"{book}.en"), lines(data / f"{book}.zh")
            kwargs = {"source_translations": lines(data / f"{book}.trans")} if translations else {}
            test = Path(tmp) / f"{book}.align"
            _write(test, _pairs(aligner(en, zh, "en", "zh", **kwargs)))
            pairs.append((scorer.read(data / f"{book}.gold.align"), scorer.read(test)))
        return scorer.score(pairs)


def readout(aligner: Aligner, scorer) -> list[tuple[str, bool, str]]:
    rows = []
    for src, tgt in (("zh", "en"), ("en", "ar"), ("zh", "ar")):
        gold = scorer.read(SAMPLE / f"{src}-{tgt}.align")
        got = _pairs(aligner(lines(SAMPLE / f"{src}.sents"), lines(SAMPLE / f"{tgt}.sents"), src, tgt))
        wanted = set(gold)
        diff = [f"{list(s)}:{list(t)}" for s, t in got if (s, t) not in wanted]
        rows.append((f"{src}-{tgt}", set(got) == wanted, " ".join(diff[:4])))
    return rows


Gold = list[tuple[tuple[int, ...], tuple[int, ...]]]


def _gold_readouts() -> list[tuple[str, list[str], list[str], str, str, Gold]]:
    """(name, source sentences, target sentences, languages, gold beads) of every readout alignment with gold."""
    out = []
    for path in sorted([*READOUTS.glob("real/*/*-*.align"), *SAMPLE.glob("*-*.align")]):
        src, tgt = path.stem.split("-")
        gold = [(tuple(s), tuple(t)) for s, t in _scorer(SCORER).read(path)]
        out.append((f"{path.parent.name[:10]} {path.stem}", lines(path.parent / f"{src}.sents"),
                    lines(path.parent / f"{tgt}.sents"), src, tgt, gold))
    return out


def _delete(gold: Gold, side: int, k: int) -> Gold:
    """The gold after deleting sentence k of one side: its partner becomes a gap, later ids shift down."""
    out = []
    for bead in gold:
        ids = tuple(i - (i > k) for i in bead[side] if i != k)
        new = (ids, bead[1]) if side == 0 else (bead[0], ids)
        if new[0] or new[1]:
            out.append(new)
    return out


def _insert(gold: Gold, side: int, pos: int) -> Gold:
    """The gold after inserting a sentence at position pos of one side: it is a gap, later ids shift up."""
    shift = lambda ids: tuple(i + (i >= pos) for i in ids)  # noqa: E731
    out = [(shift(s), t) if side == 0 else (s, shift(t)) for s, t in gold]
    out.append(((pos,), ()) if side == 0 else ((), (pos,)))
    return out


def _prefix(gold: Gold, beads: int) -> tuple[int, int, Gold]:
    """The first `beads` beads of the gold and how many sentences of each side they hold."""
    keep = gold[:beads]
    return (max((i + 1 for s, _ in keep for i in s), default=0), max((j + 1 for _, t in keep for j in t), default=0),
            keep)


def edited_cases() -> dict[str, list[tuple[str, list[str], list[str], str, str, Gold]]]:
    """Readouts edited the way versions really differ, each with its gold (family -> cases):
    - deletion at start / middle / end: one side loses the sentence of a 1-1 bead (first, middle, last bead), so its
      partner has no counterpart (a lead, an added paragraph, a closing line);
    - insertion next to a merged bead: an unrelated sentence right before or after the two sentences of a 1-2 / 2-1
      bead, on their side (an addition that a merged bead could swallow);
    - two 1-1 openings: the first two beads alone when both are 1-1 (must not become a 2-2);
    - short readout, closing line: the first three beads, with one more sentence of one side after them (a 3-versus-4
      sentence readout whose last sentence has no counterpart)."""
    cases: dict[str, list] = {"deletion at start": [], "deletion in the middle": [], "deletion at end": [],
                              "insertion next to a merged bead": [], "two 1-1 openings": [],
                              "short readout, closing line": []}
    for name, src, tgt, sl, tl, gold in _gold_readouts():
        docs = (src, tgt)
        for family, index in (("deletion at start", 0), ("deletion in the middle", len(gold) // 2),
                              ("deletion at end", len(gold) - 1)):
            s, t = gold[index]
            if len(s) == len(t) == 1:
                for side in (0, 1):
                    k = (s, t)[side][0]
                    sides = [list(d) for d in docs]
                    del sides[side][k]
                    cases[family].append((f"{name} {'st'[side]}{k}", *sides, sl, tl, _delete(gold, side, k)))
        inserted: set[tuple[int, int]] = set()  # (side, position): after one merged bead may be before the next
        for s, t in gold:
            if sorted((len(s), len(t))) == [1, 2]:
                side = 0 if len(s) == 2 else 1
                for pos in (min((s, t)[side]), max((s, t)[side]) + 1):
                    if (side, pos) in inserted:
                        continue
                    inserted.add((side, pos))
                    sides = [list(d) for d in docs]
                    sides[side].insert(pos, UNRELATED[(sl, tl)[side]])
                    cases["insertion next to a merged bead"].append((f"{name} +{'st'[side]}{pos}", *sides, sl, tl,
                                                                     _insert(gold, side, pos)))
        if len(gold) > 2 and all(len(s) == len(t) == 1 for s, t in gold[:2]):
            n, m, keep = _prefix(gold, 2)
            cases["two 1-1 openings"].append((name, src[:n], tgt[:m], sl, tl, keep))
        if len(gold) > 3:
            n, m, keep = _prefix(gold, 3)
            for side, extra in ((0, src[n:n + 1]), (1, tgt[m:m + 1])):
                if extra and all(s and t for s, t in keep):
                    sides = [src[:n] + extra, tgt[:m]] if side == 0 else [src[:n], tgt[:m] + extra]
                    want = keep + [(((n,), ()) if side == 0 else ((), (m,)))]
                    cases["short readout, closing line"].append((f"{name} +{'st'[side]}", *sides, sl, tl, want))
    return cases


def edited(aligner: Aligner) -> list[str]:
    """Per family of edited readouts, how many alignments are exactly the gold, and the first misses."""
    out = ["| edited readouts | exact | misses (first 3) |", "|---|---|---|"]
    total = [0, 0]
    for family, cases in edited_cases().items():
        misses = []
        for name, src, tgt, sl, tl, gold in cases:
            if set(_pairs(aligner(src, tgt, sl, tl))) != set(gold):
                misses.append(name)
        total[0] += len(cases) - len(misses)
        total[1] += len(cases)
        out.append(f"| {family} | {len(cases) - len(misses)}/{len(cases)} | {', '.join(misses[:3])} |")
    out.append(f"| all | {total[0]}/{total[1]} | |")
    return out


def calibration(aligner: Aligner, data: Path, scorer, ids: Sequence[str]) -> list[str]:
    """Per confidence band: beads, share exactly a gold bead, share inside one gold bead; both evidence settings."""
    out = ["| confidence | beads (no model / .trans) | exact gold bead | inside one gold bead |", "|---|---|---|---|"]
    stats = {}
    for trans in (False, True):
        for book in ids:
            if trans and not (data / f"{book}.trans").exists():  # Bible 006 has no translation
                continue
            gold = scorer.read(data / f"{book}.gold.align")
            exact = set(gold)
            owner = {(0, i): k for k, (s, _) in enumerate(gold) for i in s}
            owner.update({(1, j): k for k, (_, t) in enumerate(gold) for j in t})
            kwargs = {"source_translations": lines(data / f"{book}.trans")} if trans else {}
            result = aligner(lines(data / f"{book}.en"), lines(data / f"{book}.zh"), "en", "zh", **kwargs)
            for bead in result.beads:
                pair = (tuple(bead.source_ids), tuple(bead.target_ids))
                owners = {owner.get((0, i)) for i in pair[0]} | {owner.get((1, j)) for j in pair[1]}
                band = max(k for k, lo in enumerate(BANDS[:-1]) if bead.score >= lo)
                stats.setdefault((band, trans), []).append((pair in exact, len(owners) == 1 and None not in owners))
    for band in range(len(BANDS) - 1):
        cells = [stats.get((band, t), []) for t in (False, True)]
        both = cells[0] + cells[1]
        if not both:
            continue
        share = lambda k: sum(x[k] for x in both) / len(both)  # noqa: E731
        out.append(f"| [{BANDS[band]:.2f}, {BANDS[band + 1]:.2f}{']' if band == len(BANDS) - 2 else ')'} | "
                   f"{len(cells[0])} / {len(cells[1])} | {share(0):.3f} | {share(1):.3f} |")
    high = [x for (band, _), v in stats.items() if BANDS[band] >= 0.9 for x in v]
    out.append(f"| >= 0.90 | {len(high)} | {sum(x[0] for x in high) / len(high):.3f} | "
               f"{sum(x[1] for x in high) / len(high):.3f} |")
    return out


def readout_calibration(aligner: Aligner) -> list[str]:
    """Bead confidence on the readouts with gold and their edited copies (`edited_cases`): per band, the beads linking
    both sides and the share exactly a gold bead; the wrong beads' highest score; the beads under the findings'
    low-confidence threshold (where `low_confidence` fires), right and wrong."""
    from triglot_server.engine.comparison.findings.structural import LOW_CONFIDENCE

    scored = []  # (score, exact) of every linking bead
    cases = _gold_readouts() + [case for family in edited_cases().values() for case in family]
    for _, src, tgt, sl, tl, gold in cases:
        want = set(gold)
        for bead in aligner(src, tgt, sl, tl).beads:
            if bead.source_ids and bead.target_ids:
                scored.append((bead.score, (tuple(bead.source_ids), tuple(bead.target_ids)) in want))
    out = ["| confidence | linking beads | exact gold bead |", "|---|---|---|"]
    for k, lo in enumerate(BANDS[:-1]):
        hi = BANDS[k + 1]
        cell = [ok for score, ok in scored if lo <= score < hi or (hi == 1.0 and score == 1.0)]
        if cell:
            out.append(f"| [{lo:.2f}, {hi:.2f}{']' if hi == 1.0 else ')'} | {len(cell)} | {sum(cell) / len(cell):.3f} |")
    wrong = [score for score, ok in scored if not ok]
    low = [ok for score, ok in scored if score < LOW_CONFIDENCE]
    out.append(f"\n{len(cases)} alignments, {len(scored)} linking beads; wrong ones {len(wrong)}, highest score "
               f"{max(wrong, default=0.0):.3f}; under {LOW_CONFIDENCE} (low_confidence): {sum(low)} right, "
               f"{len(low) - sum(low)} wrong.")
    return out


_PREVIOUS_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from triglot_server.engine.alignment import align
out = {}
for book in sys.argv[3:]:
    read = lambda p: open(p, encoding="utf-8").read().removesuffix("\\n").split("\\n")
    en, zh = read(f"{sys.argv[2]}/{book}.en"), read(f"{sys.argv[2]}/{book}.zh")
    out[book] = [[list(b.source_ids), list(b.target_ids)] for b in align(en, zh, "en", "zh").beads]
print(json.dumps(out))
"""


def previous_diff(aligner: Aligner, data: Path, rev: str, ids: Sequence[str]) -> str:
    """Beads of this version not in the previous version's output (and the reverse), no model, per book."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(root), "archive", rev, "server/triglot_server"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        old = json.loads(subprocess.run([sys.executable, "-c", _PREVIOUS_CHILD, str(Path(tmp) / "server"), str(data),
                                         *ids], check=True, capture_output=True, text=True).stdout)
    parts = []
    for book in ids:
        before = {(tuple(s), tuple(t)) for s, t in old[book]}
        now = set(_pairs(aligner(lines(data / f"{book}.en"), lines(data / f"{book}.zh"), "en", "zh")))
        parts.append(f"{book}: {len(now - before)} of {len(now)} beads new, {len(before - now)} of {len(before)} gone")
    return f"Against {rev}, no model: " + "; ".join(parts)


def _quarter(data: Path, scorer, tmp: Path) -> tuple[Path, Path, Path]:
    """The first quarter of Bible 006 (by English lines), cut at the end of a gold bead; its gold beads."""
    en, zh = lines(data / f"{SCALE}.en"), lines(data / f"{SCALE}.zh")
    gold = scorer.read(data / f"{SCALE}.gold.align")
    keep, i_end, j_end = [], 0, 0
    for s, t in gold:
        keep.append((s, t))
        i_end, j_end = max((i + 1 for i in s), default=i_end), max((j + 1 for j in t), default=j_end)
        if i_end >= len(en) // 4 and s and t:
            break
    paths = tmp / "q.en", tmp / "q.zh", tmp / "q.gold.align"
    paths[0].write_text("\n".join(en[:i_end]) + "\n", encoding="utf-8")
    paths[1].write_text("\n".join(zh[:j_end]) + "\n", encoding="utf-8")
    _write(paths[2], keep)
    return paths


def speed(data: Path, scorer, hunalign: Path, rounds: int = 3) -> list[str]:
    """hunalign and triglot (CLI + server) on Bible 006 and its first quarter, interleaved; medians of `rounds`."""
    cli = [sys.executable, "-m", "triglot.cli"]
    times: dict = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        q_en, q_zh, q_gold = _quarter(data, scorer, tmp)
        docs = {"006": (data / f"{SCALE}.en", data / f"{SCALE}.zh", data / f"{SCALE}.gold.align"),
                "006 first quarter": (q_en, q_zh, q_gold)}
        server = Server(tmp / "models")
        ready_mib = server.peak_rss_mib()
        first_align, first_compare = first_calls_ms(server)
        f1 = {}
        try:
            for _ in range(rounds):
                for name, (en, zh, gold) in docs.items():
                    start = time.perf_counter()
                    with (tmp / "hun.out").open("w") as out:
                        subprocess.run([str(hunalign / "hunalign"), str(hunalign / "null.dic"), str(en), str(zh)],
                                       check=True, stdout=out, stderr=subprocess.DEVNULL,
                                       cwd=tmp)  # hunalign writes a translate.txt where it runs
                    times.setdefault((name, "hunalign"), []).append(time.perf_counter() - start)
                    out = tmp / "tri.align"
                    start = time.perf_counter()
                    subprocess.run([*cli, "align", str(en), str(zh), "--presplit", "--format", "align", "--server",
                                    server.address, "--timeout", "600"], check=True, stdout=out.open("w"))
                    times.setdefault((name, "triglot"), []).append(time.perf_counter() - start)
                    f1[name] = scorer.score([(scorer.read(gold), scorer.read(out))])["f1_strict"]
            server_mib = server.peak_rss_mib()
            repeated, fresh = sample_align_ms(server)
        finally:
            server.stop()
    out = ["| document | hunalign (s) | triglot end to end (s) | ratio | triglot strict F1 |", "|---|---|---|---|---|"]
    for name in docs:
        h, t = (statistics.median(times[(name, who)]) for who in ("hunalign", "triglot"))
        out.append(f"| Bible {name} | {h:.2f} | {t:.2f} | {t / h:.2f} | {f1[name]:.3f} |")
    out.append(f"\nServer peak memory over all rounds: {server_mib:.0f} MiB (no model; ready at {ready_mib:.0f} MiB).")
    out.append(f"Sample readout (zh x en, 19 x 19, as text) Align over gRPC on the same server, p50 of {SAMPLE_CALLS} "
               f"calls: {repeated:.1f} ms the same document again, {fresh:.1f} ms a document never sent before.")
    out.append(f"First calls of the just-started server: Align of the sample readout {first_align:.0f} ms, then a Compare "
               f"of its three versions {first_compare:.0f} ms.")
    return out


def first_calls_ms(server: Server) -> tuple[float, float]:
    """The first Align a server answers once it reports ready (the sample readout, zh x en), then its first Compare
    (the sample's three versions): what a deployment's first caller waits, start-up warm-ups included. The channel
    is opened by a cheap call first, so the figures are the server's."""
    from triglot.client import version

    texts = {lang: (SAMPLE / f"{lang}.txt").read_text(encoding="utf-8") for lang in ("zh", "en", "ar")}
    with server.client(timeout=60) as client:
        client.detect_language("open the channel")
        start = time.perf_counter()
        client.align(texts["zh"], texts["en"], source_language="zh", target_language="en")
        align_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        client.compare([version(text, lang) for lang, text in texts.items()])
        return align_ms, (time.perf_counter() - start) * 1000


SAMPLE_CALLS = 40


def sample_align_ms(server: Server, calls: int = SAMPLE_CALLS) -> tuple[float, float]:
    """p50 of Align on the sample readout: the same document every call (what a client re-sending a readout, or
    aligning its other pairs, sees: sentence analyses are memoised), and a new document every call (each sentence
    carries a reference number no call sent before: the figure of first calls)."""
    zh, en = (SAMPLE / "zh.txt").read_text(encoding="utf-8"), (SAMPLE / "en.txt").read_text(encoding="utf-8")

    def unique(text: str, k: int, stop: str) -> str:  # a number before every full stop
        return re.sub(re.escape(stop) + r"(\s|$)", lambda m: f" ({k}){stop}{m.group(1)}", text)

    with server.client(timeout=60) as client:
        client.align(zh, en, source_language="zh", target_language="en")  # the channel and the server warm
        timings = {}
        for kind in ("repeated", "fresh"):
            samples = []
            for k in range(calls):
                pair = (zh, en) if kind == "repeated" else (unique(zh, k, "。"), unique(en, k, "."))
                start = time.perf_counter()
                client.align(*pair, source_language="zh", target_language="en")
                samples.append(time.perf_counter() - start)
            timings[kind] = statistics.median(samples) * 1000
    return timings["repeated"], timings["fresh"]


def run(aligner: Aligner, *, data: Path = BIBLE, scorer_path: Path = SCORER, with_scale: bool = True,
        hunalign: Path = HUNALIGN, previous: str | None = PREVIOUS, name: str = "engine (in-process)") -> str:
    """The whole report for one aligner, as text."""
    scorer = _scorer(scorer_path)
    out = [f"## {name}", "", "| Bible | P strict | R strict | F1 strict | P lax | R lax | F1 lax | time |",
           "|---|---|---|---|---|---|---|---|"]
    books = [("001-003 no model", DEV, False), ("001-003 with .trans", DEV, True)]
    if with_scale:
        books.append((f"{SCALE} no model (not tuned on)", (SCALE,), False))
    for label, ids, trans in books:
        t0 = time.perf_counter()
        q = quality(aligner, data, scorer, ids, trans)
        out.append(f"| {label} | {q['p_strict']:.3f} | {q['r_strict']:.3f} | {q['f1_strict']:.3f} | "
                   f"{q['p_lax']:.3f} | {q['r_lax']:.3f} | {q['f1_lax']:.3f} | {time.perf_counter() - t0:.1f} s |")
    out += ["", "Confidence calibration, Bible 001-003 (both evidence settings):", "", *calibration(aligner, data,
                                                                                                    scorer, DEV)]
    if with_scale:
        out += ["", f"Confidence calibration, Bible {SCALE} (not tuned on, no model):", "",
                *calibration(aligner, data, scorer, (SCALE,))]
    out += ["", "Confidence calibration, readouts with gold and their edited copies:", "", *readout_calibration(aligner)]
    if previous:
        out += ["", previous_diff(aligner, data, previous, DEV + ((SCALE,) if with_scale else ()))]
    if with_scale:
        out += ["", "Speed (medians of 3 interleaved rounds; the machine may be shared):", "",
                *speed(data, scorer, hunalign)]
    out += ["", *edited(aligner)]
    out += ["", "| sample readout | exact gold | wrong beads (first 4) |", "|---|---|---|"]
    for pair, exact, diff in readout(aligner, scorer):
        out.append(f"| {pair} | {'yes' if exact else 'NO'} | {diff} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=BIBLE)
    parser.add_argument("--scorer", type=Path, default=SCORER)
    parser.add_argument("--hunalign", type=Path, default=HUNALIGN)
    parser.add_argument("--previous", default=PREVIOUS, help="git revision of the previous aligner ('' to skip)")
    parser.add_argument("--skip-006", action="store_true", help="leave out Bible 006 (quality, speed, memory)")
    parser.add_argument("--edited-only", action="store_true", help="only the edited readouts (seconds)")
    parser.add_argument("--sample-only", action="store_true",
                        help="only the sample readout's Align p50 over gRPC (a server with no model, seconds)")
    args = parser.parse_args(argv)
    from triglot_server.engine.alignment import align

    if args.edited_only:
        print("\n".join(edited(align)))
        return
    if args.sample_only:
        with tempfile.TemporaryDirectory() as models:
            server = Server(Path(models))
            try:
                first_align, first_compare = first_calls_ms(server)
                repeated, fresh = sample_align_ms(server)
            finally:
                server.stop()
        print(f"Sample readout Align over gRPC, p50 of {SAMPLE_CALLS} calls: {repeated:.1f} ms the same document "
              f"again, {fresh:.1f} ms a document never sent before; first calls of the server: Align "
              f"{first_align:.0f} ms, Compare {first_compare:.0f} ms.")
        return

    print(run(align, data=args.data, scorer_path=args.scorer, with_scale=not args.skip_006, hunalign=args.hunalign,
              previous=args.previous or None))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
