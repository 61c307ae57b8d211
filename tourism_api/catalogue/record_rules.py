"""The rules a site record meets before it is stored: a valid record, known categories,
a free slug and sources no other site claims. Each check that touches the database
takes a whole batch, so ingest pays a few queries per batch instead of per record."""

from __future__ import annotations

from collections import Counter
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from search.text import slugify

from ..config import Settings
from ..errors import Conflict, InvalidInput
from .models import Category, Site, SiteCategory, SiteSource
from .records import primary_text
from .schemas import load_site
from .sql_lists import one_of


def load_record(raw: Any, settings: Settings) -> dict:
    """The validated record, or InvalidInput naming each field at fault."""
    if not isinstance(raw, dict):
        raise InvalidInput("The site record must be a JSON object.")
    try:
        return load_site(raw, settings.languages, settings.default_timezone)
    except ValidationError as exc:
        raise InvalidInput("The site record is invalid.", exc.normalized_messages()) from exc


def category_problems(session: Session, records: list[dict]) -> list[InvalidInput | None]:
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


def check_slug_free(session: Session, slug: str, site_id: str) -> None:
    if session.scalars(select(Site.id).where(Site.slug == slug, Site.id != site_id)).first():
        raise Conflict(f"The slug {slug!r} is taken.", {"slug": ["Already used by another site."]})


def free_slugs(
    session: Session, records: dict[int, dict], languages: tuple[str, ...]
) -> dict[int, str | Conflict]:
    """A slug per record: its own if free, else one made from its name (`name`, `name-2`...).

    Two queries for the whole batch: the slugs wanted, then the numbered ones of those
    taken (a list of places has many of the same name: "Đình làng", "Chùa Phước Long")."""
    wanted = {
        i: record.get("slug") or slugify(primary_text(record["name"], languages))
        for i, record in records.items()
    }
    taken = (
        set(
            session.scalars(
                select(Site.slug).where(one_of(session, Site.slug, set(wanted.values())))
            )
        )
        if wanted
        else set()
    )
    wanted_times = Counter(wanted.values())
    repeated = {
        slug
        for i, slug in wanted.items()
        if "slug" not in records[i] and (slug in taken or wanted_times[slug] > 1)
    }
    taken |= _numbered_slugs(session, repeated)
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
            n = 2
            while f"{slug}-{n}" in taken or f"{slug}-{n}" in used:
                n += 1
            slug = f"{slug}-{n}"
        used.add(slug)
        slugs[i] = slug
    return slugs


def _numbered_slugs(session: Session, bases: set[str]) -> set[str]:
    """The slugs taken that begin with one of `bases` and a hyphen."""
    taken: set[str] = set()
    bases_list = sorted(bases)
    for start in range(0, len(bases_list), 200):
        chunk = bases_list[start : start + 200]
        # Ranges, not LIKE: they use the slug index on both databases.
        taken.update(
            session.scalars(
                select(Site.slug).where(
                    or_(*(Site.slug.between(f"{base}-", f"{base}-\uffff") for base in chunk))
                )
            )
        )
    return taken


def source_owners(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
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
                    (SiteSource.source == source) & one_of(session, SiteSource.source_id, ids)
                    for source, ids in by_source.items()
                )
            )
        )
    )
    return {(source, source_id): site_id for source, source_id, site_id in rows}


def new_sources(site_id: str, sources: list[dict], owners: dict) -> list[dict]:
    """A new site's provenance rows (`owners` from `source_owners`); a source another site
    records is a Conflict."""
    rows = []
    for item in sources:
        key = (item["source"], item["source_id"])
        owner = owners.get(key)
        if owner is not None:
            raise _claimed(key, owner)
        rows.append(
            {
                "site_id": site_id,
                "source": key[0],
                "source_id": key[1],
                "licence": item.get("licence"),
                "attribution": item.get("attribution"),
                "url": item.get("url"),
                "sent": None,
            }
        )
    return rows


def _claimed(key: tuple[str, str], owner: str) -> Conflict:
    return Conflict(
        f"Source {key[0]}:{key[1]} already belongs to site {owner}.",
        {"sources": [f"{key[0]}:{key[1]} is already recorded on another site."]},
    )


def set_sources(
    session: Session, site: Site, sources: list[dict], owners: dict | None = None
) -> None:
    """Replace the site's provenance; a source another site records is a Conflict."""
    current = {(s.source, s.source_id): s for s in site.sources}
    kept = []
    for item in sources:
        key = (item["source"], item["source_id"])
        existing = current.get(key)
        if existing is None:
            if owners is None:
                owners = source_owners(session, {(s["source"], s["source_id"]) for s in sources})
            owner = owners.get(key)
            if owner is not None and owner != site.id:
                raise _claimed(key, owner)
            existing = SiteSource(source=key[0], source_id=key[1])
        for attr in ("licence", "attribution", "url"):
            setattr(existing, attr, item.get(attr))
        kept.append(existing)
    site.sources = kept


def set_categories(site: Site, codes: list[str]) -> None:
    current = {link.category_code: link for link in site.categories}
    site.categories = [
        current.get(c) or SiteCategory(category_code=c) for c in dict.fromkeys(codes)
    ]
