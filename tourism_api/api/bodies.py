"""Reading request bodies and preconditions: JSON objects, multipart uploads, If-Match."""

from __future__ import annotations

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import FileStorage

from ..errors import BadRequest, InvalidInput, PreconditionRequired


def multipart_body(required: list[str], properties: dict) -> dict:
    """An OpenAPI requestBody for a multipart upload with a `file` part."""
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": required,
                    "properties": {"file": {"type": "string", "format": "binary"}, **properties},
                }
            }
        },
    }


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the version you edit, as a GET returned it",
    "schema": {"type": "string"},
}


def expected_version() -> int:
    """The version named by If-Match (an ETag this API gave out). Every write must say
    which version it edits, so two editors never silently overwrite each other (428)."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        raise PreconditionRequired(
            "Send If-Match with the ETag of the version you edit (GET the site first).",
            {"If-Match": ["Required: the ETag you read."]},
        )
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    version = tag.split(".")[0].removeprefix("v")
    if not version.isdigit():
        raise InvalidInput(
            "If-Match must be an ETag this API returned.", {"If-Match": ["Not one of our ETags."]}
        )
    return int(version)


# No record is nested this deeply; a deeper body is an attack on the parser, not data.
MAX_JSON_DEPTH = 32


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _too_deep() -> BadRequest:
    return BadRequest(
        f"The body is nested more than {MAX_JSON_DEPTH} levels deep.",
        {"body": ["Nested too deeply."]},
    )


def read_json_object() -> dict:
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise _too_deep() from None
    if data is None:
        raise BadRequest("The body is not valid JSON.", {"body": ["Malformed JSON or empty body."]})
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", {"body": ["Expected an object."]})
    if _depth(data) > MAX_JSON_DEPTH:
        raise _too_deep()
    return data


def load_json(schema: Schema, message: str, *, optional: bool = False) -> dict:
    """The JSON object body loaded by `schema`; 422 with `message` and the fields at fault.
    An `optional` body may be left out entirely (as if `{}` was sent)."""
    has_body = request.content_length or request.headers.get("Transfer-Encoding")
    try:
        return schema.load(read_json_object() if has_body or not optional else {})
    except ValidationError as exc:
        raise InvalidInput(message, exc.normalized_messages()) from exc


def uploaded_file(max_bytes: int) -> FileStorage:
    """The `file` of a multipart upload, refusing (413) a body over `max_bytes` before
    reading it, and saying which part is missing or wrong otherwise."""
    request.max_content_length = max_bytes
    if request.mimetype != "multipart/form-data":
        raise InvalidInput(
            "Upload as multipart/form-data.", {"file": ["Expected a multipart upload."]}
        )
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("No file was uploaded.", {"file": ["Missing."]})
    return upload
