"""Response schemas: views return data and flask-smorest dumps it through these, so a
response can only hold what the OpenAPI document says (the live-response test checks
the rest: types, nullability, content types)."""

from __future__ import annotations

from marshmallow import fields, validate

from media_store.images import FORMATS, SIZES

from .fast_dump import FastSchema


def _timestamp(**kwargs) -> fields.Str:
    return fields.Str(metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


def _texts(description: str | None = None) -> fields.Dict:
    metadata = {"description": description} if description else {}
    return fields.Dict(keys=fields.Str(), values=fields.Str(), metadata=metadata)


class GeometryField(fields.Dict):
    """A GeoJSON geometry object, passed through as it is."""


class DisplaySchema(FastSchema):
    lang = fields.Str(allow_none=True, metadata={"description": "The language of `name`"})
    name = fields.Str(allow_none=True)
    short_description = fields.Str(allow_none=True)
    short_description_lang = fields.Str(
        allow_none=True, metadata={"description": "The language of `short_description`"}
    )


class ImageRefSchema(FastSchema):
    id = fields.Str()
    thumbnail = fields.Str()
    thumbnail_jpeg = fields.Str()
    iiif = fields.Str()
    width = fields.Int()
    height = fields.Int()
    caption = _texts()
    licence = fields.Str(allow_none=True)
    attribution = fields.Str(allow_none=True)


class SiteLinksSchema(FastSchema):
    self = fields.Str()


class ProvinceSchema(FastSchema):
    code = fields.Str(metadata={"description": "Official code: 46 is the city of Huế"})
    name = fields.Str()
    ward_code = fields.Str(allow_none=True)
    ward = fields.Str(allow_none=True)
    found_by = fields.Str(
        allow_none=True,
        metadata={
            "description": "code: given; address: a province named (old or new name); "
            "town: the nearest town (GeoNames), none being named"
        },
    )


class HoursNowSchema(FastSchema):
    open = fields.Bool(allow_none=True, metadata={"description": "null when hours are unknown"})
    next_change = fields.Str(
        allow_none=True,
        metadata={"description": "When it next opens or closes, in the site's local time"},
    )
    closed_for = fields.Dict(
        allow_none=True,
        metadata={"description": "Why it is closed: a closure's reason or a public holiday"},
    )


class SiteSchema(FastSchema):
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
    events = fields.List(
        fields.Dict(),
        metadata={"description": "Not in lists: festivals and rites (see /v1/sites/{ref}/events)"},
    )
    address = fields.Dict()
    admin_area = fields.Str(allow_none=True)
    province = fields.Nested(
        ProvinceSchema,
        allow_none=True,
        metadata={"description": "The 2025 unit (34 provinces, no districts) and ward"},
    )
    opening_hours = fields.Dict(allow_none=True)
    visit_minutes = fields.Int(
        metadata={"description": "How long a visit takes (the record's, or the kind's usual)"}
    )
    open_now = fields.Bool(allow_none=True)
    hours_now = fields.Nested(
        HoursNowSchema, metadata={"description": "Single records only: today's state"}
    )
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


class PageLinksSchema(FastSchema):
    next = fields.Str(allow_none=True)


class EventDisplaySchema(FastSchema):
    lang = fields.Str(allow_none=True, metadata={"description": "The language of `name`"})
    name = fields.Str(allow_none=True)
    description = fields.Str(allow_none=True)
    description_lang = fields.Str(allow_none=True)


class EventSiteSchema(FastSchema):
    id = fields.Str()
    slug = fields.Str()
    kind = fields.Str()
    name = fields.Str(allow_none=True, metadata={"description": "In the preferred language"})
    lang = fields.Str(allow_none=True)
    location = GeometryField()
    links = fields.Nested(SiteLinksSchema)


class EventOccurrenceSchema(FastSchema):
    event = fields.Dict(metadata={"description": "The event as its site's record holds it"})
    display = fields.Nested(EventDisplaySchema)
    starts = fields.Str(
        metadata={"description": "A date, or a date-time with offset when the event has times"}
    )
    ends = fields.Str()
    schedule = fields.Str(metadata={"description": "The schedule in words (English)"})
    site = fields.Nested(EventSiteSchema)
    distance_m = fields.Float(metadata={"description": "Only with lat/lon"})


class EventPageSchema(FastSchema):
    items = fields.List(fields.Nested(EventOccurrenceSchema))
    links = fields.Nested(PageLinksSchema)


class ChangeSchema(FastSchema):
    token = fields.Str(metadata={"description": "Resume after this change with since=token"})
    change = fields.Str(metadata={"enum": ["created", "updated", "deleted"]})
    id = fields.Str()
    version = fields.Int()
    at = fields.Str(metadata={"description": "When the change was made (UTC)"})
    site = fields.Nested(
        SiteSchema,
        allow_none=True,
        metadata={"description": "The site as it is now; null for deleted (a tombstone)"},
    )


class ChangeLinksSchema(FastSchema):
    next = fields.Str()


class ChangePageSchema(FastSchema):
    changes = fields.List(fields.Nested(ChangeSchema))
    next = fields.Str(metadata={"description": "The token to ask with next time"})
    more = fields.Bool(metadata={"description": "More changes are waiting: ask again at once"})
    links = fields.Nested(ChangeLinksSchema)


class SitePageSchema(FastSchema):
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


class SiteFeatureSchema(FastSchema):
    type = fields.Str(metadata={"enum": ["Feature"]})
    id = fields.Str()
    geometry = GeometryField(allow_none=True)
    properties = fields.Nested(SiteSchema)


class LinkSchema(FastSchema):
    rel = fields.Str()
    href = fields.Str()
    type = fields.Str()


class SiteFeatureCollectionSchema(FastSchema):
    type = fields.Str(metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(SiteFeatureSchema))
    numberReturned = fields.Int()
    total = fields.Int()
    facets = fields.Dict()
    next_cursor = fields.Str(allow_none=True)
    links = fields.List(fields.Nested(LinkSchema))


class SuggestionSchema(FastSchema):
    id = fields.Str()
    slug = fields.Str()
    name = fields.Str(allow_none=True)
    lang = fields.Str(allow_none=True)
    kind = fields.Str()
    location = GeometryField()
    matched = fields.Str(metadata={"description": "The folded name tail that matched"})


class SuggestListSchema(FastSchema):
    items = fields.List(fields.Nested(SuggestionSchema))


class RevisionSchema(FastSchema):
    version = fields.Int()
    action = fields.Str()
    actor = fields.Str()
    at = _timestamp()
    changes = fields.Dict()
    comment = fields.Str(allow_none=True, metadata={"description": "A reviewer's reason"})


class RestoreSchema(FastSchema):
    version = fields.Int(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class RevisionListSchema(FastSchema):
    items = fields.List(fields.Nested(RevisionSchema))


class CategorySchema(FastSchema):
    code = fields.Str()
    parent = fields.Str(allow_none=True)
    label = _texts()


class CategoryListSchema(FastSchema):
    items = fields.List(fields.Nested(CategorySchema))


class CodeSchema(FastSchema):
    code = fields.Str()
    description = fields.Str()


class VocabularySchema(FastSchema):
    kinds = fields.List(fields.Nested(CodeSchema))
    designations = fields.List(fields.Nested(CodeSchema))
    statuses = fields.List(fields.Str())


class SearchHealthSchema(FastSchema):
    backend = fields.Str()
    ok = fields.Bool()
    pending_changes = fields.Int()


class HealthSchema(FastSchema):
    status = fields.Str(metadata={"enum": ["ok", "degraded"]})
    database = fields.Str()
    search = fields.Nested(SearchHealthSchema)


class ImportSummarySchema(FastSchema):
    records = fields.Int()
    created = fields.Int()
    updated = fields.Int()
    unchanged = fields.Int()
    merged = fields.Int()
    rejected = fields.Int()
    warnings = fields.Int()
    review = fields.Int()
    conflicts = fields.Int(
        metadata={"description": "Fields people changed that the source now sends otherwise"}
    )
    queued = fields.Int(
        metadata={"description": "Changes to published sites waiting in the review queue"}
    )


class ImportSchema(FastSchema):
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


class JobSchema(FastSchema):
    id = fields.Str()
    kind = fields.Str(metadata={"enum": ["import", "derivatives", "reindex"]})
    status = fields.Str(metadata={"enum": ["queued", "running", "done", "failed"]})
    done = fields.Int(metadata={"description": "Records (or items) handled so far"})
    total = fields.Int(allow_none=True, metadata={"description": "About how many there are"})
    result = fields.Dict(
        allow_none=True, metadata={"description": "When done: for an import, import_id and summary"}
    )
    error = fields.Str(allow_none=True, metadata={"description": "When failed: why"})
    created_by = fields.Str()
    created_at = _timestamp()
    started_at = _timestamp(allow_none=True)
    finished_at = _timestamp(allow_none=True)
    links = fields.Dict()


class ImportListSchema(FastSchema):
    items = fields.List(fields.Nested(ImportSchema))


class GpsSchema(FastSchema):
    lat = fields.Float()
    lon = fields.Float()


MediaLinksSchema = FastSchema.from_dict(
    {
        "self": fields.Str(),
        "iiif": fields.Str(),
        **{f"{size}_{fmt}": fields.Str() for size in SIZES for fmt in FORMATS},
    },
    name="MediaLinks",
)


class MediaSchema(FastSchema):
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


class MediaListSchema(FastSchema):
    items = fields.List(fields.Nested(MediaSchema))


class ApiErrorSchema(FastSchema):
    """The one error shape of this API."""

    code = fields.Int()
    status = fields.Str()
    message = fields.Str()
    errors = fields.Dict()


# Bodies that are not JSON, for the OpenAPI document only.
BINARY = {"type": "string", "format": "binary"}
LOOSE_OBJECT = {"type": "object", "additionalProperties": True}


class ReviewItemSchema(FastSchema):
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


class ReviewListSchema(FastSchema):
    items = fields.List(fields.Nested(ReviewItemSchema))


class ProposalSchema(FastSchema):
    id = fields.Int()
    site_id = fields.Str()
    slug = fields.Str()
    name = _texts()
    site_status = fields.Str()
    version = fields.Int(metadata={"description": "Send as If-Match (v<version>.*) to accept"})
    organisation_id = fields.Int(allow_none=True)
    field = fields.Str(metadata={"description": "name.fr, contact.phone, opening_hours, ..."})
    source = fields.Str(metadata={"description": "The source that sent the value"})
    kind = fields.Str(
        metadata={
            "enum": ["conflict", "update"],
            "description": "conflict: a person changed the field and the source now sends "
            "something else; update: the source changed a published site and its profile "
            "sends updates through review",
        }
    )
    current = fields.Raw(allow_none=True, metadata={"description": "The site's value (null: none)"})
    offered = fields.Raw(allow_none=True, metadata={"description": "The source's value"})
    status = fields.Str(metadata={"enum": ["open", "accepted", "dismissed", "superseded"]})
    proposed_by = fields.Str()
    created_at = _timestamp()
    updated_at = _timestamp()
    decided_by = fields.Str(allow_none=True)
    decided_at = _timestamp(allow_none=True)
    comment = fields.Str(allow_none=True)


class ProposalListSchema(FastSchema):
    items = fields.List(fields.Nested(ProposalSchema))


class FieldOriginSchema(FastSchema):
    source = fields.Str(metadata={"description": "An import source set the value"})
    person = fields.Str(metadata={"description": "A person set the value"})


class FieldProvenanceSchema(FastSchema):
    field = fields.Str()
    value = fields.Raw(allow_none=True, metadata={"description": "null: the site has none"})
    origin = fields.Nested(
        FieldOriginSchema, allow_none=True, metadata={"description": "null: not known"}
    )
    sources = fields.Dict(
        metadata={"description": "What each source last sent, where that differs from value"}
    )


# From a dict: a class attribute named `fields` would hide the marshmallow module.
SiteProvenanceSchema = FastSchema.from_dict(
    {
        "site_id": fields.Str(),
        "version": fields.Int(),
        "fields": fields.List(fields.Nested(FieldProvenanceSchema)),
        "proposals": fields.List(fields.Nested(ProposalSchema)),
    },
    name="SiteProvenance",
)


class DecisionSchema(FastSchema):
    comment = fields.Str(
        validate=validate.Length(max=2000),
        metadata={"description": "Why: required to reject, optional to approve"},
    )


class ProfileSchema(FastSchema):
    name = fields.Str()
    source = fields.Str()
    format = fields.Str()
    shipped = fields.Bool(metadata={"description": "Comes with the software (read-only)"})
    organisation_id = fields.Int(allow_none=True)
    updated_at = _timestamp(allow_none=True)
    toml = fields.Str(metadata={"description": "The profile itself; not in lists"})


class ProfileListSchema(FastSchema):
    items = fields.List(fields.Nested(ProfileSchema))


class ProfileInputSchema(FastSchema):
    toml = fields.Str(
        required=True, metadata={"description": "A mapping profile (ingest/profiles/README.md)"}
    )


# -- administration -------------------------------------------------------------


class OrganisationSchema(FastSchema):
    id = fields.Int(dump_only=True)
    code = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Lowercase words joined by hyphens, e.g. hue"},
    )
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    created_at = _timestamp(dump_only=True)


class OrganisationListSchema(FastSchema):
    items = fields.List(fields.Nested(OrganisationSchema))


ROLE_FIELD = {"metadata": {"enum": ["viewer", "editor", "reviewer", "admin"]}}


class AccountSchema(FastSchema):
    id = fields.Int()
    username = fields.Str()
    display_name = fields.Str()
    organisation = fields.Str(metadata={"description": "The organisation's code"})
    role = fields.Str(**ROLE_FIELD)
    disabled = fields.Bool()
    locked_until = _timestamp(allow_none=True)
    created_at = _timestamp()
    last_login_at = _timestamp(allow_none=True)


class AccountListSchema(FastSchema):
    items = fields.List(fields.Nested(AccountSchema))


class AccountInputSchema(FastSchema):
    username = fields.Str(required=True, validate=validate.Length(max=60))
    display_name = fields.Str(required=True, validate=validate.Length(max=120))
    organisation = fields.Str(required=True, validate=validate.Length(max=40))
    role = fields.Str(required=True, **ROLE_FIELD)
    password = fields.Str(
        required=True,
        load_only=True,
        validate=validate.Length(max=1000),
        metadata={"description": "At least 12 characters; stored as an Argon2 hash"},
    )


class AccountChangeSchema(FastSchema):
    display_name = fields.Str(validate=validate.Length(max=120))
    organisation = fields.Str(validate=validate.Length(max=40))
    role = fields.Str(**ROLE_FIELD)
    password = fields.Str(load_only=True, validate=validate.Length(max=1000))
    disabled = fields.Bool(
        metadata={"description": "true: cannot sign in, tokens and sessions stop working"}
    )


class ApiKeyRecordSchema(FastSchema):
    id = fields.Int()
    name = fields.Str()
    contact = fields.Str(allow_none=True)
    plan = fields.Str(metadata={"enum": ["free", "partner"]})
    prefix = fields.Str(metadata={"description": "The key's first characters, to recognise it"})
    created_at = _timestamp()
    revoked_at = _timestamp(allow_none=True)
    last_used_at = _timestamp(allow_none=True)
    key = fields.Str(metadata={"description": "The key itself: only in the answer that created it"})


class ApiKeyListSchema(FastSchema):
    items = fields.List(fields.Nested(ApiKeyRecordSchema))


class ApiKeyInputSchema(FastSchema):
    name = fields.Str(required=True, validate=validate.Length(max=120))
    plan = fields.Str(load_default="free", metadata={"enum": ["free", "partner"]})
    contact = fields.Str(validate=validate.Length(max=200))


class CategoryInputSchema(FastSchema):
    code = fields.Str(required=True, validate=validate.Length(max=60))
    label = fields.Dict(keys=fields.Str(), values=fields.Str(), required=True)
    parent = fields.Str(allow_none=True, validate=validate.Length(max=60))
