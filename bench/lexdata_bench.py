"""Figures of the evidence data on the readouts: datelines, names, qualifiers, formulae and synonymy.

    .venv/bin/python bench/lexdata_bench.py [READOUTS_DIR]

READOUTS_DIR defaults to $TRIGLOT_READOUTS, else the shared data beside the checkout (../shared/data/readouts, which
also has the Bible used as a negative corpus and for synonymy), else the copy the repo carries (tests/data/readouts
and examples/). Every set's gold-aligned pairs (`*.align`, `*.sents`) are read; nothing is tuned here, only counted.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from triglot_server.engine.anchors import Gazetteer  # noqa: E402
from triglot_server.engine.datelines import find_dateline  # noqa: E402
from triglot_server.engine.formulae import shared_formulae  # noqa: E402
from triglot_server.engine.leads import find_lead  # noqa: E402
from triglot_server.engine.lexicon import content_words, sentence_keys  # noqa: E402
from triglot_server.engine.qualifiers import QualifierWeight, concepts, qualifiers  # noqa: E402
from triglot_server.engine.synonymy import related  # noqa: E402

DATA = ROOT / "server" / "triglot_server" / "engine" / "data"


def readouts_dir(argv: list[str]) -> Path:
    for candidate in (argv[1:2] and argv[1], os.environ.get("TRIGLOT_READOUTS"),
                      ROOT.parent / "shared" / "data" / "readouts", ROOT.parents[1] / "shared" / "data" / "readouts",
                      ROOT / "tests" / "data" / "readouts"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise SystemExit("readouts not found: pass READOUTS_DIR or set TRIGLOT_READOUTS")


def pairs(root: Path):
    """(set, lang a, lang b, text a, text b, is a gold content_difference pair) for every gold-aligned bead."""
    for gold_path in sorted(root.rglob("divergences.json")):
        d = gold_path.parent
        gold = {(r["language"], r["sentence"]) for g in json.loads(gold_path.read_text()) if
                g["kind"] == "content_difference" for r in g["refs"]}
        for al in sorted(d.glob("*.align")):
            a, b = al.stem.split("-")
            sa = (d / f"{a}.sents").read_text(encoding="utf-8").split("\n")
            sb = (d / f"{b}.sents").read_text(encoding="utf-8").split("\n")
            for line in al.read_text().splitlines():
                left, right = (json.loads(x) for x in line.split(":"))
                if left and right:
                    yield (d.name, a, b, " ".join(_body(sa[i], a) for i in left), " ".join(_body(sb[i], b) for i in right),
                           any((a, i) in gold for i in left) and any((b, i) in gold for i in right))


def _body(sentence: str, lang: str) -> str:
    d = find_dateline(sentence, lang)
    return sentence[d.end:] if d else sentence


def datelines(root: Path, bible: Path) -> None:
    sentences = hits = first = first_hits = leads = 0
    for sents in sorted(root.rglob("*.sents")):
        lang = sents.stem
        for k, s in enumerate(x for x in sents.read_text(encoding="utf-8").split("\n") if x.strip()):
            d = find_dateline(s, lang)
            sentences += 1
            hits += d is not None
            if k == 0:
                first += 1
                first_hits += d is not None
                leads += find_lead(s, lang) is not None
    print(f"datelines: recognised in {first_hits} of the {first} opening sentences and in {hits - first_hits} of "
          f"the {sentences - first} other sentences; {leads} opening sentences are news leads")
    verses = found = 0
    for path in sorted(bible.glob("*.en")) + sorted(bible.glob("*.zh")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                verses += 1
                found += find_dateline(line, path.suffix[1:]) is not None or find_lead(line, path.suffix[1:]) is not None
    if verses:
        print(f"datelines and leads in {verses} Bible verses (en, zh), which have none: {found}")


def names(root: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        merged = Path(tmp) / "all.tsv"
        merged.write_text("".join((DATA / n).read_text(encoding="utf-8") for n in
                                  ("gazetteer.tsv", "names_countries.tsv", "names_orgs.tsv", "names_agencies.tsv")),
                          encoding="utf-8")
        tables = {"gazetteer.tsv": Gazetteer(DATA / "gazetteer.tsv"), "gazetteer + names_*.tsv": Gazetteer(merged)}
        for label, g in tables.items():
            one_sided = total = 0
            for _, a, b, ta, tb, _ in pairs(root):
                na, nb = g.find(ta, a), g.find(tb, b)
                ka = {k for x in na for k in x.keys}
                kb = {k for x in nb for k in x.keys}
                total += len(na) + len(nb)
                one_sided += sum(1 for x in na if not x.keys & kb) + sum(1 for x in nb if not x.keys & ka)
            print(f"names ({label}): {total} names found in aligned pairs, {one_sided} without a counterpart name")


def qualifier_asymmetries(root: Path) -> None:
    weight = {c: q.weight for c, q in qualifiers().items()}
    for w in QualifierWeight:
        gold_pairs = other_pairs = gold_total = other_total = 0
        for _, a, b, ta, tb, is_gold in pairs(root):
            ca = {c for c in concepts(ta, a) if weight[c] is w}
            cb = {c for c in concepts(tb, b) if weight[c] is w}
            if is_gold:
                gold_total += 1
                gold_pairs += bool(ca ^ cb)
            else:
                other_total += 1
                other_pairs += bool(ca ^ cb)
        print(f"qualifiers ({w.value}): a concept on one side only in {gold_pairs} of {gold_total} pairs with a gold "
              f"content difference, and in {other_pairs} of {other_total} other pairs")


def qualifiers_on_bible(bible: Path) -> None:
    """Strong qualifiers on one side only in the Bible's gold pairs (zh-en; the tables were not written on it, and
    its archaic English marks modality its own way: "shall", "let there be")."""
    weight = {c: q.weight for c, q in qualifiers().items()}
    total = 0
    one_sided: dict[str, int] = {}
    for book in ("001", "006"):
        if not (bible / f"{book}.gold.align").exists():
            return
        en, zh = ((bible / f"{book}.{x}").read_text(encoding="utf-8").split("\n") for x in ("en", "zh"))
        for line in (bible / f"{book}.gold.align").read_text().splitlines()[:1500]:
            left, right = (json.loads(x) for x in line.split(":"))
            if left and right:
                total += 1
                ce = concepts(" ".join(en[i] for i in left), "en")
                cz = concepts("".join(zh[i] for i in right), "zh")
                for c in ce ^ cz:
                    if weight[c] is QualifierWeight.STRONG:
                        one_sided[c] = one_sided.get(c, 0) + 1
    top = ", ".join(f"{c} {n}" for c, n in sorted(one_sided.items(), key=lambda x: -x[1])[:6])
    print(f"qualifiers on {total} Bible gold pairs (001, 006): strong concepts on one side only: {top}")


def unrelated_words(root: Path) -> None:
    """Content words with no related key on the other side, and how many a shared formula covers."""
    words = unrelated = covered = 0
    for _, a, b, ta, tb, _ in pairs(root):
        fa, fb = shared_formulae(ta, a, tb, b)
        for text, lang, other, olang, hits in ((ta, a, tb, b, fa), (tb, b, ta, a, fb)):
            other_keys = sentence_keys(other, olang)
            for w in content_words(text, lang):
                if w.kind != "word":
                    continue
                words += 1
                if w.keys & other_keys:
                    continue
                unrelated += 1
                covered += any(h.start < w.end and w.start < h.end for h in hits)
    print(f"content words: {words}; {unrelated} ({100 * unrelated / words:.0f} %) have no related key on the other "
          f"side; a shared formula covers {covered} of those ({100 * covered / max(unrelated, 1):.0f} %)")


def _relatedness(beads: list[tuple[str, str, str, str]]) -> tuple[float, float, float, float]:
    """Share of content words related to the other side, without and with synonymy, for the beads as aligned and
    for each bead's first side against the next bead's second side (a wrong pair: what a relation there costs)."""
    def shares(pairs_: list[tuple[str, str, str, str]]) -> tuple[float, float]:
        words = direct = syn = 0
        for a, la, b, lb in pairs_:
            for text, lang, other, olang in ((a, la, b, lb), (b, lb, a, la)):
                keys = sentence_keys(other, olang)
                for w in content_words(text, lang):
                    if w.kind == "word":
                        words += 1
                        direct += bool(w.keys & keys)
                        syn += related(w.keys, keys)
        return direct / max(words, 1), syn / max(words, 1)

    shifted = [(beads[k][0], beads[k][1], beads[k + 1][2], beads[k + 1][3]) for k in range(len(beads) - 1)]
    return (*shares(beads), *shares(shifted))


def synonymy(root: Path, bible: Path | None) -> None:
    sets = {"readouts": [(ta, a, tb, b) for _, a, b, ta, tb, _ in pairs(root)]}
    if bible and (bible / "001.gold.align").exists():
        en, zh = ((bible / f"001.{x}").read_text(encoding="utf-8").split("\n") for x in ("en", "zh"))
        beads = []
        for line in (bible / "001.gold.align").read_text().splitlines()[:600]:
            left, right = (json.loads(x) for x in line.split(":"))
            if len(left) == 1 and len(right) == 1:
                beads.append((en[left[0]], "en", zh[right[0]], "zh"))
        sets["Bible 001 (600 gold beads, 1-1)"] = beads
    for label, beads in sets.items():
        gold_direct, gold_syn, wrong_direct, wrong_syn = _relatedness(beads)
        print(f"synonymy, {label}: content words related to the aligned sentence {100 * gold_direct:.1f} % -> "
              f"{100 * gold_syn:.1f} % with synonyms; to a wrong sentence {100 * wrong_direct:.1f} % -> "
              f"{100 * wrong_syn:.1f} %")


def main(argv: list[str]) -> int:
    root = readouts_dir(argv)
    print(f"readouts: {root}")
    datelines(root, root.parent / "bible-zh-en")
    names(root)
    qualifier_asymmetries(root)
    qualifiers_on_bible(root.parent / "bible-zh-en")
    unrelated_words(root)
    synonymy(root, root.parent / "bible-zh-en")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
