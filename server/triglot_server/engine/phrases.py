"""Phrase tables: concepts written in English, Chinese and Arabic, and the matcher that finds them in a sentence.

The qualifier table (qualifiers.py: comprehensive, 应约, negation) and the formula table (formulae.py: held a video
call, 交换了意见, تبادل وجهات النظر) share this matcher. A table's forms are "regex-lite":

- en: words matched case-insensitively as whole words; "x*" any word starting with x, "*x" ending with x; "…" a gap
  of 0-3 words.
- zh: characters matched anywhere; "…" a gap of 1-12 characters without punctuation. A one-character form (不, 将,
  应) does not count inside a CC-CEDICT word whose glosses do not carry the concept (不断 "unceasing", 会见 "to
  meet"), unless it is also inside one that does (从不 "never" in 从不干涉): data/phrase_zh_words.tsv, generated
  by scripts/build_phrases.py.
- ar: words matched after folding (أ إ آ -> ا, ة -> ه, ى -> ي, no diacritics), with the clitics و ف ب ل ك and the
  article ال (لل) before them and, for words of 3+ letters, the inflections ة ان ين ون ات (nouns), ت ا وا (past
  verbs: أكدت, أكدا) and ة -> ت + pronoun after them (شامل: الشاملة, الشاملين; سيادة: سيادتها; present tenses and
  participles are listed as forms of their own: يؤكد, مؤكدا); "=x" that word exactly (with و ف only); "…" a gap of 0-10 words;
  "/future/" the future prefix سـ on an imperfect verb of the Buckwalter lexicon (سيواصل, not سياسة).
- "!x" among a language's forms: a hit inside a match of x does not count (not only, 不仅).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from triglot_server.engine.anchors import fold_arabic
from triglot_server.engine.languages import normalize_language

DATA_DIR = Path(__file__).with_name("data")
LANGS = ("en", "zh", "ar")


@dataclass(frozen=True)
class Phrase:
    """A concept and its forms per language, as written in a table (exclusions start with "!")."""

    concept: str
    forms: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class PhraseHit:
    """A concept found in a sentence; text[start:end] is what was read."""

    concept: str
    start: int
    end: int
    text: str


def split_forms(column: str) -> list[str]:
    """A column's "|"-separated forms."""
    return [f for f in column.split("|") if f]


def read_table(path: Path, columns: int) -> list[list[str]]:
    """The rows of a tab-separated table (comments and the header row skipped), each with `columns` columns."""
    rows = []
    seen: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("#", "concept\t")):
            continue
        cols = line.split("\t")
        if len(cols) != columns:
            raise ValueError(f"{path}: expected {columns} tab-separated columns, got {len(cols)}: {line!r}")
        if cols[0] in seen:
            raise ValueError(f"{path}: concept {cols[0]!r} is defined twice")
        seen.add(cols[0])
        rows.append(cols)
    return rows


# ---------------------------------------------------------------------------------------------------------------
# One matcher per form and language

Span = tuple[int, int]

_ZH_GAP = r"[^，。；：！？、,.;:!?\s]{1,12}?"


class EnglishForm:
    """Whole words, case-insensitive; "x*" any word starting with x, "*x" ending with x; "…" a gap of 0-3 words."""

    def __init__(self, form: str) -> None:
        pattern = ""
        # A piece every match contains (lower case): a substring test skips the regex on most sentences.
        self.literal = max((w.strip("*") for w in form.lower().replace("’", "'").split() if w != "…"), key=len,
                           default="")
        for word in form.lower().replace("’", "'").split():
            if word == "…":
                pattern += r"(?:\s+[\w'\-]+){0,3}?"
                continue
            core = re.escape(word.strip("*"))
            core = (r"[\w'\-]*" if word.startswith("*") else "") + core + (r"[\w'\-]*" if word.endswith("*") else "")
            pattern += (r"\s+" if pattern else "") + core
        self.regex = re.compile(r"(?<![\w'\-])" + pattern + r"(?![\w'\-])", re.IGNORECASE)

    def spans(self, text: str) -> list[Span]:
        return [m.span() for m in self.regex.finditer(text.replace("’", "'"))]


class _ChineseForm:
    """A substring; "…" a gap of 1-12 characters without punctuation."""

    def __init__(self, form: str) -> None:
        self.form = form
        self.literal = max(form.split("…"), key=len)
        self.regex = re.compile(_ZH_GAP.join(map(re.escape, form.split("…"))))

    def spans(self, text: str) -> list[Span]:
        return [m.span() for m in self.regex.finditer(text)]


