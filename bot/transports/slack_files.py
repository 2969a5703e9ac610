"""Files on Slack: a file shared with the bot becomes an `Attachment` (its bytes fetched from `url_private`
with the bot token, which needs the files:read scope), and a file the core sends back is uploaded with
slack_sdk's files_upload_v2 (files:write).

The bot token goes only to Slack's file host (or, in tests and behind a proxy, the host of the configured
API address), never to whatever address an event names. A file over the size limit by Slack's own word is
not downloaded, and no download reads more than one byte past the limit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.messages import Attachment, OutboundFile
from store.evidence_files import MAX_BYTES

log = logging.getLogger(__name__)
JSON = dict[str, Any]
SLACK_FILE_HOST = "files.slack.com"
DOWNLOAD_TIMEOUT = 60.0  # seconds for one file of at most 20 MB


def shared_files(event: JSON) -> list[JSON]:
    """The files a message or mention shares (a file_share message, or files beside a mention's text)."""
    files = event.get("files")
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []


async def fetch_attachment(client: AsyncWebClient, file: JSON) -> Attachment:
    """The shared file with its bytes; without them when too large, or the download failed or was not
    allowed (the core then says the file was not kept)."""
    name = str(file.get("name") or file.get("title") or f"file-{file.get('id') or ''}")
    declared = str(file["mimetype"]) if file.get("mimetype") else None
    size = int(file["size"]) if isinstance(file.get("size"), int) else None
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if size is not None and size > MAX_BYTES:
        return Attachment(name, size=size, declared_type=declared)
    if not url or not _trusted(url, client.base_url):
        log.warning("Slack: file %s not downloaded: no address at Slack's file host", file.get("id"))
        return Attachment(name, size=size, declared_type=declared)
    try:
        content = await _download(client, url)
    except (aiohttp.ClientError, TimeoutError, _TooLarge, _NotServed) as exc:
        log.warning("Slack: file %s not downloaded: %s", file.get("id"), type(exc).__name__)
        too_large = isinstance(exc, _TooLarge)
        return Attachment(name, size=MAX_BYTES + 1 if too_large else size, declared_type=declared)
    return Attachment(name, size=len(content), content=content, declared_type=declared)


async def upload(client: AsyncWebClient, channel: str, file: OutboundFile) -> bool:
    """files.getUploadURLExternal, the upload, files.completeUploadExternal; False when not sent."""
    try:
        await client.files_upload_v2(channel=channel, file=file.content, filename=file.name, title=file.name)
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("Slack: file %s to %s not uploaded: %s", file.name, channel, exc)
        return False
    return True


class _TooLarge(Exception):
    pass


class _NotServed(Exception):
    pass


def _trusted(url: str, api_base: str) -> bool:
    """Slack's file host over HTTPS, or the configured API's own host (a test's fake, a proxy)."""
    target, api = urlsplit(url), urlsplit(api_base)
    if target.scheme == "https" and target.hostname == SLACK_FILE_HOST:
        return True
    return (target.scheme, target.netloc) == (api.scheme, api.netloc) and api.hostname != "slack.com"


async def _download(client: AsyncWebClient, url: str) -> bytes:
    headers = {"Authorization": f"Bearer {client.token}"}
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
    session = client.session
    if session is None or session.closed:
        async with aiohttp.ClientSession(timeout=timeout) as own:
            return await _read(own, url, headers, timeout)
    return await _read(session, url, headers, timeout)


async def _read(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], timeout: aiohttp.ClientTimeout
) -> bytes:
    # No redirects: a redirect would carry the token to wherever it points.
    async with session.get(url, headers=headers, timeout=timeout, allow_redirects=False) as response:
        if response.status != 200:
            raise _NotServed(str(response.status))
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.content.iter_chunked(1 << 16):
            total += len(chunk)
            if total > MAX_BYTES:
                raise _TooLarge()
            chunks.append(chunk)
    return b"".join(chunks)


def file_messages(text: str, files: Sequence[JSON]) -> list[tuple[str, JSON | None]]:
    """What one Slack message is to the core: the text with its first file, then each further file alone
    (so a report's caption makes one preview, and the other files join it)."""
    if not files:
        return [(text, None)]
    return [(text if number == 0 else "", file) for number, file in enumerate(files)]
