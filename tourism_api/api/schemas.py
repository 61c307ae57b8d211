"""Response schemas: views return data and flask-smorest dumps it through these, so a
response can only hold what the OpenAPI document says (the live-response test checks
the rest: types, nullability, content types)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from media_store.images import FORMATS, SIZES


def _timestamp(**kwargs) -> fields.Str:
    return fields.Str(metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


def _texts(description: str | None = None) -> fields.Dict:
    metadata = {"description": description} if description else {}
    return fields.Dict(keys=fields.Str(), values=fields.Str(), metadata=metadata)


class GeometryField(fields.Dict):
    """A GeoJSON geometry object, passed through as it is."""


class DisplaySchema(Schema):
    lang = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    short_description = fields.Str(allow_none=True)


class ImageRefSchema(Schema):
    id = fields.Str()
    thumbnail = fields.Str()
    thumbnail_jpeg = fields.Str()
    iiif = fields.Str()
    width = fields.Int()
    height = fields.Int()
    caption = _texts()
    licence = fields.Str(allow_none=True)
    attribution = fields.Str(allow_none=True)


class SiteLinksSchema(Schema):
    self = fields.Str()


class SiteSchema(Schema):
    id = fields.Str()
    slug = fields.Str()
    kind = fields.Str()
    status = fields.Str()
    name = _texts()
    aliases = fields.List(fields.Str())
    short_description = _texts()
    description = _texts("Not in lists")
    display = fields.Nested(
        DisplaySchema, metadata={"description": "Texts in the preferred language"}
    )
    location = GeometryField(metadata={"description": "GeoJSON Point"})
    footprint = GeometryField(
        allow_none=True, metadata={"description": "GeoJSON geometry; not in lists"}
    )
    is_zone = fields.Bool()
    distance_m = fields.Float(metadata={"description": "Only with lat/lon"})
    categories = fields.List(fields.Str())
    designations = fields.List(fields.Dict())
    address = fields.Dict()
    admin_area = fields.Str(allow_none=True)
    opening_hours = fields.Dict(allow_none=True)
    open_now = fields.Bool(allow_none=True)
    accessibility = fields.Dict()
    contact = fields.Dict()
    admission = fields.Dict()
    provenance = fields.List(fields.Dict())
    image = fields.Nested(
        ImageRefSchema,
        allow_none=True,
        metadata={"description": "The primary photo: thumbnail URLs, IIIF service"},
    )
    version = fields.Int()
    created_at = _timestamp()
    updated_at = _timestamp()
    published_at = _timestamp(allow_none=True)
    created_by = fields.Str(metadata={"description": "Staff only"})
    updated_by = fields.Str(metadata={"description": "Staff only"})
    highlight = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Str()),
        metadata={"description": "Search hits only: matched words wrapped in <em>, per field"},
    )
    links = fields.Nested(SiteLinksSchema)


class PageLinksSchema(Schema):
    next = fields.Str(allow_none=True)


class SitePageSchema(Schema):
    items = fields.List(fields.Nested(SiteSchema))
    total = fields.Int(
        metadata={"description": "Matches in all pages; when answered from the search index"}
    )
    facets = fields.Dict(
        metadata={"description": "With facets=true: {kind|categories|designations: {value: count}}"}
    )
    next_cursor = fields.Str(
        allow_none=True, metadata={"description": "Pass as `cursor` for the next page"}
    )
    links = fields.Nested(PageLinksSchema)


class SiteFeatureSchema(Schema):
    type = fields.Str(metadata={"enum": ["Feature"]})
    id = fields.Str()
    geometry = GeometryField(allow_none=True)
    properties = fields.Nested(SiteSchema)


class LinkSchema(Schema):
    rel = fields.Str()
    href = fields.Str()
    type = fields.Str()


class SiteFeatureCollectionSchema(Schema):
    type = fields.Str(metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(SiteFeatureSchema))
    numberReturned = fields.Int()
    total = fields.Int()
    facets = fields.Dict()
    next_cursor = fields.Str(allow_none=True)
    links = fields.List(fields.Nested(LinkSchema))


class SuggestionSchema(Schema):
    id = fields.Str()
    slug = fields.Str()
    name = fields.Str(allow_none=True)
    lang = fields.Str(allow_none=True)
    kind = fields.Str()
    location = GeometryField()
    matched = fields.Str(metadata={"description": "The folded name tail that matched"})


class SuggestListSchema(Schema):
    items = fields.List(fields.Nested(SuggestionSchema))


class RevisionSchema(Schema):
    version = fields.Int()
    action = fields.Str()
    actor = fields.Str()
    at = _timestamp()
    changes = fields.Dict()
    comment = fields.Str(allow_none=True, metadata={"description": "A reviewer's reason"})


class RevisionListSchema(Schema):
    items = fields.List(fields.Nested(RevisionSchema))


class CategorySchema(Schema):
    code = fields.Str()
    parent = fields.Str(allow_none=True)
    label = _texts()


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema))


class CodeSchema(Schema):
    code = fields.Str()
    description = fields.Str()


class VocabularySchema(Schema):
    kinds = fields.List(fields.Nested(CodeSchema))
    designations = fields.List(fields.Nested(CodeSchema))
    statuses = fields.List(fields.Str())


class LandingSchema(Schema):
    title = fields.Str()
    version = fields.Str()
    links = fields.Dict(keys=fields.Str(), values=fields.Str())


class SearchHealthSchema(Schema):
    backend = fields.Str()
    ok = fields.Bool()
    pending_changes = fields.Int()


class HealthSchema(Schema):
    status = fields.Str(metadata={"enum": ["ok", "degraded"]})
    database = fields.Str()
    search = fields.Nested(SearchHealthSchema)


class ImportSummarySchema(Schema):
    records = fields.Int()
    created = fields.Int()
    updated = fields.Int()
    unchanged = fields.Int()
    merged = fields.Int()
    rejected = fields.Int()
    warnings = fields.Int()
    review = fields.Int()


class ImportSchema(Schema):
    id = fields.Int()
    profile = fields.Str()
    filename = fields.Str()
    actor = fields.Str()
    dry_run = fields.Bool()
    strict = fields.Bool()
    committed = fields.Bool()
    summary = fields.Nested(ImportSummarySchema)
    report = fields.Dict(
        metadata={"description": "Rejections, warnings, merges and review items; not in lists"}
    )
    created_at = _timestamp()
    links = fields.Nested(SiteLinksSchema)


class ImportListSchema(Schema):
    items = fields.List(fields.Nested(ImportSchema))


class GpsSchema(Schema):
    lat = fields.Float()
    lon = fields.Float()


MediaLinksSchema = Schema.from_dict(
    {
        "self": fields.Str(),
        "iiif": fields.Str(),
        **{f"{size}_{fmt}": fields.Str() for size in SIZES for fmt in FORMATS},
    },
    name="MediaLinks",
)


class MediaSchema(Schema):
    id = fields.Str()
    site_id = fields.Str()
    width = fields.Int()
    height = fields.Int()
    format = fields.Str()
    caption = _texts()
    creator = fields.Str(allow_none=True)
    licence = fields.Str(allow_none=True)
    attribution = fields.Str(allow_none=True)
    taken_at = fields.Str(allow_none=True)
    position = fields.Int()
    primary = fields.Bool()
    links = fields.Nested(MediaLinksSchema)
    sha256 = fields.Str(metadata={"description": "Staff only"})
    bytes = fields.Int(metadata={"description": "Staff only"})
    original_name = fields.Str(allow_none=True, metadata={"description": "Staff only"})
    camera = fields.Str(allow_none=True, metadata={"description": "Staff only"})
    gps = fields.Nested(GpsSchema, allow_none=True, metadata={"description": "Staff only"})
    exif = fields.Dict(metadata={"description": "Staff only"})
    review = fields.List(
        fields.Dict(), metadata={"description": "Staff only: flags such as GPS far from the site"}
    )
    created_by = fields.Str(metadata={"description": "Staff only"})
    updated_by = fields.Str(metadata={"description": "Staff only"})


class MediaListSchema(Schema):
    items = fields.List(fields.Nested(MediaSchema))


class ApiErrorSchema(Schema):
    """The one error shape of this API."""

    code = fields.Int()
    status = fields.Str()
    message = fields.Str()
    errors = fields.Dict()


# Bodies that are not JSON, for the OpenAPI document only.
BINARY = {"type": "string", "format": "binary"}
LOOSE_OBJECT = {"type": "object", "additionalProperties": True}


class ReviewItemSchema(Schema):
    site_id = fields.Str()
    slug = fields.Str()
    name = _texts()
    version = fields.Int(metadata={"description": "Send as If-Match (v<version>.*) to decide"})
    organisation_id = fields.Int(allow_none=True)
    submitted_by = fields.Str(allow_none=True)
    submitted_at = _timestamp(allow_none=True)
    authors = fields.List(
        fields.Str(), metadata={"description": "Who changed it since publication"}
    )
    first_publication = fields.Bool()
    changes = fields.Dict(
        metadata={"description": "{field: {old, new}} since the site was last published"}
    )


class ReviewListSchema(Schema):
    items = fields.List(fields.Nested(ReviewItemSchema))


class DecisionSchema(Schema):
    comment = fields.Str(
        validate=validate.Length(max=2000),
        metadata={"description": "Why: required to reject, optional to approve"},
    )


class ProfileSchema(Schema):
    name = fields.Str()
    source = fields.Str()
    format = fields.Str()
    shipped = fields.Bool(metadata={"description": "Comes with the software (read-only)"})
    organisation_id = fields.Int(allow_none=True)
    updated_at = _timestamp(allow_none=True)
    toml = fields.Str(metadata={"description": "The profile itself; not in lists"})


class ProfileListSchema(Schema):
    items = fields.List(fields.Nested(ProfileSchema))


class ProfileInputSchema(Schema):
    toml = fields.Str(
        required=True, metadata={"description": "A mapping profile (ingest/profiles/README.md)"}
    )
