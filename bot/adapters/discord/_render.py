"""Discord renderings of the core's values: embeds and short texts, within Discord's limits.

Pure functions of core values (and a few Discord ids); nothing here talks to Discord. Every
string that came from a user is escaped; fact-base text is escaped too, since imported feeds
are not curated by us. Nothing here names the false claim itself: titles name the verdict.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import discord

from bot.core.models import Decision, FactEntry, GuildConfig, Match, Source, Tier
from bot.core.ports import ServerStats
from bot.core.reply import (
    DEFAULT_LANGUAGE,
    VERDICT_COLOURS,
    VERDICT_LABELS,
    ReplyContent,
    labels_for,
    reply_for,
)

__all__ = [
    "MAX_CONTENT_CHARS",
    "MAX_EMBED_DESCRIPTION_CHARS",
    "MAX_EMBED_TOTAL_CHARS",
    "MAX_FIELD_VALUE_CHARS",
    "MAX_THREAD_NAME_CHARS",
    "config_summary",
    "entry_embed",
    "escape_user_text",
    "factcheck_text",
    "message_link",
    "reply_embed",
    "resolved_embed",
    "search_summary",
    "stats_text",
    "suggestion_embed",
    "thread_name",
]

# Discord's own limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
MAX_CONTENT_CHARS = 2_000
MAX_EMBED_TITLE_CHARS = 256
MAX_EMBED_DESCRIPTION_CHARS = 4_096
MAX_FIELD_VALUE_CHARS = 1_024
MAX_EMBED_TOTAL_CHARS = 6_000
MAX_THREAD_NAME_CHARS = 100

# Our own choices.
EXCERPT_CHARS = 160  # enough for a moderator to judge; never the whole post
ELLIPSIS = "…"
DISCORD_WEB = "https://discord.com/channels"


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line of at most `limit` characters; always cut short of a long post."""
    return textwrap.shorten(" ".join(text.split()), width=limit, placeholder=" " + ELLIPSIS)


