"""A site as it was at an earlier version, rebuilt from its revisions' diffs.

Revisions keep each changed field's old and new value, so walking them back from the
current record gives any earlier one. Restoring writes that record as a new version: the
history only ever grows, nothing is erased."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

# What a restore brings back: the record's content. Status moves, photos (their own
# revisions) and provenance are not part of it.
NOT_RESTORED = ("status", "media", "sources")


def record_at(current: dict[str, Any], revisions: Iterable, version: int) -> dict[str, Any]:
    """The record view at `version`, from the current view and the site's revisions."""
    record = copy.deepcopy(current)
    for revision in sorted(revisions, key=lambda r: r.version, reverse=True):
        if revision.version <= version:
            break
        for field, change in (revision.changes or {}).items():
            if field in NOT_RESTORED or not isinstance(change, dict):
                continue
            old = change.get("old")
            if old is None:
                record.pop(field, None)
            else:
                record[field] = copy.deepcopy(old)
    return record
