"""/factcheck, the "Check this message" shortcut, sharing, and /claimwatch with its setup modal."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from bot.core.models import GuildConfig
from bot.errors import StorageError
from tests.adapters.slack.conftest import OTHER_WORKSPACE_GROUP, Harness
from tests.adapters.slack.fake_slack import TEAM_ID, Call
from tests.adapters.slack.slack_payloads import (
    ALICE,
    GENERAL,
    GROUP_MOD,
    MOD,
    MOD_GROUP,
    MODS,
    RANDOM,
    block_action,
    command_body,
    event_body,
    message_event,
    message_shortcut,
    view_submission,
)

CLAIM = "Zelensky is a dictator who cancelled the elections"


def all_text(call: Call) -> str:
    return json.dumps(call.params, ensure_ascii=False)


def share_value(call: Call) -> str:
    for block in call.params.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("action_id") == "claimwatch_share":
                return str(element["value"])
    raise AssertionError("no share button")


def share_action(
    slack: Harness, answer: Call, *, blocks: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A click on "Share in channel" under the private answer `answer` (its blocks unless
    others are given); what the bot says back goes to the response URL hooked "share"."""
    message = {
        "type": "message",
        "ts": "1700000999.000001",
        "blocks": answer.params["blocks"] if blocks is None else blocks,
    }
    return block_action(
        "claimwatch_share",
        share_value(answer),
        message=message,
        channel=GENERAL,
        response_url=slack.fake.response_url("share"),
        user=ALICE,
        ephemeral=True,
    )


async def command(
    slack: Harness, name: str, text: str, *, user: str = ALICE, channel: str = GENERAL
) -> Call:
    """Run a slash command; the one answer it sent to its response URL."""
    body = command_body(
        name, text, response_url=slack.fake.response_url(), user=user, channel=channel
    )
    answer = await slack.send.command(body)
    await slack.settle()
    assert answer.status == 200
    assert answer.text == ""  # acknowledged at once; the answer follows on the response URL
    responses = [
        c for c in slack.fake.calls_to("response_url") if c.params["hook"] in body["response_url"]
    ]
    assert len(responses) <= 1
    return responses[0] if responses else Call("none", {}, None, 0.0)


# --- /factcheck ---------------------------------------------------------------------------------


async def test_factcheck_answers_privately_with_verdict_context_and_sources(
    slack: Harness,
) -> None:
    answer = await command(slack, "/factcheck", CLAIM)

    assert answer.params["response_type"] == "ephemeral"
    shown = all_text(answer)
    assert "Misleading" in shown
    assert "martial law" in shown
    assert "zakon.rada.gov.ua" in shown
    assert "Share in channel" in shown
    assert slack.fake.calls_to("chat.postMessage") == []  # nothing public yet


async def test_factcheck_of_chatter_says_nothing_matched(slack: Harness) -> None:
    answer = await command(slack, "/factcheck", "what a lovely day")

    assert answer.params["response_type"] == "ephemeral"
    assert "Nothing in the fact base matches" in all_text(answer)
    assert "Share in channel" not in all_text(answer)


async def test_factcheck_without_text_explains_itself(slack: Harness) -> None:
    answer = await command(slack, "/factcheck", "   ")

    assert "Usage" in answer.params["text"]


async def test_sharing_a_factcheck_posts_it_in_the_channel(slack: Harness) -> None:
    answer = await command(slack, "/factcheck", CLAIM, channel=GENERAL)
    payload = share_action(slack, answer)

    assert (await slack.send.interaction(payload)).status == 200
    await slack.settle()

    (shared,) = slack.fake.posts(GENERAL)
    assert "thread_ts" not in shared.params or shared.params["thread_ts"] is None
    assert "Misleading" in all_text(shared)
    assert "claimwatch_feedback" not in all_text(shared)
    (cleanup,) = [c for c in slack.fake.calls_to("response_url") if c.params["hook"] == "share"]
    assert cleanup.params["delete_original"] is True


async def test_sharing_where_the_bot_is_not_a_member_gives_advice(slack: Harness) -> None:
    answer = await command(slack, "/factcheck", CLAIM)
    payload = share_action(slack, answer, blocks=[])
    slack.fake.fail("chat.postMessage", "not_in_channel")
    await slack.send.interaction(payload)
    await slack.settle()

    (advice,) = [c for c in slack.fake.calls_to("response_url") if c.params["hook"] == "share"]
    assert "/invite" in advice.params["text"]


