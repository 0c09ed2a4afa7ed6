"""A content word that one version lacks while the others have it (or its machine gloss shows it).

Dictionary glosses are noisy, so a concept counts as missing from version B only when all of these hold:
- a word of version A has keys that meet none of B's keys in this row and its neighbours (nor B's gloss);
- it is confirmed: a word of a third version C (in another language than A: two copies in one language are not
  independent) shares one of those keys and is missing from B in the same way, or, failing a third version, A's own
  machine gloss says it (the machine reads the word as that concept);
- the place where B would say it holds nothing B does not share with A (and with C): a dropped word, not a
  paraphrase (see _dropped_cleanly).
Words the qualifiers detector tracks are left to it, and a word inside a diplomatic formula (data/formulae.tsv) that
B also says is said as a whole there. Without machine glosses the detector does no work at all:
dictionary keys miss a third to a half of the content words of faithful renderings (measured on the gold pairs of the
real readouts), so a word without a machine reading of it is no evidence (on the dev readouts every such finding was
false; it was also most of the cost of a long two-version comparison).
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from triglot_server.engine import lexicon
from triglot_server.engine.formulae import find_formulae
from triglot_server.engine.comparison.findings import Context, label, ordered, piece_ref, span_ref
from triglot_server.engine.comparison.model import Finding, FindingKind, FindingRef, Severity, VersionResult


# Words whose dictionary glosses look like content but are grammar (في "in" glossed "v", بين "between" glossed
# "clear"; 在 "at" glossed "exist"): never taken for a paraphrase of a missing word. English stopwords never
# reach the keys at all (lexicon.STOPWORDS).
FUNCTION_WORDS = {
    "ar": frozenset("في على من إلى الى عن مع بين أن إن أنه إنه التي الذي الذين هذا هذه ذلك تلك كل بعد قبل حول ضمن "
                    "عبر خلال لدى عند منذ حتى أو ثم قد لقد كما وفي وعلى ومن وإلى ومع وبين وأن وإن".split()),
    "zh": frozenset("的 了 在 和 与 同 向 对 将 等 并 也 都 是 而 及 以 为 于 把 被 从 给 就 又 还 其 之 所 则 这 那 "
                    "该 此 各 中 上 下".split()),
}

CONTEXT_ROWS_FOR_CONTENT = 1
"""A concept one version lacks in a row must be missing from its neighbouring rows too (this many on each side), so
that a word said one sentence earlier or later (a split the aligner drew differently) is not a difference."""


@dataclass(frozen=True)
class _Unit:
    """A content word of a row's material, with its place in reading order and its sentence."""

    sentence: int
    word: lexicon.ContentWord

    @property
    def keys(self) -> frozenset[str]:
        return self.word.keys


