"""The Elasticsearch backend (production), through the official client.

Only core Elasticsearch features are used (standard analyser, geo_point,
bool/multi_match, completion, aggregations, aliases, bulk with external
versions): folding is done in Python by `search.text`, so the node needs no
analysis plugins. Engine errors never reach API clients: they become
`SearchUnavailable` (or `SearchError` for a query we refuse ourselves).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch.serializer import JsonSerializer
from pygeofilter.backends.elasticsearch import to_filter

from tourism_api import jsonio
from tourism_api.catalogue import cql2
from tourism_api.catalogue.opening_hours import epoch_minutes

from .base import (
    FACET_FIELDS,
    EncodedDocument,
    SearchBackend,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    Suggestion,
    decode_cursor,
    encode_cursor,
    highlights_for,
)
from .cursors import CursorCodec
from .geo import arc_distance_m, split_envelope
from .text import exact_tokens, folded_tokens

log = logging.getLogger(__name__)

# CQL2 queryables -> document fields.
CQL2_FIELDS = {
    "id": "id",
    "slug": "slug",
    "kind": "kind",
    "name": "sort_name",
    "admin_area": "admin_area",
    "province": "province",
    "category": "categories",
    "is_zone": "is_zone",
    "updated_at": "updated_at",
    "published_at": "published_at",
    "geometry": "location",
}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "version": {"type": "long"},
        "kind": {"type": "keyword"},
        "categories": {"type": "keyword"},
        "designations": {"type": "keyword"},
        "languages": {"type": "keyword"},
        "location": {"type": "geo_point"},
        "sort_name": {"type": "keyword"},
        "slug": {"type": "keyword"},
        "admin_area": {"type": "keyword"},
        "is_zone": {"type": "boolean"},
        "updated_at": {"type": "date"},
        "published_at": {"type": "date"},
        "name_exact": {"type": "text", "analyzer": "standard"},
        "name_folded": {"type": "text", "analyzer": "standard"},
        "text_folded": {"type": "text", "analyzer": "standard"},
        "suggest": {"type": "completion", "analyzer": "standard", "preserve_separators": True},
        # Minutes since 1970 (UTC): "open at t" is a term query on the range.
        "open_intervals": {"type": "long_range"},
        "wheelchair": {"type": "keyword"},
        "free": {"type": "boolean"},
        "province": {"type": "keyword"},
        "view": {"type": "object", "enabled": False},
    },
}
# Fields added after the first release: put into older indexes' mappings on start.
ADDED_FIELDS = ("open_intervals", "wheelchair", "free", "province")
EXACT_BOOST = 1000.0
_BULK_CHUNK = 500
# A rebuild sends bigger requests from two threads, so the engine indexes one while this
# process builds the next (measured: 6.6k prebuilt documents/s sequential with refresh on,
# 13k with both).
_REBUILD_CHUNK = 1000
_BULK_BYTES = 10 * 1024 * 1024  # far under the node's http.max_content_length (100 MB)
_VERSIONS = "external_gte"


class _Json(JsonSerializer):
    """Requests and answers through orjson (`tourism_api.jsonio`): a rebuild serialises
    every document, a search decodes every hit."""

    def json_dumps(self, data):
        return jsonio.dumps_bytes(data, default=self.default)

    def json_loads(self, data):
        return jsonio.loads(data)


class ElasticBackend(SearchBackend):
    name = "elasticsearch"
    # Refreshed every second (_new_index); one more for a late refresh and for the clocks
    # of the indexing and the serving hosts differing.
    visibility_delay_s = 2.0

    def __init__(
        self,
        url: str,
        prefix: str = "tourism",
        *,
        replicas: int = 0,
        timeout: float = 10.0,
        cursors: CursorCodec | None = None,
    ) -> None:
        self.cursors = cursors or CursorCodec()
        self.client = Elasticsearch(
            url,
            request_timeout=timeout,
            max_retries=0,
            retry_on_timeout=False,
            serializers={"application/json": _Json()},  # the client uses it for +json too
        )
        self.alias = f"{prefix}-sites"
        self.replicas = replicas
        # Checked once per process, not on every request.
        self._index_ready = False

    # -- administration ----------------------------------------------------------

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (TransportError, ApiError) as exc:
            log.warning("elasticsearch %s failed: %s", what, exc)
            raise SearchUnavailable(f"elasticsearch {what} failed") from exc

    def _new_index(self, refresh_interval: str = "1s") -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        self._call(
            "create index",
            self.client.indices.create,
            index=name,
            settings={
                "number_of_shards": 1,
                "number_of_replicas": self.replicas,
                "refresh_interval": refresh_interval,
            },
            mappings=MAPPINGS,
        )
        return name

    def ensure_index(self) -> None:
        if self._index_ready:
            return
        exists = self._call("alias check", self.client.indices.exists_alias, name=self.alias)
        if not exists:
            name = self._new_index()
            self._call("alias", self.client.indices.put_alias, index=name, name=self.alias)
        else:
            # Adding fields to a mapping is allowed and idempotent; documents written before
            # lack them until the daily hours refresh or a rebuild.
            self._call(
                "mapping",
                self.client.indices.put_mapping,
                index=self.alias,
                properties={name: MAPPINGS["properties"][name] for name in ADDED_FIELDS},
            )
        self._index_ready = True

    def healthy(self) -> bool:
        try:
            health = self.client.cluster.health(timeout="1s")
        except (TransportError, ApiError):
            return False
        return health.get("status") in ("green", "yellow")

    def refresh(self) -> None:
        self._call("refresh", self.client.indices.refresh, index=self.alias)

    def close(self) -> None:
        self.client.close()

    def drop(self) -> None:
        """Delete every index behind the alias (tests and `index rebuild --drop`)."""
        try:
            indices = list(self.client.indices.get_alias(name=self.alias))
        except ApiError:
            return
        for name in indices:
            self._call("delete index", self.client.indices.delete, index=name)
        self._index_ready = False

    # -- writing ------------------------------------------------------------------

    @staticmethod
    def _lines(upserts: Iterable[dict], deletes: Iterable[tuple[str, int]]) -> Iterator[bytes]:
        """Each action as its bulk NDJSON lines; the index is named by the request's path.
        An older version never replaces a newer one (external versions)."""
        for doc in upserts:
            if isinstance(doc, EncodedDocument):
                head = {"index": {"_id": doc.id, "version": doc.version, "version_type": _VERSIONS}}
                yield jsonio.dumps_bytes(head) + b"\n" + doc.json + b"\n"
                continue
            head = {
                "index": {"_id": doc["id"], "version": doc["version"], "version_type": _VERSIONS}
            }
            yield jsonio.dumps_bytes(head) + b"\n" + jsonio.dumps_bytes(doc) + b"\n"
        for site_id, version in deletes:
            head = {"delete": {"_id": site_id, "version": version, "version_type": _VERSIONS}}
            yield jsonio.dumps_bytes(head) + b"\n"

    def _send(self, index: str, body: bytes) -> None:
        # Only what is checked below comes back: a full answer is ~150 bytes per action for
        # the engine to write and this process to parse.
        answer = self._call(
            "bulk",
            self.client.bulk,
            index=index,
            operations=body,
            filter_path="errors,items.*.status",
        )
        if not answer.get("errors"):
            return
        for item in answer["items"]:
            status = next(iter(item.values())).get("status", 500)
            # 409: a newer version is indexed already; 404: deleting what is not there.
            if status >= 300 and status not in (409, 404):
                raise SearchUnavailable(f"elasticsearch refused a document ({status})")

    def _bulk(
        self, index: str, lines: Iterable[bytes], *, chunk: int = _BULK_CHUNK, threads: int = 1
    ) -> None:
        """Send the actions in requests of `chunk` (or _BULK_BYTES), `threads` at a time.

        Written here rather than with the client's bulk helpers: they turned each action
        into dicts and bytes again, and took most of a rebuild's time in this process."""
        bodies = _chunks(lines, chunk)
        if threads == 1:
            for body in bodies:
                self._send(index, body)
            return
        with ThreadPoolExecutor(threads, thread_name_prefix="es-bulk") as pool:
            in_flight: deque[Future] = deque()
            try:
                for body in bodies:
                    # One body more than there are threads waits its turn, ready: the
                    # engine is not left with one request while the next body is built.
                    if len(in_flight) > threads:
                        in_flight.popleft().result()
                    in_flight.append(pool.submit(self._send, index, body))
                while in_flight:
                    in_flight.popleft().result()
            finally:
                for future in in_flight:
                    future.cancel()

    def apply(self, upserts: Iterable[dict], deletes: Iterable[tuple[str, int]]) -> None:
        self.ensure_index()
        self._bulk(self.alias, self._lines(upserts, deletes))

    def rebuild(
        self,
        documents: Iterable[dict | EncodedDocument],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        # Not refreshed while it fills: nobody searches it before the switch.
        new = self._new_index(refresh_interval="-1")
        count = 0

        def counted():
            nonlocal count
            for doc in documents:
                count += 1
                if progress and count % _REBUILD_CHUNK == 0:
                    progress(_REBUILD_CHUNK)
                yield doc

        try:
            self._bulk(new, self._lines(counted(), ()), chunk=_REBUILD_CHUNK, threads=2)
            if progress and count % _REBUILD_CHUNK:
                progress(count % _REBUILD_CHUNK)
            self._call(
                "settings",
                self.client.indices.put_settings,
                index=new,
                settings={"index": {"refresh_interval": "1s"}},
            )
            self._call("refresh", self.client.indices.refresh, index=new)
        except BaseException:
            # The old index still serves; the half-filled one would only take disk.
            try:
                self.client.options(ignore_status=404).indices.delete(index=new)
            except (TransportError, ApiError):
                log.warning("could not delete the unfinished index %s", new)
            raise
        try:
            old = list(self.client.indices.get_alias(name=self.alias))
        except ApiError:
            old = []
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self._call("switch alias", self.client.indices.update_aliases, actions=actions)
        self._index_ready = True
        for name in old:
            self._call("delete index", self.client.indices.delete, index=name)
        return count

    # -- reading ------------------------------------------------------------------

    def count(self) -> int:
        self.ensure_index()
        return self._call("count", self.client.count, index=self.alias)["count"]

    def _filters(self, query: SearchQuery) -> list[dict]:
        filters: list[dict] = []
        for field_name, values in (
            ("kind", query.kinds),
            ("categories", query.categories),
            ("designations", query.designations),
            ("province", query.provinces),
        ):
            if values:
                filters.append({"terms": {field_name: list(values)}})
        for lang in query.languages:
            filters.append({"term": {"languages": lang}})
        if query.wheelchair:
            filters.append({"terms": {"wheelchair": ["yes", "limited"]}})
        if query.free is not None:
            filters.append({"term": {"free": query.free}})
        if query.open_at is not None:
            filters.append({"term": {"open_intervals": epoch_minutes(query.open_at)}})
        if query.bbox:
            boxes = split_envelope(query.bbox)
            filters.append(
                {
                    "bool": {
                        "should": [
                            {
                                "geo_bounding_box": {
                                    "location": {
                                        "top_left": {"lat": max_lat, "lon": min_lon},
                                        "bottom_right": {"lat": min_lat, "lon": max_lon},
                                    }
                                }
                            }
                            for min_lon, min_lat, max_lon, max_lat in boxes
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
        if query.near and query.radius_m is not None:
            lon, lat = query.near
            filters.append(
                {
                    "geo_distance": {
                        "distance": f"{query.radius_m}m",
                        "distance_type": "arc",
                        "location": {"lat": lat, "lon": lon},
                    }
                }
            )
        if query.zone:
            filters.append(
                {"geo_shape": {"location": {"shape": query.zone, "relation": "intersects"}}}
            )
        if query.cql2 is not None:
            # pygeofilter's Elasticsearch evaluator, on the document's queryable fields.
            expression = to_filter(cql2.for_search(query.cql2), attribute_map=CQL2_FIELDS)
            filters.append(expression.to_dict())
        return filters

    def request_body(self, query: SearchQuery, tokens: list[str]) -> dict:
        """The search request sent to the engine (also what the peer benchmark sends it
        directly, to measure the engine without this layer)."""
        bool_query: dict = {"filter": self._filters(query)}
        if tokens:
            bool_query["must"] = [
                {
                    "multi_match": {
                        "query": " ".join(tokens),
                        "fields": ["name_folded^6", "text_folded"],
                        "operator": "and",
                        "type": "cross_fields",
                    }
                }
            ]
            exact = exact_tokens(query.text)
            if exact:
                bool_query["should"] = [
                    {
                        "match": {
                            "name_exact": {
                                "query": " ".join(exact),
                                "operator": "and",
                                "boost": EXACT_BOOST,
                            }
                        }
                    }
                ]
        sort_key = query.effective_sort
        primary = {"relevance": {"_score": "desc"}, "name": {"sort_name": "asc"}}.get(sort_key)
        if sort_key == "distance":
            lon, lat = query.near
            primary = {
                "_geo_distance": {
                    "location": {"lat": lat, "lon": lon},
                    "order": "asc",
                    "unit": "m",
                    "distance_type": "arc",
                }
            }
        body: dict = {
            "query": {"bool": bool_query},
            "sort": [primary, {"id": "asc"}],
            "size": query.limit + 1,
            "track_total_hits": True,
            "_source": ["view"],
        }
        after = decode_cursor(self.cursors, query)
        if after is not None:
            body["search_after"] = after
        if query.facets:
            body["aggs"] = {f: {"terms": {"field": f, "size": 100}} for f in FACET_FIELDS}
        return body

    def search(self, query: SearchQuery) -> SearchResult:
        tokens = folded_tokens(query.text)
        if query.text.strip() and not tokens:
            empty = {f: {} for f in FACET_FIELDS} if query.facets else {}
            return SearchResult(hits=[], total=0, facets=empty)
        self.ensure_index()
        body = self.request_body(query, tokens)
        sort_key = query.effective_sort
        response = self._call("search", self.client.search, index=self.alias, **body)
        raw_hits = response["hits"]["hits"]
        hits = []
        for raw in raw_hits[: query.limit]:
            view = raw["_source"]["view"]
            distance = None
            if sort_key == "distance":
                distance = raw["sort"][0]
            elif query.near:
                # The same formula as the engine's `arc` distance.
                lon, lat = view["location"]["coordinates"][:2]
                distance = arc_distance_m(query.near[0], query.near[1], lon, lat)
            hits.append(
                SearchHit(
                    id=raw["_id"],
                    view=view,
                    score=raw["sort"][0] if sort_key == "relevance" else None,
                    distance_m=distance,
                    highlight=highlights_for(view, tokens),
                )
            )
        next_cursor = None
        if len(raw_hits) > query.limit:
            last = raw_hits[query.limit - 1]["sort"][:2]
            next_cursor = encode_cursor(self.cursors, query, last)
        facets = {}
        if query.facets:
            facets = {
                f: {b["key"]: b["doc_count"] for b in response["aggregations"][f]["buckets"]}
                for f in FACET_FIELDS
            }
        return SearchResult(
            hits=hits,
            total=response["hits"]["total"]["value"],
            next_cursor=next_cursor,
            facets=facets,
        )

    def views(self, ids: list[str]) -> dict[str, dict]:
        if not ids:
            return {}
        self.ensure_index()
        response = self._call(
            "mget", self.client.mget, index=self.alias, ids=ids, source_includes=["view"]
        )
        return {doc["_id"]: doc["_source"]["view"] for doc in response["docs"] if doc.get("found")}

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        tokens = folded_tokens(prefix)
        if not tokens:
            return []
        self.ensure_index()
        wanted = " ".join(tokens)
        response = self._call(
            "suggest",
            self.client.search,
            index=self.alias,
            suggest={
                "names": {
                    "prefix": wanted,
                    "completion": {"field": "suggest", "size": limit * 5, "skip_duplicates": False},
                }
            },
            source=["view", "suggest"],
        )
        found: dict[str, Suggestion] = {}
        for option in response["suggest"]["names"][0]["options"]:
            source = option["_source"]
            tails = [t for t in source["suggest"] if t.startswith(wanted)]
            if tails and option["_id"] not in found:
                found[option["_id"]] = Suggestion(
                    id=option["_id"], text=min(tails, key=len), view=source["view"]
                )
        ordered = sorted(found.values(), key=lambda s: (len(s.text), s.view.get("slug", ""), s.id))
        return ordered[:limit]


def _chunks(lines: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Request bodies of `size` actions, or fewer when they reach _BULK_BYTES."""
    body: list[bytes] = []
    length = 0
    for line in lines:
        body.append(line)
        length += len(line)
        if len(body) >= size or length >= _BULK_BYTES:
            yield b"".join(body)
            body, length = [], 0
    if body:
        yield b"".join(body)
