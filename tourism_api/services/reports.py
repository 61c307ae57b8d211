"""Visitors' reports on a site ("closed today", "wrong hours", "this photo is another
temple"): taken without an account, kept for the owning office's reviewers, never applied
to the record by themselves.

Spam is kept out without making honest visitors prove anything: a honeypot field that
only robots fill (`website`), a limit on links, identical reports counted as one (a "me
too"), and a per-client rate (TOURISM_RATE_REPORTS) applied by the HTTP layer. What looks
like spam is kept with status `spam`, out of the queue, so nothing is silently lost.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from media_store.images import encode, inspect, shrink
from media_store.storage import Storage
from search.text import fold

from ..catalogue.models import Report, Site
from ..catalogue.records import iso_utc
from ..catalogue.sites import Catalogue
from ..config import Settings
from ..db import transaction
from ..errors import Conflict, InvalidInput, NotFound

CATEGORIES = ("closed", "hours", "location", "photo", "info", "other")
DECISIONS = {"resolve": "resolved", "dismiss": "dismissed"}
MAX_LINKS = 2
MAX_TEXT, MAX_CONTACT = 2000, 200
SAME_REPORT_WINDOW = timedelta(days=1)
_LINK = re.compile(r"https?://|www\.", re.I)


class Reports:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        catalogue: Catalogue,
        storage: Storage,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.catalogue = catalogue
        self.storage = storage

    # -- visitors ------------------------------------------------------------------------

    def submit(self, ref: str, body: dict, photo: bytes | None, client: str) -> dict:
        """Take a report on a published site; answer what the visitor may know of it."""
        check_report(body)
        site = self.catalogue.get_site(ref)  # published only: a 404 otherwise
        text = (body.get("text") or "").strip()
        status = "open"
        if body.get("website") or len(_LINK.findall(text)) > MAX_LINKS:
            status = "spam"
        photo_key = self._photo(photo) if photo else None
        now = datetime.now(UTC)
        client_hash = hashlib.sha256(client.encode()).hexdigest()[:32]
        folded = fold(text)[:500]
        with transaction(self.sessions) as session:
            same = session.scalars(
                select(Report).where(
                    Report.site_id == site.id,
                    Report.category == body["category"],
                    Report.folded_text == folded,
                    Report.status == "open",
                    Report.created_at >= now - SAME_REPORT_WINDOW,
                )
            ).first()
            if same is not None and status == "open":
                same.count += 1
                same.updated_at = now
                report = same
            else:
                report = Report(
                    site_id=site.id,
                    organisation_id=site.organisation_id,
                    category=body["category"],
                    text=text,
                    folded_text=folded,
                    contact=(body.get("contact") or "").strip() or None,
                    language=body.get("lang"),
                    photo_key=photo_key,
                    status=status,
                    count=1,
                    client_hash=client_hash,
                    created_at=now,
                    updated_at=now,
                )
                session.add(report)
            session.flush()
            return {"id": report.id, "status": "received", "site": site.id}

    def _photo(self, data: bytes) -> str:
        """The photo re-encoded (no EXIF: no GPS of the visitor's home, no serials), kept
        in the media store; only reviewers see it."""
        checked = inspect(
            data, max_bytes=self.settings.max_image_bytes, max_pixels=self.settings.max_image_pixels
        )
        return self.storage.put_original(encode(shrink(checked.image, 2048), "jpg", "large"))

    # -- reviewers -----------------------------------------------------------------------

    def queue(self, organisation_id: int | None, status: str = "open", limit: int = 100):
        """Reports on an office's sites (all offices for None), most reported first."""
        with self.sessions() as session:
            query = (
                select(Report, Site)
                .join(Site, Site.id == Report.site_id)
                .where(Report.status == status)
            )
            if organisation_id is not None:
                query = query.where(Report.organisation_id == organisation_id)
            rows = session.execute(
                query.order_by(Report.count.desc(), Report.created_at).limit(limit)
            ).all()
            return [self._view(report, site) for report, site in rows]

    def decide(
        self,
        report_id: int,
        decision: str,
        actor: str,
        organisation_id: int | None,
        comment: str | None,
    ) -> dict:
        with transaction(self.sessions) as session:
            report = session.get(Report, report_id) if 0 < report_id < 2**63 else None
            if report is None or (
                organisation_id is not None and report.organisation_id != organisation_id
            ):
                raise NotFound(f"No report {report_id} for your office.")
            if report.status != "open":
                raise Conflict(f"Report {report_id} was already {report.status}.")
            report.status = DECISIONS[decision]
            report.decided_by = actor
            report.decided_at = datetime.now(UTC)
            report.comment = comment
            site = session.get(Site, report.site_id)
            return self._view(report, site)

    def photo(self, report_id: int, organisation_id: int | None) -> bytes:
        with self.sessions() as session:
            report = session.get(Report, report_id) if 0 < report_id < 2**63 else None
            if (
                report is None
                or report.photo_key is None
                or (organisation_id is not None and report.organisation_id != organisation_id)
            ):
                raise NotFound(f"No photo with report {report_id}.")
            return self.storage.get_original(report.photo_key)

    def count_open(self, organisation_id: int | None) -> int:
        with self.sessions() as session:
            query = select(func.count()).select_from(Report).where(Report.status == "open")
            if organisation_id is not None:
                query = query.where(Report.organisation_id == organisation_id)
            return session.scalar(query)

    @staticmethod
    def _view(report: Report, site: Site) -> dict:
        return {
            "id": report.id,
            "site": {"id": site.id, "slug": site.slug, "name": site.name},
            "category": report.category,
            "text": report.text,
            "contact": report.contact,
            "lang": report.language,
            "photo": f"/v1/reviews/reports/{report.id}/photo" if report.photo_key else None,
            "count": report.count,
            "status": report.status,
            "created_at": iso_utc(report.created_at),
            "updated_at": iso_utc(report.updated_at),
            "decided_by": report.decided_by,
            "decided_at": iso_utc(report.decided_at),
            "comment": report.comment,
        }


def check_report(body: dict) -> None:
    """A report from any form (the API's JSON, the app's page): a known category, texts of
    a sensible length, and something said when the category says nothing."""
    if body.get("category") not in CATEGORIES:
        raise InvalidInput(
            "Choose what is wrong.", {"category": [f"One of {', '.join(CATEGORIES)}."]}
        )
    text = (body.get("text") or "").strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput("The report is too long.", {"text": [f"At most {MAX_TEXT} characters."]})
    if len(body.get("contact") or "") > MAX_CONTACT:
        raise InvalidInput("The contact is too long.", {"contact": [f"At most {MAX_CONTACT}."]})
    if body["category"] == "other" and len(re.findall(r"\w", text)) < 3:
        raise InvalidInput("Say what is wrong.", {"text": ["Say what is wrong."]})
