"""Sentence segmentation: triglot's rule-based splitter against pysbd — exactness and speed.

    python bench/segmentation_bench.py [--bible /work/shared/data/bible-zh-en/006.en] [--pysbd-lines 250,500,1000,2000]
                                       [--readouts DIR]

Prints:
- hard-wrapped text: every readout set (sample + real/) wrapped at 40/60/70/80 columns (English and Arabic at
  spaces like `fold -s`, also breaking at hyphens like textwrap; Chinese at display columns), and whether the
  sentences (whitespace normalised, as the engine analyses them) are the gold ones;
- exactness on the sample readout (examples/2020-03-09-china-iraq): gold lines reproduced, and whether the whole
  .sents file is reproduced, for en/zh/ar;
- speed on the English Bible book joined into one text (lines joined by spaces, so line breaks give no help):
  sentences/s of ours on the whole book, and of pysbd on growing prefixes (pysbd's cost grows faster than linearly,
  so the whole book is out of reach);
- agreement of the two on the largest prefix (share of sentence ends both place), and ours on adversarial inputs.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pysbd

from triglot_server.engine.segmentation import split_sentences

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import BIBLE, READOUTS, SAMPLE, lines, readout_sets, timed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from builddocs import wrapped  # noqa: E402

from triglot_server.engine.normal_form import normal_form, vocabulary  # noqa: E402


def ours(text: str, language: str) -> list[str]:
    return [s.text for s in split_sentences(text, language)]


def theirs(text: str, language: str) -> list[str]:
    segmenter = pysbd.Segmenter(language=language, clean=False)
    return [s.strip() for s in segmenter.segment(text) if s.strip()]


def ends(text: str, sentences: list[str]) -> set[int]:
    """Character offsets where the sentences end, found in order in text."""
    found, position = set(), 0
    for sentence in sentences:
        at = text.find(sentence, position)
        if at < 0:
            continue  # a segmenter that rewrote the text: that sentence simply counts as disagreeing
        position = at + len(sentence)
        found.add(position)
    return found


def exactness() -> None:
    print("== exactness on the sample readout (gold lines reproduced / gold lines; whole file identical?)")
    print(f"{'lang':<5}{'ours':>14}{'pysbd':>14}")
    for language in ("en", "zh", "ar"):
        text = (SAMPLE / f"{language}.txt").read_text(encoding="utf-8")
        gold = lines(SAMPLE / f"{language}.sents")
        known = set(gold)
        row = f"{language:<5}"
        for segment in (ours, theirs):
            produced = segment(text, language)
            hits = sum(1 for line in produced if line in known)
            row += f"{f'{hits}/{len(gold)} ' + ('yes' if produced == gold else 'NO'):>14}"
        print(row)


def wrapped_text(root: Path) -> None:
    print(f"\n== hard-wrapped readouts ({root}): documents whose sentences are the gold ones, by width")
    widths = (40, 60, 70, 80)
    print(f"{'wrapping':<28}" + "".join(f"{w:>9}" for w in widths))
    for hyphens in (False, True):
        row = f"{'at spaces' + (' and hyphens' if hyphens else ''):<28}"
        for width in widths:
            good = total = 0
            for folder in readout_sets(root):
                for path in sorted(folder.glob("*.txt")):
                    language = path.stem
                    text = wrapped(path.read_text(encoding="utf-8"), width, language, hyphens)
                    words = vocabulary(text)
                    got = [" ".join(normal_form(s.text, language, words).text.split())
                           for s in split_sentences(text, language)]
                    gold = [" ".join(g.split()) for g in lines(folder / f"{language}.sents")]
                    good += got == gold
                    total += 1
            row += f"{f'{good}/{total}':>9}"
        print(row)


def speed(bible: Path, prefixes: list[int]) -> None:
    verses = lines(bible)
    text = " ".join(verses)
    print(f"\n== speed on {bible.name} joined into one text ({len(verses)} lines, {len(text):,} characters)")
    sentences, seconds = timed(lambda: ours(text, "en"))
    print(f"ours   whole book: {len(sentences):>6} sentences in {seconds:7.3f} s = {len(sentences) / seconds:>9,.0f} "
          f"sentences/s ({len(text) / seconds / 1e6:.1f} M chars/s)")
    last: tuple[str, list[str], list[str]] = ("", [], [])
    for count in prefixes:
        prefix = " ".join(verses[:count])
        mine, my_seconds = timed(lambda: ours(prefix, "en"))
        other, other_seconds = timed(lambda: theirs(prefix, "en"))
        last = (prefix, mine, other)
        print(f"prefix {count:>5} lines ({len(prefix):>9,} chars): ours {len(mine) / my_seconds:>9,.0f} sentences/s, "
              f"pysbd {len(other) / other_seconds:>7,.0f} sentences/s ({other_seconds:6.2f} s)")
    # pysbd's fair use: one paragraph (here one verse line) at a time keeps its superlinear cost small.
    count = prefixes[-1]
    other, other_seconds = timed(lambda: [s for line in verses[:count] for s in theirs(line, "en")])
    mine, my_seconds = timed(lambda: [s for line in verses[:count] for s in ours(line, "en")])
    print(f"line by line, {count} lines: ours {len(mine) / my_seconds:>9,.0f} sentences/s, "
          f"pysbd {len(other) / other_seconds:>7,.0f} sentences/s")
    prefix, mine, other = last
    my_ends, other_ends = ends(prefix, mine), ends(prefix, other)
    print(f"agreement on the {count}-line prefix joined: {len(my_ends & other_ends)} sentence ends in common, "
          f"{len(my_ends - other_ends)} only ours, {len(other_ends - my_ends)} only pysbd")


def adversarial() -> None:
    print("\n== ours on adversarial inputs")
    cases = {
        "200,000 chars, no punctuation": "word " * 40_000,
        "200,000 chars, no space (zh)": "中" * 200_000,
        "20,000 one-char sentences (zh)": "好。" * 20_000,
        "20,000 'A.' initials": "A. " * 20_000,
        "100,000 periods": "." * 100_000,
    }
    for name, text in cases.items():
        sentences, seconds = timed(lambda: split_sentences(text, "zh" if "zh" in name else "en"))
        print(f"{name:<34} {len(sentences):>6} sentences in {seconds:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bible", type=Path, default=BIBLE / "006.en")
    parser.add_argument("--readouts", type=Path, default=READOUTS, help="readout sets (default: $TRIGLOT_READOUTS)")
    parser.add_argument("--pysbd-lines", default="250,500,1000,2000",
                        help="prefix sizes (lines) on which pysbd is timed; its cost grows faster than linearly")
    args = parser.parse_args()
    exactness()
    wrapped_text(args.readouts)
    speed(args.bible, [int(n) for n in args.pysbd_lines.split(",")])
    adversarial()


if __name__ == "__main__":
    main()
