"""/v1/events and /v1/sites/{ref}/events: festivals, rites and exhibitions by date and place."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate
from webargs.fields import DelimitedList

from ..catalogue.events import KINDS
from .args import BBox, NearArgs
from .caching import cache
from .context import services
from .negotiation import preferred_languages, public_base
from .schemas import ApiErrorSchema, EventPageSchema

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/v1",
    description="Festivals, ceremonies, night tours and exhibitions (solar or lunar dates)",
)


class EventArgs(NearArgs):
    from_ = fields.Date(
        data_key="from", metadata={"description": "First day (default: today in Viet Nam)"}
    )
    to = fields.Date(metadata={"description": "Last day (default: 30 days after from)"})
    kind = DelimitedList(fields.Str(validate=validate.OneOf(KINDS)))
    bbox = BBox(metadata={"description": "min_lon,min_lat,max_lon,max_lat (WGS 84)"})
    limit = fields.Int(validate=validate.Range(min=1))
    cursor = fields.Str(validate=validate.Length(max=1000))
    lang = fields.Str(validate=validate.Length(max=50))


def _answer(args: dict, site_ref: str | None = None) -> dict:
    params = {("from" if k == "from_" else k): v for k, v in args.items()}
    items, next_cursor = services().events.find(
        params, preferred=preferred_languages(args.get("lang")), site_ref=site_ref
    )
    links = {"next": None}
    if next_cursor:
        query = {k: v for k, v in request.args.items() if k != "cursor"}
        links["next"] = (
            f"{public_base()}{request.path}?{urlencode({**query, 'cursor': next_cursor})}"
        )
    cache(public=True)
    return {"items": items, "links": links}


@blp.route("/events", methods=["GET"])
@blp.arguments(EventArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, EventPageSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="Bad dates, place or cursor")
def list_events(args):
    """What is on at published sites from `from` to `to` (default: the next 30 days), soonest
    first; near a point (`lat`, `lon`, `radius`) or in a `bbox`. Lunar dates (a festival on
    the 14th of the first lunar month, rites on the 1st and 15th of each month) come as
    their solar days in the Vietnamese calendar."""
    return _answer(args)


@blp.route("/sites/<string:ref>/events", methods=["GET"])
@blp.arguments(EventArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, EventPageSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such published site")
def site_events(args, ref):
    """A published site's events from `from` to `to` (default: the next 30 days)."""
    return _answer(args, site_ref=ref)