_AR_TOKEN = re.compile(r"[\u0621-\u065F\u0670-\u06D3]+")
_AR_PRONOUNS = ("ها", "هم", "هما", "هن", "نا", "كم", "ه")
_AR_ENDINGS = ("ه", "ان", "ين", "ون", "ات", "يه", "يين", "يون", "ت", "ا", "تا", "وا")  # nouns; past verbs (أكدت, أكدا)


def _ar_bases(token: str) -> set[str]:
    """A folded Arabic word without its proclitics: و/ف, then ب/ل/ك, then the article ال (لل = ل + ال)."""
    out = {token}
    for w in list(out):
        if len(w) > 2 and w[0] in "وف":
            out.add(w[1:])
    for w in list(out):
        if len(w) > 3 and w[0] in "بلك":
            out.add(w[1:])
        if len(w) > 3 and w.startswith("لل"):
            out.add(w[2:])
    for w in list(out):
        if len(w) > 3 and w.startswith("ال"):
            out.add(w[2:])
    return out


def _ar_inflections(base: str) -> set[str]:
    """A folded, article-less word with its inflections: شامل -> شامله, شاملين ...; سياده -> سيادتها ..."""
    out = {base}
    if len(base) < 3:
        return out
    out |= {base + e for e in _AR_ENDINGS}
    stem = base[:-1] + "ت" if base.endswith("ه") else base
    out |= {stem + p for p in _AR_PRONOUNS}
    if base.endswith("ي"):  # nisba adjectives: استراتيجي -> استراتيجيه, استراتيجيات
        out |= {base + "ه", base + "ات"}
    return out


