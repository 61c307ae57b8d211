"""The category taxonomy: listing, adding, and seeding the shipped defaults."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction
from ..errors import Conflict, InvalidInput
from .models import Category
from .taxonomy import DEFAULT_CATEGORIES


class Taxonomy:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def categories(self) -> list[Category]:
        with self.sessions() as session:
            return list(session.scalars(select(Category).order_by(Category.code)))

    def add(self, code: str, label: dict[str, str], parent: str | None = None) -> Category:
        with transaction(self.sessions) as session:
            if session.get(Category, code) is not None:
                raise Conflict(f"Category {code!r} exists.")
            if parent and session.get(Category, parent) is None:
                raise InvalidInput(
                    f"No parent category {parent!r}.", {"parent": ["Unknown category."]}
                )
            category = Category(code=code, parent_code=parent, label=label)
            session.add(category)
            return category

    def seed(self) -> int:
        """Insert the default taxonomy entries that are missing; returns how many."""
        with transaction(self.sessions) as session:
            existing = set(session.scalars(select(Category.code)))
            added = 0
            for code, parent, label in DEFAULT_CATEGORIES:
                if code not in existing:
                    session.add(Category(code=code, parent_code=parent, label=label))
                    session.flush()
                    added += 1
            return added
