"""Roles and what each may do. Each role includes the ones before it:

viewer    reads drafts and history
editor    creates, edits, uploads photos, imports, submits for review (own organisation)
reviewer  approves or rejects, publishes, unpublishes (own organisation)
admin     all of it in every organisation, plus accounts, organisations, keys, categories
"""

from __future__ import annotations

ROLES = ("viewer", "editor", "reviewer", "admin")
ACTIONS = {"read_drafts": "viewer", "edit": "editor", "review": "reviewer", "administer": "admin"}


def allows(role: str, action: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(ACTIONS[action])
