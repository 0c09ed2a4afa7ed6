"""Two versions in one language (an original and an edited copy), compared with each other directly: a word diff
of their linked sentences (a character diff for Chinese). Changes inside numbers, dates and names are left to the
anchors and names detectors, so one changed number is one finding, not two; punctuation and spacing are no change.
"""
from __future__ import annotations

import difflib
import re

from triglot_server.engine import text
from triglot_server.engine.comparison.findings import Context, label, ordered, piece_ref
from triglot_server.engine.comparison.model import Finding, FindingKind, FindingRef, Severity

_WORD = re.compile(r"\w+", re.UNICODE)


def _tokens(sentence: str, language: str) -> list[tuple[int, int, str]]:
    if language == "zh":
        return [(m.start(), m.end(), m.group()) for m in text.HAN.finditer(sentence)] + \
            [(m.start(), m.end(), m.group()) for m in re.finditer(r"[A-Za-z0-9]+", sentence)]
    return [(m.start(), m.end(), text.normalise_token(m.group(), language)) for m in _WORD.finditer(sentence)]


def detect(ctx: Context, r: int) -> list[Finding]:
    versions = ctx.versions
    findings = []
    for a, b, ma, mb in ctx.pairs(r):
        if not ctx.same_language(a, b):
            continue
        language = versions[a].language
        ta = [(i, *t) for i in ma for t in sorted(_tokens(ctx.analyses[a][i].text, language))]
        tb = [(i, *t) for i in mb for t in sorted(_tokens(ctx.analyses[b][i].text, language))]
        anchored_a = {(i, s) for i in ma for x in ctx.analyses[a][i].anchors for s in range(x.start, x.end)}
        anchored_b = {(i, s) for i in mb for x in ctx.analyses[b][i].anchors for s in range(x.start, x.end)}
        matcher = difflib.SequenceMatcher(None, [t[3] for t in ta], [t[3] for t in tb], autojunk=False)
        refs: dict[FindingRef, None] = {}
        changes = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            pa = [t for t in ta[i1:i2] if (t[0], t[1]) not in anchored_a]
            pb = [t for t in tb[j1:j2] if (t[0], t[1]) not in anchored_b]
            if not pa and not pb:
                continue  # the change is inside an anchor: the anchors or names detector reports it
            joiner = "" if language == "zh" else " "
            changes.append(f"“{joiner.join(t[3] for t in ta[i1:i2]) or '∅'}” → "
                           f"“{joiner.join(t[3] for t in tb[j1:j2]) or '∅'}”")
            for version, part in ((versions[a], pa), (versions[b], pb)):
                for i in dict.fromkeys(t[0] for t in part):  # one span per sentence the change touches
                    mine = [t for t in part if t[0] == i]
                    refs[piece_ref(version, i, mine[0][1], mine[-1][2])] = None
        if changes:
            findings.append(Finding(
                FindingKind.CONTENT_DIFFERENCE, ordered(refs, versions),
                f"{label(versions[a], ma)} and {label(versions[b], mb)} differ: " + "; ".join(changes[:8])
                + (f" (and {len(changes) - 8} more)" if len(changes) > 8 else ""), Severity.MEDIUM, r, 0.9))
    return findings
