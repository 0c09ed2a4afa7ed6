"""The translation channel's tokens (C loops) are those of the original loops, added in the same order."""
from __future__ import annotations

import random
import unicodedata

from triglot_server.engine.alignment.channels import nfkc, translation_tokens, translation_tokens_reference

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
