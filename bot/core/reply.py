"""The platform-neutral reply: what the bot says about a matched claim, before adapters render it.

Rules every rendering inherits from here: the title names the verdict, never the claim (repeating
a false claim spreads it); sources are cited; nobody is mentioned; the text stays short. The
bot's own words are in the server's language (`labels_for`); fact-base text stays as curated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core._labels import DEFAULT_LANGUAGE, LABELS, Labels, labels_for
from bot.core.models import Match, Source, Verdict

__all__ = [
    "COLOUR_FALSE",
    "COLOUR_MISLEADING",
    "COLOUR_MISSING_CONTEXT",
    "COLOUR_TRUE",
    "COLOUR_UNPROVEN",
    "DEFAULT_LANGUAGE",
    "MAX_REPLY_SOURCES",
    "MAX_TEXT_CHARS",
    "VERDICT_COLOURS",
    "VERDICT_LABELS",
    "Labels",
    "ReplyContent",
    "labels_for",
    "reply_for",
]

MAX_REPLY_SOURCES = 3  # enough to show it is sourced; more turns a chat reply into a reading list
MAX_TEXT_CHARS = 1_000  # plain-text rendering; well under Discord's 2,000 and Slack's limits
MAX_SOURCE_TITLE_CHARS = 120  # law titles and headlines can run long; the link carries the rest
MIN_CONTEXT_CHARS = 200  # below this, drop a source before cutting the context further
ELLIPSIS = "…"
ZERO_WIDTH_SPACE = "\u200b"

# Embed / attachment colours as 0xRRGGBB.
COLOUR_FALSE = 0xD93025  # red
COLOUR_MISLEADING = 0xF28C28  # orange
COLOUR_MISSING_CONTEXT = 0xF9CB40  # yellow
COLOUR_UNPROVEN = 0x9AA0A6  # grey
COLOUR_TRUE = 0x34A853  # green

VERDICT_COLOURS: dict[Verdict, int] = {
    Verdict.FALSE: COLOUR_FALSE,
    Verdict.MISLEADING: COLOUR_MISLEADING,
    Verdict.MISSING_CONTEXT: COLOUR_MISSING_CONTEXT,
    Verdict.UNPROVEN: COLOUR_UNPROVEN,
    Verdict.TRUE: COLOUR_TRUE,
}

# In English, for logs and the command line; replies take `labels_for(language).verdicts`.
VERDICT_LABELS: dict[Verdict, str] = dict(labels_for(DEFAULT_LANGUAGE).verdicts)


def _defang(text: str) -> str:
    """Break mention syntax (`@everyone`, `<@123>`, Slack `<!here>`) so a reply can ping nobody.

    Adapters also switch mentions off; this keeps imported fact-check text safe in any rendering.
    """
    return text.replace("@", "@" + ZERO_WIDTH_SPACE).replace("<!", "<" + ZERO_WIDTH_SPACE + "!")


def _trim(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    cut = text[: limit - len(ELLIPSIS) + 1]
    # Back off to a space so no word is cut in half (one giant word is cut anyway).
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut[:-1]
    return head.rstrip(" ,;:-") + ELLIPSIS


@dataclass(frozen=True, slots=True)
class ReplyContent:
    """Everything a rendering needs; adapters lay it out natively (embed, Block Kit, panel)."""

    title: str  # "Fact check · Misleading": names the verdict, never the claim
    verdict: Verdict
    verdict_label: str
    context: str
    sources: tuple[Source, ...]  # at most MAX_REPLY_SOURCES
    confidence: int  # percent, from the match score
    claim_id: str
    as_of: dt.date | None
    colour: int  # 0xRRGGBB for the verdict
    language: str = DEFAULT_LANGUAGE  # of the labels; the context and sources stay as curated

    @property
    def labels(self) -> Labels:
        """The fixed texts of this reply's language, for adapters to lay out."""
        return labels_for(self.language)

    def source_line(self, source: Source) -> str:
        """One citation as plain text: "Publisher — Title <url>"."""
        title = _trim(source.title, MAX_SOURCE_TITLE_CHARS)
        return f"{source.publisher} — {title} <{source.url}>"

    def footer(self) -> str:
        """Confidence and the date the entry was last checked, e.g. "Confidence 92% · as of ..."."""
        labels = self.labels
        parts = [labels.confidence.format(percent=self.confidence)]
        if self.as_of is not None:
            parts.append(labels.as_of.format(date=self.as_of.isoformat()))
        return " · ".join(parts)

    def as_text(self) -> str:
        """A short plain-text rendering (at most MAX_TEXT_CHARS characters)."""
        sources = [self.source_line(s) for s in self.sources]

        def compose(context: str, lines: list[str]) -> str:
            blocks = [self.title, context]
            if lines:
                blocks.append(
                    f"{self.labels.sources}:\n" + "\n".join(f"• {line}" for line in lines)
                )
            blocks.append(self.footer())
            return "\n\n".join(block for block in blocks if block)

        # Keep the context readable: drop trailing sources before squeezing it below a minimum.
        while sources and len(compose("", sources)) + MIN_CONTEXT_CHARS > MAX_TEXT_CHARS:
            sources.pop()
        budget = MAX_TEXT_CHARS - len(compose("", sources)) - len("\n\n")
        text = compose(_trim(self.context, max(budget, 0)), sources)
        return _trim(text, MAX_TEXT_CHARS)  # only a pathological title or footer gets here


def reply_for(match: Match, *, language: str = DEFAULT_LANGUAGE) -> ReplyContent:
    """The reply to post for a match that has an entry (an alert, or an approved suggestion),
    its labels in `language` (English for one without a translation).

    Raises ValueError for a match without an entry: there is nothing to say about it.
    """
    entry = match.entry
    if entry is None:
        raise ValueError("no fact-base entry to reply about")
    labels = labels_for(language)
    label = labels.verdicts[entry.verdict]
    sources = tuple(
        Source(
            publisher=_defang(s.publisher),
            title=_defang(s.title),
            url=s.url,
            date=s.date,
        )
        for s in entry.sources[:MAX_REPLY_SOURCES]
    )
    return ReplyContent(
        title=f"{labels.fact_check} · {label}",
        verdict=entry.verdict,
        verdict_label=label,
        context=_defang(entry.context),
        sources=sources,
        confidence=max(0, min(100, round(match.score))),
        claim_id=entry.id,
        as_of=entry.as_of,
        colour=VERDICT_COLOURS[entry.verdict],
        language=language if language in LABELS else DEFAULT_LANGUAGE,
    )
