"""The category taxonomy: listing, adding, and seeding the shipped defaults."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction
from ..errors import Conflict, InvalidInput
from .models import Category
from .schemas import CATEGORY_CODE
from .taxonomy import DEFAULT_CATEGORIES


class Taxonomy:
    def __init__(self, sessions: sessionmaker[Session], languages: tuple[str, ...]) -> None:
        self.sessions = sessions
        self.languages = languages

    def categories(self) -> list[Category]:
        with self.sessions() as session:
            return list(session.scalars(select(Category).order_by(Category.code)))

    def add(self, code: str, label: dict[str, str], parent: str | None = None) -> Category:
        """Add a category (administrators): the CLI and the API check it here alike."""
        problems = {}
        if not CATEGORY_CODE.fullmatch(code or "") or len(code) > 60:
            problems["code"] = ["Lowercase ASCII words joined by hyphens, at most 60."]
        wrong = [
            lang
            for lang, text in label.items()
            if lang not in self.languages or not str(text).strip() or len(text) > 200
        ]
        if not label or wrong:
            problems["label"] = [
                f"A text of 1-200 characters per language, in {', '.join(self.languages)}."
            ]
        if problems:
            raise InvalidInput("The category is invalid.", problems)
        label = {lang: text.strip() for lang, text in label.items()}
        with transaction(self.sessions) as session:
            if session.get(Category, code) is not None:
                raise Conflict(f"Category {code!r} exists.", {"code": ["Taken."]})
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
