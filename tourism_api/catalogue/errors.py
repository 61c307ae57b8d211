"""Domain errors; each carries the HTTP status it maps to and a message safe to show."""

from __future__ import annotations


class CatalogueError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidInput(CatalogueError):
    status = 422


class NotFound(CatalogueError):
    status = 404


class Conflict(CatalogueError):
    status = 409


class PreconditionFailed(CatalogueError):
    """The client edited an older version than the one stored (If-Match)."""

    status = 412


class Unauthorized(CatalogueError):
    status = 401


class Forbidden(CatalogueError):
    status = 403
