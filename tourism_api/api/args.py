"""Query-string parameters, validated and documented by the same schemas."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from ..catalogue.queries import SORTS
from ..catalogue.taxonomy import KINDS, STATUSES


class BBox(fields.Str):
    """min_lon,min_lat,max_lon,max_lat; min_lon > max_lon means the box crosses 180°."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = text.split(",")
        if len(parts) != 4:
            raise ValidationError("Give four numbers: min_lon,min_lat,max_lon,max_lat.")
        try:
            numbers = [float(p) for p in parts]
        except ValueError as exc:
            raise ValidationError("Give four numbers: min_lon,min_lat,max_lon,max_lat.") from exc
        min_lon, min_lat, max_lon, max_lat = numbers
        if any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
            raise ValidationError("Coordinates must be finite numbers.")
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise ValidationError("Longitudes must be within -180..180.")
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise ValidationError("Latitudes must be within -90..90.")
        if min_lat > max_lat:
            raise ValidationError("min_lat is greater than max_lat.")
        return (min_lon, min_lat, max_lon, max_lat)


class FormatArgs(Schema):
    class Meta:
        unknown = RAISE

    f = fields.Str(
        validate=validate.OneOf(("json", "geojson", "jsonld")),
        metadata={
            "description": "Response format (jsonld: schema.org, for one record); also chosen "
            "by Accept: application/geo+json or application/ld+json"
        },
    )
    lang = fields.Str(
        validate=validate.Length(max=50),
        metadata={
            "description": "Preferred languages, e.g. `en` or `fr,en`; default Accept-Language"
        },
    )


class NearArgs(Schema):
    """A point and a radius around it, checked together."""

    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lon = fields.Float(validate=validate.Range(min=-180, max=180))
    radius = fields.Float(
        validate=validate.Range(min=0, min_inclusive=False),
        metadata={"description": "Metres around lat/lon; needs lat and lon"},
    )

    @validates_schema
    def _point(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            missing = "lon" if "lat" in data else "lat"
            raise ValidationError("lat and lon go together.", missing)
        if "radius" in data and "lat" not in data:
            raise ValidationError("A radius needs lat and lon.", "radius")


class SiteListArgs(FormatArgs, NearArgs):
    f = fields.Str(
        validate=validate.OneOf(("json", "geojson")),
        metadata={"description": "Response format; also chosen by Accept: application/geo+json"},
    )
    q = fields.Str(
        validate=validate.Length(max=200),
        metadata={"description": "Text to search for, in any language, diacritics optional"},
    )
    kind = DelimitedList(fields.Str(validate=validate.OneOf(tuple(KINDS))))
    category = DelimitedList(fields.Str(validate=validate.Length(max=60)))
    province = DelimitedList(
        fields.Str(validate=validate.Length(min=1, max=60)),
        metadata={
            "description": "2025 units by code (46) or name, old names too: Thừa Thiên Huế, "
            "Nam Định (now Ninh Bình), Bến Tre (now Vĩnh Long)"
        },
    )
    status = DelimitedList(
        fields.Str(validate=validate.OneOf((*STATUSES, "any"))),
        metadata={"description": "Staff only; default published"},
    )
    bbox = BBox(metadata={"description": "min_lon,min_lat,max_lon,max_lat (WGS 84)"})
    sort = fields.Str(
        validate=validate.OneOf((*SORTS, "relevance")),
        metadata={"description": "id, name, distance (needs lat/lon) or relevance (needs q)"},
    )
    limit = fields.Int(validate=validate.Range(min=1))
    cursor = fields.Str(validate=validate.Length(max=1000))
    open_now = fields.Bool(
        metadata={"description": "Only sites open now (by their hours, holidays and closures)"}
    )
    open_at = fields.AwareDateTime(
        metadata={
            "description": "Only sites open at this moment (ISO 8601 with a zone, e.g. "
            "2027-02-10T09:00:00+07:00), up to TOURISM_OPEN_AT_DAYS ahead"
        }
    )
    wheelchair = fields.Bool(
        metadata={"description": "true: only sites with wheelchair access (full or limited)"}
    )
    free = fields.Bool(metadata={"description": "true: free entry only; false: paid only"})

    @validates_schema
    def _sorted(self, data, **kwargs):
        if data.get("sort") == "distance" and "lat" not in data:
            raise ValidationError("Sorting by distance needs lat and lon.", "sort")
        if data.get("open_now") and "open_at" in data:
            raise ValidationError("Give open_now or open_at, not both.", "open_at")
