"""The reviewers' queue: sites waiting in review with what changed since they were last
published, and the two decisions (approve publishes, reject sends back with a reason)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue.lifecycle import CONTENT_ACTIONS, Lifecycle
from ..catalogue.models import Revision, Site
from ..catalogue.records import iso_utc
from ..errors import InvalidInput


class ReviewQueue:
    def __init__(self, sessions: sessionmaker[Session], lifecycle: Lifecycle) -> None:
        self.sessions = sessions
        self.lifecycle = lifecycle

    def pending(self, organisation_id: int | None, limit: int = 100) -> list[dict]:
        """Sites in review (of one organisation, or all when None), oldest first, each with
        the changes since its last publication, field by field (first old, last new)."""
        with self.sessions() as session:
            query = select(Site).where(Site.status == "in_review")
            if organisation_id is not None:
                query = query.where(Site.organisation_id == organisation_id)
            sites = session.scalars(query.order_by(Site.updated_at).limit(limit)).all()
            return [self._item(session, site) for site in sites]

    @staticmethod
    def _item(session: Session, site: Site) -> dict:
        since = session.scalar(
            select(func.max(Revision.version)).where(
                Revision.site_id == site.id, Revision.action == "publish"
            )
        )
        revisions = session.scalars(
            select(Revision)
            .where(Revision.site_id == site.id, Revision.version > (since or 0))
            .order_by(Revision.version)
        ).all()
        changes: dict = {}
        authors: list[str] = []
        for revision in revisions:
            if revision.action not in CONTENT_ACTIONS:
                continue
            authors.append(revision.actor)
            for field, change in revision.changes.items():
                if field in changes:
                    changes[field]["new"] = change.get("new")
                else:
                    changes[field] = dict(change)
        submitted = next((r for r in reversed(revisions) if r.action == "submit"), None)
        return {
            "site_id": site.id,
            "slug": site.slug,
            "name": site.name,
            "version": site.version,
            "organisation_id": site.organisation_id,
            "submitted_by": submitted.actor if submitted else None,
            "submitted_at": iso_utc(submitted.at) if submitted else None,
            "authors": list(dict.fromkeys(authors)),
            "first_publication": since is None,
            "changes": {k: v for k, v in changes.items() if v.get("old") != v.get("new")},
        }

    def approve(
        self, ref: str, actor: str, *, expected_version: int, comment: str | None = None
    ) -> Site:
        return self.lifecycle.change_status(
            ref, "published", actor, expected_version=expected_version, comment=comment
        )

    def reject(self, ref: str, actor: str, *, expected_version: int, comment: str) -> Site:
        if not (comment or "").strip():
            raise InvalidInput(
                "Say why the change is rejected: the editor reads it.", {"comment": ["Missing."]}
            )
        return self.lifecycle.change_status(
            ref,
            "draft",
            actor,
            expected_version=expected_version,
            comment=comment.strip()[:2000],
            action="reject",
        )
