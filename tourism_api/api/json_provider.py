"""Flask's JSON through orjson.

Every answer of the API goes through the app's JSON provider (flask-smorest's jsonify and
`json_body` alike); Python's json was a few per cent of a search answered without the
response cache, more on long OGC pages. orjson writes the same compact UTF-8 text, keys in
the order given. What it would write otherwise goes through Flask's own `default` (dates
as HTTP dates, dataclasses, Markup) or, for what orjson refuses (integers beyond 64 bits,
keys that are not strings), through Python's json as before. (A NaN, which validation keeps
out of every record, would be written null instead of json's invalid NaN.)
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_COMPACT = (",", ":")
_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


class OrjsonProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if not kwargs or kwargs == {"separators": _COMPACT}:
            try:
                return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
            except TypeError:  # orjson.JSONEncodeError is one
                kwargs = {"separators": _COMPACT}
        return super().dumps(obj, **kwargs)
