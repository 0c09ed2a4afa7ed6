"""Evidence channels: each is an idf-weighted sparse vector per sentence on both sides, compared by cosine.

A channel is a `Channel` (two `Vectors` and how a merged bead's members are combined); a new kind of evidence is a
function that turns each side's sentences into bags of keys and calls `vectors_pair`. Today: lexicon keys
(language-neutral: zh/en/ar compare directly), and tokens of a translation against the other side.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from itertools import chain

import numpy as np

from triglot_server.engine import resources
from triglot_server.engine.alignment import dp
from triglot_server.engine.alignment.compiled import njit
from triglot_server.engine.text import AR_MARKS, HAN, HAN_CHARS

# A merged bead's similarity mixes the cosine of the merged texts with per-member cosines (each sentence of the bead
# against the other side's merged text): for dictionary keys the weakest member's (so a long sentence cannot carry an
# unrelated short neighbour: glosses are sparse, any real member should show some), for a translation the members'
# mean (a translation sees most content, so each member's fit is measured well and weighed by its share).
MERGE_MIX = 0.5  # lexicon channel: weight of the weakest member's cosine
TRANS_MERGE_MIX = 0.7  # translation channels: weight of the members' mean cosine
BIGRAM_WEIGHT = 0.25  # Chinese translation evidence: character bigrams count this much next to single characters


# ---------------------------------------------------------------- sparse sentence vectors

@dataclass
class Vectors:
    """Idf-weighted bag of keys for each of `n` sentences: entries (sentence id, key id, weight)."""

    n: int
    sid: np.ndarray
    kid: np.ndarray
    w: np.ndarray

    def downsample(self, f: int) -> "Vectors":
        """Blocks of f consecutive sentences, each the sum of its sentences' vectors (compiled; the same floats as
        `downsample_reference`)."""
        if not _by_sentence(self.sid):
            return self.downsample_reference(f)
        sid, kid, w = _merge_blocks(self.sid, self.kid, self.w, f)
        return Vectors(-(-self.n // f), sid, kid, w)

    def downsample_reference(self, f: int) -> "Vectors":
        k = int(self.kid.max(initial=0)) + 1
        code = (self.sid // f) * k + self.kid
        uniq, inv = np.unique(code, return_inverse=True)
        w = np.bincount(inv, weights=self.w, minlength=len(uniq))
        return Vectors(-(-self.n // f), uniq // k, uniq % k, w)

    def span_norms(self, reach: int = 3) -> tuple[np.ndarray, list[np.ndarray]]:
        """Squared norm of each sentence, and its dot products with the sentences 1..reach after it (merged beads)
        (compiled; the same floats as `span_norms_reference`)."""
        if not _by_sentence(self.sid):
            return self.span_norms_reference(reach)
        norm, dots = _span_norms(self.sid, self.kid, self.w, self.n, reach)
        return norm, list(dots)

    def span_norms_reference(self, reach: int = 3) -> tuple[np.ndarray, list[np.ndarray]]:
        norm = np.bincount(self.sid, weights=self.w * self.w, minlength=self.n)
        k = int(self.kid.max(initial=0)) + 1
        code = self.sid * k + self.kid
        order = np.argsort(code)
        code, w, sid = code[order], self.w[order], self.sid[order]
        out = []
        for d in range(1, reach + 1):
            shifted = code + d * k  # key of sentence s shows up as sentence s + d
            pos = np.searchsorted(code, shifted)
            pos = np.minimum(pos, len(code) - 1)
            hit = (code[pos] == shifted) if len(code) else np.zeros(0, bool)
            out.append(np.bincount(sid[hit], weights=w[hit] * w[pos[hit]], minlength=self.n))
        return norm, out


# Postings come by sentence (vectors_pair builds them so, downsample keeps it); the kernels below rely on it and
# the callers check it (a hand-built Vectors in any order takes the numpy path).

@njit(cache=True, nogil=True)
def _by_sentence(sid):
    for e in range(1, len(sid)):
        if sid[e] < sid[e - 1]:
            return False
    return True


SMALL_RUN = 32  # a sentence's keys are sorted by insertion up to this many, else by numpy's mergesort


@njit(cache=True, nogil=True)
def _order_in_blocks(sid, kid, f):
    """Order of the postings by (sid // f, key), given postings by sentence, equal keys in posting order (a
    stable sort of each block by key): each sentence's keys sorted (unless they ascend already), then the
    sentences of a block merged two by two."""
    n = len(sid)
    order = np.arange(n)
    buf = np.empty(n, dtype=np.int64)
    starts = np.empty(f + 1, dtype=np.int64)
    a = 0
    while a < n:
        block = sid[a] // f
        runs = 0
        z = a
        while z < n and sid[z] // f == block:  # one run per sentence
            starts[runs] = z
            runs += 1
            e = z + 1
            while e < n and sid[e] == sid[z]:
                e += 1
            ascending = True
            for r in range(z + 1, e):
                if kid[r] < kid[r - 1]:
                    ascending = False
                    break
            if not ascending:
                if e - z > SMALL_RUN:
                    order[z:e] = z + np.argsort(kid[z:e], kind="mergesort")
                else:
                    for r in range(z + 1, e):  # insertion: stable (moves past strictly greater keys only)
                        x = order[r]
                        q = r
                        while q > z and kid[order[q - 1]] > kid[x]:
                            order[q] = order[q - 1]
                            q -= 1
                        order[q] = x
            z = e
        starts[runs] = z
        while runs > 1:  # merge neighbouring runs, the left one first on equal keys (stable)
            merged = 0
            for r in range(0, runs, 2):
                lo_, mid = starts[r], starts[r + 1]
                hi = starts[r + 2] if r + 2 <= runs else mid
                i, j, o = lo_, mid, lo_
                while i < mid and j < hi:
                    if kid[order[j]] < kid[order[i]]:
                        buf[o] = order[j]
                        j += 1
                    else:
                        buf[o] = order[i]
                        i += 1
                    o += 1
                while i < mid:
                    buf[o] = order[i]
                    i += 1
                    o += 1
                while j < hi:
                    buf[o] = order[j]
                    j += 1
                    o += 1
                starts[merged] = lo_
                merged += 1
            starts[merged] = z
            order[a:z] = buf[a:z]
            runs = merged
        a = z
    return order


@njit(cache=True, nogil=True)
def _span_norms(sid, kid, w, n, reach):
    """`Vectors.span_norms` from postings by sentence: the squared norms summed in posting order (as bincount
    does), and dots[d - 1, s] = vector s . vector s + d: sentence s + d's keys marked in a table by key (the first
    posting of a key in key order, as the reference's search finds it), sentence s's postings looked up there in
    key order and the products summed so."""
    norm = np.zeros(n)
    for e in range(len(sid)):
        norm[sid[e]] += w[e] * w[e]
    order = _order_in_blocks(sid, kid, 1)  # each sentence's postings by key (as they come in merged blocks)
    seg = np.searchsorted(sid, np.arange(n + 1))
    dots = np.zeros((reach, n))
    n_keys = kid.max() + 1 if len(kid) else 0
    mark = np.full(n_keys, -1, dtype=np.int64)  # the sentence whose weight of the key `weight` holds
    weight = np.zeros(n_keys)
    for t in range(1, n):
        for r in range(seg[t + 1] - 1, seg[t] - 1, -1):  # backwards: a key's first posting is marked last
            f = order[r]
            mark[kid[f]] = t
            weight[kid[f]] = w[f]
        for d in range(1, min(reach, t) + 1):
            s = t - d
            acc = 0.0
            for r in range(seg[s], seg[s + 1]):
                e = order[r]
                if mark[kid[e]] == t:
                    acc += w[e] * weight[kid[e]]
            dots[d - 1, s] = acc
    return norm, dots


@njit(cache=True, nogil=True)
def _merge_blocks(sid, kid, w, f):
    """Postings of blocks of f sentences (by block, then key), each key's weights summed in posting order."""
    out_sid = np.empty(len(sid), dtype=np.int64)
    out_kid = np.empty(len(sid), dtype=np.int64)
    out_w = np.empty(len(sid))
    order = _order_in_blocks(sid, kid, f)  # stable: equal keys stay in posting order
    k = 0
    a = 0
    while a < len(sid):
        block = sid[a] // f
        z = a + 1
        while z < len(sid) and sid[z] // f == block:
            z += 1
        r = a
        while r < z:
            key = kid[order[r]]
            acc = 0.0
            while r < z and kid[order[r]] == key:
                acc += w[order[r]]
                r += 1
            out_sid[k], out_kid[k], out_w[k] = block, key, acc
            k += 1
        a = z
    return out_sid[:k], out_kid[:k], out_w[:k]


