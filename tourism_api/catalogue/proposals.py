"""Values a source sent that wait for a reviewer: conflicts with people's changes, and
updates to published sites that their import profile sends through review.

One proposal stays open per site, field and source; a newer value from the same source
replaces the older one in it. Accepting applies the source's value (it becomes the
field's value, with the source as its origin); dismissing keeps the site's value, and the
source sending the same value again raises nothing new (it is what it "last sent").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction
from ..errors import Conflict, NotFound
from .changes import ChangeLog, notifies
from .ids import is_row_id
from .models import FieldProposal, Site
from .patches import make_patch
from .provenance import field_values, with_values
from .records import iso_utc, record_view
from .sites import Catalogue


class Proposals:
    def __init__(
        self, sessions: sessionmaker[Session], catalogue: Catalogue, changes: ChangeLog
    ) -> None:
        self.sessions = sessions
        self.catalogue = catalogue
        self.changes = changes

    # -- raised by imports --------------------------------------------------------

    def propose_in(
        self,
        session: Session,
        site: Site,
        *,
        source: str,
        kind: str,
        values: dict[str, tuple[Any, Any]],
        actor: str,
    ) -> None:
        """Open (or refresh) a proposal per field: {path: (site's value, source's value)}."""
        if not values:
            return
        now = self.changes.clock()
        existing = {
            p.field: p
            for p in session.scalars(
                select(FieldProposal).where(
                    FieldProposal.site_id == site.id,
                    FieldProposal.source == source,
                    FieldProposal.status == "open",
                    FieldProposal.field.in_(list(values)),
                )
            )
        }
        for path, (current, offered) in values.items():
            proposal = existing.get(path)
            if proposal is None:
                proposal = FieldProposal(
                    site_id=site.id,
                    field=path,
                    source=source,
                    status="open",
                    created_at=now,
                )
                session.add(proposal)
            proposal.kind = kind
            proposal.current = current
            proposal.offered = offered
            proposal.proposed_by = actor
            proposal.updated_at = now

    # -- the reviewer's side ------------------------------------------------------

    def pending(
        self, organisation_id: int | None, *, site_id: str | None = None, limit: int = 200
    ) -> list[dict]:
        """Open proposals (of one organisation's sites, or all when None), oldest first,
        each with the site's value now. One the site already agrees with is closed here
        (a write only then: reading the queue takes no write lock)."""
        with self.sessions() as session:
            query = (
                select(FieldProposal, Site)
                .join(Site, Site.id == FieldProposal.site_id)
                .where(FieldProposal.status == "open")
            )
            if organisation_id is not None:
                query = query.where(Site.organisation_id == organisation_id)
            if site_id is not None:
                query = query.where(Site.id == site_id)
            rows = session.execute(
                query.order_by(FieldProposal.created_at, FieldProposal.id).limit(limit)
            ).all()
            items, values, moot = [], {}, []
            for proposal, site in rows:
                if site.id not in values:
                    values[site.id] = field_values(record_view(site))
                now = values[site.id].get(proposal.field)
                if now == proposal.offered:
                    moot.append(proposal.id)  # someone already made the change
                    continue
                items.append(_view(proposal, site, now))
        if moot:
            with transaction(self.sessions) as session:
                for proposal in session.scalars(
                    select(FieldProposal).where(
                        FieldProposal.id.in_(moot), FieldProposal.status == "open"
                    )
                ):
                    proposal.status = "superseded"
                    proposal.decided_at = self.changes.clock()
        return items

    def fields(self, ref: str) -> dict:
        """Field by field: the value, where it came from, and what each source last sent
        when that differs; with the site's open proposals. What a person checks before
        deciding a conflict, or before correcting a value an import will send again."""
        with self.sessions() as session:
            site = Catalogue.find_in(session, ref, include_unpublished=True)
            values = field_values(record_view(site))
            sent = {s.source: s.sent or {} for s in site.sources}
            paths = sorted(set(values) | {p for v in sent.values() for p in v})
            origins = site.field_origins or {}
            items = []
            for path in paths:
                value = values.get(path)
                items.append(
                    {
                        "field": path,
                        "value": value,
                        "origin": origins.get(path) if path in values else None,
                        "sources": {
                            source: their[path]
                            for source, their in sent.items()
                            if path in their and their[path] != value
                        },
                    }
                )
            site_id, version = site.id, site.version
        return {
            "site_id": site_id,
            "version": version,
            "fields": items,
            "proposals": self.pending(None, site_id=site_id),
        }

    def get(self, proposal_id: int) -> FieldProposal:
        with self.sessions() as session:
            return _find(session, proposal_id)

    @notifies
    def accept(
        self,
        proposal_id: int,
        actor: str,
        *,
        expected_version: int | None,
        comment: str | None = None,
    ) -> Site:
        """Give the field the source's value, as a change by the reviewer from that source."""
        with transaction(self.sessions) as session:
            proposal = _open(session, proposal_id)
            site = Catalogue.find_in(session, proposal.site_id, include_unpublished=True, lock=True)
            Catalogue.check_version(site, expected_version)
            before = record_view(site)
            after = with_values(before, {proposal.field: proposal.offered})
            note = comment or f"Accepted {proposal.source}'s value for {proposal.field}."
            self.catalogue.update_in(
                session,
                site,
                make_patch(before, after),
                actor,
                origin={"source": proposal.source},
                comment=note[:2000],
            )
            self._decide(proposal, "accepted", actor, comment)
            return site

    def dismiss(self, proposal_id: int, actor: str, *, comment: str | None = None) -> dict:
        """Keep the site's value; the source sending the same value again raises nothing."""
        with transaction(self.sessions) as session:
            proposal = _open(session, proposal_id)
            self._decide(proposal, "dismissed", actor, comment)
            site = session.get(Site, proposal.site_id)
            return _view(proposal, site, field_values(record_view(site)).get(proposal.field))

    def _decide(self, proposal: FieldProposal, status: str, actor: str, comment: str | None):
        proposal.status = status
        proposal.decided_by = actor
        proposal.decided_at = self.changes.clock()
        proposal.comment = (comment or "").strip()[:2000] or None


def _find(session: Session, proposal_id: int) -> FieldProposal:
    proposal = session.get(FieldProposal, proposal_id) if is_row_id(proposal_id) else None
    if proposal is None:
        raise NotFound(f"No proposal {proposal_id}.")
    return proposal


def _open(session: Session, proposal_id: int) -> FieldProposal:
    proposal = _find(session, proposal_id)
    if proposal.status != "open":
        raise Conflict(
            f"Proposal {proposal_id} is already {proposal.status}.",
            {"status": [proposal.status]},
        )
    return proposal


def _view(proposal: FieldProposal, site: Site, now: Any) -> dict:
    return {
        "id": proposal.id,
        "site_id": site.id,
        "slug": site.slug,
        "name": site.name,
        "site_status": site.status,
        "version": site.version,
        "organisation_id": site.organisation_id,
        "field": proposal.field,
        "source": proposal.source,
        "kind": proposal.kind,
        "current": now,
        "offered": proposal.offered,
        "status": proposal.status,
        "proposed_by": proposal.proposed_by,
        "created_at": iso_utc(proposal.created_at),
        "updated_at": iso_utc(proposal.updated_at),
        "decided_by": proposal.decided_by,
        "decided_at": iso_utc(proposal.decided_at),
        "comment": proposal.comment,
    }
