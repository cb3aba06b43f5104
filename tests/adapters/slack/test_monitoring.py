"""Passive monitoring: what the channel and the moderators see for claims, borderline matches,
edits and deletions, and that nobody is ever pinged."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from bot.adapters.slack._blocks import escape
from tests.adapters.slack.conftest import Harness
from tests.adapters.slack.fake_slack import TEAM_ID, Call
from tests.adapters.slack.slack_payloads import (
    ALICE,
    GENERAL,
    MOD,
    MODS,
    RANDOM,
    block_action,
    deleted_event,
    edited_event,
    event_body,
    message_event,
)

CLAIM = "Zelensky is a dictator who cancelled the elections"
OTHER_CLAIM = "The US runs secret biolabs in Ukraine, everyone knows it"
CHATTER = "I had pizza for dinner"


def texts_of(blocks: list[dict[str, Any]]) -> str:
    """Every string inside the blocks, for "is it shown anywhere" assertions."""
    return json.dumps(blocks, ensure_ascii=False)


def buttons(call: Call) -> dict[str, str]:
    """action_id -> value of every button in a posted message."""
    found: dict[str, str] = {}
    for block in call.params["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[element["action_id"]] = element["value"]
    return found


async def say(slack: Harness, event: dict[str, Any]) -> None:
    answer = await slack.send.event(event_body(event))
    assert answer.status == 200
    await slack.settle()


async def test_a_confident_claim_gets_a_threaded_block_kit_reply(slack: Harness) -> None:
    event = message_event(CLAIM)

    await say(slack, event)

    (reply,) = slack.fake.posts(GENERAL)
    params = reply.params
    assert params["thread_ts"] == event["ts"]
    assert params["reply_broadcast"] is False
    blocks = params["blocks"]
    assert blocks[0]["type"] == "header"
    assert "Misleading" in blocks[0]["text"]["text"]
    shown = texts_of(blocks)
    assert "martial law" in shown  # the context
    assert "<https://zakon.rada.gov.ua/laws/show/389-19|" in shown  # a source, as a link
    assert f"Confidence {round(slack.service.check(CLAIM).score)}%" in shown
    assert set(buttons(reply)) == {
        "claimwatch_feedback_helpful",
        "claimwatch_feedback_not_helpful",
        "claimwatch_feedback_wrong_claim",
    }
    assert params["unfurl_links"] is False


async def test_the_log_channel_hears_about_every_reply(slack: Harness) -> None:
    await say(slack, message_event(CLAIM))

    (entry,) = slack.fake.posts(MODS)
    assert "zelensky-dictator" in texts_of(entry.params["blocks"])
    assert "<#C0GENERAL>" in texts_of(entry.params["blocks"])


async def test_a_reply_in_a_thread_stays_in_that_thread(slack: Harness) -> None:
    parent = "1700000000.000001"

    await say(slack, message_event(CLAIM, thread_ts=parent))

    (reply,) = slack.fake.posts(GENERAL)
    assert reply.params["thread_ts"] == parent


async def test_reply_mode_also_shows_the_reply_in_the_channel(slack: Harness) -> None:
    await slack.service.update_config("slack", TEAM_ID, reply_mode="reply")

    await say(slack, message_event(CLAIM))

    (reply,) = slack.fake.posts(GENERAL)
    assert reply.params["reply_broadcast"] is True


async def test_channels_the_moderators_did_not_enable_are_left_alone(slack: Harness) -> None:
    await say(slack, message_event(CLAIM, channel=RANDOM))

    assert slack.fake.bot_calls() == []


async def test_chatter_bots_and_channel_joins_get_nothing(slack: Harness) -> None:
    await say(slack, message_event(CHATTER))
    await say(slack, message_event(CLAIM, user="", bot_id="BOTHER", subtype="bot_message"))
    await say(slack, message_event(CLAIM, subtype="channel_join"))

    assert slack.fake.bot_calls() == []


async def test_a_message_in_a_direct_conversation_is_not_monitored(slack: Harness) -> None:
    await say(slack, message_event(CLAIM, channel_type="im"))

    assert slack.fake.bot_calls() == []


async def test_a_borderline_match_goes_to_the_moderators_with_reply_and_dismiss(
    slack: Harness, borderline: str
) -> None:
    await say(slack, message_event(borderline))

    assert slack.fake.posts(GENERAL) == []
    (queued,) = slack.fake.posts(MODS)
    assert set(buttons(queued)) == {"claimwatch_approve", "claimwatch_dismiss"}
    shown = texts_of(queued.params["blocks"])
    assert escape(borderline) in shown  # moderators see what was said
    assert f"<#{GENERAL}>" in shown  # ... and where


def queued_message(slack: Harness) -> dict[str, Any]:
    """The moderators' message as Slack would send it back in a block action."""
    for (channel, ts), message in slack.fake.messages.items():
        if channel == MODS:
            return {"type": "message", "ts": ts, "blocks": message["blocks"], "text": ""}
    raise AssertionError("nothing was posted to the moderators")


