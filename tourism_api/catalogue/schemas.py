"""Marshmallow schemas: the one definition of a valid site record.

The API validates requests with them (and documents them in OpenAPI), and
ingest validates every imported row with the same schemas, so a record is
accepted or refused for the same reasons whichever way it arrives.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from search.text import normalize

from . import admin_units, events, opening_hours
from .geometry import FOOTPRINT_TYPES, GeometryError, parse_geojson
from .taxonomy import DESIGNATIONS, KINDS

# Patterns are checked with fullmatch (FullMatch below): with re.match, "$" also matches
# before a trailing newline, so "hue\n" passed. They stay ECMA-262 for the OpenAPI document.
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CATEGORY_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HHMM = re.compile(r"^(?:([01]\d|2[0-3]):[0-5]\d|24:00)$")
# What a site id looks like: a slug of this shape would make /v1/sites/{id or slug} ambiguous.
ID_SHAPED = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")

# The catalogue's languages, set for the duration of `load_site`.
_allowed_languages: ContextVar[tuple[str, ...] | None] = ContextVar("languages", default=None)
# The time zone of opening hours that name none (TOURISM_DEFAULT_TIMEZONE), set by load_site.
_default_timezone: ContextVar[str | None] = ContextVar("timezone", default=None)

NAME_MAX = 300
SHORT_MAX = 1_000
LONG_MAX = 20_000
SMALL_MAX = 200


class LangText(fields.Dict):
    """A text in several languages: {"vi": "...", "en": "...", "fr": "..."}."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        super().__init__(keys=fields.Str(), values=fields.Str(), **kwargs)
        self.max_length = max_length
        self.metadata.setdefault(
            "description",
            f"Text per language tag (vi, en, fr...), each at most {max_length} characters",
        )

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = super()._deserialize(value, attr, data, **kwargs)
        errors: dict[str, list[str]] = {}
        result: dict[str, str] = {}
        allowed = _allowed_languages.get()
        for lang, text in loaded.items():
            if not isinstance(lang, str) or not LANGUAGE_TAG.fullmatch(lang):
                errors[lang] = ["Not a language tag such as 'vi', 'en' or 'fr'."]
                continue
            if allowed is not None and lang not in allowed:
                errors[lang] = [f"Unknown language; this catalogue takes {', '.join(allowed)}."]
                continue
            text = normalize(text)
            if not text:
                errors[lang] = ["Must not be empty; leave the language out instead."]
            elif len(text) > self.max_length:
                errors[lang] = [f"Longer than {self.max_length} characters ({len(text)})."]
            else:
                result[lang] = text
        if errors:
            raise ValidationError(errors)
        return result


class GeoJSONGeometry(fields.Field):
    """A GeoJSON geometry, loaded into a checked Shapely geometry."""

    def __init__(self, allowed: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allowed = allowed
        self.metadata.setdefault(
            "description", f"GeoJSON geometry: {', '.join(allowed)}; WGS 84, [lon, lat]"
        )
        self.metadata.setdefault("type", "object")

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_geojson(value, self.allowed)
        except GeometryError as exc:
            raise ValidationError(str(exc)) from exc


class FullMatch(validate.Regexp):
    """A Regexp validator that must match the whole value (a trailing newline too)."""

    def __call__(self, value: str) -> str:
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def _not_id_shaped(value: str) -> None:
    if ID_SHAPED.match(value):
        raise ValidationError("A slug cannot have the shape of a site id.")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def _text(max_length: int = SMALL_MAX, **kwargs: Any) -> fields.Str:
    return fields.Str(validate=validate.Length(max=max_length), **kwargs)


def _province_code(value: str) -> None:
    if admin_units.province_name(value) is None:
        raise ValidationError("Not a province code of the 2025 units, e.g. 46 (Huế).")


def _ward_code(value: str) -> None:
    if admin_units.ward_name(value) is None:
        raise ValidationError("Not a ward code of the 2025 units, e.g. 19786.")


class AddressSchema(StrictSchema):
    street = _text()
    ward = _text()
    district = _text()
    province = _text(
        metadata={"description": "As the source writes it; old names (Nam Định) map to 2025 units"}
    )
    province_code = fields.Str(
        validate=[FullMatch(r"^\d{2}$", error="Two digits."), _province_code],
        metadata={"description": "The 2025 unit's official code; found from the text if absent"},
    )
    ward_code = fields.Str(
        validate=[FullMatch(r"^\d{5}$", error="Five digits."), _ward_code],
        metadata={"description": "The 2025 ward's official code"},
    )
    country = fields.Str(
        validate=FullMatch(r"^[A-Z]{2}$", error="ISO 3166-1 alpha-2 code, e.g. VN.")
    )
    postal_code = _text(20)


class IntervalSchema(StrictSchema):
    opens = fields.Str(required=True, validate=FullMatch(HHMM, error="Time as HH:MM."))
    closes = fields.Str(required=True, validate=FullMatch(HHMM, error="Time as HH:MM."))


LUNAR_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|30)$")


