"""/v1/webhooks: an app (by its API key) asks for the change feed to be pushed to a URL."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..catalogue.records import iso_utc
from ..errors import Unauthorized
from .auth import caller
from .context import services
from .schemas import ApiErrorSchema

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/v1/webhooks",
    description="Webhooks: the change feed pushed to an app, signed (HMAC-SHA256), retried",
)
APP_KEY = [{"apiKey": []}]


class WebhookInputSchema(Schema):
    class Meta:
        unknown = RAISE

    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        validate=validate.Length(max=500),
        metadata={"description": "Where to POST batches of changes"},
    )


class WebhookSchema(Schema):
    id = fields.Int()
    url = fields.Str()
    created_at = fields.Str()
    position = fields.Str(metadata={"description": "The feed token of the last change delivered"})
    secret = fields.Str(
        metadata={"description": "Signing secret: returned once, when the webhook is created"}
    )


class WebhookListSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema))


class DeliverySchema(Schema):
    id = fields.Int()
    status = fields.Str(metadata={"enum": ["pending", "delivered", "failed"]})
    changes = fields.Int(metadata={"description": "How many changes the batch holds"})
    attempts = fields.Int()
    response_status = fields.Int(allow_none=True)
    error = fields.Str(allow_none=True)
    created_at = fields.Str()
    last_attempt_at = fields.Str(allow_none=True)
    next_attempt_at = fields.Str(allow_none=True)
    delivered_at = fields.Str(allow_none=True)


class DeliveryListSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))


def _key_id() -> int:
    key_id = caller().key_id
    if key_id is None:
        raise Unauthorized("Webhooks belong to an app: send its X-API-Key.")
    return key_id


def _webhook(webhook, secret: str | None = None) -> dict:
    view = {
        "id": webhook.id,
        "url": webhook.url,
        "created_at": iso_utc(webhook.created_at),
        "position": webhook.position,
    }
    if secret:
        view["secret"] = secret
    return view


@blp.route("", methods=["POST"])
@blp.doc(security=APP_KEY)
@blp.arguments(WebhookInputSchema())
@blp.response(201, WebhookSchema)
@blp.alt_response(401, schema=ApiErrorSchema, description="No app key")
def create(body):
    """Register a URL for the key's app; changes from now on are POSTed to it, in order.
    The answer holds the signing secret, once."""
    webhook, secret = services().webhooks.register(_key_id(), body["url"])
    return _webhook(webhook, secret), 201, {"Location": f"/v1/webhooks/{webhook.id}"}


@blp.route("", methods=["GET"])
@blp.doc(security=APP_KEY)
@blp.response(200, WebhookListSchema)
@blp.alt_response(401, schema=ApiErrorSchema, description="No app key")
def list_webhooks():
    """The app's webhooks."""
    return {"items": [_webhook(w) for w in services().webhooks.of_key(_key_id())]}


@blp.route("/<int:webhook_id>", methods=["DELETE"])
@blp.doc(security=APP_KEY)
@blp.response(204)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such webhook for this key")
def delete(webhook_id: int):
    """Stop a webhook (its deliveries stay listed)."""
    services().webhooks.remove(_key_id(), webhook_id)
    return None


@blp.route("/<int:webhook_id>/deliveries", methods=["GET"])
@blp.doc(security=APP_KEY)
@blp.response(200, DeliveryListSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such webhook for this key")
def deliveries(webhook_id: int):
    """The webhook's latest deliveries, newest first, with their status and attempts."""
    items = services().webhooks.deliveries(_key_id(), webhook_id)
    return {
        "items": [
            {
                "id": d.id,
                "status": d.status,
                "changes": len(d.body.get("changes", [])),
                "attempts": d.attempts,
                "response_status": d.response_status,
                "error": d.error,
                "created_at": iso_utc(d.created_at),
                "last_attempt_at": iso_utc(d.last_attempt_at),
                "next_attempt_at": iso_utc(d.next_attempt_at),
                "delivered_at": iso_utc(d.delivered_at),
            }
            for d in items
        ]
    }
