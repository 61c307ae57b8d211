"""Webhooks: the change feed pushed to an app, signed, with retries by the job queue.

Each webhook follows the feed from its own position. `dispatch` (after every committed
write, and after every delivery) takes the next batch of changes for each webhook that has
none in flight, records it as a delivery and queues a job; the job POSTs it. A 2xx moves the
webhook's position past the batch; anything else is tried again later, waiting twice as long
each time, until TOURISM_WEBHOOK_ATTEMPTS is spent. Batches go out one at a time and in
order, so a receiver never sees a change before an earlier one.

Receivers check `X-Tourism-Signature: t=<unix time>,v1=<hex>`, the HMAC-SHA256 of
`<t>.<body>` with the webhook's secret, and may refuse old `t` against replays.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue.models import Webhook, WebhookDelivery
from ..config import Settings
from ..db import transaction
from ..errors import InvalidInput, NotFound
from .change_feed import ChangeFeedService
from .jobs import Jobs, Progress, RetryLater

log = logging.getLogger(__name__)

BATCH = 100
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Tourism-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does (and the tests): recompute and compare in constant time."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return False
    return hmac.compare_digest(sign(secret, int(parts["t"]), body), header)


class Webhooks:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        feed: ChangeFeedService,
        jobs: Jobs,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.feed = feed
        self.jobs = jobs

    # -- an app's side --------------------------------------------------------------

    def register(self, api_key_id: int, url: str) -> tuple[Webhook, str]:
        """A webhook for the key, from the feed's current end onwards; returns its secret,
        which is shown this once."""
        self._check_target(url)
        position = self._feed_end()
        secret = "whsec_" + secrets.token_urlsafe(32)
        webhook = Webhook(
            api_key_id=api_key_id,
            url=url,
            secret=secret,
            position=position,
            active=True,
            created_at=datetime.now(UTC),
        )
        with transaction(self.sessions) as session:
            session.add(webhook)
        return webhook, secret

    def of_key(self, api_key_id: int) -> list[Webhook]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(Webhook)
                    .where(Webhook.api_key_id == api_key_id, Webhook.active.is_(True))
                    .order_by(Webhook.id)
                )
            )

    def remove(self, api_key_id: int, webhook_id: int) -> None:
        with transaction(self.sessions) as session:
            webhook = self._owned(session, api_key_id, webhook_id)
            webhook.active = False

    def deliveries(self, api_key_id: int, webhook_id: int, limit: int = 50) -> list:
        with self.sessions() as session:
            self._owned(session, api_key_id, webhook_id)
            return list(
                session.scalars(
                    select(WebhookDelivery)
                    .where(WebhookDelivery.webhook_id == webhook_id)
                    .order_by(WebhookDelivery.id.desc())
                    .limit(limit)
                )
            )

    # -- the server's side ----------------------------------------------------------

    def dispatch(self) -> int:
        """Queue the next batch for every active webhook with nothing in flight; returns how
        many deliveries were queued."""
        with self.sessions() as session:
            waiting = session.scalars(
                select(Webhook).where(
                    Webhook.active.is_(True),
                    ~select(WebhookDelivery.id)
                    .where(
                        WebhookDelivery.webhook_id == Webhook.id,
                        WebhookDelivery.status == "pending",
                    )
                    .exists(),
                )
            ).all()
        queued = 0
        for webhook in waiting:
            page = self.feed.read(webhook.position or None, BATCH, preferred=())
            if not page["changes"]:
                continue
            delivery_id = self._record(webhook, page)
            if delivery_id is None:
                continue  # another process queued this batch first
            self.jobs.submit(
                "webhook", {"delivery": delivery_id}, actor="webhooks", organisation_id=None
            )
            queued += 1
        return queued

    def dispatch_quietly(self) -> None:
        """After a write: never let a webhook problem fail the write that was committed."""
        try:
            self.dispatch()
        except Exception:
            log.exception("webhook dispatch failed; the next write or delivery retries it")

    def deliver(self, payload: dict, progress: Progress) -> dict:
        """The job: POST one delivery; on failure, RetryLater with a doubled wait."""
        with self.sessions() as session:
            delivery = session.get(WebhookDelivery, payload["delivery"])
            if delivery is None or delivery.status != "pending":
                return {"skipped": True}
            webhook = session.get(Webhook, delivery.webhook_id)
            url, secret, body = webhook.url, webhook.secret, delivery.body
            active = webhook.active
        if not active:
            self._close(delivery.id, "failed", None, "The webhook was removed.")
            return {"delivered": False}
        status, error = self._post(url, secret, delivery.id, body)
        attempts = delivery.attempts + 1
        if status is not None and 200 <= status < 300:
            self._close(delivery.id, "delivered", status, None, attempts=attempts)
            self.dispatch()
            return {"delivered": True, "status": status}
        if attempts >= self.settings.webhook_attempts:
            self._close(delivery.id, "failed", status, error, attempts=attempts)
            return {"delivered": False, "status": status}
        delay = min(self.settings.webhook_retry_seconds * 2 ** (attempts - 1), 3600)
        with transaction(self.sessions) as session:
            row = session.get(WebhookDelivery, delivery.id)
            row.attempts = attempts
            row.response_status = status
            row.error = error
            row.last_attempt_at = datetime.now(UTC)
            row.next_attempt_at = row.last_attempt_at + timedelta(seconds=delay)
        raise RetryLater(delay, f"attempt {attempts} failed: {error or status}")

    # -- helpers --------------------------------------------------------------------

    def _feed_end(self) -> str:
        return self.feed.feed.end().token()

    def _record(self, webhook: Webhook, page: dict) -> int | None:
        with transaction(self.sessions) as session:
            in_flight = session.scalar(
                select(WebhookDelivery.id).where(
                    WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.status == "pending"
                )
            )
            if in_flight is not None:
                return None
            delivery = WebhookDelivery(
                webhook_id=webhook.id,
                status="pending",
                body={"webhook": webhook.id, "changes": page["changes"], "next": page["next"]},
                until=page["next"],
                attempts=0,
                created_at=datetime.now(UTC),
            )
            session.add(delivery)
            session.flush()
            return delivery.id

    def _close(self, delivery_id, status, response_status, error, *, attempts=None) -> None:
        with transaction(self.sessions) as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            delivery.status = status
            delivery.response_status = response_status
            delivery.error = (error or "")[:500] or None
            delivery.last_attempt_at = datetime.now(UTC)
            delivery.next_attempt_at = None
            if attempts is not None:
                delivery.attempts = attempts
            if status == "delivered":
                delivery.delivered_at = delivery.last_attempt_at
                session.get(Webhook, delivery.webhook_id).position = delivery.until

    def _post(self, url: str, secret: str, delivery_id: int, body: dict):
        try:
            self._check_target(url)
        except InvalidInput as exc:
            return None, exc.message
        data = json.dumps({**body, "delivery": delivery_id}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "tourism-heritage-webhooks/1",
                SIGNATURE_HEADER: sign(secret, int(time.time()), data),
                "X-Tourism-Delivery": str(delivery_id),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                return response.status, None
        except urllib.error.HTTPError as exc:
            return exc.code, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            return None, str(getattr(exc, "reason", exc))[:300]

    def _check_target(self, url: str) -> None:
        """http(s) only, and no private, loopback or link-local address unless allowed: an
        app's webhook must not make this server call into its own network."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("url must be an http(s) URL.", {"url": ["Not an http(s) URL."]})
        if self.settings.webhook_private_targets:
            return
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, None)}
        except OSError:
            raise InvalidInput(
                f"{parts.hostname} does not resolve.", {"url": ["Unknown host."]}
            ) from None
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global:
                raise InvalidInput(
                    f"{parts.hostname} is a private or local address.",
                    {"url": ["Not a public address."]},
                )

    def _owned(self, session: Session, api_key_id: int, webhook_id: int) -> Webhook:
        webhook = session.get(Webhook, webhook_id) if 0 < webhook_id < 2**63 else None
        if webhook is None or webhook.api_key_id != api_key_id or not webhook.active:
            raise NotFound(f"No webhook {webhook_id} for this key.")
        return webhook
