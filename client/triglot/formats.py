"""A comparison (triglot.v1.CompareResponse) written out for analysts: JSON, TSV, TMX 1.4, an HTML report, a table.

Only the standard library and protobuf are used, so the light client can write every format.

JSON (the documented schema; offsets are code points into each version's text, as everywhere in triglot):
    {"pivot": name, "signature": str,
     "versions": [{"name", "language", "sentences": [{"index", "text", "start", "end"}], "glosses": [str],
                   "gloss_signature", "gloss_quality": [{"flags": [str], "retry": str}]}],
     "rows": [{"index", "cells": [{"version", "language", "sentence_ids": [int], "score"}]}],
     "findings": [{"kind", "refs": [{"version", "language", "sentence", "start", "end"}], "evidence", "severity",
                   "row"}]}
TSV: one line per row — the row index, then per version its sentence ids ("3,4"), its text and (when there are
glosses) its machine gloss, then the kinds of the row's findings; backslash, tab and line breaks are escaped.
Machine glosses are marked as machine output everywhere; a gloss with quality flags (likely no translation: copied,
looping, ...) is marked with ⚠ and its flags in every format.
TMX 1.4: one <tu> per row, one <tuv xml:lang=...> per version (an empty <seg/> where a version has no counterpart);
findings are <note>s of their row's <tu>.
HTML: one self-contained page (inline CSS, no scripts, no external assets): the versions side by side, each finding
highlighted with <mark> at its spans and listed with a link to its row (#row-N).
"""
from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

from triglot import render
from triglot.v1 import triglot_pb2 as pb

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "ar": "Arabic"}
RTL_LANGUAGES = frozenset({"ar"})


# ---------------------------------------------------------------- JSON

def to_dict(response: pb.CompareResponse) -> dict[str, Any]:
    versions = list(response.versions)
    return {
        "pivot": response.pivot,
        "signature": response.signature,
        "versions": [{
            "name": v.name, "language": v.language,
            "sentences": [{"index": s.index, "text": s.text, "start": s.start, "end": s.end} for s in v.sentences],
            "glosses": list(v.glosses), "gloss_signature": v.gloss_signature,
            "gloss_quality": [{"flags": list(q.flags), "retry": q.retry} for q in v.gloss_quality],
        } for v in versions],
        "rows": [{
            "index": row.index,
            "cells": [{"version": v.name, "language": v.language, "sentence_ids": list(cell.sentence_ids),
                       "score": round(cell.score, 4)} for v, cell in zip(versions, row.cells)],
        } for row in response.rows],
        "findings": [{
            "kind": kind_name(f),
            "refs": [{"version": r.version, "language": r.language, "sentence": r.sentence, "start": r.start,
                      "end": r.end} for r in f.refs],
            "evidence": f.evidence, "severity": severity_name(f), "confidence": round(f.confidence, 2),
            "row": f.row,
        } for f in response.findings],
    }


def _enum_name(enum: Any, value: int, prefix: str) -> str:
    """An enum value's short name; a value this client does not know (a newer server's) as "unknown_N"."""
    try:
        return enum.Name(value).removeprefix(prefix).lower()
    except ValueError:
        return f"unknown_{value}"


def kind_name(f: pb.Finding) -> str:
    """A finding's kind as the CLI prints it: "omission", "content_difference" …"""
    return _enum_name(pb.FindingKind, f.kind, "FINDING_KIND_")


def severity_name(f: pb.Finding) -> str:
    return _enum_name(pb.Severity, f.severity, "SEVERITY_")


DEFAULT_THRESHOLD = 0.5
"""Text, TSV and HTML show the findings whose confidence is at least this (JSON and TMX keep every finding)."""


def shown(response: pb.CompareResponse, threshold: float = DEFAULT_THRESHOLD) -> tuple[pb.CompareResponse, int]:
    """The response with only the findings at or above `threshold`, and how many were hidden."""
    kept = [f for f in response.findings if f.confidence >= threshold - 1e-6]
    if len(kept) == len(response.findings):
        return response, 0
    out = pb.CompareResponse()
    out.CopyFrom(response)
    del out.findings[:]
    out.findings.extend(kept)
    return out, len(response.findings) - len(kept)


