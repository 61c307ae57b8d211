"""The public change feed: every change the public sees, in commit order, from a token.

Offline apps keep a token and ask for what changed since. The hard part is commit order:
ids are handed out when rows are written, not when their transaction commits, so a
transaction that started early can commit a *smaller* id after a reader has moved past it.
On PostgreSQL each row therefore carries its transaction's id, rows are ordered by
(transaction, id), and the feed stops below the oldest transaction still running
(`pg_snapshot_xmin`): nothing can later appear behind a token already handed out. SQLite
lets one writer at a time hold the database from its first write to its commit, so there
id order is commit order.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Text, and_, cast, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ..errors import BadRequest
from .models import OutboxEvent, Site

CHANGES = ("created", "updated", "deleted")


@dataclass(frozen=True)
class Position:
    txid: int = 0
    id: int = 0

    def token(self) -> str:
        raw = f"c1.{self.txid}.{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str | None) -> Position:
        if not token:
            return cls()
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            version, txid, row = raw.split(".")
            position = cls(int(txid), int(row))
            # Both are BIGINT columns: anything outside is not ours (and must not reach SQL).
            if version != "c1" or not (0 <= position.txid < 2**63 and 0 <= position.id < 2**63):
                raise ValueError(version)
            return position
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise BadRequest(
                "since is not a token this feed gave out.", {"since": ["Unknown token."]}
            ) from None


@dataclass
class Change:
    position: Position
    change: str
    site_id: str
    version: int
    at: datetime


@dataclass
class FeedPage:
    changes: list[Change]
    sites: dict[str, Site]  # the published ones among them, as they are now
    position: Position  # where the next read starts
    more: bool


class ChangeFeed:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def version(self) -> int:
        """A number that changes with every committed public change: tiles (and the server's
        cache of them) and exports are versioned by it.

        It is the feed's end, not the newest outbox id: on PostgreSQL a transaction that
        took its ids first can commit last, and the newest id would then stay the same
        while what it stands for changed. The end moves past every commit, in order (and
        waits, as the feed does, while an older transaction is still running)."""
        return self.end().id

    def end(self) -> Position:
        """Where the feed ends now: a new subscriber starts here, with nothing to replay."""
        with self.sessions() as session:
            stmt = select(OutboxEvent.txid, OutboxEvent.id).where(OutboxEvent.change.is_not(None))
            stmt = self._below_horizon(session, stmt)
            last = session.execute(
                stmt.order_by(OutboxEvent.txid.desc(), OutboxEvent.id.desc()).limit(1)
            ).first()
        return Position(*last) if last else Position()

    @staticmethod
    def _below_horizon(session: Session, stmt):
        """On PostgreSQL, only rows of transactions older than every running one."""
        if session.get_bind().dialect.name != "postgresql":
            return stmt
        horizon = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
        return stmt.where(OutboxEvent.txid < horizon)

    def read(self, since: str | None, limit: int) -> FeedPage:
        after = Position.from_token(since)
        with self.sessions() as session:
            stmt = select(OutboxEvent).where(
                OutboxEvent.change.is_not(None),
                or_(
                    OutboxEvent.txid > after.txid,
                    and_(OutboxEvent.txid == after.txid, OutboxEvent.id > after.id),
                ),
            )
            stmt = self._below_horizon(session, stmt)
            rows = session.scalars(
                stmt.order_by(OutboxEvent.txid, OutboxEvent.id).limit(limit + 1)
            ).all()
            more = len(rows) > limit
            rows = rows[:limit]
            changes = [
                Change(
                    Position(row.txid, row.id), row.change, row.site_id, row.version, row.created_at
                )
                for row in rows
            ]
            ids = {c.site_id for c in changes if c.change != "deleted"}
            sites = (
                {
                    site.id: site
                    for site in session.scalars(
                        select(Site).where(Site.id.in_(ids), Site.status == "published")
                    )
                }
                if ids
                else {}
            )
        position = changes[-1].position if changes else after
        return FeedPage(changes, sites, position, more)
