"""Landing page, health and the vocabularies clients build filters from."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import text

from ..catalogue.taxonomy import DESIGNATIONS, KINDS, STATUSES
from .caching import cache
from .context import services
from .schemas import CategoryListSchema, HealthSchema, VocabularySchema

blp = Blueprint("meta", __name__, url_prefix="", description="Service information and vocabularies")


@blp.route("/health", methods=["GET"])
@blp.response(200, HealthSchema)
def health():
    """Liveness, database reachability, search engine health and indexing backlog."""
    svc = services()
    with svc.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    search_ok = svc.search.healthy()
    cache(etag=False)
    return {
        "status": "ok" if search_ok else "degraded",
        "database": "ok",
        "search": {
            "backend": svc.search.name,
            "ok": search_ok,
            "pending_changes": svc.indexer.pending(),
        },
    }


@blp.route("/v1/kinds", methods=["GET"])
@blp.response(200, VocabularySchema)
def kinds():
    """The kinds of site, statuses and heritage designations."""
    cache(public=True)
    return {
        "kinds": [{"code": k, "description": d} for k, d in KINDS.items()],
        "designations": [{"code": k, "description": d} for k, d in DESIGNATIONS.items()],
        "statuses": list(STATUSES),
    }


@blp.route("/v1/categories", methods=["GET"])
@blp.response(200, CategoryListSchema)
def categories():
    """The category taxonomy."""
    cache(public=True)
    items = [
        {"code": c.code, "parent": c.parent_code, "label": c.label}
        for c in services().taxonomy.categories()
    ]
    return {"items": items}
