"""Every page of the workspace, on one blueprint (importing the modules adds their routes)."""

from __future__ import annotations

from . import (
    account_pages,
    admin_pages,
    dashboard_pages,
    import_pages,
    photo_pages,
    review_pages,
    site_pages,
)
from .blueprint import blp, configure

__all__ = [
    "account_pages",
    "admin_pages",
    "blp",
    "configure",
    "dashboard_pages",
    "import_pages",
    "photo_pages",
    "review_pages",
    "site_pages",
]
