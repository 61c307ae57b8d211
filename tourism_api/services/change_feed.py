"""GET /v1/changes: the feed's changes with each published site's current public view, so an
offline app applies a page without a request per record."""

from __future__ import annotations

from datetime import UTC, datetime

from ..catalogue.feed import ChangeFeed
from ..catalogue.records import iso_utc, public_view
from ..config import Settings

MAX_LIMIT = 1000


class ChangeFeedService:
    def __init__(self, settings: Settings, feed: ChangeFeed) -> None:
        self.settings = settings
        self.feed = feed

    def read(self, since: str | None, limit: int, *, preferred: tuple[str, ...]) -> dict:
        """Changes after `since`, oldest first. A created/updated change whose site is no
        longer published carries no view: the tombstone that follows it says why."""
        page = self.feed.read(since, min(limit, MAX_LIMIT))
        now = datetime.now(UTC)
        views = {
            site_id: public_view(
                site, preferred=preferred, languages=self.settings.languages, now=now, staff=False
            )
            for site_id, site in page.sites.items()
        }
        return {
            "changes": [
                {
                    "token": change.position.token(),
                    "change": change.change,
                    "id": change.site_id,
                    "version": change.version,
                    "at": iso_utc(change.at),
                    "site": views.get(change.site_id) if change.change != "deleted" else None,
                }
                for change in page.changes
            ],
            "next": page.position.token(),
            "more": page.more,
        }
