"""Reading, creating and changing sites. Every write also records its change
(`changes.ChangeLog`): the record, its revision and its outbox row commit together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from ..config import Settings
from ..db import transaction
from ..errors import Conflict, DomainError, InvalidInput, NotFound, PreconditionFailed
from . import record_rules as rules
from .changes import ChangeLog, flush, notifies
from .history import record_at
from .ids import new_id
from .models import Revision, Site, SiteCategory, SiteSource
from .patches import diff, make_patch, merge_patch
from .provenance import field_values, origins_after
from .records import apply_record, record_columns, record_view
from .site_records import SiteRecord
from .table_rows import TableRows
from .visibility import DraftAccess, may_read


class Catalogue:
    """The sites of the catalogue, for the API, the CLI and ingest alike."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], changes: ChangeLog
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.changes = changes

    # -- reading -------------------------------------------------------------

    def get_site(self, ref: str, *, include_unpublished: bool | DraftAccess = False) -> Site:
        with self.sessions() as session:
            return self.find_in(session, ref, include_unpublished=include_unpublished)

    def load_many(self, ids: list[str]) -> list[Site]:
        """Sites by id with what their views need (their relationships load with them)."""
        with self.sessions() as session:
            return list(session.scalars(select(Site).where(Site.id.in_(ids))))

    def revisions(self, ref: str) -> list[Revision]:
        with self.sessions() as session:
            site = self.find_in(session, ref, include_unpublished=True)
            return list(
                session.scalars(
                    select(Revision).where(Revision.site_id == site.id).order_by(Revision.version)
                )
            )

    @staticmethod
    def find_in(
        session: Session,
        ref: str,
        *,
        include_unpublished: bool | DraftAccess,
        lock: bool = False,
    ) -> Site:
        """A site by id or slug inside the caller's session; `lock` when the caller is
        about to change it. Unpublished ones only with `include_unpublished` (a
        DraftAccess: only its office's); any other is as if it did not exist."""
        query = select(Site).where(or_(Site.id == ref, Site.slug == ref))
        if lock:
            query = query.with_for_update()
        site = session.scalars(query).first()
        if site is None or not may_read(include_unpublished, site.status, site.organisation_id):
            raise NotFound(f"No site with id or slug {ref!r}.")
        return site

    @staticmethod
    def check_version(site: Site, expected: int | None) -> None:
        if expected is not None and expected != site.version:
            raise PreconditionFailed(
                f"The site is at version {site.version}, not {expected}: reload it and retry.",
                {"version": [f"Current version is {site.version}."]},
            )

    # -- creating ------------------------------------------------------------

    @notifies
    def create_site(
        self,
        raw: Any,
        actor: str,
        *,
        status: str = "draft",
        organisation_id: int | None = None,
    ) -> Site:
        with transaction(self.sessions) as session:
            return self.create_in(
                session, raw, actor, status=status, organisation_id=organisation_id
            )

    def create_in(
        self,
        session: Session,
        raw: Any,
        actor: str,
        *,
        status: str = "draft",
        organisation_id: int | None = None,
        origin: dict[str, str] | None = None,
        sent: dict | None = None,
    ) -> Site:
        """Create a site inside the caller's transaction."""
        result = self.create_many_in(
            session,
            [(raw, status)],
            actor,
            organisation_id,
            origin,
            sent=None if sent is None else [sent],
        )[0]
        if isinstance(result, DomainError):
            raise result
        return session.get_one(Site, result.id)

    def create_many_in(
        self,
        session: Session,
        items: list[tuple[Any, str]],
        actor: str,
        organisation_id: int | None = None,
        origin: dict[str, str] | None = None,
        sent: list[dict] | None = None,
    ) -> list[SiteRecord | DomainError]:
        """Create sites from (record, status) pairs with a few queries and one INSERT
        per table; each created site comes back as a `SiteRecord` of its columns.

        Ingest creates thousands of sites; checking each one's categories, slug and
        sources with its own queries, and writing each through the ORM, made that slow. A
        record's own problem comes back in its place and the others are still created.
        If the insert fails (a concurrent writer took a slug or source just now) Conflict
        is raised, and the caller rolls back its savepoint or transaction: the sites are
        all or none. `sent`, for an import, is what its source sent for each item, kept on
        the site's provenance row of that source (`origin`) for the next import to compare
        with.
        """
        results: list[SiteRecord | DomainError | None] = [None] * len(items)
        records: dict[int, dict] = {}
        for i, (raw, _status) in enumerate(items):
            try:
                records[i] = rules.load_record(raw, self.settings)
            except InvalidInput as exc:
                results[i] = exc
        order = list(records)
        problems = rules.category_problems(session, [records[i] for i in order])
        for i, problem in zip(order, problems, strict=True):
            if problem:
                results[i] = problem
                del records[i]
        owners = rules.source_owners(
            session,
            {(s["source"], s["source_id"]) for r in records.values() for s in r.get("sources", [])},
        )
        slugs = rules.free_slugs(session, records, self.settings.languages)
        rows = TableRows()
        now = self.changes.clock()
        by = origin or {"person": actor}
        for i, record in records.items():
            if isinstance(slugs[i], DomainError):
                results[i] = slugs[i]
                continue
            record["slug"] = slugs[i]
            site_id = new_id()
            try:
                sources = rules.new_sources(site_id, record.get("sources", []), owners)
            except Conflict as exc:
                results[i] = exc
                continue
            # The next record of this call claiming one of these sources is refused too.
            owners.update({(s["source"], s["source_id"]): site_id for s in sources})
            if sent is not None and origin and "source" in origin:
                for provenance in sources:
                    if provenance["source"] == origin["source"]:
                        provenance["sent"] = sent[i]
            status = items[i][1]
            columns = record_columns(record, self.settings.languages)
            columns.update(
                id=site_id,
                status=status,
                version=1,
                organisation_id=organisation_id,
                created_at=now,
                updated_at=now,
                created_by=actor,
                updated_by=actor,
                published_at=now if status == "published" else None,
            )
            codes = list(dict.fromkeys(record.get("categories", [])))
            site = SiteRecord(
                {
                    **columns,
                    "category_codes": codes,
                    "sources": [SiteRecord(source) for source in sources],
                }
            )
            view = record_view(site)
            columns["field_origins"] = site.field_origins = origins_after(
                {}, {}, field_values(view), by
            )
            rows.add(Site.__table__, columns)
            rows.extend(
                SiteCategory.__table__, ({"site_id": site_id, "category_code": c} for c in codes)
            )
            rows.extend(SiteSource.__table__, sources)
            self.changes.creation_rows(session, site, actor, diff({}, view), rows)
            results[i] = site
        rows.insert(session)
        return results  # type: ignore[return-value]

    # -- changing ------------------------------------------------------------

    @notifies
    def update_site(
        self, ref: str, patch: Any, actor: str, *, expected_version: int | None = None
    ) -> Site:
        with transaction(self.sessions) as session:
            site = self.find_in(session, ref, include_unpublished=True, lock=True)
            self.check_version(site, expected_version)
            self.update_in(session, site, patch, actor)
            return site

    @notifies
    def restore(self, ref: str, version: int, actor: str, *, expected_version: int) -> Site:
        """Make the site's content what it was at `version`, as a new version."""
        with transaction(self.sessions) as session:
            site = self.find_in(session, ref, include_unpublished=True, lock=True)
            self.check_version(site, expected_version)
            if not 1 <= version < site.version:
                raise InvalidInput(
                    f"Version {version} is not an earlier version of this site.",
                    {"version": [f"Between 1 and {site.version - 1}."]},
                )
            revisions = session.scalars(
                select(Revision).where(Revision.site_id == site.id, Revision.version > version)
            ).all()
            current = {k: v for k, v in record_view(site).items() if k != "sources"}
            earlier = record_at(current, revisions, version)
            self.update_in(
                session,
                site,
                make_patch(current, earlier),
                actor,
                comment=f"Restored version {version}.",
            )
            return site

    def update_in(
        self,
        session: Session,
        site: Site,
        patch: Any,
        actor: str,
        *,
        origin: dict[str, str] | None = None,
        comment: str | None = None,
    ) -> bool:
        """Apply a merge patch inside the caller's transaction; False when it changed nothing.

        `origin` is where the new values come from ({"source": name} for an import); by
        default the acting person, whose corrections later imports must not undo.
        """
        if not isinstance(patch, dict):
            raise InvalidInput("A patch must be a JSON object.")
        before = record_view(site)
        patched = merge_patch(before, patch)
        if patched == before:
            # The common case when a file is imported again: nothing to validate or apply.
            return False
        record = rules.load_record(patched, self.settings)
        # A site always has a slug: removing it (null) keeps the one it has.
        record.setdefault("slug", site.slug)
        problem = rules.category_problems(session, [record])[0]
        if problem:
            raise problem
        if record["slug"] != site.slug:
            rules.check_slug_free(session, record["slug"], site.id)
        apply_record(site, record, self.settings.languages)
        rules.set_categories(site, record.get("categories", []))
        rules.set_sources(session, site, record.get("sources", []))
        after = record_view(site)
        changes = diff(before, after)
        if not changes:
            # Nothing to record: drop the (equal) values just assigned.
            session.expire(site)
            session.refresh(site)
            return False
        site.field_origins = origins_after(
            site.field_origins,
            field_values(before),
            field_values(after),
            origin or {"person": actor},
        )
        self.changes.bump(site, actor)
        self.changes.record(session, site, "update", actor, changes, comment)
        flush(session)
        return True