def _strip_article(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


_AR_FUTURE_PERSONS = "يتن"  # سيـ he/they, ستـ she/you, سنـ we (not سأ "I": سا is also the start of ساعد "helped")
_AR_VERB_ENDINGS = ("", "ون", "ان", "ين", "وا", "ن", "ا", "ه", "ها", "هم", "هما", "نا", "ك", "كم")


_AR_NOUN_ENDINGS = ("", "ه", "ات", "ي", "يه", "يات", "ين", "ون", "ان", "يين", "يون", "ها", "هم", "نا", "ت")


@lru_cache(maxsize=2)
def _word_list(name: str) -> frozenset[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


def is_arabic_future(token: str) -> bool:
    """Is a folded Arabic word the future prefix سـ on an imperfect verb (سيواصل, وستعمل, سنعززها)?

    Not when the word reads as a noun or past verb of the lexicon that merely starts the same way (سياسي
    "political", سنوات "years", سيطر "controlled": data/ar_future_lookalikes.txt)."""
    w = token[1:] if token[:1] in ("و", "ف") else token
    if len(w) < 4 or w[0] != "س" or w[1] not in _AR_FUTURE_PERSONS:
        return False
    lookalikes = _word_list("ar_future_lookalikes.txt")
    if any(w.endswith(e) and w[:len(w) - len(e)] in lookalikes for e in _AR_NOUN_ENDINGS):
        return False
    rest = w[2:]
    stems = _word_list("ar_imperfect_stems.txt")
    return any(rest.endswith(e) and len(rest) - len(e) >= 2 and rest[:len(rest) - len(e)] in stems
               for e in _AR_VERB_ENDINGS)


class _ArabicForm:
    """Words matched after folding, with clitics and inflections; "=x" exact words; "…" a gap of 0-10 words;
    "/future/" the future prefix on an imperfect verb."""

    GAP = 10
    literal = ""  # clitics and inflections: no fixed piece to test first

    def __init__(self, form: str) -> None:
        self.future = form == "/future/"
        self.words: list[set[str] | None] = []  # None: a gap
        self.exact = form.startswith("=")
        for w in fold_arabic(form.lstrip("=")).split() if not self.future else ():
            self.words.append(None if w == "…" else {w} if self.exact else _ar_inflections(_strip_article(w)))

    def _word_matches(self, forms: set[str], token: str) -> bool:
        if self.exact:
            return token in forms or (token[:1] in ("و", "ف") and token[1:] in forms)
        return not forms.isdisjoint(_ar_bases(token))

    def _match_from(self, tokens: list[tuple[int, int, str]], i: int, k: int) -> int | None:
        """Index of the last token of a match of words[k:] starting at token i, or None."""
        if k == len(self.words):
            return i - 1
        if self.words[k] is None:
            for skip in range(self.GAP + 1):
                end = self._match_from(tokens, i + skip, k + 1)
                if end is not None:
                    return end
            return None
        if i < len(tokens) and self._word_matches(self.words[k], tokens[i][2]):
            return self._match_from(tokens, i + 1, k + 1)
        return None

    def spans(self, text: str, tokens: list[tuple[int, int, str]]) -> list[Span]:
        if self.future:
            return [(s, e) for s, e, t in tokens if is_arabic_future(t)]
        out = []
        for i in range(len(tokens)):
            end = self._match_from(tokens, i, 0)
            if end is not None and end >= i:
                out.append((tokens[i][0], tokens[end][1]))
        return out




@dataclass
class _Compiled:
    concept: str
    forms: list
    exclusions: list
    single_chars: frozenset[str]  # zh: one-character forms, checked against CC-CEDICT words


class PhraseMatcher:
    """Finds the concepts of a phrase table in sentences; each language's forms are compiled on first use."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = phrases
        self._compiled: dict[str, list[_Compiled]] = {}

    def _for(self, lang: str) -> list[_Compiled]:
        compiled = self._compiled.get(lang)
        if compiled is None:
            make = {"en": EnglishForm, "zh": _ChineseForm, "ar": _ArabicForm}[lang]
            compiled = []
            for p in self.phrases:
                forms = [f for f in p.forms[lang] if not f.startswith("!")]
                excl = [f[1:] for f in p.forms[lang] if f.startswith("!")]
                compiled.append(_Compiled(p.concept, [make(f) for f in forms], [make(f) for f in excl],
                                          frozenset(f for f in forms if lang == "zh" and len(f) == 1)))
            self._compiled[lang] = compiled
        return compiled

    def find(self, text: str, language: str) -> list[PhraseHit]:
        """Every concept in `text`, sorted by start. Hits of one concept never overlap (the longest is kept); hits
        of different concepts may."""
        lang = normalize_language(language)
        tokens = [(m.start(), m.end(), fold_arabic(m.group())) for m in _AR_TOKEN.finditer(text)] \
            if lang == "ar" else []

        low = text.lower().replace("’", "'") if lang == "en" else text

        def spans_of(form) -> list[Span]:
            if form.literal not in low:
                return []  # the form's fixed piece is not in the text: no regex to run
            return form.spans(text, tokens) if lang == "ar" else form.spans(text)

        hits: list[PhraseHit] = []
        for c in self._for(lang):
            spans = [(s, e) for f in c.forms for s, e in spans_of(f)
                     if not (lang == "zh" and e - s == 1 and text[s] in c.single_chars
                             and _inside_other_word(text, s, c.concept))]
            if not spans:
                continue
            blocked = [sp for f in c.exclusions for sp in spans_of(f)]
            spans = [(s, e) for s, e in spans if not any(bs <= s and e <= be for bs, be in blocked)]
            hits += [PhraseHit(c.concept, s, e, text[s:e]) for s, e in _longest_first(spans)]
        return sorted(hits, key=lambda h: (h.start, -h.end, h.concept))


def _longest_first(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for s, e in sorted(set(spans), key=lambda sp: (-(sp[1] - sp[0]), sp[0])):
        if not any(s < ke and ks < e for ks, ke in kept):
            kept.append((s, e))
    return kept


@lru_cache(maxsize=1)
def _zh_words() -> dict[tuple[str, str], list[tuple[str, int, bool]]]:
    """(concept, character) -> CC-CEDICT words that contain it: (word, offset of the character, carries concept)."""
    out: dict[tuple[str, str], list[tuple[str, int, bool]]] = {}
    path = DATA_DIR / "phrase_zh_words.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "concept\t")):
            concept, char, word, carries = line.split("\t")
            for k, c in enumerate(word):
                if c == char:
                    out.setdefault((concept, char), []).append((word, k, carries == "yes"))
    return out


def _inside_other_word(text: str, start: int, concept: str) -> bool:
    """Is the one-character hit at text[start] part of a word that does not carry the concept (不 in 不断), and of
    none that does (从不 "never" in 从不干涉)?"""
    inside_other = False
    for word, k, carries in _zh_words().get((concept, text[start]), ()):
        if start - k >= 0 and text.startswith(word, start - k):
            if carries:
                return False
            inside_other = True
    return inside_other


