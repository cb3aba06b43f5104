"""Decisions as JSON documents, for the moderators' queue.

A queued decision carries the whole fact-base entry it matched, so a moderator approves the reply
they reviewed even if the fact base was reloaded meanwhile.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.models import (
    Action,
    Decision,
    FactEntry,
    IncomingMessage,
    Match,
    ReplyMode,
    Source,
    Stance,
    Tier,
    Verdict,
)
from bot.errors import StorageError

__all__ = ["DECISION_FORMAT", "decision_from_json", "decision_to_json"]

DECISION_FORMAT = 1  # bumped when the document layout changes


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _entry_to_json(entry: FactEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "claim": entry.claim,
        "verdict": entry.verdict.value,
        "context": entry.context,
        "sources": [
            {"publisher": s.publisher, "title": s.title, "url": s.url, "date": _date(s.date)}
            for s in entry.sources
        ],
        "phrasings": {lang: list(texts) for lang, texts in entry.phrasings.items()},
        "tags": list(entry.tags),
        "as_of": _date(entry.as_of),
        "keywords": list(entry.keywords),
        "excludes": list(entry.excludes),
        "origin": entry.origin,
    }


def _entry_from_json(data: dict[str, Any]) -> FactEntry:
    def date(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value is not None else None

    return FactEntry(
        id=data["id"],
        claim=data["claim"],
        verdict=Verdict(data["verdict"]),
        context=data["context"],
        sources=tuple(
            Source(s["publisher"], s["title"], s["url"], date(s["date"])) for s in data["sources"]
        ),
        phrasings={lang: tuple(texts) for lang, texts in data["phrasings"].items()},
        tags=tuple(data["tags"]),
        as_of=date(data["as_of"]),
        keywords=tuple(data["keywords"]),
        excludes=tuple(data["excludes"]),
        origin=data["origin"],
    )


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """A JSON-ready document of `decision` (its queue id is the row's, not stored here)."""
    msg, match = decision.message, decision.match
    return {
        "format": DECISION_FORMAT,
        "action": decision.action.value,
        "reason": decision.reason,
        "reply_mode": decision.reply_mode.value,
        "log_channel": decision.log_channel,
        "extra": dict(decision.extra),
        "language": decision.language,
        "message": {
            "platform": msg.platform,
            "server_id": msg.server_id,
            "channel_id": msg.channel_id,
            "message_id": msg.message_id,
            "author_id": msg.author_id,
            "text": msg.text,
            "author_is_bot": msg.author_is_bot,
            "author_roles": sorted(msg.author_roles),
            "is_direct": msg.is_direct,
            "thread_id": msg.thread_id,
            "created_at": msg.created_at.isoformat() if msg.created_at is not None else None,
        },
        "match": {
            "entry": _entry_to_json(match.entry) if match.entry is not None else None,
            "tier": match.tier.value,
            "score": match.score,
            "stance": match.stance.value,
            "phrasing": match.phrasing,
            "terms": list(match.terms),
            "similarity": match.similarity,
            "evidence": match.evidence,
            "cues": list(match.cues),
        },
    }


def decision_from_json(data: dict[str, Any], *, queue_id: str | None = None) -> Decision:
    """The decision `decision_to_json` wrote; StorageError for a document it cannot read."""
    try:
        if data.get("format") != DECISION_FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        m, x = data["message"], data["match"]
        created = m["created_at"]
        message = IncomingMessage(
            platform=m["platform"],
            server_id=m["server_id"],
            channel_id=m["channel_id"],
            message_id=m["message_id"],
            author_id=m["author_id"],
            text=m["text"],
            author_is_bot=m["author_is_bot"],
            author_roles=frozenset(m["author_roles"]),
            is_direct=m["is_direct"],
            thread_id=m["thread_id"],
            created_at=dt.datetime.fromisoformat(created) if created is not None else None,
        )
        match = Match(
            entry=_entry_from_json(x["entry"]) if x["entry"] is not None else None,
            tier=Tier(x["tier"]),
            score=x["score"],
            stance=Stance(x["stance"]),
            phrasing=x["phrasing"],
            terms=tuple(x["terms"]),
            similarity=x["similarity"],
            evidence=x["evidence"],
            cues=tuple(x["cues"]),
        )
        return Decision(
            action=Action(data["action"]),
            message=message,
            match=match,
            reason=data["reason"],
            reply_mode=ReplyMode(data["reply_mode"]),
            log_channel=data["log_channel"],
            queue_id=queue_id,
            extra=dict(data["extra"]),
            # Items queued before decisions carried a language were English.
            language=data.get("language", "en"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StorageError(f"queue item {queue_id}: unreadable decision ({exc})") from exc
