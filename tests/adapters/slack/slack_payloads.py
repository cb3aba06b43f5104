"""What Slack sends an app: Events API bodies, slash commands and interaction payloads, signed
the way Slack signs them, posted to the bot's /slack/events over loopback."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.adapters.slack.fake_slack import APP_ID, BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "test-signing-secret"
GENERAL = "C0GENERAL"  # monitored
RANDOM = "C0RANDOM"  # not monitored
MODS = "C0MODS"  # the moderators' channel
ALICE = "U0ALICE"  # a member
MOD = "U0MOD"  # a workspace admin
GROUP_MOD = "U0GROUPMOD"  # in the moderators' user group
MOD_GROUP = "S0MODS"

_ids = itertools.count(1)


def next_ts() -> str:
    return f"1700001000.{next(_ids):06d}"


def message_event(
    text: str,
    *,
    channel: str = GENERAL,
    user: str = ALICE,
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts or next_ts(),
        "team": TEAM_ID,
        "channel_type": "channel",
        **extra,
    }
    event["event_ts"] = event["ts"]
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def edited_event(
    old: dict[str, Any], new_text: str, *, subtype: str | None = None
) -> dict[str, Any]:
    new = {key: value for key, value in old.items() if key not in ("channel", "event_ts")}
    new["text"] = new_text
    new["edited"] = {"user": old["user"], "ts": next_ts()}
    if subtype is not None:
        new["subtype"] = subtype
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": old["channel"],
        "channel_type": "channel",
        "message": new,
        "previous_message": {k: v for k, v in old.items() if k != "channel"},
        "ts": next_ts(),
        "event_ts": next_ts(),
    }


def deleted_event(old: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": old["channel"],
        "channel_type": "channel",
        "deleted_ts": old["ts"],
        "previous_message": {k: v for k, v in old.items() if k != "channel"},
        "ts": next_ts(),
        "event_ts": next_ts(),
    }


def event_body(
    event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM_ID
) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
        ],
        "is_ext_shared_channel": False,
    }


def command_body(
    command: str,
    text: str,
    *,
    response_url: str,
    user: str = ALICE,
    channel: str = GENERAL,
    team: str = TEAM_ID,
) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"trigger.{next(_ids)}",
    }


def block_action(
    action_id: str,
    value: str,
    *,
    message: dict[str, Any],
    channel: str,
    response_url: str,
    user: str = MOD,
    team: str = TEAM_ID,
    ephemeral: bool = False,
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": f"trigger.{next(_ids)}",
        "channel": {"id": channel, "name": "channel"},
        "message": message,
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "block",
                "value": value,
                "type": "button",
                "action_ts": str(time.time()),
            }
        ],
    }


def message_shortcut(
    message: dict[str, Any], *, response_url: str, user: str = ALICE, team: str = TEAM_ID
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": "check_message",
        "trigger_id": f"trigger.{next(_ids)}",
        "team": {"id": team, "domain": "test"},
        "channel": {"id": message.get("channel", GENERAL), "name": "general"},
        "user": {"id": user, "name": user.lower(), "team_id": team},
        "message": {k: v for k, v in message.items() if k != "channel"},
        "message_ts": message["ts"],
        "response_url": response_url,
        "action_ts": str(time.time()),
        "token": "legacy-verification-token",
    }


def view_submission(
    values: dict[str, Any], *, private_metadata: str, user: str = MOD, team: str = TEAM_ID
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": f"trigger.{next(_ids)}",
        "view": {
            "id": "V0SETUP",
            "team_id": team,
            "type": "modal",
            "callback_id": "claimwatch_setup",
            "private_metadata": private_metadata,
            "state": {"values": values},
            "app_id": APP_ID,
        },
    }


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


@dataclass(frozen=True)
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class SlackSender:
    """Slack's side of HTTP mode: signed POSTs to one bot's /slack/events."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self.url = url

    async def post(
        self,
        body: str,
        *,
        content_type: str,
        headers: dict[str, str] | None = None,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
    ) -> Answer:
        sent = {
            "Content-Type": content_type,
            **signed_headers(body, secret=secret, timestamp=timestamp),
            **(headers or {}),
        }
        async with self._session.post(self.url, data=body.encode(), headers=sent) as response:
            return Answer(response.status, await response.text())

    async def event(self, body: dict[str, Any], *, retry_num: int | None = None) -> Answer:
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "timeout"}
        return await self.post(json.dumps(body), content_type="application/json", headers=headers)

    async def command(self, body: dict[str, str]) -> Answer:
        return await self.post(urlencode(body), content_type="application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any]) -> Answer:
        form = urlencode({"payload": json.dumps(payload)})
        return await self.post(form, content_type="application/x-www-form-urlencoded")
