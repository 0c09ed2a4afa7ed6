"""Comparison of several versions (engine.comparison): rows side by side and the findings where versions diverge."""
from __future__ import annotations

from pathlib import Path

import pytest

from triglot_server.engine import comparison
from triglot_server.engine.comparison import Version, compare
from triglot_server.engine.segmentation import sentences_from_lines
from triglot_server.engine.types import Alignment, Bead, InvalidInput

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "2020-03-09-china-iraq"
LANGS = ("zh", "en", "ar")


def _lines(language: str) -> list[str]:
    return (SAMPLE / f"{language}.sents").read_text(encoding="utf-8").splitlines()


def _gold(name: str) -> list[Bead]:
    beads = []
    for line in (SAMPLE / f"{name}.align").read_text().splitlines():
        src, tgt = line.split(":")
        beads.append(Bead(tuple(int(x) for x in src.strip("[]").split(",") if x),
                          tuple(int(x) for x in tgt.strip("[]").split(",") if x), 0.9))
    return beads


def _sample_versions() -> list[Version]:
    return [Version(lang, lang, sentences_from_lines(_lines(lang))) for lang in LANGS]


def _gold_aligner(source, target, source_language, target_language, **_):
    """The sample's gold beads, to test the detectors apart from the aligner."""
    return Alignment(_gold(f"{source_language}-{target_language}"), "gold")


def _fixed(beads: dict[tuple[str, str], list[tuple[tuple[int, ...], tuple[int, ...], float]]]):
    """An aligner returning given beads per language pair (for row-joining cases the real aligner would not meet)."""
    def aligner(source, target, source_language, target_language, **_):
        return Alignment([Bead(s, t, c) for s, t, c in beads[(source_language, target_language)]], "fixed")
    return aligner


