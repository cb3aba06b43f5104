"""Import and export schema.org ClaimReview, the format fact-checkers publish their verdicts in.

Accepted shapes (`entries_from_claimreview`):

* a single ClaimReview object, or a list of them;
* a JSON-LD document with `@graph` (objects of other `@type` are skipped);
* a Data Commons style feed: `{"@type": "DataFeed", "dataFeedElement": [{"item": [...]}]}`;
* a Google Fact Check Tools `claims:search` response:
  `{"claims": [{"text", "claimReview": [...]}]}`.

Every review becomes one `FactEntry` tagged `imported`. Ids are stable: the slugified
`identifier` when the review has one, else `<publisher>-<hash of the review url>`.

Duplicate ids within one feed: the same review listed twice (same id, same claim) is kept once;
a *different* claim that lands on a taken id (one article debunking several claims, common in
`claims:search` results) is kept with a suffix: `-2`, `-3`, ... in feed order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.core.models import FactEntry, Source, Verdict
from bot.errors import FactBaseError

__all__ = [
    "IMPORTED_TAG",
    "MAX_IMPORTED_CONTEXT_CHARS",
    "VERDICT_NAMES",
    "claimreview_from_entries",
    "entries_from_claimreview",
    "verdict_from_rating",
]

IMPORTED_TAG = "imported"
MAX_IMPORTED_CONTEXT_CHARS = 600  # a readable chat reply; review bodies can run to whole articles
MAX_ID_CHARS = 80  # the curated fact base's id limit
MAX_PUBLISHER_SLUG_CHARS = 40  # leaves room for the hash in a generated id
URL_HASH_CHARS = 10  # 40 bits of sha256: collisions within one publisher are not a concern
DEFAULT_LANGUAGE = "en"
DEFAULT_SOURCE_TITLE = "Fact check"
ELLIPSIS = "…"
# schema.org Rating defaults when a feed gives a ratingValue without its scale.
DEFAULT_WORST_RATING = 1.0
DEFAULT_BEST_RATING = 5.0
# Where a numeric rating, placed on 0..1 between worst and best, stops being "false" and starts
# being "true"; everything between is "misleading". On the common 1..5 scale: 1 false, 2-3
# misleading, 4-5 true (matching the text table, where "Mostly true" counts as true).
NUMERIC_FALSE_AT_MOST = 0.2
NUMERIC_TRUE_AT_LEAST = 0.7

# The readable name written on export; each maps back to its verdict through the table below.
VERDICT_NAMES: dict[Verdict, str] = {
    Verdict.FALSE: "False",
    Verdict.MISLEADING: "Misleading",
    Verdict.MISSING_CONTEXT: "Missing context",
    Verdict.UNPROVEN: "Unproven",
    Verdict.TRUE: "True",
}

_RATINGS_BY_VERDICT: dict[Verdict, tuple[str, ...]] = {
    Verdict.FALSE: (
        "false", "pants on fire", "fake", "incorrect", "wrong", "fabricated", "hoax",
        "totally false", "completely false", "not true",
        "неправда", "фейк", "брехня",  # uk
        "ложь",  # ru ("неправда", "фейк" as in uk)
        "falso",  # es, pt, it
        "faux",  # fr
        "falsch",  # de
        "fałsz",  # pl
    ),
    Verdict.MISLEADING: (
        "mostly false", "misleading", "distorted", "exaggerated", "half true", "partly false",
        "partially false", "partly true", "partially true", "mixture", "mixed",
        "маніпуляція", "напівправда", "перебільшення",  # uk
        "манипуляция", "полуправда", "преувеличение",  # ru
        "engañoso", "enganoso", "impreciso",  # es, pt
        "trompeur", "plutôt faux",  # fr
        "irreführend", "größtenteils falsch", "teilweise falsch",  # de
        "manipulacja", "częściowa prawda",  # pl
    ),
    Verdict.MISSING_CONTEXT: (
        "missing context", "needs context", "lacks context", "out of context",
        "без контексту",  # uk
        "вне контекста",  # ru
        "fuera de contexto", "fora de contexto",  # es, pt
        "sorti de son contexte", "manque de contexte",  # fr
        "fehlender kontext",  # de
    ),
    Verdict.UNPROVEN: (
        "unproven", "unverified", "no evidence", "unsubstantiated", "unsupported",
        "not proven", "unverifiable", "research in progress",
        "не доказано",  # ru
        "sin evidencia", "sin pruebas",  # es
        "infondé",  # fr
        "unbelegt",  # de
        "nieweryfikowalne",  # pl
    ),
    Verdict.TRUE: (
        "true", "mostly true", "correct", "accurate", "правда",  # uk, ru
        "verdadero", "verdadeiro", "vero",  # es, pt, it
        "vrai",  # fr
        "richtig", "wahr",  # de
        "prawda",  # pl
    ),
}  # fmt: skip


def _normalize_rating(text: str) -> str:
    """Case, accents and punctuation folded away: "Half-True!" and "half true" are one rating."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LN" else " "
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())


