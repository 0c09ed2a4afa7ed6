"""The text of a document given as a file: an HTML page, a PDF, a Word (.docx) file, or plain text in any common
encoding. Each format is read by a library made for it:

- HTML: trafilatura's main-content extraction (menus, share buttons, "related news", footers left out), measured
  against readability-lxml and jusText on pages carrying real page furniture (bench/extraction_bench.py);
- PDF: pypdf's text layer, page by page (lines as laid out: segmentation re-joins them);
- DOCX: python-docx, the body's paragraphs and table cells in order;
- plain text: a byte-order mark decides (UTF-8, UTF-16, UTF-32), else strict UTF-8, else charset-normalizer's guess
  (GB18030, Windows-1256, ...).

Paragraphs come out separated by blank lines, so that sentence segmentation keeps them apart. The work is bounded:
MAX_FILE_BYTES of input, MAX_PAGES pages, MAX_UNPACKED_BYTES unpacked from a DOCX (a zip), and EXTRACT_SECONDS of
work checked between pages (`should_stop` is asked there too). A file that cannot be read raises InvalidInput naming
the file and the reason.
"""
from __future__ import annotations

import enum
import functools
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from triglot_server.engine.types import Cancelled, InvalidInput

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Largest file accepted (a readout is kilobytes; a long PDF report a few megabytes)."""
MAX_PAGES = 2_000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""Bytes a DOCX (a zip archive) may unpack to: a zip bomb is refused before it is unpacked."""
EXTRACT_SECONDS = 60.0
"""Work on one file, checked between pages and steps."""


class MediaType(str, enum.Enum):
    HTML = "text/html"
    PDF = "application/pdf"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    TEXT = "text/plain"


# Short names accepted for a media type (the CLI's --from-format), and file name endings.
FORMAT_NAMES: dict[str, MediaType] = {"html": MediaType.HTML, "htm": MediaType.HTML, "pdf": MediaType.PDF,
                                      "docx": MediaType.DOCX, "text": MediaType.TEXT, "txt": MediaType.TEXT}


@dataclass(frozen=True)
class Extracted:
    text: str
    media_type: MediaType
    method: str  # the library and its version, e.g. "trafilatura 2.3.1"


class _Budget:
    """The time left for one extraction, and the caller's stop check, asked between steps."""

    def __init__(self, name: str, should_stop: Callable[[], bool] | None) -> None:
        self.name = name
        self.should_stop = should_stop
        self.deadline = time.monotonic() + EXTRACT_SECONDS

    def check(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise Cancelled(f"{self.name}: extraction stopped: the caller went away or its deadline passed")
        if time.monotonic() > self.deadline:
            raise InvalidInput(f"{self.name}: extraction took over {EXTRACT_SECONDS:g} s; give the text instead")


def parse_media_type(value: str) -> tuple[MediaType | None, str | None]:
    """(media type, charset) of a value such as "text/plain; charset=gb18030" or a short name ("pdf"); (None, None)
    for an empty value. Raises InvalidInput for one that is not supported."""
    kind, _, parameters = value.partition(";")
    kind = kind.strip().lower()
    if not kind:
        return None, None
    charset = None
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", parameters, re.IGNORECASE)
    if match:
        charset = match.group(1)
    if kind in FORMAT_NAMES:
        return FORMAT_NAMES[kind], charset
    if kind == "application/xhtml+xml":
        return MediaType.HTML, charset
    try:
        return MediaType(kind), charset
    except ValueError:
        supported = ", ".join(m.value for m in MediaType)
        raise InvalidInput(f"unsupported media type {value!r}: supported are {supported}") from None


def sniff(data: bytes) -> MediaType:
    """The media type of a file from its content (not its name): PDF and DOCX by their signatures, HTML by its
    markup near the start, anything else plain text."""
    if data.startswith(b"%PDF-"):
        return MediaType.PDF
    if data.startswith(b"PK\x03\x04"):
        return MediaType.DOCX
    head = _decode_head(data[:4096]).lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) or re.search(r"<(html|head|body|p|div)[\s>]", head):
        return MediaType.HTML
    return MediaType.TEXT


