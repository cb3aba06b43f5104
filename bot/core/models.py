"""Domain values shared by every room of claimwatch: frozen, platform-neutral, cheap to pass."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

__all__ = [
    "LANGUAGES",
    "Action",
    "Decision",
    "FactEntry",
    "GuildConfig",
    "IncomingMessage",
    "Match",
    "ReplyMode",
    "Source",
    "Stance",
    "Tier",
    "Verdict",
]

# Languages the curated fact base carries phrasings for; imported entries may add others.
LANGUAGES = ("en", "uk", "ru")


class Verdict(StrEnum):
    FALSE = "false"
    MISLEADING = "misleading"
    MISSING_CONTEXT = "missing-context"
    UNPROVEN = "unproven"
    TRUE = "true"


class Tier(StrEnum):
    """How sure the matcher is: `alert` replies in channel, `suggest` goes to the moderators."""

    ALERT = "alert"
    SUGGEST = "suggest"
    NONE = "none"


class Stance(StrEnum):
    """What the message does with the claim it mentions."""

    ASSERTS = "asserts"
    QUESTIONS = "questions"
    DEBUNKS = "debunks"
    REPORTS = "reports"  # reported speech or a quotation: "they say that ..."


@dataclass(frozen=True, slots=True)
class Source:
    publisher: str
    title: str
    url: str
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class FactEntry:
    """One checked claim: what people say, what is known, and who says so."""

    id: str
    claim: str
    verdict: Verdict
    context: str
    sources: tuple[Source, ...]
    phrasings: dict[str, tuple[str, ...]]  # language code -> how people write the claim
    tags: tuple[str, ...] = ()
    as_of: dt.date | None = None
    keywords: tuple[str, ...] = ()  # terms that, when present, strongly point to this entry
    excludes: tuple[str, ...] = ()  # terms that, when present, rule this entry out
    origin: str = ""  # the file or feed the entry came from, for error messages

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, texts in self.phrasings.items() if texts)

    def all_phrasings(self) -> tuple[tuple[str, str], ...]:
        """(language, phrasing) pairs, the claim sentence itself first, each text once."""
        pairs = {self.claim: "en"}
        for lang, texts in self.phrasings.items():
            for text in texts:
                pairs.setdefault(text, lang)
        return tuple((lang, text) for text, lang in pairs.items())


@dataclass(frozen=True, slots=True)
class Match:
    """The matcher's answer for one message, with the evidence that decided it.

    `entry` is the best candidate (None when nothing on topic was found); `tier` says what to do
    with it. A debunking message keeps its `entry` but gets tier `none`.
    """

    entry: FactEntry | None
    tier: Tier
    score: float  # 0..100, the calibrated confidence that the message asserts `entry`'s claim
    stance: Stance = Stance.ASSERTS
    phrasing: str | None = None  # the phrasing that matched best
    terms: tuple[str, ...] = ()  # distinctive terms shared by message and entry
    similarity: float = 0.0  # 0..100, rapidfuzz similarity to `phrasing`
    evidence: float = 0.0  # 0..100, weighted share of the entry's distinctive terms present
    cues: tuple[str, ...] = ()  # stance cues found (negations, "debunked", "they say", "?")

    @property
    def claim_id(self) -> str | None:
        return self.entry.id if self.entry is not None and self.tier is not Tier.NONE else None

    @property
    def alert(self) -> bool:
        return self.tier is Tier.ALERT


class ReplyMode(StrEnum):
    THREAD = "thread"
    REPLY = "reply"
    MODERATORS_ONLY = "moderators-only"


@dataclass(frozen=True, slots=True)
class GuildConfig:
    """A server's (or workspace's) moderator settings; the field defaults are the registered
    defaults every server starts from. Bounds and parsing live in `bot.core.policy`; the settings
    are documented in docs/settings.md."""

    # Bumped whenever a field is renamed or changes meaning; stores upgrade older records
    # (bot.storage.sql.CONFIG_UPGRADES). 2: thresholds are on the calibrated confidence scale.
    # 3: the confidence model is fitted on every phrasing scored, a scale of its own.
    SCHEMA_VERSION: ClassVar[int] = 3

    enabled: bool = True
    monitored_channels: frozenset[str] = frozenset()  # empty: no channel is monitored
    ignored_channels: frozenset[str] = frozenset()
    exempt_roles: frozenset[str] = frozenset()
    exempt_users: frozenset[str] = frozenset()
    # Who may change these settings besides the platform's own admins: Discord role ids, Slack
    # user group ids. Only those admins may change this list itself.
    moderator_roles: frozenset[str] = frozenset()
    reply_mode: ReplyMode = ReplyMode.THREAD
    alert_threshold: float | None = None  # None: the matcher's calibrated default
    suggest_threshold: float | None = None
    channel_cooldown_s: int = 120
    user_cooldown_s: int = 600
    claim_cooldown_s: int = 3600
    log_channel: str | None = None
    language: str = "en"
    disabled_tags: frozenset[str] = frozenset()
    store_message_text: bool = False
    retention_days: int = 90


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A chat message as every adapter hands it to the core."""

    platform: str  # "discord", "slack", "console"
    server_id: str
    channel_id: str
    message_id: str
    author_id: str
    text: str
    author_is_bot: bool = False
    author_roles: frozenset[str] = frozenset()
    is_direct: bool = False
    thread_id: str | None = None
    created_at: dt.datetime | None = None


class Action(StrEnum):
    REPLY = "reply"  # answer in the channel
    SUGGEST = "suggest"  # send to the moderators' queue / log
    IGNORE = "ignore"


@dataclass(frozen=True, slots=True)
class Decision:
    """What the service decided for a message, and why. Adapters render it; they never re-decide."""

    action: Action
    message: IncomingMessage
    match: Match
    reason: str  # short, for logs and audit: "confident match", "channel not monitored", ...
    reply_mode: ReplyMode = ReplyMode.THREAD
    log_channel: str | None = None
    queue_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    language: str = "en"  # the server's `language`: what the reply's own words are written in
