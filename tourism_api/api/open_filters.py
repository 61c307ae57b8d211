"""open_now, open_at, wheelchair and free, read from a raw query string (OGC API items and
tiles take their parameters without a schema, to answer unknown ones with a 400)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ..errors import BadRequest


def _boolean(args: Mapping[str, str], name: str) -> bool | None:
    value = args.get(name, "").lower()
    if value == "":
        return None
    if value not in ("true", "false"):
        raise BadRequest(f"{name} is true or false.", {name: ["Not a boolean."]})
    return value == "true"


def open_filters(args: Mapping[str, str]) -> dict:
    found: dict = {}
    for name in ("open_now", "wheelchair", "free"):
        value = _boolean(args, name)
        if value is not None:
            found[name] = value
    text = args.get("open_at")
    if text:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise BadRequest(
                "open_at is an ISO 8601 moment.", {"open_at": ["Not a date-time."]}
            ) from None
        if moment.tzinfo is None:
            raise BadRequest("open_at needs a time zone.", {"open_at": ["Add Z or +07:00."]})
        if found.get("open_now"):
            raise BadRequest("Give open_now or open_at, not both.", {"open_at": ["Not both."]})
        found["open_at"] = moment
    return found
