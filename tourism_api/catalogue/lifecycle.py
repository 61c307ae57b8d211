"""The review workflow: which status a site may move to from which, and the move itself."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction
from ..errors import Conflict, Forbidden
from .changes import ChangeLog, acting_account, flush, notifies
from .models import Revision, Site
from .sites import Catalogue

# Which status changes are allowed, and what each is called in revisions. Nothing is
# published without passing review: draft -> in_review -> published.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "in_review": (("draft",), "submit"),
    "published": (("in_review",), "publish"),
    "draft": (("in_review", "published", "archived"), "unpublish"),
    "archived": (("draft", "in_review", "published"), "archive"),
}


# Who may make each move (an action of access.roles): editors submit their drafts;
# reviewers publish, take back and archive.
PERMISSION: dict[str, str] = {
    "in_review": "edit",
    "published": "review",
    "draft": "review",
    "archived": "review",
}

# Revisions that change what a site says (as opposed to moving it along the workflow).
CONTENT_ACTIONS = ("create", "update", "media")


class Lifecycle:
    def __init__(self, sessions: sessionmaker[Session], changes: ChangeLog) -> None:
        self.sessions = sessions
        self.changes = changes

    @notifies
    def change_status(
        self,
        ref: str,
        status: str,
        actor: str,
        *,
        expected_version: int | None = None,
        comment: str | None = None,
        action: str | None = None,
    ) -> Site:
        """Move a site along the workflow; `action` names the move in its revision when it
        is not the usual one ("reject": back from review to draft, with the reviewer's why)."""
        allowed_from, usual = TRANSITIONS[status]
        action = action or usual
        with transaction(self.sessions) as session:
            site = Catalogue.find_in(session, ref, include_unpublished=True, lock=True)
            Catalogue.check_version(site, expected_version)
            if action == "reject" and site.status != "in_review":
                raise Conflict("Only a site in review can be rejected.", {"status": [site.status]})
            if site.status == status:
                return site
            if status == "published":
                self._four_eyes(session, site)
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
            self.changes.record(session, site, action, actor, changes, comment)
            flush(session)
            return site

    @staticmethod
    def _four_eyes(session: Session, site: Site) -> None:
        """A reviewer cannot approve a change they made: someone else must look at it."""
        reviewer = acting_account.get()
        if reviewer is None:
            return  # imports, the CLI, tokens from before accounts: no person to compare
        last_publish = session.scalar(
            select(func.max(Revision.version)).where(
                Revision.site_id == site.id, Revision.action == "publish"
            )
        )
        own = session.scalar(
            select(func.count())
            .select_from(Revision)
            .where(
                Revision.site_id == site.id,
                Revision.version > (last_publish or 0),
                Revision.action.in_(CONTENT_ACTIONS),
                Revision.actor_id == reviewer,
            )
        )
        if own:
            raise Forbidden(
                "You changed this site since it was last published: another reviewer must "
                "approve it (four-eyes).",
                {"reviewer": ["Cannot approve own changes."]},
            )