_RATING_TABLE: dict[str, Verdict] = {
    _normalize_rating(text): verdict
    for verdict, texts in _RATINGS_BY_VERDICT.items()
    for text in texts
}
# Ratings often carry an explanation: "False. The video is from 2014." The first clause decides.
_CLAUSE_END = re.compile(r"[.:;!?(\[—–]| - ")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LANGUAGE_CODE = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class _Review:
    """One review, whatever shape it came in, before it becomes a FactEntry."""

    label: str  # where it sits in the feed, for error messages
    claim: str
    url: str
    identifier: str | None
    publisher: str
    title: str | None
    rating_text: str | None
    rating: dict[str, Any]
    date: dt.date | None
    body: str | None
    language: str


def verdict_from_rating(text: str | None, rating: dict[str, Any] | None = None) -> Verdict:
    """Map a fact-checker's rating to a verdict: the text table first, then the numeric scale.

    Unknown text with no usable `ratingValue` (inside `worstRating`..`bestRating`) is `unproven`:
    the bot never claims more certainty than the source gives.
    """
    if text:
        normalized = _normalize_rating(text)
        if normalized in _RATING_TABLE:
            return _RATING_TABLE[normalized]
        first_clause = _normalize_rating(_CLAUSE_END.split(text, maxsplit=1)[0])
        if first_clause in _RATING_TABLE:
            return _RATING_TABLE[first_clause]
    return _verdict_from_number(rating or {})


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _verdict_from_number(rating: dict[str, Any]) -> Verdict:
    value = _number(rating.get("ratingValue"))
    worst = _number(rating.get("worstRating"))
    best = _number(rating.get("bestRating"))
    worst = DEFAULT_WORST_RATING if worst is None else worst
    best = DEFAULT_BEST_RATING if best is None else best
    if value is None or best == worst:
        return Verdict.UNPROVEN
    position = (value - worst) / (best - worst)
    if not 0.0 <= position <= 1.0:
        return Verdict.UNPROVEN  # off the scale it claims: no reading of it is safe
    if position <= NUMERIC_FALSE_AT_MOST:
        return Verdict.FALSE
    if position >= NUMERIC_TRUE_AT_LEAST:
        return Verdict.TRUE
    return Verdict.MISLEADING


def _slug(text: str, *, limit: int = MAX_ID_CHARS) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def _types(obj: dict[str, Any]) -> set[str]:
    """`@type` as bare names: "ClaimReview", "schema:ClaimReview" and full IRIs all match."""
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", v)[-1] for v in values if isinstance(v, str)}


def _is_claimreview(obj: dict[str, Any]) -> bool:
    types = _types(obj)
    return "ClaimReview" in types or (not types and "claimReviewed" in obj)


