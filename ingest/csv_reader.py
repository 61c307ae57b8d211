"""CSV and Excel-exported CSV, in any common encoding and with any delimiter, streamed."""

from __future__ import annotations

import codecs
import csv
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from . import encoding as enc
from .raw import RawRecord, SourceError

DELIMITERS = ",;\t|"
# Undecodable bytes become this noncharacter (never valid in interchanged text, unlike
# U+FFFD, which real exports do contain), so the row holding them can be named.
_BAD = "\ufdd0"
codecs.register_error("ingest-mark", lambda exc: (_BAD, exc.end))
# A field may hold a long description, not a whole file.
csv.field_size_limit(10 * 1024 * 1024)


def read_csv(
    path: str | Path, *, encoding: str | None = None, delimiter: str | None = None
) -> Iterator[RawRecord]:
    with open(path, "rb") as raw:
        sample = raw.read(enc.SAMPLE_BYTES)
    if not sample.strip():
        raise SourceError("The file is empty.")
    if enc.looks_binary(sample):
        raise SourceError(
            "This is binary data (an archive, image or spreadsheet file?), not CSV text."
        )
    chosen = encoding or enc.detect(sample)
    try:
        text_sample = sample.decode(chosen, errors="ignore")
    except LookupError as exc:
        raise SourceError(f"Unknown encoding {chosen!r}.") from exc
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text_sample[:65536], delimiters=DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
    # One row with undecodable bytes is reported; the others are kept.
    handle = open(path, encoding=chosen, newline="", errors="ingest-mark")  # noqa: SIM115 - closed below
    try:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration as exc:
            raise SourceError("The file has no header row.") from exc
        # Windows-1258 text arrives with decomposed tone marks: compose (NFC) on the way in.
        header = [unicodedata.normalize("NFC", h.strip().lstrip("\ufeff")) for h in header]
        if len(set(header)) != len(header):
            raise SourceError("The header repeats a column name.", "row 1")
        row_number = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row_number = reader.line_num
                yield RawRecord(position=f"row {row_number}", error=f"unreadable CSV: {exc}")
                return
            row_number += 1
            if not any(cell.strip() for cell in row):
                continue
            position = f"row {row_number}"
            if any(_BAD in cell for cell in row):
                yield RawRecord(
                    position=position,
                    error=f"bytes that are not valid {chosen} in this row; give --encoding if the guess is wrong",
                )
                continue
            if len(row) != len(header):
                yield RawRecord(
                    position=position,
                    error=f"row has {len(row)} fields, the header has {len(header)}",
                )
                continue
            values = [unicodedata.normalize("NFC", cell) for cell in row]
            yield RawRecord(position=position, fields=dict(zip(header, values, strict=True)))
    finally:
        handle.close()