class Words:
    """The content words of each version's sentences (from the shared analyses) and of their glosses."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.versions = ctx.versions
        self.gloss_language = ctx.gloss_language
        self._gloss: dict[tuple[int, int], frozenset[str]] = {}
        self._formula: dict[tuple[int, int], list] = {}  # formula hits, found only when a word is judged

    def units(self, v: int, ids: Sequence[int]) -> list[_Unit]:
        """Content words of these sentences, without those inside a tracked qualifier (the qualifiers detector's)."""
        out = []
        for i in ids:
            analysis = self.ctx.analyses[v][i]
            spans = [(h.start, h.end) for h in analysis.qualifiers]
            out += [_Unit(i, w) for w in analysis.words
                    if not any(s < w.end and w.start < e for s, e in spans)]
        return out

    def keys(self, v: int, ids: Sequence[int]) -> frozenset[str]:
        keys: set[str] = set()
        for u in self.units(v, ids):
            keys |= u.keys
        return frozenset(keys)

    def formulae(self, v: int, ids: Sequence[int]) -> frozenset[str]:
        """The diplomatic formulae (data/formulae.tsv) these sentences say."""
        return frozenset(h.concept for i in ids for h in self._formula_hits(v, i))

    def in_formula(self, v: int, u: _Unit, concepts: frozenset[str]) -> bool:
        """Is the word inside one of its sentence's formulae whose concept is among `concepts`?"""
        return any(h.concept in concepts and h.start <= u.word.start and u.word.end <= h.end
                   for h in self._formula_hits(v, u.sentence))

    def _formula_hits(self, v: int, i: int) -> list:
        if (v, i) not in self._formula:
            self._formula[(v, i)] = find_formulae(self.versions[v].sentences[i].text, self.versions[v].language)
        return self._formula[(v, i)]

    def broad_keys(self, v: int, u: _Unit) -> frozenset[str]:
        """A word's keys and, for a Chinese compound, those of each of its characters (抗击 "resist" is also 抗
        "fight"): the wide reading of a word, used to decide that another version does NOT say it."""
        if self.versions[v].language != "zh" or len(u.word.text) < 2:
            return u.keys
        return u.keys | _character_keys(u.word.text)

    def wide_keys(self, v: int, ids: Sequence[int]) -> frozenset[str]:
        """Everything these sentences may be saying: their words' broad keys and their glosses' keys."""
        keys: set[str] = set(self.gloss_keys(v, ids) or ())
        for i in ids:  # every word, tracked qualifiers too: all that the sentences may be saying
            for w in self.ctx.analyses[v][i].words:
                keys |= self.broad_keys(v, _Unit(i, w))
        return frozenset(keys)

    def gloss_keys(self, v: int, ids: Sequence[int]) -> frozenset[str] | None:
        """Keys of the version's machine glosses of these sentences (None when it has none)."""
        version = self.versions[v]
        if not version.glosses or not all(version.trusted_gloss(i) for i in ids):
            return None  # no gloss, or one too shaky to count as evidence of what the sentences say
        keys: set[str] = set()
        for i in ids:
            if (v, i) not in self._gloss:
                self._gloss[(v, i)] = lexicon.sentence_keys(version.glosses[i], self.gloss_language)
            keys |= self._gloss[(v, i)]
        return frozenset(keys)


def _missing(words: Words, v: int, u: _Unit, absent: frozenset[str]) -> frozenset[str]:
    """The keys of version v's word u that another version (whose wide keys are `absent`) does not say.

    Part of a compound may be missing (战略伙伴 "strategic partner" against "partnership": strateg). A word missing
    as a whole counts only if none of its characters' senses is there either (抗击 "resist" against "fight", which
    is 抗): then the other version says it in other words."""
    if u.word.kind != "word":
        return frozenset()
    missing = frozenset(k for k in u.keys if not _related(frozenset((k,)), absent))
    if missing == u.keys and _related(words.broad_keys(v, u), absent):
        return frozenset()
    return missing


FUZZY_MIN = 5  # stems at least this long match when one starts the other


def _related(keys: frozenset[str], others: frozenset[str]) -> bool:
    """Do two key sets share a concept? Exact keys, or one stem the start of the other when both are long
    (partner / partnership): lenient on purpose, since it is used to explain words away."""
    if keys & others:
        return True
    starts = _starts(others)
    for k in keys:
        if len(k) >= FUZZY_MIN and not k.startswith("#"):
            if k in starts or any(k[:n] in others for n in range(FUZZY_MIN, len(k))):
                return True
    return False


@functools.lru_cache(maxsize=4096)
def _starts(keys: frozenset[str]) -> frozenset[str]:
    """Every beginning (of at least FUZZY_MIN characters) of the long word keys in a set."""
    return frozenset(k[:n] for k in keys if not k.startswith("#") for n in range(FUZZY_MIN, len(k) + 1))


def _dropped_cleanly(units_a: list[_Unit], k: int, units_b: list[_Unit], keys_a: frozenset[str],
                     language_b: str) -> bool:
    """Is A's unit k simply missing from B, rather than said in other words?

    A's nearest units before and after k that B also has locate the place where B would say it. There, and in the
    word where B would put a modifier, B must say nothing that A does not also say ("comprehensive partnership"
    where the others say "comprehensive strategic partnership"); otherwise B may well say it in other words (a
    paraphrase: "unconditional assistance" for "selfless assistance"). Function words do not count. A unit with no
    such place on either side is not judged: not clean."""
    def counterparts(step: int) -> list[int]:
        j = k + step
        while 0 <= j < len(units_a):
            hits = [q for q, b in enumerate(units_b) if _related(b.keys, units_a[j].keys)]
            if hits:
                return hits
            j += step
        return []

    left, right = counterparts(-1), counterparts(+1)
    if not left or not right:
        return False
    lo, hi = min(((l, r) for l in left for r in right), key=lambda lr: abs(lr[0] - lr[1]))
    lo, hi = min(lo, hi), max(lo, hi)
    # Where a modifier would stand: Arabic puts adjectives after their noun, English and Chinese before.
    beside = units_b[hi + 1:hi + 2] if language_b == "ar" else units_b[max(lo - 1, 0):lo]
    window = units_b[lo + 1:hi] + beside
    return all(_related(b.keys, keys_a) for b in window
               if b.word.kind == "word" and b.word.text not in FUNCTION_WORDS.get(language_b, ()))


def words(ctx: Context) -> Words:
    """The context's Words (made once per comparison, shared with the names detector)."""
    found = ctx.memo.get("words")
    if not isinstance(found, Words):
        found = ctx.memo["words"] = Words(ctx)
    return found


def detect(ctx: Context, r: int) -> list[Finding]:
    versions, specs, p = ctx.versions, ctx.specs, ctx.pivot
    n = len(versions)
    if not any(v.glosses for v in versions):
        # Dictionary keys alone miss a third to a half of the content words of a faithful pair (senses, not
        # morphology), and a third version's dictionary reading is as noisy: without a machine reading of the
        # versions, an untracked word is no evidence (tracked qualifiers are the qualifiers detector's).
        return []
    words_ = words(ctx)
    return _content_findings(versions, words_, specs, p, r, ctx)


def _content_findings(versions: list[VersionResult], words: Words, specs: list, p: int, r: int, ctx: Context
                      ) -> list[Finding]:
    spec, n = specs[r], len(versions)
    groups: dict[tuple[int, frozenset[str]], dict[tuple[int, int, int], _Unit]] = {}
    for b in range(n):
        around = [i for s in specs[max(r - CONTEXT_ROWS_FOR_CONTENT, 0):r + CONTEXT_ROWS_FOR_CONTENT + 1]
                  for i in s.ids[b]]
        absent = words.wide_keys(b, around)
        for a in range(n):
            if a == b or ctx.same_language(a, b):
                continue  # versions in one language are diffed directly (same_language)
            ma, mb = spec.material(p, a, b), spec.material(p, b, a)
            if not ma or not mb:
                continue
            ua, ub = words.units(a, ma), words.units(b, mb)
            keys_a = words.keys(a, ma)
            said_b = words.formulae(b, around)
            for k, u in enumerate(ua):
                if words.in_formula(a, u, said_b):
                    continue  # a formula B says too: said as a whole there (exchanged views = تبادل وجهات النظر)
                missing = _missing(words, a, u, absent)
                if not missing or not _dropped_cleanly(ua, k, ub, keys_a, versions[b].language):
                    continue
                confirmations = []
                for c in range(n):
                    if c in (a, b) or ctx.same_language(a, c):
                        continue  # a copy in A's language is no independent confirmation
                    mc = spec.material(p, c, b)
                    if not mc or set(spec.material(p, c, a)) != set(mc):
                        continue
                    uc, keys_c = words.units(c, mc), words.keys(c, mc)
                    for q, w in enumerate(uc):
                        missing_w = _missing(words, c, w, absent)
                        shared = missing & missing_w
                        # Synonyms are not parts: at least one of the two words must be missing as a whole.
                        whole = missing == u.keys or missing_w == w.keys
                        if shared and whole and _dropped_cleanly(uc, q, ub, keys_c, versions[b].language):
                            confirmations.append((c, w, frozenset(shared)))
                if not confirmations and n == 2 and versions[a].language != words.gloss_language:
                    # The machine's reading of A names which of the word's senses is meant (strategic, not partner).
                    gloss = words.gloss_keys(a, ma)
                    if gloss is not None and missing & gloss:
                        confirmations.append((a, u, frozenset(missing & gloss)))
                for c, w, shared in confirmations:
                    group = groups.setdefault((b, shared), {})
                    group[(a, u.sentence, u.word.start)] = u
                    if c != a:
                        group[(c, w.sentence, w.word.start)] = w
    findings = []
    merged: dict[int, list[tuple[frozenset[str], dict[tuple[int, int, int], _Unit]]]] = {}
    for (b, shared), units in groups.items():
        # One finding per concept: several shared keys of the same words are one concept.
        for _, known in merged.setdefault(b, []):
            if set(known) & set(units):
                known.update(units)
                break
        else:
            merged[b].append((shared, units))
    for b, concepts in merged.items():
        for shared, units in concepts:
            owners = sorted(units)  # (version, sentence, start) of each unit
            refs = [_unit_ref(versions[a], u) for (a, _, _), u in sorted(units.items())]
            mb = sorted({i for (a, sentence, _) in units for i in spec.linked(p, a, sentence, b)}
                        ) or spec.material(p, b, owners[0][0])
            refs += [span_ref(versions[b], i) for i in mb]
            quoted = " / ".join(f"{versions[a].name} {u.sentence} “{u.word.text}”" for (a, _, _), u in
                                sorted(units.items()))
            english = [u.word.text for (a, _, _), u in sorted(units.items()) if versions[a].language == "en"]
            concept = english[0] if english else "/".join(sorted(shared)) + "…"
            findings.append(Finding(
                FindingKind.CONTENT_DIFFERENCE, ordered(refs, versions),
                f"{quoted} ({concept}) has no counterpart in {label(versions[b], mb)}", Severity.MEDIUM, r,
                0.6 if len({a for a, _, _ in units}) >= 2 else 0.45))
    return findings


def _unit_ref(version: VersionResult, u: _Unit) -> FindingRef:
    return piece_ref(version, u.sentence, u.word.start, u.word.end)


@functools.lru_cache(maxsize=8192)
def _character_keys(word: str) -> frozenset[str]:
    """The keys of each character of a Chinese word, read alone."""
    return frozenset().union(*(lexicon.sentence_keys(ch, "zh") for ch in word))