def hidden_note(hidden: int, threshold: float = DEFAULT_THRESHOLD) -> str:
    return (f"{hidden} finding{'s' if hidden != 1 else ''} below confidence {threshold:.2f} hidden "
            "(--all-findings shows them)")


def to_json(response: pb.CompareResponse) -> str:
    return json.dumps(to_dict(response), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- TSV

def tsv_field(text: str) -> str:
    """Escape backslash, tab and line breaks so each record stays one line of tab-separated fields."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _cell_text(version: pb.VersionInfo, ids: Any) -> str:
    return " ".join(version.sentences[i].text for i in ids)


def _gloss_flags(version: pb.VersionInfo, i: int) -> list[str]:
    return list(version.gloss_quality[i].flags) if i < len(version.gloss_quality) else []


def _cell_gloss(version: pb.VersionInfo, ids: Any) -> str:
    """The machine glosses of a cell's sentences, each marked when flagged."""
    if not version.glosses:
        return ""
    return " ".join(render.flagged(version.glosses[i], _gloss_flags(version, i)) for i in ids)


def _findings_by_row(response: pb.CompareResponse) -> dict[int, list[int]]:
    by_row: dict[int, list[int]] = {}
    for k, f in enumerate(response.findings):
        by_row.setdefault(f.row, []).append(k)
    return by_row


def to_tsv(response: pb.CompareResponse) -> str:
    versions = list(response.versions)
    header = ["row"]
    for v in versions:
        header += [f"{v.name} ids", f"{v.name} ({v.language})"]
        if v.glosses:
            header.append(f"{v.name} gloss")
    header.append("findings")
    lines = ["\t".join(tsv_field(h) for h in header)]
    by_row = _findings_by_row(response)
    for row in response.rows:
        fields = [str(row.index)]
        for v, cell in zip(versions, row.cells):
            fields += [",".join(map(str, cell.sentence_ids)), _cell_text(v, cell.sentence_ids)]
            if v.glosses:
                fields.append(_cell_gloss(v, cell.sentence_ids))
        fields.append(",".join(kind_name(response.findings[k]) for k in by_row.get(row.index, [])))
        lines.append("\t".join(tsv_field(f) for f in fields))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- TMX 1.4

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def to_tmx(response: pb.CompareResponse, *, tool_version: str = "") -> str:
    versions = list(response.versions)
    pivot = next((v for v in versions if v.name == response.pivot), versions[0] if versions else None)
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(root, "header", {
        "creationtool": "triglot", "creationtoolversion": tool_version or "unknown", "segtype": "sentence",
        "o-tmf": "triglot-compare", "adminlang": "en", "srclang": pivot.language if pivot else "*all*",
        "datatype": "plaintext"})
    body = ET.SubElement(root, "body")
    by_row = _findings_by_row(response)
    for row in response.rows:
        tu = ET.SubElement(body, "tu", tuid=str(row.index))
        ET.SubElement(tu, "prop", type="x-triglot-row").text = str(row.index)
        for k in by_row.get(row.index, []):
            f = response.findings[k]
            ET.SubElement(tu, "note").text = _xml_safe(
                f"{kind_name(f)} ({severity_name(f)}, confidence {f.confidence:.2f}): {f.evidence}")
        for v, cell in zip(versions, row.cells):
            tuv = ET.SubElement(tu, "tuv", {_XML_LANG: v.language})
            ET.SubElement(tuv, "prop", type="x-triglot-version").text = _xml_safe(v.name)
            ET.SubElement(tuv, "prop", type="x-triglot-sentences").text = ",".join(map(str, cell.sentence_ids))
            ET.SubElement(tuv, "seg").text = _xml_safe(_cell_text(v, cell.sentence_ids))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters at all (not even escaped): they become U+FFFD."""
    return "".join(ch if ch in "\t\n\r" or (ch >= " " and ch not in "\ufffe\uffff") else "\ufffd" for ch in text)


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,"Noto Sans","Noto Sans CJK SC","Noto Sans Arabic",sans-serif;margin:1.5em;color:#1b1b1b}
h1{font-size:1.4em;margin:0 0 .3em}
.meta{color:#555;font-size:.85em;margin:.2em 0}
.meta code{word-break:break-all}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:start}
th{background:#f0f0f0;position:sticky;top:0}
th.idx,td.idx{width:3.5em;text-align:center;color:#666}
td.empty{background:#fafafa;color:#999;text-align:center}
tr.flagged td.idx{background:#fff1c2;font-weight:bold}
tr:target td{outline:2px solid #2b6cb0}
.sent{margin:0 0 .3em}
.sid{font-size:.7em;color:#888;margin-inline-end:.4em;unicode-bidi:isolate}
.gloss{margin:.2em 0 .4em;color:#555;font-size:.85em;font-style:italic}
.gloss::before{content:"MT: ";font-style:normal;color:#999}
.gloss.flagged{background:#fde2e2;color:#7b1d1d}
.gloss .warn{font-style:normal;font-weight:bold}
td[lang=ar]{font-size:1.1em}
mark{border-radius:2px;padding:0 1px}
mark.k-omission,mark.k-addition{background:#ffd7d7}
mark.k-number_mismatch,mark.k-name_mismatch{background:#ffcf8a}
mark.k-content_difference{background:#fff08a}
mark.k-low_confidence{background:#dde7ff}
ol.findings li{margin:.25em 0}
.kind{font-weight:bold}
.sev{font-size:.75em;border-radius:3px;padding:0 .35em;margin:0 .3em;color:#fff}
.sev-high{background:#c0392b}.sev-medium{background:#d68910}.sev-low{background:#7f8c8d}
"""


def _language_attrs(language: str) -> str:
    attrs = f' lang="{html.escape(language)}"'
    return attrs + (' dir="rtl"' if language in RTL_LANGUAGES else ' dir="ltr"')


def _marked(text: str, base: int, spans: list[tuple[int, int, int, str]], findings: list[pb.Finding]) -> str:
    """HTML of `text` (which starts at document offset `base`) with each finding span wrapped in <mark>.
    Overlapping spans are cut at every boundary, so marks never nest and no character is lost."""
    cuts = {0, len(text)}
    for start, end, _, _ in spans:
        cuts.update((min(max(start - base, 0), len(text)), min(max(end - base, 0), len(text))))
    points = sorted(cuts)
    parts = []
    for a, b in zip(points, points[1:]):
        covering = [(k, kind) for start, end, k, kind in spans if start - base <= a and b <= end - base]
        piece = html.escape(text[a:b])
        if covering:
            ids = " ".join(f"f{k}" for k, _ in covering)
            kinds = html.escape(" ".join(sorted({f"k-{kind}" for _, kind in covering})))
            title = html.escape(" | ".join(findings[k].evidence for k, _ in covering), quote=True)
            piece = f'<mark class="{kinds}" data-findings="{ids}" title="{title}">{piece}</mark>'
        parts.append(piece)
    return "".join(parts)


_QUOTED = re.compile("“([^”]*)”")


def _isolated(evidence: str) -> str:
    """Evidence as HTML, each quoted word in <bdi> so Arabic inside an English line keeps its place."""
    return _QUOTED.sub(lambda m: f"“<bdi>{m.group(1)}</bdi>”", html.escape(evidence))


def to_html(response: pb.CompareResponse, *, title: str = "triglot comparison") -> str:
    versions = list(response.versions)
    findings = list(response.findings)
    # Spans by (version name, sentence id): (start, end, finding index, kind).
    spans: dict[tuple[str, int], list[tuple[int, int, int, str]]] = {}
    for k, f in enumerate(findings):
        for r in f.refs:
            spans.setdefault((r.version, r.sentence), []).append((r.start, r.end, k, kind_name(f)))
    by_row = _findings_by_row(response)
    gloss_language = _gloss_language(response)

    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{html.escape(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{html.escape(title)}</h1>",
           f'<p class="meta">Versions: {html.escape(", ".join(f"{v.name} ({v.language})" for v in versions))}'
           f" · pivot: {html.escape(response.pivot)} · {len(response.rows)} rows · {len(findings)} findings</p>",
           f'<p class="meta">Signature: <code>{html.escape(response.signature)}</code></p>']
    for v in versions:
        if v.gloss_signature:
            out.append(f'<p class="meta">Machine glosses of {html.escape(v.name)} (MT, not the text): '
                       f"<code>{html.escape(v.gloss_signature)}</code></p>")

    out.append(f'<h2 id="findings">Findings ({len(findings)})</h2>')
    if findings:
        out.append('<ol class="findings">')
        for k, f in enumerate(findings):
            where = ", ".join(f"{r.version} {r.sentence}" for r in f.refs)
            kind, severity = html.escape(kind_name(f)), html.escape(severity_name(f))
            out.append(f'<li id="finding-{k}" class="finding k-{kind}">'
                       f'<a href="#row-{f.row}">row {f.row}</a> <span class="kind">{kind}</span>'
                       f'<span class="sev sev-{severity}">{severity}</span>'
                       f'<span class="conf">confidence {f.confidence:.2f}</span>'
                       f"{_isolated(f.evidence)} <span class=\"meta\">({html.escape(where)})</span></li>")
        out.append("</ol>")
    else:
        out.append("<p>No divergences found.</p>")

    out.append('<h2 id="rows">Versions side by side</h2>')
    out.append('<table class="rows"><thead><tr><th class="idx">row</th>')
    for v in versions:
        name = LANGUAGE_NAMES.get(v.language, v.language)
        out.append(f"<th{_language_attrs(v.language)}>{html.escape(v.name)} "
                   f'<span class="meta" dir="ltr">({html.escape(name)})</span></th>')
    out.append("</tr></thead><tbody>")
    for row in response.rows:
        flagged = ' class="flagged"' if row.index in by_row else ""
        out.append(f'<tr id="row-{row.index}"{flagged}><td class="idx"><a href="#row-{row.index}">{row.index}</a>'
                   + "".join(f'<br><a href="#finding-{k}" title="{html.escape(kind_name(findings[k]))}">'
                             f"⚑{k}</a>" for k in by_row.get(row.index, []))
                   + "</td>")
        for v, cell in zip(versions, row.cells):
            attrs = _language_attrs(v.language)
            if not cell.sentence_ids:
                out.append(f'<td class="empty"{attrs}>—</td>')
                continue
            parts = []
            for i in cell.sentence_ids:
                s = v.sentences[i]
                parts.append(f'<p class="sent" data-version="{html.escape(v.name)}" data-sentence="{i}">'
                             f'<span class="sid">{i}</span>'
                             f"{_marked(s.text, s.start, spans.get((v.name, i), []), findings)}</p>")
                if v.glosses and v.glosses[i]:
                    parts.append(_gloss_html(v.glosses[i], _gloss_flags(v, i), gloss_language))
            out.append(f"<td{attrs}>{''.join(parts)}</td>")
        out.append("</tr>")
    out += ["</tbody></table>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _gloss_html(gloss: str, flags: list[str], language: str) -> str:
    """A machine gloss; a flagged one is marked as likely no translation, with its flags."""
    if not flags:
        return f'<p class="gloss" lang="{html.escape(language)}" dir="ltr">{html.escape(gloss)}</p>'
    why = ", ".join(flags)
    return (f'<p class="gloss flagged" lang="{html.escape(language)}" dir="ltr" data-flags="{html.escape(why)}" '
            f'title="likely not a translation: {html.escape(why)}"><span class="warn">{render.FLAG_MARK} '
            f"{html.escape(why)}:</span> {html.escape(gloss)}</p>")


def _gloss_language(response: pb.CompareResponse) -> str:
    """The gloss language is named in the signature ("|gloss=en"); default en."""
    for part in response.signature.split("|"):
        if part.startswith("gloss="):
            return part[len("gloss="):]
    return "en"


# ---------------------------------------------------------------- terminal table

def to_text(response: pb.CompareResponse, *, width: int = 120) -> str:
    return "\n".join(text_lines(response, width=width)) + "\n"


def text_lines(response: pb.CompareResponse, *, width: int = 120) -> Iterator[str]:
    """Versions side by side in columns (CJK counted as two cells, Arabic right-aligned; see triglot.render),
    one block per row, then the findings."""
    versions = list(response.versions)
    gutter = render.GUTTER
    index_width = max(len(str(len(response.rows))), 3)
    column = max((width - index_width - len(gutter) * len(versions)) // max(len(versions), 1), 8)
    by_row = _findings_by_row(response)
    yield (render.pad("row", index_width) + gutter
           + gutter.join(render.pad(f"{v.name} ({v.language})", column, v.language in RTL_LANGUAGES)
                         for v in versions)).rstrip()
    yield "─" * min(width, index_width + (column + len(gutter)) * len(versions))
    for row in response.rows:
        columns = []
        for v, cell in zip(versions, row.cells):
            if cell.sentence_ids:
                text = " ".join(f"[{i}] {v.sentences[i].text}" for i in cell.sentence_ids)
            else:
                text = "—"
            lines = render.wrap(text, column)
            if v.glosses and cell.sentence_ids:
                lines += render.wrap("MT: " + _cell_gloss(v, cell.sentence_ids), column)
            columns.append(lines)
        marker = str(row.index) + ("*" if row.index in by_row else "")
        for k in range(max(len(c) for c in columns)):
            head = render.pad(marker if k == 0 else "", index_width)
            cells = [render.pad(c[k] if k < len(c) else "", column, v.language in RTL_LANGUAGES and k < len(c)
                                and render.is_rtl(c[k])) for v, c in zip(versions, columns)]
            yield (head + gutter + gutter.join(cells)).rstrip()
        yield ""
    yield f"Findings ({len(response.findings)}):" if response.findings else "No divergences found."
    for f in response.findings:
        yield (f"  row {f.row:<{index_width}} {kind_name(f):<18} {severity_name(f):<6} {f.confidence:.2f} "
               f"{f.evidence}")
    yield f"# pivot {response.pivot} · {response.signature}"


# ---------------------------------------------------------------- dispatch

WRITERS: dict[str, Callable[[pb.CompareResponse], str]] = {
    "json": to_json, "tsv": to_tsv, "tmx": to_tmx, "html": to_html, "text": to_text,
}


def write(response: pb.CompareResponse, fmt: str, **options: Any) -> str:
    """The response in one of WRITERS' formats (options: width for text, title for html, tool_version for tmx)."""
    if fmt in ("text", "html", "tsv") and not options.get("all_findings"):
        response, hidden = shown(response)
    else:
        hidden = 0
    if fmt == "text":
        return to_text(response, width=options.get("width") or 120) + (f"# {hidden_note(hidden)}\n" if hidden else "")
    if fmt == "html":
        page = to_html(response, title=options.get("title") or "triglot comparison")
        return page.replace("</body>", f'<p class="meta">{html.escape(hidden_note(hidden))}</p></body>', 1) \
            if hidden else page
    if fmt == "tsv":
        return to_tsv(response) + (f"# {hidden_note(hidden)}\n" if hidden else "")
    if fmt == "tmx":
        return to_tmx(response, tool_version=options.get("tool_version", ""))
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(WRITERS)}")
    return WRITERS[fmt](response)


# ---------------------------------------------------------------- alignment JSON

def alignment_dict(response: pb.AlignResponse) -> dict[str, Any]:
    """An alignment (triglot.v1.AlignResponse) as the JSON of `triglot align --format json`."""
    def sentences(items: Any) -> list[dict[str, Any]]:
        return [{"index": s.index, "text": s.text, "start": s.start, "end": s.end} for s in items]

    return {
        "source_language": response.source_language,
        "target_language": response.target_language,
        "signature": response.signature,
        "source_sentences": sentences(response.source_sentences),
        "target_sentences": sentences(response.target_sentences),
        "beads": [{"source_ids": list(b.source_ids), "target_ids": list(b.target_ids), "score": b.score}
                  for b in response.beads],
    }
