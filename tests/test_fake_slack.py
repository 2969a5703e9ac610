"""The fake Slack Web API server, driven by the real slack_sdk clients over 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.slack_server import DEFAULT_TOKEN, FakeSlack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from schedules.limits import Limit, TransportLimits

SERVER_SCRIPT = Path(__file__).resolve().parent / "fakes" / "slack_server.py"
BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*任务41* 今天到期"}},
    {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "确认完成"}, "value": "done:41"}
        ],
    },
]


class FakeClock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[FakeSlack]:
    with FakeSlack(clock=clock) as fake:
        yield fake


@pytest.fixture
def client(server: FakeSlack) -> WebClient:
    return WebClient(token=server.token, base_url=server.base_url)


@pytest.fixture
async def async_client(server: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    yield AsyncWebClient(token=server.token, base_url=server.base_url)


def test_auth_test(server: FakeSlack, client: WebClient) -> None:
    response = client.auth_test()
    assert response["ok"] is True
    assert response["user_id"] == server.bot_user_id and response["bot_id"] == server.bot_id
    assert response["team_id"] == server.team_id and response["team"] == server.team
    assert server.port > 0 and server.base_url == f"http://127.0.0.1:{server.port}/api/"
    [call] = server.calls("auth.test")
    assert call.token == server.token and call.status == 200 and call.error is None and call.at == 5000.0


def test_wrong_or_missing_token(server: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as caught:
        WebClient(token="xoxb-wrong", base_url=server.base_url).auth_test()
    assert caught.value.response.status_code == 200  # Slack reports auth errors in the body
    assert caught.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as caught:
        WebClient(base_url=server.base_url).chat_postMessage(channel="C1", text="x")
    assert caught.value.response["error"] == "not_authed"
    assert [(c.method, c.error) for c in server.calls()] == [
        ("auth.test", "invalid_auth"),
        ("chat.postMessage", "not_authed"),
    ]
    assert server.sent() == []


def test_post_then_update_is_recorded(server: FakeSlack, client: WebClient, clock: FakeClock) -> None:
    first = client.chat_postMessage(channel="C100", text="任务41 今天到期", blocks=BLOCKS)
    clock.now += 1
    second = client.chat_postMessage(channel="C100", text="回复", thread_ts=first["ts"])
    assert first["channel"] == "C100" and first["message"]["text"] == "任务41 今天到期"
    assert first["message"]["blocks"] == BLOCKS
    assert second["message"]["thread_ts"] == first["ts"]
    assert first["ts"] == "1700000000.000100" and float(second["ts"]) > float(first["ts"])

    clock.now += 1
    updated = client.chat_update(channel="C100", ts=first["ts"], text="已确认", blocks=[])
    assert updated["ts"] == first["ts"] and updated["text"] == "已确认"

    assert server.sent("C100") == ["任务41 今天到期", "回复"]  # as posted, before the update
    assert server.messages[first["ts"]].text == "已确认"
    assert server.messages[first["ts"]].blocks is None  # an empty list removes the blocks
    assert server.messages[second["ts"]].thread_ts == first["ts"]
    assert [(m.ts, m.text, m.at) for m in server.updated] == [(first["ts"], "已确认", 5002.0)]
    client.chat_postMessage(channel="C200", text="带按钮", blocks=BLOCKS)
    third = server.posted[-1]
    client.chat_update(channel="C200", ts=third.ts, text="只改文字")
    assert server.messages[third.ts].blocks == BLOCKS  # left out, the blocks are kept
    post = server.calls("chat.postMessage")[0]
    assert post.params["blocks"] == BLOCKS and post.params["channel"] == "C100"


def test_update_of_an_unknown_message(server: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="x")
    for channel, ts in (("C1", "1700000000.999900"), ("C2", posted["ts"])):
        with pytest.raises(SlackApiError) as caught:
            client.chat_update(channel=channel, ts=ts, text="y")
        assert caught.value.response["error"] == "message_not_found"
    assert server.messages[posted["ts"]].text == "x" and server.updated == []


def test_form_encoded_blocks_are_decoded(server: FakeSlack, client: WebClient) -> None:
    # api_call with params sends a form body, where blocks travel as a JSON string.
    client.api_call("chat.postMessage", params={"channel": "C7", "text": "t", "blocks": json.dumps(BLOCKS)})
    assert server.posted[0].blocks == BLOCKS
    assert server.calls("chat.postMessage")[0].params["blocks"] == json.dumps(BLOCKS)


def test_rate_limit_is_a_429_with_retry_after(server: FakeSlack, client: WebClient, clock: FakeClock) -> None:
    client.chat_postMessage(channel="C1", text="one")
    clock.now += 0.25
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="two")
    response = caught.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "1"  # 0.75 s, rounded up to whole seconds
    # The default retry handlers only cover connection errors: no second attempt was made.
    assert [c.status for c in server.calls("chat.postMessage")] == [200, 429]
    client.chat_postMessage(channel="C2", text="another channel goes through")
    clock.now += 0.75
    client.chat_postMessage(channel="C1", text="two")
    assert server.sent("C1") == ["one", "two"] and server.rejected == 1


def test_configurable_limits_and_none() -> None:
    clock = FakeClock()
    with FakeSlack(limits=TransportLimits(per_chat=Limit(2, 10.0)), clock=clock) as server:
        client = WebClient(token=server.token, base_url=server.base_url)
        client.chat_postMessage(channel="C1", text="1")
        client.chat_postMessage(channel="C1", text="2")
        clock.now += 2.5
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="C1", text="3")
        assert caught.value.response.headers["Retry-After"] == "8"  # 7.5 s, rounded up
    with FakeSlack(limits=None, token=None) as server:
        client = WebClient(token="xoxb-anything", base_url=server.base_url)
        for n in range(5):
            client.chat_postMessage(channel="C1", text=str(n))
        assert server.sent("C1") == ["0", "1", "2", "3", "4"]


def test_fail_next(server: FakeSlack, client: WebClient) -> None:
    server.fail_next("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="x")
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == "channel_not_found"
    client.chat_postMessage(channel="C1", text="only the next one failed")

    server.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C2", text="x")
    assert caught.value.response.status_code == 500
    assert caught.value.response["error"] == "internal_error"

    server.fail_next("chat.postMessage", status=429, retry_after=30, channel="C3")
    client.chat_postMessage(channel="C4", text="other channels are fine")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C3", text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "30"

    server.fail_next("users.info", "user_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError, match="user_not_found"):
            client.users_info(user="U1")
    assert client.users_info(user="U1")["ok"] is True
    assert server.failures_served == 5
    assert server.sent() == ["only the next one failed", "other channels are fine"]


def test_conversations_open_and_posting_to_a_user(server: FakeSlack, client: WebClient) -> None:
    opened = client.conversations_open(users="U123")
    dm = opened["channel"]["id"]
    assert dm.startswith("D") and dm == server.dm_channel("U123")
    again = client.conversations_open(users=["U123"])
    assert again["channel"]["id"] == dm and again["already_open"] is True
    group = client.conversations_open(users=["U123", "U456"])["channel"]["id"]
    assert group.startswith("G") and group != dm
    # Slack posts to a user id's DM and answers with the DM channel.
    posted = client.chat_postMessage(channel="U123", text="私信")
    assert posted["channel"] == dm
    assert server.sent(dm) == ["私信"] == server.sent("U123")
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.conversations_open(users="not-a-user")


def test_post_ephemeral_and_users_info(clock: FakeClock) -> None:
    with FakeSlack(users={"U42": "王芳"}, clock=clock) as server:
        client = WebClient(token=server.token, base_url=server.base_url)
        response = client.chat_postEphemeral(channel="C1", user="U42", text="只有你能看到")
        assert response["message_ts"]
        assert [(m.channel, m.recipient, m.text) for m in server.ephemeral] == [("C1", "U42", "只有你能看到")]
        assert server.sent() == [] and server.messages == {}
        user = client.users_info(user="U42")["user"]
        assert user["id"] == "U42" and user["real_name"] == "王芳" and user["is_bot"] is False
        assert client.users_info(user="U7")["user"]["real_name"] == "User U7"
        assert client.users_info(user=server.bot_user_id)["user"]["is_bot"] is True


def test_missing_text_and_unknown_method(server: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError, match="no_text"):
        client.api_call("chat.postMessage", json={"channel": "C1"})
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("chat.scheduleHologram", json={"channel": "C1"})
    assert [c.error for c in server.calls()] == ["no_text", "unknown_method"]


async def test_async_client(server: FakeSlack, async_client: AsyncWebClient, clock: FakeClock) -> None:
    assert (await async_client.auth_test())["user_id"] == server.bot_user_id
    posted = await async_client.chat_postMessage(channel="C9", text="异步", blocks=BLOCKS)
    await async_client.chat_update(channel="C9", ts=posted["ts"], text="异步已改")
    with pytest.raises(SlackApiError) as caught:
        await async_client.chat_postMessage(channel="C9", text="too soon")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "1"
    assert caught.value.response["error"] == "ratelimited"
    dm = (await async_client.conversations_open(users="U5"))["channel"]["id"]
    assert dm == server.dm_channel("U5")
    # AsyncWebClient sends users.info as a GET with a query string.
    assert (await async_client.users_info(user="U5"))["user"]["id"] == "U5"
    server.fail_next("chat.postMessage", "is_archived")
    clock.now += 1
    with pytest.raises(SlackApiError, match="is_archived"):
        await async_client.chat_postMessage(channel="C9", text="x")
    with pytest.raises(SlackApiError) as caught:
        await AsyncWebClient(token="xoxb-wrong", base_url=server.base_url).auth_test()
    assert caught.value.response["error"] == "invalid_auth"
    assert server.sent("C9") == ["异步"] and server.messages[posted["ts"]].text == "异步已改"
    assert [c.method for c in server.calls()] == [
        "auth.test",
        "chat.postMessage",
        "chat.update",
        "chat.postMessage",
        "conversations.open",
        "users.info",
        "chat.postMessage",
        "auth.test",
    ]


async def test_async_context_manager() -> None:
    async with FakeSlack() as server:
        client = AsyncWebClient(token=server.token, base_url=server.base_url)
        await client.chat_postMessage(channel="C1", text="hi")
        assert server.sent("C1") == ["hi"]


async def test_raw_http_keep_alive_and_errors(server: FakeSlack) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        for n, text in enumerate(("第一", "第二")):  # two requests on one connection
            body = json.dumps({"channel": f"C{n}", "text": text}).encode()
            writer.write(
                "POST /api/chat.postMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {server.token}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
            status, _, payload = await _read_response(reader)
            assert status == 200 and payload["message"]["text"] == text
        writer.write(b"POST /api/chat.postMessage HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n{")
        writer.write(b"GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        status, _, payload = await _read_response(reader)
        assert status == 200 and payload == {"ok": False, "error": "not_authed"}
        status, _, payload = await _read_response(reader)
        assert status == 404 and payload["ok"] is False
        body = json.dumps({"channel": "C0", "text": "第三"}).encode()
        writer.write(
            "POST /api/chat.postMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {server.token}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        status, headers, payload = await _read_response(reader)
        assert status == 429 and headers["retry-after"] == "1" and payload["error"] == "ratelimited"
    finally:
        writer.close()
    assert server.sent() == ["第一", "第二"]


def test_record_file_and_restart_errors(tmp_path: Path, clock: FakeClock) -> None:
    record = tmp_path / "sent.jsonl"
    with FakeSlack(record_path=record, clock=clock) as server:
        client = WebClient(token=server.token, base_url=server.base_url)
        client.chat_postMessage(channel="C1", text="甲")
        assert len(record.read_text(encoding="utf-8").splitlines()) == 1  # flushed at once
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C1", text="乙")
        client.chat_postMessage(channel="C2", text="丙")
        with pytest.raises(RuntimeError, match="already started"):
            server.start()
    rows = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert [(r["channel"], r["text"]) for r in rows] == [("C1", "甲"), ("C2", "丙")]
    assert rows[0]["ts"] == "1700000000.000100" and rows[0]["at"] == 5000.0


async def test_runs_as_a_separate_process(tmp_path: Path) -> None:
    record = tmp_path / "sent.jsonl"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SERVER_SCRIPT),
        "--port",
        "0",
        "--record",
        str(record),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), 20)).decode().strip()
        assert first.startswith("PORT ")
        port = int(first.split()[1])
        client = AsyncWebClient(token=DEFAULT_TOKEN, base_url=f"http://127.0.0.1:{port}/api/")
        await client.chat_postMessage(channel="C1", text="hello")
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel="C1", text="too soon")
        assert json.loads(record.read_text(encoding="utf-8"))["text"] == "hello"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0
    assert "accepted 1 rejected 1" in stderr.decode()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], dict[str, Any]]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status = int(head.split(" ")[1])
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in head.split("\r\n")[1:] if line)
    }
    payload = json.loads(await reader.readexactly(int(headers["content-length"])))
    assert isinstance(payload, dict)
    return status, headers, payload
