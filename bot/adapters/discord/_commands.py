"""Commands for everyone: `/factcheck`, `/facts search|show` and "Check this message".

Answers are ephemeral unless the user asks for a public one. Matching a long text runs in a
worker thread, and every answer goes through `_respond.answer`, which defers when work is slow.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord._context import Interaction, deps_of
from bot.adapters.discord._render import (
    entry_embed,
    escape_user_text,
    factcheck_text,
    reply_embed,
    search_summary,
)
from bot.adapters.discord._replies import server_language
from bot.adapters.discord._respond import Answer, answer
from bot.core.models import FactEntry, Tier
from bot.core.reply import DEFAULT_LANGUAGE, VERDICT_LABELS, labels_for, reply_for
from bot.core.service import INLINE_MATCH_MAX_CHARS, ClaimwatchService
from bot.errors import StorageError

__all__ = [
    "CHECK_MESSAGE_MENU",
    "MAX_FACTCHECK_CHARS",
    "FactsCommands",
    "build_commands",
]

log = logging.getLogger(__name__)

CHECK_MESSAGE_MENU = "Check this message"
MAX_FACTCHECK_CHARS = 2_000  # a chat message's length; longer pastes are articles, not claims
MAX_AUTOCOMPLETE_CHOICES = 25  # Discord's limit
MAX_CHOICE_NAME_CHARS = 100  # Discord's limit
SEARCH_RESULTS = 10


async def _answer_language(service: ClaimwatchService, guild_id: int | None) -> str:
    """The server's language for an answer that needs no database: English when the settings
    cannot be read, since a fact check must not fail because the store is down."""
    try:
        return await server_language(service, guild_id)
    except StorageError as exc:
        log.warning("cannot read server %s's language, answering in English: %s", guild_id, exc)
        return DEFAULT_LANGUAGE


async def check_text(service: ClaimwatchService, text: str, *, guild_id: int | None) -> Answer:
    """The answer to "is this a known claim?": the reply embed, or an honest "no match", in
    the server's language."""
    language = await _answer_language(service, guild_id)
    if len(text) > INLINE_MATCH_MAX_CHARS:
        match = await asyncio.to_thread(service.check, text)
    else:
        match = service.check(text)
    note = factcheck_text(match, entries=len(service.factbase), language=language)
    if match.entry is None or match.tier is Tier.NONE:
        return Answer(content=note)
    return Answer(content=note, embed=reply_embed(reply_for(match, language=language)))


def _choices(entries: list[FactEntry]) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(
            name=f"{entry.id} · {VERDICT_LABELS[entry.verdict]}"[:MAX_CHOICE_NAME_CHARS],
            value=entry.id,
        )
        for entry in entries[:MAX_AUTOCOMPLETE_CHOICES]
    ]


async def _entry_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    deps = deps_of(interaction.client)
    found = await deps.search.find(deps.service.factbase, current, limit=MAX_AUTOCOMPLETE_CHOICES)
    return _choices(found)


@app_commands.describe(
    text="The claim to check, e.g. a sentence you saw in chat",
    public="Post the answer for everyone in the channel (default: only you see it)",
)
async def factcheck(
    interaction: Interaction,
    text: app_commands.Range[str, 1, MAX_FACTCHECK_CHARS],
    public: bool = False,
) -> None:
    """Check a claim against claimwatch's fact base."""
    deps = deps_of(interaction.client)
    await answer(
        interaction,
        check_text(deps.service, text, guild_id=interaction.guild_id),
        ephemeral=not public,
        defer_after=deps.defer_after,
    )


async def check_message(interaction: Interaction, message: discord.Message) -> None:
    """The "Check this message" context menu: the same answer as /factcheck, only for you."""
    deps = deps_of(interaction.client)
    if not message.content.strip():
        labels = labels_for(await _answer_language(deps.service, interaction.guild_id))
        await answer(interaction, Answer(content=labels.nothing_to_check))
        return
    await answer(
        interaction,
        check_text(deps.service, message.content, guild_id=interaction.guild_id),
        defer_after=deps.defer_after,
    )


class FactsCommands(app_commands.Group):
    """`/facts`: browse the fact base."""

    def __init__(self) -> None:
        super().__init__(name="facts", description="Browse the claims claimwatch knows about")

    @app_commands.command(name="search", description="Find fact-base entries by word")
    @app_commands.describe(query="Words to look for: a name, a place, a topic")
    @app_commands.autocomplete(query=_entry_choices)
    async def search(
        self, interaction: Interaction, query: app_commands.Range[str, 1, 100]
    ) -> None:
        deps = deps_of(interaction.client)

        async def work() -> Answer:
            found = await deps.search.find(deps.service.factbase, query, limit=SEARCH_RESULTS)
            if not found:
                # Nothing by word: the matcher may still recognise a whole sentence, when it
                # is fairly sure (a closest entry below the suggest tier is no answer).
                guess = deps.service.check(query)
                found = [guess.entry] if guess.entry and guess.tier is not Tier.NONE else []
            return Answer(content=search_summary(found, query))

        await answer(interaction, work(), defer_after=deps.defer_after)

    @app_commands.command(name="show", description="Show one fact-base entry")
    @app_commands.rename(entry_id="id")
    @app_commands.describe(entry_id="The entry's id, e.g. from /facts search")
    @app_commands.autocomplete(entry_id=_entry_choices)
    async def show(
        self, interaction: Interaction, entry_id: app_commands.Range[str, 1, 100]
    ) -> None:
        service = deps_of(interaction.client).service
        entry = service.factbase.get(entry_id.strip())
        if entry is None:
            shown = escape_user_text(entry_id[:60])
            await answer(
                interaction, Answer(content=f"No entry `{shown}`. Find ids with `/facts search`.")
            )
        else:
            language = await _answer_language(service, interaction.guild_id)
            await answer(interaction, Answer(embed=entry_embed(entry, language=language)))


AnyCommand = app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu


def build_commands() -> list[AnyCommand]:
    """Fresh command objects for one bot's command tree."""
    return [
        app_commands.Command(
            name="factcheck",
            description="Check a claim against claimwatch's fact base",
            callback=factcheck,
        ),
        FactsCommands(),
        app_commands.ContextMenu(name=CHECK_MESSAGE_MENU, callback=check_message),
    ]
