"""Chat side of reminders: acknowledging a digest (收到) and choosing the chat a unit's reminders go to."""

from __future__ import annotations

from bot.conversation import texts
from bot.conversation.messages import LOCAL_TZ, Inbound
from store.db import Database
from store.members import READ_ONLY_ROLES, MemberView
from store.reminder_chats import Target, acknowledge_message, bind_unit_chat, latest_unacknowledged


def acknowledge(db: Database, inbound: Inbound, member: MemberView | None, message_id: int | None) -> str:
    """The button names its digest; a typed 收到 means the unit's newest unacknowledged one."""
    if member is None or (member.unit is None and member.role != "admin"):
        return texts.ACK_NEEDS_UNIT
    if member.role in READ_ONLY_ROLES:  # viewers may only ask; 收到 speaks for the unit
        return texts.ACK_VIEWER
    if message_id is None:
        if member.unit is None:
            return texts.NOTHING_TO_ACK
        message_id = latest_unacknowledged(db, member.unit, today=inbound.at.astimezone(LOCAL_TZ).date())
        if message_id is None:
            return texts.NOTHING_TO_ACK
    result = acknowledge_message(
        db,
        message_id,
        member_id=member.id or None,
        unit=None if member.role == "admin" else member.unit,
        at=inbound.at,
        platform=inbound.platform,
        inbound_message_id=inbound.message_id,
    )
    if result == "admins_only":
        return texts.ACK_ADMINS_ONLY
    return texts.ACKED if result == "acked" else texts.ACK_PROBLEMS[result]


def bind_reminder_chat(db: Database, inbound: Inbound, member: MemberView | None) -> str:
    if member is None or member.unit is None or member.role in READ_ONLY_ROLES:
        return texts.CHAT_BIND_NEEDS_UNIT
    bind_unit_chat(
        db,
        unit=member.unit,
        target=Target(inbound.platform, inbound.chat_id, inbound.group),
        member_id=member.id or None,
        actor=f"{inbound.platform}:{inbound.user_id}",
        at=inbound.at,
        message_id=inbound.message_id,
    )
    return texts.chat_bound(member.unit)