def vectors_pair(src_bags: list, tgt_bags: list, bigram_weight: float = 1.0) -> tuple[Vectors, Vectors]:
    """Vectors for both sides with idf over the sentences of both documents (frequent keys carry little).
    Chinese character bigrams get `bigram_weight` times their idf: single characters already see the shared
    words, and bigrams of a machine translation often differ from the reference's wording."""
    # Key ids in order of first appearance (source then target); the loops run in C (map, chain, fromiter).
    flat = [list(chain.from_iterable(bags)) for bags in (src_bags, tgt_bags)]
    vocab = {key: k for k, key in enumerate(dict.fromkeys(chain(*flat)))}
    parts = []
    for bags, keys in zip((src_bags, tgt_bags), flat):
        sizes = np.fromiter(map(len, bags), dtype=np.int64, count=len(bags))
        kid = np.fromiter(map(vocab.__getitem__, keys), dtype=np.int64, count=len(keys))
        parts.append((np.repeat(np.arange(len(bags), dtype=np.int64), sizes), kid))
    df = np.bincount(np.concatenate([parts[0][1], parts[1][1]]), minlength=len(vocab)).astype(float)
    idf = np.log((len(src_bags) + len(tgt_bags) + 1) / np.maximum(df, 1.0))
    if bigram_weight != 1.0:
        for key, k in vocab.items():
            if len(key) == 2 and HAN.match(key):
                idf[k] *= bigram_weight
    return tuple(Vectors(len(bags), s, k, idf[k]) for bags, (s, k) in zip((src_bags, tgt_bags), parts))


