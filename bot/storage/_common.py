"""What every store shares: how user ids become salted hashes, and how stats are counted."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from bot.core.models import Action, Decision
from bot.core.ports import AUDIT_APPROVED, AUDIT_DISMISSED, ServerStats

__all__ = [
    "ANSWERED",
    "REPLIED",
    "SALT_BYTES",
    "private_cooldown_key",
    "server_prefix",
    "server_stats",
    "user_cooldown_suffix",
    "user_hash",
    "without_personal_data",
]

SALT_BYTES = 32
AUDIT_REPLY = Action.REPLY.value
AUDIT_SUGGEST = Action.SUGGEST.value
ANSWERED = frozenset({AUDIT_REPLY, AUDIT_SUGGEST})  # the message got a reply or went to the queue
REPLIED = frozenset({AUDIT_REPLY, AUDIT_APPROVED})  # a reply was posted


def user_hash(salt: bytes, platform: str, user_id: str) -> str:
    """A user's stable pseudonym in one database: HMAC-SHA256 of platform and id, hex."""
    return hmac.new(salt, f"{platform}\x00{user_id}".encode(), hashlib.sha256).hexdigest()


def server_prefix(platform: str, server_id: str) -> str:
    """The prefix of every dedupe and cooldown key of one server (see `policy.cooldown_keys`)."""
    return f"{platform}:{server_id}:"


_USER_SEGMENT = ":user:"  # see `policy.cooldown_keys`: "platform:server:user:<user id>"


def user_cooldown_suffix(hashed_user: str) -> str:
    """The end of every per-user cooldown key of a user, as stores keep them."""
    return f"{_USER_SEGMENT}{hashed_user}"


def private_cooldown_key(key: str, salt: bytes) -> str:
    """A cooldown key as stores keep it: a per-user key's user id becomes its salted hash."""
    head, segment, user_id = key.partition(_USER_SEGMENT)
    if not segment:
        return key
    platform = head.split(":", 1)[0]
    return f"{head}{segment}{user_hash(salt, platform, user_id)}"


def server_stats(
    actions: Iterable[tuple[str, str | None, int]], votes: Iterable[tuple[str, int]]
) -> ServerStats:
    """Stats of one server from (audit action, claim id, count) and (vote, count) rows."""
    counted: Counter[str] = Counter()
    per_claim: Counter[str] = Counter()
    feedback: Counter[str] = Counter()
    for action, claim_id, count in actions:
        counted[action] += count
        if action in REPLIED and claim_id is not None:
            per_claim[claim_id] += count
    for vote, count in votes:
        feedback[vote] += count
    judged = counted[AUDIT_APPROVED] + counted[AUDIT_DISMISSED]
    return ServerStats(
        alerts=counted[AUDIT_REPLY],
        suggestions=counted[AUDIT_SUGGEST],
        approved=counted[AUDIT_APPROVED],
        dismissed=counted[AUDIT_DISMISSED],
        per_claim=dict(sorted(per_claim.items())),
        feedback=dict(sorted(feedback.items())),
        moderator_precision=counted[AUDIT_APPROVED] / judged if judged else None,
    )


def without_personal_data(decision: Decision) -> Decision:
    """The decision with its message text and author erased.

    A pending queue item needs both (moderators review the message; an approval's reply record
    keeps the author's hash for `forget_user`); a resolved one keeps neither.
    """
    return replace(decision, message=replace(decision.message, text="", author_id=""))
