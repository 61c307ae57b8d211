"""/v1/sites: the catalogue of places."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from ..catalogue.lifecycle import PERMISSION
from ..catalogue.models import Site
from ..catalogue.records import iso_utc, public_view
from ..catalogue.schema_org import site_jsonld
from .args import FormatArgs, SiteListArgs
from .auth import OPTIONAL_STAFF, STAFF, authorize, draft_access, is_staff
from .bodies import IF_MATCH, expected_version, load_json, read_json_object
from .caching import cache
from .collections import feature_response, page_answer
from .context import services
from .negotiation import (
    GEOJSON,
    JSONLD,
    preferred_languages,
    public_base,
    wants_geojson,
    wants_jsonld,
)
from .responses import json_body
from .schemas import (
    ApiErrorSchema,
    RestoreSchema,
    RevisionListSchema,
    SiteFeatureCollectionSchema,
    SiteFeatureSchema,
    SitePageSchema,
    SiteProvenanceSchema,
    SiteSchema,
)

blp = Blueprint(
    "sites", __name__, url_prefix="/v1/sites", description="Heritage sites and tourist places"
)

SITE_BODY = {"required": True, "content": {"application/json": {"schema": "SiteInput"}}}
PATCH_BODY = {
    "required": True,
    "content": {
        "application/merge-patch+json": {"schema": "SiteInput"},
        "application/json": {"schema": "SiteInput"},
    },
}
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "Send back in If-Match"}}


def site_view(site: Site, *, lang: str | None, staff: bool) -> dict:
    return public_view(
        site,
        preferred=preferred_languages(lang),
        languages=services().settings.languages,
        now=datetime.now(UTC),
        staff=staff,
        with_hours_now=True,
    )


def site_answer(
    site: Site,
    args: dict | None = None,
    *,
    status: int = 200,
    headers: dict | None = None,
    geometry: str = "location",
):
    """One site as JSON (dumped by the view's schema) or as a GeoJSON Feature."""
    args = args or {}
    staff = is_staff()
    view = site_view(site, lang=args.get("lang"), staff=staff)
    cache(public=site.status == "published" and not staff, version=site.version)
    headers = {"Content-Language": view["display"]["lang"] or "", **(headers or {})}
    if wants_jsonld(args.get("f")):
        return jsonld_response(site, status=status, headers=headers)
    if wants_geojson(args.get("f")):
        return feature_response(view, geometry, status=status, headers=headers)
    return view, status, headers


def jsonld_response(site: Site, *, status: int = 200, headers: dict | None = None):
    """schema.org JSON-LD: every language at once, so Content-Language lists them all."""
    document = site_jsonld(site, public_base(), services().settings.default_timezone)
    languages = ", ".join(lang for lang, text in site.name.items() if text)
    headers = {**(headers or {}), "Content-Language": languages}
    return json_body(document, mimetype=JSONLD, status=status, headers=headers)


def versioned_write(func):
    """Document what a write that names its version can be refused with."""
    for status, why in (
        (409, "Not allowed from the site's current status"),
        (412, "If-Match names an older version: someone else saved first"),
        (428, "No If-Match: say which version you edit"),
    ):
        func = blp.alt_response(status, schema=ApiErrorSchema, description=why)(func)
    return func


def geojson_alternative(schema):
    return blp.alt_response(200, schema=schema, content_type=GEOJSON, success=True)


JSONLD_SCHEMA = {"type": "object", "description": "schema.org TouristAttraction (JSON-LD)"}


@blp.route("")
class Sites(MethodView):
    @blp.doc(security=OPTIONAL_STAFF)
    @blp.arguments(SiteListArgs(), location="query", as_kwargs=False, unknown=RAISE)
    @blp.response(200, SitePageSchema)
    @geojson_alternative(SiteFeatureCollectionSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid parameters")
    def get(self, args):
        """List sites: filter by kind, category, bbox or distance; cursor-paginated.

        With `lat`, `lon` and `radius` (metres) only sites within the radius are
        returned, nearest first, each with `distance_m`. JSON by default; GeoJSON
        with `f=geojson` or `Accept: application/geo+json`.
        """
        page = services().listing.sites(
            args, staff=draft_access(), preferred=preferred_languages(args.get("lang"))
        )
        return page_answer(page, args.get("f"))

    @blp.doc(requestBody=SITE_BODY, security=STAFF)
    @blp.response(201, SiteSchema, headers=ETAG_HEADER)
    @blp.alt_response(422, schema=ApiErrorSchema, description="Invalid record")
    def post(self):
        """Create a site (staff). It starts as a draft."""
        who = authorize("edit")
        site = services().catalogue.create_site(
            read_json_object(), who.name, organisation_id=who.organisation_id
        )
        return site_answer(site, status=201, headers={"Location": f"/v1/sites/{site.id}"})


@blp.route("/<string:ref>")
class SiteItem(MethodView):
    @blp.doc(security=OPTIONAL_STAFF)
    @blp.arguments(FormatArgs(), location="query", as_kwargs=False, unknown=RAISE)
    @blp.response(200, SiteSchema, headers=ETAG_HEADER)
    @geojson_alternative(SiteFeatureSchema)
    @blp.doc(responses={200: {"content": {JSONLD: {"schema": JSONLD_SCHEMA}}}})
    @blp.alt_response(404, schema=ApiErrorSchema, description="No such published site")
    def get(self, args, ref):
        """One site by id or slug. Drafts are visible to staff only."""
        site = services().catalogue.get_site(ref, include_unpublished=draft_access())
        return site_answer(site, args)

    @blp.doc(requestBody=PATCH_BODY, security=STAFF, parameters=[IF_MATCH])
    @blp.response(200, SiteSchema, headers=ETAG_HEADER)
    @versioned_write
    def patch(self, ref):
        """Change some fields (staff), as a JSON Merge Patch: objects merge, null removes.

        Send the ETag you read in `If-Match` so that a concurrent edit is not overwritten.
        """
        actor = authorize("edit", ref).name
        site = services().catalogue.update_site(
            ref, read_json_object(), actor, expected_version=expected_version()
        )
        return site_answer(site)

    @blp.doc(security=STAFF, parameters=[IF_MATCH])
    @blp.response(200, SiteSchema, headers=ETAG_HEADER)
    @versioned_write
    def delete(self, ref):
        """Archive a site (staff). Nothing is erased: it can be unpublished back to draft."""
        return _change_status(ref, "archived")


def _change_status(ref: str, status: str):
    actor = authorize(PERMISSION[status], ref).name
    site = services().lifecycle.change_status(
        ref, status, actor, expected_version=expected_version()
    )
    return site_answer(site)


@blp.route("/<string:ref>/submit", methods=["POST"])
@blp.doc(security=STAFF, parameters=[IF_MATCH])
@blp.response(200, SiteSchema, headers=ETAG_HEADER)
@versioned_write
def submit(ref):
    """Send a draft for review (staff)."""
    return _change_status(ref, "in_review")


@blp.route("/<string:ref>/publish", methods=["POST"])
@blp.doc(security=STAFF, parameters=[IF_MATCH])
@blp.response(200, SiteSchema, headers=ETAG_HEADER)
@versioned_write
def publish(ref):
    """Publish a site that is in review (staff); a draft must be submitted first."""
    return _change_status(ref, "published")


@blp.route("/<string:ref>/unpublish", methods=["POST"])
@blp.doc(security=STAFF, parameters=[IF_MATCH])
@blp.response(200, SiteSchema, headers=ETAG_HEADER)
@versioned_write
def unpublish(ref):
    """Take a site back to draft (staff); also restores an archived one."""
    return _change_status(ref, "draft")


@blp.route("/<string:ref>/restore", methods=["POST"])
@blp.doc(
    security=STAFF,
    parameters=[IF_MATCH],
    requestBody={"required": True, "content": {"application/json": {"schema": RestoreSchema}}},
)
@blp.response(200, SiteSchema, headers=ETAG_HEADER)
@versioned_write
def restore(ref):
    """Make the site's content what it was at an earlier version (staff): a new version,
    the history keeps everything in between."""
    actor = authorize("edit", ref).name
    body = load_json(RestoreSchema(), "Say which version to restore.")
    site = services().catalogue.restore(
        ref, body["version"], actor, expected_version=expected_version()
    )
    return site_answer(site)


@blp.route("/<string:ref>/revisions", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, RevisionListSchema)
def revisions(ref):
    """Who changed what and when (staff of the site's office)."""
    authorize("read_drafts", ref)
    items = [
        {
            "version": r.version,
            "action": r.action,
            "actor": r.actor,
            "at": iso_utc(r.at),
            "changes": r.changes,
            "comment": r.comment,
        }
        for r in services().catalogue.revisions(ref)
    ]
    return {"items": items}


@blp.route("/<string:ref>/provenance", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, SiteProvenanceSchema)
def provenance(ref):
    """Where each field's value came from (a source or a person), what each source last
    sent, and the values waiting for review (staff of the site's office)."""
    authorize("read_drafts", ref)
    return services().proposals.fields(ref)
