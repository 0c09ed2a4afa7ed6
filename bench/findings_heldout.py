"""Held-out findings benchmark: divergences planted blindly into faithful readouts, nobody tuned on them.

    python bench/findings_heldout.py [--show] [--seed N] [--per K] [--json OUT]

The dev set's gold has 11 divergences; this bench measures the same detectors on planted ones. Its base sets are the
readouts whose gold is empty (faithful renderings: six under real/) and the bundled sample (its three gold divergences
are left as they are). From each, copies are made with one edit in one version, chosen by seeded random rules that
know nothing of the detectors beyond where a rule applies:

- qualifier: drop one strong tracked qualifier (data/qualifiers.tsv) where a version says one;
- number: change one number or date written in digits (the last digit of its shortest digit run: a day, not a year);
- delete_start / delete_middle / delete_end: delete the first, middle or last gold sentence of one version;
- country: replace a country's name with another country's name (its first form in that language);
- insert: insert a body sentence of another readout (same language) at a random place in one version.

Each copy is compared as findings_bench does (engine in-process, default pivot, no model). A planted divergence is
detected when a finding of its group (gap / anchor / content, as in findings_bench) that the unperturbed set does not
have cites the edited sentence or its gold counterpart in another version (the sets' .align files). The bench prints
the detection rate per kind, the findings on each unperturbed set (false on the faithful ones; the sample's scored
against its gold) and the extra findings elsewhere in the perturbed copies (false ones a one-word edit caused).
"""
from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from triglot_server.engine import anchors, comparison, segmentation
from triglot_server.engine.qualifiers import QualifierWeight, find_qualifiers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import READOUTS, SAMPLE, readout_sets  # noqa: E402
from findings_bench import GROUP, ORDER, _ratio, gold_spans, score_set  # noqa: E402

KINDS = ("qualifier", "number", "delete_start", "delete_middle", "delete_end", "country", "insert")
EXPECTED = {"qualifier": "content", "number": "anchor", "country": "anchor", "insert": "gap",
            "delete_start": "gap", "delete_middle": "gap", "delete_end": "gap"}
DIGIT = re.compile(r"[0-9\u0660-\u0669]")
DIGITS = re.compile(r"[0-9\u0660-\u0669]+")


@dataclass
class Doc:
    language: str
    text: str
    sents: list[str]
    spans: list[tuple[int, int]]


@dataclass
class Planted:
    kind: str
    language: str  # the edited version
    sentence: int  # gold sentence edited (deleted: the one removed; insert: the one the new sentence precedes)
    what: str
    docs: dict[str, Doc]  # the perturbed set
    locus: dict[str, list[tuple[int, int]]]  # spans a detecting finding cites, per language


def load(d: Path) -> dict[str, Doc]:
    docs = {}
    for lang in ORDER:
        if (d / f"{lang}.txt").exists():
            text = (d / f"{lang}.txt").read_text(encoding="utf-8")
            sents = (d / f"{lang}.sents").read_text(encoding="utf-8").splitlines()
            docs[lang] = Doc(lang, text, sents, gold_spans(text, sents))
    return docs


def counterparts(d: Path, lang: str, sentence: int) -> dict[str, list[int]]:
    """The gold sentences of the other languages aligned with `lang`'s gold sentence (the .align files)."""
    out: dict[str, list[int]] = {}
    for path in d.glob("*.align"):
        left, right = path.stem.split("-")
        if lang not in (left, right):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if ":" not in line:
                continue
            a, b = (json.loads(x) for x in line.split(":"))
            mine, theirs, other = (a, b, right) if lang == left else (b, a, left)
            if sentence in mine:
                out.setdefault(other, []).extend(theirs)
    return out


def edit(docs: dict[str, Doc], lang: str, start: int, end: int, new: str) -> tuple[dict[str, Doc], int]:
    """A copy of the set with docs[lang].text[start:end] replaced by `new`, gold spans shifted; and the shift."""
    doc = docs[lang]
    delta = len(new) - (end - start)
    text = doc.text[:start] + new + doc.text[end:]
    spans = [(s if s < end else s + delta, e + delta if e >= end else e) for s, e in doc.spans]
    out = dict(docs)
    out[lang] = Doc(lang, text, doc.sents, spans)
    return out, delta