def _components() -> list[set[tuple[str, int]]]:
    """Rows implied by the three gold files: sentences linked by any gold bead are in one row."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for lang in LANGS:
        for i in range(len(_lines(lang))):
            find((lang, i))
    for a, b in (("zh", "en"), ("zh", "ar"), ("en", "ar")):
        for bead in _gold(f"{a}-{b}"):
            members = [(a, i) for i in bead.source_ids] + [(b, j) for j in bead.target_ids]
            for m in members[1:]:
                parent[find(m)] = find(members[0])
    groups: dict = {}
    for x in list(parent):
        groups.setdefault(find(x), set()).add(x)
    return list(groups.values())


def _row_sets(result: comparison.Comparison) -> list[set[tuple[str, int]]]:
    return [{(v.name, i) for v, cell in zip(result.versions, row.cells) for i in cell.sentence_ids}
            for row in result.rows]


def _cited(result: comparison.Comparison, finding: comparison.Finding) -> list[tuple[comparison.FindingRef, str]]:
    """Each ref of a finding with the text it cites (offsets are into the version's text: sentences joined by \\n)."""
    texts = {v.name: "\n".join(s.text for s in v.sentences) for v in result.versions}
    return [(r, texts[r.version][r.start:r.end]) for r in finding.refs]


def _described(result: comparison.Comparison) -> list[tuple]:
    """Findings as (row, kind, severity, [(version, sentence, cited text)]) for exact comparison."""
    return [(f.row, f.kind, f.severity, [(r.version, r.sentence, text) for r, text in _cited(result, f)])
            for f in result.findings]


SAMPLE_FINDINGS = [
    (7, "omission", "high", [("zh", 7, _lines("zh")[7]), ("en", 8, _lines("en")[8])]),
    (15, "content_difference", "high", [("zh", 17, "战略"), ("en", 17, _lines("en")[17]),
                                          ("ar", 15, "الاستراتيجية")]),
    (17, "addition", "high", [("ar", 17, _lines("ar")[17])]),
]


@pytest.fixture(scope="module")
def sample() -> comparison.Comparison:
    return compare(_sample_versions())


def test_sample_alignments_to_the_pivot_are_the_gold_ones(sample: comparison.Comparison) -> None:
    assert sample.pivot == "zh"
    for lang in ("en", "ar"):
        got = [(b.source_ids, b.target_ids) for b in sample.alignments[lang].beads]
        assert got == [(b.source_ids, b.target_ids) for b in _gold(f"zh-{lang}")], lang


def test_sample_rows_reproduce_all_three_gold_alignments(sample: comparison.Comparison) -> None:
    rows = _row_sets(sample)
    assert sorted(map(sorted, rows)) == sorted(map(sorted, _components()))  # en-ar included, though never aligned
    # Every version reads top to bottom in document order, each sentence exactly once.
    for v, version in enumerate(sample.versions):
        ids = [i for row in sample.rows for i in row.cells[v].sentence_ids]
        assert ids == list(range(len(version.sentences)))
    assert [r.index for r in sample.rows] == list(range(len(sample.rows)))


def test_sample_findings_are_exactly_the_built_in_divergences(sample: comparison.Comparison) -> None:
    assert _described(sample) == SAMPLE_FINDINGS
    strategic = sample.findings[1].evidence
    assert "战略" in strategic and "الاستراتيجية" in strategic and "en 17" in strategic
    assert "ar" in sample.findings[0].evidence and "zh" in sample.findings[2].evidence


def test_sample_detectors_on_gold_alignments_find_exactly_the_same() -> None:
    result = compare(_sample_versions(), aligner=_gold_aligner)
    rows = _row_sets(result)
    assert sorted(map(sorted, rows)) == sorted(map(sorted, _components()))
    # Row numbers as in the gold join: zh 15-16 with en 16 is row 14, the "strategic" row 15.
    assert [(f.row, f.kind) for f in result.findings] == [(7, "omission"), (15, "content_difference"),
                                                          (17, "addition")]
    assert [(r.version, r.sentence) for r in result.findings[1].refs] == [("zh", 17), ("en", 17), ("ar", 15)]


@pytest.mark.parametrize("pivot", ["en", "ar"])
def test_every_pivot_choice_gives_the_same_divergences_on_the_sample(pivot: str) -> None:
    result = compare(_sample_versions(), pivot_language=pivot, aligner=_gold_aligner_any)
    assert result.pivot == pivot
    found = sorted((f.kind, sorted((r.version, r.sentence) for r in f.refs)) for f in result.findings)
    assert found == [("addition", [("ar", 17)]),
                     ("content_difference", [("ar", 15), ("en", 17), ("zh", 17)]),
                     ("omission", [("en", 8), ("zh", 7)])]


def _gold_aligner_any(source, target, source_language, target_language, **kwargs):
    """Gold beads for whole documents in either direction; the real aligner for runs of added sentences."""
    if len(source) != len(_lines(source_language)) or len(target) != len(_lines(target_language)):
        return comparison.alignment_module.align(source, target, source_language, target_language, **kwargs)
    name = f"{source_language}-{target_language}"
    if (SAMPLE / f"{name}.align").exists():
        return Alignment(_gold(name), "gold")
    flipped = [Bead(b.target_ids, b.source_ids, b.score) for b in _gold(f"{target_language}-{source_language}")]
    return Alignment(flipped, "gold")


# ---------------------------------------------------------------- numbers, dates, names

def _versions(**texts: list[str]) -> list[Version]:
    return [Version(lang, lang, sentences_from_lines(lines)) for lang, lines in texts.items()]


def test_a_different_amount_is_a_number_mismatch_citing_both_spans() -> None:
    result = compare(_versions(zh=["中方向伊拉克提供1075亿美元贷款。"],
                               en=["China provided Iraq with loans of 106.5 billion dollars."],
                               ar=["قدمت الصين للعراق قروضاً بقيمة 107.5 مليار دولار."]))
    numbers = [f for f in result.findings if f.kind == "number_mismatch"]
    assert len(numbers) == 1 and numbers[0].severity == "high"
    assert [(r.version, text) for r, text in _cited(result, numbers[0])] == [
        ("zh", "1075亿"), ("en", "106.5 billion"), ("ar", "107.5 مليار")]
    assert "107500000000" in numbers[0].evidence and "106500000000" in numbers[0].evidence


def test_equal_values_in_other_scripts_and_units_are_not_findings() -> None:
    result = compare(_versions(zh=["2020年3月9日，中方向伊拉克提供1075亿美元贷款，为期35年。"],
                               en=["On 9 March 2020, China provided Iraq with loans of 107.5 billion dollars "
                                   "over thirty-five years."],
                               ar=["في ٩ آذار/مارس ٢٠٢٠، قدمت الصين للعراق قروضاً بقيمة ١٠٧٫٥ مليار دولار على "
                                   "مدى ٣٥ عاماً."]))
    assert [f.kind for f in result.findings if f.kind == "number_mismatch"] == []


def test_another_day_is_a_mismatch_and_a_number_said_by_one_side_only_counts_when_in_digits() -> None:
    result = compare(_versions(zh=["3月9日，王毅同哈基姆通电话。", "双方同意加强合作。"],
                               en=["On 19 March, Wang Yi spoke with Alhakim by phone.",
                                   "The two sides agreed to strengthen cooperation in 5 areas."]))
    found = {(f.row, f.kind): f for f in result.findings}
    date = found[(0, "number_mismatch")]
    assert date.severity == "high" and "--03-09" in date.evidence and "--03-19" in date.evidence
    one_sided = found[(1, "number_mismatch")]
    assert one_sided.severity == "medium" and "“5”" in one_sided.evidence
    assert [(r.version, r.sentence) for r in one_sided.refs] == [("en", 1)]  # "two" (两/双) is never a finding


def test_another_country_is_a_name_mismatch_and_a_pronoun_is_not() -> None:
    result = compare(_versions(zh=["王毅会见伊拉克外长哈基姆。", "王毅表示，中方支持伊拉克。"],
                               en=["Wang Yi met Iraqi Foreign Minister Alhakim.", "He said that China supports Iran."]))
    names = [f for f in result.findings if f.kind == "name_mismatch"]
    assert len(names) == 1 and names[0].row == 1
    assert [(r.version, r.sentence, text) for r, text in _cited(result, names[0])] == [("zh", 1, "伊拉克"),
                                                                                    ("en", 1, "Iran")]
    # 王毅 in zh 1 has "He" in en 1: Wang Yi was named in the row before, so that is no finding.
    assert "王毅" not in names[0].evidence


def test_a_name_one_version_never_mentions_nearby_is_a_name_mismatch() -> None:
    result = compare(_versions(zh=["中方支持伊拉克和叙利亚的主权。"], en=["China supports the sovereignty of Iraq."]))
    names = [f for f in result.findings if f.kind == "name_mismatch"]
    assert len(names) == 1
    assert [(r.version, text) for r, text in _cited(result, names[0])] == [("zh", "叙利亚")]


# ---------------------------------------------------------------- rows from beads

def test_sentences_two_versions_add_at_the_same_place_share_a_row() -> None:
    versions = _versions(zh=["王毅表示，中方支持伊拉克。", "双方同意加强合作。"],
                         en=["Wang said China supports Iraq.", "He thanked Iraq for its help.",
                             "Both sides agreed to strengthen cooperation."],
                         ar=["قال وانغ إن الصين تدعم العراق.", "وشكر العراق على مساعدته.",
                             "واتفق الجانبان على تعزيز التعاون."])
    aligner = _fixed({("zh", "en"): [((0,), (0,), 0.9), ((), (1,), 0.8), ((1,), (2,), 0.9)],
                      ("zh", "ar"): [((0,), (0,), 0.9), ((), (1,), 0.7), ((1,), (2,), 0.9)],
                      ("en", "ar"): [((0,), (0,), 0.9)]})
    result = compare(versions, aligner=aligner)
    assert [[c.sentence_ids for c in r.cells] for r in result.rows] == [
        [(0,), (0,), (0,)], [(), (1,), (1,)], [(1,), (2,), (2,)]]
    # Two of three versions say it: the pivot omits it (omission/addition go by majority, not by the pivot).
    assert [(f.row, f.kind, [(r.version, r.sentence) for r in f.refs], f.evidence) for f in result.findings] == [
        (1, "omission", [("en", 1), ("ar", 1)], "en 1 / ar 1 has no counterpart in zh")]


def test_a_merge_in_one_version_joins_rows_and_keeps_an_inner_addition_in_order() -> None:
    versions = _versions(zh=["第一句。", "第二句。", "第三句。"], en=["One.", "Extra.", "Two.", "Three."],
                         ar=["واحد واثنان.", "ثلاثة."])
    aligner = _fixed({("zh", "en"): [((0,), (0,), 0.9), ((), (1,), 0.8), ((1,), (2,), 0.9), ((2,), (3,), 0.9)],
                      ("zh", "ar"): [((0, 1), (0,), 0.9), ((2,), (1,), 0.9)]})
    result = compare(versions, aligner=aligner)
    assert [[c.sentence_ids for c in r.cells] for r in result.rows] == [[(0, 1), (0, 1, 2), (0,)],
                                                                        [(2,), (3,), (1,)]]
    assert [(f.row, f.kind, [(r.version, r.sentence) for r in f.refs]) for f in result.findings] == [
        (0, "addition", [("en", 1)])]  # the 2-1 merge itself is no finding


def test_a_sentence_only_the_pivot_has_is_one_addition_and_an_unsure_bead_is_low_confidence() -> None:
    versions = _versions(zh=["第一句。", "第二句。", "第三句。"], en=["One.", "Three."], ar=["واحد.", "ثلاثة."])
    aligner = _fixed({("zh", "en"): [((0,), (0,), 0.9), ((1,), (), 0.25), ((2,), (1,), 0.9)],
                      ("zh", "ar"): [((0,), (0,), 0.2), ((1,), (), 0.8), ((2,), (1,), 0.9)]})
    result = compare(versions, aligner=aligner)
    assert [(f.row, f.kind, f.severity, [(r.version, r.sentence) for r in f.refs]) for f in result.findings] == [
        (0, "low_confidence", "low", [("zh", 0), ("ar", 0)]),
        (1, "addition", "medium", [("zh", 1)]),
    ]
    assert result.findings[1].evidence == "zh 1 has no counterpart in en, ar (aligner confidence 0.25)"
    assert result.rows[1].cells[1].score == pytest.approx(0.25)  # an empty cell carries its omission's confidence


# ---------------------------------------------------------------- glosses, progress, input errors

class _Glossed:
    def __init__(self, translations: list[str], signature: str) -> None:
        self.translations, self.signature = translations, signature


def test_glosses_are_batched_per_version_kept_as_machine_output_and_confirm_a_dropped_word() -> None:
    calls = []

    def gloss(sentences: list[str], source: str, target: str) -> _Glossed:
        calls.append((len(sentences), source, target))
        table = {"中方无私地向伊拉克提供了援助。": "China selflessly provided aid to Iraq.",
                 "中方支持伊拉克。": "China supports Iraq."}
        return _Glossed([table[s] for s in sentences], f"test-mt|{source}->{target}")

    # "selfless" is no tracked qualifier: only the gloss can confirm that the English version drops it.
    versions = _versions(zh=["中方支持伊拉克。", "中方无私地向伊拉克提供了援助。"],
                         en=["China supports Iraq.", "China provided aid to Iraq."])
    result = compare(versions, gloss=gloss, gloss_language="en")
    assert calls == [(2, "zh", "en")]  # one batch, and none for the English version
    zh = result.versions[0]
    assert zh.glosses[0] == "China supports Iraq." and zh.gloss_signature == "test-mt|zh->en"
    assert result.versions[1].glosses == [] and result.signature.endswith("|gloss=en")
    content = [f for f in result.findings if f.kind == "content_difference"]
    assert len(content) == 1
    assert [(r.version, r.sentence) for r in content[0].refs] == [("zh", 1), ("en", 1)]
    assert _cited(result, content[0])[0][1] == "无私"
    # Without the gloss there is no second witness for two versions: nothing is claimed.
    assert [f for f in compare(versions).findings if f.kind == "content_difference"] == []


def test_a_version_without_a_model_for_its_pair_simply_has_no_glosses() -> None:
    def gloss(sentences: list[str], source: str, target: str) -> _Glossed | None:
        return None if source == "ar" else _Glossed([f"<{s}>" for s in sentences], f"mt|{source}->{target}")

    result = compare(_versions(zh=["一。"] * 70, ar=["واحد."] * 70, en=["One."] * 70), gloss=gloss)
    zh, ar, en = result.versions
    assert len(zh.glosses) == 70 and zh.glosses[69] == "<一。>" and zh.gloss_signature == "mt|zh->en"
    assert ar.glosses == [] and ar.gloss_signature == "" and en.glosses == []


def test_a_gloss_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(InvalidInput, match="gloss of zh has 1 items for 2 sentences"):
        compare(_versions(zh=["第一句。", "第二句。"], en=["One.", "Two."]),
                gloss=lambda s, a, b: _Glossed(["x"], "sig"))


def test_progress_reports_each_stage_to_its_end() -> None:
    events = []
    compare(_sample_versions(), aligner=_gold_aligner, progress=lambda *e: events.append(e))
    assert events[0] == ("align", 0, 2) and ("align", 2, 2) in events
    assert events[-1] == ("findings", 18, 18)
    assert all(0 <= done <= total for _, done, total in events)


@pytest.mark.parametrize("versions, pivot, message", [
    (lambda: _versions(zh=["一。"]), None, "at least 2 versions, got 1"),
    (lambda: [Version("a", "en", sentences_from_lines(["One."])), Version("a", "zh", sentences_from_lines(["一。"]))],
     None, "two versions are named 'a'"),
    (lambda: _versions(zh=["一。"], en=["One."]), "ar", "pivot language 'ar' is not the language of any version"),
    (lambda: [Version("x", "fr", sentences_from_lines(["Un."])), Version("y", "en", sentences_from_lines(["One."]))],
     None, "fr"),
])
def test_bad_input_is_refused_with_a_clear_message(versions, pivot, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        compare(versions(), pivot_language=pivot)


def test_default_pivot_is_chinese_else_the_first() -> None:
    assert comparison.choose_pivot(_versions(en=["One."], ar=["واحد."], zh=["一。"])) == 2
    assert comparison.choose_pivot(_versions(en=["One."], ar=["واحد."])) == 0
    assert comparison.choose_pivot(_versions(en=["One."], ar=["واحد."]), "AR") == 1


def _variant(edits: dict[tuple[str, int], tuple[str, str]]) -> list[Version]:
    lines = {lang: _lines(lang) for lang in LANGS}
    for (lang, i), (old, new) in edits.items():
        assert old in lines[lang][i]
        lines[lang][i] = lines[lang][i].replace(old, new)
    return [Version(lang, lang, sentences_from_lines(lines[lang])) for lang in LANGS]


def test_the_qualifier_is_found_whichever_version_lacks_it() -> None:
    # "strategic" in en and ar, not in zh: the same detector, from the other side.
    versions = _variant({("zh", 17): ("全面战略伙伴关系", "全面伙伴关系"),
                         ("en", 17): ("comprehensive partnership", "comprehensive strategic partnership")})
    result = compare(versions, aligner=_gold_aligner)
    assert _described(result)[1] == (15, "content_difference", "high", [
        ("zh", 17, _lines("zh")[17].replace("全面战略伙伴关系", "全面伙伴关系")), ("en", 17, "strategic"),
        ("ar", 15, "الاستراتيجية")])
    assert result.findings[1].evidence.endswith("(strategic) has no counterpart in zh 17")


def test_a_changed_date_is_the_only_new_finding() -> None:
    result = compare(_variant({("zh", 0): ("3月9日", "3月19日")}), aligner=_gold_aligner)
    assert [(f.row, f.kind) for f in result.findings] == [(0, "number_mismatch"), (7, "omission"),
                                                          (15, "content_difference"), (17, "addition")]
    assert [(r.version, t) for r, t in _cited(result, result.findings[0])] == [
        ("zh", "3月19日"), ("en", "9 March"), ("ar", "٩ آذار/مارس")]