class ClosureSchema(StrictSchema):
    """Whole days closed: solar dates, or lunar month-days that recur every year."""

    start = fields.Date()
    end = fields.Date()
    lunar_start = fields.Str(
        validate=FullMatch(LUNAR_MONTH_DAY, error="A lunar month and day as MM-DD, e.g. 01-01.")
    )
    lunar_end = fields.Str(
        validate=FullMatch(LUNAR_MONTH_DAY, error="A lunar month and day as MM-DD, e.g. 01-03.")
    )
    reason = LangText(SMALL_MAX)

    @validates_schema
    def _ordered(self, data, **kwargs):
        solar, lunar = (
            "start" in data or "end" in data,
            "lunar_start" in data or "lunar_end" in data,
        )
        if solar and lunar:
            raise ValidationError("Either solar dates or lunar ones, not both.", "lunar_start")
        if lunar and "lunar_start" not in data:
            raise ValidationError("Missing data for required field.", "lunar_start")
        if not lunar and "start" not in data:
            raise ValidationError("Missing data for required field.", "start")
        if data.get("end") and data.get("start") and data["end"] < data["start"]:
            raise ValidationError("Ends before it starts.", "end")

    @post_load
    def _as_text(self, data, **kwargs):
        # Stored in a JSON column, so dates go back to ISO text.
        return {k: v.isoformat() if k in ("start", "end") else v for k, v in data.items()}


def _weekly() -> fields.Dict:
    return fields.Dict(
        keys=fields.Str(validate=validate.OneOf(opening_hours.DAYS)),
        values=fields.List(fields.Nested(IntervalSchema), validate=validate.Length(max=6)),
    )


def _timezone_name(value: str) -> None:
    try:
        opening_hours.check_timezone(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _osm_expression(value: str) -> None:
    try:
        opening_hours.check_osm(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class OpeningHoursSchema(StrictSchema):
    timezone = fields.Str(validate=_timezone_name)
    osm = fields.Str(
        validate=[validate.Length(min=1, max=255), _osm_expression],
        metadata={
            "description": "OpenStreetMap opening_hours syntax (at most 255 characters, as in OSM); rules over `weekly`."
        },
    )
    weekly = _weekly()
    country = fields.Str(
        validate=FullMatch(r"^[A-Z]{2}$", error="ISO 3166-1 alpha-2 code, e.g. VN."),
        metadata={"description": "Whose public holidays `PH` means (VN when not given)."},
    )
    closures = fields.List(fields.Nested(ClosureSchema), validate=validate.Length(max=366))
    notes = LangText(SHORT_MAX)

    @post_load
    def _stored_with_a_timezone(self, data, **kwargs):
        # Stored hours always say their zone, so reading them never needs the setting.
        if "timezone" not in data and _default_timezone.get():
            data["timezone"] = _default_timezone.get()
        return data


class AccessibilitySchema(StrictSchema):
    wheelchair = fields.Str(validate=validate.OneOf(("yes", "limited", "no", "unknown")))
    notes = LangText(SHORT_MAX)


class ContactSchema(StrictSchema):
    phone = fields.Str(validate=FullMatch(r"^\+?[0-9 ().-]{3,30}$", error="Not a phone number."))
    email = fields.Email()
    website = fields.Url(schemes={"http", "https"})


class PriceSchema(StrictSchema):
    label = LangText(SMALL_MAX, required=True)
    amount = fields.Float(required=True, validate=validate.Range(min=0, max=1e9))
    currency = fields.Str(
        load_default="VND", validate=FullMatch(r"^[A-Z]{3}$", error="ISO 4217 code.")
    )


class AdmissionSchema(StrictSchema):
    free = fields.Bool()
    prices = fields.List(fields.Nested(PriceSchema), validate=validate.Length(max=20))
    notes = LangText(SHORT_MAX)


class DesignationSchema(StrictSchema):
    type = fields.Str(required=True, validate=validate.OneOf(tuple(DESIGNATIONS)))
    year = fields.Int(validate=validate.Range(min=1800, max=2100))
    reference = _text(100)
    label = LangText(SMALL_MAX)


class SourceSchema(StrictSchema):
    source = fields.Str(required=True, validate=validate.Length(min=1, max=80))
    source_id = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    licence = _text(120)
    attribution = _text(500)
    url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500))


