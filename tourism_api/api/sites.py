"""/v1/sites: the catalogue of places."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from ..app import services
from ..catalogue.models import Site
from .args import FormatArgs, SiteListArgs
from .common import (
    GEOJSON,
    STAFF,
    expected_version,
    feature,
    json_response,
    principal,
    read_json_object,
    site_view,
    staff_actor,
    wants_geojson,
)
from .listing import page_response
from .schemas import ApiErrorSchema, RevisionListSchema, SitePageSchema, SiteSchema

blp = Blueprint(
    "sites", __name__, url_prefix="/v1/sites", description="Heritage sites and tourist places"
)

SITE_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": "SiteInput"},
        "application/merge-patch+json": {"schema": "SiteInput"},
    },
}


def site_response(site: Site, args: dict | None = None, *, status: int = 200, headers=None):
    args = args or {}
    staff = principal() is not None
    view = site_view(site, lang=args.get("lang"), staff=staff)
    public = site.status == "published" and not staff
    headers = {"Content-Language": view["display"]["lang"] or "", **(headers or {})}
    if wants_geojson(args.get("f")):
        return json_response(
            feature(view),
            mimetype=GEOJSON,
            status=status,
            public=public,
            headers=headers,
            version=site.version,
        )
    return json_response(view, status=status, public=public, headers=headers, version=site.version)


@blp.route("")
class Sites(MethodView):
    @blp.arguments(SiteListArgs, location="query", as_kwargs=False, unknown=RAISE)
    @blp.response(200, SitePageSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid parameters")
    def get(self, args):
        """List sites: filter by kind, category, bbox or distance; cursor-paginated.

        With `lat`, `lon` and `radius` (metres) only sites within the radius are
        returned, nearest first, each with `distance_m`. JSON by default; GeoJSON
        with `f=geojson` or `Accept: application/geo+json`.
        """
        return page_response(args)

    @blp.doc(requestBody=SITE_BODY, security=STAFF)
    @blp.response(201, SiteSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid record")
    def post(self):
        """Create a site (staff). It starts as a draft."""
        actor = staff_actor()
        site = services().catalogue.create_site(read_json_object(), actor)
        return site_response(site, status=201, headers={"Location": f"/v1/sites/{site.id}"})


@blp.route("/<string:ref>")
class SiteItem(MethodView):
    @blp.arguments(FormatArgs, location="query", as_kwargs=False, unknown=RAISE)
    @blp.response(200, SiteSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such published site")
    def get(self, args, ref):
        """One site by id or slug. Drafts are visible to staff only."""
        staff = principal() is not None
        site = services().catalogue.get_site(ref, include_unpublished=staff)
        return site_response(site, args)

    @blp.doc(requestBody=SITE_BODY, security=STAFF)
    @blp.response(200, SiteSchema)
    @blp.alt_response(412, schema=ApiErrorSchema, description="If-Match names an older version")
    def patch(self, ref):
        """Change some fields (staff), as a JSON Merge Patch: objects merge, null removes.

        Send the ETag you read in `If-Match` so that a concurrent edit is not overwritten.
        """
        actor = staff_actor()
        site = services().catalogue.update_site(
            ref, read_json_object(), actor, expected_version=expected_version()
        )
        return site_response(site)

    @blp.doc(security=STAFF)
    @blp.response(200, SiteSchema)
    def delete(self, ref):
        """Archive a site (staff). Nothing is erased: it can be unpublished back to draft."""
        return _change_status(ref, "archived")


def _change_status(ref: str, status: str):
    actor = staff_actor()
    site = services().catalogue.change_status(
        ref, status, actor, expected_version=expected_version()
    )
    return site_response(site)


@blp.route("/<string:ref>/submit", methods=["POST"])
@blp.doc(security=STAFF)
@blp.response(200, SiteSchema)
def submit(ref):
    """Send a draft for review (staff)."""
    return _change_status(ref, "in_review")


@blp.route("/<string:ref>/publish", methods=["POST"])
@blp.doc(security=STAFF)
@blp.response(200, SiteSchema)
def publish(ref):
    """Publish a draft or reviewed site (staff)."""
    return _change_status(ref, "published")


@blp.route("/<string:ref>/unpublish", methods=["POST"])
@blp.doc(security=STAFF)
@blp.response(200, SiteSchema)
def unpublish(ref):
    """Take a site back to draft (staff); also restores an archived one."""
    return _change_status(ref, "draft")


@blp.route("/<string:ref>/revisions", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, RevisionListSchema)
def revisions(ref):
    """Who changed what and when (staff)."""
    principal(required=True)
    items = [
        {
            "version": r.version,
            "action": r.action,
            "actor": r.actor,
            "at": r.at.isoformat().replace("+00:00", "Z"),
            "changes": r.changes,
        }
        for r in services().catalogue.revisions(ref)
    ]
    return json_response({"items": items})
