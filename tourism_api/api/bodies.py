"""Reading request bodies and preconditions: JSON objects, multipart uploads, If-Match."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import FileStorage

from ..errors import DomainError, InvalidInput


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


def expected_version() -> int | None:
    """The version named by If-Match (an ETag this API gave out), if any."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    version = tag.split(".")[0].removeprefix("v")
    if not version.isdigit():
        raise InvalidInput(
            "If-Match must be an ETag this API returned.", {"If-Match": ["Not one of our ETags."]}
        )
    return int(version)


def read_json_object() -> dict:
    data = request.get_json(silent=True)
    if data is None:
        raise DomainError(
            "The body is not valid JSON.", {"body": ["Malformed JSON or empty body."]}
        )
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", {"body": ["Expected an object."]})
    return data


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
