"""Platform-neutral message values: what every transport turns its payloads into, and back."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # every date a person sees is a Shanghai date
# The days the bot works on: the years the time words read as dates (nlu.time_words), far enough inside
# date's own range that a year ahead or 3,660 days on (the longest window) never leave the calendar.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)

# What a button sends back is "<action>:<id>": a report preview's 确认/取消 carry the pending write's id, a
# digest's 收到 the outbox message's id. Transports pass it through as the text of an Inbound.
CONFIRM_DATA, CANCEL_DATA, ACK_DATA = "confirm", "cancel", "ack"
APPROVE_DATA, RETURN_DATA = "approve", "return"  # 办结审核: a review notice's 通过/退回 carry the 审核号
REVIEW_NOTICE = "review"  # the reason of an admin's review notice in the outbox; its key names the 审核号
LOCAL_PLATFORM = "local"  # `duban ask` and `duban chat`: the machine's own operator and users added by CLI
LOCAL_ADMIN = "admin"
_ACTIONS = "|".join((CONFIRM_DATA, CANCEL_DATA, ACK_DATA, APPROVE_DATA, RETURN_DATA))
BUTTON_DATA = re.compile(rf"(?:{_ACTIONS}):\d{{1,18}}")


@dataclass(frozen=True)
class Attachment:
    """A photo or file sent with a message (佐证材料), as the platform gave it.

    `content` is None when the transport did not fetch it: over the size limit by the platform's own word
    (`size`), or the download failed. The console has no upload: `path` is a file on this machine, which the
    core reads only from the allowed folder. `name` and `declared_type` are the sender's; the core trusts
    neither (the type is read from the bytes)."""

    name: str
    size: int | None = None
    content: bytes | None = None
    declared_type: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Inbound:
    platform: str  # "console", "telegram", "slack", "cli"
    chat_id: str
    user_id: str
    text: str
    at: datetime  # timezone-aware; "today" for the question is at's Shanghai date
    # Unique within the platform: report rows and pending writes carry it under a unique (platform,
    # message_id), so a redelivery is recorded once. Ids a platform numbers per chat (a Slack ts, a Telegram
    # message_id) are qualified with the chat by `message_key`; otherwise two chats' messages collide.
    message_id: str | None = None
    display_name: str | None = None  # how the platform names the sender, kept when they bind
    group: bool = False  # sent in a group chat (reminder chats bound there are paced as groups)
    attachment: Attachment | None = None  # a photo or file sent with the message

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("Inbound.at must be timezone-aware")


# No database stores these: PostgreSQL refuses NUL in text, and a lone surrogate (a JSON line may carry one,
# "\ud800") has no UTF-8 form for either database. The parser ignores both anyway (nlu.normalize).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def storable(inbound: Inbound) -> Inbound:
    """inbound without what no database can store: dropped from the text, where the parser ignores it
    anyway, and replaced by U+FFFD in ids and names, so that no two ids become one."""
    fields = (inbound.chat_id, inbound.user_id, inbound.text, inbound.message_id, inbound.display_name)
    if not any(_UNSTORABLE.search(value) for value in fields if value is not None):
        return inbound
    return replace(
        inbound,
        chat_id=_UNSTORABLE.sub("\ufffd", inbound.chat_id),
        user_id=_UNSTORABLE.sub("\ufffd", inbound.user_id),
        text=_UNSTORABLE.sub("", inbound.text),
        message_id=_UNSTORABLE.sub("\ufffd", inbound.message_id) if inbound.message_id is not None else None,
        display_name=(
            _UNSTORABLE.sub("\ufffd", inbound.display_name) if inbound.display_name is not None else None
        ),
    )


def message_key(chat_id: str, per_chat_id: str) -> str:
    """A message id unique on its platform, from one the platform makes unique only within a chat.

    A Slack ts is unique within its channel and a Telegram message_id counts up per chat: two people's
    direct messages can carry the same one, and keyed by it alone the second would be taken for a
    redelivery of the first (and be shown the first one's preview)."""
    return f"{chat_id}:{per_chat_id}"


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # opaque to the transport; sent back verbatim when pressed


@dataclass(frozen=True)
class OutboundFile:
    """A file sent with a reply (佐证材料 fetched by someone allowed to see it)."""

    name: str  # the name it is sent under (its extension the detected type's)
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Outbound:
    text: str
    buttons: tuple[Button, ...] = ()
    intent: str | None = None  # what the reply answers, for logs and `duban ask --jsonl`
    file: OutboundFile | None = None  # sent after the text


def split_lines(text: str, limit: int) -> list[str]:
    """Cut text on line boundaries into parts of at most limit characters (a single overlong line is cut):
    platforms cap a message's length (Telegram 4096, a Slack section 3000)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    parts.append(current)
    return parts
