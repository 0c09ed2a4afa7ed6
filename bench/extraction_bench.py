"""Document extraction on pages and files built from the real readouts (tests/builddocs.py).

    python bench/extraction_bench.py [--readouts DIR]

For every readout text (sample + real/, en/zh/ar): the text as a ministry news page with real page furniture (menu,
breadcrumb, share buttons, "related news", "most read", footer) and as a news agency's page of another layout
("html2": no <article>, an editor's line, related links right after the text, a comment box, a cookie banner), each
with and without a title; as a PDF printed by
Chromium (when installed); as a .docx. Prints, per extractor and format: documents whose sentences are exactly the
gold ones, gold sentences recovered, and units that are not gold sentences (furniture that leaked, or the title).
HTML is measured with trafilatura (what the server uses) and readability-lxml (when installed: the `bench` extra).

Then, through a real `triglot serve` (no models: alignment and findings from dictionaries, numbers and names), every
set is compared in each form — wrapped at 60/70/80 columns, as HTML pages, .docx, PDFs (English and Chinese),
UTF-16 / GB18030 text, its Chinese in Traditional characters — and counted as the same when its rows and findings
(kinds and cited sentences) equal those of the set's .txt files.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "tests")]

import builddocs  # noqa: E402
from benchutil import READOUTS, Server, lines, readout_sets  # noqa: E402

from triglot_server.engine.documents import extract  # noqa: E402
from triglot_server.engine.normal_form import normal_form, vocabulary  # noqa: E402
from triglot_server.engine.segmentation import split_sentences  # noqa: E402

TITLES = {"en": "Wang Yi Holds Talks", "zh": "王毅举行会谈", "ar": "وانغ يي يجري محادثات"}


def readability_text(data: bytes) -> str:
    import lxml.html
    from readability import Document

    summary = Document(data.decode("utf-8")).summary(html_partial=True)
    root = lxml.html.fromstring(summary)
    return "\n\n".join(p.text_content().strip() for p in root.iter("p", "h1", "h2", "li", "div")
                       if p.text_content().strip() and not len(p.findall(".//p")))


def sentences(text: str, language: str) -> list[str]:
    words = vocabulary(text)
    return [" ".join(normal_form(s.text, language, words).text.split()) for s in split_sentences(text, language)]


def compare_forms(root: Path) -> None:
    import tempfile

    from triglot.client import file, version
    from triglot_server.engine.languages import to_traditional

    def outcome(response) -> tuple:  # noqa: ANN001
        return ([tuple(tuple(c.sentence_ids) for c in row.cells) for row in response.rows],
                sorted((f.kind, tuple((r.version, r.sentence) for r in f.refs)) for f in response.findings))

    forms = {
        **{f"wrapped {w}": (lambda t, lang, w=w: builddocs.wrapped(t, w, lang)) for w in (60, 70, 80)},
        "html": lambda t, lang: file(builddocs.html_page(t, lang).encode(), "", f"{lang}.html"),
        "html+title": lambda t, lang: file(builddocs.html_page(t, lang, TITLES[lang]).encode(), "", f"{lang}.html"),
        "html2 (agency layout)": lambda t, lang: file(builddocs.agency_page(t, lang).encode(), "", f"{lang}.html"),
        "docx": lambda t, lang: file(builddocs.docx(t), "", f"{lang}.docx"),
        "utf-16 / gb18030": lambda t, lang: file(t.encode("gb18030" if lang == "zh" else "utf-16"), "", lang),
        "zh in Traditional": lambda t, lang: to_traditional(t) if lang == "zh" else t,
    }
    if builddocs.chromium():
        forms["pdf (en, zh; ar as text)"] = lambda t, lang: t if lang == "ar" else file(builddocs.pdf(t, lang), "",
                                                                                          f"{lang}.pdf")
    sets = readout_sets(root)
    same = {name: 0 for name in forms}
    with tempfile.TemporaryDirectory() as models:
        server = Server(Path(models))
        try:
            with server.client() as client:
                for folder in sets:
                    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
                    base = outcome(client.compare([version(t, lang, lang) for lang, t in texts.items()]))
                    for name, make in forms.items():
                        got = outcome(client.compare([version(make(t, lang), "", lang) for lang, t in texts.items()]))
                        same[name] += got == base
        finally:
            server.stop()
    print(f"\n== compare of each form against the .txt files ({len(sets)} sets): same rows and findings")
    for name, count in same.items():
        print(f"{name:<28}{count:>3}/{len(sets)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readouts", type=Path, default=READOUTS, help="readout sets (default: $TRIGLOT_READOUTS)")
    args = parser.parse_args()
    try:
        import readability  # noqa: F401
        extractors = ["trafilatura", "readability-lxml"]
    except ImportError:
        extractors = ["trafilatura"]
    scores: dict[tuple[str, str], list[int]] = {}
    for folder in readout_sets(args.readouts):
        for path in sorted(folder.glob("*.txt")):
            language = path.stem
            text = path.read_text(encoding="utf-8")
            gold = [" ".join(g.split()) for g in lines(folder / f"{language}.sents")]
            cases = {"html": builddocs.html_page(text, language).encode(),
                     "html+title": builddocs.html_page(text, language, TITLES[language]).encode(),
                     "html2": builddocs.agency_page(text, language).encode(),
                     "html2+title": builddocs.agency_page(text, language, TITLES[language]).encode(),
                     "docx": builddocs.docx(text)}
            if builddocs.chromium():
                cases["pdf"] = builddocs.pdf(text, language)
            for kind, data in cases.items():
                for extractor in extractors if kind.startswith("html") else ["server"]:
                    if extractor == "readability-lxml":
                        got = sentences(readability_text(data), language)
                    else:
                        got = sentences(extract(data, "", path.name).text, language)
                    row = scores.setdefault((f"{kind} {language}", extractor), [0, 0, 0, 0, 0])
                    row[0] += got == gold
                    row[1] += 1
                    row[2] += len(set(gold) & set(got))
                    row[3] += len(gold)
                    row[4] += len(set(got) - set(gold))
    print(f"{'format':<18}{'extractor':<18}{'exact docs':>12}{'gold sentences':>16}{'extra units':>13}")
    for (kind, extractor), (exact, docs, hits, total, extra) in sorted(scores.items()):
        print(f"{kind:<18}{extractor:<18}{f'{exact}/{docs}':>12}{f'{hits}/{total}':>16}{extra:>13}")
    compare_forms(args.readouts)


if __name__ == "__main__":
    main()
