"""Response shapes of OGC API - Features (landing page, conformance, collections, items).

They document and enforce what the standard's clients (QGIS, GDAL, OWSLib) read; the feature
properties are the same site views `/v1` returns.
"""

from __future__ import annotations

from marshmallow import fields

from .fast_dump import FastSchema
from .schemas import SiteSchema


class OgcLinkSchema(FastSchema):
    href = fields.Str(required=True)
    rel = fields.Str()
    type = fields.Str()
    title = fields.Str()
    hreflang = fields.Str()
    templated = fields.Bool()


class LandingSchema(FastSchema):
    title = fields.Str()
    description = fields.Str()
    version = fields.Str()
    links = fields.List(fields.Nested(OgcLinkSchema))


class ConformanceSchema(FastSchema):
    conformsTo = fields.List(fields.Str())


class SpatialExtentSchema(FastSchema):
    bbox = fields.List(fields.List(fields.Float()))
    crs = fields.Str()


class TemporalExtentSchema(FastSchema):
    interval = fields.List(fields.List(fields.Str(allow_none=True)))
    trs = fields.Str()


class ExtentSchema(FastSchema):
    spatial = fields.Nested(SpatialExtentSchema)
    temporal = fields.Nested(TemporalExtentSchema)


class CollectionSchema(FastSchema):
    id = fields.Str(required=True)
    title = fields.Str()
    description = fields.Str()
    keywords = fields.List(fields.Str())
    links = fields.List(fields.Nested(OgcLinkSchema))
    extent = fields.Nested(ExtentSchema)
    itemType = fields.Str()
    crs = fields.List(fields.Str())
    storageCrs = fields.Str()


class CollectionsSchema(FastSchema):
    links = fields.List(fields.Nested(OgcLinkSchema))
    collections = fields.List(fields.Nested(CollectionSchema))
    crs = fields.List(fields.Str())


class OgcFeatureSchema(FastSchema):
    type = fields.Str(metadata={"enum": ["Feature"]})
    id = fields.Str()
    geometry = fields.Dict(allow_none=True, metadata={"description": "In the requested crs"})
    properties = fields.Nested(SiteSchema)
    links = fields.List(fields.Nested(OgcLinkSchema))


class OgcFeatureCollectionSchema(FastSchema):
    type = fields.Str(metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(OgcFeatureSchema))
    links = fields.List(fields.Nested(OgcLinkSchema))
    timeStamp = fields.Str()
    numberMatched = fields.Int()
    numberReturned = fields.Int()


class QueryablesSchema(FastSchema):
    """A JSON Schema document (OGC API - Features Part 3)."""

    class Meta:
        include = {
            "$schema": fields.Str(),
            "$id": fields.Str(),
        }

    type = fields.Str()
    title = fields.Str()
    properties = fields.Dict()
    additionalProperties = fields.Bool()
