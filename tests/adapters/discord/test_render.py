"""Renderings stay inside Discord's limits and say nothing they should not, whatever the input."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import discord
import yarl

from bot.adapters.discord import invite_url
from bot.adapters.discord._moderation import INVITE_PERMISSIONS
from bot.adapters.discord._render import (
    MAX_CONTENT_CHARS,
    MAX_EMBED_TOTAL_CHARS,
    MAX_FIELD_VALUE_CHARS,
    config_summary,
    escape_user_text,
    reply_embed,
    search_summary,
    suggestion_embed,
    thread_name,
)
from bot.core.factbase import FactBase
from bot.core.models import (
    Action,
    Decision,
    FactEntry,
    GuildConfig,
    IncomingMessage,
    Match,
    Source,
    Tier,
)
from bot.core.reply import reply_for

USER, ROLE = "<@123456789012345678>", "<@&876543210987654321>"
HOSTILE = f"@everyone {USER} {ROLE} **bold** `code` > quote"


def within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= MAX_EMBED_TOTAL_CHARS
    assert len(embed.title or "") <= 256 and len(embed.description or "") <= 4_096
    for field in embed.fields:
        assert 1 <= len(field.value or "") <= MAX_FIELD_VALUE_CHARS
        assert 1 <= len(field.name or "") <= 256


def huge_entry(factbase: FactBase) -> FactEntry:
    entry = next(iter(factbase))
    long_source = Source(
        publisher="P" * 400, title="T" * 900, url="https://example.org/" + "x" * 900
    )
    return replace(
        entry,
        context=("A very long context. " * 400) + HOSTILE,
        sources=(long_source,) * 5,
        as_of=dt.date(2025, 1, 1),
    )


def test_reply_embed_fits_discord_even_for_a_monstrous_entry(factbase: FactBase) -> None:
    content = reply_for(Match(entry=huge_entry(factbase), tier=Tier.ALERT, score=99.0))
    embed = reply_embed(content)
    within_limits(embed)
    assert "@everyone" not in (embed.description or "")


def test_thread_name_names_the_verdict_not_the_claim(factbase: FactBase) -> None:
    for entry in factbase:
        name = thread_name(reply_for(Match(entry=entry, tier=Tier.ALERT, score=90.0)))
        assert name.startswith("Fact check · ") and entry.claim not in name and len(name) <= 100


def test_suggestion_embed_escapes_and_shortens_the_message(factbase: FactBase) -> None:
    entry = next(iter(factbase))
    text = HOSTILE + " and then " + "on and on " * 300
    message = IncomingMessage(
        platform="discord",
        server_id="1",
        channel_id="2",
        message_id="3",
        author_id="4",
        text=text,
    )
    match = Match(entry=entry, tier=Tier.SUGGEST, score=70.0)
    decision = Decision(
        action=Action.SUGGEST, message=message, match=match, reason="borderline", queue_id="9"
    )
    embed = suggestion_embed(decision, reply_for(match), guild_id="1")
    within_limits(embed)
    excerpt = next(f.value for f in embed.fields if f.name == "Excerpt") or ""
    assert len(excerpt) < 200 and text not in excerpt  # never the whole post
    assert "@everyone" not in excerpt and USER not in excerpt and "\\*\\*bold" in excerpt


def test_escape_user_text_defuses_mentions_and_markdown() -> None:
    escaped = escape_user_text(HOSTILE)
    assert "@everyone" not in escaped and USER not in escaped and ROLE not in escaped
    assert "\\*\\*bold\\*\\*" in escaped and "\\`code\\`" in escaped


def test_long_lists_fit_in_one_message(factbase: FactBase) -> None:
    assert len(search_summary(list(factbase) * 20, HOSTILE * 10)) <= MAX_CONTENT_CHARS
    config = GuildConfig(monitored_channels=frozenset(str(10**17 + i) for i in range(300)))
    assert len(config_summary(config, problems=["x" * 300] * 20)) <= MAX_CONTENT_CHARS


def test_invite_link_asks_for_what_the_bot_uses_and_the_docs_say_so() -> None:
    url = yarl.URL(invite_url(42))
    assert url.query["scope"] == "bot applications.commands"
    permissions = discord.Permissions(int(url.query["permissions"]))
    assert permissions == INVITE_PERMISSIONS
    assert not (permissions.administrator or permissions.manage_messages)
    assert permissions.create_public_threads and permissions.embed_links
    for doc in ("docs/discord.md", "README.md"):
        text = (Path(__file__).parents[3] / doc).read_text(encoding="utf-8")
        assert f"scope=bot+applications.commands&permissions={permissions.value}" in text, doc
