"""Landing page, health and the vocabularies clients build filters from."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import text

from ..app import API_VERSION, services
from ..catalogue.taxonomy import DESIGNATIONS, KINDS, STATUSES
from .common import json_response
from .schemas import CategoryListSchema

blp = Blueprint("meta", __name__, url_prefix="", description="Service information and vocabularies")


@blp.route("/", methods=["GET"])
def landing():
    """Where things are."""
    return json_response(
        {
            "title": "Heritage and Tourism Catalogue API",
            "version": API_VERSION,
            "links": {
                "sites": "/v1/sites",
                "zones": "/v1/zones",
                "search": "/v1/search",
                "suggest": "/v1/suggest",
                "categories": "/v1/categories",
                "kinds": "/v1/kinds",
                "openapi": "/openapi.json",
                "docs": "/docs",
            },
        },
        public=True,
    )


@blp.route("/health", methods=["GET"])
def health():
    """Liveness, database reachability, search engine health and indexing backlog."""
    svc = services()
    with svc.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    search_ok = svc.search.healthy()
    body = {
        "status": "ok" if search_ok else "degraded",
        "database": "ok",
        "search": {
            "backend": svc.search.name,
            "ok": search_ok,
            "pending_changes": svc.indexer.pending(),
        },
    }
    return json_response(body, conditional=False)


@blp.route("/v1/kinds", methods=["GET"])
def kinds():
    """The kinds of site, statuses and heritage designations."""
    return json_response(
        {
            "kinds": [{"code": k, "description": d} for k, d in KINDS.items()],
            "designations": [{"code": k, "description": d} for k, d in DESIGNATIONS.items()],
            "statuses": list(STATUSES),
        },
        public=True,
    )


@blp.route("/v1/categories", methods=["GET"])
@blp.response(200, CategoryListSchema)
def categories():
    """The category taxonomy."""
    items = [
        {"code": c.code, "parent": c.parent_code, "label": c.label}
        for c in services().catalogue.categories()
    ]
    return json_response({"items": items}, public=True)
