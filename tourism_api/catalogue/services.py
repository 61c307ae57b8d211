"""Changing the catalogue: every write also records a revision and an outbox row.

The record, its revision and its outbox row are committed in one transaction,
so a failed write leaves none of them behind and the search index can never
miss a committed change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from search.text import slugify

from ..config import Settings
from ..db import transaction
from .errors import CatalogueError, Conflict, InvalidInput, NotFound, PreconditionFailed
from .ids import new_id
from .models import Category, OutboxEvent, Revision, Site, SiteCategory, SiteSource
from .records import apply_record, primary_text, record_view
from .schemas import load_site
from .taxonomy import DEFAULT_CATEGORIES

# Which status changes are allowed, and what each is called in revisions.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "in_review": (("draft",), "submit"),
    "published": (("draft", "in_review"), "publish"),
    "draft": (("in_review", "published", "archived"), "unpublish"),
    "archived": (("draft", "in_review", "published"), "archive"),
}


def _notifies(method):
    """Run the catalogue's after-write hooks once the method's transaction has committed."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        self.notify()
        return result

    return wrapper


def utcnow() -> datetime:
    return datetime.now(UTC)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch."""
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
    return {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


class Catalogue:
    """The catalogue's write and read services, usable from the API, CLI and ingest."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock: Callable[[], datetime] = utcnow
        # Called after every committed write (e.g. to index it at once).
        self.after_write: list[Callable[[], None]] = []
        self._deferring = False

    def notify(self) -> None:
        """Run the after-write hooks (e.g. index now); services writing beside the
        catalogue (photos) call this after their commit."""
        if not self._deferring:
            for hook in self.after_write:
                hook()

    @contextmanager
    def deferred_hooks(self) -> Iterator[None]:
        """Run the after-write hooks once at the end of a bulk load instead of per record."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
            for hook in self.after_write:
                hook()

    # -- reading -------------------------------------------------------------

    def get_site(self, ref: str, *, include_unpublished: bool = False) -> Site:
        with self.sessions() as session:
            return self._find(session, ref, include_unpublished=include_unpublished)

    def revisions(self, ref: str) -> list[Revision]:
        with self.sessions() as session:
            site = self._find(session, ref, include_unpublished=True)
            return list(
                session.scalars(
                    select(Revision).where(Revision.site_id == site.id).order_by(Revision.version)
                )
            )

    def find_in(
        self, session: Session, ref: str, *, include_unpublished: bool, lock: bool = False
    ) -> Site:
        """A site inside the caller's session; `lock` when the caller is about to change it."""
        return self._find(session, ref, include_unpublished=include_unpublished, lock=lock)

    def _find(
        self, session: Session, ref: str, *, include_unpublished: bool, lock: bool = False
    ) -> Site:
        query = select(Site).where(or_(Site.id == ref, Site.slug == ref))
        if lock:
            query = query.with_for_update()
        site = session.scalars(query).first()
        if site is None or (not include_unpublished and site.status != "published"):
            raise NotFound(f"No site with id or slug {ref!r}.")
        return site

    # -- writing -------------------------------------------------------------

    def _validate(self, session: Session, raw: Any) -> dict:
        record = self._load(raw)
        problem = self._check_categories(session, [record])[0]
        if problem:
            raise problem
        return record

    def _load(self, raw: Any) -> dict:
        if not isinstance(raw, dict):
            raise InvalidInput("The site record must be a JSON object.")
        try:
            return load_site(raw, self.settings.languages)
        except ValidationError as exc:
            raise InvalidInput("The site record is invalid.", exc.normalized_messages()) from exc

    def _check_categories(self, session: Session, records: list[dict]) -> list[InvalidInput | None]:
        """A problem (or None) per record, from one query for all their category codes."""
        codes = {code for record in records for code in record.get("categories") or []}
        known = (
            set(session.scalars(select(Category.code).where(Category.code.in_(codes))))
            if codes
            else set()
        )
        problems: list[InvalidInput | None] = []
        for record in records:
            unknown = [code for code in record.get("categories") or [] if code not in known]
            problems.append(
                InvalidInput(
                    "The site record is invalid.",
                    {"categories": [f"Unknown category: {', '.join(unknown)}."]},
                )
                if unknown
                else None
            )
        return problems

    def _record_change(
        self, session: Session, site: Site, action: str, actor: str, changes: dict
    ) -> None:
        now = self.clock()
        session.add(
            Revision(
                site_id=site.id,
                version=site.version,
                action=action,
                actor=actor,
                at=now,
                changes=changes,
            )
        )
        session.add(
            OutboxEvent(
                site_id=site.id,
                version=site.version,
                action="upsert" if site.status == "published" else "delete",
                created_at=now,
            )
        )

    def _unique_slug(self, session: Session, wanted: str, used: set[str]) -> str:
        """`wanted-N` with the smallest N free in the database and among `used`."""
        # A range, not LIKE: it uses the slug index on both databases.
        taken = used | set(
            session.scalars(
                select(Site.slug).where(Site.slug.between(f"{wanted}-", f"{wanted}-\uffff"))
            )
        )
        n = 2
        while f"{wanted}-{n}" in taken:
            n += 1
        return f"{wanted}-{n}"

    def _set_categories(self, site: Site, codes: list[str]) -> None:
        current = {link.category_code: link for link in site.categories}
        site.categories = [
            current.get(c) or SiteCategory(category_code=c) for c in dict.fromkeys(codes)
        ]

    def _source_owners(self, session: Session, keys: set[tuple[str, str]]) -> dict:
        """(source, source id) -> the id of the site recording it, for the keys already taken."""
        by_source: dict[str, list[str]] = {}
        for source, source_id in keys:
            by_source.setdefault(source, []).append(source_id)
        if not by_source:
            return {}
        rows = session.execute(
            select(SiteSource.source, SiteSource.source_id, SiteSource.site_id).where(
                or_(
                    *(
                        (SiteSource.source == source) & SiteSource.source_id.in_(ids)
                        for source, ids in by_source.items()
                    )
                )
            )
        )
        return {(source, source_id): site_id for source, source_id, site_id in rows}

    def _set_sources(
        self, session: Session, site: Site, sources: list[dict], owners: dict | None = None
    ) -> None:
        current = {(s.source, s.source_id): s for s in site.sources}
        kept = []
        for item in sources:
            key = (item["source"], item["source_id"])
            existing = current.get(key)
            if existing is None:
                if owners is None:
                    owners = self._source_owners(
                        session, {(s["source"], s["source_id"]) for s in sources}
                    )
                owner = owners.get(key)
                if owner is not None and owner != site.id:
                    raise Conflict(
                        f"Source {key[0]}:{key[1]} already belongs to site {owner}.",
                        {"sources": [f"{key[0]}:{key[1]} is already recorded on another site."]},
                    )
                existing = SiteSource(source=key[0], source_id=key[1])
            for attr in ("licence", "attribution", "url"):
                setattr(existing, attr, item.get(attr))
            kept.append(existing)
        site.sources = kept

    def _commit(self, session: Session) -> None:
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(
                "The change conflicts with another record (duplicate slug or source)."
            ) from exc

    def create_in(self, session: Session, raw: Any, actor: str, *, status: str = "draft") -> Site:
        """Create a site inside the caller's transaction."""
        result = self.create_many_in(session, [(raw, status)], actor)[0]
        if isinstance(result, CatalogueError):
            raise result
        return result

    def create_many_in(
        self, session: Session, items: list[tuple[Any, str]], actor: str
    ) -> list[Site | CatalogueError]:
        """Create sites from (record, status) pairs with a few queries and one flush.

        Ingest creates thousands of sites; checking each one's categories, slug and
        sources with its own queries, and flushing each, made that slow. A record's own
        problem comes back in its place and the others are still created. If the flush
        fails (a concurrent writer took a slug or source just now) Conflict is raised, and
        the caller rolls back its savepoint or transaction: the sites are all or none.
        """
        results: list[Site | CatalogueError | None] = [None] * len(items)
        records: dict[int, dict] = {}
        for i, (raw, _status) in enumerate(items):
            try:
                records[i] = self._load(raw)
            except InvalidInput as exc:
                results[i] = exc
        order = list(records)
        for i, problem in zip(
            order, self._check_categories(session, [records[i] for i in order]), strict=True
        ):
            if problem:
                results[i] = problem
                del records[i]
        owners = self._source_owners(
            session,
            {(s["source"], s["source_id"]) for r in records.values() for s in r.get("sources", [])},
        )
        slugs = self._free_slugs(session, records)
        for i, record in records.items():
            if isinstance(slugs[i], CatalogueError):
                results[i] = slugs[i]
                continue
            record["slug"] = slugs[i]
            site = self._new_site(record, items[i][1], actor)
            try:
                self._set_sources(session, site, record.get("sources", []), owners)
            except Conflict as exc:
                results[i] = exc
                continue
            # The next record of this call claiming one of these sources is refused too.
            owners.update({(s.source, s.source_id): site.id for s in site.sources})
            session.add(site)
            self._record_change(session, site, "create", actor, diff({}, record_view(site)))
            results[i] = site
        self._commit(session)
        return results  # type: ignore[return-value]

    def _new_site(self, record: dict, status: str, actor: str) -> Site:
        now = self.clock()
        site = Site(
            id=new_id(),
            status=status,
            version=1,
            created_at=now,
            updated_at=now,
            created_by=actor,
            updated_by=actor,
            published_at=now if status == "published" else None,
        )
        site.media = []  # a new site has no photos; saves a lazy load after the commit
        apply_record(site, record, self.settings.languages)
        self._set_categories(site, record.get("categories", []))
        return site

    def _free_slugs(self, session: Session, records: dict[int, dict]) -> dict[int, str | Conflict]:
        """A slug per record: its own if free, else one made from its name (`name`, `name-2`...)."""
        wanted = {
            i: record.get("slug") or slugify(primary_text(record["name"], self.settings.languages))
            for i, record in records.items()
        }
        taken = (
            set(session.scalars(select(Site.slug).where(Site.slug.in_(set(wanted.values())))))
            if wanted
            else set()
        )
        used: set[str] = set()
        slugs: dict[int, str | Conflict] = {}
        for i, slug in wanted.items():
            if "slug" in records[i]:
                if slug in taken or slug in used:
                    slugs[i] = Conflict(
                        f"The slug {slug!r} is taken.", {"slug": ["Already used by another site."]}
                    )
                    continue
            elif slug in taken or slug in used:
                slug = self._unique_slug(session, slug, used)
            used.add(slug)
            slugs[i] = slug
        return slugs

    def update_in(self, session: Session, site: Site, patch: Any, actor: str) -> bool:
        """Apply a merge patch inside the caller's transaction; False when it changed nothing."""
        if not isinstance(patch, dict):
            raise InvalidInput("A patch must be a JSON object.")
        before = record_view(site)
        patched = merge_patch(before, patch)
        if patched == before:
            # The common case when a file is imported again: nothing to validate or apply.
            return False
        record = self._validate(session, patched)
        if (
            record["slug"] != site.slug
            and session.scalars(
                select(Site.id).where(Site.slug == record["slug"], Site.id != site.id)
            ).first()
        ):
            raise Conflict(
                f"The slug {record['slug']!r} is taken.",
                {"slug": ["Already used by another site."]},
            )
        apply_record(site, record, self.settings.languages)
        self._set_categories(site, record.get("categories", []))
        self._set_sources(session, site, record.get("sources", []))
        changes = diff(before, record_view(site))
        if not changes:
            # Nothing to record: drop the (equal) values just assigned.
            session.expire(site)
            session.refresh(site)
            return False
        site.version += 1
        site.updated_at = self.clock()
        site.updated_by = actor
        self._record_change(session, site, "update", actor, changes)
        self._commit(session)
        return True

    @_notifies
    def create_site(self, raw: Any, actor: str, *, status: str = "draft") -> Site:
        with transaction(self.sessions) as session:
            return self.create_in(session, raw, actor, status=status)

    @_notifies
    def update_site(
        self, ref: str, patch: Any, actor: str, *, expected_version: int | None = None
    ) -> Site:
        with transaction(self.sessions) as session:
            site = self._find(session, ref, include_unpublished=True, lock=True)
            self._check_version(site, expected_version)
            self.update_in(session, site, patch, actor)
            return site

    @_notifies
    def change_status(
        self, ref: str, status: str, actor: str, *, expected_version: int | None = None
    ) -> Site:
        allowed_from, action = TRANSITIONS[status]
        with transaction(self.sessions) as session:
            site = self._find(session, ref, include_unpublished=True, lock=True)
            self._check_version(site, expected_version)
            if site.status == status:
                return site
            if site.status not in allowed_from:
                raise Conflict(
                    f"Cannot {action} a site that is {site.status}.",
                    {"status": [f"{site.status} -> {status} is not allowed."]},
                )
            changes = {"status": {"old": site.status, "new": status}}
            site.status = status
            site.version += 1
            site.updated_at = self.clock()
            site.updated_by = actor
            if status == "published":
                site.published_at = site.updated_at
            self._record_change(session, site, action, actor, changes)
            self._commit(session)
            return site

    def touch_in(
        self, session: Session, site: Site, action: str, actor: str, changes: dict
    ) -> None:
        """Record a change made beside the site's own fields (its photos): a new version,
        a revision saying what changed, and an outbox row so the index shows it."""
        site.version += 1
        site.updated_at = self.clock()
        site.updated_by = actor
        self._record_change(session, site, action, actor, changes)
        self._commit(session)

    @staticmethod
    def _check_version(site: Site, expected: int | None) -> None:
        if expected is not None and expected != site.version:
            raise PreconditionFailed(
                f"The site is at version {site.version}, not {expected}: reload it and retry.",
                {"version": [f"Current version is {site.version}."]},
            )

    # -- taxonomy ------------------------------------------------------------

    def categories(self) -> list[Category]:
        with self.sessions() as session:
            return list(session.scalars(select(Category).order_by(Category.code)))

    def add_category(self, code: str, label: dict[str, str], parent: str | None = None) -> Category:
        with transaction(self.sessions) as session:
            if session.get(Category, code) is not None:
                raise Conflict(f"Category {code!r} exists.")
            if parent and session.get(Category, parent) is None:
                raise InvalidInput(
                    f"No parent category {parent!r}.", {"parent": ["Unknown category."]}
                )
            category = Category(code=code, parent_code=parent, label=label)
            session.add(category)
            return category

    def seed_categories(self) -> int:
        """Insert the default taxonomy entries that are missing; returns how many."""
        with transaction(self.sessions) as session:
            existing = set(session.scalars(select(Category.code)))
            added = 0
            for code, parent, label in DEFAULT_CATEGORIES:
                if code not in existing:
                    session.add(Category(code=code, parent_code=parent, label=label))
                    session.flush()
                    added += 1
            return added