def escape_user_text(text: str) -> str:
    """Text safe to show in Discord: no markdown tricks, no pings (even where mentions are on)."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def _link_text(text: str) -> str:
    # Square brackets would end the link text early; markdown inside it is escaped as well.
    return escape_user_text(text).replace("[", "(").replace("]", ")")


def _link_url(url: str) -> str:
    # A bare parenthesis would end the link target; percent-encoding keeps the URL equivalent.
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _source_link(content: ReplyContent, source: Source) -> str:
    label = content.source_line(source).rsplit(" <", 1)[0]  # "Publisher — Title"
    return f"• [{_link_text(label)}]({_link_url(source.url)})"


def _lines_within(lines: list[str], limit: int) -> str:
    """As many whole lines as fit in `limit` characters (at least one, clipped if it must be)."""
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line])) > limit:
            break
        kept.append(line)
    if not kept and lines:
        return clip(lines[0], limit)
    return "\n".join(kept)


def message_link(guild_id: str, channel_id: str, message_id: str) -> str:
    return f"{DISCORD_WEB}/{guild_id}/{channel_id}/{message_id}"


def thread_name(content: ReplyContent) -> str:
    """The name of the thread a reply opens: the verdict, never the claim."""
    return clip(content.title, MAX_THREAD_NAME_CHARS)


def reply_embed(content: ReplyContent) -> discord.Embed:
    """The in-channel reply: verdict (colour-coded), short context, sources, match confidence."""
    labels = content.labels
    embed = discord.Embed(
        title=clip(content.title, MAX_EMBED_TITLE_CHARS),
        description=clip(escape_user_text(content.context), MAX_EMBED_DESCRIPTION_CHARS),
        colour=content.colour,
    )
    if content.sources:
        sources = [_source_link(content, source) for source in content.sources]
        embed.add_field(
            name=labels.sources, value=_lines_within(sources, MAX_FIELD_VALUE_CHARS), inline=False
        )
    embed.add_field(name=labels.match_confidence, value=f"{content.confidence}%", inline=True)
    embed.add_field(name=labels.fact_base_entry, value=f"`{content.claim_id}`", inline=True)
    if content.as_of is not None:
        checked = labels.checked_as_of.format(date=content.as_of.isoformat())
        embed.set_footer(text=f"claimwatch · {checked}")
    else:
        embed.set_footer(text="claimwatch")
    return embed


def suggestion_embed(decision: Decision, content: ReplyContent, *, guild_id: str) -> discord.Embed:
    """The moderators' log entry for a borderline match (or any match in moderators-only mode),
    in the language of `content` (the server's)."""
    labels = content.labels
    msg = decision.message
    where = msg.thread_id or msg.channel_id
    link = message_link(guild_id, where, msg.message_id)
    intro = labels.review_intro.format(
        message=labels.message_by.format(author=f"<@{msg.author_id}>"), channel=f"<#{where}>"
    )
    howto = labels.review_howto.format(
        reply=f"**{labels.reply_button}**", dismiss=f"**{labels.dismiss_button}**"
    )
    embed = discord.Embed(
        title=clip(labels.review_title, MAX_EMBED_TITLE_CHARS),
        description=f"{intro} [{labels.jump_to_message}]({link})\n\n{howto}",
        colour=content.colour,
    )
    embed.add_field(
        name=labels.candidate_entry,
        value=f"`{content.claim_id}` · {content.verdict_label}",
        inline=True,
    )
    embed.add_field(name=labels.match_confidence, value=f"{content.confidence}%", inline=True)
    embed.add_field(name=labels.why_here, value=clip(decision.reason, 200), inline=True)
    if msg.text.strip():
        embed.add_field(
            name=labels.excerpt, value="> " + escape_user_text(excerpt(msg.text)), inline=False
        )
    embed.set_footer(text=labels.queue_item.format(id=decision.queue_id))
    return embed


def resolved_embed(original: discord.Embed, outcome: str, *, language: str) -> discord.Embed:
    """The log entry once a moderator acted: the same embed with the outcome added."""
    embed = original.copy()
    # Drop the how-to paragraph about the buttons, which are gone.
    embed.description = (embed.description or "").split("\n\n", 1)[0]
    embed.add_field(
        name=labels_for(language).outcome,
        value=clip(outcome, MAX_FIELD_VALUE_CHARS),
        inline=False,
    )
    return embed


def entry_embed(entry: FactEntry, *, language: str = DEFAULT_LANGUAGE) -> discord.Embed:
    """`/facts show`: one entry's verdict, context and sources (named by id, not by claim)."""
    # The reply's content, for the same defanged context and the same cited sources.
    content = reply_for(Match(entry=entry, tier=Tier.ALERT, score=100.0), language=language)
    labels = content.labels
    embed = discord.Embed(
        title=clip(f"{content.verdict_label} · {entry.id}", MAX_EMBED_TITLE_CHARS),
        description=clip(escape_user_text(content.context), MAX_EMBED_DESCRIPTION_CHARS),
        colour=VERDICT_COLOURS[entry.verdict],
    )
    if content.sources:
        sources = [_source_link(content, source) for source in content.sources]
        embed.add_field(
            name=labels.sources, value=_lines_within(sources, MAX_FIELD_VALUE_CHARS), inline=False
        )
    if entry.tags:
        embed.add_field(name=labels.tags, value=clip(", ".join(entry.tags), 200), inline=True)
    if entry.as_of is not None:
        embed.add_field(name=labels.checked_heading, value=entry.as_of.isoformat(), inline=True)
    return embed


def factcheck_text(match: Match, *, entries: int, language: str = DEFAULT_LANGUAGE) -> str:
    """The line above a /factcheck answer; for no match, the whole (honest) answer."""
    labels = labels_for(language)
    entry = match.entry
    if entry is not None and match.tier is Tier.ALERT:
        return labels.check_alert
    if entry is not None and match.tier is Tier.SUGGEST:
        return labels.check_suggest.format(percent=round(match.score))
    if entry is not None:
        verdict = labels.verdicts[entry.verdict].lower()
        return labels.check_closest.format(id=entry.id, verdict=verdict)
    return labels.check_none.format(entries=entries)


def search_summary(found: list[FactEntry], query: str) -> str:
    """`/facts search`: one line per entry (id, verdict, tags), within a message's limit."""
    shown = escape_user_text(excerpt(query, 60))
    if not found:
        return f"No fact-base entry matches “{shown}”. Try a shorter word, a place or a name."
    lines = [
        f"`{entry.id}` · {VERDICT_LABELS[entry.verdict]}"
        + (f" · {', '.join(entry.tags[:3])}" if entry.tags else "")
        for entry in found
    ]
    count = "1 entry" if len(found) == 1 else f"{len(found)} entries"
    head = f"{count} for “{shown}” (open one with `/facts show id:`):"
    return _lines_within([head, *lines], MAX_CONTENT_CHARS)


def _channels(ids: Iterable[str]) -> str:
    return ", ".join(f"<#{cid}>" for cid in sorted(ids)) or "none"


def config_summary(config: GuildConfig, *, problems: Iterable[str] = ()) -> str:
    """A server's settings in a few lines, with what still needs doing."""
    state = f"on, replies {config.reply_mode.value}" if config.enabled else "off (quiet)"
    alert = "default" if config.alert_threshold is None else f"{config.alert_threshold:g}"
    suggest = "default" if config.suggest_threshold is None else f"{config.suggest_threshold:g}"
    lines = [
        f"**Monitoring:** {state}",
        f"**Monitored channels:** {_channels(config.monitored_channels)}",
        f"**Log channel:** {f'<#{config.log_channel}>' if config.log_channel else 'none'}",
        f"**Thresholds:** reply at {alert}, ask moderators at {suggest}",
        f"**Cooldowns:** channel {config.channel_cooldown_s} s · user {config.user_cooldown_s} s"
        f" · claim {config.claim_cooldown_s} s",
    ]
    todo = list(problems)
    if not config.monitored_channels:
        todo.append("No channel is monitored yet: add one with `/claimwatch channels add`.")
    if config.log_channel is None:
        todo.append(
            "No log channel: borderline matches wait unseen. Set one with `/claimwatch logchannel`."
        )
    if todo:
        lines += ["", "**To do**", *(f"• {item}" for item in todo)]
    return _lines_within(lines, MAX_CONTENT_CHARS)


def stats_text(stats: ServerStats) -> str:
    """What the bot did on a server and how people judged it."""
    precision = stats.moderator_precision
    lines = [
        "**claimwatch on this server**",
        f"Replies on its own confidence: {stats.alerts}",
        f"Matches sent to moderators: {stats.suggestions} "
        f"(approved {stats.approved}, dismissed {stats.dismissed})",
        "Moderators have judged no match yet"
        if precision is None
        else f"Moderators approved {precision:.0%} of the matches they judged",
    ]
    if stats.feedback:
        votes = sorted(stats.feedback.items())
        lines.append("Feedback: " + ", ".join(f"{v.replace('_', ' ')} {n}" for v, n in votes))
    if stats.per_claim:
        top = sorted(stats.per_claim.items(), key=lambda item: (-item[1], item[0]))
        lines += ["", "**Replies per claim**", *(f"`{claim}`: {n}" for claim, n in top)]
    return _lines_within(lines, MAX_CONTENT_CHARS)
