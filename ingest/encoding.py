"""Guessing the text encoding of a spreadsheet export.

Excel and older Vietnamese systems write UTF-8 with a BOM, UTF-16, Windows-1258
or Latin-1. A BOM settles it; otherwise UTF-8 is tried first (it almost never
decodes by accident), then Windows-1258 and Latin-1 compete on which one turns
the bytes into plausible Vietnamese or Western European letters.
"""

from __future__ import annotations

import codecs
import unicodedata

SAMPLE_BYTES = 1 << 20
_VIETNAMESE = set("ăâđêôơưĂÂĐÊÔƠƯ")
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WESTERN = set("éèêëàâäçîïôöùûüÿœæÉÈÀÇñóíúáã")


def _score(text: str, letters: set[str]) -> int:
    score = 0
    for i, ch in enumerate(text):
        if (
            ch in letters
            or ch in _TONE_MARKS
            and i
            and unicodedata.category(text[i - 1]).startswith("L")
        ):
            score += 2
        elif unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\r\n\t":
            score -= 5
    return score


def detect(sample: bytes) -> str:
    """A Python codec name for the sample's encoding."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A character cut at the end of the sample is not a decoding error.
        if exc.start >= len(sample) - 3 and exc.reason.startswith("unexpected end"):
            return "utf-8"
    vietnamese = _score(sample.decode("cp1258", errors="replace"), _VIETNAMESE)
    western = _score(sample.decode("latin-1"), _WESTERN)
    return "cp1258" if vietnamese > western else "latin-1"


def looks_binary(sample: bytes) -> bool:
    """True for data no text export contains: NUL bytes outside UTF-16, archive magic numbers."""
    if sample.startswith((b"PK\x03\x04", b"\x1f\x8b", b"%PDF", b"\x89PNG", b"\xff\xd8\xff")):
        return True
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in sample
