"""`/claimwatch` text commands: parsed into what the service's configuration calls take.

Grammar (one command per invocation; Slack sends channels picked from autocomplete as
`<#C123|name>` when the command escapes channels, as the manifest asks):

    /claimwatch                        open the setup modal (also: setup)
    /claimwatch status | stats | help
    /claimwatch enable | disable
    /claimwatch channels add|remove #a #b …   or   channels set #a #b …
    /claimwatch mode thread|reply|moderators-only
    /claimwatch threshold alert|suggest <score>|default
    /claimwatch cooldown channel|user|claim <seconds|10m|2h|1d>
    /claimwatch log #channel | off
    /claimwatch moderators [list] | moderators add|remove @group …   (add/remove: admins only)
    /claimwatch forget
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["HELP_TEXT", "AdminCommand", "UsageError", "parse_admin_command"]

_CHANNEL = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
# A user group picked from autocomplete arrives as `<!subteam^S123|@handle>` (or without handle).
_GROUP = re.compile(r"^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$")
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")

HELP_TEXT = """*claimwatch moderator commands*
`/claimwatch` — open the setup form
`/claimwatch status` — current settings · `/claimwatch stats` — what the bot did
`/claimwatch enable` / `disable` — switch passive monitoring on or off
`/claimwatch channels add #a #b` / `remove #a` / `set #a #b` — channels to watch
`/claimwatch mode thread|reply|moderators-only` — how to answer a confident match
`/claimwatch threshold alert|suggest 90|default` — confidence needed to reply / to ask moderators
`/claimwatch cooldown channel|user|claim 10m` — quiet time after a reply
`/claimwatch log #channel` / `log off` — the moderators' channel
`/claimwatch moderators add @group` / `remove @group` / `list` — who moderates (admins change it)
`/claimwatch forget` — delete everything claimwatch stored about this workspace"""

_SIMPLE = {"setup", "status", "stats", "help", "forget"}
_THRESHOLDS = {"alert": "alert_threshold", "suggest": "suggest_threshold"}
_COOLDOWNS = {
    "channel": "channel_cooldown_s",
    "user": "user_cooldown_s",
    "claim": "claim_cooldown_s",
}
_CHANNEL_OPS = {"add", "remove", "set"}
_GROUP_OPS = {"add", "remove"}
_OFF = {"off", "none", "default"}


class UsageError(ValueError):
    """The command text does not parse; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class AdminCommand:
    """One parsed /claimwatch invocation.

    `kind` is one of: setup, status, stats, help, forget, channels, moderators, change. For
    `channels`, `op` is add/remove/set and `channels` the ids; for `moderators`, `op` is
    add/remove/list and `groups` the user group ids; for `change`, `changes` maps GuildConfig
    field names to values the service parses.
    """

    kind: str
    op: str | None = None
    channels: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    changes: dict[str, object] = field(default_factory=dict)


def _channel_id(word: str) -> str:
    found = _CHANNEL.match(word)
    if found:
        return found.group(1)
    if _CHANNEL_ID.match(word):
        return word
    raise UsageError(
        f"{word!r} is not a channel: pick it from the autocomplete list after typing #"
    )


def _group_id(word: str) -> str:
    found = _GROUP.match(word)
    if found:
        return found.group(1)
    if _GROUP_ID.match(word):
        return word
    raise UsageError(
        f"{word!r} is not a user group: pick it from the autocomplete list after typing @, "
        "or give its id (S…)"
    )


def parse_admin_command(text: str) -> AdminCommand:
    """Parse the text after `/claimwatch`; UsageError when it does not fit the grammar."""
    words = text.split()
    if not words:
        return AdminCommand("setup")
    head, args = words[0].lower(), words[1:]
    if head in _SIMPLE:
        if args:
            raise UsageError(f"`/claimwatch {head}` takes no arguments")
        return AdminCommand(head)
    if head in ("enable", "disable"):
        if args:
            raise UsageError(f"`/claimwatch {head}` takes no arguments")
        return AdminCommand("change", changes={"enabled": head == "enable"})
    if head == "channels":
        if not args:
            return AdminCommand("status")
        op = args[0].lower()
        if op not in _CHANNEL_OPS or (len(args) < 2 and op != "set"):
            raise UsageError("usage: `/claimwatch channels add|remove|set #channel …`")
        return AdminCommand("channels", op=op, channels=tuple(_channel_id(w) for w in args[1:]))
    if head == "moderators":
        op = args[0].lower() if args else "list"
        if op == "list" and len(args) <= 1:
            return AdminCommand("moderators", op="list")
        if op not in _GROUP_OPS or len(args) < 2:
            raise UsageError("usage: `/claimwatch moderators add|remove @group …` or `list`")
        return AdminCommand("moderators", op=op, groups=tuple(_group_id(w) for w in args[1:]))
    if head == "mode":
        if len(args) != 1:
            raise UsageError("usage: `/claimwatch mode thread|reply|moderators-only`")
        return AdminCommand("change", changes={"reply_mode": args[0]})
    if head == "threshold":
        if len(args) != 2 or args[0].lower() not in _THRESHOLDS:
            raise UsageError("usage: `/claimwatch threshold alert|suggest <score>|default`")
        return AdminCommand("change", changes={_THRESHOLDS[args[0].lower()]: args[1]})
    if head == "cooldown":
        if len(args) != 2 or args[0].lower() not in _COOLDOWNS:
            raise UsageError("usage: `/claimwatch cooldown channel|user|claim <seconds|10m|2h>`")
        return AdminCommand("change", changes={_COOLDOWNS[args[0].lower()]: args[1]})
    if head == "log":
        if len(args) != 1:
            raise UsageError("usage: `/claimwatch log #channel` or `/claimwatch log off`")
        value = None if args[0].lower() in _OFF else _channel_id(args[0])
        return AdminCommand("change", changes={"log_channel": value})
    raise UsageError(f"unknown command {head!r}; `/claimwatch help` lists them")
