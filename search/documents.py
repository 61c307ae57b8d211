"""The index document of a published site: what every backend stores and answers from.

Built from the catalogue's rows by the indexer; backends see only these dicts.
"""

from __future__ import annotations

from tourism_api.catalogue.geometry import from_db
from tourism_api.catalogue.models import Site
from tourism_api.catalogue.records import stored_view

from .text import exact_tokens, fold, word_suffixes


def site_document(site: Site) -> dict:
    """The index document of a published site: its public summary plus search fields."""
    names = list(dict.fromkeys([*site.name.values(), *(site.aliases or [])]))
    texts = [
        *(site.short_description or {}).values(),
        *(site.description or {}).values(),
        *(code.replace("-", " ") for code in site.category_codes),
        *(d["type"].replace("_", " ") for d in site.designations or []),
        *((site.address or {}).get(k, "") for k in ("street", "ward", "district", "province")),
        site.admin_area or "",
        site.kind.replace("_", " "),
    ]
    point = from_db(site.location)
    suggest = list(dict.fromkeys(tail for name in names for tail in word_suffixes(name)))
    return {
        "id": site.id,
        "version": site.version,
        "kind": site.kind,
        "categories": site.category_codes,
        "designations": sorted({d["type"] for d in site.designations or []}),
        "languages": sorted(site.name),
        "location": {"lon": point.x, "lat": point.y},
        "sort_name": site.sort_name,
        # CQL2 queryables (/v1/search?filter=...)
        "slug": site.slug,
        "admin_area": site.admin_area,
        "is_zone": bool(site.is_zone),
        "updated_at": site.updated_at.isoformat(),
        "published_at": site.published_at.isoformat() if site.published_at else None,
        "name_exact": " ".join(" ".join(exact_tokens(n)) for n in names),
        "name_folded": " ".join(fold(n) for n in names),
        "text_folded": " ".join(fold(t) for t in texts if t),
        "suggest": suggest,
        "view": stored_view(site, summary=True),
    }
