"""What every reader yields: one source record with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tourism_api.errors import InvalidInput


@dataclass
class RawRecord:
    # Where in the source: "row 12", "feature 3", "way/123", "result 7".
    position: str
    fields: dict[str, Any] = field(default_factory=dict)
    # A GeoJSON geometry in lon/lat order, when the source has one.
    geometry: dict | None = None
    # Set when the reader could not read this record; the pipeline reports it.
    error: str | None = None


class SourceError(InvalidInput):
    """The source as a whole cannot be read (wrong format, unsupported CRS, binary data)."""

    def __init__(self, message: str, position: str = "file") -> None:
        super().__init__(message, {"file": [f"{position}: {message}"]})
        self.position = position
