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

import difflib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from shapely import make_valid
from shapely.geometry import mapping, shape
from shapely.ops import unary_union
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from search.geo import arc_distance_m, radius_envelopes
from search.text import fold
from tourism_api.catalogue.models import Site, SiteSource
from tourism_api.catalogue.records import source_view
from tourism_api.catalogue.sites import Catalogue
from tourism_api.catalogue.spatial import SpatialSQL
from tourism_api.db import transaction
from tourism_api.errors import DomainError

from .normalise import Normalised, normalise
from .profiles import Profile
from .raw import RawRecord
from .scratch import SeenRecords

# Roughly Viet Nam with its islands, for "is this point where the dataset says?" warnings.
COUNTRY_BOXES = {"VN": (102.0, 7.0, 117.9, 23.5)}
# Same place: names at least 90% alike within 150 m, or 80% alike within 20 m.
STRONG_RULES = ((0.9, 150.0), (0.8, 20.0))
# Maybe the same place (listed for review): names 75% alike within 1 km.
LOOSE_NAME, LOOSE_METRES = 0.75, 1000.0
# Places compared per record, at most (a dense old town has many within a kilometre).
MAX_CANDIDATES = 500


def _batched(items: Iterable, size: int) -> Iterator[tuple]:
    iterator = iter(items)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


class _DryRun(Exception):
    """Raised to roll a batch back in a dry run."""


@dataclass
class Problem:
    position: str
    field: str
    message: str


@dataclass
class ImportReport:
    profile: str
    source: str
    file: str
    dry_run: bool = False
    strict: bool = False
    committed: bool = True
    started_at: str = ""
    finished_at: str = ""
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    rejected: int = 0
    rejections: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    review: list[dict] = field(default_factory=list)
    merges: list[dict] = field(default_factory=list)

    def reject(self, position: str, field_name: str, message: str) -> None:
        self.rejections.append(Problem(position, field_name, message))

    def warn(self, position: str, field_name: str, message: str) -> None:
        self.warnings.append(Problem(position, field_name, message))

    def summary(self) -> dict[str, int]:
        return {
            k: getattr(self, k)
            for k in ("records", "created", "updated", "unchanged", "merged", "rejected")
        } | {"warnings": len(self.warnings), "review": len(self.review)}

    def to_dict(self) -> dict:
        return asdict(self)