def _locus(d: Path, docs: dict[str, Doc], base: dict[str, Doc], lang: str, sentence: int,
           own: list[tuple[int, int]]) -> dict[str, list[tuple[int, int]]]:
    locus = {lang: own}
    for other, ids in counterparts(d, lang, sentence).items():
        locus.setdefault(other, []).extend(base[other].spans[i] for i in ids)
    return locus


def plant(d: Path, rng: random.Random, per: int, donors: dict[str, list[str]]) -> Iterator[Planted]:
    base = load(d)
    gaz = anchors.gazetteer()
    countries = sorted(i for i, k in gaz.kinds.items() if k == "country")
    for lang, doc in base.items():
        # qualifier
        hits = [(g, h) for g, s in enumerate(doc.sents) for h in find_qualifiers(s, lang)
                if h.weight == QualifierWeight.STRONG]
        for g, h in rng.sample(hits, min(per, len(hits))):
            s0 = doc.spans[g][0]
            start, end = s0 + h.start, s0 + h.end
            if lang != "zh" and end < len(doc.text) and doc.text[end] == " ":
                end += 1  # the word and its space
            docs, delta = edit(base, lang, start, end, "")
            yield Planted("qualifier", lang, g, f"dropped “{h.text}” ({h.concept})", docs,
                          _locus(d, docs, base, lang, g, [docs[lang].spans[g]]))
        # number
        nums = [(g, a) for g, s in enumerate(doc.sents) for a in anchors.extract_anchors(s, lang)
                if a.kind in ("number", "date") and DIGIT.search(a.text)]
        for g, a in rng.sample(nums, min(per, len(nums))):
            # The last digit of the shortest run: a day, month or count rather than a year, which another
            # version often does not state at all (May 21, 2018 → 2019 against 5月21日 is no divergence).
            run = min(DIGITS.finditer(a.text), key=lambda r: len(r.group()))
            m = list(DIGIT.finditer(a.text, run.start(), run.end()))[-1]
            zero = "0" if m.group() <= "9" else "\u0660"
            v = ord(m.group()) - ord(zero)
            changed = chr(ord(zero) + (v + 1 if v < 9 else 8))
            s0 = doc.spans[g][0]
            start = s0 + a.start + m.start()
            docs, _ = edit(base, lang, start, start + 1, changed)
            yield Planted("number", lang, g, f"“{a.text}” → {changed} for {m.group()}", docs,
                          _locus(d, docs, base, lang, g, [docs[lang].spans[g]]))
        # deletions
        for kind, g in (("delete_start", 0), ("delete_middle", len(doc.sents) // 2),
                        ("delete_end", len(doc.sents) - 1)):
            start, end = doc.spans[g]
            while end < len(doc.text) and doc.text[end] in " \t":
                end += 1
            docs, _ = edit(base, lang, start, end, "")
            locus = _locus(d, docs, base, lang, g, [])
            yield Planted(kind, lang, g, f"deleted {lang} {g} “{doc.sents[g][:40]}…”", docs, locus)
        # country
        names = [(g, a) for g, s in enumerate(doc.sents) for a in anchors.extract_anchors(s, lang)
                 if a.kind == "name" and gaz.kinds.get(a.value) == "country" and a.text in gaz.forms[a.value][lang]]
        for g, a in rng.sample(names, min(per, len(names))):
            mentioned = {x.value for s in doc.sents for x in anchors.extract_anchors(s, lang) if x.kind == "name"}
            other = rng.choice([c for c in countries if c not in mentioned and gaz.forms[c][lang]])
            new = gaz.forms[other][lang][0]
            s0 = doc.spans[g][0]
            docs, _ = edit(base, lang, s0 + a.start, s0 + a.end, new)
            yield Planted("country", lang, g, f"“{a.text}” → “{new}”", docs,
                          _locus(d, docs, base, lang, g, [docs[lang].spans[g]]))
        # insert
        pool = donors.get(lang, [])
        for _ in range(min(per, len(pool))):
            new = rng.choice(pool)
            g = rng.randrange(1, len(doc.sents))  # before gold sentence g (not before a dateline/title)
            at = doc.spans[g][0]
            sep = "" if lang == "zh" else " "
            docs, _ = edit(base, lang, at, at, new + sep)
            yield Planted("insert", lang, g, f"inserted “{new[:40]}…” before {lang} {g}", docs,
                          {lang: [(at, at + len(new))]})


def run(docs: dict[str, Doc]) -> list[tuple[str, list[tuple[str, int, int]], str, tuple]]:
    """The findings of a set (low_confidence left out): group, refs (language, start, end), evidence, identity."""
    versions = [comparison.Version(lang, lang, segmentation.split_sentences(doc.text, lang))
                for lang, doc in docs.items()]
    out = []
    for f in comparison.compare(versions).findings:
        kind = f.kind.value
        if kind == "low_confidence":
            continue
        refs = [(r.language, r.start, r.end) for r in f.refs]
        # Identity that survives a shift of offsets: the kind and the texts cited.
        ident = (kind, tuple(sorted((lang, docs[lang].text[s:e]) for lang, s, e in refs)))
        out.append((GROUP[kind], refs, f"[{kind}] {f.evidence}", ident))
    return out


def _hits(refs: list[tuple[str, int, int]], locus: dict[str, list[tuple[int, int]]]) -> bool:
    return any(s < e2 and s2 < e for lang, s, e in refs for s2, e2 in locus.get(lang, []))


def base_sets() -> list[Path]:
    return [d for d in readout_sets(READOUTS)
            if d == SAMPLE or json.loads((d / "divergences.json").read_text(encoding="utf-8")) == []]


def donors_for(d: Path, everything: list[Path]) -> dict[str, list[str]]:
    """Body sentences (not the first two: title, dateline) of every other readout, per language."""
    out: dict[str, list[str]] = {}
    for other in everything:
        if other == d:
            continue
        for lang, doc in load(other).items():
            out.setdefault(lang, []).extend(s for s in doc.sents[2:] if len(s) > 20)
    return out


def main(argv: list[str]) -> int:
    show = "--show" in argv
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 1
    per = int(argv[argv.index("--per") + 1]) if "--per" in argv else 2
    out_json = argv[argv.index("--json") + 1] if "--json" in argv else None
    rng = random.Random(seed)
    everything = readout_sets(READOUTS)
    tally = {k: [0, 0] for k in KINDS}  # detected, planted
    extra = {k: 0 for k in KINDS}  # new findings elsewhere
    rows = []
    print(f"{'unperturbed set':52} {'findings':>8} {'false':>6}")
    false_total = 0
    for d in base_sets():
        base = run(load(d))
        _, false, _, n = score_set(d)
        false_total += len(false)
        print(f"{d.name:52} {n:>8} {len(false):>6}")
        if show:
            for text in false:
                print(f"    false: {text[:200]}")
        known = {ident for *_, ident in base}
        for p in plant(d, rng, per, donors_for(d, everything)):
            new = [f for f in run(p.docs) if f[3] not in known]
            found = [f for f in new if f[0] == EXPECTED[p.kind] and _hits(f[1], p.locus)]
            others = [f for f in new if not _hits(f[1], p.locus)]
            tally[p.kind][0] += bool(found)
            tally[p.kind][1] += 1
            extra[p.kind] += len(others)
            rows.append({"set": d.name, "kind": p.kind, "language": p.language, "what": p.what,
                         "detected": bool(found), "extra": [f[2] for f in others]})
            if show and (not found or others):
                print(f"    {p.kind:13} {'found ' if found else 'MISSED'} {d.name[:10]} {p.what[:90]}")
                for f in others:
                    print(f"        extra: {f[2][:180]}")
    print(f"{'TOTAL false findings on unperturbed sets':52} {'':>8} {false_total:>6}")
    print()
    print(f"{'planted kind':16} {'detected':>14}  extra findings elsewhere (per copy)")
    det = [0, 0]
    for k in KINDS:
        m, n = tally[k]
        det[0] += m
        det[1] += n
        print(f"{k:16} {_ratio(m, n):>14}  {extra[k]} ({extra[k] / max(n, 1):.2f})")
    print(f"{'all':16} {_ratio(*det):>14}  {sum(extra.values())} ({sum(extra.values()) / max(det[1], 1):.2f})")
    print(f"(seed {seed}, up to {per} per kind and version, engine in-process, no model)")
    if out_json:
        Path(out_json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
