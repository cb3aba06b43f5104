"""The embedded default adapter: replay a chat channel from a file through the real service and
show it in the terminal as a chat would, with the bot's replies and the moderators' queue.

It only translates, like every adapter: file lines become `IncomingMessage`s, `Decision`s become
rich panels. Thresholds, cooldowns and the queue are the service's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.core.models import Action, Decision, GuildConfig, IncomingMessage
from bot.core.ports import QueueItem
from bot.core.reply import DEFAULT_LANGUAGE, ReplyContent, reply_for
from bot.core.service import ClaimwatchService
from bot.ingest import read_messages

__all__ = [
    "DEMO_CHANNEL",
    "DEMO_LOG_CHANNEL",
    "DEMO_MODERATOR",
    "DEMO_PLATFORM",
    "DEMO_SERVER",
    "ReplayReport",
    "demo_config",
    "replay",
    "reply_panel",
    "sample_channel_path",
]

DEMO_PLATFORM = "console"
DEMO_SERVER = "demo"
DEMO_CHANNEL = "general"
DEMO_LOG_CHANNEL = "mod-log"
DEMO_MODERATOR = "demo-moderator"
DEFAULT_AUTHOR = "anonymous"
SAMPLE_CHANNEL_FILE = ("demo", "sample_channel.jsonl")
REPLY_INDENT = 4  # the bot's reply sits under the message it answers, like a thread preview
MAX_PANEL_WIDTH = 96
QUEUE_EXCERPT_CHARS = 80


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a replay did: messages read, replies posted, matches queued, queue items approved."""

    messages: int
    replies: int
    suggestions: int
    approved: int


def sample_channel_path() -> Path:
    """The sample conversation shipped with the package for `claimwatch demo`."""
    return Path(str(resources.files("bot").joinpath(*SAMPLE_CHANNEL_FILE)))


def demo_config(*, language: str = DEFAULT_LANGUAGE) -> GuildConfig:
    """The demo server: one monitored channel and a moderators' log channel; the bot's own
    words in `language`."""
    # A replay runs in seconds, so channel and user cooldowns would silence all but the first
    # reply; the per-claim cooldown stays on to show that a claim is answered once.
    return GuildConfig(
        monitored_channels=frozenset({DEMO_CHANNEL}),
        log_channel=DEMO_LOG_CHANNEL,
        channel_cooldown_s=0,
        user_cooldown_s=0,
        language=language,
    )


def reply_panel(content: ReplyContent, *, width: int = MAX_PANEL_WIDTH) -> Panel:
    """The bot's reply as a rich panel: title, context, sources and confidence, its labels in
    the reply's language."""
    sources = Text()
    for source in content.sources:
        sources.append("• ")
        sources.append(content.source_line(source), style=f"link {source.url}")
        sources.append("\n")
    body: list[RenderableType] = [Text(content.context)]
    if content.sources:
        body += [Text(""), Text(content.labels.sources, style="bold"), sources]
    body.append(Text(content.footer(), style="dim"))
    return Panel(
        Group(*body),
        title=Text(content.title, style="bold"),
        title_align="left",
        border_style=f"#{content.colour:06x}",
        width=width,
    )


def _message_line(author: str, text: str) -> Text:
    # Text, never markup: chat messages are full of [brackets] that rich would interpret.
    return Text.assemble((author, "bold cyan"), ": ", text)


def _excerpt(text: str, limit: int = QUEUE_EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _print_reply(console: Console, decision: Decision) -> None:
    width = min(MAX_PANEL_WIDTH, console.width - REPLY_INDENT)
    panel = reply_panel(reply_for(decision.match, language=decision.language), width=width)
    console.print(Padding(panel, (0, 0, 0, REPLY_INDENT)))


def _queue_table(items: list[QueueItem]) -> Table:
    table = Table(title="Moderators' queue", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("author")
    table.add_column("message")
    table.add_column("candidate claim")
    table.add_column("score", justify="right")
    for item in items:
        decision = item.decision
        entry = decision.match.entry
        table.add_row(
            item.id,
            decision.message.author_id,
            _excerpt(decision.message.text),
            entry.id if entry is not None else "-",
            f"{decision.match.score:.0f}",
        )
    return table


async def replay(
    path: str | Path,
    *,
    service: ClaimwatchService,
    console: Console,
    config: GuildConfig | None = None,
) -> ReplayReport:
    """Replay a JSON Lines channel ({"author", "text"} per line) through `service`.

    The demo server runs under `config` (default: `demo_config()`; its monitored channels should
    include DEMO_CHANNEL). Prints the conversation with the bot's replies, then the moderators'
    queue; as DEMO_MODERATOR, approves the most confident queued match (printing the reply that
    produces) and dismisses the least confident one. Raises InputFormatError when the file
    cannot be read.
    """
    await service.set_config(DEMO_PLATFORM, DEMO_SERVER, config or demo_config())
    console.rule(f"#{DEMO_CHANNEL}")
    messages = replies = suggestions = 0
    for number, line in enumerate(read_messages(path), start=1):
        author = str(line.get("author") or DEFAULT_AUTHOR)
        text: str = line["text"]
        message = IncomingMessage(
            platform=DEMO_PLATFORM,
            server_id=DEMO_SERVER,
            channel_id=DEMO_CHANNEL,
            message_id=str(number),
            author_id=author,
            text=text,
            author_is_bot=bool(line.get("author_is_bot", False)),
        )
        messages += 1
        console.print(_message_line(author, text))
        decision = await service.on_message(message)
        if decision.action is Action.REPLY:
            replies += 1
            _print_reply(console, decision)
        elif decision.action is Action.SUGGEST:
            suggestions += 1
            where, item = decision.log_channel, decision.queue_id
            note = f"⚑ sent to the moderators in #{where} (queue #{item})"
            console.print(Padding(Text(note, style="dim yellow"), (0, 0, 0, REPLY_INDENT)))

    console.print()
    pending = await service.pending(DEMO_PLATFORM, DEMO_SERVER)
    if not pending:
        console.print(Text("Moderators' queue: empty", style="dim"))
        return ReplayReport(messages, replies, suggestions, approved=0)
    console.print(_queue_table(pending))

    # A moderator works the queue: the most convincing match gets its reply, the least
    # convincing one is dismissed.
    ranked = sorted(pending, key=lambda item: item.decision.match.score, reverse=True)
    best = ranked[0]
    approved = await service.approve(best.id, moderator=DEMO_MODERATOR)
    if approved is None:  # resolved elsewhere between listing and approving
        return ReplayReport(messages, replies, suggestions, approved=0)
    console.print()
    console.print(Text(f"{DEMO_MODERATOR} approved #{best.id}; the bot replies:", style="bold"))
    console.print(_message_line(approved.message.author_id, approved.message.text))
    _print_reply(console, approved)
    if len(ranked) > 1 and await service.dismiss(ranked[-1].id, moderator=DEMO_MODERATOR):
        console.print(Text(f"{DEMO_MODERATOR} dismissed #{ranked[-1].id}.", style="bold"))
    return ReplayReport(messages, replies, suggestions, approved=1)