def extract(data: bytes, media_type: str = "", name: str = "document",
            should_stop: Callable[[], bool] | None = None) -> Extracted:
    """The text of a file. `media_type` (a MIME type, optionally with a charset, or a short name) overrides what the
    content says. Raises InvalidInput naming `name` for a file over the limits or one that cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{name}: {len(data):,} bytes is over the limit of {MAX_FILE_BYTES:,} for a file")
    if not data:
        raise InvalidInput(f"{name}: the file is empty")
    try:
        kind, charset = parse_media_type(media_type)
    except InvalidInput as error:
        raise InvalidInput(f"{name}: {error}") from None
    kind = kind or sniff(data)
    budget = _Budget(name, should_stop)
    reader = {MediaType.HTML: _html, MediaType.PDF: _pdf, MediaType.DOCX: _docx, MediaType.TEXT: _text}[kind]
    text, method = reader(data, name, charset, budget)
    if not text.strip():
        raise InvalidInput(f"{name}: no text found in the {_label(kind)}" + (
            " (it has no text layer: a scan needs OCR first)" if kind is MediaType.PDF else ""))
    return Extracted(text, kind, method)


def _label(kind: MediaType) -> str:
    return {MediaType.HTML: "HTML page", MediaType.PDF: "PDF", MediaType.DOCX: "Word file",
            MediaType.TEXT: "text file"}[kind]


def _version(module: str) -> str:
    from importlib.metadata import version

    return f"{module} {version(module)}"


# -- plain text --------------------------------------------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode(data: bytes, name: str, charset: str | None = None) -> tuple[str, str]:
    """(text, encoding) of plain-text bytes: the declared charset, else a byte-order mark, else strict UTF-8, else
    charset-normalizer's best guess. Raises InvalidInput when none reads the bytes."""
    if charset:
        try:
            return data.decode(charset).removeprefix("\ufeff"), charset.lower()
        except LookupError:
            raise InvalidInput(f"{name}: unknown charset {charset!r}") from None
        except UnicodeDecodeError as error:
            raise InvalidInput(f"{name} is not valid {charset}: byte 0x{data[error.start]:02x} at offset "
                               f"{error.start}") from None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).removeprefix("\ufeff"), encoding.removesuffix("-sig")
            except UnicodeDecodeError as error:
                raise InvalidInput(f"{name} starts with a {encoding} byte-order mark but is not valid {encoding}: "
                                   f"byte offset {error.start}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = _LEGACY_ENCODINGS.get(best.encoding if best is not None else "")
    # charset-normalizer's guess first, then the usual legacy encodings of Chinese and Arabic text; a decoding counts
    # only when the letters it gives are mostly of that language's script.
    for encoding, script in ([(guess, "")] if guess else []) + _FALLBACKS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly(text, script):
            return text, encoding
    # Mostly UTF-8 with a bad byte, or no legacy encoding of our languages reads it: say where the UTF-8 breaks.
    raise InvalidInput(f"{name} is not valid UTF-8: byte 0x{data[utf8_error.start]:02x} at offset "
                       f"{utf8_error.start} ({utf8_error.reason}), nor Chinese or Arabic in a legacy encoding; "
                       "give its encoding (text/plain; charset=...)")


_FALLBACKS = [("gb18030", "zh"), ("big5", "zh"), ("cp1256", "ar")]


def _mostly(text: str, script: str) -> bool:
    """Whether most letters of `text` are of `script` (en, zh or ar; "" for any of them), and most of its characters
    are letters, spaces or punctuation rather than control characters (a binary file decodes in any single-byte
    encoding)."""
    from triglot_server.engine.languages import detect_script

    try:
        found, share = detect_script(text)
    except InvalidInput:
        return False
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    return (found == script or not script) and share >= 0.8 and controls <= len(text) // 100


# Encodings charset-normalizer may name for Chinese and Arabic text, and the codec that reads them (GB18030 is the
# superset of GB2312 and GBK).
_LEGACY_ENCODINGS = {"gb18030": "gb18030", "gbk": "gb18030", "gb2312": "gb18030", "hz": "hz", "big5": "big5",
                     "big5hkscs": "big5hkscs", "cp950": "cp950", "cp1256": "cp1256", "iso8859_6": "iso8859_6",
                     "cp720": "cp720", "cp864": "cp864", "mac_arabic": "mac_arabic", "utf_16": "utf-16",
                     "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be", "utf_32": "utf-32"}


def _decode_head(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="ignore")
    return data.decode("utf-8", errors="ignore")


def _text(data: bytes, name: str, charset: str | None, budget: _Budget) -> tuple[str, str]:
    text, encoding = decode(data, name, charset)
    return text, f"text ({encoding})"


# -- HTML --------------------------------------------------------------------------------------------------------

def _html(data: bytes, name: str, charset: str | None, budget: _Budget) -> tuple[str, str]:
    import trafilatura

    markup = decode(data, name, charset)[0] if charset or not _declares_charset(data) else data
    text = trafilatura.extract(markup, output_format="txt", include_comments=False, include_tables=True,
                               include_images=False, favor_precision=True, deduplicate=False)
    budget.check()
    if not text:
        return "", _version("trafilatura")
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip()), _version("trafilatura")