async def click(
    slack: Harness, action_id: str, value: str, *, user: str = MOD, channel: str = MODS
) -> None:
    message = queued_message(slack)
    payload = block_action(
        action_id,
        value,
        message=message,
        channel=channel,
        response_url=slack.fake.response_url(),
        user=user,
    )
    answer = await slack.send.interaction(payload)
    assert answer.status == 200
    await slack.settle()


async def test_a_moderator_clicking_reply_posts_the_reply_in_the_thread(
    slack: Harness, borderline: str
) -> None:
    event = message_event(borderline)
    await say(slack, event)
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]

    await click(slack, "claimwatch_approve", queue_id)

    (reply,) = slack.fake.posts(GENERAL)
    assert reply.params["thread_ts"] == event["ts"]
    assert "Fact check" in reply.params["blocks"][0]["text"]["text"]
    (update,) = slack.fake.calls_to("chat.update")
    assert update.params["channel"] == MODS
    assert "Approved by u0mod: reply posted." in update.params["text"]
    # The buttons are gone, so nobody approves it twice.
    assert all(block["type"] != "actions" for block in update.params["blocks"])


async def test_a_moderator_clicking_dismiss_posts_nothing_in_the_channel(
    slack: Harness, borderline: str
) -> None:
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_dismiss"]

    await click(slack, "claimwatch_dismiss", queue_id)

    assert slack.fake.posts(GENERAL) == []
    (update,) = slack.fake.calls_to("chat.update")
    assert "Dismissed by u0mod" in update.params["text"]
    assert await slack.service.pending("slack", TEAM_ID) == []


async def test_a_second_click_on_a_handled_item_changes_nothing(
    slack: Harness, borderline: str
) -> None:
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]

    await click(slack, "claimwatch_approve", queue_id)
    await click(slack, "claimwatch_approve", queue_id)

    assert len(slack.fake.posts(GENERAL)) == 1
    assert "already handled" in slack.fake.calls_to("chat.update")[-1].params["text"]


async def test_approving_a_message_deleted_meanwhile_says_so(
    slack: Harness, borderline: str
) -> None:
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]
    slack.fake.fail("chat.postMessage", "thread_not_found")

    await click(slack, "claimwatch_approve", queue_id)

    (update,) = slack.fake.calls_to("chat.update")
    assert "deleted meanwhile" in update.params["text"]


def not_invited(slack: Harness) -> None:
    slack.fake.channels[GENERAL] = False  # the app was removed from the channel


def left_private(slack: Harness) -> None:
    del slack.fake.channels[GENERAL]  # private and without the app: Slack says "not found"


def archived(slack: Harness) -> None:
    slack.fake.archived.add(GENERAL)


@pytest.mark.parametrize(
    ("lose_channel", "error", "advice"),
    [
        (not_invited, "not_in_channel", "Invite it there with `/invite @claimwatch`"),
        (left_private, "channel_not_found", "Invite it there with `/invite @claimwatch`"),
        (archived, "is_archived", None),
    ],
)
async def test_reply_where_the_app_may_not_post_keeps_the_item_queued_and_says_why(
    slack: Harness,
    borderline: str,
    lose_channel: Callable[[Harness], None],
    error: str,
    advice: str | None,
) -> None:
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]
    lose_channel(slack)

    await click(slack, "claimwatch_approve", queue_id)

    (answer,) = slack.fake.calls_to("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert answer.params["replace_original"] is False
    text = answer.params["text"]
    assert text.startswith(f"claimwatch may not post in <#{GENERAL}> ({error}): nothing was posted")
    assert (advice in text) if advice else ("/invite" not in text)
    assert slack.fake.posts(GENERAL) == []
    assert slack.fake.calls_to("chat.update") == []  # the buttons stay for a later click
    (still,) = await slack.service.pending("slack", TEAM_ID)
    assert still.id == queue_id
    assert (await slack.service.stats("slack", TEAM_ID)).approved == 0


async def test_reply_after_the_app_is_invited_posts_and_resolves_the_item(
    slack: Harness, borderline: str
) -> None:
    event = message_event(borderline)
    await say(slack, event)
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]
    slack.fake.channels[GENERAL] = False
    await click(slack, "claimwatch_approve", queue_id)
    assert slack.fake.posts(GENERAL) == []

    slack.fake.channels[GENERAL] = True  # `/invite @claimwatch`
    await click(slack, "claimwatch_approve", queue_id)

    (reply,) = slack.fake.posts(GENERAL)
    assert reply.params["thread_ts"] == event["ts"]
    (update,) = slack.fake.calls_to("chat.update")
    assert update.params["text"] == "Approved by u0mod: reply posted."
    assert all(block["type"] != "actions" for block in update.params["blocks"])
    assert await slack.service.pending("slack", TEAM_ID) == []
    assert (await slack.service.stats("slack", TEAM_ID)).approved == 1


