"""The index document of a published site: what every backend stores and answers from.

Built from the catalogue's rows by the indexer; backends see only these dicts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tourism_api.catalogue.admin_units import province_name, ward_name
from tourism_api.catalogue.models import Site
from tourism_api.catalogue.opening_hours import open_minutes_ahead
from tourism_api.catalogue.records import stored_view
from tourism_api.catalogue.site_records import SiteRecord

from .text import exact_tokens, folded_tokens, word_suffixes

# How far ahead documents know when a site is open (TOURISM_OPEN_AT_DAYS); a daily job
# re-indexes sites with hours so the window moves on.
DEFAULT_HOURS_DAYS = 14


def site_document(
    site: Site | SiteRecord, *, now: datetime | None = None, hours_days: int = DEFAULT_HOURS_DAYS
) -> dict:
    """The index document of a published site: its public summary plus search fields."""
    names = list(dict.fromkeys([*site.name.values(), *(site.aliases or [])]))
    texts = [
        *(site.short_description or {}).values(),
        *(site.description or {}).values(),
        *(code.replace("-", " ") for code in site.category_codes),
        *(d["type"].replace("_", " ") for d in site.designations or []),
        *((site.address or {}).get(k, "") for k in ("street", "ward", "district", "province")),
        site.admin_area or "",
        # The 2025 unit and ward by their current names, whatever the address says.
        province_name(site.province_code) or "",
        ward_name(site.ward_code) or "",
        site.kind.replace("_", " "),
    ]
    view = stored_view(site, summary=True)
    lon, lat = view["location"]["coordinates"]
    suggest = list(dict.fromkeys(tail for name in names for tail in word_suffixes(name)))
    return {
        "id": site.id,
        "version": site.version,
        "kind": site.kind,
        "categories": site.category_codes,
        "designations": sorted({d["type"] for d in site.designations or []}),
        "languages": sorted(site.name),
        "location": {"lon": lon, "lat": lat},
        "sort_name": site.sort_name,
        # CQL2 queryables (/v1/search?filter=...)
        "slug": site.slug,
        "admin_area": site.admin_area,
        "province": site.province_code,
        "is_zone": bool(site.is_zone),
        "updated_at": view["updated_at"],
        "published_at": view["published_at"],
        "name_exact": " ".join(" ".join(exact_tokens(n)) for n in names),
        # Words split here as queries split them: the engine's own tokenizer keeps
        # "l'abbaye" whole, where a query for "L'Abbaye" asks for "l" and "abbaye".
        "name_folded": " ".join(word for n in names for word in folded_tokens(n)),
        "text_folded": " ".join(word for t in texts if t for word in folded_tokens(t)),
        "suggest": suggest,
        # Filters a tourist app offers: open at a moment, wheelchair access, free entry.
        "open_intervals": _open_intervals(site, now or datetime.now(UTC), hours_days),
        "wheelchair": (site.accessibility or {}).get("wheelchair"),
        "free": (site.admission or {}).get("free"),
        "view": view,
    }


def _open_intervals(site: Site, now: datetime, days: int) -> list[dict]:
    """As {"gte", "lt"}: Elasticsearch reads them as a range, the embedded index as rows."""
    return [
        {"gte": opens, "lt": closes}
        for opens, closes in open_minutes_ahead(site.opening_hours, now, days)
    ]