CHUNK_PAIRS = 2_000_000  # posting pairs summed per pass (the numpy reference's memory bound; kept: same float sums)


def _kept_postings(kid: np.ndarray, count: np.ndarray, max_pairs: int) -> np.ndarray:
    """Indices of the source postings to pair (those with a partner in the band); when they pair more than
    `max_pairs`, the keys with the most pairs are left out (least idf weight, most time)."""
    keep = np.ones(len(count), dtype=bool)
    if int(count.sum()) > max_pairs:
        per_key = np.bincount(kid, weights=count)
        heavy = np.argsort(-per_key)
        excess = np.cumsum(per_key[heavy]) - (per_key.sum() - max_pairs)
        drop = heavy[: int(np.searchsorted(excess, 0.0)) + 1]
        keep = ~np.isin(kid, drop)
    return np.nonzero(keep & (count > 0))[0]


def band_dots(x: Vectors, y: Vectors, band: dp.Band, max_pairs: int = 40_000_000) -> np.ndarray:
    """S[i, c] = x_{i-1} . y_{j-1} with j = band.lo[i] + c (zero outside the documents), from posting lists.

    When the band pairs too many postings (a key in most sentences), the most frequent keys are left out: they carry
    the least idf weight and cost the most time. A compiled loop over the postings (`band_dots_reference` is the
    numpy original: the same pairs are summed in the same order, so both give the same floats).
    """
    rows, width = band.rows, band.width
    out = np.zeros(rows * width)
    if len(x.sid) == 0 or len(y.sid) == 0:
        return out.reshape(rows, width)
    m1 = y.n + 1
    n_keys = int(max(x.kid.max(), y.kid.max())) + 1
    first, tq, tw = _by_key(y.kid, y.sid, y.w, n_keys)
    start, count = _ranges(first, tq, x.kid, x.sid, band.lo, width, m1)
    idx = _kept_postings(x.kid, count, max_pairs)
    # Pass boundaries as the reference cuts them (about CHUNK_PAIRS pairs each): a cell summed over two passes adds
    # its two partial sums, so the floats only match when the passes match.
    cum = np.cumsum(count[idx])
    cuts = [0]
    while cuts[-1] < len(idx):
        lo_pos = cuts[-1]
        base = cum[lo_pos - 1] if lo_pos else 0
        cuts.append(max(lo_pos + 1, int(np.searchsorted(cum, base + CHUNK_PAIRS, side="right"))))
    _accumulate(out, width, band.lo, x.sid, x.w, idx, start, count, tq, tw, np.asarray(cuts, dtype=np.int64))
    return out.reshape(rows, width)


