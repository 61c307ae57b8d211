"""/v1/admin: what administrators manage — organisations, people's accounts, app keys and
categories. The same services the `tourism org|account|key|category` commands call."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..catalogue.records import iso_utc
from .auth import STAFF, authorize
from .bodies import load_json
from .context import services
from .jobs import job_view
from .schemas import (
    AccountChangeSchema,
    AccountInputSchema,
    AccountListSchema,
    AccountSchema,
    ApiErrorSchema,
    ApiKeyInputSchema,
    ApiKeyListSchema,
    ApiKeyRecordSchema,
    CategoryInputSchema,
    CategorySchema,
    JobSchema,
    OrganisationListSchema,
    OrganisationSchema,
)

blp = Blueprint(
    "admin", __name__, url_prefix="/v1/admin", description="Administration (administrators)"
)


def _body(schema) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _organisation_view(org) -> dict:
    return {"id": org.id, "code": org.code, "name": org.name, "created_at": iso_utc(org.created_at)}


def _account_view(account, organisation_code: str) -> dict:
    return {
        "id": account.id,
        "username": account.username,
        "display_name": account.display_name,
        "organisation": organisation_code,
        "role": account.role,
        "disabled": account.disabled_at is not None,
        "locked_until": iso_utc(account.locked_until),
        "created_at": iso_utc(account.created_at),
        "last_login_at": iso_utc(account.last_login_at),
    }


def _key_view(record, secret: str | None = None) -> dict:
    view = {
        "id": record.id,
        "name": record.name,
        "contact": record.contact,
        "plan": record.plan,
        "prefix": record.prefix,
        "created_at": iso_utc(record.created_at),
        "revoked_at": iso_utc(record.revoked_at),
        "last_used_at": iso_utc(record.last_used_at),
    }
    if secret is not None:
        view["key"] = secret
    return view


# -- organisations ----------------------------------------------------------------


@blp.route("/organisations", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, OrganisationListSchema)
def organisations():
    """Heritage offices and museums: each owns its records and its people's accounts."""
    authorize("administer")
    return {"items": [_organisation_view(o) for o in services().accounts.organisations()]}


@blp.route("/organisations", methods=["POST"])
@blp.doc(security=STAFF, requestBody=_body(OrganisationSchema))
@blp.response(201, OrganisationSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="The code is taken")
def organisation_create():
    """Create an organisation."""
    authorize("administer")
    body = load_json(OrganisationSchema(), "The organisation is invalid.")
    return _organisation_view(services().accounts.create_organisation(body["code"], body["name"]))


# -- accounts ---------------------------------------------------------------------


def _account_answer(account) -> dict:
    codes = {o.id: o.code for o in services().accounts.organisations()}
    return _account_view(account, codes.get(account.organisation_id, ""))


@blp.route("/accounts", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, AccountListSchema)
def accounts():
    """People's accounts with their organisation, role and state (never a password)."""
    authorize("administer")
    return {"items": [_account_view(a, o.code) for a, o in services().accounts.list()]}


@blp.route("/accounts", methods=["POST"])
@blp.doc(security=STAFF, requestBody=_body(AccountInputSchema))
@blp.response(201, AccountSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="The username is taken")
def account_create():
    """Create an account for a person; the password is stored as an Argon2 hash."""
    authorize("administer")
    body = load_json(AccountInputSchema(), "The account is invalid.")
    account = services().accounts.create(
        body["username"], body["display_name"], body["organisation"], body["role"], body["password"]
    )
    return _account_answer(account)


@blp.route("/accounts/<string:username>", methods=["PATCH"])
@blp.doc(security=STAFF, requestBody=_body(AccountChangeSchema))
@blp.response(200, AccountSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such account")
@blp.alt_response(409, schema=ApiErrorSchema, description="Your own administrator rights")
def account_change(username):
    """Change a person's role, organisation or name, set a new password (which also lifts
    a lockout), or disable and enable the account."""
    who = authorize("administer")
    body = load_json(AccountChangeSchema(), "The change is invalid.")
    account = services().accounts.update(username, acting_account_id=who.account_id, **body)
    return _account_answer(account)


# -- API keys ---------------------------------------------------------------------


@blp.route("/api-keys", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, ApiKeyListSchema)
def api_keys():
    """Third-party apps' keys (never the keys themselves), with their plan and last use."""
    authorize("administer")
    return {"items": [_key_view(k) for k in services().api_keys.list()]}


@blp.route("/api-keys", methods=["POST"])
@blp.doc(security=STAFF, requestBody=_body(ApiKeyInputSchema))
@blp.response(201, ApiKeyRecordSchema)
def api_key_create():
    """Create a key for an app; the answer holds the key itself, shown this once."""
    authorize("administer")
    body = load_json(ApiKeyInputSchema(), "The key is invalid.")
    record, secret = services().api_keys.create(body["name"], body["plan"], body.get("contact"))
    return _key_view(record, secret)


@blp.route("/api-keys/<int:key_id>", methods=["DELETE"])
@blp.doc(security=STAFF)
@blp.response(200, ApiKeyRecordSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such key")
def api_key_revoke(key_id):
    """Revoke a key: requests with it are refused from now on."""
    authorize("administer")
    return _key_view(services().api_keys.revoke(key_id))


# -- categories -------------------------------------------------------------------


@blp.route("/categories", methods=["POST"])
@blp.doc(security=STAFF, requestBody=_body(CategoryInputSchema))
@blp.response(201, CategorySchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="The code is taken")
def category_create():
    """Add a category to the taxonomy (listed at /v1/categories)."""
    authorize("administer")
    body = load_json(CategoryInputSchema(), "The category is invalid.")
    category = services().taxonomy.add(body["code"], body["label"], body.get("parent"))
    return {"code": category.code, "parent": category.parent_code, "label": category.label}


# -- the search index ----------------------------------------------------------------


@blp.route("/reindex", methods=["POST"])
@blp.doc(security=STAFF)
@blp.response(202, JobSchema)
def reindex():
    """Rebuild the search index from the catalogue as a background job (follow it at
    /v1/jobs/{id}); searches go on against the old index until the new one is complete."""
    who = authorize("administer")
    job = services().jobs.submit("reindex", {}, actor=who.name, organisation_id=None)
    return job_view(job), 202, {"Location": f"/v1/jobs/{job.id}"}