def _declares_charset(data: bytes) -> bool:
    return re.search(rb"<meta[^>]+charset", data[:4096], re.IGNORECASE) is not None


# -- PDF ---------------------------------------------------------------------------------------------------------

def _pdf(data: bytes, name: str, charset: str | None, budget: _Budget) -> tuple[str, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InvalidInput(f"{name}: the PDF is encrypted; give a decrypted copy")
        count = len(reader.pages)
        if count > MAX_PAGES:
            raise InvalidInput(f"{name}: {count:,} pages is over the limit of {MAX_PAGES:,}")
        pages = []
        for page in reader.pages:
            budget.check()
            pages.append((page.extract_text() or "").strip())
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError) as error:
        raise InvalidInput(f"{name}: cannot read the PDF (damaged or not a PDF): {error}") from None
    # A page break is a line break: a sentence may go on over the next page.
    text = "\n".join(page for page in pages if page).translate(_glyph_forms())
    return _CJK_GAP.sub("", text), _version("pypdf")


# pypdf puts a space where the font changes inside a line ("3 月 9 日", "深化 “ 一带一路 ” 合作"): a space between a
# wide (CJK) character and a digit or punctuation mark is such a gap; one between two CJK characters ("倪瑞捷 崔元磊")
# or next to a Latin word is the text's own.
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_WIDE}]) (?=[^\\s{_WIDE}A-Za-z])|(?<=[^\\s{_WIDE}A-Za-z]) (?=[{_WIDE}])")


@functools.lru_cache(maxsize=1)
def _glyph_forms() -> dict[int, str]:
    """Code points a PDF's text layer gives for a glyph instead of the text's own characters, and those characters.
    The layer maps each glyph back to one code point: a ligature glyph to its presentation form (ﬁ U+FB01 → fi),
    a shaped Arabic letter to its presentation form (NFKC undoes both), and a glyph that a CJK font shares between
    a radical and an ideograph to the radical (⻓ U+2ED3 → 长; data/cjk_radicals.tsv)."""
    table: dict[int, str] = {}
    for first, last in ((0xFB00, 0xFB06), (0xFB50, 0xFDFF), (0xFE70, 0xFEFC)):
        for cp in range(first, last + 1):
            normal = unicodedata.normalize("NFKC", chr(cp))
            if normal != chr(cp):
                table[cp] = normal
    path = Path(__file__).with_name("data") / "cjk_radicals.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            radical, ideograph, *_ = line.split("\t")
            table[ord(radical)] = ideograph
    return table


# -- DOCX --------------------------------------------------------------------------------------------------------

def _docx(data: bytes, name: str, charset: str | None, budget: _Budget) -> tuple[str, str]:
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise InvalidInput(f"{name}: unpacks to {unpacked:,} bytes, over the limit of "
                                   f"{MAX_UNPACKED_BYTES:,}")
            if "word/document.xml" not in archive.namelist():
                raise InvalidInput(f"{name}: a zip archive but not a Word (.docx) file: no word/document.xml")
        document = docx.Document(io.BytesIO(data))
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InvalidInput(f"{name}: cannot read the Word file (damaged or not a .docx): {error}") from None
    except Exception as error:  # noqa: BLE001 - lxml's XMLSyntaxError and python-docx's own errors on a bad part
        raise InvalidInput(f"{name}: cannot read the Word file (damaged): {type(error).__name__}: {error}") from None
    budget.check()
    paragraphs = [p.text.strip() for p in _blocks(document)]
    return "\n\n".join(p for p in paragraphs if p), _version("python-docx")


def _blocks(document: object) -> list:
    """The body's paragraphs, and the paragraphs of table cells, in document order."""
    out = []
    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    out.extend(cell.paragraphs)
        else:
            out.append(block)
    return out
