"""Side-by-side terminal rendering of sentence pairs in English, Chinese and Arabic.

Width: a terminal cell is not a character. East Asian Wide/Fullwidth characters (Han, fullwidth punctuation such as
"，。") take 2 columns (unicodedata.east_asian_width "W"/"F"); combining marks (Arabic harakat), format characters
(zero-width joiner, bidi controls) take 0; everything else 1. Columns are padded by these widths so CJK rows line up.

Arabic (right-to-left): the text is kept in logical order — we never reverse it ourselves — and its column is
right-aligned. Terminals that implement the Unicode bidi algorithm (GNOME Terminal/VTE, Konsole, mlterm) then show
it correctly; terminals that do not (many others, e.g. Windows Terminal, iTerm2) show the letters left to right in
logical order. Reordering here would break the former and only half-fix the latter, and copying text from the
terminal keeps working either way. For exact reading of Arabic use --format json/tsv or an HTML report.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

GUTTER = " │ "
# Marks a machine translation whose quality flags say it is likely no translation at all (copied, looping, ...).
FLAG_MARK = "⚠"
# Closing punctuation that must not begin a line (Chinese line-breaking rule, kinsoku): it takes the previous
# character along to the new line instead.
NO_LINE_START = frozenset("。，、；：！？）》」』】〕〉”’…—·．％")


def char_width(ch: str) -> int:
    """Terminal columns of one code point."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def is_rtl(text: str) -> bool:
    """True when most strongly-directional letters are right-to-left (Arabic, Hebrew)."""
    rtl = ltr = 0
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            rtl += 1
        elif kind == "L":
            ltr += 1
    return rtl > ltr


def _tokens(text: str) -> Iterator[str]:
    """Breakable units: runs of spaces, words, and single wide (CJK) characters, which may break anywhere."""
    word = ""
    for ch in text:
        if ch.isspace():
            kind = "space"
        elif char_width(ch) == 2:
            kind = "wide"
        else:
            kind = "word"
        if kind == "wide":
            if word:
                yield word
            word = ""
            yield ch
        elif word and (word[-1].isspace()) != (kind == "space"):
            yield word
            word = ch
        else:
            word += ch
    if word:
        yield word


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns; breaks at spaces, between CJK characters, or inside over-long words."""
    width = max(width, 2)
    text = " ".join(text.split())  # tabs and line breaks would break the columns
    lines: list[str] = []
    line, used = "", 0
    for token in _tokens(text):
        w = text_width(token)
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if used + w > width and line.strip():
            carry = ""
            if token[0] in NO_LINE_START and len(line) > 1 and char_width(line[-1]) == 2:
                line, carry = line[:-1], line[-1]  # "…疫情。": break before "情", not before "。"
            lines.append(line.rstrip())
            line, used = carry, text_width(carry)
        while w > width:  # a word longer than the column: cut it by columns
            cut, cut_w = "", 0
            for ch in token:
                if cut_w + char_width(ch) > width:
                    break
                cut, cut_w = cut + ch, cut_w + char_width(ch)
            lines.append(cut)
            token = token[len(cut):]
            w = text_width(token)
        line, used = line + token, used + w
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def pad(line: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - text_width(line), 0)
    return gap + line if right else line + gap


def side_by_side(rows: Iterable[tuple[str, str]], width: int = 100) -> Iterator[str]:
    """Two columns of wrapped text, one row per pair, a blank line between rows. RTL cells are right-aligned."""
    column = max((width - len(GUTTER)) // 2, 8)
    first = True
    for left, right in rows:
        if not first:
            yield ""
        first = False
        left_lines, right_lines = wrap(left, column), wrap(right, column)
        left_rtl, right_rtl = is_rtl(left), is_rtl(right)
        for i in range(max(len(left_lines), len(right_lines))):
            a = left_lines[i] if i < len(left_lines) else ""
            b = right_lines[i] if i < len(right_lines) else ""
            yield (pad(a, column, left_rtl) + GUTTER + pad(b, column, right_rtl)).rstrip()


def flagged(translation: str, flags: Iterable[str]) -> str:
    """A machine translation as shown in text: marked with its quality flags when it has any."""
    flags = list(flags)
    return f"{FLAG_MARK} {', '.join(flags)}: {translation}" if flags else translation
