"""Vietnamese-aware text normalisation, shared by every search backend and by ingest.

Tourists type "Chua Thien Mu" on phones without a Vietnamese keyboard, and
records arrive with the tone mark on either vowel of a diphthong ("hòa" in
the old style, "hoà" in the new). Matching must see through both, while a
query typed with the right diacritics should still rank exact matches first;
hence two keys: `fold` (no marks at all) and `tone_key` (marks kept, but the
tone's position within the syllable no longer matters).
"""

from __future__ import annotations

import re
import unicodedata

# Combining marks that carry a Vietnamese tone, mapped to the VNI tone number.
_TONES = {
    "\u0301": "1",  # sắc (acute)
    "\u0300": "2",  # huyền (grave)
    "\u0309": "3",  # hỏi (hook above)
    "\u0303": "4",  # ngã (tilde)
    "\u0323": "5",  # nặng (dot below)
}
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """NFC, no control characters, single spaces: the form stored in the catalogue."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch)[0] != "C")
    return _SPACE.sub(" ", text).strip()


class _FoldTable(dict):
    """str.translate's table for folding: combining marks dropped, đ and ð to d. Filled
    as characters are met, so folding costs a C-level lookup per character instead of a
    Python call (an index rebuild folds every name and text of the catalogue)."""

    def __missing__(self, code: int) -> int | str | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable({ord("đ"): "d", ord("ð"): "d"})


def fold(text: str) -> str:
    """Lowercase with every diacritic removed and đ mapped to d ("Huế" -> "hue")."""
    if text.isascii():  # the same result without the Unicode round trips
        return _SPACE.sub(" ", text.lower()).strip()
    stripped = unicodedata.normalize("NFD", text.casefold()).translate(_FOLD_TABLE)
    return _SPACE.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def _tone_key_word(word: str) -> str:
    if word.isascii():  # no marks to move
        return word
    decomposed = unicodedata.normalize("NFD", word)
    tones = [_TONES[ch] for ch in decomposed if ch in _TONES]
    base = "".join(ch for ch in decomposed if ch not in _TONES)
    return unicodedata.normalize("NFC", base) + "".join(tones)


def tone_key(text: str) -> str:
    """Lowercase text with diacritics kept but each tone moved to the end of its word.

    "hòa" and "hoà" both give "hoa2"; "Huế" gives "huê1" and "Huê" gives "huê",
    so an exact-diacritics match can be told from a folded-only one.
    """
    lowered = text.casefold()
    return " ".join(_tone_key_word(word) for word in _WORD.findall(lowered))


def slugify(text: str, max_length: int = 80) -> str:
    """An ASCII, hyphenated slug from any name ("Chùa Thiên Mụ" -> "chua-thien-mu")."""
    slug = _SLUG_JUNK.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "site"


def words(text: str) -> list[str]:
    """The words of an already folded or tone-keyed text, split as the full-text index does."""
    return _WORD.findall(text)


def folded_tokens(text: str) -> list[str]:
    """The words of a text, folded: what both backends match against `*_folded` fields."""
    return _WORD.findall(fold(text))


def exact_tokens(text: str) -> list[str]:
    """The words of a text as tone keys: what `name_exact` fields hold."""
    return tone_key(text).split()


def word_suffixes(text: str) -> list[str]:
    """Each tail of a folded name starting at a word ("chua thien mu", "thien mu", "mu"),
    so a search box finds "Chùa Thiên Mụ" from "thien m"."""
    words = folded_tokens(text)
    return [" ".join(words[i:]) for i in range(len(words))]
