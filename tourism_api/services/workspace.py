"""What the staff workspace shows besides single records: the dashboard (my drafts, what
waits for review, recent imports, a digitisation to-do list) and finding records.

Finding records reads the catalogue, not the search index: staff look for drafts too,
which the public index never holds. Names are compared folded, as the public search
does, so "chua thien mu" finds "Chùa Thiên Mụ"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, lazyload, sessionmaker

from search.text import fold

from ..access.tokens import Principal
from ..catalogue.models import ImportRun, Media, Site, SiteCategory
from ..catalogue.proposals import Proposals
from ..catalogue.taxonomy import KINDS, STATUSES
from ..config import Settings
from .reviews import ReviewQueue

FIND_LIMIT = 100


@dataclass(frozen=True)
class Finding:
    """What staff asked for on the find page; empty strings are "any"."""

    q: str = ""
    status: str = ""
    kind: str = ""
    missing: str = ""  # "photo", "hours" or a language code
    category: str = ""
    area: str = ""  # the province (admin_area)
    flagged: bool = False  # with a photo flagged for a look (GPS far away, near-duplicate)


class Workspace:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        reviews: ReviewQueue,
        proposals: Proposals,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.reviews = reviews
        self.proposals = proposals

    def dashboard(self, who: Principal) -> dict:
        org = who.organisation_id
        with self.sessions() as session:
            drafts = session.scalars(
                self._scoped(select(Site), org)
                .where(Site.status == "draft", Site.updated_by == who.name)
                .order_by(Site.updated_at.desc())
                .limit(20)
            ).all()
            imports = session.scalars(
                select(ImportRun).order_by(ImportRun.id.desc()).limit(5)
            ).all()
            flags = session.scalars(
                self._scoped(select(Media.review).join(Site, Site.id == Media.site_id), org)
            )
            flagged = sum(1 for review in flags if review)
            todo = self._todo(session, org)
        reviewer = who.role in ("reviewer", "admin")
        return {
            "drafts": drafts,
            "reviews": self.reviews.pending(org) if reviewer else [],
            "proposals": self.proposals.pending(org) if reviewer else [],
            "imports": imports,
            "flagged_photos": flagged or 0,
            "todo": todo,
        }

    def _todo(self, session: Session, org: int | None) -> list[dict]:
        """Per province: records, and how many lack a language, a photo or opening hours."""
        has_photo = exists().where(Media.site_id == Site.id)
        rows = session.execute(
            self._scoped(
                select(Site.admin_area, Site.name, Site.opening_hours.is_(None), has_photo),
                org,
            ).where(Site.status != "archived")
        )
        counts: dict[str, dict] = defaultdict(
            lambda: {"sites": 0, "photo": 0, "hours": 0, **{lang: 0 for lang in self.languages}}
        )
        for area, name, no_hours, photo in rows:
            row = counts[area or ""]
            row["sites"] += 1
            row["photo"] += not photo
            row["hours"] += bool(no_hours)
            for lang in self.languages:
                row[lang] += not (name or {}).get(lang)
        return [{"area": area, **row} for area, row in sorted(counts.items())]

    @property
    def languages(self) -> tuple[str, ...]:
        return self.settings.languages

    def find(self, who: Principal, finding: Finding) -> tuple[list[Site], bool]:
        """Up to FIND_LIMIT of the office's records (every office's, for administrators),
        newest changes first; True when there are more."""
        query = self._scoped(select(Site), who.organisation_id)
        if finding.status in STATUSES:
            query = query.where(Site.status == finding.status)
        if finding.kind in KINDS:
            query = query.where(Site.kind == finding.kind)
        if finding.category:
            query = query.where(
                exists().where(
                    SiteCategory.site_id == Site.id, SiteCategory.category_code == finding.category
                )
            )
        if finding.area:
            query = query.where(Site.admin_area == finding.area)
        if finding.missing == "photo":
            query = query.where(~exists().where(Media.site_id == Site.id))
        elif finding.missing == "hours":
            query = query.where(Site.opening_hours.is_(None))
        text = fold(finding.q).strip()
        with self.sessions() as session:
            if finding.flagged:
                flagged = {
                    site_id
                    for site_id, review in session.execute(select(Media.site_id, Media.review))
                    if review
                }
                query = query.where(Site.id.in_(flagged))
            query = query.order_by(Site.updated_at.desc())
            if text or finding.missing in self.languages:
                # Names in every language and other names, folded as the public search
                # folds them ("chua thien mu", "thien mu pagoda", "linh mu"), and which
                # language a name lacks: read from the JSON names, the same on both databases.
                ids = [
                    site_id
                    for site_id, name, aliases, slug in session.execute(
                        query.with_only_columns(Site.id, Site.name, Site.aliases, Site.slug)
                    )
                    if (not text or _matches(text, name, aliases, slug))
                    and (
                        finding.missing not in self.languages
                        or not (name or {}).get(finding.missing)
                    )
                ][: FIND_LIMIT + 1]
                query = select(Site).where(Site.id.in_(ids)).order_by(Site.updated_at.desc())
            # A list shows names and states: the photos, sources and categories every site
            # loads with it by default would triple the time of a page of 100.
            lean = (lazyload(Site.media), lazyload(Site.sources), lazyload(Site.categories))
            sites = session.scalars(query.options(*lean).limit(FIND_LIMIT + 1)).all()
        return list(sites[:FIND_LIMIT]), len(sites) > FIND_LIMIT

    def areas(self, who: Principal) -> list[str]:
        """The provinces the office's records are in, for the find page's filter."""
        with self.sessions() as session:
            query = self._scoped(select(Site.admin_area).distinct(), who.organisation_id)
            return sorted(a for a in session.scalars(query) if a)

    @staticmethod
    def _scoped(query, org: int | None):
        return query.where(Site.organisation_id == org) if org is not None else query


def _matches(text: str, name: dict | None, aliases: list | None, slug: str) -> bool:
    folded = " | ".join(fold(n) for n in [*(name or {}).values(), *(aliases or [])])
    return text in folded or text == slug
