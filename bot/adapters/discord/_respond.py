"""Answering interactions inside Discord's three seconds, however slow the work behind them.

The work starts at once; if it is done within `defer_after` seconds the answer goes out as the
interaction response, otherwise the interaction is deferred first (Discord shows "thinking")
and the answer follows when the work is done. Fast answers cost one request, slow ones two.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import discord

__all__ = ["DEFER_AFTER_S", "Answer", "answer", "send_error"]

# Discord drops an interaction that is not acknowledged within 3 s of being created, and the
# gateway delivery already ate part of that; 1.5 s leaves room for the defer request itself.
DEFER_AFTER_S = 1.5

_NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True, slots=True)
class Answer:
    """What to answer with. `update` edits the message a button sits on instead of posting."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    update: bool = False

    def _message_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"content": self.content, "allowed_mentions": _NO_MENTIONS}
        if self.embed is not None:
            kwargs["embed"] = self.embed
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs

    def _update_kwargs(self) -> dict[str, Any]:
        # An update replaces the embed and drops the buttons unless new ones are given.
        kwargs: dict[str, Any] = {"view": self.view, "allowed_mentions": _NO_MENTIONS}
        if self.content is not None:
            kwargs["content"] = self.content
        if self.embed is not None:
            kwargs["embed"] = self.embed
        return kwargs


async def answer(
    interaction: discord.Interaction[Any],
    work: Answer | Awaitable[Answer],
    *,
    ephemeral: bool = True,
    defer_after: float = DEFER_AFTER_S,
) -> None:
    """Answer `interaction` with `work`'s result, deferring first if it takes `defer_after` s.

    Exceptions from `work` propagate (to the command tree's or the button's error handler).
    """
    if isinstance(work, Answer):
        await _respond(interaction, work, ephemeral=ephemeral)
        return
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=defer_after)
    if done:
        await _respond(interaction, task.result(), ephemeral=ephemeral)
        return
    is_component = interaction.type is discord.InteractionType.component
    # A button's deferral is silent (the message stays as it is); a command's shows "thinking".
    await interaction.response.defer(ephemeral=ephemeral, thinking=not is_component)
    result = await task
    if result.update:
        await interaction.edit_original_response(**result._update_kwargs())
    else:
        await interaction.followup.send(**result._message_kwargs(), ephemeral=ephemeral)


async def _respond(
    interaction: discord.Interaction[Any], result: Answer, *, ephemeral: bool
) -> None:
    if result.update:
        await interaction.response.edit_message(**result._update_kwargs())
    else:
        await interaction.response.send_message(**result._message_kwargs(), ephemeral=ephemeral)


async def send_error(interaction: discord.Interaction[Any], text: str) -> None:
    """Tell the user briefly, as a response or a follow-up, whichever is still possible."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=_NO_MENTIONS)
        else:
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=_NO_MENTIONS
            )
    except discord.HTTPException:
        pass  # the interaction expired or Discord is down: nobody is left to tell
