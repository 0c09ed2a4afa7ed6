"""Findings benchmark: precision and recall of compare's findings on every readout set with gold.

    python bench/findings_bench.py [SET_DIR ...] [--show] [--json OUT]
    python bench/findings_bench.py --speed [BOOK ...]    (default books: 001 006)

Runs the engine in-process (no server, no model: exactly what Compare does without a gloss): each set's <lang>.txt
files are split by the server's own segmentation and compared with the default pivot. The sample and every set under
real/ of the readouts (../shared/data/readouts, else the copy in tests/data; $TRIGLOT_READOUTS) is scored by the matching rule of
../shared/tools/readoutscore.py: a finding (low_confidence left out) counts when it shares a gold sentence, through
its character spans, with a gold divergence of the same kind group (gap: omission/addition; anchor: number/name
mismatch; content: content_difference). Prints per set and in total precision and recall by group; --show lists
the false and missed findings.

--speed times Compare of Bible books (zh and en, two versions, one sentence a line; ../shared/data/bible-zh-en or
$TRIGLOT_BIBLE) end to end as a user runs it: `triglot serve` (no model) in one process, warmed up with the sample
readout (dictionaries loaded), then `triglot compare BOOK.zh BOOK.en --presplit --format json` timed in another; and
the findings per 1000 sentences (low_confidence left out), a false-positive rate on a translation with no planted
divergence.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from triglot_server.engine import comparison, segmentation

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import READOUTS, SAMPLE, Server, readout_sets  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# The Bible data: ../shared beside a clone, or two levels up from a worktree under /work/wt; $TRIGLOT_BIBLE overrides.
SHARED = next((p for p in (ROOT.parent / "shared", ROOT.parents[1] / "shared") if p.is_dir()), ROOT.parent / "shared")
BIBLE = Path(os.environ.get("TRIGLOT_BIBLE") or SHARED / "data" / "bible-zh-en")
ORDER = ("zh", "en", "ar")
GROUP = {"omission": "gap", "addition": "gap", "number_mismatch": "anchor", "name_mismatch": "anchor",
         "content_difference": "content"}
GROUPS = ("gap", "anchor", "content")


@dataclass
class Score:
    """Matched predictions / predictions and matched gold / gold, per kind group."""

    pred: dict[str, list[int]] = field(default_factory=lambda: {g: [0, 0] for g in GROUPS})  # [matched, all]
    gold: dict[str, list[int]] = field(default_factory=lambda: {g: [0, 0] for g in GROUPS})

    def add(self, other: Score) -> None:
        for mine, theirs in ((self.pred, other.pred), (self.gold, other.gold)):
            for g in GROUPS:
                mine[g][0] += theirs[g][0]
                mine[g][1] += theirs[g][1]

    def total(self, side: dict[str, list[int]]) -> tuple[int, int]:
        return sum(v[0] for v in side.values()), sum(v[1] for v in side.values())


def sets(root: Path = READOUTS) -> list[Path]:
    """The sample and every real set with gold divergences (benchutil.READOUTS: ../shared or tests/data)."""
    return [d for d in readout_sets(root) if (d / "divergences.json").exists()]


def gold_spans(text: str, sentences: list[str]) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for s in sentences:
        i = text.index(s, pos)
        spans.append((i, i + len(s)))
        pos = i + len(s)
    return spans


def versions_of(d: Path) -> list[comparison.Version]:
    out = []
    for language in ORDER:
        path = d / f"{language}.txt"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            out.append(comparison.Version(language, language, segmentation.split_sentences(text, language)))
    return out


def score_set(d: Path) -> tuple[Score, list[str], list[str], int]:
    """The set's score, its false findings' and missed divergences' descriptions, and the number of findings."""
    versions = versions_of(d)
    spans = {v.language: gold_spans((d / f"{v.language}.txt").read_text(encoding="utf-8"),
                                    (d / f"{v.language}.sents").read_text(encoding="utf-8").splitlines())
             for v in versions}
    result = comparison.compare(versions)
    preds = []
    for f in result.findings:
        kind = f.kind.name.lower() if hasattr(f.kind, "name") else str(f.kind)
        if kind == "low_confidence":
            continue
        refs = {(r.language, gi) for r in f.refs for gi, (s, e) in enumerate(spans[r.language])
                if r.start < e and s < r.end}
        preds.append((GROUP[kind], refs, f"[{kind} {getattr(f, 'confidence', 1):.2f}] {f.evidence}"))
    golds = [(GROUP[g["kind"]], {(r["language"], r["sentence"]) for r in g["refs"]}, g["evidence"])
             for g in json.loads((d / "divergences.json").read_text(encoding="utf-8"))]
    score = Score()
    false = _match(preds, golds, score.pred)
    missed = _match(golds, preds, score.gold)
    return score, false, missed, len(preds)


