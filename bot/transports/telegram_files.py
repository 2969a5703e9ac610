"""Files on Telegram: a photo or document sent to the bot becomes an `Attachment` (its bytes fetched through
the Bot API: getFile, then the file URL), and a file the core sends back goes out as a document.

A file over the size limit by Telegram's own word is not downloaded (Telegram would refuse a bot over 20 MB
anyway); the core refuses it by the size it was told. A photo comes in several sizes: the largest is kept.
"""

from __future__ import annotations

import logging

from telegram import Bot, Message
from telegram.error import TelegramError

from bot.conversation.messages import Attachment, OutboundFile
from store.evidence_files import MAX_BYTES

log = logging.getLogger(__name__)


def has_file(message: Message) -> bool:
    """A photo or a document: what may be 佐证材料 (stickers, voice, video are not)."""
    return bool(message.photo) or message.document is not None


async def fetch_attachment(bot: Bot, message: Message) -> Attachment | None:
    """The message's photo or document with its bytes; without them when too large or not fetched."""
    if message.document is not None:
        document = message.document
        file_id, size, declared = document.file_id, document.file_size, document.mime_type
        name = document.file_name or f"document-{message.message_id}"
    elif message.photo:
        largest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        file_id, size, declared = largest.file_id, largest.file_size, "image/jpeg"
        name = f"photo-{message.message_id}.jpg"  # Telegram sends every photo as a JPEG, nameless
    else:
        return None
    if size is not None and size > MAX_BYTES:
        return Attachment(name, size=size, declared_type=declared)
    try:
        content = bytes(await (await bot.get_file(file_id)).download_as_bytearray())
    except TelegramError as exc:  # too big after all, gone, or the network: the core says it was not kept
        log.warning("file of message %s not downloaded: %s", message.message_id, exc)
        return Attachment(name, size=size, declared_type=declared)
    return Attachment(name, size=len(content), content=content, declared_type=declared)


async def send_file(bot: Bot, chat_id: str, file: OutboundFile) -> bool:
    """A file as a document (never as a photo: Telegram would recompress it); False when not sent."""
    try:
        await bot.send_document(chat_id=chat_id, document=file.content, filename=file.name)
    except TelegramError as exc:
        log.warning("file %s to %s not sent: %s", file.name, chat_id, exc)
        return False
    return True