async def test_factcheck_and_sharing_answer_in_english_while_the_database_is_down(
    slack: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.service.update_config("slack", TEAM_ID, language="ru")

    async def database_down(platform: str, server_id: str) -> GuildConfig:
        raise StorageError("database unreachable")

    monkeypatch.setattr(slack.store, "get_config", database_down)
    with caplog.at_level(logging.WARNING, logger="bot"):
        answer = await command(slack, "/factcheck", CLAIM, channel=GENERAL)
        # The check needs no database: the verdict, in English, not "something went wrong".
        assert answer.params["text"].startswith("Fact check · Misleading")
        assert "Share in channel" in all_text(answer)
        payload = share_action(slack, answer)
        assert (await slack.send.interaction(payload)).status == 200
        await slack.settle()

    (shared,) = slack.fake.posts(GENERAL)
    assert shared.params["text"].startswith("Fact check · Misleading")
    assert any("answering in English" in r.getMessage() for r in caplog.records)
    errors = slack.metrics.counter("claimwatch_slack_errors_total", "")
    assert errors.value(kind="StorageError") == 0


# --- "Check this message" ---------------------------------------------------------------------


async def test_the_message_shortcut_checks_that_message_privately(slack: Harness) -> None:
    message = message_event(CLAIM, channel=RANDOM)
    url = slack.fake.response_url("shortcut")

    answer = await slack.send.interaction(message_shortcut(message, response_url=url))
    await slack.settle()

    assert answer.status == 200
    (private,) = slack.fake.calls_to("response_url")
    assert private.params["response_type"] == "ephemeral"
    assert "Misleading" in all_text(private)
    # Shared from a shortcut, the fact check goes under the message it is about.
    value = json.loads(share_value(private))
    assert value["thread_ts"] == message["ts"]


# --- /claimwatch --------------------------------------------------------------------------------


async def test_members_are_refused_politely(slack: Harness) -> None:
    before = await slack.service.get_config("slack", TEAM_ID)

    answer = await command(slack, "/claimwatch", "disable", user=ALICE)

    assert answer.params["response_type"] == "ephemeral"
    assert "Only workspace admins and claimwatch moderators" in answer.params["text"]
    assert await slack.service.get_config("slack", TEAM_ID) == before


async def test_admins_change_settings_with_text_commands(slack: Harness) -> None:
    await command(slack, "/claimwatch", "mode moderators-only", user=MOD)
    await command(slack, "/claimwatch", f"channels add <#{RANDOM}|random>", user=MOD)
    await command(slack, "/claimwatch", "threshold alert 80", user=MOD)
    await command(slack, "/claimwatch", "cooldown user 10m", user=MOD)
    answer = await command(slack, "/claimwatch", "log off", user=MOD)

    config = await slack.service.get_config("slack", TEAM_ID)
    assert config.reply_mode.value == "moderators-only"
    assert config.monitored_channels == {GENERAL, RANDOM}
    assert config.alert_threshold == 80
    assert config.user_cooldown_s == 600
    assert config.log_channel is None
    assert answer.params["text"] == "Saved."


async def test_two_moderators_adding_channels_at_once_both_keep_theirs(slack: Harness) -> None:
    await asyncio.gather(
        command(slack, "/claimwatch", f"channels add <#{RANDOM}|random>", user=MOD),
        command(slack, "/claimwatch", "channels add <#C0NEWS|news>", user=GROUP_MOD),
    )
    await command(slack, "/claimwatch", f"channels remove <#{GENERAL}|general>", user=MOD)

    config = await slack.service.get_config("slack", TEAM_ID)
    assert config.monitored_channels == {RANDOM, "C0NEWS"}


async def test_members_of_the_moderator_group_may_moderate(slack: Harness) -> None:
    await command(slack, "/claimwatch", "disable", user=GROUP_MOD)

    assert (await slack.service.get_config("slack", TEAM_ID)).enabled is False
    # The group of another workspace was asked first, and Slack did not know it.
    asked = [c.params["usergroup"] for c in slack.fake.calls_to("usergroups.users.list")]
    assert asked == [OTHER_WORKSPACE_GROUP, MOD_GROUP]


async def test_group_members_may_moderate_even_when_users_cannot_be_looked_up(
    slack: Harness,
) -> None:
    slack.fake.fail("users.info", "missing_scope")  # an app installed before users:read

    await command(slack, "/claimwatch", "disable", user=GROUP_MOD)

    assert (await slack.service.get_config("slack", TEAM_ID)).enabled is False


CHECKERS = "S0CHECKERS"  # a user group the workspace may make a moderators' group
CHECKER = "U0CHECKER"


async def test_members_of_a_group_the_workspace_chose_may_moderate(slack: Harness) -> None:
    slack.fake.add_user(CHECKER)
    slack.fake.usergroups[CHECKERS] = [CHECKER]
    refused = await command(slack, "/claimwatch", "disable", user=CHECKER)
    assert "Only workspace admins and claimwatch moderators" in refused.params["text"]

    saved = await command(
        slack, "/claimwatch", f"moderators add <!subteam^{CHECKERS}|@checkers>", user=MOD
    )

    assert f"`{CHECKERS}`" in saved.params["text"]
    assert "subteam" not in all_text(saved)  # shown by id: a group mention would notify them
    assert (await slack.service.get_config("slack", TEAM_ID)).moderator_roles == {CHECKERS}
    await command(slack, "/claimwatch", "disable", user=CHECKER)
    assert (await slack.service.get_config("slack", TEAM_ID)).enabled is False
    status = await command(slack, "/claimwatch", "status", user=CHECKER)
    assert f"Moderators: workspace admins and owners; members of `{CHECKERS}`" in all_text(status)
    assert OTHER_WORKSPACE_GROUP not in all_text(status)  # the operator's list spans workspaces

    await command(slack, "/claimwatch", f"moderators remove {CHECKERS}", user=MOD)
    again = await command(slack, "/claimwatch", "enable", user=CHECKER)
    assert "Only workspace admins and claimwatch moderators" in again.params["text"]


async def test_a_group_moderator_cannot_change_who_moderates(slack: Harness) -> None:
    before = await slack.service.get_config("slack", TEAM_ID)

    for text in (f"moderators add {CHECKERS}", f"moderators remove {MOD_GROUP}"):
        answer = await command(slack, "/claimwatch", text, user=GROUP_MOD)
        assert answer.params["text"].startswith("Only workspace admins and owners can change")
        assert "cannot give moderator rights to others" in answer.params["text"]

    assert await slack.service.get_config("slack", TEAM_ID) == before
    listed = await command(slack, "/claimwatch", "moderators", user=GROUP_MOD)
    assert "workspace admins and owners" in listed.params["text"]


async def test_a_moderator_group_must_be_a_user_group(slack: Harness) -> None:
    answer = await command(slack, "/claimwatch", "moderators add @mods", user=MOD)

    assert "is not a user group" in answer.params["text"]
    assert (await slack.service.get_config("slack", TEAM_ID)).moderator_roles == frozenset()


async def test_out_of_bounds_values_are_refused_with_the_reason(slack: Harness) -> None:
    answer = await command(slack, "/claimwatch", "threshold alert 10", user=MOD)

    assert answer.params["text"].startswith("Not changed: alert_threshold")
    assert (await slack.service.get_config("slack", TEAM_ID)).alert_threshold is None


async def test_a_slack_failure_gets_a_short_apology_and_is_counted(slack: Harness) -> None:
    slack.fake.fail("views.open", "expired_trigger_id")

    answer = await command(slack, "/claimwatch", "setup", user=MOD)

    assert answer.params["text"].startswith("Sorry, something went wrong")
    errors = slack.metrics.counter("claimwatch_slack_errors_total", "")
    assert errors.value(kind="SlackApiError") == 1


@pytest.mark.parametrize(
    "text",
    [
        "mode <!channel>",  # a bad value, quoted back by the service
        "<!here> everyone",  # an unknown command, quoted back by the parser
        "channels add <@U0BOSS>",  # not a channel
        "log &lt;!channel&gt;",  # typed as text, escaped by Slack
    ],
)
async def test_errors_quote_the_text_back_without_pinging_anyone(slack: Harness, text: str) -> None:
    answer = await command(slack, "/claimwatch", text, user=MOD)

    shown = answer.params["text"]
    assert "<!" not in shown and "<@" not in shown
    assert "&lt;" in shown  # quoted, as text


async def test_unknown_commands_point_to_help(slack: Harness) -> None:
    answer = await command(slack, "/claimwatch", "explode", user=MOD)
    assert "/claimwatch help" in answer.params["text"]

    help_text = await command(slack, "/claimwatch", "help", user=MOD)
    assert "/claimwatch channels add" in help_text.params["text"]


async def test_status_shows_the_settings_and_the_queue(slack: Harness, borderline: str) -> None:
    await slack.send.event(event_body(message_event(borderline)))
    await slack.settle()

    answer = await command(slack, "/claimwatch", "status", user=MOD)

    shown = all_text(answer)
    assert f"<#{GENERAL}>" in shown
    assert f"<#{MODS}>" in shown
    assert "Waiting for moderators*: 1" in shown


async def test_status_warns_about_channels_the_bot_was_not_invited_to(slack: Harness) -> None:
    slack.fake.channels[RANDOM] = False  # watched, but nobody invited the bot
    gone = "C0DELETED"

    answer = await command(
        slack, "/claimwatch", f"channels add <#{RANDOM}|random> <#{gone}|old>", user=MOD
    )

    (warnings,) = [
        block["text"]["text"]
        for block in answer.params["blocks"]
        if "⚠️" in block.get("text", {}).get("text", "")
    ]
    assert f"claimwatch is not in <#{RANDOM}>" in warnings and "/invite @claimwatch" in warnings
    assert f"<#{gone}> is gone" in warnings
    assert f"<#{GENERAL}>" not in warnings and f"<#{MODS}>" not in warnings


async def test_status_without_problems_shows_no_warning(slack: Harness) -> None:
    answer = await command(slack, "/claimwatch", "status", user=MOD)

    assert "⚠️" not in all_text(answer)
    checked = {c.params["channel"] for c in slack.fake.calls_to("conversations.info")}
    assert checked == {GENERAL, MODS}  # the watched channels and the log channel


async def test_status_of_an_app_without_channels_read_skips_the_check(slack: Harness) -> None:
    slack.fake.fail("conversations.info", "missing_scope")

    answer = await command(slack, "/claimwatch", "status", user=MOD)

    assert "⚠️" not in all_text(answer)
    assert "*Channels*" in all_text(answer)


async def test_stats_count_what_the_bot_did(slack: Harness) -> None:
    await slack.send.event(event_body(message_event(CLAIM)))
    await slack.settle()

    answer = await command(slack, "/claimwatch", "stats", user=MOD)

    assert "*Alerts*: 1" in all_text(answer)


async def test_forget_asks_first_then_deletes_everything(slack: Harness) -> None:
    asked = await command(slack, "/claimwatch", "forget", user=MOD)
    assert (await slack.service.get_config("slack", TEAM_ID)).monitored_channels  # not yet

    payload = block_action(
        "claimwatch_forget",
        "confirm",
        message={"type": "message", "ts": "1.2", "blocks": asked.params["blocks"]},
        channel=GENERAL,
        response_url=slack.fake.response_url("forget"),
        user=MOD,
        ephemeral=True,
    )
    await slack.send.interaction(payload)
    await slack.settle()

    assert (await slack.service.get_config("slack", TEAM_ID)).monitored_channels == frozenset()
    (done,) = [c for c in slack.fake.calls_to("response_url") if c.params["hook"] == "forget"]
    assert "deleted" in done.params["text"]


async def test_a_member_cannot_press_forget(slack: Harness) -> None:
    payload = block_action(
        "claimwatch_forget",
        "confirm",
        message={"type": "message", "ts": "1.2", "blocks": []},
        channel=GENERAL,
        response_url=slack.fake.response_url(),
        user=ALICE,
        ephemeral=True,
    )
    await slack.send.interaction(payload)
    await slack.settle()

    assert (await slack.service.get_config("slack", TEAM_ID)).monitored_channels == {GENERAL}


# --- the setup modal ---------------------------------------------------------------------------


async def open_setup(slack: Harness) -> dict[str, Any]:
    await command(slack, "/claimwatch", "", user=MOD)
    (opened,) = slack.fake.calls_to("views.open")
    view: dict[str, Any] = opened.params["view"]
    return view


def submitted(view: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The state Slack would send back for the modal's initial values, with `overrides`."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block["element"]
        name = block["block_id"]
        kind = element["type"]
        if kind == "checkboxes":
            state = {"type": kind, "selected_options": element.get("initial_options", [])}
        elif kind == "multi_conversations_select":
            state = {
                "type": kind,
                "selected_conversations": element.get("initial_conversations", []),
            }
        elif kind == "conversations_select":
            state = {"type": kind, "selected_conversation": element.get("initial_conversation")}
        elif kind == "static_select":
            state = {"type": kind, "selected_option": element.get("initial_option")}
        else:
            state = {"type": kind, "value": element.get("initial_value")}
        if name in overrides:
            state.update(overrides[name])
        values[name] = {name: state}
    return values


async def test_the_setup_modal_opens_with_the_current_settings(slack: Harness) -> None:
    view = await open_setup(slack)

    assert view["callback_id"] == "claimwatch_setup"
    blocks = {block["block_id"]: block["element"] for block in view["blocks"]}
    assert blocks["monitored_channels"]["initial_conversations"] == [GENERAL]
    assert blocks["log_channel"]["initial_conversation"] == MODS
    assert blocks["reply_mode"]["initial_option"]["value"] == "thread"
    assert blocks["channel_cooldown_s"]["initial_value"] == "0"
    assert "initial_value" not in blocks["alert_threshold"]  # the calibrated default


async def test_submitting_the_setup_modal_saves_the_settings(slack: Harness) -> None:
    view = await open_setup(slack)
    values = submitted(
        view,
        monitored_channels={"selected_conversations": [GENERAL, RANDOM]},
        reply_mode={"selected_option": {"value": "reply"}},
        alert_threshold={"value": "85"},
        claim_cooldown_s={"value": "7200"},
    )

    answer = await slack.send.interaction(
        view_submission(values, private_metadata=view["private_metadata"], user=MOD)
    )
    await slack.settle()

    assert answer.status == 200
    assert answer.text == ""  # closes the modal
    config = await slack.service.get_config("slack", TEAM_ID)
    assert config.monitored_channels == {GENERAL, RANDOM}
    assert config.reply_mode.value == "reply"
    assert config.alert_threshold == 85
    assert config.claim_cooldown_s == 7200
    (saved,) = slack.fake.calls_to("chat.postEphemeral")
    assert saved.params["user"] == MOD
    assert saved.params["channel"] == GENERAL


async def test_a_bad_value_in_the_modal_is_shown_next_to_its_field(slack: Harness) -> None:
    view = await open_setup(slack)
    values = submitted(view, suggest_threshold={"value": "99"})  # above the alert threshold

    answer = await slack.send.interaction(
        view_submission(values, private_metadata=view["private_metadata"], user=MOD)
    )
    await slack.settle()

    body = answer.json()
    assert body["response_action"] == "errors"
    assert "suggest_threshold" in body["errors"]
    assert (await slack.service.get_config("slack", TEAM_ID)).suggest_threshold is None


async def test_a_member_cannot_submit_the_modal(slack: Harness) -> None:
    view = await open_setup(slack)
    values = submitted(view, enabled={"selected_options": []})

    answer = await slack.send.interaction(
        view_submission(values, private_metadata=view["private_metadata"], user=ALICE)
    )
    await slack.settle()

    assert answer.json()["response_action"] == "errors"
    assert (await slack.service.get_config("slack", TEAM_ID)).enabled is True


async def test_a_failure_while_saving_the_modal_keeps_it_open_with_an_apology(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = await open_setup(slack)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database down")

    monkeypatch.setattr(slack.service, "update_config", broken)
    answer = await slack.send.interaction(
        view_submission(submitted(view), private_metadata=view["private_metadata"], user=MOD)
    )
    await slack.settle()

    assert answer.status == 200
    assert answer.json()["errors"]["reply_mode"].startswith("Sorry, something went wrong")