def _match(items: list, others: list, tally: dict[str, list[int]]) -> list[str]:
    """Count, per group, the items that share a sentence with an item of `others` of their group; the rest's texts."""
    unmatched = []
    for group, refs, text in items:
        hit = any(group == g and refs & r for g, r, _ in others)
        tally[group][0] += hit
        tally[group][1] += 1
        if not hit:
            unmatched.append(text)
    return unmatched


def _ratio(matched: int, total: int) -> str:
    return f"{matched / total:.2f} ({matched}/{total})" if total else f"  -  ({matched}/{total})"


def speed(books: list[str]) -> None:
    cli = [sys.executable, "-m", "triglot.cli", "compare"]
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "models")
        try:
            warm = [str(SAMPLE / f"{lang}.txt") for lang in ("zh", "en")]
            subprocess.run([*cli, *warm, "--server", server.address, "--format", "json"], check=True,
                           capture_output=True)
            print(f"{'book':6} {'sentences':>10} {'seconds':>8} {'findings/1000':>14}  by kind")
            for book in books:
                files = [str(BIBLE / f"{book}.{lang}") for lang in ("zh", "en")]
                started = time.perf_counter()
                done = subprocess.run([*cli, *files, "--presplit", "--server", server.address, "--format", "json",
                                       "--timeout", "900"], check=True, capture_output=True, text=True)
                wall = time.perf_counter() - started
                data = json.loads(done.stdout)
                kinds: dict[str, int] = {}
                for f in data["findings"]:
                    kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
                n = sum(len(v["sentences"]) for v in data["versions"])
                real = sum(c for k, c in kinds.items() if k != "low_confidence")
                print(f"{book:6} {n:>10} {wall:>8.1f} {1000 * real / n:>14.1f}  {kinds}")
        finally:
            server.stop()


def main(argv: list[str]) -> int:
    if "--speed" in argv:
        speed([a for a in argv if not a.startswith("--")] or ["001", "006"])
        return 0
    show = "--show" in argv
    out_json = None
    if "--json" in argv:
        k = argv.index("--json")
        out_json = argv[k + 1]
        del argv[k:k + 2]
    dirs = [Path(a) for a in argv if not a.startswith("--")] or sets()
    total = Score()
    rows = []
    started = time.perf_counter()
    print(f"{'set':52} {'precision':>14} {'recall':>14}  by group (P / R)")
    for d in dirs:
        score, false, missed, _ = score_set(d)
        total.add(score)
        groups = "  ".join(f"{g} {score.pred[g][0]}/{score.pred[g][1]} {score.gold[g][0]}/{score.gold[g][1]}"
                           for g in GROUPS if score.pred[g][1] or score.gold[g][1])
        print(f"{d.name:52} {_ratio(*score.total(score.pred)):>14} {_ratio(*score.total(score.gold)):>14}  {groups}")
        if show:
            for text in false:
                print(f"    false:  {text[:200]}")
            for text in missed:
                print(f"    missed: {text[:200]}")
        rows.append({"set": d.name, "pred": score.pred, "gold": score.gold, "false": false, "missed": missed})
    print(f"{'TOTAL':52} {_ratio(*total.total(total.pred)):>14} {_ratio(*total.total(total.gold)):>14}")
    for g in GROUPS:
        print(f"  {g:50} {_ratio(*total.pred[g]):>14} {_ratio(*total.gold[g]):>14}")
    print(f"({len(dirs)} sets in {time.perf_counter() - started:.1f} s, engine in-process, no model)")
    if out_json:
        Path(out_json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