class EventSchema(StrictSchema):
    """A festival, rite, night tour or exhibition, once or every (lunar) year or month."""

    id = fields.Str(
        required=True,
        validate=[
            validate.Length(min=1, max=100),
            FullMatch(SLUG, error="Lowercase ASCII words joined by hyphens."),
        ],
        metadata={"description": "Unique among the site's events: le-khai-an"},
    )
    name = LangText(
        NAME_MAX,
        required=True,
        validate=validate.Length(min=1, error="Give the name in at least one language."),
    )
    description = LangText(SHORT_MAX)
    kind = fields.Str(load_default="festival", validate=validate.OneOf(events.KINDS))
    calendar = fields.Str(load_default="solar", validate=validate.OneOf(events.CALENDARS))
    recurrence = fields.Str(
        validate=validate.OneOf(events.RECURRENCES),
        metadata={"description": "yearly or monthly; none: once, from start to end"},
    )
    start = fields.Date(metadata={"description": "Once: the first day"})
    end = fields.Date(metadata={"description": "Once: the last day"})
    month = fields.Int(validate=validate.Range(min=1, max=12))
    day = fields.Int(validate=validate.Range(min=1, max=31))
    days_of_month = fields.List(
        fields.Int(validate=validate.Range(min=1, max=31)),
        validate=validate.Length(min=1, max=31),
    )
    days = fields.Int(
        load_default=1,
        validate=validate.Range(min=1, max=60),
        metadata={"description": "How many days each occurrence lasts"},
    )
    start_time = fields.Str(validate=FullMatch(HHMM, error="Time as HH:MM."))
    end_time = fields.Str(validate=FullMatch(HHMM, error="Time as HH:MM."))
    timezone = fields.Str(validate=_timezone_name)
    url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=500))

    @validates_schema
    def _schedule(self, data, **kwargs):
        recurrence, lunar = data.get("recurrence"), data.get("calendar") == "lunar"
        day_limit = 30 if lunar else 31
        if recurrence is None:
            if "start" not in data:
                raise ValidationError("A one-off event needs its start date.", "start")
            if lunar:
                raise ValidationError(
                    "One-off events give solar dates; lunar ones recur.", "calendar"
                )
            if data.get("end") and data["end"] < data["start"]:
                raise ValidationError("Ends before it starts.", "end")
        elif recurrence == "yearly":
            for name in ("month", "day"):
                if name not in data:
                    raise ValidationError("A yearly event needs its month and day.", name)
            if data["day"] > day_limit:
                raise ValidationError(f"At most {day_limit}.", "day")
        elif "days_of_month" not in data:
            raise ValidationError("A monthly event needs its days.", "days_of_month")
        elif max(data["days_of_month"]) > day_limit:
            raise ValidationError(f"Days are at most {day_limit}.", "days_of_month")

    @post_load
    def _as_text(self, data, **kwargs):
        # Stored in a JSON column, so dates go back to ISO text.
        return {k: v.isoformat() if k in ("start", "end") else v for k, v in data.items()}


