"""The composition root: the services one application (or one CLI run) uses, built once
from its settings. The API reaches it through `api.context`, the CLI through its
context object; nothing else constructs services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from media_store.storage import Storage, open_storage
from search.base import SearchBackend
from search.cursors import CursorCodec
from search.factory import open_backend
from search.indexer import Indexer

from .access.accounts import AccountService
from .access.api_keys import ApiKeyService
from .access.secrets import signing_key
from .access.tokens import TokenService
from .catalogue.categories import Taxonomy
from .catalogue.changes import ChangeLog
from .catalogue.feed import ChangeFeed
from .catalogue.lifecycle import Lifecycle
from .catalogue.proposals import Proposals
from .catalogue.queries import SiteLister
from .catalogue.sites import Catalogue
from .catalogue.tiles import TileRenderer
from .config import Settings
from .db import get_engine, read_session_factory, session_factory
from .jobs.queue import JobQueue
from .services.calendar import CalendarRefresh
from .services.change_feed import ChangeFeedService
from .services.events import EventService
from .services.exports import Exports
from .services.features import Features
from .services.imports import ImportService
from .services.itineraries import Itineraries
from .services.jobs import Jobs, calendar_handler, reindex_handler
from .services.listing import Listing
from .services.photos import MediaService
from .services.reports import Reports
from .services.reviews import ReviewQueue
from .services.webhooks import Webhooks
from .services.workspace import Workspace


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    changes: ChangeLog
    catalogue: Catalogue
    lifecycle: Lifecycle
    taxonomy: Taxonomy
    lister: SiteLister
    accounts: AccountService
    tokens: TokenService
    api_keys: ApiKeyService
    search: SearchBackend
    indexer: Indexer
    listing: Listing
    features: Features
    change_feed: ChangeFeedService
    webhooks: Webhooks
    tiles: TileRenderer
    exports: Exports
    storage: Storage
    media: MediaService
    imports: ImportService
    reviews: ReviewQueue
    proposals: Proposals
    workspace: Workspace
    jobs: Jobs
    events: EventService
    itineraries: Itineraries
    calendar: CalendarRefresh
    reports: Reports

    @classmethod
    def build(cls, settings: Settings) -> Services:
        engine = get_engine(settings)
        sessions = session_factory(engine)
        cursors = CursorCodec(lambda: signing_key(sessions, settings.secret_key, "cursors"))
        search = open_backend(settings, cursors)
        reads = read_session_factory(engine)
        indexer = Indexer(
            sessions,
            search,
            hours_days=settings.open_at_days,
            settings=settings,
            workers=settings.index_workers,
            reads=reads,
        )
        changes = ChangeLog(hours_days=settings.open_at_days)
        if settings.inline_indexing:
            changes.after_write.append(indexer.drain_quietly)
        catalogue = Catalogue(settings, sessions, changes)
        taxonomy = Taxonomy(sessions, settings.languages)
        lister = SiteLister(reads, cursors)
        storage = open_storage(settings.media_root)
        lifecycle = Lifecycle(sessions, changes)
        reviews = ReviewQueue(sessions, lifecycle)
        jobs = Jobs(sessions)
        jobs.queue = JobQueue(settings, jobs.run)
        jobs.handlers["reindex"] = reindex_handler(indexer)
        events = EventService(settings, catalogue, cursors)
        calendar = CalendarRefresh(sessions, indexer, events, settings.open_at_days)
        jobs.handlers["calendar"] = calendar_handler(calendar)
        # Every day at midnight in Viet Nam (17:00 UTC): open_at and events reach a day further.
        jobs.queue.daily(
            17,
            "tourism.daily_calendar",
            lambda: jobs.submit("calendar", {}, actor="schedule", organisation_id=None),
        )
        imports = ImportService(sessions, catalogue, taxonomy, jobs, settings.upload_root)
        proposals = Proposals(sessions, catalogue, changes)
        listing = Listing(settings, catalogue, lister, search)
        change_feed = ChangeFeedService(settings, ChangeFeed(sessions))
        webhooks = Webhooks(settings, sessions, change_feed, jobs)
        jobs.handlers["webhook"] = webhooks.deliver
        features = Features(listing, catalogue, settings.offered_crs)
        exports = Exports(settings, features, change_feed.feed)
        jobs.handlers["snapshot"] = exports.snapshot
        if settings.snapshot_hour >= 0:
            jobs.queue.daily(
                settings.snapshot_hour,
                "tourism.daily_snapshot",
                lambda: jobs.submit("snapshot", {}, actor="schedule", organisation_id=None),
            )
        changes.after_write.append(webhooks.dispatch_quietly)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            changes=changes,
            catalogue=catalogue,
            lifecycle=lifecycle,
            taxonomy=taxonomy,
            lister=lister,
            accounts=AccountService(sessions),
            tokens=TokenService(sessions),
            api_keys=ApiKeyService(sessions),
            search=search,
            indexer=indexer,
            listing=listing,
            features=features,
            exports=exports,
            change_feed=change_feed,
            webhooks=webhooks,
            tiles=TileRenderer(sessions, settings.languages, cache_bytes=settings.tile_cache_bytes),
            events=events,
            itineraries=Itineraries(settings, catalogue, search),
            calendar=calendar,
            reports=Reports(settings, sessions, catalogue, storage),
            storage=storage,
            media=MediaService(settings, sessions, storage, changes, jobs),
            imports=imports,
            reviews=reviews,
            proposals=proposals,
            workspace=Workspace(settings, sessions, reviews, proposals),
            jobs=jobs,
        )
