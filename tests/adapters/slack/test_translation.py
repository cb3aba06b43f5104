"""Translation in both directions, without a network: Slack events to `IncomingMessage`, replies
to Block Kit, and the /claimwatch grammar."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack._admin import UsageError, parse_admin_command
from bot.adapters.slack._blocks import (
    SharedCheck,
    escape,
    reply_blocks,
    reply_fallback,
    unescape,
)
from bot.adapters.slack._bot import incoming_message
from bot.core.factbase import FactBase
from bot.core.models import FactEntry, Match, Source, Tier, Verdict
from bot.core.reply import reply_for

SLACK_MARKUP = re.compile(r"<[!@#]|<https?:")


@given(st.text())
def test_escaped_text_never_forms_slack_markup(text: str) -> None:
    escaped = escape(text)

    assert "<" not in escaped and ">" not in escaped
    assert unescape(escaped) == text


def test_incoming_messages_carry_the_text_people_typed() -> None:
    event = {
        "type": "message",
        "channel": "C1",
        "user": "U1",
        "text": "a &lt;b&gt; &amp;lt; c",
        "ts": "1700000000.000100",
        "thread_ts": "1700000000.000001",
        "channel_type": "channel",
    }

    msg = incoming_message(event, "T1")

    assert msg is not None
    assert msg.text == "a <b> &lt; c"
    assert (msg.platform, msg.server_id, msg.channel_id) == ("slack", "T1", "C1")
    assert msg.message_id == "1700000000.000100"
    assert msg.thread_id == "1700000000.000001"
    assert msg.created_at is not None and msg.created_at.year == 2023
    assert not msg.author_is_bot and not msg.is_direct


def test_bot_and_direct_messages_are_marked_for_the_policy() -> None:
    bot = incoming_message({"channel": "C1", "ts": "1.1", "bot_id": "B1", "text": "x"}, "T1")
    direct = incoming_message({"channel": "D1", "ts": "1.2", "channel_type": "im"}, "T1")

    assert bot is not None and bot.author_is_bot
    assert direct is not None and direct.is_direct
    assert incoming_message({"channel": "C1"}, "T1") is None


def hostile_entry() -> FactEntry:
    return FactEntry(
        id="hostile",
        claim="<!channel> claim",
        verdict=Verdict.FALSE,
        context="Says <!here> & <@U123> and <https://evil.example|click>",
        sources=(
            Source(publisher="A & B", title="Title <b>|pipe", url="https://ok.example/a?x=1&y=2"),
            Source(publisher="Bad", title="js", url="javascript:alert(1)"),
            Source(publisher="Odd", title="t", url="https://x.example/a>b|c d"),
        ),
        phrasings={"en": ("claim",)},
    )


def test_fact_base_text_cannot_ping_or_inject_links() -> None:
    content = reply_for(Match(entry=hostile_entry(), tier=Tier.ALERT, score=90))

    blocks = reply_blocks(content, feedback=True)
    shown = json.dumps(blocks, ensure_ascii=False) + reply_fallback(content)

    links = shown.replace("<https://ok.example", "").replace("<https://x.example", "")
    assert not SLACK_MARKUP.search(links)
    assert "<https://ok.example/a?x=1&amp;y=2|A &amp; B — Title &lt;b&gt;¦pipe>" in shown
    assert "javascript:" not in shown.replace("Bad — js", "")  # shown as text, never a link
    assert "<https://x.example/a%3Eb%7Cc%20d|Odd — t>" in shown


def test_the_share_button_value_round_trips_and_rejects_garbage() -> None:
    shared = SharedCheck(claim_id="zelensky-dictator", score=91.5, thread_ts="1.2")

    assert SharedCheck.decode(shared.encode()) == shared
    assert SharedCheck.decode("not json") is None
    assert SharedCheck.decode('{"claim": "x"}') is None
    assert SharedCheck.decode('{"claim": "x", "score": "nan"}') is None


def test_every_reply_fits_slacks_block_limits(factbase: FactBase) -> None:
    for entry in factbase:
        content = reply_for(Match(entry=entry, tier=Tier.ALERT, score=99))
        blocks = reply_blocks(content, feedback=True)
        assert len(blocks) <= 50
        assert len(blocks[0]["text"]["text"]) <= 150
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000


@pytest.mark.parametrize(
    ("text", "kind", "changes"),
    [
        ("", "setup", {}),
        ("setup", "setup", {}),
        ("status", "status", {}),
        ("Disable", "change", {"enabled": False}),
        ("mode reply", "change", {"reply_mode": "reply"}),
        ("threshold suggest default", "change", {"suggest_threshold": "default"}),
        ("cooldown claim 2h", "change", {"claim_cooldown_s": "2h"}),
        ("log <#C0MODS|mods>", "change", {"log_channel": "C0MODS"}),
        ("log off", "change", {"log_channel": None}),
    ],
)
def test_admin_commands_parse(text: str, kind: str, changes: dict[str, object]) -> None:
    parsed = parse_admin_command(text)

    assert parsed.kind == kind
    assert parsed.changes == changes


def test_channel_lists_take_escaped_channels_and_ids() -> None:
    parsed = parse_admin_command("channels add <#C0A|a> <#G0B> C0CCC")

    assert parsed.op == "add"
    assert parsed.channels == ("C0A", "G0B", "C0CCC")


@pytest.mark.parametrize(
    "text",
    ["channels add #general", "mode", "threshold loud 80", "cooldown forever 1", "stats now", "x"],
)
def test_bad_admin_commands_explain_the_usage(text: str) -> None:
    with pytest.raises(UsageError):
        parse_admin_command(text)