async def test_reply_without_a_membership_check_still_posts(
    slack: Harness, borderline: str
) -> None:
    # An app installed before channels:read was asked for cannot look; the post finds out.
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]
    slack.fake.fail("conversations.info", "missing_scope")

    await click(slack, "claimwatch_approve", queue_id)

    assert len(slack.fake.posts(GENERAL)) == 1
    assert (
        "Approved by u0mod: reply posted." in slack.fake.calls_to("chat.update")[0].params["text"]
    )


@pytest.mark.parametrize("error", ["not_in_channel", "restricted_action"])
async def test_a_post_refused_after_the_check_passed_tells_the_moderators_what_happened(
    slack: Harness, borderline: str, error: str
) -> None:
    # Removed from the channel (or a posting restriction set) between the check and the post.
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]
    slack.fake.fail("chat.postMessage", error)

    await click(slack, "claimwatch_approve", queue_id)

    assert [ts for channel, ts in slack.fake.messages if channel == GENERAL] == []
    assert slack.fake.calls_to("response_url") == []  # no "something went wrong"
    (update,) = slack.fake.calls_to("chat.update")
    assert update.params["text"] == (
        f"Approved by u0mod, but claimwatch may not post in <#{GENERAL}> ({error}): "
        "nothing was posted."
    )


async def test_the_outcome_shows_a_moderators_name_as_text(slack: Harness, borderline: str) -> None:
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_dismiss"]
    payload = block_action(
        "claimwatch_dismiss",
        queue_id,
        message=queued_message(slack),
        channel=MODS,
        response_url=slack.fake.response_url(),
        user=MOD,
    )
    payload["user"]["name"] = "<!here> & co"

    assert (await slack.send.interaction(payload)).status == 200
    await slack.settle()

    (update,) = slack.fake.calls_to("chat.update")
    assert update.params["text"] == "Dismissed by &lt;!here&gt; &amp; co."
    assert update.params["blocks"][-1]["elements"][0]["text"] == update.params["text"]


async def test_a_button_from_another_workspace_approves_nothing(
    slack: Harness, borderline: str
) -> None:
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]
    payload = block_action(
        "claimwatch_approve",
        queue_id,
        message=queued_message(slack),
        channel=MODS,
        response_url=slack.fake.response_url(),
        team="T0OTHER",
    )

    assert (await slack.send.interaction(payload)).status == 200
    await slack.settle()

    assert slack.fake.posts(GENERAL) == []
    assert "already handled" in slack.fake.calls_to("chat.update")[0].params["text"]
    assert len(await slack.service.pending("slack", TEAM_ID)) == 1


async def test_members_cannot_approve_and_are_told_so_privately(
    slack: Harness, borderline: str
) -> None:
    await say(slack, message_event(borderline))
    queue_id = buttons(slack.fake.posts(MODS)[0])["claimwatch_approve"]

    await click(slack, "claimwatch_approve", queue_id, user=ALICE)

    assert slack.fake.posts(GENERAL) == []
    assert slack.fake.calls_to("chat.update") == []
    (refusal,) = slack.fake.calls_to("response_url")
    assert refusal.params["response_type"] == "ephemeral"
    assert "moderators" in refusal.params["text"]
    assert len(await slack.service.pending("slack", TEAM_ID)) == 1


async def test_replies_and_queue_items_mention_nobody_and_echo_no_markup(slack: Harness) -> None:
    # As Slack delivers them: mentions and links as markup, a typed "&" escaped.
    sneaky = f"<!channel> <@U0BOSS> {OTHER_CLAIM} &amp; <https://evil.example|click>"
    await say(slack, message_event("<!here> " + CLAIM + " <@U0BOSS>"))
    # Moderators-only: the second claim goes to the queue, quoted for the moderators.
    await slack.service.update_config("slack", TEAM_ID, reply_mode="moderators-only")
    await say(slack, message_event(sneaky))

    for call in slack.fake.calls_to("chat.postMessage"):
        shown = texts_of(call.params["blocks"]) + call.params["text"]
        for markup in ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS>", "<https://evil"):
            assert markup not in shown
        assert call.params["link_names"] is False  # never Slack's default, whatever it is
    queued = texts_of(slack.fake.posts(MODS)[-1].params["blocks"])
    assert "&lt;!channel&gt;" in queued  # shown to moderators as text, not as a ping
    assert "&amp;" in queued