@njit(cache=True, nogil=True)
def _by_key(kid, sid, w, n_keys):
    """The postings by (key, sentence) as the sentences and weights of each key's run, and where each key's run
    starts (first[k] .. first[k + 1]): a counting sort by key, stable, so sentences stay ascending when they were
    (a Vectors' postings are by sentence); otherwise a sort of the (key, sentence) codes first."""
    if not _by_sentence(sid):
        order = np.argsort(kid * (sid.max() + 1) + sid)
        kid, sid, w = kid[order], sid[order], w[order]
    n = len(kid)
    first = np.zeros(n_keys + 1, dtype=np.int64)
    for e in range(n):
        first[kid[e] + 1] += 1
    for k in range(n_keys):
        first[k + 1] += first[k]
    fill = first[:-1].copy()
    tq = np.empty(n, dtype=np.int64)
    tw = np.empty(n)
    for e in range(n):
        k = kid[e]
        p = fill[k]
        tq[p] = sid[e]
        tw[p] = w[e]
        fill[k] = p + 1
    return first, tq, tw


@njit(cache=True, nogil=True)
def _lower_bound(v, a, b, x):
    """First index in a .. b (v ascending there) whose value is >= x."""
    while a < b:
        mid = (a + b) >> 1
        if v[mid] < x:
            a = mid + 1
        else:
            b = mid
    return a


@njit(cache=True, nogil=True)
def _gallop(v, a, b, x):
    """`_lower_bound` for an answer likely close to a: steps of 1, 2, 4, ... then a search of the last step."""
    step = 1
    lo_ = a
    while a < b and v[a] < x:
        lo_ = a + 1
        a = min(a + step, b)
        step *= 2
    return _lower_bound(v, lo_, a, x)


@njit(cache=True, nogil=True)
def _ranges(first, tq, kid, sid, lo, width, m1):
    """For each source posting, the target postings of its key inside its row's band: first index and count.
    Each key keeps where its last search ended: rows come in order and the band moves right, so the next
    search of the key starts there (and searches its run from the start when the band moved left)."""
    n = len(kid)
    start = np.empty(n, dtype=np.int64)
    count = np.empty(n, dtype=np.int64)
    cursor = first[:-1].copy()
    for e in range(n):
        lo_q = lo[sid[e] + 1] - 1
        k = kid[e]
        k0, k1, c = first[k], first[k + 1], cursor[k]
        a = _lower_bound(tq, k0, c, lo_q) if c > k0 and tq[c - 1] >= lo_q else _gallop(tq, c, k1, lo_q)
        cursor[k] = a
        start[e] = a
        count[e] = _gallop(tq, a, k1, min(lo_q + width, m1)) - a
    return start, count


