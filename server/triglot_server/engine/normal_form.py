"""The form of a sentence that the engine analyses, and the way back to offsets in the original.

A sentence keeps its original text: offsets into the document point at it, line breaks and Traditional characters
included. Alignment, dictionaries, anchors, names and translation see its normal form instead:
- line breaks inside the sentence (hard-wrapped text, a PDF's lines) re-joined: a space in English and Arabic,
  nothing between two Chinese characters; a word hyphenated at a line end ("recog-\\nnition") is joined without its
  hyphen when the document uses the joined word elsewhere, else keeps it ("people-to-\\npeople" → "people-to-people");
- Traditional Chinese ("zt") converted to Simplified (OpenCC), one character for one.
`NormalForm.original_span` maps a span of the normal form back to the original sentence, so a finding found in the
normal form points at the original text.
"""
from __future__ import annotations

import re
from array import array
from typing import NamedTuple

from triglot_server.engine import languages

_BREAK_CHARS = "\n\r\x0b\x85\u2028"  # what ends a line (with \r\n as one break)
_LINE_BREAK = f"(?:\r\n|[{_BREAK_CHARS}])"
_BREAK = re.compile(f"[ \t]*{_LINE_BREAK}[ \t]*")
_HAS_BREAK = re.compile(f"[{_BREAK_CHARS}]")  # where _BREAK matches: a scan for one character, 10x faster
_WORD = re.compile(r"[^\W\d_]+")
# A line-end hyphen between two lowercase letters: "recog-\nnition".
_HYPHENATED = re.compile(r"([^\W\d_]+)-$")
_LINE_END_HYPHEN = re.compile(f"-[ \t]*{_LINE_BREAK}")


class NormalForm(NamedTuple):
    """`text` is the sentence with its lines re-joined (what translation gets: a `zt` package wants Traditional);
    `analysed` is what alignment and findings get (`text` in Simplified for Traditional Chinese, else `text`);
    `origin[i]` is the offset in the original of text[i], with one entry more for the end (None when the two have
    the same length: the offsets are the same). Both texts have the same length.
    A tuple, not a dataclass: a book has one for each of its tens of thousands of sentences, and a tuple is made
    5x faster and takes half the memory."""

    text: str
    analysed: str
    origin: array | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original sentence that text[start:end] came from."""
        if self.origin is None:
            return start, end
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


def vocabulary(text: str) -> frozenset[str]:
    """The lowercase words of a document, which decide whether a line-end hyphen is a hyphenation."""
    return frozenset(map(str.lower, _WORD.findall(text)))


def has_line_end_hyphen(text: str) -> bool:
    """Whether `text` has a hyphen at the end of a line, the only place `normal_form` reads the vocabulary."""
    return _LINE_END_HYPHEN.search(text) is not None


def normal_forms(texts: list[str], language: str, words: frozenset[str] = frozenset()) -> list[NormalForm] | None:
    """`normal_form` of each of a document's sentences, or None when each is its own normal form (no line break
    in any sentence, not Traditional Chinese: most documents), so that a book keeps no second object a sentence."""
    if language != "zt" and not any(map(_HAS_BREAK.search, texts)):
        return None
    return [normal_form(text, language, words) for text in texts]


def normal_form(text: str, language: str, words: frozenset[str] = frozenset()) -> NormalForm:
    """The normal form of one sentence's original `text` in `language` (en, zh, zt or ar); `words` is the
    document's vocabulary (see `vocabulary`)."""
    if not _HAS_BREAK.search(text):  # most sentences: nothing to re-join (and no per-character copy)
        return NormalForm(text, languages.to_simplified(text) if language == "zt" else text, None)
    pieces: list[tuple[int, str]] = []  # (offset in text, replacement) of each break that changes
    same_length = True
    chinese = languages.analysis_language(language) == "zh"
    for brk in _BREAK.finditer(text):
        before, after = text[:brk.start()], text[brk.end():]
        hyphen = _HYPHENATED.search(before[-40:]) if not chinese and after[:1].isalpha() else None
        if hyphen:
            joined = hyphen.group(1) + _WORD.match(after).group()
            # the hyphen goes too when the document writes the word unbroken ("recognition"); a compound keeps it
            # ("people-to-people", "el-Sisi")
            replacement = "" if after[0].islower() and joined.lower() in words else "-"
            pieces.append((brk.start() - 1, replacement))
            same_length = False
            continue
        if chinese and not (_letter_end(before) and _letter_start(after)):
            pieces.append((brk.start(), ""))
            same_length = False
        else:
            pieces.append((brk.start(), " " * (brk.end() - brk.start())))
    if same_length:
        out = _replace(text, [(at, len(r), r) for at, r in pieces])
        origin = None
    else:
        out, origin = _rebuild(text, pieces)
    return NormalForm(out, languages.to_simplified(out) if language == "zt" else out, origin)


# In Chinese a line break is dropped, except between two Latin words ("Wang\nYi"); digits join ("20\n30" is 2030).
def _letter_end(text: str) -> bool:
    return bool(text) and text[-1].isascii() and text[-1].isalpha()


def _letter_start(text: str) -> bool:
    return bool(text) and text[0].isascii() and text[0].isalpha()


def _replace(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with text[at:at+length] replaced by a string of the same length, for each edit."""
    chars = list(text)
    for at, length, replacement in edits:
        chars[at:at + length] = replacement
    return "".join(chars)


def _rebuild(text: str, pieces: list[tuple[int, str]]) -> tuple[str, array]:
    """The text with each break (from its offset, through the whitespace after it) replaced, and the origin map."""
    out: list[str] = []
    origin = array("l")
    position = 0
    for at, replacement in pieces:
        out.append(text[position:at])
        origin.extend(range(position, at))
        end = _BREAK.match(text, at + (1 if text[at] == "-" else 0))
        stop = end.end() if end else at + 1
        out.append(replacement)
        origin.extend(min(at + k, stop - 1) for k in range(len(replacement)))
        position = stop
    out.append(text[position:])
    origin.extend(range(position, len(text) + 1))
    return "".join(out), origin