async def test_an_edit_that_adds_a_claim_gets_a_reply(slack: Harness) -> None:
    original = message_event(CHATTER)
    await say(slack, original)

    await say(slack, edited_event(original, CLAIM))

    (reply,) = slack.fake.posts(GENERAL)
    assert reply.params["thread_ts"] == original["ts"]


async def test_an_edited_message_is_checked_again_only_once(slack: Harness) -> None:
    original = message_event(CHATTER)
    await say(slack, original)

    # The first edit is checked (still chatter); editing again to add a claim earns nothing,
    # so nobody can fish for replies by editing.
    await say(slack, edited_event(original, CHATTER + " with friends"))
    await say(slack, edited_event(original, CLAIM))

    assert slack.fake.bot_calls() == []


async def test_an_answered_message_edited_again_gets_no_second_reply(slack: Harness) -> None:
    original = message_event(CLAIM)
    await say(slack, original)

    await say(slack, edited_event(original, OTHER_CLAIM))

    assert len(slack.fake.posts(GENERAL)) == 1


async def test_link_previews_and_thread_counts_are_not_edits(slack: Harness) -> None:
    original = message_event(CHATTER)
    await say(slack, original)

    # Slack sends message_changed with the same text when it attaches a preview.
    await say(slack, edited_event(original, CHATTER))

    assert slack.fake.bot_calls() == []


async def test_deleting_a_message_deletes_the_bots_reply(slack: Harness) -> None:
    original = message_event(CLAIM)
    await say(slack, original)
    (reply,) = slack.fake.posts(GENERAL)

    await say(slack, deleted_event(original))

    (delete,) = slack.fake.calls_to("chat.delete")
    assert delete.params["channel"] == GENERAL
    assert (GENERAL, delete.params["ts"]) not in slack.fake.messages
    assert delete.params["ts"] != original["ts"]  # the reply, never the member's message
    assert reply.params["thread_ts"] == original["ts"]


async def test_a_deleted_thread_parent_counts_as_deleted(slack: Harness) -> None:
    original = message_event(CLAIM)
    await say(slack, original)

    await say(slack, edited_event(original, "This message was deleted.", subtype="tombstone"))

    assert len(slack.fake.calls_to("chat.delete")) == 1


async def test_deleting_a_message_the_bot_never_answered_deletes_nothing(slack: Harness) -> None:
    original = message_event(CHATTER)
    await say(slack, original)

    await say(slack, deleted_event(original))

    assert slack.fake.calls_to("chat.delete") == []


async def test_feedback_buttons_record_one_vote_per_person(slack: Harness) -> None:
    await say(slack, message_event(CLAIM))
    (reply,) = slack.fake.posts(GENERAL)
    ts = next(ts for (channel, ts) in slack.fake.messages if channel == GENERAL)
    message = {"type": "message", "ts": ts, "blocks": reply.params["blocks"]}

    for vote in ("not_helpful", "helpful"):  # a later vote replaces the earlier one
        payload = block_action(
            f"claimwatch_feedback_{vote}",
            vote,
            message=message,
            channel=GENERAL,
            response_url=slack.fake.response_url(),
            user=ALICE,
        )
        assert (await slack.send.interaction(payload)).status == 200
        await slack.settle()

    stats = await slack.service.stats("slack", TEAM_ID)
    assert stats.feedback == {"helpful": 1}
    thanks = slack.fake.calls_to("response_url")
    assert len(thanks) == 2
    assert all(t.params["response_type"] == "ephemeral" for t in thanks)
    assert all(t.params["replace_original"] is False for t in thanks)


async def test_a_deleted_channel_leaves_the_settings(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.service.update_config(
        "slack", TEAM_ID, monitored_channels=[GENERAL, RANDOM], ignored_channels=[RANDOM]
    )
    before = await slack.service.get_config("slack", TEAM_ID)

    with caplog.at_level(logging.INFO, logger="bot.adapters.slack"):
        await say(slack, {"type": "channel_deleted", "channel": "C0ELSEWHERE", "event_ts": "1.0"})
        assert await slack.service.get_config("slack", TEAM_ID) == before
        assert "dropped from its settings" not in caplog.text  # it was in none of them

        await say(slack, {"type": "channel_deleted", "channel": RANDOM, "event_ts": "1.1"})
        await say(slack, {"type": "group_deleted", "channel": MODS, "event_ts": "1.2"})

    config = await slack.service.get_config("slack", TEAM_ID)
    assert config.monitored_channels == {GENERAL}
    assert config.ignored_channels == frozenset()
    assert config.log_channel is None
    dropped = [r.getMessage() for r in caplog.records if "dropped from its settings" in r.message]
    assert len(dropped) == 2
    assert RANDOM in dropped[0] and MODS in dropped[1]
    assert slack.fake.bot_calls() == []