def _text(value: Any) -> str | None:
    """A non-empty string with whitespace squashed, or None."""
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _name(value: Any) -> str | None:
    """The name of an Organization/Person, a list of them (first wins) or a bare string."""
    if isinstance(value, list):
        return next((n for n in map(_name, value) if n), None)
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _host(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _language(*values: Any) -> str:
    for value in values:
        # schema.org Language objects carry the code: {"name": "English", "alternateName": "en"}
        if isinstance(value, dict):
            value = value.get("alternateName")
        if isinstance(value, str) and (found := _LANGUAGE_CODE.match(value.strip())):
            return found.group(1).lower()
    return DEFAULT_LANGUAGE


class _Feed:
    """Walks one decoded document and yields its reviews; raises errors naming `origin`."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def error(
        self, reason: str, label: str | None = None, field: str | None = None
    ) -> FactBaseError:
        return FactBaseError(reason, file=self.origin, entry=label, field=field)

    def reviews(self, data: Any) -> Iterator[_Review]:
        if isinstance(data, Iterator):  # a top-level array, decoded one element at a time
            for index, item in enumerate(data):
                yield from self._walk(item, f"[{index}]")
        elif isinstance(data, dict) and "claims" in data and not _types(data):
            yield from self._claims_search(data)
        elif isinstance(data, dict) and not self._is_container(data) and not _is_claimreview(data):
            raise self.error(
                "not a ClaimReview, a list of them, a JSON-LD @graph, a DataFeed "
                "or a Fact Check Tools claims:search response"
            )
        elif isinstance(data, dict | list):
            yield from self._walk(data, "")
        else:
            raise self.error("expected a JSON object or list of ClaimReview objects")

    @staticmethod
    def _is_container(obj: dict[str, Any]) -> bool:
        return "@graph" in obj or "DataFeed" in _types(obj)

    def _walk(self, node: Any, path: str) -> Iterator[_Review]:
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from self._walk(item, f"{path}[{index}]")
        elif isinstance(node, dict):
            if "@graph" in node:
                yield from self._walk(self._list(node, "@graph", path), f"{path}@graph")
            elif "DataFeed" in _types(node):
                elements = self._list(node, "dataFeedElement", path)
                yield from self._walk(elements, f"{path}dataFeedElement")
            elif "item" in node and not _is_claimreview(node):  # a DataFeedItem
                yield from self._walk(node["item"], f"{path}.item")
            elif _is_claimreview(node):
                yield self._claimreview(node, path or "[0]")
            # Anything else (an Organization, a WebPage, ...) is not a review: skipped.
        else:
            raise self.error("expected a JSON object", label=path or None)

    def _list(self, obj: dict[str, Any], key: str, path: str) -> list[Any]:
        value = obj.get(key)
        if not isinstance(value, list):
            raise self.error("must be a list", label=path or None, field=key)
        return value

    def _claimreview(self, obj: dict[str, Any], path: str) -> _Review:
        identifier = obj.get("identifier")
        if isinstance(identifier, dict):  # schema.org PropertyValue
            identifier = identifier.get("value")
        if isinstance(identifier, int) and not isinstance(identifier, bool):
            identifier = str(identifier)
        identifier = _text(identifier)
        label = identifier or path
        claim = _text(obj.get("claimReviewed"))
        if claim is None:
            raise self.error("a ClaimReview needs the claim text", label, "claimReviewed")
        url = self._url(obj.get("url"), label, "url")
        rating = obj.get("reviewRating")
        if isinstance(rating, list):
            rating = rating[0] if rating else None
        if rating is not None and not isinstance(rating, dict):
            raise self.error("must be a Rating object", label, "reviewRating")
        rating = rating or {}
        item = obj.get("itemReviewed")
        item = item if isinstance(item, dict) else {}
        return _Review(
            label=label,
            claim=claim,
            url=url,
            identifier=identifier,
            publisher=_name(obj.get("author")) or _name(obj.get("publisher")) or _host(url),
            title=_text(obj.get("headline")) or _text(obj.get("name")),
            rating_text=_text(rating.get("alternateName")) or _text(rating.get("name")),
            rating=rating,
            date=self._date(obj.get("datePublished"), label, "datePublished"),
            body=_text(obj.get("reviewBody")) or _text(obj.get("description")),
            language=_language(obj.get("inLanguage"), item.get("inLanguage")),
        )

    def _claims_search(self, data: dict[str, Any]) -> Iterator[_Review]:
        for c_index, claim in enumerate(self._list(data, "claims", "")):
            claim_path = f"claims[{c_index}]"
            if not isinstance(claim, dict):
                raise self.error("expected a JSON object", label=claim_path)
            text = _text(claim.get("text"))
            if text is None:
                raise self.error("a claim needs its text", claim_path, "text")
            for r_index, review in enumerate(self._list(claim, "claimReview", claim_path)):
                label = f"{claim_path}.claimReview[{r_index}]"
                if not isinstance(review, dict):
                    raise self.error("expected a JSON object", label=label)
                url = self._url(review.get("url"), label, "url")
                publisher = review.get("publisher")
                publisher = publisher if isinstance(publisher, dict) else {}
                yield _Review(
                    label=label,
                    claim=text,
                    url=url,
                    identifier=None,
                    publisher=_text(publisher.get("name"))
                    or _text(publisher.get("site"))
                    or _host(url),
                    title=_text(review.get("title")),
                    rating_text=_text(review.get("textualRating")),
                    rating={},
                    date=self._date(review.get("reviewDate"), label, "reviewDate"),
                    body=None,
                    language=_language(review.get("languageCode")),
                )

    def _url(self, value: Any, label: str, field: str) -> str:
        url = _text(value)
        if url is None:
            raise self.error("a review needs the url of the fact check", label, field)
        if not re.match(r"^https?://\S+$", url):
            raise self.error(f"not an http(s) url: {url!r}", label, field)
        return url

    def _date(self, value: Any, label: str, field: str) -> dt.date | None:
        if value is None or value == "":
            return None
        # Full timestamps ("2022-03-01T12:00:00Z") are common; the day is what a reply shows.
        if isinstance(value, str) and _DATE_PREFIX.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                pass
        raise self.error(f"not a date (expected YYYY-MM-DD): {value!r}", label, field)


def _review_id(review: _Review) -> str:
    if review.identifier and (slug := _slug(review.identifier)):
        return slug
    digest = hashlib.sha256(review.url.encode("utf-8")).hexdigest()[:URL_HASH_CHARS]
    publisher = _slug(review.publisher, limit=MAX_PUBLISHER_SLUG_CHARS) or "claimreview"
    return f"{publisher}-{digest}"


def _trim(text: str, limit: int = MAX_IMPORTED_CONTEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    # Back off to the last space so no word is cut in half; a single giant word is cut anyway.
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut[:-1]
    return head.rstrip(" ,;:-") + ELLIPSIS


def _entry(review: _Review, entry_id: str, origin: str) -> FactEntry:
    verdict = verdict_from_rating(review.rating_text, review.rating)
    rating = review.rating_text or VERDICT_NAMES[verdict].lower()
    # Feeds repeat publishers and generated contexts thousands of times: share one string each.
    context = review.body or sys.intern(f"{review.publisher} rated this claim {rating}.")
    title = review.title or DEFAULT_SOURCE_TITLE
    return FactEntry(
        id=entry_id,
        claim=review.claim,
        verdict=verdict,
        context=_trim(context),
        sources=(Source(sys.intern(review.publisher), title, review.url, review.date),),
        phrasings={sys.intern(review.language): (review.claim,)},
        tags=(IMPORTED_TAG,),
        as_of=review.date,
        origin=origin,
    )


def entries_from_claimreview(data: Any, *, origin: str) -> list[FactEntry]:
    """Turn decoded ClaimReview JSON of any published shape into fact entries, in feed order.

    Raises FactBaseError naming `origin`, the entry (identifier, or its place in the feed such as
    `claims[2].claimReview[0]`) and the field, for the first unusable review.
    """
    feed = _Feed(origin)
    entries: list[FactEntry] = []
    claims_by_id: dict[str, str] = {}
    for review in feed.reviews(data):
        base_id = entry_id = _review_id(review)
        suffix = 2
        while claims_by_id.get(entry_id, review.claim) != review.claim:
            tail = f"-{suffix}"
            entry_id = base_id[: MAX_ID_CHARS - len(tail)].rstrip("-") + tail
            suffix += 1
        if entry_id in claims_by_id:
            continue  # the same claim under the same id: a review listed twice
        claims_by_id[entry_id] = review.claim
        entries.append(_entry(review, entry_id, origin))
    if not entries:
        raise feed.error("holds no ClaimReview objects")
    return entries


def claimreview_from_entries(entries: Iterable[FactEntry]) -> list[dict[str, Any]]:
    """Export entries as schema.org ClaimReview objects, one per entry, ready for `json.dump`.

    Importing the result gives back each entry's id, verdict and claim.
    """
    exported: list[dict[str, Any]] = []
    for entry in entries:
        if not entry.sources:
            raise FactBaseError(
                "a ClaimReview needs a source url",
                file=entry.origin,
                entry=entry.id,
                field="sources",
            )
        source = entry.sources[0]
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "identifier": entry.id,
            "url": source.url,
            "claimReviewed": entry.claim,
            "author": {"@type": "Organization", "name": source.publisher},
            "headline": source.title,
            "reviewRating": {"@type": "Rating", "alternateName": VERDICT_NAMES[entry.verdict]},
        }
        if entry.as_of is not None:
            review["datePublished"] = entry.as_of.isoformat()
        if entry.context:
            review["reviewBody"] = entry.context
        exported.append(review)
    return exported
