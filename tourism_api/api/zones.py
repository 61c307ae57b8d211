"""/v1/zones: sites with an area (heritage zones, protected areas) and what lies inside."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE

from ..app import services
from ..catalogue.errors import NotFound
from .args import FormatArgs, SiteListArgs
from .common import GEOJSON, feature, json_response, principal, site_view, wants_geojson
from .listing import page_response
from .schemas import ApiErrorSchema, SitePageSchema, SiteSchema

blp = Blueprint(
    "zones", __name__, url_prefix="/v1/zones", description="Zones and the sites inside them"
)


@blp.route("", methods=["GET"])
@blp.arguments(SiteListArgs, location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SitePageSchema)
def list_zones(args):
    """Zones with their footprints (GeoJSON geometry is the footprint)."""
    return page_response(args, zones_only=True)


@blp.route("/<string:ref>", methods=["GET"])
@blp.arguments(FormatArgs, location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SiteSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such zone")
def get_zone(args, ref):
    """One zone with its footprint."""
    staff = principal() is not None
    site = services().catalogue.get_site(ref, include_unpublished=staff)
    if not site.is_zone:
        raise NotFound(f"{ref!r} is a site without an area, not a zone.")
    view = site_view(site, lang=args.get("lang"), staff=staff)
    public = site.status == "published" and not staff
    if wants_geojson(args.get("f")):
        return json_response(
            feature(view, "footprint"), mimetype=GEOJSON, public=public, version=site.version
        )
    return json_response(view, public=public, version=site.version)


@blp.route("/<string:ref>/sites", methods=["GET"])
@blp.arguments(SiteListArgs, location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SitePageSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such zone")
def zone_sites(args, ref):
    """Sites whose location lies inside the zone (boundary included)."""
    return page_response(args, zone=ref)
