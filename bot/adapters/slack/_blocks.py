"""Block Kit rendering: the platform-neutral reply, the moderators' queue, status and the setup
modal, as Slack payloads. Pure functions from core values to JSON-ready dicts.

Rules: user and fact-base text is escaped (`&`, `<`, `>`) before it enters mrkdwn, so nobody's
text can form `<!channel>`, `<@U…>` or a link; replies carry no mentions at all.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from bot.core.models import Decision, GuildConfig, Match, ReplyMode, Tier, Verdict
from bot.core.ports import ServerStats
from bot.core.reply import DEFAULT_LANGUAGE, ReplyContent, labels_for
from bot.core.service import FEEDBACK_VOTES

__all__ = [
    "ACTION_APPROVE",
    "ACTION_DISMISS",
    "ACTION_FEEDBACK",
    "ACTION_FORGET",
    "ACTION_SHARE",
    "SETUP_CALLBACK",
    "Block",
    "SharedCheck",
    "check_blocks",
    "config_blocks",
    "escape",
    "forget_confirm_blocks",
    "log_blocks",
    "parse_setup",
    "reply_blocks",
    "reply_fallback",
    "resolved_suggestion_blocks",
    "setup_view",
    "stats_blocks",
    "suggestion_blocks",
    "unescape",
]

Block = dict[str, Any]

# action_id / callback_id values: the contract between the blocks we post and the listeners.
ACTION_APPROVE = "claimwatch_approve"
ACTION_DISMISS = "claimwatch_dismiss"
ACTION_FEEDBACK = "claimwatch_feedback"  # + "_" + vote; the vote is the button's value
ACTION_SHARE = "claimwatch_share"
ACTION_FORGET = "claimwatch_forget"
SETUP_CALLBACK = "claimwatch_setup"

VERDICT_MARKS: dict[Verdict, str] = {
    Verdict.FALSE: "🔴",
    Verdict.MISLEADING: "🟠",
    Verdict.MISSING_CONTEXT: "🟡",
    Verdict.UNPROVEN: "⚪",
    Verdict.TRUE: "🟢",
}

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks): header text 150 characters,
# any other text object 3,000, a section field 2,000, a button's value 2,000; we stay inside them.
HEADER_MAX_CHARS = 150
SECTION_MAX_CHARS = 2_900
FIELD_MAX_CHARS = 1_900
BUTTON_VALUE_MAX_CHARS = 2_000
FALLBACK_CONTEXT_CHARS = 200  # the notification text; the blocks carry the full reply
SOURCE_LABEL_CHARS = 150  # headlines and law titles run long; the link carries the rest
EXCERPT_CHARS = 300  # how much of a queued message moderators see
STATS_TOP_CLAIMS = 10  # an imported fact base has thousands of claims; show the busiest
ELLIPSIS = "…"
# The tail of a cut that would leave half an entity ("&am") or half a link ("<https://…|ti").
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")

# The setup modal's block and action ids; the values double as GuildConfig field names.
SETUP_FIELDS = (
    "enabled",
    "monitored_channels",
    "reply_mode",
    "log_channel",
    "alert_threshold",
    "suggest_threshold",
    "channel_cooldown_s",
    "user_cooldown_s",
    "claim_cooldown_s",
)
_ENABLED_OPTION = "enabled"
REPLY_MODE_LABELS: dict[ReplyMode, str] = {
    ReplyMode.THREAD: "Reply in a thread",
    ReplyMode.REPLY: "Reply in a thread and in the channel",
    ReplyMode.MODERATORS_ONLY: "Only tell the moderators",
}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of message text (`&amp;` last, so `&amp;lt;` stays `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _trim(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _plain(text: str, limit: int = HEADER_MAX_CHARS) -> dict[str, Any]:
    return {"type": "plain_text", "text": _trim(text, limit), "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _fit(markup: str, limit: int) -> str:
    """Cut escaped mrkdwn to `limit` characters without breaking an entity or a `<…>` link."""
    if len(markup) <= limit:
        return markup
    cut = _PARTIAL_ENTITY.sub("", markup[: limit - len(ELLIPSIS)])
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    return cut.rstrip() + ELLIPSIS


def _section(markup: str) -> Block:
    return {"type": "section", "text": _mrkdwn(_fit(markup, SECTION_MAX_CHARS))}


def _field(markup: str) -> dict[str, Any]:
    return _mrkdwn(_fit(markup, FIELD_MAX_CHARS))


def _context(*markup: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(_fit(m, SECTION_MAX_CHARS)) for m in markup]}


def _link(url: str, label: str) -> str:
    # A URL may not carry the characters that end Slack's <url|label> syntax; percent-encode
    # them rather than trust a fact-base import.
    safe_url = escape(quote(url, safe=":/?#[]@!$&'()*+,;=%~-._"))
    if not safe_url.startswith(("https://", "http://")):
        return escape(label)
    return f"<{safe_url}|{escape(label).replace('|', '¦')}>"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": _plain(text, 75),
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        button["style"] = style
    return button


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    return escape(_trim(" ".join(text.split()), limit))


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])


# --- the reply --------------------------------------------------------------------------------


def reply_blocks(content: ReplyContent, *, feedback: bool) -> list[Block]:
    """The bot's reply: verdict, context, sources as links, confidence; feedback buttons. The
    labels are in the reply's language; the fact base's own text stays as curated."""
    labels = content.labels
    mark = VERDICT_MARKS[content.verdict]
    blocks: list[Block] = [
        {"type": "header", "text": _plain(f"{mark} {content.title}")},
        _section(escape(content.context)),
    ]
    heading = f"*{escape(labels.sources)}*"
    lines: list[str] = []
    for source in content.sources:
        label = _trim(f"{source.publisher} — {source.title}", SOURCE_LABEL_CHARS)
        line = "• " + _link(source.url, label)
        if sum(len(kept) + 1 for kept in lines) + len(line) > SECTION_MAX_CHARS - len(heading):
            break  # a whole link or none: half a link is broken markup
        lines.append(line)
    if lines:
        blocks.append(_section(heading + "\n" + "\n".join(lines)))
    blocks.append(_context(escape(content.footer())))
    if feedback:
        blocks.append(
            {
                "type": "actions",
                "block_id": "claimwatch_feedback",
                "elements": [
                    _button(
                        labels.feedback_buttons.get(vote, vote), f"{ACTION_FEEDBACK}_{vote}", vote
                    )
                    for vote in FEEDBACK_VOTES
                ],
            }
        )
    return blocks


def reply_fallback(content: ReplyContent) -> str:
    """The notification text of a reply (shown where blocks cannot be)."""
    return escape(f"{content.title}: {_trim(content.context, FALLBACK_CONTEXT_CHARS)}")


# --- /factcheck and the message shortcut --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SharedCheck:
    """What the "Share in channel" button carries: enough to post the same reply again."""

    claim_id: str
    score: float
    thread_ts: str | None = None

    def encode(self) -> str:
        return json.dumps(
            {"claim": self.claim_id, "score": self.score, "thread_ts": self.thread_ts},
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, value: str) -> SharedCheck | None:
        try:
            data = json.loads(value)
            score = float(data["score"])
            thread_ts = data.get("thread_ts")
            if not math.isfinite(score):
                return None
            return cls(
                claim_id=str(data["claim"]),
                score=score,
                thread_ts=str(thread_ts) if thread_ts is not None else None,
            )
        except (ValueError, TypeError, KeyError):
            return None


def check_blocks(
    match: Match,
    content: ReplyContent | None,
    *,
    thread_ts: str | None,
    language: str = DEFAULT_LANGUAGE,
) -> list[Block]:
    """The private answer to /factcheck or "Check this message", with a share button, in the
    workspace's `language` (a `content`'s own language when there is one)."""
    labels = content.labels if content is not None else labels_for(language)
    if content is None:
        if match.entry is not None and match.tier is Tier.NONE:
            note = labels.check_not_asserted
        else:
            note = labels.check_no_match
        return [_section(escape(note))]
    blocks: list[Block] = []
    if match.tier is Tier.SUGGEST:
        blocks.append(_context(escape(labels.check_possible)))
    blocks.extend(reply_blocks(content, feedback=False))
    share = SharedCheck(claim_id=content.claim_id, score=match.score, thread_ts=thread_ts)
    value = share.encode()
    if len(value) <= BUTTON_VALUE_MAX_CHARS:  # fact-base ids are short; a foreign one may not be
        blocks.append(
            {
                "type": "actions",
                "block_id": "claimwatch_share",
                "elements": [_button(labels.share, ACTION_SHARE, value, "primary")],
            }
        )
    return blocks


# --- the moderators ---------------------------------------------------------------------------


def _suggestion_body(decision: Decision, permalink: str | None) -> list[Block]:
    labels = labels_for(decision.language)
    msg, match = decision.message, decision.match
    entry = match.entry
    message = _link(permalink, labels.a_message) if permalink else escape(labels.a_message)
    intro = escape(labels.review_intro).format(message=message, channel=f"<#{msg.channel_id}>")
    blocks: list[Block] = [
        {"type": "header", "text": _plain(labels.review_title)},
        _section(f"{intro}\n{_quote(_excerpt(msg.text))}"),
    ]
    if entry is not None:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    _field(f"*{escape(labels.claim)}*\n{escape(entry.claim)}"),
                    _field(f"*{escape(labels.verdict)}*\n{escape(labels.verdicts[entry.verdict])}"),
                    _field(f"*{escape(labels.match_confidence)}*\n{round(match.score)}%"),
                    _field(f"*{escape(labels.why_here)}*\n{escape(decision.reason)}"),
                ],
            }
        )
    return blocks


def suggestion_blocks(decision: Decision, *, permalink: str | None) -> list[Block]:
    """A borderline match for the moderators' channel, with Reply and Dismiss buttons, in the
    workspace's language (the decision's)."""
    labels = labels_for(decision.language)
    queue_id = decision.queue_id or ""
    blocks = _suggestion_body(decision, permalink)
    blocks.append(_context(escape(labels.queue_item.format(id=queue_id))))
    blocks.append(
        {
            "type": "actions",
            "block_id": "claimwatch_queue",
            "elements": [
                _button(labels.reply_button, ACTION_APPROVE, queue_id, "primary"),
                _button(labels.dismiss_button, ACTION_DISMISS, queue_id),
            ],
        }
    )
    return blocks


def resolved_suggestion_blocks(original: Sequence[Block], outcome: str) -> list[Block]:
    """The moderators' message once handled: the buttons replaced by what happened (`outcome`,
    mrkdwn the caller escaped, so it may mention the channel)."""
    kept = [block for block in original if block.get("type") != "actions"]
    return [*kept, _context(outcome)]


def log_blocks(decision: Decision, *, reply_link: str | None) -> list[Block]:
    """One line in the log channel for a reply the bot posted on its own or on approval."""
    labels = labels_for(decision.language)
    msg, entry = decision.message, decision.match.entry
    claim = (
        f"`{escape(entry.id)}` ({escape(labels.verdicts[entry.verdict].lower())})"
        if entry is not None
        else "?"
    )
    what = _link(reply_link, labels.replied_link) if reply_link else escape(labels.replied_link)
    text = escape(labels.replied).format(
        replied=what,
        channel=f"<#{msg.channel_id}>",
        claim=claim,
        percent=round(decision.match.score),
        reason=escape(decision.reason),
    )
    return [_context(text)]


# --- /claimwatch ------------------------------------------------------------------------------


def _channels(ids: frozenset[str]) -> str:
    return ", ".join(f"<#{escape(c)}>" for c in sorted(ids)) if ids else "none"


def _threshold(value: float | None, default: float) -> str:
    return f"{value:g}" if value is not None else f"default ({default:g})"


def config_blocks(
    config: GuildConfig,
    *,
    pending: int,
    default_alert: float,
    default_suggest: float,
    problems: Sequence[str] = (),
) -> list[Block]:
    """The workspace's settings, as /claimwatch status shows them; `problems` (mrkdwn, already
    safe) are what stops the bot from doing what the settings say."""
    lines = [
        f"*Monitoring*: {'on' if config.enabled else 'off'}",
        f"*Channels*: {_channels(config.monitored_channels)}",
        f"*Ignored channels*: {_channels(config.ignored_channels)}",
        f"*Mode*: {escape(REPLY_MODE_LABELS[config.reply_mode])} (`{config.reply_mode.value}`)",
        f"*Alert threshold*: {_threshold(config.alert_threshold, default_alert)}",
        f"*Suggest threshold*: {_threshold(config.suggest_threshold, default_suggest)}",
        (
            f"*Cooldowns*: channel {config.channel_cooldown_s}s, user {config.user_cooldown_s}s, "
            f"claim {config.claim_cooldown_s}s"
        ),
        f"*Log channel*: {f'<#{escape(config.log_channel)}>' if config.log_channel else 'none'}",
        f"*Waiting for moderators*: {pending}",
    ]
    blocks = [{"type": "header", "text": _plain("claimwatch settings")}, _section("\n".join(lines))]
    if problems:
        blocks.append(_section("⚠️ " + "\n⚠️ ".join(problems)))
    return blocks


def stats_blocks(stats: ServerStats) -> list[Block]:
    """What the bot did here, field by field (new fields show up without a change here)."""
    lines: list[str] = []
    for item in fields(stats):
        value = getattr(stats, item.name)
        label = item.name.replace("_", " ").capitalize()
        if isinstance(value, Mapping):
            busiest = sorted(value.items(), key=lambda kv: (-kv[1], str(kv[0])))
            shown = ", ".join(f"{escape(str(k))}: {v}" for k, v in busiest[:STATS_TOP_CLAIMS])
            if len(busiest) > STATS_TOP_CLAIMS:
                shown += f" and {len(busiest) - STATS_TOP_CLAIMS} more"
            lines.append(f"*{label}*: {shown or 'none'}")
        elif isinstance(value, float):
            lines.append(f"*{label}*: {value:.0%}" if value <= 1 else f"*{label}*: {value:g}")
        elif value is None:
            lines.append(f"*{label}*: n/a")
        else:
            lines.append(f"*{label}*: {escape(str(value))}")
    return [{"type": "header", "text": _plain("claimwatch stats")}, _section("\n".join(lines))]


def forget_confirm_blocks() -> list[Block]:
    return [
        _section(
            "This deletes everything claimwatch stored about this workspace: settings, audit "
            "log, the moderators' queue and feedback. Replies already posted stay."
        ),
        {
            "type": "actions",
            "block_id": "claimwatch_forget",
            "elements": [_button("Delete all data", ACTION_FORGET, "confirm", "danger")],
        },
    ]


# --- the setup modal --------------------------------------------------------------------------


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "optional": optional,
        "element": {**element, "action_id": block_id},
    }
    if hint is not None:
        block["hint"] = _plain(hint)
    return block


def _number(value: float | int | None, *, decimal: bool, low: float, high: float) -> Block:
    element: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": decimal,
        "min_value": f"{low:g}",
        "max_value": f"{high:g}",
    }
    if value is not None:
        element["initial_value"] = f"{value:g}"
    return element


def _mode_option(mode: ReplyMode) -> dict[str, Any]:
    return {"text": _plain(REPLY_MODE_LABELS[mode]), "value": mode.value}


def setup_view(
    config: GuildConfig,
    *,
    private_metadata: str,
    default_alert: float,
    default_suggest: float,
    threshold_floor: tuple[float, float],
    cooldown_max_s: int,
) -> dict[str, Any]:
    """The /claimwatch setup modal, pre-filled with the current settings."""
    enabled_option = {"text": _plain("Watch the channels below"), "value": _ENABLED_OPTION}
    enabled: dict[str, Any] = {"type": "checkboxes", "options": [enabled_option]}
    if config.enabled:
        enabled["initial_options"] = [enabled_option]
    channels: dict[str, Any] = {
        "type": "multi_conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if config.monitored_channels:
        channels["initial_conversations"] = sorted(config.monitored_channels)
    log_channel: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if config.log_channel:
        log_channel["initial_conversation"] = config.log_channel
    mode = {
        "type": "static_select",
        "options": [_mode_option(m) for m in ReplyMode],
        "initial_option": _mode_option(config.reply_mode),
    }
    alert_low, suggest_low = threshold_floor
    blocks = [
        _input("enabled", "Monitoring", enabled, optional=True),
        _input("monitored_channels", "Channels to watch", channels, optional=True),
        _input("reply_mode", "When a claim is found", mode, optional=False),
        _input(
            "log_channel",
            "Moderators' channel",
            log_channel,
            optional=True,
            hint="Borderline matches and a log of replies go here.",
        ),
        _input(
            "alert_threshold",
            "Alert threshold (confidence to reply)",
            _number(config.alert_threshold, decimal=True, low=alert_low, high=100),
            optional=True,
            hint=f"Empty: the calibrated default ({default_alert:g}).",
        ),
        _input(
            "suggest_threshold",
            "Suggest threshold (confidence to ask the moderators)",
            _number(config.suggest_threshold, decimal=True, low=suggest_low, high=100),
            optional=True,
            hint=f"Empty: the calibrated default ({default_suggest:g}).",
        ),
    ]
    for name, label in (
        ("channel_cooldown_s", "Cooldown per channel (seconds)"),
        ("user_cooldown_s", "Cooldown per user (seconds)"),
        ("claim_cooldown_s", "Cooldown per claim (seconds)"),
    ):
        value = getattr(config, name)
        element = _number(value, decimal=False, low=0, high=cooldown_max_s)
        blocks.append(_input(name, label, element, optional=False))
    return {
        "type": "modal",
        "callback_id": SETUP_CALLBACK,
        "title": _plain("claimwatch setup", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def parse_setup(state_values: Mapping[str, Mapping[str, Any]]) -> dict[str, object]:
    """The settings a submitted setup modal carries, as `service.update_config` takes them.

    Values stay as Slack sent them (numbers as text); the service parses and bounds them.
    """

    def element(name: str) -> Mapping[str, Any]:
        found: Mapping[str, Any] = state_values.get(name, {}).get(name, {})
        return found

    changes: dict[str, object] = {}
    if "enabled" in state_values:
        chosen = element("enabled").get("selected_options") or []
        changes["enabled"] = any(option.get("value") == _ENABLED_OPTION for option in chosen)
    if "monitored_channels" in state_values:
        changes["monitored_channels"] = list(
            element("monitored_channels").get("selected_conversations") or []
        )
    if "reply_mode" in state_values:
        option = element("reply_mode").get("selected_option") or {}
        changes["reply_mode"] = option.get("value", "")
    if "log_channel" in state_values:
        changes["log_channel"] = element("log_channel").get("selected_conversation")
    for name in ("alert_threshold", "suggest_threshold"):
        if name in state_values:
            changes[name] = element(name).get("value") or None
    for name in ("channel_cooldown_s", "user_cooldown_s", "claim_cooldown_s"):
        if name in state_values:
            changes[name] = element(name).get("value") or ""
    return changes
