"""deploy/slack-manifest.yaml asks Slack for exactly what the code uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.adapters.slack import BOT_SCOPES
from bot.adapters.slack._bot import ADMIN_COMMAND, CHECK_MESSAGE_CALLBACK, FACTCHECK_COMMAND

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack-manifest.yaml"


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def test_the_manifest_requests_the_scopes_the_oauth_flow_requests() -> None:
    assert manifest()["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


def test_the_manifest_declares_the_commands_and_the_shortcut() -> None:
    features = manifest()["features"]

    commands = {c["command"]: c for c in features["slash_commands"]}
    assert set(commands) == {FACTCHECK_COMMAND, ADMIN_COMMAND}
    assert commands[ADMIN_COMMAND]["should_escape"] is True  # channels as <#C…|name>
    (shortcut,) = features["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", CHECK_MESSAGE_CALLBACK)


def test_the_manifest_subscribes_to_channel_messages_and_uninstalls() -> None:
    settings = manifest()["settings"]

    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "message.channels",
        "message.groups",
        "channel_deleted",
        "group_deleted",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True  # the default mode needs no public URL
