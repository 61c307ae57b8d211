"""Merge patches and the diffs revisions record; pure functions on JSON-like values."""

from __future__ import annotations

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: objects merge, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def diff(before: dict, after: dict) -> dict:
    """{field: {"old": ..., "new": ...}} for each top-level field that differs."""
    return {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def make_patch(before: Any, after: Any) -> Any:
    """The merge patch that turns `before` into `after` (the inverse of `merge_patch`), so
    that a whole replacement of a nested value (opening hours) also removes its old keys."""
    if not isinstance(after, dict) or not isinstance(before, dict):
        return after
    patch: dict = {key: None for key in before if key not in after}
    for key, value in after.items():
        if key not in before:
            patch[key] = value
        elif before[key] != value:
            patch[key] = make_patch(before[key], value)
    return patch
