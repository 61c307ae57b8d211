"""The one error base of the project: every refusal carries its HTTP status and a safe message.

Domain code (catalogue, ingest, search, media_store) raises these without knowing
about HTTP requests; `tourism_api.api.errors` turns them into the API's single
JSON error shape, and the CLI prints `message`. This module imports nothing of
the project, so every package may depend on it without creating a cycle.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal a caller can act on. `message` and `errors` are shown to clients,
    so they never carry internals (those go in `detail`, which is only logged)."""

    status = 400

    def __init__(
        self,
        message: str,
        errors: dict | None = None,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if status is not None:
            self.status = status
        self.headers = headers or {}
        self.detail = detail


class BadRequest(DomainError):
    """A request that cannot be read at all (a forged cursor, malformed JSON)."""

    status = 400


class InvalidInput(DomainError):
    status = 422


class Unauthorized(DomainError):
    status = 401

    def __init__(self, message: str, errors: dict | None = None, **kwargs) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="tourism"'})
        super().__init__(message, errors, **kwargs)


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PreconditionFailed(DomainError):
    """The client edited an older version than the one stored (If-Match)."""

    status = 412


class PreconditionRequired(DomainError):
    """A write that does not say which version it edits (no If-Match)."""

    status = 428


class PayloadTooLarge(DomainError):
    status = 413


class UnsupportedMediaType(DomainError):
    status = 415


class ServiceUnavailable(DomainError):
    """A backing service is down; the client should retry later."""

    status = 503

    def __init__(self, message: str, errors: dict | None = None, **kwargs) -> None:
        kwargs.setdefault("headers", {"Retry-After": "30"})
        super().__init__(message, errors, **kwargs)
