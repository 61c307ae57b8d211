"""Who is calling: a staff bearer token, an app's API key, or nobody (anonymous).

Staff send `Authorization: Bearer tht_...`; apps send `X-API-Key: tk_...` (or
`Authorization: Bearer tk_...`). A credential that is present but wrong is refused
(401) even where none is needed, so a client never silently runs as anonymous."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request

from ..access.api_keys import KEY_PREFIX
from ..access.roles import allows
from ..access.tokens import Principal, principal_for
from ..catalogue.changes import acting_account
from ..catalogue.visibility import DraftAccess
from ..errors import Forbidden, Unauthorized
from .context import services
from .sessions import session_account_id

# OpenAPI security requirement of the staff-only operations.
STAFF = [{"bearerAuth": []}]
# Operations that answer anyone, and show staff more (drafts, authors) with a token.
OPTIONAL_STAFF = [{}, {"bearerAuth": []}, {"apiKey": []}]


@dataclass(frozen=True)
class Caller:
    plan: str  # "anonymous", "free", "partner" or "staff": sets the rate limit
    bucket: str  # whose requests count together: an address, a key or a staff token
    principal: Principal | None = None
    key_id: int | None = None


def caller() -> Caller:
    """The request's caller, worked out once per request."""
    if "tourism_caller" not in g:
        g.tourism_caller = _identify()
    return g.tourism_caller


def _identify() -> Caller:
    svc = services()
    key = request.headers.get("X-API-Key", "").strip()
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise Unauthorized("Use 'Authorization: Bearer <token>'.")
        if secret.startswith(KEY_PREFIX):
            key = secret
        else:
            who = svc.tokens.authenticate(secret)
            return Caller("staff", f"token:{who.token_id}", principal=who)
    if key:
        record = svc.api_keys.authenticate(key)
        return Caller(record.plan, f"key:{record.id}", key_id=record.id)
    account_id = session_account_id()
    if account_id is not None:
        account = svc.accounts.get(account_id)
        if account is None or account.disabled_at is not None:
            raise Unauthorized("The account of this session is disabled; sign in again.")
        return Caller("staff", f"account:{account.id}", principal=principal_for(account))
    return Caller("anonymous", f"addr:{request.remote_addr or 'unknown'}")


def register(app: Flask) -> None:
    """Check credentials before anything else (rate limits count per caller): a wrong
    key or token is a 401 on every endpoint, not only where one is needed. The person's
    account is what revisions record, for four-eyes review."""

    @app.before_request
    def _identify_caller() -> None:
        if request.method != "OPTIONS":
            who = caller().principal
            g.tourism_acting = acting_account.set(who.account_id if who else None)

    @app.teardown_request
    def _forget_caller(_exc) -> None:
        token = g.pop("tourism_acting", None)
        if token is not None:
            acting_account.reset(token)


def authorize(action: str, site_ref: str | None = None) -> Principal:
    """The staff caller, if their role allows `action` and, for a site, the site belongs to
    their organisation (administrators act in every organisation); 401 or 403 otherwise."""
    who = principal(required=True)
    if not allows(who.role, action):
        raise Forbidden(
            f"Your role ({who.role}) does not allow this.", {"role": [f"Needs {action}."]}
        )
    if site_ref is not None and who.organisation_id is not None:
        site = services().catalogue.get_site(site_ref, include_unpublished=True)
        if site.organisation_id != who.organisation_id:
            raise Forbidden(
                "This record belongs to another organisation.",
                {"organisation": ["Not yours to change."]},
            )
    return who


def principal(*, required: bool = False) -> Principal | None:
    """The caller's staff identity; None for apps and anonymous callers."""
    who = caller().principal
    if who is None and required:
        raise Unauthorized("This needs a staff bearer token (Authorization: Bearer ...).")
    return who


def is_staff() -> bool:
    return principal() is not None


def draft_access() -> DraftAccess | bool:
    """What the caller may read beyond published records: False for the public, else
    their office's drafts (every office's for administrators). Truthy for staff."""
    who = principal()
    return False if who is None else DraftAccess(who.organisation_id)
