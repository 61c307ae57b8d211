"""Who is calling: the staff bearer token of a request, if any."""

from __future__ import annotations

from flask import request

from ..access.tokens import Principal
from ..errors import Unauthorized
from .context import services

# OpenAPI security requirement of the staff-only operations.
STAFF = [{"bearerAuth": []}]
# Operations that answer anyone, and show staff more (drafts, authors) with a token.
OPTIONAL_STAFF = [{}, {"bearerAuth": []}]


def principal(*, required: bool = False) -> Principal | None:
    """The caller's staff identity; a bad token is refused even where none is needed."""
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise Unauthorized("This needs a staff bearer token (Authorization: Bearer ...).")
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Use 'Authorization: Bearer <token>'.")
    return services().tokens.authenticate(secret.strip())


def is_staff() -> bool:
    return principal() is not None


def staff_actor() -> str:
    """The name recorded as the author of a change; refuses callers without a token."""
    return principal(required=True).name
