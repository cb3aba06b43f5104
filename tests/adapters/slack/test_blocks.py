"""Block Kit built from the worst the fact base, the members and the moderators can supply still
fits Slack's limits, and what it cuts it cuts cleanly."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.adapters.slack._blocks import (
    SharedCheck,
    check_blocks,
    config_blocks,
    log_blocks,
    reply_blocks,
    setup_view,
    stats_blocks,
    suggestion_blocks,
)
from bot.core.models import (
    Action,
    Decision,
    FactEntry,
    GuildConfig,
    IncomingMessage,
    Match,
    Source,
    Tier,
    Verdict,
)
from bot.core.ports import ServerStats
from bot.core.reply import MAX_REPLY_SOURCES, reply_for
from tests.adapters.slack.block_kit import problems, view_problems

# "&" escapes to five characters: the text that grows most when made safe for mrkdwn.
# A run of them makes every cut land inside an entity unless the cut takes care.
AMPERSANDS = "&" * 2_000 + " war & peace" * 300
LONG_URL = "https://example.org/" + "a" * 1_000  # two of these fit one section, three do not
# An entity cut in half shows as "&am" in Slack; only whole ones may appear.
BROKEN_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
# A "<" that another "<" or the end of the text follows before its ">": a link cut in half.
UNCLOSED_LINK = re.compile(r"<[^>]*(?:<|$)")


def huge_entry(entry_id: str = "huge") -> FactEntry:
    return FactEntry(
        id=entry_id,
        claim=AMPERSANDS,
        verdict=Verdict.FALSE,
        context=AMPERSANDS,
        sources=tuple(
            Source(publisher="P & Co " * 50, title=f"<Title {n}> " * 100, url=LONG_URL)
            for n in range(MAX_REPLY_SOURCES)
        ),
        phrasings={"en": ("x",)},
    )


def texts(blocks: Any) -> list[str]:
    """Every mrkdwn and plain text string in the blocks."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def assert_clean_cuts(blocks: Any) -> None:
    for text in texts(blocks):
        assert not BROKEN_ENTITY.search(text), text[-40:]
        assert not UNCLOSED_LINK.search(text), text[-80:]


def huge_decision(action: Action = Action.SUGGEST) -> Decision:
    entry = huge_entry()
    msg = IncomingMessage(
        platform="slack",
        server_id="T1",
        channel_id="C1",
        message_id="1.1",
        author_id="U1",
        text="<!channel> " + AMPERSANDS,
    )
    return Decision(
        action=action,
        message=msg,
        match=Match(entry=entry, tier=Tier.SUGGEST, score=61),
        reason="because " + AMPERSANDS,
        queue_id="q-1",
    )


def test_a_reply_with_huge_context_and_sources_fits_and_keeps_links_whole() -> None:
    content = reply_for(Match(entry=huge_entry(), tier=Tier.ALERT, score=90))

    blocks = reply_blocks(content, feedback=True)

    assert problems(blocks) == []
    assert_clean_cuts(blocks)
    sources = next(b for b in blocks if b["type"] == "section" and "*Sources*" in b["text"]["text"])
    assert sources["text"]["text"].count("<https://") == 2  # whole links, as many as fit


def test_a_private_check_of_a_huge_entry_fits() -> None:
    match = Match(entry=huge_entry(), tier=Tier.SUGGEST, score=60)

    blocks = check_blocks(match, reply_for(match), thread_ts="1700000000.000001")

    assert problems(blocks) == []
    assert_clean_cuts(blocks)


def test_the_share_button_carries_the_longest_fact_base_id() -> None:
    entry = huge_entry("a" * 80)  # the fact base's id limit
    match = Match(entry=entry, tier=Tier.ALERT, score=99.5)

    blocks = check_blocks(match, reply_for(match), thread_ts="1700000000.000001")

    value = blocks[-1]["elements"][0]["value"]
    assert SharedCheck.decode(value) == SharedCheck(entry.id, 99.5, "1700000000.000001")


def test_a_queued_wall_of_text_fits_and_pings_nobody() -> None:
    blocks = suggestion_blocks(huge_decision(), permalink="https://test.slack.com/archives/C1/p1")

    assert problems(blocks) == []
    assert_clean_cuts(blocks)
    assert "<!channel>" not in json.dumps(blocks)


def test_a_log_line_with_a_long_reason_fits() -> None:
    blocks = log_blocks(huge_decision(Action.REPLY), reply_link=LONG_URL)

    assert problems(blocks) == []
    assert_clean_cuts(blocks)


def test_status_with_hundreds_of_channels_fits() -> None:
    channels = frozenset(f"C{n:09d}" for n in range(500))  # the settings' list limit
    config = GuildConfig(monitored_channels=channels, ignored_channels=channels)

    blocks = config_blocks(config, pending=3, default_alert=72, default_suggest=58)

    assert problems(blocks) == []
    assert_clean_cuts(blocks)


def test_stats_of_a_large_fact_base_show_the_busiest_claims() -> None:
    per_claim = {f"imported-claim-{n:05d}": n for n in range(5_000)}
    stats = ServerStats(
        alerts=5_000,
        suggestions=1,
        approved=1,
        dismissed=0,
        per_claim=per_claim,
        feedback={"helpful": 3},
        moderator_precision=1.0,
    )

    blocks = stats_blocks(stats)

    assert problems(blocks) == []
    shown = json.dumps(blocks)
    assert "imported-claim-04999: 4999" in shown
    assert "imported-claim-00001" not in shown
    assert "and 4990 more" in shown


def test_the_setup_modal_fits_with_every_list_full() -> None:
    channels = frozenset(f"C{n:09d}" for n in range(500))

    view = setup_view(
        GuildConfig(monitored_channels=channels, log_channel="C000000001"),
        private_metadata=json.dumps({"channel": "C000000001"}),
        default_alert=72,
        default_suggest=58,
        threshold_floor=(65, 50),
        cooldown_max_s=604_800,
    )

    assert view_problems(view) == []
