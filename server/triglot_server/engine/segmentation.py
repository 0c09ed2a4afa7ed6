"""Sentence segmentation for en/zh/ar that keeps code-point offsets into the original text.

A small rule-based splitter, chosen over pysbd after measuring both (bench/segmentation_bench.py): pysbd splits Arabic
at every comma "،" and colon, and is much slower. The rules, in order:

1. Paragraphs end at a blank line (or U+2029, a form feed, \\x1c-\\x1e): a sentence never spans two. Inside a
   paragraph a line break is re-joined (read as a space, so text hard-wrapped at 70 columns or extracted from a PDF
   splits as if unwrapped) unless the break is deliberate: the next line starts a list item ("- ", "• ", "2. ",
   "(a) "), or the line is short — its next word would have fitted on it, measured against the paragraph's longest
   line in display columns (a Chinese character counts two), as in a heading, an address or a list. A sentence keeps
   its original text, line breaks included; `normal_form` gives the re-joined text the engine analyses.
2. Inside a line, a boundary follows a run of terminal punctuation plus any closing quotes/brackets after it (`."`,
   `。」`, `».`, `?)`). Chinese 。！？ (and, in Chinese text, ；…) end a sentence wherever they stand. The ambiguous
   . ! ? … ؟ (and Arabic ؛) end one only before whitespace (or directly before a Chinese character), and not when the
   next word starts with a lowercase letter after a period or after a quoted question ("e.g. the", '"Why?" he
   asked').
3. A single period is not a boundary after an initial ("Mohamad A. Alhakim"), a title ("Mr.", "Dr.", Arabic "د."),
   "No."/"p."/"Art." before a number, a list number at the start of a sentence ("1. Introduction"), or an
   abbreviation such as "U.S."/"etc."/"a.m." unless the next word is a typical sentence opener ("The", "He", …).
   Decimals ("3.5") and dotted names ("example.com") never qualify, having no whitespace after the period.
4. A sentence longer than `max_chars` (MAX_SENTENCE_CHARS by default) is cut into pieces of at most that length, at
   the last whitespace in the second half of the window, else after a comma-like mark, else at the limit (never
   inside a combining sequence). No character other than surrounding whitespace is ever dropped.

Every step looks a bounded distance back and scans forward once, so the cost is linear in the text's length.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, repeat
from operator import add
from typing import overload

from triglot_server.engine.languages import analysis_language, normalize_language
from triglot_server.engine.text import HAN_CHARS
from triglot_server.engine.types import InvalidInput, Sentence

MAX_SENTENCE_CHARS = 1000
"""Default longest sentence (code points). Longer runs without a boundary are cut, so that a 200,000-character text
without punctuation becomes pieces a translation model can take instead of one that it would truncate."""

# Characters stripped from both ends of a sentence: whitespace plus invisible spacers (ZWSP, word joiner, BOM).
_STRIP = "".join(chr(cp) for cp in range(0x3001) if chr(cp).isspace()) + "\u200b\u2060\ufeff\u180e"
# One line boundary of str.splitlines() (\r\n counts once).
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Line boundaries that always end a paragraph: paragraph separator, form feed (a page), file/group/record separators.
_PARAGRAPH_BREAKS = frozenset("\x0c\x1c\x1d\x1e\u2029")
# A line starting with one of these starts a unit of its own: a bullet, or an enumerator such as "2." "(a)" "iv)".
# A letter or roman numeral counts only in parentheses: "A. Alhakim" and "H.H. Sheikh" are names, not items.
_LIST_ITEM = re.compile(r"[\-\u2010-\u2015•·▪‣◦●○■□*＊・]\s|\(?[0-9]{1,3}[.)）]\s|\(?(?:[A-Za-z]|[ivxIVX]{1,4})\)\s"
                        r"|[（(][一二三四五六七八九十0-9]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|[0-9]{1,3}、")
WRAP_FIT = 0.85
"""A line break is deliberate when the line plus the next line's first word take at most this share of the
paragraph's longest line: a wrapping program would have put that word on the line (proportional fonts in PDFs make
lines of one paragraph differ by up to ~15 % in characters)."""
MIN_WRAP_COLUMNS = 30
"""A paragraph whose longest line is narrower than this (display columns) is not wrapped text: each line stands alone."""

_STRONG_COMMON = "。！？｡"  # full-width stops: unambiguous in any language
_STRONG = {"en": _STRONG_COMMON, "zh": _STRONG_COMMON + "；…", "ar": _STRONG_COMMON}
_WEAK_COMMON = ".!?…‽⁇⁈⁉؟"
_WEAK = {"en": _WEAK_COMMON, "zh": _WEAK_COMMON, "ar": _WEAK_COMMON + "؛"}
# What may follow the terminal punctuation and still belong to the sentence: closing quotes and brackets, and
# invisible characters (bidi marks and controls, zero-width joiners, variation selectors, combining marks).
_CLOSERS = "\"'”’»›」』）)]】》〉〕｝}〗〙〛"
_TRAIL = (re.escape(_CLOSERS) +
          "\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u0300-\u036f\u20d0-\u20ff\ufe00-\ufe0f")
_CANDIDATE = {
    lang: re.compile(f"([{re.escape(_STRONG[lang] + _WEAK[lang])}]+)[{_TRAIL}]*") for lang in ("en", "zh", "ar")
}
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
                       "\u2066\u2067\u2068\u2069\ufeff")
# A character that may start a Chinese sentence right after a half-width "!" or "." with no space ("好!我们").
_CJK_START = re.compile(f"[{HAN_CHARS}\u3040-\u30ff“「『（《〈【]")
# After these a lowercase-free next character still means "same sentence" ("U.S., and", "etc.)").
_CONTINUATION = frozenset(",;:)]}%،")
_ENUMERATOR = re.compile(r"\(?(?:[0-9]{1,3}|[A-Za-z]|[IVXivx]{1,4})\)?")

# Never the end of a sentence: a name or a number follows.
_TITLES = frozenset("""mr mrs ms messrs mmes mme mlle dr drs prof profs gen lt col capt cpt maj sgt cmdr adm gov sen
    rep reps hon rev fr st sr sra srta amb pres supt insp det hr
    د أ""".split())
# Ends a sentence only when a number does not follow: "No. 5", "p. 12", "Art. 3", "Vol. 2".
_BEFORE_NUMBER = frozenset("no nos nr art arts vol vols p pp fig figs ch chap sec para paras tel ed eq op".split())
# May end a sentence: split only when the next word is a typical sentence opener.
_SOFT = frozenset("""etc inc ltd co corp bros plc llc jr esq vs v al cf viz ca approx est dept univ assn intl govt
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    min max avg ft km kg mg cm mm sq
    e.g i.e a.m p.m u.s u.k u.n e.u u.s.a u.a.e p.r.c d.c ph.d m.d b.a m.a b.sc m.sc""".split())
_OPENERS = frozenset("""the a an he she it they we i you this that these those there here his her its their our my
    your but and or so yet however meanwhile then in on at for from after before during when while if as with by to
    what who why how where which some many most all both each one two three no not also later earlier today
    yesterday tomorrow""".split())
_MAX_WORD = 24  # longest abbreviation looked at, which bounds the backward scan


def split_sentences(text: str, language: str, *, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """Split `text` into sentences with code-point offsets: `text[s.start:s.end] == s.text`, stripped, in order.

    `language` is any tag normalize_language accepts. Raises InvalidInput for an unsupported language or a
    `max_chars` below 2. Empty or whitespace-only text gives [].
    """
    lang = analysis_language(normalize_language(language))
    if not isinstance(text, str):
        raise InvalidInput(f"text must be a string, got {type(text).__name__}")
    if max_chars < 2:
        raise InvalidInput(f"max_chars must be at least 2, got {max_chars}")
    spans: list[tuple[int, int]] = []
    for start, end in units(text):
        _split_line(text, start, end, lang, spans)

    sentences: list[Sentence] = []
    for start, end in spans:
        for s, e in _cut_long(text, start, end, max_chars):
            sentences.append(Sentence(index=len(sentences), text=text[s:e], start=s, end=e))
    return sentences


def units(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that sentences never cross: paragraphs, cut further at deliberate line breaks (rule 1)."""
    lines: list[tuple[int, int, str]] = []  # (start, end, the break after it)
    start = 0
    for brk in _LINE_BREAK.finditer(text):
        lines.append((start, brk.start(), brk.group()))
        start = brk.end()
    lines.append((start, len(text), ""))
    out: list[tuple[int, int]] = []
    paragraph: list[tuple[int, int]] = []
    for start, end, brk in lines:
        s, e = _strip_span(text, start, end)
        if s < e:
            paragraph.append((s, e))
        if (s == e or brk in _PARAGRAPH_BREAKS) and paragraph:
            out.extend(_paragraph_units(text, paragraph))
            paragraph = []
    if paragraph:
        out.extend(_paragraph_units(text, paragraph))
    return out


