"""The generated names tables (engine/data/names_*.tsv): fresh, complete, and read by the gazetteer as intended."""
from __future__ import annotations

import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path

import pycountry
import pytest

from triglot_server.engine.anchors import Gazetteer

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "server" / "triglot_server" / "engine" / "data"
FILES = ("names_countries.tsv", "names_orgs.tsv", "names_agencies.tsv")


def _build_names():
    spec = importlib.util.spec_from_file_location("build_names", ROOT / "scripts" / "build_names.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_names"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=None)
def gazetteer(name: str) -> Gazetteer:
    return Gazetteer(DATA / name)


def names(text: str, lang: str, table: str = "names_countries.tsv") -> list[tuple[str, str, frozenset[str]]]:
    return [(a.value, a.text, a.keys) for a in gazetteer(table).find(text, lang)]


def keys(text: str, lang: str, table: str = "names_countries.tsv") -> set[str]:
    return {k for _, _, ks in names(text, lang, table) for k in ks}


def test_generated_files_are_fresh():
    texts = _build_names().build()
    stale = [n for n, t in texts.items() if (DATA / n).read_text(encoding="utf-8") != t]
    assert not stale, f"run python scripts/build_names.py: {stale} differ from the script's output"


def test_every_iso_country_and_territory_is_named_in_all_three_languages():
    g = gazetteer("names_countries.tsv")
    countries = [i for i, k in g.kinds.items() if k in ("country", "region") and not i.startswith("ref_")]
    assert len(countries) >= len(pycountry.countries)
    missing = {lang: [i for i in countries if not g.forms[i][lang]] for lang in ("en", "zh", "ar")}
    # Mali keeps only its official Arabic form (جمهورية مالي): the bare مالي is also "financial".
    assert missing == {"en": [], "zh": [], "ar": []}


def test_ids_are_unique_across_the_tables_and_implied_ids_exist():
    ids: list[str] = []
    implied: set[str] = set()
    for name in FILES:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith(("#", "id\t")):
                cols = line.split("\t")
                assert len(cols) == 6, line
                ids.append(cols[0])
                implied |= {i for i in cols[2].split(",") if i}
    assert len(ids) == len(set(ids))
    assert implied <= set(ids)


def test_no_chinese_form_is_a_single_character():
    for name in FILES:
        g = gazetteer(name)
        short = [(i, f) for i, forms in g.forms.items() for f in forms["zh"] if len(f) < 2]
        assert short == [], name


@pytest.mark.parametrize("text, lang", [
    ("Saudi Foreign Minister Faisal bin Farhan", "en"),
    ("the Kingdom of Saudi Arabia", "en"),
    ("王毅会见沙特外交大臣费萨尔", "zh"),
    ("愿做沙方长期可靠和稳定的朋友", "zh"),
    ("中沙全面战略伙伴关系", "zh"),
    ("وزير الخارجية السعودي", "ar"),
    ("أكد الجانب السعودي", "ar"),
    ("وأعربت المملكة عن تقديرها", "ar"),
    ("The Saudi side appreciated", "en"),
    ("the development of China-Saudi Arabia relations", "en"),   # one hyphenated token to the tokeniser
    ("Sino-Saudi ties", "en"),
])
def test_saudi_arabia_is_recognised_however_it_is_referred_to(text, lang):
    assert "#name:saudi_arabia" in keys(text, lang)


@pytest.mark.parametrize("text, lang, entity", [
    ("the Sultanate's position", "en", "oman"),
    ("أكدت السلطنة", "ar", "oman"),
    ("في سلطنة عمان", "ar", "oman"),
    ("Egyptian Foreign Minister", "en", "egypt"),
    ("وزير الخارجية المصري", "ar", "egypt"),
    ("埃方愿同中方", "zh", "egypt"),
    ("الجانب المصري", "ar", "egypt"),
    ("الشعب الجزائري", "ar", "algeria"),
    ("Washington's sanctions", "en", "usa"),
    ("Beijing stands ready", "en", "china"),
    ("莫斯科", "zh", "russia"),
    ("في الرياض", "ar", "saudi_arabia"),
    ("Emirati and Chinese officials", "en", "uae"),
    ("UAE", "en", "uae"),
    ("阿联酋", "zh", "uae"),
    ("دولة الإمارات", "ar", "uae"),
    ("中约建交40多年来", "zh", "jordan"),
    ("Türkiye", "en", "turkey"),
    ("Turkey", "en", "turkey"),
    ("Côte d'Ivoire", "en", "cote_d_ivoire"),
    ("伊中两国友谊源远流长", "zh", "iraq"),
    ("非中团结精神", "zh", "africa"),
    ("阿方高度重视中方的特殊重要作用", "zh", "arab_world"),   # 阿方: the Arab side, or Algeria's, the UAE's ...
    ("the Africa-China solidarity", "en", "africa"),
    ("科特迪瓦", "zh", "cote_d_ivoire"),
    ("ساحل العاج", "ar", "cote_d_ivoire"),
])
def test_countries_through_demonyms_nisbas_capitals_sides_and_pairs(text, lang, entity):
    assert f"#name:{entity}" in keys(text, lang)


