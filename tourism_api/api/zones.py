"""/v1/zones: sites with an area (heritage zones, protected areas) and what lies inside."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from ..errors import NotFound
from .args import FormatArgs, SiteListArgs
from .auth import OPTIONAL_STAFF, draft_access
from .collections import page_answer
from .context import services
from .negotiation import GEOJSON, JSONLD, preferred_languages
from .schemas import (
    ApiErrorSchema,
    SiteFeatureCollectionSchema,
    SiteFeatureSchema,
    SitePageSchema,
    SiteSchema,
)
from .sites import ETAG_HEADER, JSONLD_SCHEMA, site_answer

blp = Blueprint(
    "zones", __name__, url_prefix="/v1/zones", description="Zones and the sites inside them"
)


@blp.route("", methods=["GET"])
@blp.doc(security=OPTIONAL_STAFF)
@blp.arguments(SiteListArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SitePageSchema)
@blp.alt_response(200, schema=SiteFeatureCollectionSchema, content_type=GEOJSON, success=True)
def list_zones(args):
    """Zones with their footprints (GeoJSON geometry is the footprint)."""
    page = services().listing.sites(
        args, staff=draft_access(), preferred=preferred_languages(args.get("lang")), zones_only=True
    )
    return page_answer(page, args.get("f"))


@blp.route("/<string:ref>", methods=["GET"])
@blp.doc(security=OPTIONAL_STAFF)
@blp.arguments(FormatArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SiteSchema, headers=ETAG_HEADER)
@blp.alt_response(200, schema=SiteFeatureSchema, content_type=GEOJSON, success=True)
@blp.doc(responses={200: {"content": {JSONLD: {"schema": JSONLD_SCHEMA}}}})
@blp.alt_response(404, schema=ApiErrorSchema, description="No such zone")
def get_zone(args, ref):
    """One zone with its footprint."""
    site = services().catalogue.get_site(ref, include_unpublished=draft_access())
    if not site.is_zone:
        raise NotFound(f"{ref!r} is a site without an area, not a zone.")
    return site_answer(site, args, geometry="footprint")


@blp.route("/<string:ref>/sites", methods=["GET"])
@blp.doc(security=OPTIONAL_STAFF)
@blp.arguments(SiteListArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SitePageSchema)
@blp.alt_response(200, schema=SiteFeatureCollectionSchema, content_type=GEOJSON, success=True)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such zone")
def zone_sites(args, ref):
    """Sites whose location lies inside the zone (boundary included)."""
    page = services().listing.sites(
        args, staff=draft_access(), preferred=preferred_languages(args.get("lang")), zone=ref
    )
    return page_answer(page, args.get("f"))