def _paragraph_units(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The non-blank (stripped) lines of one paragraph, re-joined where the line breaks are not deliberate."""
    if len(lines) == 1:  # most paragraphs of a readout: no line break to judge (and no widths to measure)
        return lines
    widths = [_columns(text, s, e) for s, e in lines]
    widest = max(widths)
    units = [lines[0]]
    for k in range(1, len(lines)):
        start, end = lines[k]
        deliberate = (widest < MIN_WRAP_COLUMNS or _LIST_ITEM.match(text, start) is not None
                      or widths[k - 1] + 1 + _first_word_columns(text, start, end) <= WRAP_FIT * widest)
        if deliberate:
            units.append((start, end))
        else:
            units[-1] = (units[-1][0], end)
    return units


def _columns(text: str, start: int, end: int) -> int:
    """Display width of text[start:end]: East Asian wide and full-width characters take two columns."""
    if text[start:end].isascii():
        return end - start
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[start:end])


def _first_word_columns(text: str, start: int, end: int) -> int:
    """Display width of the first word of a line: up to a space, or one character of a script without spaces."""
    if unicodedata.east_asian_width(text[start]) in "WF":
        return 2
    stop = start
    while stop < end and not text[stop].isspace() and unicodedata.east_asian_width(text[stop]) not in "WF":
        stop += 1
    return stop - start


class Lines(Sequence[Sentence]):
    """Pre-split sentences (see `lines`) kept as two columns, their texts and start offsets; a Sentence is made when
    one is read. A book's tens of thousands of sentences then hold no object each (~120 bytes a sentence) while
    the engine, which reads only `texts`, works."""

    def __init__(self, texts: list[str], starts: Iterable[int]) -> None:
        self.texts = texts
        self._starts = array("q", starts)

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> Sentence: ...

    @overload
    def __getitem__(self, index: slice) -> list[Sentence]: ...

    def __getitem__(self, index: int | slice) -> Sentence | list[Sentence]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self.texts))[index]]
        i = range(len(self.texts))[index]  # a negative index counts from the end; IndexError past it
        text, start = self.texts[i], self._starts[i]
        return Sentence(i, text, start, start + len(text))

    def __iter__(self) -> Iterator[Sentence]:
        return map(Sentence, range(len(self.texts)), self.texts, self._starts,
                   map(add, self._starts, map(len, self.texts)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (Lines, list)) and list(self) == list(other)


def sentences_from_lines(items: list[str]) -> list[Sentence]:
    """Pre-split sentences, one per item, with offsets into "\\n".join(items); each is stripped of surrounding
    whitespace. Raises InvalidInput for an item that is empty or only whitespace (it would silently vanish)."""
    return list(lines(items))


def lines(items: list[str]) -> Lines:
    """sentences_from_lines(items), as columns."""
    # A book has tens of thousands of items: each step over all of them in C where it can be; the loop below, which
    # names the first bad item, runs only when there is one.
    texts = [item.strip(_STRIP) for item in items] if all(map(isinstance, items, repeat(str))) else []
    if len(texts) == len(items) and all(texts):
        offsets = accumulate((len(item) + 1 for item in items), initial=0)
        # strip gives back the item itself when it removes nothing: then the sentence starts where the item does
        return Lines(texts, (offset if text is item else offset + len(item) - len(item.lstrip(_STRIP))
                             for offset, item, text in zip(offsets, items, texts)))
    sentences: list[Sentence] = []
    offset = 0
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidInput(f"sentence {i} must be a string, got {type(item).__name__}")
        text = item.strip(_STRIP)  # _strip_span's result, in C
        if not text:
            raise InvalidInput(f"sentence {i} is empty")
        start = len(item) - len(item.lstrip(_STRIP)) if len(text) < len(item) else 0
        sentences.append(Sentence(index=i, text=text, start=offset + start, end=offset + start + len(text)))
        offset += len(item) + 1
    return Lines([s.text for s in sentences], [s.start for s in sentences])


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return start, end


def _split_line(text: str, start: int, end: int, lang: str, spans: list[tuple[int, int]]) -> None:
    """Append the stripped, non-empty sentence spans of text[start:end] (a line) to `spans`."""
    strong = _STRONG[lang]
    sentence_start = start
    for match in _CANDIDATE[lang].finditer(text, start, end):
        stop = match.end()
        term = match.group(1)
        if any(ch in strong for ch in term) or _ends_sentence(text, term, match.start(), stop, end, sentence_start):
            s, e = _strip_span(text, sentence_start, stop)
            if s < e:
                spans.append((s, e))
            sentence_start = stop
    s, e = _strip_span(text, sentence_start, end)
    if s < e:
        spans.append((s, e))


def _ends_sentence(text: str, term: str, term_start: int, stop: int, line_end: int, sentence_start: int) -> bool:
    """Whether the ambiguous terminal punctuation `term` at text[term_start:] (closers up to `stop`) ends a
    sentence."""
    if stop >= line_end:
        return True
    follower = text[stop]
    if not follower.isspace():
        # "好!我们": Chinese needs no space after a sentence; "3.5", "U.S.A", "Yahoo!s" are no boundaries.
        return _CJK_START.match(follower) is not None
    nxt = stop + 1
    while nxt < line_end and (text[nxt].isspace() or text[nxt] in _INVISIBLE):
        nxt += 1
    if nxt >= line_end:
        return True
    first = text[nxt]
    if first in _CONTINUATION:
        return False
    if first.islower():
        # "approx. five", "… and then": a period never ends before lowercase. "!"/"?" do ("Why? and how?"), except
        # inside a quotation that the sentence goes on after ('"Why?" he asked').
        if term[-1] in ".…":
            return False
        return not any(ch in _CLOSERS for ch in text[term_start + len(term):stop])
    if term != ".":
        return True  # "!", "?", "؟", an ellipsis "...": no abbreviation question
    return not _is_abbreviation(text, term_start, nxt, line_end, sentence_start)


def _is_abbreviation(text: str, period: int, nxt: int, line_end: int, sentence_start: int) -> bool:
    """Whether the period at text[period] closes an abbreviation rather than the sentence; text[nxt] starts the
    next word."""
    # The word before the period: letters and inner periods ("U.S", "e.g", "Mr", "A"), at most _MAX_WORD back.
    begin = period
    floor = max(sentence_start, period - _MAX_WORD)
    while begin > floor and (text[begin - 1].isalpha() or text[begin - 1] == "."):
        begin -= 1
    if begin > sentence_start and text[begin - 1].isalpha():
        return False  # a word too long to be an abbreviation
    word = text[begin:period].strip(".")
    # "1. Introduction", "a. First item", "IV. Results": a list marker opening the sentence.
    if period - sentence_start <= 16 and _ENUMERATOR.fullmatch(text[sentence_start:period].strip(_STRIP)):
        return True
    if not word:
        return False
    lower = word.lower()
    if lower in _BEFORE_NUMBER:
        return text[nxt].isdigit()
    if lower in _TITLES:
        return True
    if len(word) == 1:
        # An initial ("Mohamad A. Alhakim"); the pronoun "I" and lowercase letters ("vitamin c.") end sentences.
        return word.isupper() and word != "I"
    if lower in _SOFT or "." in word:
        return _next_word(text, nxt, line_end).lower() not in _OPENERS
    return False  # any other word ("Iraq", "UN", "2020"): the period ends the sentence


def _next_word(text: str, start: int, line_end: int) -> str:
    end = start
    limit = min(line_end, start + _MAX_WORD)
    while end < limit and text[end].isalpha():
        end += 1
    return text[start:end]


def _cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Pieces of at most max_chars covering the stripped span text[start:end], cut where least harmful."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        limit = start + max_chars
        floor = start + max_chars // 2  # a cut is searched only in the window's second half: linear time overall
        cut = _last_space(text, floor, limit)
        if cut is not None:
            pieces.append(_strip_span(text, start, cut))
            start, _ = _strip_span(text, cut, end)
            continue
        cut = _after_clause_mark(text, floor, limit)
        if cut is None:
            cut = limit
            # Keep a base character with its combining marks / joiners / variation selectors.
            while cut > floor and _joins_previous(text[cut]):
                cut -= 1
        pieces.append(_strip_span(text, start, cut))
        start, _ = _strip_span(text, cut, end)
    pieces.append((start, end))
    return pieces


def _last_space(text: str, floor: int, limit: int) -> int | None:
    for i in range(limit, floor, -1):  # text[limit] may be the space right after a full window
        if text[i] in _STRIP:
            return i
    return None


def _after_clause_mark(text: str, floor: int, limit: int) -> int | None:
    for i in range(limit, floor, -1):
        if text[i - 1] in "，、,;；：:،؛" and not _joins_previous(text[i]):
            return i
    return None


def _joins_previous(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch in "\u200c\u200d" or "\ufe00" <= ch <= "\ufe0f"
