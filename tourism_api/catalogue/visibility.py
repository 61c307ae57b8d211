"""Who may read records that are not published: an office reads its own drafts, an
administrator every office's. The public reads published records only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DraftAccess:
    """A staff caller's reach over unpublished records; `organisation_id` None: every office.

    Passed where a bare `True` used to mean "staff": it is truthy, so staff-only fields
    still show, and the places that look records up also check the office."""

    organisation_id: int | None = None

    def allows(self, organisation_id: int | None) -> bool:
        return self.organisation_id is None or organisation_id == self.organisation_id


def may_read(access, status: str, organisation_id: int | None) -> bool:
    """Whether a caller with `access` (False, True or a DraftAccess) may read a record."""
    if status == "published":
        return True
    if not access:
        return False
    return not isinstance(access, DraftAccess) or access.allows(organisation_id)
