"""The translation channel's tokens (C loops) are those of the original loops, added in the same order."""
from __future__ import annotations

import random
import unicodedata
from collections import Counter

from triglot_server.engine.alignment.channels import nfkc, translation_tokens, translation_tokens_reference
from triglot_server.engine.alignment.learned import MAX_SHARE, Tokens, sentence_tokens

# Letters, digits, punctuation of the scripts the documents use, and what NFKC changes: full-width forms,
# compatibility ideographs and radicals, ligatures, combining marks, the ideographic space, an ellipsis.
_ALPHABET = ([chr(c) for c in range(32, 0x250)] + [chr(c) for c in range(0x300, 0x370)] + list("أإآىةوفبلكال١٢")
             + [chr(c) for c in range(0x2000, 0x2100)] + [chr(c) for c in range(0x2E80, 0x3100)]
             + [chr(c) for c in range(0x3200, 0x3400)] + [chr(c) for c in range(0x4E00, 0x4E40)]
             + [chr(c) for c in range(0xF900, 0xF940)] + [chr(c) for c in range(0xFE00, 0x10000, 7)]
             + ["\U00020000", "\U0002F800", "\U0001D400", "\U0001F100", "\u064B", "\u0640"])
_SENTENCES = ["Wang Yi said: “China and Iraq are friends.”", "王毅说，中国和伊拉克是朋友。",
              "ＡＢＣ１２３，ｘｙｚ…", "第十二條（甲）", "Ⅻ ﬁnal ½ ™ ㈠ ⼀", "قال وزير الخارجية", ""]


def _texts() -> list[str]:
    rng = random.Random(3)
    return _SENTENCES + ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 30))) for _ in range(3000)]


def test_the_tokens_and_their_order_are_the_reference_s() -> None:
    for text in _texts():
        assert nfkc(text) == unicodedata.normalize("NFKC", text)
        for language in ("en", "zh", "ar"):
            for bigrams in (True, False):
                assert list(translation_tokens(text, language, bigrams)) == \
                       list(translation_tokens_reference(text, language, bigrams))


def test_tokens_split_at_once_are_those_split_sentence_by_sentence() -> None:
    texts = _texts()[:400] * 3  # repeated: tokens in several sentences are kept (see Tokens)
    for language in ("en", "zh"):
        joined = [" ".join(sentence_tokens(t, language)) for t in texts]
        tokens = Tokens(texts, language, 1, joined)
        assert Tokens(texts, language, 1).ids.tolist() == tokens.ids.tolist()
        vocab: dict[str, int] = {}
        ids, offsets = [], [0]
        for bag in joined:  # the original loop: ids by first occurrence, then the rare and the common left out
            ids.append([vocab.setdefault(t, len(vocab) + 1) for t in bag.split()])
        df = Counter(i for bag in ids for i in bag)
        kept = [[i for i in bag if 2 <= df[i] <= MAX_SHARE * len(texts)] for bag in ids]
        for bag in kept:
            offsets.append(offsets[-1] + len(bag))
        assert tokens.vocab == vocab and tokens.size == len(vocab) + 1
        assert tokens.ids.tolist() == [i for bag in kept for i in bag] and tokens.offsets.tolist() == offsets
