"""Members (chat users bound to a unit with a role) and one-time invite codes.

The member table holds the current state; every change to it is also a row in the append-only member_event
log, saying who made it, when and through what (a command line, an invite code sent in a chat message).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.catalog_queries import resolve_unit
from store.db import Database
from store.errors import CollectiveUnitError, StoreError
from store.invite_guard import (
    BOUND,
    LOCKED,
    BindingLocked,
    Sender,
    lockout,
    record_attempt,
    take_binding_lock,
)
from store.ledger import unit_id
from store.models import Invite, Member, MemberEvent, Unit
from store.views import UnitView

Role = Literal["admin", "staff", "viewer", "leader"]
ROLES: tuple[Role, ...] = ("admin", "staff", "viewer", "leader")
# may ask but not write: a viewer, and a leader of the supervising office (who hears, once, of each task a
# month late: the escalation tier of the overdue cadence)
READ_ONLY_ROLES: frozenset[str] = frozenset({"viewer", "leader"})
NAME_CHARS = 100  # Member.display_name's length
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and retyped
_CODE_LENGTH = 10


class InviteError(StoreError):
    """An invite code that cannot be used; reason is unknown, used or expired."""

    def __init__(self, reason: Literal["unknown", "used", "expired"]) -> None:
        self.reason = reason
        self.lockout: BindingLocked | None = None  # set when this wrong code was one too many
        super().__init__(f"invite {reason}")


@dataclass(frozen=True)
class MemberView:
    id: int
    platform: str
    user_id: str
    display_name: str
    unit: str | None
    role: str
    created_at: datetime


@dataclass(frozen=True)
class InviteView:
    code: str
    unit: str
    role: str
    expires_at: datetime


def add_member(
    db: Database,
    *,
    platform: str,
    user_id: str,
    display_name: str,
    unit: str | None,
    role: str,
    at: datetime,
    actor: str = "system",
) -> MemberView:
    """Add a member, or bring back / change one with the same platform id; unit names may be aliases."""
    unit_name = _bindable(db, unit).name if unit else None
    with db.session() as session:
        member = _set_member(session, platform, user_id, display_name, unit_id(session, unit_name), role, at)
        _log(session, member, "added", actor, at, platform="cli")
        session.commit()
        return _view(member, unit_name)


def _bindable(db: Database, unit: str) -> UnitView:
    """The unit a member may belong to: a unit of its own, never a collective (海关 is the alias of
    各海关, whose members are the customs offices; someone bound to 各海关 could report for none of them)."""
    view = resolve_unit(db, unit)
    if view.kind == "collective":
        raise CollectiveUnitError(view.name, view.members)
    return view


def remove_member(db: Database, *, platform: str, user_id: str, at: datetime, actor: str) -> MemberView:
    with db.session() as session:
        member = _active(session, platform, user_id)
        if member is None:
            raise StoreError(f"no member {platform}:{user_id}")
        member.removed_at = at
        session.add(member)
        _log(session, member, "removed", actor, at, platform="cli")
        session.commit()
        return _view(member, _unit_name(session, member.unit_id))


def find_member(db: Database, *, platform: str, user_id: str) -> MemberView | None:
    with db.session() as session:
        member = _active(session, platform, user_id)
        return _view(member, _unit_name(session, member.unit_id)) if member else None


def list_members(db: Database) -> list[MemberView]:
    with db.session() as session:
        rows = session.exec(
            select(Member, Unit.name)
            .join(Unit, col(Unit.id) == col(Member.unit_id), isouter=True)
            .where(col(Member.removed_at).is_(None))
            .order_by(col(Member.id))
        )  # the members' own units only: a national catalog has 50,000
        return [_view(member, unit) for member, unit in rows]


def create_invite(
    db: Database, *, unit: str, role: str, expires_at: datetime, at: datetime, actor: str
) -> InviteView:
    unit_name = _bindable(db, unit).name
    with db.session() as session:
        invite = Invite(
            code=_new_code(),
            unit_id=unit_id(session, unit_name) or 0,
            role=role,
            created_by=actor,
            created_at=at,
            expires_at=expires_at,
        )
        session.add(invite)
        session.commit()
        return InviteView(invite.code, unit_name, role, expires_at)


def redeem_invite(
    db: Database,
    *,
    code: str,
    platform: str,
    user_id: str,
    display_name: str,
    at: datetime,
    message_id: str | None,
) -> MemberView:
    """Bind the sender to the invite's unit and role; the code works once, before it expires.

    Raises BindingLocked while the sender (or everyone) is locked out for wrong codes, whatever the code;
    InviteError for a wrong code, whose `lockout` is set when this wrong code set one off.
    """
    sender = Sender(platform, user_id, at, message_id)
    with db.session() as session:
        connection = session.connection()
        take_binding_lock(connection)
        refused = lockout(connection, sender)
        if refused is not None:
            record_attempt(connection, sender, LOCKED)
            session.commit()
            raise refused
        try:
            member = _redeem(session, code, sender, display_name)
        except InviteError as exc:
            # Nothing was written before the failure; the wrong code is recorded and counted at once.
            record_attempt(connection, sender, exc.reason)
            exc.lockout = lockout(connection, sender)
            session.commit()
            raise
        record_attempt(connection, sender, BOUND)
        session.commit()
        return _view(member, _unit_name(session, member.unit_id))


def _redeem(session: Session, code: str, sender: Sender, display_name: str) -> Member:
    invite = session.exec(select(Invite).where(Invite.code == code.strip().upper())).first()
    if invite is None:
        raise InviteError("unknown")
    if invite.used_at is not None:
        raise InviteError("used")
    if sender.at >= invite.expires_at:
        raise InviteError("expired")
    if not _claim(session, invite.id or 0, sender.at):
        raise InviteError("used")  # another sender's redemption of this code committed first
    platform, at = sender.platform, sender.at
    member = _set_member(session, platform, sender.user_id, display_name, invite.unit_id, invite.role, at)
    session.connection().execute(
        update(Invite).where(col(Invite.id) == invite.id).values(used_by_member_id=member.id)
    )
    actor = f"invite:{invite.created_by}"
    _log(session, member, "bound", actor, at, platform, sender.message_id, invite.id)
    return member


def _claim(session: Session, invite_id: int, at: datetime) -> bool:
    """Mark the code used, if it still is unused: True for exactly one of any number of redeemers.

    Reading used_at and then writing it lets two processes that both read "unused" both bind. This single
    conditional UPDATE is decided by the database: PostgreSQL makes the second writer wait for the first's
    row lock and then re-checks the WHERE against the committed row (0 rows); SQLite runs writers one at a
    time, so the second sees the first's used_at. The caller's transaction holds the claim until it commits,
    and a failure after it rolls the claim back with everything else.
    """
    claimed = session.connection().execute(
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.used_at).is_(None), col(Invite.expires_at) > at)
        .values(used_at=at)
    )
    return claimed.rowcount == 1


def _set_member(
    session: Session, platform: str, user_id: str, name: str, unit_id: int | None, role: str, at: datetime
) -> Member:
    if role not in ROLES:
        raise StoreError(f"unknown role {role}")
    # A platform's name may be longer than the column (Telegram's full name runs to 129 characters):
    # PostgreSQL would refuse the whole binding for it, so the name is kept as far as it fits.
    name = name[:NAME_CHARS]
    member = session.exec(
        select(Member).where(Member.platform == platform, Member.platform_user_id == user_id)
    ).first() or Member(
        platform=platform, platform_user_id=user_id, created_at=at, display_name=name, role=role
    )
    member.display_name, member.unit_id, member.role, member.removed_at = name, unit_id, role, None
    session.add(member)
    session.flush()
    return member


def _log(
    session: Session,
    member: Member,
    kind: str,
    actor: str,
    at: datetime,
    platform: str,
    message_id: str | None = None,
    invite_id: int | None = None,
) -> None:
    session.add(
        MemberEvent(
            member_id=member.id or 0,
            kind=kind,
            unit_id=member.unit_id,
            role=member.role,
            actor=actor,
            invite_id=invite_id,
            recorded_at=at,
            platform=platform,
            message_id=message_id,
        )
    )


def _active(session: Session, platform: str, user_id: str) -> Member | None:
    return session.exec(
        select(Member).where(
            Member.platform == platform, Member.platform_user_id == user_id, col(Member.removed_at).is_(None)
        )
    ).first()


def _unit_name(session: Session, unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    unit = session.get(Unit, unit_id)
    return unit.name if unit else None


def _view(member: Member, unit: str | None) -> MemberView:
    return MemberView(
        id=member.id or 0,
        platform=member.platform,
        user_id=member.platform_user_id,
        display_name=member.display_name,
        unit=unit,
        role=member.role,
        created_at=member.created_at,
    )


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