def _unique_event_ids(values: list[dict]) -> None:
    ids = [event["id"] for event in values]
    if len(ids) != len(set(ids)):
        raise ValidationError("Each event of a site needs its own id.")


class SiteInputSchema(StrictSchema):
    """A site as staff and ingest send it."""

    @post_load
    def _normalise_aliases(self, data, **kwargs):
        if "aliases" in data:
            data["aliases"] = list(
                dict.fromkeys(normalize(a) for a in data["aliases"] if normalize(a))
            )
        return data

    slug = fields.Str(
        validate=[
            validate.Length(min=1, max=100),
            FullMatch(SLUG, error="Lowercase ASCII words joined by hyphens."),
            _not_id_shaped,
        ]
    )
    kind = fields.Str(required=True, validate=validate.OneOf(tuple(KINDS)))
    name = LangText(
        NAME_MAX,
        required=True,
        validate=validate.Length(min=1, error="Give the name in at least one language."),
    )
    aliases = fields.List(
        fields.Str(validate=validate.Length(min=1, max=NAME_MAX)),
        validate=validate.Length(max=20),
        metadata={"description": "Other names the place is known by, in any language"},
    )
    short_description = LangText(SHORT_MAX)
    description = LangText(LONG_MAX)
    location = GeoJSONGeometry(("Point",), required=True)
    footprint = GeoJSONGeometry(FOOTPRINT_TYPES, allow_none=True)
    categories = fields.List(
        fields.Str(validate=FullMatch(CATEGORY_CODE, error="Not a category code.")),
        validate=validate.Length(max=20),
    )
    address = fields.Nested(AddressSchema)
    admin_area = _text(120)
    visit_minutes = fields.Int(
        validate=validate.Range(min=5, max=720),
        allow_none=True,
        metadata={"description": "How long a visit takes; default: usual for the kind"},
    )
    opening_hours = fields.Nested(OpeningHoursSchema, allow_none=True)
    accessibility = fields.Nested(AccessibilitySchema)
    contact = fields.Nested(ContactSchema)
    admission = fields.Nested(AdmissionSchema)
    designations = fields.List(fields.Nested(DesignationSchema), validate=validate.Length(max=20))
    events = fields.List(
        fields.Nested(EventSchema), validate=[validate.Length(max=50), _unique_event_ids]
    )
    sources = fields.List(fields.Nested(SourceSchema), validate=validate.Length(max=20))


# Building a schema is costly (ingest validates thousands of rows); loading is thread-safe.
_SITE_SCHEMA = SiteInputSchema()
_DECLARED = frozenset(_SITE_SCHEMA.fields)
_REQUIRED = frozenset(name for name, field in _SITE_SCHEMA.fields.items() if field.required)
# Schemas limited to the fields a record has (and the required ones), by the record's keys.
# Marshmallow visits every declared field of a schema for each record, absent or not; a
# spreadsheet row fills a handful of the site's fields, so this took a third of its time.
# The answer is the same: an absent field without a default adds nothing, and a key that is
# not a field is still refused as unknown. Rows of one file share a few shapes.
_BY_KEYS: dict[frozenset[str], SiteInputSchema] = {}
_MAX_SHAPES = 256


def _schema_for(data: Any) -> SiteInputSchema:
    if not isinstance(data, dict):
        return _SITE_SCHEMA
    keys = frozenset(data)
    schema = _BY_KEYS.get(keys)
    if schema is None:
        if len(_BY_KEYS) >= _MAX_SHAPES:
            return _SITE_SCHEMA
        schema = _BY_KEYS[keys] = SiteInputSchema(only=(keys & _DECLARED) | _REQUIRED)
    return schema


def load_site(data: Any, languages: tuple[str, ...], timezone: str) -> dict:
    """Validate a raw site record; raise `ValidationError` with per-field messages.
    Opening hours without a time zone get `timezone`."""
    token = _allowed_languages.set(languages)
    zone_token = _default_timezone.set(timezone)
    try:
        return _schema_for(data).load(data)
    finally:
        _default_timezone.reset(zone_token)
        _allowed_languages.reset(token)
