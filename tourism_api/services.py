"""The services an application instance uses, built once from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from media_store.storage import open_storage
from search.base import SearchBackend

from .catalogue.queries import SiteLister
from .catalogue.services import Catalogue
from .catalogue.tokens import TokenService
from .config import Settings
from .db import get_engine, session_factory
from .indexing import Indexer, open_backend
from .media import MediaService


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalogue: Catalogue
    lister: SiteLister
    tokens: TokenService
    search: SearchBackend
    indexer: Indexer
    media: MediaService

    @classmethod
    def build(cls, settings: Settings) -> Services:
        engine = get_engine(settings)
        sessions = session_factory(engine)
        search = open_backend(settings)
        indexer = Indexer(sessions, search)
        catalogue = Catalogue(settings, sessions)
        if settings.inline_indexing:
            catalogue.after_write.append(indexer.drain_quietly)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            catalogue=catalogue,
            lister=SiteLister(sessions),
            tokens=TokenService(sessions),
            search=search,
            indexer=indexer,
            media=MediaService(settings, sessions, open_storage(settings.media_root), catalogue),
        )
