"""Response schemas, for the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields


class DisplaySchema(Schema):
    lang = fields.Str(allow_none=True)
    name = fields.Str(allow_none=True)
    short_description = fields.Str(allow_none=True)


class SiteSchema(Schema):
    id = fields.Str()
    slug = fields.Str()
    kind = fields.Str()
    status = fields.Str()
    name = fields.Dict(keys=fields.Str(), values=fields.Str())
    aliases = fields.List(fields.Str())
    short_description = fields.Dict(keys=fields.Str(), values=fields.Str())
    description = fields.Dict(
        keys=fields.Str(), values=fields.Str(), metadata={"description": "Not in lists"}
    )
    display = fields.Nested(
        DisplaySchema, metadata={"description": "Texts in the preferred language"}
    )
    location = fields.Dict(metadata={"description": "GeoJSON Point"})
    footprint = fields.Dict(
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
    image = fields.Dict(
        allow_none=True, metadata={"description": "The primary photo: thumbnail URLs, IIIF service"}
    )
    version = fields.Int()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    created_by = fields.Str(metadata={"description": "Staff only"})
    updated_by = fields.Str(metadata={"description": "Staff only"})
    links = fields.Dict()


class SitePageSchema(Schema):
    items = fields.List(fields.Nested(SiteSchema))
    next_cursor = fields.Str(
        allow_none=True, metadata={"description": "Pass as `cursor` for the next page"}
    )
    links = fields.Dict()


class SearchHitSchema(SiteSchema):
    highlight = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Str()),
        metadata={"description": "Matched words wrapped in <em>, per field"},
    )


class SearchPageSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema))
    total = fields.Int()
    facets = fields.Dict(
        metadata={"description": "With facets=true: {kind|categories|designations: {value: count}}"}
    )
    next_cursor = fields.Str(allow_none=True)
    links = fields.Dict()


class SuggestionSchema(Schema):
    id = fields.Str()
    slug = fields.Str()
    name = fields.Str()
    lang = fields.Str()
    kind = fields.Str()
    location = fields.Dict()
    matched = fields.Str(metadata={"description": "The folded name tail that matched"})


class SuggestListSchema(Schema):
    items = fields.List(fields.Nested(SuggestionSchema))


class RevisionSchema(Schema):
    version = fields.Int()
    action = fields.Str()
    actor = fields.Str()
    at = fields.DateTime()
    changes = fields.Dict()


class RevisionListSchema(Schema):
    items = fields.List(fields.Nested(RevisionSchema))


class CategorySchema(Schema):
    code = fields.Str()
    parent = fields.Str(allow_none=True)
    label = fields.Dict()


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema))


class ApiErrorSchema(Schema):
    """The one error shape of this API."""

    code = fields.Int()
    status = fields.Str()
    message = fields.Str()
    errors = fields.Dict()
