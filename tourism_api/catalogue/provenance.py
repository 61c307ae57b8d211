"""Field-level provenance: where each field's value came from, and what a source may change.

A site's fields are compared one by one ("name.fr", "contact.phone", "opening_hours").
Every source remembers the values it last sent (`SiteSource.sent`). A re-import changes a
field only while its value still equals what that same source last sent: once a person
(or another source) changed it, the source's new value is a conflict for a reviewer to
decide, never applied silently. A value a source sends again unchanged never undoes a
person's correction or deletion, and never re-adds a name staff removed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

# Fields compared key by key: texts per language, addresses and contacts per part.
PER_KEY = (
    "name",
    "short_description",
    "description",
    "address",
    "accessibility",
    "contact",
    "admission",
)
# Not content: the slug is the site's address, sources are the provenance itself.
NOT_CONTENT = ("slug", "sources")
EMPTY: tuple[Any, ...] = (None, "", [], {})


def field_values(view: dict) -> dict[str, Any]:
    """A record as {field path: value}, leaving out empty values (absent and empty are one)."""
    values: dict[str, Any] = {}
    for key, value in view.items():
        if key in NOT_CONTENT or value in EMPTY:
            continue
        if key in PER_KEY and isinstance(value, dict):
            values.update({f"{key}.{part}": v for part, v in value.items() if v not in EMPTY})
        else:
            values[key] = value
    return values


def with_values(view: dict, values: dict[str, Any]) -> dict:
    """A copy of a record view with these paths set (None removes)."""
    result = copy.deepcopy(view)
    for path, value in values.items():
        key, _, part = path.partition(".")
        if part:
            texts = dict(result.get(key) or {})
            if value is None:
                texts.pop(part, None)
            else:
                texts[part] = value
            if texts:
                result[key] = texts
            else:
                result.pop(key, None)
        elif value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


@dataclass
class Reconciled:
    """What one source's record does to a site, field by field."""

    # Paths to change now (or to queue for review): the value still is the source's.
    changes: dict[str, Any] = field(default_factory=dict)
    # Paths someone else changed and the source now sends something new: (current, offered).
    conflicts: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def reconcile(
    current: dict[str, Any],
    offered: dict[str, Any],
    last_sent: dict[str, Any] | None,
    *,
    owner: bool = True,
) -> Reconciled:
    """Compare a source's new values with the site's and with what it sent last time.

    `owner` is False for a source merged into a site another source created: it only adds
    what the site lacks, and its disagreement with the owner's values is not a conflict.
    """
    last = last_sent or {}
    result = Reconciled()
    for path, new in offered.items():
        now = current.get(path)
        if new == now:
            continue
        if path in last:
            if new == last[path]:
                continue  # unchanged at the source: whoever changed the site wins
            if now == last[path]:
                result.changes[path] = new
            else:
                result.conflicts[path] = (now, new)
        elif now is None:
            result.changes[path] = new  # the site lacks it: nothing to overwrite
        elif owner:
            # Never sent before (a record imported before provenance was kept) and the
            # site says otherwise: whoever wrote that value may be a person.
            result.conflicts[path] = (now, new)
    return result


def origins_after(
    origins: dict[str, dict] | None,
    before: dict[str, Any],
    after: dict[str, Any],
    origin: dict[str, str],
) -> dict[str, dict]:
    """The site's field origins once a change by `origin` ({"source": name} or
    {"person": actor}) turned the `before` values into the `after` ones."""
    result = {path: o for path, o in (origins or {}).items() if path in after}
    for path, value in after.items():
        if before.get(path) != value:
            result[path] = origin
    return result
