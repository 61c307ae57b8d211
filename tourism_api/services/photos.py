"""Photos of sites: adding, describing, ordering, removing; derivatives and IIIF renders.

The HTTP layer and the CLI both call this. Every accepted upload is checked by
`media_store.images.inspect` before a byte is stored, so nothing is written for
a rejected file. A photo's row, the site's new version, its revision and its
outbox row commit together.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from media_store import iiif
from media_store.exif import read_facts
from media_store.images import (
    SIZES,
    derivative,
    derivatives,
    dhash,
    hamming,
    inspect,
    open_upright,
)
from media_store.storage import Storage
from search.geo import arc_distance_m

from ..catalogue.changes import ChangeLog
from ..catalogue.geometry import from_db
from ..catalogue.ids import new_id
from ..catalogue.models import Media, Site
from ..catalogue.schemas import FullMatch, LangText
from ..catalogue.sites import Catalogue
from ..catalogue.visibility import DraftAccess, may_read
from ..config import Settings
from ..db import transaction
from ..errors import InvalidInput, NotFound
from .jobs import Jobs
from .manifests import site_manifest

LICENCE = re.compile(
    r"^(CC0-1\.0|CC-BY(-SA|-ND|-NC|-NC-SA|-NC-ND)?-[1-4]\.0|PDM-1\.0|LicenseRef-[A-Za-z0-9.-]{1,40}|[A-Za-z0-9.+-]{2,40})$"
)
NEAR_DUPLICATE_BITS = 6


class MediaFields(Schema):
    """What staff say about a photo (on upload as form fields, or as a JSON patch)."""

    caption = LangText(300)
    creator = fields.Str(validate=validate.Length(max=200), allow_none=True)
    licence = fields.Str(
        validate=FullMatch(LICENCE, error="An SPDX or Creative Commons id, e.g. CC-BY-SA-4.0."),
        allow_none=True,
    )
    attribution = fields.Str(validate=validate.Length(max=500), allow_none=True)
    taken_at = fields.DateTime(allow_none=True)
    position = fields.Int(validate=validate.Range(min=0, max=10_000))
    primary = fields.Bool()


_FIELDS = MediaFields()


def clean_name(filename: str | None) -> str | None:
    """A file name for display only: no folders, no control characters (it is never a path here)."""
    if not filename:
        return None
    name = PurePath(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "/\\")
    return name[:200] or None


class MediaService:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        storage: Storage,
        changes: ChangeLog,
        jobs: Jobs | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.storage = storage
        self.changes = changes
        self.limits = iiif.Limits()
        # Uploads leave their resized copies to a background job when there is a queue.
        self.jobs = jobs
        if jobs is not None:
            jobs.handlers["derivatives"] = self.run_derivatives_job

    # -- validation ------------------------------------------------------------------

    @staticmethod
    def _fields(raw: dict, *, partial: bool) -> dict:
        try:
            return _FIELDS.load(raw, partial=partial)
        except ValidationError as exc:
            raise InvalidInput(
                "The photo's details are invalid.", exc.normalized_messages()
            ) from exc

    # -- adding --------------------------------------------------------------------------

    def add(
        self,
        site_ref: str,
        data: bytes,
        *,
        filename: str | None,
        details: dict,
        actor: str,
        background: bool = True,
    ) -> Media:
        """Store a photo. With `background` (uploads), its resized copies are made by a job
        so that the request does not wait for them; any copy asked for before the job ran
        is made on the spot. Without it (folder imports, already in the background), now."""
        defer = background and self.jobs is not None
        media = self._add(
            site_ref, data, filename=filename, details=details, actor=actor, make_copies=not defer
        )
        if defer:
            self.jobs.submit(
                "derivatives", {"media_id": media.id}, actor=actor, organisation_id=None
            )
        self.changes.notify()
        return media

    def run_derivatives_job(self, payload: dict, progress) -> dict:
        """Make every resized copy of one photo (a background job)."""
        with self.sessions() as session:
            media = session.get(Media, payload["media_id"])
            key = media.sha256 if media is not None else None
        if key is None:
            return {"media_id": payload["media_id"], "made": 0}  # removed meanwhile
        made = derivatives(
            open_upright(self.storage.get_original(key), longest=max(SIZES.values()))
        )
        progress(0, len(made))
        for name, blob in made.items():
            self.storage.put_derivative(key, name, blob)
        return {"media_id": payload["media_id"], "made": len(made)}

    def _add(
        self,
        site_ref: str,
        data: bytes,
        *,
        filename: str | None,
        details: dict,
        actor: str,
        make_copies: bool = True,
    ) -> Media:
        values = self._fields(details, partial=True)
        # Raises ImageRejected (with its HTTP status) before anything is stored.
        found = inspect(
            data,
            max_bytes=self.settings.max_image_bytes,
            max_pixels=self.settings.max_image_pixels,
        )
        facts = read_facts(data)
        fingerprint = dhash(found.image)
        made = derivatives(found.image) if make_copies else {}
        with transaction(self.sessions) as session:
            site = Catalogue.find_in(session, site_ref, include_unpublished=True, lock=True)
            key = self.storage.put_original(data)
            for name, blob in made.items():
                self.storage.put_derivative(key, name, blob)
            now = datetime.now(UTC)
            count = session.scalar(
                select(func.count()).select_from(Media).where(Media.site_id == site.id)
            )
            media = Media(
                id=new_id(),
                site_id=site.id,
                sha256=key,
                format=found.format,
                mime=found.mime,
                width=found.width,
                height=found.height,
                bytes=len(data),
                original_name=clean_name(filename),
                caption=values.get("caption", {}),
                creator=values.get("creator"),
                licence=values.get("licence"),
                attribution=values.get("attribution"),
                taken_at=(
                    values["taken_at"].isoformat() if values.get("taken_at") else facts.taken_at
                ),
                lat=facts.lat,
                lon=facts.lon,
                camera=facts.camera,
                exif=facts.tags or {},
                phash=fingerprint,
                position=values.get("position", count),
                is_primary=False,
                review=self._review(session, site, facts, fingerprint),
                created_at=now,
                created_by=actor,
                updated_at=now,
                updated_by=actor,
            )
            session.add(media)
            session.flush()
            if values.get("primary") or count == 0:
                self._make_primary(session, site.id, media.id)
            self.changes.touch(
                session, site, "media", actor, {"media": {"old": None, "new": {"added": media.id}}}
            )
            return media

    def _review(self, session: Session, site: Site, facts, fingerprint: str) -> list[dict]:
        flags = []
        if facts.lat is not None:
            point = from_db(site.location)
            distance = arc_distance_m(point.x, point.y, facts.lon, facts.lat)
            if distance > self.settings.photo_distance_warning_m:
                flags.append(
                    {
                        "code": "gps_far_from_site",
                        "message": f"taken {distance / 1000:.1f} km from the site: is it the right place?",
                        "distance_m": round(distance),
                    }
                )
        for other_id, other_hash in session.execute(
            select(Media.id, Media.phash).where(Media.site_id == site.id)
        ):
            if hamming(fingerprint, other_hash) <= NEAR_DUPLICATE_BITS:
                flags.append(
                    {
                        "code": "near_duplicate",
                        "message": f"looks like photo {other_id}",
                        "media_id": other_id,
                    }
                )
        return flags

    @staticmethod
    def _make_primary(session: Session, site_id: str, media_id: str) -> None:
        for item in session.scalars(select(Media).where(Media.site_id == site_id)):
            item.is_primary = item.id == media_id

    # -- reading ---------------------------------------------------------------------------

    def list_for_site(self, site_ref: str, *, staff: bool | DraftAccess) -> list[Media]:
        with self.sessions() as session:
            site = Catalogue.find_in(session, site_ref, include_unpublished=staff)
            return list(
                session.scalars(
                    select(Media)
                    .where(Media.site_id == site.id)
                    .order_by(Media.position, Media.created_at)
                )
            )

    def site_manifest(self, site_ref: str, *, staff: bool | DraftAccess, base_url: str) -> dict:
        """The IIIF Presentation 3.0 manifest of a site's photos."""
        with self.sessions() as session:
            site = Catalogue.find_in(session, site_ref, include_unpublished=staff)
        photos = self.list_for_site(site.id, staff=staff)
        if not photos:
            # A manifest must have at least one canvas (IIIF Presentation 3.0, §3.1).
            raise NotFound(f"{site_ref!r} has no photos yet, so no IIIF manifest.")
        return site_manifest(site, photos, base_url)

    def get(self, media_id: str, *, staff: bool | DraftAccess) -> Media:
        """A photo; without `staff`, only one of a published site. `media.public` says
        whether anyone may see it (and so whether its bytes may be cached publicly)."""
        with self.sessions() as session:
            media = session.get(Media, media_id)
            if media is None:
                raise NotFound(f"No photo {media_id!r}.")
            site = session.get(Site, media.site_id)
            media.public = site is not None and site.status == "published"
            if site is None or not may_read(staff, site.status, site.organisation_id):
                raise NotFound(f"No photo {media_id!r}.")
            return media

    # -- changing ---------------------------------------------------------------------------

    def update(self, media_id: str, patch: Any, actor: str) -> Media:
        media = self._update(media_id, patch, actor)
        self.changes.notify()
        return media

    def _update(self, media_id: str, patch: Any, actor: str) -> Media:
        if not isinstance(patch, dict):
            raise InvalidInput("A patch must be a JSON object.", {"body": ["Expected an object."]})
        with transaction(self.sessions) as session:
            media = session.get(Media, media_id)
            if media is None:
                raise NotFound(f"No photo {media_id!r}.")
            if isinstance(patch.get("caption"), dict):
                # JSON Merge Patch on the caption: null removes a language.
                merged = {**media.caption, **patch["caption"]}
                patch = {**patch, "caption": {k: v for k, v in merged.items() if v is not None}}
            values = self._fields(patch, partial=True)
            site = Catalogue.find_in(session, media.site_id, include_unpublished=True, lock=True)
            changes: dict[str, Any] = {}
            if "caption" in values:
                changes["caption"] = values["caption"]
            for name in ("creator", "licence", "attribution", "position"):
                if name in values:
                    changes[name] = values[name]
            if "taken_at" in values:
                changes["taken_at"] = values["taken_at"].isoformat() if values["taken_at"] else None
            changed = {k: v for k, v in changes.items() if getattr(media, k) != v}
            for name, value in changed.items():
                setattr(media, name, value)
            if values.get("primary") and not media.is_primary:
                self._make_primary(session, site.id, media.id)
                changed["primary"] = True
            if changed:
                media.updated_at = datetime.now(UTC)
                media.updated_by = actor
                self.changes.touch(
                    session,
                    site,
                    "media",
                    actor,
                    {"media": {"old": None, "new": {"updated": media.id, **changed}}},
                )
            session.flush()
            return media

    def mark_checked(self, media_id: str, actor: str) -> Media:
        """A person looked at the photo's flags (GPS far away, near-duplicate) and keeps it:
        the flags go, and the history says who decided."""
        with transaction(self.sessions) as session:
            media = session.get(Media, media_id)
            if media is None:
                raise NotFound(f"No photo {media_id!r}.")
            if media.review:
                site = Catalogue.find_in(
                    session, media.site_id, include_unpublished=True, lock=True
                )
                cleared = [flag.get("code") for flag in media.review]
                media.review = []
                media.updated_at = datetime.now(UTC)
                media.updated_by = actor
                self.changes.touch(
                    session,
                    site,
                    "media",
                    actor,
                    {"media": {"old": None, "new": {"updated": media.id, "checked": cleared}}},
                )
            session.flush()
        self.changes.notify()
        return media

    def delete(self, media_id: str, actor: str) -> None:
        self._delete(media_id, actor)
        self.changes.notify()

    def _delete(self, media_id: str, actor: str) -> None:
        with transaction(self.sessions) as session:
            media = session.get(Media, media_id)
            if media is None:
                raise NotFound(f"No photo {media_id!r}.")
            site = Catalogue.find_in(session, media.site_id, include_unpublished=True, lock=True)
            key, was_primary = media.sha256, media.is_primary
            session.delete(media)
            session.flush()
            if was_primary:
                following = session.scalars(
                    select(Media)
                    .where(Media.site_id == site.id)
                    .order_by(Media.position, Media.created_at)
                ).first()
                if following is not None:
                    following.is_primary = True
            self.changes.touch(
                session,
                site,
                "media",
                actor,
                {"media": {"old": {"removed": media_id}, "new": None}},
            )
            still_used = session.scalar(
                select(func.count()).select_from(Media).where(Media.sha256 == key)
            )
        if not still_used:
            # After the commit: the original goes only when no record references it.
            self.storage.delete(key)

    # -- bytes -------------------------------------------------------------------------------

    def derivative(self, media: Media, size: str, fmt: str) -> bytes:
        name = f"{size}.{fmt}"
        blob = self.storage.get_derivative(media.sha256, name)
        if blob is None:  # made lazily for photos stored before a size existed
            blob = derivative(self.storage.get_original(media.sha256), size, fmt)
            self.storage.put_derivative(media.sha256, name, blob)
        return blob

    def image_info(self, media: Media, base_url: str) -> dict:
        """IIIF Image API 3.0 information about a photo's image service."""
        return iiif.info(
            f"{base_url}/iiif/3/{media.id}",
            media.width,
            media.height,
            self.limits,
            iiif.rights_url(media.licence),
        )

    def iiif_image(
        self, media: Media, region: str, size: str, rotation: str, quality_format: str
    ) -> tuple[bytes, str]:
        """A IIIF render; tiles and listed sizes are kept for the next viewer, anything
        else is made for this request only (so no request pattern can fill the disk)."""
        request = iiif.parse(
            region, size, rotation, quality_format, media.width, media.height, self.limits
        )
        mime = iiif.FORMATS[request.format][1]
        keep = iiif.cacheable(request, media.width, media.height, self.limits)
        name = request.cache_name()
        blob = self.storage.get_derivative(media.sha256, name) if keep else None
        if blob is None:
            blob = iiif.render(
                self.storage.get_original(media.sha256), request, media.width, media.height
            )
            if keep:
                self.storage.put_derivative(media.sha256, name, blob)
        return blob, mime
