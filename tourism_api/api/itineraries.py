"""/v1/itineraries: a day's route through several sites, timed around their opening hours."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..catalogue.travel import MODES
from .context import services
from .negotiation import preferred_languages
from .schemas import ApiErrorSchema, GeometryField

blp = Blueprint(
    "itineraries",
    __name__,
    url_prefix="/v1/itineraries",
    description="Plans for a day: which sites, in what order, arriving and leaving when",
)


class PointSchema(Schema):
    class Meta:
        unknown = RAISE

    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


class ItineraryInputSchema(Schema):
    class Meta:
        unknown = RAISE

    start = fields.Nested(PointSchema, required=True, metadata={"description": "Where you set out"})
    end = fields.Nested(PointSchema, metadata={"description": "Where to finish (default: start)"})
    start_time = fields.AwareDateTime(
        metadata={"description": "When you set out, with its zone (default: now)"}
    )
    budget_minutes = fields.Int(
        load_default=480,
        validate=validate.Range(min=30, max=1440),
        metadata={"description": "Time for everything, travel included"},
    )
    mode = fields.Str(load_default="walk", validate=validate.OneOf(MODES))
    sites = fields.List(
        fields.Str(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(min=1, max=25),
        metadata={"description": "Sites to visit (ids or slugs); or leave out for suggestions"},
    )
    categories = fields.List(
        fields.Str(validate=validate.Length(max=60)),
        validate=validate.Length(max=10),
        metadata={"description": "Suggest published sites of these categories near the start"},
    )
    kinds = fields.List(
        fields.Str(validate=validate.Length(max=40)), validate=validate.Length(max=10)
    )
    radius = fields.Float(
        validate=validate.Range(min=100, max=100_000),
        metadata={"description": "How far suggestions may be (default by mode)"},
    )
    lang = fields.Str(validate=validate.Length(max=50))

    @validates_schema
    def _what(self, data, **kwargs):
        if not data.get("sites") and not (data.get("categories") or data.get("kinds")):
            raise ValidationError("Give sites, or categories or kinds to suggest from.", "sites")
        if data.get("sites") and (data.get("categories") or data.get("kinds")):
            raise ValidationError("Give sites or categories/kinds, not both.", "categories")


class PlanSiteSchema(Schema):
    id = fields.Str()
    slug = fields.Str()
    kind = fields.Str()
    name = fields.Str(allow_none=True)
    lang = fields.Str(allow_none=True)
    location = GeometryField()
    links = fields.Dict()


class PlanEventSchema(Schema):
    id = fields.Str()
    name = fields.Str(allow_none=True)
    lang = fields.Str(allow_none=True)
    starts = fields.Str()
    ends = fields.Str()


class StopSchema(Schema):
    site = fields.Nested(PlanSiteSchema)
    arrive = fields.Str()
    depart = fields.Str()
    visit_minutes = fields.Int()
    travel_minutes = fields.Int(metadata={"description": "From the previous stop"})
    distance_m = fields.Int()
    hours_known = fields.Bool(metadata={"description": "false: planned as if open"})
    events = fields.List(fields.Nested(PlanEventSchema), metadata={"description": "That day"})


class PlanEndSchema(Schema):
    location = GeometryField()
    arrive = fields.Str()
    travel_minutes = fields.Int()
    distance_m = fields.Int()


class LeftOutSchema(Schema):
    site = fields.Nested(PlanSiteSchema)
    reason = fields.Str(metadata={"enum": ["closed", "unreachable", "no_time"]})
    message = fields.Str()
    closed_for = fields.Dict()


class PlanSchema(Schema):
    mode = fields.Str()
    start_time = fields.Str()
    budget_minutes = fields.Int()
    travel_times = fields.Str(metadata={"description": "How travel times were estimated"})
    stops = fields.List(fields.Nested(StopSchema))
    end = fields.Nested(PlanEndSchema)
    left_out = fields.List(fields.Nested(LeftOutSchema))
    route = GeometryField(metadata={"description": "Start, stops and end as a LineString"})


@blp.route("", methods=["POST"])
@blp.arguments(ItineraryInputSchema())
@blp.response(200, PlanSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="What is wrong with the request")
def plan(body):
    """Plan a day: the chosen sites (or suggestions of `categories`/`kinds` near the start)
    in the order that fits their opening hours, closures and visit durations in the time
    budget, with the least travel; what cannot fit is listed with the reason."""
    return services().itineraries.plan(body, preferred=preferred_languages(body.get("lang")))