@njit(cache=True, nogil=True)
def _accumulate(out, width, lo, xsid, xw, idx, start, count, tq, tw, cuts):
    single = len(cuts) <= 2
    part = out if single else np.zeros(len(out))
    for c in range(len(cuts) - 1):
        for k in range(cuts[c], cuts[c + 1]):
            e = idx[k]
            row = xsid[e] + 1
            base = row * width + 1 - lo[row]
            w = xw[e]
            for t in range(start[e], start[e] + count[e]):
                part[base + tq[t]] += w * tw[t]
        if not single:
            for cell in range(len(out)):
                out[cell] += part[cell]
                part[cell] = 0.0


def band_dots_reference(x: Vectors, y: Vectors, band: dp.Band, max_pairs: int = 40_000_000) -> np.ndarray:
    """`band_dots` in numpy (the original, kept to check the compiled one against: both give the same floats)."""
    rows, width = band.rows, band.width
    out = np.zeros(rows * width)
    if len(x.sid) == 0 or len(y.sid) == 0:
        return out.reshape(rows, width)
    m1 = y.n + 1
    tcode = y.kid * m1 + y.sid
    order = np.argsort(tcode)
    tcode, tw, tq = tcode[order], y.w[order], y.sid[order]
    lo_q = band.lo[x.sid + 1] - 1  # first target sentence in the band of source sentence p's row
    start = np.searchsorted(tcode, x.kid * m1 + lo_q)
    end = np.searchsorted(tcode, x.kid * m1 + np.minimum(lo_q + width, m1))
    count = end - start
    idx = _kept_postings(x.kid, count, max_pairs)
    chunk = CHUNK_PAIRS
    lo_pos = 0
    cum = np.cumsum(count[idx])
    while lo_pos < len(idx):
        # Take entries until about `chunk` pairs, so memory stays bounded.
        base = cum[lo_pos - 1] if lo_pos else 0
        hi_pos = max(lo_pos + 1, int(np.searchsorted(cum, base + chunk, side="right")))
        sel = idx[lo_pos:hi_pos]
        cnt = count[sel]
        rep = np.repeat(np.arange(len(sel)), cnt)
        first = np.repeat(np.cumsum(cnt) - cnt, cnt)
        tpos = np.repeat(start[sel], cnt) + (np.arange(len(rep)) - first)
        p = x.sid[sel][rep]
        cell = (p + 1) * width + (tq[tpos] + 1 - band.lo[p + 1])
        out += np.bincount(cell, weights=x.w[sel][rep] * tw[tpos], minlength=rows * width)
        lo_pos = hi_pos
    return out.reshape(rows, width)


# ---------------------------------------------------------------- tokens for translation evidence

_WORD = re.compile(r"[^\W_]+")
_STEM = re.compile(r"([^\W_]{1,5})[^\W_]*")  # a word's first five letters (`_WORD` cut to five, in one C loop)
_NON_HAN_STEM = re.compile(f"([^\\W_{HAN_CHARS}]{{1,5}})[^\\W_{HAN_CHARS}]*")  # the same for the words between Han
_NON_HAN = re.compile(f"[^{HAN_CHARS}]+")
_ASCII_WORDS = bytes(c if chr(c).isalnum() else 32 for c in range(128)).ljust(256, b" ")  # else a space: `_WORD`
_AR_LETTERS = str.maketrans("أإآىة", "ااايه")
_AR_PREFIX = re.compile("^(?:و|ف)?(?:ب|ل|ك)?(?:ال)?")


