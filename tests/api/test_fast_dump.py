"""The response schemas' quick dump gives exactly what marshmallow's own dump gives."""

import inspect
import random

import pytest
from marshmallow import Schema, fields

from tests.factories import load_hue
from tourism_api.api import ogc_schemas, schemas
from tourism_api.api.fast_dump import FastSchema

RESPONSE_SCHEMAS = sorted(
    {
        cls
        for module in (schemas, ogc_schemas)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, FastSchema) and cls is not FastSchema
    },
    key=lambda cls: cls.__name__,
)


def _value(field: fields.Field, rng: random.Random, depth: int):
    """A value for the field, sometimes of a type the field must convert."""
    if rng.random() < 0.15:
        return None
    if isinstance(field, fields.Nested):
        nested = field.schema
        if nested.many or field.many:
            return [_object(nested, rng, depth + 1) for _ in range(rng.randint(0, 3))]
        return _object(nested, rng, depth + 1)
    if isinstance(field, fields.List):
        return [_value(field.inner, rng, depth) for _ in range(rng.randint(0, 3))]
    if isinstance(field, fields.Boolean):
        return rng.choice([True, False, 1, "yes"])
    if isinstance(field, fields.Integer):
        return rng.choice([3, 0, -12, "7", 2.9])
    if isinstance(field, fields.Float):
        return rng.choice([1.5, 2, "3.25"])
    if isinstance(field, fields.Mapping):
        return rng.choice([{}, {"vi": "Huế", "en": "Hue"}, {"n": [1, 2]}])
    if isinstance(field, fields.String):
        return rng.choice(["Chùa Thiên Mụ", "", 42, b"bytes"])
    return rng.choice(["raw", 5, {"a": 1}])


def _object(schema: Schema, rng: random.Random, depth: int = 0) -> dict:
    obj = {}
    if depth > 3:
        return obj
    for name, field in schema.dump_fields.items():
        # Absent: defaults and omissions (not "items": for a dict without that key,
        # marshmallow itself falls back to the dict's own `items` method).
        if rng.random() < 0.2 and not hasattr(dict, name):
            continue
        obj[field.attribute or name] = _value(field, rng, depth)
    obj["not_in_the_schema"] = "dropped"
    return obj


def _marshmallow_dump(monkeypatch, schema: Schema, obj, many=None):
    with monkeypatch.context() as patched:
        patched.setattr(FastSchema, "dump", Schema.dump)
        return schema.dump(obj, many=many)


@pytest.mark.parametrize("schema_class", RESPONSE_SCHEMAS, ids=lambda cls: cls.__name__)
def test_each_response_schema_dumps_as_marshmallow_does(schema_class, monkeypatch):
    schema = schema_class()
    rng = random.Random(schema_class.__name__)
    objects = [_object(schema, rng) for _ in range(40)]
    for obj in objects:
        assert schema.dump(obj) == _marshmallow_dump(monkeypatch, schema, obj)
    assert schema.dump(objects, many=True) == _marshmallow_dump(
        monkeypatch, schema, objects, many=True
    )


def test_objects_that_are_not_dicts_and_schemas_with_hooks_take_marshmallow_s_way(monkeypatch):
    from marshmallow import post_dump

    class Place:
        name = "Đại Nội"
        year = "1804"

    class PlaceSchema(FastSchema):
        name = fields.Str()
        year = fields.Int()
        kind = fields.Str(dump_default="monument")

    class Shouting(FastSchema):
        name = fields.Str()

        @post_dump
        def upper(self, data, **kwargs):
            return {k: v.upper() for k, v in data.items()}

    assert PlaceSchema().dump(Place()) == {"name": "Đại Nội", "year": 1804, "kind": "monument"}
    assert PlaceSchema().dump({"name": "x"}) == {"name": "x", "kind": "monument"}
    assert Shouting().dump({"name": "huế"}) == {"name": "HUẾ"}


def test_a_real_page_of_sites_is_the_same_either_way(client, catalogue, monkeypatch):
    load_hue(catalogue)
    paths = ["/v1/sites?limit=50", "/v1/sites?f=geojson", "/v1/search?q=hue", "/v1/zones"]
    quick = [client.get(path).get_json() for path in paths]
    with monkeypatch.context() as patched:
        patched.setattr(FastSchema, "dump", Schema.dump)
        slow = [client.get(path).get_json() for path in paths]
    assert quick == slow
    assert len(quick[0]["items"]) >= 5  # a page with content, not two empty answers
