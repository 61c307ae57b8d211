"""The workspace and the tourist app speak Vietnamese, English and French: no text is left
untranslated (both use the one catalogue)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po


def test_every_text_of_the_pages_is_translated_to_vietnamese_and_french():
    root = Path(__file__).parents[2] / "tourism_api"
    web = root / "web"
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    used = {
        message
        for folder in (web, root / "explore")
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map, keywords={"_": None, "N_": None}
        )
        if isinstance(message, str)
    }
    assert len(used) > 100
    for locale in ("vi", "fr"):
        with open(web / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
            catalog = read_po(handle)
        translated = {m.id for m in catalog if m.id and m.string}
        assert used - translated == set(), f"untranslated in {locale}"