def _flatten_errors(errors, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from _flatten_errors(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict | list):
                yield from _flatten_errors(item, prefix)
            else:
                yield prefix or "record", str(item)
    else:
        yield prefix or "record", str(errors)


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
        batch_size: int = 200,
    ) -> None:
        self.catalogue = catalogue
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
        self._seen: SeenRecords | None = None

    # -- the run ----------------------------------------------------------------

    def run(
        self, records: Iterable[RawRecord], progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        report = self.report
        report.started_at = datetime.now(UTC).isoformat()
        sessions = self.catalogue.sessions
        self._seen = SeenRecords()
        try:
            with self.catalogue.changes.deferred_hooks():
                if self.strict:
                    self._strict(sessions, records, progress)
                else:
                    for batch in _batched(records, self.batch_size):
                        try:
                            with transaction(sessions) as session:
                                self._batch(session, batch, progress)
                                if self.dry_run:
                                    raise _DryRun
                        except _DryRun:
                            pass
        finally:
            self._seen.close()
            report.rejected = len({p.position for p in report.rejections})
            report.committed = not self.dry_run and not (self.strict and report.rejected)
            report.finished_at = datetime.now(UTC).isoformat()
        return report

    def _strict(self, sessions, records, progress) -> None:
        try:
            with transaction(sessions) as session:
                for batch in _batched(records, self.batch_size):
                    self._batch(session, batch, progress)
                if self.dry_run or self.report.rejections:
                    raise _DryRun
        except _DryRun:
            pass

    def _batch(self, session: Session, batch: tuple[RawRecord, ...], progress) -> None:
        """Check every record, update or merge the known ones, then create the new ones
        together: a few queries and one flush per batch instead of ten per record."""
        ready: list[tuple[str, Normalised]] = []
        for raw in batch:
            self.report.records += 1
            item = self._check(raw)
            if item is not None:
                ready.append((raw.position, item))
        owned = self._own_sites(session, [item.source_id for _, item in ready])
        matching = self._others_exist(session)
        new: list[tuple[str, Normalised, list]] = []
        for position, item in ready:
            try:
                with session.begin_nested():
                    loose = self._upsert(
                        session, position, item, owned.get(item.source_id), matching
                    )
            except DomainError as exc:
                self._reject(position, exc)
                continue
            if loose is not None:
                new.append((position, item, loose))
        self._create(session, new)
        if progress:
            progress(len(batch))

    def _reject(self, position: str, exc: DomainError) -> None:
        problems = list(_flatten_errors(exc.errors)) or [("record", exc.message)]
        for field_name, message in problems:
            self.report.reject(position, field_name, message)

    # -- one record -----------------------------------------------------------------

    def _check(self, raw: RawRecord) -> Normalised | None:
        """The record normalised and checked against the file so far, or None if rejected."""
        report = self.report
        if raw.error:
            report.reject(raw.position, "record", raw.error)
            return None
        item = normalise(raw, self.profile, timezone=self.catalogue.settings.default_timezone)
        for message in item.warnings:
            report.warn(raw.position, "record", message)
        if item.errors:
            for field_name, message in _flatten_errors(item.errors):
                report.reject(raw.position, field_name, message)
            return None
        first = self._seen.first_position(item.source_id)
        if first is not None:
            report.reject(
                raw.position, "id", f"duplicate source id {item.source_id!r} (first at {first})"
            )
            return None
        self._seen.add_id(item.source_id, raw.position)
        self._repair_footprint(raw.position, item)
        self._check_place(raw.position, item)
        return item

    def _repair_footprint(self, position: str, item: Normalised) -> None:
        footprint = item.record.get("footprint")
        if not footprint or not self.profile.footprint.get("repair"):
            return
        geometry = shape(footprint)
        if geometry.is_valid:
            return
        repaired = make_valid(geometry)
        parts = [
            g
            for g in getattr(repaired, "geoms", [repaired])
            if g.geom_type in ("Polygon", "MultiPolygon")
        ]
        if not parts:
            return
        fixed = unary_union(parts)
        item.record["footprint"] = json.loads(json.dumps(mapping(fixed)))  # tuples -> lists
        self.report.warn(position, "footprint", "invalid footprint repaired (make_valid); check it")

    def _check_place(self, position: str, item: Normalised) -> None:
        lon, lat = item.record["location"]["coordinates"][:2]
        if lon == 0 and lat == 0:
            self.report.warn(position, "location", "point at 0,0: probably missing coordinates")
            return
        box = COUNTRY_BOXES.get(self.profile.country or "")
        if box and not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
            if box[0] <= lat <= box[2] and box[1] <= lon <= box[3]:
                self.report.warn(
                    position,
                    "location",
                    "lat/lon look swapped: swapped, the point is inside the country",
                )
            else:
                self.report.warn(position, "location", f"point outside {self.profile.country}")
        for key in {fold(name) for name in (item.record.get("name") or {}).values()}:
            for other_position, other_lon, other_lat in self._seen.places_named(key):
                if arc_distance_m(lon, lat, other_lon, other_lat) < 200:
                    self.report.warn(
                        position, "name", f"same name and place as {other_position}: a duplicate?"
                    )
                    break
            self._seen.add_name(key, lon, lat, position)

    def _own_sites(self, session: Session, source_ids: list[str]) -> dict[str, Site]:
        """The sites this source already recorded, by source id, in one query."""
        if not source_ids:
            return {}
        rows = session.execute(
            select(SiteSource.source_id, Site)
            .join(Site, SiteSource.site_id == Site.id)
            .where(SiteSource.source == self.profile.source, SiteSource.source_id.in_(source_ids))
            # Comparing a record with its site reads these: load them for the whole batch.
            .options(selectinload(Site.sources), selectinload(Site.categories))
        )
        return {source_id: site for source_id, site in rows}

    def _others_exist(self, session: Session) -> bool:
        """Whether any site has a source other than this one: if none, there is nothing to
        match against by name and place (the first import into an empty catalogue)."""
        return bool(
            session.scalar(select(exists().where(SiteSource.source != self.profile.source)))
        )

    def _upsert(
        self, session: Session, position: str, item: Normalised, site: Site | None, matching: bool
    ) -> list | None:
        """Update this source's site or merge into a matching one; when the record needs a
        new site, return its uncertain candidates (a list, maybe empty) instead."""
        report = self.report
        if site is not None and site.sources and site.sources[0].source != self.profile.source:
            # Merged into a site another source created: that source owns the fields;
            # this one refreshes its provenance and adds languages the site lacks.
            changed = self.catalogue.update_in(
                session, site, self._merge_patch(site, item), self.actor
            )
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
            return None
        if site is not None:
            patch = dict(item.record)
            patch["sources"] = self._sources_with_ours(site, item)
            if self.catalogue.update_in(session, site, patch, self.actor):
                report.updated += 1
            else:
                report.unchanged += 1
            return None
        strong, loose = self._match(session, item, by_place=matching)
        if strong is not None:
            site, reason = strong
            self.catalogue.update_in(session, site, self._merge_patch(site, item), self.actor)
            report.merged += 1
            report.merges.append({"position": position, "site_id": site.id, "reason": reason})
            return None
        return loose

    def _create(self, session: Session, new: list[tuple[str, Normalised, list]]) -> None:
        if not new:
            return
        items = [(item.record, "draft" if loose else self.profile.status) for _, item, loose in new]
        try:
            with session.begin_nested():
                results = self.catalogue.create_many_in(session, items, self.actor)
        except DomainError:
            # Someone else wrote a clashing slug or source while this batch ran: one by
            # one, so that only the records concerned are refused.
            results = []
            for record, status in items:
                try:
                    with session.begin_nested():
                        results.append(
                            self.catalogue.create_in(session, record, self.actor, status=status)
                        )
                except DomainError as exc:
                    results.append(exc)
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
        ours = item.record["sources"][0]
        sources = [
            ours if s.source == self.profile.source else source_view(s) for s in site.sources
        ]
        return sources if ours in sources else [*sources, ours]

    def _merge_patch(self, site: Site, item: Normalised) -> dict:
        """Add (or refresh) this source's provenance and the name languages the site lacks."""
        return {
            "sources": self._sources_with_ours(site, item),
            "name": {k: v for k, v in item.record["name"].items() if k not in site.name},
        }

    def _match(self, session: Session, item: Normalised, *, by_place: bool = True):
        """(strong match, loose candidates) among other sources' sites."""
        if item.wikidata:
            site = session.scalars(
                select(Site)
                .join(SiteSource, SiteSource.site_id == Site.id)
                .where(SiteSource.source_id == item.wikidata)
            ).first()
            if site is not None:
                return (site, f"same Wikidata item {item.wikidata}"), []
        if not by_place:
            return None, []
        lon, lat = item.record["location"]["coordinates"][:2]
        spatial = SpatialSQL(session.get_bind().dialect.name)
        own_source = exists().where(
            SiteSource.site_id == Site.id, SiteSource.source == self.profile.source
        )
        # Plain columns, not whole sites: most candidates are only compared, never loaded.
        nearby = session.execute(
            select(
                Site.id, Site.name, Site.aliases, func.ST_X(Site.location), func.ST_Y(Site.location)
            )
            .where(spatial.location_in(radius_envelopes(lon, lat, LOOSE_METRES)), ~own_source)
            .limit(MAX_CANDIDATES)
        ).all()
        names = [fold(n) for n in item.record["name"].values()]
        strong, loose = None, []
        for site_id, site_name, aliases, x, y in nearby:
            distance = arc_distance_m(lon, lat, x, y)
            if distance > LOOSE_METRES:
                continue
            theirs = [fold(n) for n in [*site_name.values(), *(aliases or [])]]
            similarity = max(
                (difflib.SequenceMatcher(None, a, b).ratio() for a in names for b in theirs),
                default=0,
            )
            reason = f"name {similarity:.0%} alike, {distance:.0f} m apart"
            is_strong = any(similarity >= n and distance <= m for n, m in STRONG_RULES)
            if is_strong and strong is None:
                strong = (session.get(Site, site_id), reason)
            elif similarity >= LOOSE_NAME:
                loose.append((site_id, reason))
        return strong, loose
