"""The services an application instance uses, built once from its settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .catalogue.queries import SiteLister
from .catalogue.services import Catalogue
from .catalogue.tokens import TokenService
from .config import Settings
from .db import get_engine, session_factory


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    catalogue: Catalogue
    lister: SiteLister
    tokens: TokenService

    @classmethod
    def build(cls, settings: Settings) -> Services:
        engine = get_engine(settings)
        sessions = session_factory(engine)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            catalogue=Catalogue(settings, sessions),
            lister=SiteLister(sessions),
            tokens=TokenService(sessions),
        )
