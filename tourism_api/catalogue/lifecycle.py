"""The review workflow: which status a site may move to from which, and the move itself."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction
from ..errors import Conflict
from .changes import ChangeLog, flush, notifies
from .models import Site
from .sites import Catalogue

# Which status changes are allowed, and what each is called in revisions. Nothing is
# published without passing review: draft -> in_review -> published.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "in_review": (("draft",), "submit"),
    "published": (("in_review",), "publish"),
    "draft": (("in_review", "published", "archived"), "unpublish"),
    "archived": (("draft", "in_review", "published"), "archive"),
}


class Lifecycle:
    def __init__(self, sessions: sessionmaker[Session], changes: ChangeLog) -> None:
        self.sessions = sessions
        self.changes = changes

    @notifies
    def change_status(
        self, ref: str, status: str, actor: str, *, expected_version: int | None = None
    ) -> Site:
        allowed_from, action = TRANSITIONS[status]
        with transaction(self.sessions) as session:
            site = Catalogue.find_in(session, ref, include_unpublished=True, lock=True)
            Catalogue.check_version(site, expected_version)
            if site.status == status:
                return site
            if site.status not in allowed_from:
                hint = " Submit it for review first." if status == "published" else ""
                raise Conflict(
                    f"Cannot {action} a site that is {site.status}.{hint}",
                    {"status": [f"{site.status} -> {status} is not allowed."]},
                )
            changes = {"status": {"old": site.status, "new": status}}
            site.status = status
            self.changes.bump(site, actor)
            if status == "published":
                site.published_at = site.updated_at
            self.changes.record(session, site, action, actor, changes)
            flush(session)
            return site
