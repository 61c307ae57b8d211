"""The contract every search backend fulfils, and the values that cross it.

Backends receive index documents (plain dicts built by the application from
published sites) and answer `SearchQuery`s; they know nothing of the catalogue
or of Flask. The same contract tests run against each backend.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from tourism_api import jsonio
from tourism_api.errors import InvalidInput, ServiceUnavailable

from . import cursors
from .geo import Envelope
from .text import fold

SORTS = ("relevance", "distance", "name")
MAX_QUERY_LENGTH = 200
FACET_FIELDS = ("kind", "categories", "designations", "province")


class SearchError(InvalidInput):
    """A query the backend cannot answer; `errors` names the parameter."""


class SearchUnavailable(ServiceUnavailable):
    """The search engine cannot be reached or refused the request; the catalogue is fine.

    What the engine said can reveal internals: it is kept in `detail` for the log,
    and clients get a plain "retry shortly"."""

    def __init__(self, detail: str) -> None:
        super().__init__("Search is temporarily unavailable; please retry shortly.", detail=detail)

    def __str__(self) -> str:
        return self.detail or self.message


@dataclass(frozen=True, slots=True)
class EncodedDocument:
    """A document already written as JSON, by a process that built it for a rebuild: a
    backend that stores JSON takes the bytes as they are instead of decoding and encoding
    them again (which cost the rebuilding process more than building them had)."""

    id: str
    version: int
    json: bytes

    def decoded(self) -> dict:
        return jsonio.loads(self.json)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    near: tuple[float, float] | None = None  # (lon, lat)
    radius_m: float | None = None
    bbox: Envelope | None = None
    zone: dict | None = field(default=None, compare=False)  # GeoJSON (Multi)Polygon
    zone_id: str | None = None  # identifies `zone` in cursors
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    designations: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()  # 2025 unit codes ("46": Huế)
    languages: tuple[str, ...] = ()  # sites with a name in each of these
    # A CQL2 filter (tourism_api.catalogue.cql2.Cql2Filter) on the queryables.
    cql2: Any = field(default=None, compare=False)
    open_at: datetime | None = None  # open at this moment (aware)
    wheelchair: bool = False  # wheelchair access "yes" or "limited"
    free: bool | None = None  # free entry (True) or paid (False)
    sort: str | None = None
    limit: int = 20
    cursor: str | None = field(default=None, compare=False)
    facets: bool = False

    def __post_init__(self) -> None:
        if len(self.text) > MAX_QUERY_LENGTH:
            raise SearchError(
                f"The query is longer than {MAX_QUERY_LENGTH} characters.",
                {"q": [f"At most {MAX_QUERY_LENGTH} characters."]},
            )
        if self.radius_m is not None and self.near is None:
            raise SearchError("A radius needs lat and lon.", {"radius": ["Needs lat and lon."]})
        if self.effective_sort == "distance" and self.near is None:
            raise SearchError(
                "Sorting by distance needs lat and lon.", {"sort": ["Needs lat and lon."]}
            )
        if self.effective_sort not in SORTS:
            raise SearchError(
                f"Unknown sort {self.sort!r}.", {"sort": [f"One of {', '.join(SORTS)}."]}
            )
        # The largest page is the operator's choice (TOURISM_MAX_PAGE_SIZE), checked by the
        # service that builds the query; a backend answers any positive size.
        if self.limit < 1:
            raise SearchError("limit is at least 1.", {"limit": ["At least 1."]})
        if self.open_at is not None and self.open_at.tzinfo is None:
            raise SearchError("open_at needs a time zone.", {"open_at": ["Add Z or +07:00."]})

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        if self.text.strip():
            return "relevance"
        return "distance" if self.near else "name"

    def fingerprint(self) -> str:
        skipped = ("cursor", "limit", "zone", "facets", "cql2")
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skipped}
        data["cql2"] = self.cql2.key if self.cql2 is not None else None
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[
            :16
        ]


@dataclass
class SearchHit:
    id: str
    view: dict
    score: float | None = None
    distance_m: float | None = None
    highlight: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    next_cursor: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class Suggestion:
    id: str
    text: str  # the folded name tail that matched
    view: dict


def encode_cursor(codec: cursors.CursorCodec, query: SearchQuery, after: list) -> str:
    return codec.encode(query.fingerprint(), after)


def decode_cursor(codec: cursors.CursorCodec, query: SearchQuery) -> list | None:
    """The sort values to continue after; a forged or foreign cursor is BadCursor (400),
    never a value passed to the engine."""
    if not query.cursor:
        return None
    return codec.decode(query.cursor, query.fingerprint(), textual=query.effective_sort == "name")


class SearchBackend(ABC):
    """Index documents are dicts with: id, version, kind, categories, designations,
    languages, location {lon, lat}, sort_name, name_exact, name_folded, text_folded,
    suggest (list of folded name tails), province (2025 code or None), open_intervals ([{gte, lt}] in minutes since 1970,
    none longer than a day), wheelchair, free and view (the stored public view)."""

    name: str
    # Seconds after `apply` returns until searches see the change: a response computed
    # sooner may miss it, so the response cache does not keep one (tourism_api/api/
    # response_cache.py).
    visibility_delay_s: float = 0.0

    @abstractmethod
    def apply(self, upserts: Iterable[dict], deletes: Iterable[tuple[str, int]]) -> None:
        """Index documents and delete (id, version) pairs, all or raise SearchUnavailable.
        An older version never replaces a newer one."""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]: ...

    @abstractmethod
    def rebuild(
        self,
        documents: Iterable[dict | EncodedDocument],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Fill a fresh index and switch to it atomically; searches go on meanwhile."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def views(self, ids: list[str]) -> dict[str, dict]:
        """The stored public views of these sites, by id; absent ids are left out.
        Catalogue lists take a page's views from here instead of hydrating ORM rows."""

    @abstractmethod
    def healthy(self) -> bool: ...

    def search_text(self, text: str) -> list[str]:
        """Ids of the sites matching a text, best first (a convenience for scripts and tests)."""
        return [hit.id for hit in self.search(SearchQuery(text=text, limit=100)).hits]

    def refresh(self) -> None:
        """Make applied changes visible to searches (no-op where that is immediate)."""

    def close(self) -> None:
        """Release connections."""


def highlight(texts: dict[str, str] | None, tokens: list[str], limit: int = 3) -> list[str]:
    """Texts with the words that match the folded query tokens wrapped in <em>.

    Done here, not by the engine, so that "hue" highlights "Huế" on every backend.
    """
    if not texts or not tokens:
        return []
    wanted = set(tokens)
    out = []
    for text in texts.values():
        parts = re.split(r"(\w+)", text)
        hit = False
        for i, part in enumerate(parts):
            escaped = html.escape(part)
            if i % 2 == 1 and fold(part) in wanted:
                parts[i] = f"<em>{escaped}</em>"
                hit = True
            else:
                parts[i] = escaped
        if hit:
            out.append("".join(parts))
        if len(out) >= limit:
            break
    return out


def highlights_for(view: dict, tokens: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for field_name in ("name", "short_description"):
        snippets = highlight(view.get(field_name), tokens)
        if snippets:
            found[field_name] = snippets
    return found