@pytest.mark.parametrize("text, lang", [
    ("the country's turkey exports", "en"),        # common nouns: English names must be capitalised
    ("fine china", "en"),
    ("التعاون المالي والاقتصادي", "ar"),          # المالي "financial", not Mali
    ("西方国家", "zh"),                            # 西方 "the West", not the Spanish side
    ("卡方检验", "zh"),                            # 卡方 "chi-square", not the Qatari side
    ("中老年人", "zh"),                            # 中老年 "middle and old age", not China-Laos
    ("打个比方", "zh"),                            # 比方 "analogy", not the Belgian side
    ("埋在土中，落在沙中", "zh"),                    # X中 "in X", not China-Turkey or Saudi-China
])
def test_words_that_look_like_names_are_not_names(text, lang):
    assert names(text, lang) == []


@pytest.mark.parametrize("en, zh, ar, entity", [
    ("the United Nations", "联合国", "الأمم المتحدة", "un"),
    ("the UN Security Council", "联合国安理会", "مجلس الأمن الدولي", "un_security_council"),
    ("the UN General Assembly", "联大", "الجمعية العامة للأمم المتحدة", "un_general_assembly"),
    ("the League of Arab States", "阿盟", "جامعة الدول العربية", "arab_league"),
    ("the GCC", "海合会", "مجلس التعاون الخليجي", "gcc"),
    ("BRICS", "金砖国家", "بريكس", "brics"),
    ("the SCO", "上合组织", "منظمة شانغهاي للتعاون", "sco"),
    ("the Group of 20 (G20)", "二十国集团", "مجموعة العشرين", "g20"),
    ("the WHO", "世卫组织", "منظمة الصحة العالمية", "who"),
    ("the China-Arab States Cooperation Forum", "中阿合作论坛", "منتدى التعاون الصيني العربي", "casc_forum"),
    ("FOCAC", "中非合作论坛", "منتدى التعاون الصيني الأفريقي", "focac"),
    ("the Belt and Road Initiative", "一带一路", "مبادرة الحزام والطريق", "belt_and_road"),
    ("COVID-19", "新冠肺炎疫情", "فيروس كورونا المستجد", "covid19"),
    ("the Political Bureau", "政治局", "المكتب السياسي", "politburo"),
])
def test_international_organisations_in_three_languages(en, zh, ar, entity):
    for text, lang in ((en, "en"), (zh, "zh"), (ar, "ar")):
        assert f"#name:{entity}" in keys(text, lang, "names_orgs.tsv"), (text, lang)


def test_a_bare_office_word_is_not_a_name():
    for text, lang in (("the Bureau", "en"), ("局", "zh"), ("المكتب", "ar")):
        assert names(text, lang, "names_orgs.tsv") == []


def test_news_agencies_are_names_of_their_own_table():
    assert "#name:xinhua" in keys("(Xinhua)", "en", "names_agencies.tsv")
    assert "#name:wam" in keys("/ وام /", "ar", "names_agencies.tsv")
    assert "#name:cns" in keys("中新社北京11月18日电", "zh", "names_agencies.tsv")


def test_the_chinese_ambiguity_guard_explains_what_it_left_out():
    header = (DATA / "names_countries.tsv").read_text(encoding="utf-8").split("\nid\t")[0]
    left_out = re.findall(r"^#\s+(\S+) \((\S+): (.+)\)$", header, re.MULTILINE)
    assert ("西方", "spain_side") in {(f, i) for f, i, _ in left_out}
    assert all(reason for _, _, reason in left_out)
