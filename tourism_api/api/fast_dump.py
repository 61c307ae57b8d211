"""Response schemas that dump plain dicts without marshmallow's per-field machinery.

Every answer is dumped through its documented schema, so what a client receives is what
the OpenAPI document says. A page of 20 sites is ~500 field dumps; marshmallow makes
each one through five calls (serialize, get_value, get_attribute, the key lookup,
_serialize), a quarter of a search request's time. `FastSchema.dump` does the same
for the field types our responses use, computed once per schema as a list of steps:
for a dict, a present key's value goes through the exact conversion marshmallow's
field would apply (the same code for strings, numbers, mappings, lists and nested
schemas). Anything else, an absent key (defaults), a field of another type, a
schema with hooks, an object that is not a dict, goes through marshmallow itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.utils import ensure_text_type

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _text(value: Any) -> Any:
    if value is None or type(value) is str:
        return value
    return ensure_text_type(value)


def _converter(field: fields.Field) -> Convert | None:
    """What `field._serialize` does to a value, when it needs neither attr nor obj."""
    serialize = type(field)._serialize
    if serialize is fields.Field._serialize:  # Raw, Boolean: the value as it is
        return _same
    if serialize is fields.String._serialize:
        return _text
    if serialize is fields.Number._serialize and not field.as_string:
        number = field.num_type

        def to_number(value: Any) -> Any:
            return None if value is None else number(value)

        return to_number
    if serialize is fields.Mapping._serialize and not field.key_field and not field.value_field:
        mapping = field.mapping_type

        def to_mapping(value: Any) -> Any:
            return None if value is None else mapping(value)

        return to_mapping
    if serialize is fields.List._serialize:
        inner = _converter(field.inner)
        if inner is None:
            return None

        def to_list(value: Any) -> Any:
            return None if value is None else [inner(each) for each in value]

        return to_list
    if serialize is fields.Nested._serialize:

        def to_nested(value: Any) -> Any:
            schema = field.schema
            if value is None:
                return None
            return schema.dump(value, many=schema.many or field.many)

        return to_nested
    return None


class FastSchema(Schema):
    """A marshmallow Schema whose dump of dicts takes the shortcut above."""

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        steps = self.__dict__.get("_fast_steps")
        if steps is None:
            steps = self.__dict__["_fast_steps"] = self._compile()
        if steps is False:
            return super().dump(obj, many=many)
        many = self.many if many is None else bool(many)
        if many:
            if obj is None:
                return super().dump(obj, many=many)
            return [self._dump_one(item, steps) for item in obj]
        return self._dump_one(obj, steps)

    def _dump_one(self, obj: Any, steps: list) -> Any:
        if type(obj) is not dict:
            return Schema._serialize(self, obj, many=False)
        out = self.dict_class()
        for attr, key, source, field, convert, skip_if_absent in steps:
            value = obj.get(source, missing) if convert is not None else missing
            if value is missing:
                if skip_if_absent and source not in obj:
                    continue
                # Absent (a default may apply) or a field only marshmallow knows.
                value = field.serialize(attr, obj, accessor=self.get_attribute)
                if value is missing:
                    continue
                out[key] = value
            else:
                out[key] = convert(value)
        return out

    def _compile(self) -> list | bool:
        if any(self._hooks.get(hook) for hook in ("pre_dump", "post_dump")):
            return False
        steps = []
        for attr, field in self.dump_fields.items():
            key = field.data_key if field.data_key is not None else attr
            source = attr if field.attribute is None else field.attribute
            convert = None if "." in source else _converter(field)
            # Marshmallow leaves an absent key out unless the field has a default, or the
            # name is one of dict's own attributes (it falls back to getattr: `items`).
            skip_if_absent = field.dump_default is missing and not hasattr(dict, source)
            steps.append((attr, key, source, field, convert, skip_if_absent))
        return steps
