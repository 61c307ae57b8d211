"""Organisations and the accounts of their people.

Passwords are hashed with Argon2id (argon2-cffi's defaults, rehashed when those
change). Repeated failures lock an account for a while, so a password cannot be
guessed online; the answer never says whether the username exists."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..catalogue.models import Account, Organisation
from ..db import transaction
from ..errors import Conflict, InvalidInput, NotFound, Unauthorized
from .roles import ROLES

CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
_HASHER = PasswordHasher()
# Verified against when the username is unknown, so both cases take as long.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


class OwnAdministratorRights(Conflict):
    """An administrator tried to disable their own account or drop their own admin role:
    someone must always be left who can administer, so another administrator does it."""

    def __init__(self) -> None:
        super().__init__(
            "You cannot disable your own account or give up your own administrator role: "
            "ask another administrator.",
            {"account": ["Your own."]},
        )


def _account_problems(
    *, display_name: str | None, role: str | None, password: str | None
) -> dict[str, list[str]]:
    problems = {}
    if display_name is not None and not display_name.strip():
        problems["display_name"] = ["Missing."]
    if role is not None and role not in ROLES:
        problems["role"] = [f"One of {', '.join(ROLES)}."]
    if password is not None and len(password) < MIN_PASSWORD:
        problems["password"] = [f"At least {MIN_PASSWORD} characters."]
    return problems


class AccountService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    # -- organisations ---------------------------------------------------------------

    def create_organisation(self, code: str, name: str) -> Organisation:
        if not CODE.fullmatch(code or ""):
            raise InvalidInput(
                "An organisation code is lowercase words joined by hyphens.", {"code": ["Invalid."]}
            )
        if not name.strip():
            raise InvalidInput("An organisation needs a name.", {"name": ["Missing."]})
        with transaction(self.sessions) as session:
            if session.scalars(select(Organisation).where(Organisation.code == code)).first():
                raise Conflict(f"Organisation {code!r} exists.", {"code": ["Taken."]})
            organisation = Organisation(code=code, name=name.strip()[:200], created_at=_now())
            session.add(organisation)
        return organisation

    def organisations(self) -> list[Organisation]:
        with self.sessions() as session:
            return list(session.scalars(select(Organisation).order_by(Organisation.code)))

    def organisation(self, code: str) -> Organisation:
        with self.sessions() as session:
            found = session.scalars(select(Organisation).where(Organisation.code == code)).first()
            if found is None:
                raise NotFound(f"No organisation {code!r}.", {"organisation": ["Unknown."]})
            return found

    # -- accounts --------------------------------------------------------------------

    def create(
        self, username: str, display_name: str, organisation: str, role: str, password: str
    ) -> Account:
        problems = _account_problems(display_name=display_name, role=role, password=password)
        if not USERNAME.fullmatch(username or ""):
            problems["username"] = ["2-60 lowercase letters, digits, dots, hyphens."]
        if problems:
            raise InvalidInput("The account is invalid.", problems)
        org = self.organisation(organisation)
        with transaction(self.sessions) as session:
            if session.scalars(select(Account).where(Account.username == username)).first():
                raise Conflict(f"The username {username!r} is taken.", {"username": ["Taken."]})
            account = Account(
                username=username,
                display_name=display_name.strip()[:120],
                organisation_id=org.id,
                role=role,
                password_hash=_HASHER.hash(password),
                failed_logins=0,
                created_at=_now(),
            )
            session.add(account)
        return account

    def list(self) -> list[tuple[Account, Organisation]]:
        with self.sessions() as session:
            rows = session.execute(
                select(Account, Organisation)
                .join(Organisation, Organisation.id == Account.organisation_id)
                .order_by(Account.username)
            )
            return [(account, org) for account, org in rows]

    def find(self, username: str) -> Account | None:
        with self.sessions() as session:
            return session.scalars(select(Account).where(Account.username == username)).first()

    def get(self, account_id: int) -> Account | None:
        with self.sessions() as session:
            return session.get(Account, account_id)

    def disable(self, username: str) -> Account:
        return self.update(username, disabled=True)

    def update(
        self,
        username: str,
        *,
        display_name: str | None = None,
        organisation: str | None = None,
        role: str | None = None,
        password: str | None = None,
        disabled: bool | None = None,
        language: str | None = None,
        acting_account_id: int | None = None,
    ) -> Account:
        """Change what an administrator may change; None leaves a part as it is. A new
        password also lifts a lockout; enabling an account does not restore old tokens'
        trust beyond what they had (they stay tied to the account and its new role).
        `acting_account_id` is the administrator making the change, who may not disable
        themselves or give up their own administrator role."""
        problems = _account_problems(display_name=display_name, role=role, password=password)
        if problems:
            raise InvalidInput("The change is invalid.", problems)
        org = self.organisation(organisation) if organisation is not None else None
        with transaction(self.sessions) as session:
            account = session.scalars(
                select(Account).where(Account.username == username).with_for_update()
            ).first()
            if account is None:
                raise NotFound(f"No account {username!r}.")
            if account.id == acting_account_id and (disabled or role not in (None, "admin")):
                raise OwnAdministratorRights()
            if display_name is not None:
                account.display_name = display_name.strip()[:120]
            if org is not None:
                account.organisation_id = org.id
            if role is not None:
                account.role = role
            if password is not None:
                account.password_hash = _HASHER.hash(password)
                account.failed_logins = 0
                account.locked_until = None
            if language is not None:
                account.language = language[:8]
            if disabled is True and account.disabled_at is None:
                account.disabled_at = _now()
            elif disabled is False:
                account.disabled_at = None
            return account

    def check_password(self, username: str, password: str) -> Account:
        """The account, if the password is right and the account is usable; otherwise a
        401 that does not say which part was wrong. Five failures lock it for 15 minutes."""
        refused = Unauthorized("Wrong username or password, or the account is locked.")
        with transaction(self.sessions) as session:
            account = session.scalars(
                select(Account).where(Account.username == username).with_for_update()
            ).first()
            if account is None or account.password_hash is None:
                with contextlib.suppress(VerificationError):
                    _HASHER.verify(_DUMMY_HASH, password)
                raise refused
            now = _now()
            locked = _aware(account.locked_until)
            if account.disabled_at is not None or (locked is not None and locked > now):
                raise refused
            try:
                _HASHER.verify(account.password_hash, password)
            except (VerificationError, InvalidHashError):
                account.failed_logins += 1
                if account.failed_logins >= MAX_FAILURES:
                    account.locked_until = now + LOCKOUT
                    account.failed_logins = 0
                session.commit()
                raise refused from None
            if _HASHER.check_needs_rehash(account.password_hash):
                account.password_hash = _HASHER.hash(password)
            account.failed_logins = 0
            account.locked_until = None
            account.last_login_at = now
            return account
