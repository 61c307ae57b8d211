"""The import pipeline: normalise, validate, match, upsert, report.

Records are keyed by (source, source id), so importing the same file twice
changes nothing and a changed row becomes an update with a revision. Without
--strict, each batch of records commits on its own (an interrupted import
leaves whole records only, and running it again finishes the job); with
--strict, the whole import commits or nothing does. A place already in the
catalogue from another source (same Wikidata id, or a near-identical folded
name close by) gains this source's provenance instead of a duplicate; when
the match is uncertain the record is created as a draft and listed for review.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tourism_api.catalogue.models import Site, SiteSource
from tourism_api.catalogue.patches import make_patch
from tourism_api.catalogue.proposals import Proposals
from tourism_api.catalogue.provenance import field_values, reconcile, with_values
from tourism_api.catalogue.records import record_view, source_view
from tourism_api.catalogue.sites import Catalogue
from tourism_api.catalogue.sql_lists import one_of
from tourism_api.db import transaction
from tourism_api.errors import DomainError
from tourism_api.gc_tuning import fewer_collections

from . import matching
from .checks import RecordChecks
from .normalise import Normalised
from .planner_statistics import PlannerStatistics
from .profiles import Profile
from .raw import RawRecord
from .report import ImportReport, flatten_errors

# Records per transaction by default. Each batch pays a few lookups, a commit and, on
# PostgreSQL, a COPY per table: 1,000 created sites 30% faster than 200 did (4,048 against
# 3,119 records/s), and still holds the embedded database's write lock well under a second.
DEFAULT_BATCH_SIZE = 1000


def _batched(items: Iterable, size: int) -> Iterator[tuple]:
    iterator = iter(items)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


class _DryRun(Exception):
    """Raised to roll a batch back in a dry run."""


class Importer:
    def __init__(
        self,
        catalogue: Catalogue,
        profile: Profile,
        *,
        actor: str,
        file_label: str = "",
        dry_run: bool = False,
        strict: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
        organisation_id: int | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.proposals = Proposals(catalogue.sessions, catalogue, catalogue.changes)
        # The office new records belong to (the importing person's, or --org on the CLI).
        self.organisation_id = organisation_id
        self.profile = profile
        self.actor = actor
        self.dry_run = dry_run
        self.strict = strict
        self.batch_size = batch_size
        self.report = ImportReport(
            profile=profile.name,
            source=profile.source,
            file=file_label,
            dry_run=dry_run,
            strict=strict,
        )
        self._checks: RecordChecks | None = None
        self._statistics = PlannerStatistics()

    # -- the run ----------------------------------------------------------------

    def run(
        self, records: Iterable[RawRecord], progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        report = self.report
        report.started_at = datetime.now(UTC).isoformat()
        sessions = self.catalogue.sessions
        self._checks = RecordChecks(self.profile, report, self.catalogue.settings.default_timezone)
        try:
            with self.catalogue.changes.deferred_hooks(), fewer_collections():
                if self.strict:
                    self._strict(sessions, records, progress)
                else:
                    for batch in _batched(records, self.batch_size):
                        try:
                            with transaction(sessions) as session:
                                self._batch(session, batch)
                                if self.dry_run:
                                    raise _DryRun
                        except _DryRun:
                            pass
                        # Told after the batch's transaction ended, never inside it: a
                        # listener that writes (a job's progress row) would wait on SQLite
                        # for the write lock this thread holds.
                        if progress:
                            progress(len(batch))
        finally:
            self._checks.close()
            report.rejected = len({p.position for p in report.rejections})
            report.committed = not self.dry_run and not (self.strict and report.rejected)
            report.finished_at = datetime.now(UTC).isoformat()
        return report

    def _strict(self, sessions, records, progress) -> None:
        """One transaction for the whole file; its progress is told once it has ended."""
        try:
            with transaction(sessions) as session:
                for batch in _batched(records, self.batch_size):
                    self._batch(session, batch)
                if self.dry_run or self.report.rejections:
                    raise _DryRun
        except _DryRun:
            pass
        if progress:
            progress(self.report.records)

    def _batch(self, session: Session, batch: tuple[RawRecord, ...]) -> None:
        """Check every record, update or merge the known ones, then create the new ones
        together: a few queries and one flush per batch instead of ten per record."""
        ready: list[tuple[str, Normalised]] = []
        for raw in batch:
            self.report.records += 1
            item = self._checks.check(raw)
            if item is not None:
                ready.append((raw.position, item))
        ready = self._skip_unchanged(session, ready)
        owned = self._own_sites(session, [item.source_id for _, item in ready])
        by_place = matching.others_exist(session, self.profile.source)
        new: list[tuple[str, Normalised, list]] = []
        for position, item in ready:
            site, merged = owned.get(item.source_id), None
            if site is None:
                # Matching only reads: a record that needs a new site costs no savepoint.
                strong, loose = matching.match(
                    session, item, self.profile.source, by_place=by_place
                )
                if strong is None:
                    new.append((position, item, loose))
                    continue
                site, merged = strong
            try:
                with session.begin_nested():
                    self._update(session, position, item, site, merged)
            except DomainError as exc:
                self._reject(position, exc)
        self._create(session, new)

    def _reject(self, position: str, exc: DomainError) -> None:
        problems = list(flatten_errors(exc.errors)) or [("record", exc.message)]
        for field_name, message in problems:
            self.report.reject(position, field_name, message)

    # -- one record -----------------------------------------------------------------

    def _skip_unchanged(
        self, session: Session, ready: list[tuple[str, Normalised]]
    ) -> list[tuple[str, Normalised]]:
        """Count as unchanged, without loading their sites, the records this source sends
        exactly as last time (values and its own provenance entry): most of a re-import.

        Reconciling such a record changes, queues and remembers nothing, whoever edited
        the site since: every value equals what was sent, and a value sent again never
        overrides a person. (A source merged into another's site remembers only its
        names; its other values differ from what it remembers, so it takes the full way.)
        """
        if not ready:
            return ready
        rows = session.execute(
            select(
                SiteSource.source,
                SiteSource.source_id,
                SiteSource.licence,
                SiteSource.attribution,
                SiteSource.url,
                SiteSource.sent,
            ).where(
                SiteSource.source == self.profile.source,
                one_of(session, SiteSource.source_id, [item.source_id for _, item in ready]),
            )
        )
        last_time = {row.source_id: (row.sent, source_view(row)) for row in rows}
        rest = []
        for position, item in ready:
            known = last_time.get(item.source_id)
            if known is not None and known == (field_values(item.record), item.source):
                self.report.unchanged += 1
            else:
                rest.append((position, item))
        return rest

    def _own_sites(self, session: Session, source_ids: list[str]) -> dict[str, Site]:
        """The sites this source already recorded, by source id, in one query."""
        if not source_ids:
            return {}
        rows = session.execute(
            select(SiteSource.source_id, Site)
            .join(Site, SiteSource.site_id == Site.id)
            .where(
                SiteSource.source == self.profile.source,
                one_of(session, SiteSource.source_id, source_ids),
            )
            # Comparing a record with its site reads these: load them for the whole batch.
            .options(selectinload(Site.sources), selectinload(Site.categories))
        )
        return {source_id: site for source_id, site in rows}

    def _update(
        self, session: Session, position: str, item: Normalised, site: Site, merged: str | None
    ) -> None:
        """Update this source's site, or merge into another source's site that matched
        (`merged` says why)."""
        report = self.report
        if merged is not None:
            self._reconcile(session, position, site, item, owner=False)
            report.merged += 1
            report.merges.append({"position": position, "site_id": site.id, "reason": merged})
            return
        # Merged into a site another source created: that source owns the fields and
        # this one only adds what the site lacks (names in more languages).
        owner = site.sources[0].source == self.profile.source
        if self._reconcile(session, position, site, item, owner=owner):
            report.updated += 1
        else:
            report.unchanged += 1

    def _reconcile(
        self, session: Session, position: str, site: Site, item: Normalised, *, owner: bool
    ) -> bool:
        """Apply what this source may change, list the rest for review, remember what it
        sent; True when the site changed."""
        source = self.profile.source
        before = record_view(site)
        current = field_values(before)
        offered = field_values(item.record)
        if not owner:
            # Names in more languages, and the area of a place another list has as a point.
            offered = {
                path: v
                for path, v in offered.items()
                if path.startswith("name.") or path == "footprint"
            }
        ours = next((s for s in site.sources if s.source == source), None)
        result = reconcile(current, offered, ours.sent if ours else None, owner=owner)
        queue = site.status == "published" and self.profile.updates == "review"
        target = with_values(before, {} if queue else result.changes)
        target["sources"] = self._sources_with_ours(site, item)
        patch = make_patch(before, target)
        # Unchanged records (most of a re-import) skip the update and its second view.
        changed = bool(patch) and self.catalogue.update_in(
            session, site, patch, self.actor, origin={"source": source}
        )
        ours = next(s for s in site.sources if s.source == source)
        if ours.sent != offered:
            ours.sent = offered
        if queue and result.changes:
            self._propose(session, position, site, "update", result.changes, current)
        if result.conflicts:
            offered_conflicts = {path: new for path, (_now, new) in result.conflicts.items()}
            self._propose(session, position, site, "conflict", offered_conflicts, current)
        return changed

    def _propose(
        self,
        session: Session,
        position: str,
        site: Site,
        kind: str,
        values: dict,
        current: dict,
    ) -> None:
        self.proposals.propose_in(
            session,
            site,
            source=self.profile.source,
            kind=kind,
            values={path: (current.get(path), new) for path, new in values.items()},
            actor=self.actor,
        )
        listed = self.report.conflicts if kind == "conflict" else self.report.queued
        listed.extend(
            {
                "position": position,
                "site_id": site.id,
                "field": path,
                "current": current.get(path),
                "offered": new,
            }
            for path, new in values.items()
        )

    def _create(self, session: Session, new: list[tuple[str, Normalised, list]]) -> None:
        if not new:
            return
        items = [(item.record, "draft" if loose else self.profile.status) for _, item, loose in new]
        origin = {"source": self.profile.source}
        sent = [field_values(item.record) for _, item, _ in new]
        try:
            with session.begin_nested():
                results = self.catalogue.create_many_in(
                    session, items, self.actor, self.organisation_id, origin, sent=sent
                )
        except DomainError:
            # Someone else wrote a clashing slug or source while this batch ran: one by
            # one, so that only the records concerned are refused.
            results = []
            for (record, status), values in zip(items, sent, strict=True):
                try:
                    with session.begin_nested():
                        results.append(
                            self.catalogue.create_in(
                                session,
                                record,
                                self.actor,
                                status=status,
                                organisation_id=self.organisation_id,
                                origin=origin,
                                sent=values,
                            )
                        )
                except DomainError as exc:
                    results.append(exc)
        self._statistics.added(
            session, sum(1 for result in results if not isinstance(result, DomainError))
        )
        for (position, _item, loose), result in zip(new, results, strict=True):
            if isinstance(result, DomainError):
                self._reject(position, result)
                continue
            self.report.created += 1
            if loose:
                self.report.review.append(
                    {
                        "position": position,
                        "site_id": result.id,
                        "candidates": [{"site_id": site_id, "reason": r} for site_id, r in loose],
                        "note": "created as a draft: it may be the same place as the candidates",
                    }
                )

    def _sources_with_ours(self, site: Site, item: Normalised) -> list[dict]:
        """The site's provenance with this source's entry refreshed in place (or appended)."""
        ours = item.source
        sources = [
            ours if s.source == self.profile.source else source_view(s) for s in site.sources
        ]
        return sources if ours in sources else [*sources, ours]
