"""Chinese transliterated names: a gazetteer name or a one-character qualifier read inside a longer foreign name does
not count (engine/transliteration.py), in the gazetteer, the qualifier table and the findings."""
from __future__ import annotations

import pytest

from triglot_server.engine import transliteration
from triglot_server.engine.anchors import find_names
from triglot_server.engine.comparison import FindingKind, Version, compare
from triglot_server.engine.qualifiers import find_qualifiers
from triglot_server.engine.resources import DATA_DIR
from triglot_server.engine.segmentation import sentences_from_lines


def _names(text: str) -> list[str]:
    return [a.value for a in find_names(text, "zh")]


def test_the_character_list_is_fresh() -> None:
    """data/zh_transliteration_chars.txt is what the gazetteer and CC-CEDICT give today."""
    assert (DATA_DIR / transliteration.FILE).read_text(encoding="utf-8") == transliteration.file_text()


def test_the_common_words_come_from_the_disk_cache_as_the_dictionary_gives_them(tmp_path, monkeypatch) -> None:
    """The common words a neighbour is checked against are read out of CC-CEDICT once and then from the disk cache
    (a server's first Compare would otherwise wait ~0.5 s): both give the same words, and a cache file that cannot
    be read is rebuilt."""
    from triglot_server.engine.cedict import entries

    expected = frozenset(e.word for e in entries() if not e.proper and 2 <= len(e.word) <= transliteration.MAX_WORD)
    monkeypatch.setenv("TRIGLOT_CACHE", str(tmp_path))
    built = transliteration._common_words.__wrapped__()
    cached = list(tmp_path.glob("zh_common_words-*.pickle"))
    assert built == expected and len(cached) == 1
    assert transliteration._common_words.__wrapped__() == expected  # from the file
    cached[0].write_bytes(b"not a pickle")
    assert transliteration._common_words.__wrapped__() == expected
    assert "会见" in expected and "萨尔" not in expected  # a common word; a proper noun is not one


@pytest.mark.parametrize("text, absent", [
    ("大卫王对巴西莱说", "brazil"),  # 巴西 "Brazil" inside 巴西莱 Barzillai
    ("基列人巴西莱从罗基琳下来", "brazil"),
])
def test_a_short_name_inside_a_longer_transliteration_is_not_read(text: str, absent: str) -> None:
    assert absent not in _names(text)


@pytest.mark.parametrize("text, present", [
    ("王毅会见巴西外长维埃拉", ["wang_yi", "brazil"]),
    ("卡塔尔埃米尔塔米姆会见王毅", ["qatar"]),  # a name next to a title next to a name
    ("同阿尔及利亚外长拉马拉会谈", ["algeria"]),
    ("美国南部遭受风暴", ["usa"]),  # 南部 "the south" is a word, not more of the name
    ("这城耶路撒冷", ["jerusalem"]),  # a long name is itself, whatever precedes it
    ("阿联酋阿布扎比", ["uae", "abu_dhabi"]),  # two known names side by side
])
def test_names_next_to_other_names_titles_and_words_are_read(text: str, present: list[str]) -> None:
    found = _names(text)
    assert all(p in found for p in present), found


def test_a_negation_inside_a_transliterated_name_is_not_read_and_next_to_one_it_is() -> None:
    assert [h.concept for h in find_qualifiers("提阿非罗大人哪", "zh")] == []
    assert [h.concept for h in find_qualifiers("西罗非哈的女儿", "zh")] == []
    assert "negation" in [h.concept for h in find_qualifiers("萨法迪并非如此认为", "zh")]
    assert "modal_future" in [h.concept for h in find_qualifiers("摩西将耶和华的话告诉百姓", "zh")]


def test_a_name_inside_a_transliteration_is_no_name_mismatch() -> None:
    zh = ["大卫王对巴西莱说，你同我过去。", "巴西莱对王说，我还能活几年呢？"]
    en = ["King David said to Barzillai, come over with me.", "Barzillai said to the king, how many years have I?"]
    result = compare([Version(n, n, sentences_from_lines(lines)) for n, lines in (("zh", zh), ("en", en))])
    assert [f.evidence for f in result.findings if f.kind == FindingKind.NAME_MISMATCH] == []