@resources.once
def _compatibility_ascii() -> list[int | str]:
    """A `str.translate` table of the Basic Multilingual Plane: the characters (of the blocks Chinese text takes
    punctuation from) whose compatibility decomposition is ASCII, to it (full-width forms, the ideographic space, the
    ellipsis), every other one to itself (a list: a dict would raise a KeyError for each of them)."""
    table: list[int | str] = list(range(0x10000))
    for code in chain(range(0xA0, 0x3400), range(0xFE00, 0x10000)):
        plain = unicodedata.normalize("NFKD", chr(code))
        if plain != chr(code) and plain.isascii():
            table[code] = plain
    return table


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), faster on Chinese: its full-width punctuation makes NFKC take its slow
    path for every sentence. Replacing a character by its compatibility decomposition leaves the text's NFKC as
    it was (NFKC starts by decomposing each character), so when the text is normalised after that, it is the NFKC."""
    if text.isascii():
        return text
    plain = text.translate(_compatibility_ascii())
    return plain if unicodedata.is_normalized("NFKC", plain) else unicodedata.normalize("NFKC", text)


def translation_tokens(text: str, language: str, bigrams: bool = True) -> set[str]:
    """Tokens for comparing a translation with a sentence of the same language.

    Chinese: characters and character bigrams (no word segmentation needed; tokenised input is joined back).
    English/Arabic: words cut to their first five letters, a crude stemmer that needs no data (Arabic after
    normalising alef/ya/ta marbuta and dropping conjunction, preposition and article prefixes).

    The tokens are added in the order of `translation_tokens_reference` (the set iterates the same way, so a
    table numbering tokens by first occurrence numbers them the same), by C loops: a book has 70,000 sentences.
    """
    if language == "ar":  # the original loop: its prefixes are stripped word by word (and readouts are short)
        return translation_tokens_reference(text, language, bigrams)
    text = nfkc(text).lower()
    if language == "zh":
        han = _NON_HAN.sub("", text)  # the Han characters, joined
        tokens = set(han)
        if bigrams:
            tokens.update(map(str.__add__, han, han[1:]))
        tokens.update(_NON_HAN_STEM.findall(text))
        return tokens
    if text.isascii():  # `_WORD`'s letters and digits are [a-z0-9] here: the rest become spaces, and split
        return {word[:5] for word in text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()}
    return set(_STEM.findall(text))


def translation_tokens_reference(text: str, language: str, bigrams: bool = True) -> set[str]:
    """`translation_tokens` as first written (kept to check it against: the same tokens, added in the same order;
    still the one for Arabic)."""
    text = unicodedata.normalize("NFKC", text).lower()
    tokens: set[str] = set()
    if language == "zh":
        han = "".join(HAN.findall(text))
        tokens.update(han)
        if bigrams:
            tokens.update(han[k:k + 2] for k in range(len(han) - 1))
        for word in _WORD.findall(HAN.sub(" ", text)):
            tokens.add(word[:5])
        return tokens
    if language == "ar":
        text = AR_MARKS.sub("", text).translate(_AR_LETTERS)
    for word in _WORD.findall(text):
        if language == "ar":
            stripped = _AR_PREFIX.sub("", word)
            word = stripped if len(stripped) >= 2 else word
        tokens.add(word[:5])
    return tokens


class ChannelKind(str, Enum):
    """What a channel compares (its name in the alignment's signature)."""

    LEXICON = "lexicon"  # dictionary keys of both sides
    TRANSLATION = "translation"  # a given translation of the source against the target
    BACK_TRANSLATION = "back-translation"  # the source against a given translation of the target
    LEARNED = "learned"  # a word table learned from the documents' first alignment (`learned`)


TRANSLATIONS = frozenset({ChannelKind.TRANSLATION, ChannelKind.BACK_TRANSLATION})


@dataclass
class Channel:
    name: ChannelKind
    x: Vectors
    y: Vectors
    merge_mix: float = 0.0  # weight of the per-member cosines in a merged bead's similarity
    weakest: bool = True  # per-member cosines combined by their minimum (else by their mean)

