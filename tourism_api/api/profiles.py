"""/v1/profiles: the mapping profiles imports can use; offices upload their own."""

from __future__ import annotations

from flask_smorest import Blueprint

from ingest.profiles import load_profile, parse_profile, shipped

from ..catalogue.records import iso_utc
from .auth import STAFF, authorize
from .bodies import load_json
from .context import services
from .schemas import ApiErrorSchema, ProfileInputSchema, ProfileListSchema, ProfileSchema

blp = Blueprint(
    "profiles", __name__, url_prefix="/v1/profiles", description="Import profiles (staff)"
)


def _shipped_view(name: str, full: bool) -> dict:
    profile = load_profile(name)
    view = {"name": name, "source": profile.source, "format": profile.format, "shipped": True}
    if full:
        view["toml"] = shipped()[name].read_text(encoding="utf-8")
    return view


def _stored_view(stored, full: bool) -> dict:
    profile = parse_profile(stored.toml, stored.name)
    view = {
        "name": stored.name,
        "source": profile.source,
        "format": profile.format,
        "shipped": False,
        "organisation_id": stored.organisation_id,
        "updated_at": iso_utc(stored.updated_at),
    }
    if full:
        view["toml"] = stored.toml
    return view


@blp.route("", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, ProfileListSchema)
def profile_list():
    """Shipped profiles and those your office uploaded (all of them, for administrators)."""
    who = authorize("read_drafts")
    items = [_shipped_view(name, False) for name in sorted(shipped())]
    items += [
        _stored_view(p, False) for p in services().imports.stored_profiles(who.organisation_id)
    ]
    return {"items": items}


@blp.route("/<string:name>", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, ProfileSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="No such profile for you")
def profile_item(name):
    """One profile with its TOML text."""
    who = authorize("read_drafts")
    if name in shipped():
        return _shipped_view(name, True)
    stored = services().imports.stored_profile(name, who.organisation_id)
    if stored is None:  # the same refusal an import naming it gets
        services().imports.profile(name, organisation_id=who.organisation_id)
    return _stored_view(stored, True)


@blp.route("/<string:name>", methods=["PUT"])
@blp.doc(
    security=STAFF,
    requestBody={"required": True, "content": {"application/json": {"schema": ProfileInputSchema}}},
)
@blp.response(200, ProfileSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="A shipped or another office's name")
def profile_save(name):
    """Upload (or replace) your office's profile; it is checked before it is kept."""
    who = authorize("edit")
    body = load_json(ProfileInputSchema(), 'Send the profile as {"toml": "..."}.')
    stored = services().imports.save_profile(
        name, body["toml"], organisation_id=who.organisation_id, actor=who.name
    )
    return _stored_view(stored, True)
