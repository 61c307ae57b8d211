"""The shipped demo catalogue: the UNESCO list and Vietnam's protected areas, imported
through the same import service staff use (so loading twice is a no-op, and each
load is listed with its report in /v1/imports)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from ingest.profiles import load_profile
from ingest.readers import read
from ingest.report import ImportReport

from ..access.accounts import AccountService
from ..access.tokens import TokenService
from ..errors import NotFound
from .imports import ImportService

ACTOR = "demo-loader"
ADMIN = "admin"
DEMO_ORGANISATION = ("demo", "Demo heritage office")
DEMO_FILES = (
    ("unesco-whc-2021", "whc-sites-2021.csv"),
    ("vn-protected-areas", "vn-protected-areas.geojson"),
)


def demo_path(filename: str) -> Path:
    return Path(str(files("tourism_api") / "demo_data" / filename))


def load_demo(
    imports: ImportService, progress: Callable[[int], None] | None = None
) -> list[ImportReport]:
    imports.taxonomy.seed()
    reports = []
    for profile_name, filename in DEMO_FILES:
        done = imports.run(
            demo_path(filename),
            imports.profile(profile_name),
            filename=filename,
            actor=ACTOR,
            progress=progress,
        )
        reports.append(done.report)
    return reports


def demo_size() -> int:
    return sum(
        sum(1 for _ in read(demo_path(filename), load_profile(profile_name)))
        for profile_name, filename in DEMO_FILES
    )


def ensure_demo_admin(accounts: AccountService, tokens: TokenService) -> tuple[str, str] | None:
    """The demo's administrator: made once with a random password, which is returned with a
    token for scripts (both shown once, never stored in clear); None when it exists already."""
    if accounts.find(ADMIN) is not None:
        return None
    code, name = DEMO_ORGANISATION
    try:
        accounts.organisation(code)
    except NotFound:
        accounts.create_organisation(code, name)
    password = secrets.token_urlsafe(12)
    account = accounts.create(ADMIN, "Demo administrator", code, "admin", password)
    _record, token = tokens.create("", account=account)
    return password, token
