"""Load and validate fact bases: the curated YAML entries shipped in `bot/factbase/` and
schema.org ClaimReview JSON that fact-checkers publish.

A fact base is loaded whole or not at all: any bad file raises `FactBaseError` naming the file,
the entry and the field, so a caller holding a working fact base can keep it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.claimreview import entries_from_claimreview
from bot.core.models import FactEntry, Source, Verdict
from bot.errors import FactBaseError

__all__ = [
    "BUNDLED_DIR",
    "MIN_PHRASINGS",
    "FactBase",
    "bundled_path",
    "entry_from_mapping",
    "load_bundled",
    "load_factbase",
]

BUNDLED_DIR = "factbase"
# What a curated entry must carry, per language: how people actually write the claim.
MIN_PHRASINGS = {"en": 5, "uk": 2, "ru": 2}
MIN_SOURCES = 2
MAX_CONTEXT_CHARS = 700  # "about 600": a readable chat reply, with some slack for long names
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
YAML_SUFFIXES = {".yaml", ".yml"}
# libyaml's safe loader when PyYAML was built with it: the same safe subset, several times faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
JSON_SUFFIXES = {".json", ".jsonld"}


@dataclass(frozen=True, slots=True)
class FactBase:
    """An immutable, validated set of entries with unique ids."""

    entries: tuple[FactEntry, ...]
    origin: str
    _by_id: dict[str, FactEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: dict[str, FactEntry] = {}
        for entry in self.entries:
            if entry.id in seen:
                raise FactBaseError(
                    f"duplicate id (also in {seen[entry.id].origin})",
                    file=entry.origin,
                    entry=entry.id,
                    field="id",
                )
            seen[entry.id] = entry
        object.__setattr__(self, "_by_id", seen)

    def get(self, entry_id: str) -> FactEntry | None:
        return self._by_id.get(entry_id)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[FactEntry]:
        return iter(self.entries)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class _SourceModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: Annotated[str, Field(min_length=2)]
    title: Annotated[str, Field(min_length=2)]
    url: Annotated[str, Field(pattern=r"^https?://[^\s/$.?#][^\s]*$")]
    date: dt.date

    _strip = field_validator("publisher", "title", "url", mode="before")(_strip)


class _EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=SLUG, max_length=80)]
    claim: Annotated[str, Field(min_length=8, max_length=300)]
    verdict: Verdict
    context: Annotated[str, Field(min_length=20, max_length=MAX_CONTEXT_CHARS)]
    sources: Annotated[list[_SourceModel], Field(min_length=MIN_SOURCES)]
    phrasings: dict[str, list[Annotated[str, Field(min_length=3)]]]
    tags: list[Annotated[str, Field(pattern=SLUG)]] = []
    as_of: dt.date
    keywords: list[Annotated[str, Field(min_length=2)]] = []
    excludes: list[Annotated[str, Field(min_length=2)]] = []

    @field_validator("verdict", mode="before")
    @classmethod
    def _yaml_boolean_verdict(cls, value: Any) -> Any:
        # YAML reads an unquoted `false`/`true` as a boolean; both are valid verdict names.
        if isinstance(value, bool):
            return "true" if value else "false"
        return value

    @field_validator("claim", "context", mode="before")
    @classmethod
    def _squash_whitespace(cls, value: Any) -> Any:
        return " ".join(value.split()) if isinstance(value, str) else value

    @field_validator("phrasings")
    @classmethod
    def _enough_phrasings(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for lang, minimum in MIN_PHRASINGS.items():
            if len(value.get(lang, [])) < minimum:
                raise ValueError(f"needs at least {minimum} phrasings in '{lang}'")
        for lang in value:
            if not re.fullmatch(r"[a-z]{2,3}", lang):
                raise ValueError(f"'{lang}' is not a language code such as en, uk or ru")
        return value


def entry_from_mapping(data: Any, *, origin: str) -> FactEntry:
    """Validate one curated entry (a mapping read from YAML) and build the domain value."""
    entry_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(data, dict):
        raise FactBaseError("an entry must be a mapping of fields", file=origin)
    try:
        model = _EntryModel.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise FactBaseError(first["msg"], file=origin, entry=entry_id, field=field) from exc
    return FactEntry(
        id=model.id,
        claim=model.claim,
        verdict=model.verdict,
        context=model.context,
        sources=tuple(Source(s.publisher, s.title, s.url, s.date) for s in model.sources),
        phrasings={
            lang: tuple(" ".join(t.split()) for t in texts)
            for lang, texts in model.phrasings.items()
        },
        tags=tuple(model.tags),
        as_of=model.as_of,
        keywords=tuple(model.keywords),
        excludes=tuple(model.excludes),
        origin=origin,
    )


def _load_yaml_file(path: Path) -> list[FactEntry]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except (OSError, UnicodeDecodeError) as exc:
        raise FactBaseError(f"cannot read: {exc}", file=str(path)) from exc
    except yaml.YAMLError as exc:
        raise FactBaseError(f"not valid YAML: {exc}", file=str(path)) from exc
    # One entry per file, or a topic file holding a list (optionally under `entries:`).
    if isinstance(data, dict) and "entries" in data and "id" not in data:
        data = data["entries"]
    items = data if isinstance(data, list) else [data]
    if not items or data is None:
        raise FactBaseError("holds no entries", file=str(path))
    return [entry_from_mapping(item, origin=str(path)) for item in items]


def _array_items(text: str, start: int, origin: str) -> Iterator[Any]:
    """The elements of the JSON array opening at `start`, decoded one at a time, so that a feed
    of 100,000 reviews is never held as decoded JSON and as entries at once."""
    decoder = json.JSONDecoder()
    end = len(text)

    def skip_space(pos: int) -> int:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        return pos

    pos = skip_space(start + 1)
    if pos < end and text[pos] == "]":
        return
    while True:
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise FactBaseError(f"not valid JSON: {exc}", file=origin) from exc
        yield item
        pos = skip_space(pos)
        if pos < end and text[pos] == ",":
            pos = skip_space(pos + 1)
        elif pos < end and text[pos] == "]":
            if skip_space(pos + 1) != end:
                raise FactBaseError("not valid JSON: extra data after the array", file=origin)
            return
        else:
            raise FactBaseError(f"not valid JSON: expected ',' or ']' at char {pos}", file=origin)


def _load_json_file(path: Path) -> list[FactEntry]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FactBaseError(f"cannot read: {exc}", file=str(path)) from exc
    start = len(text) - len(text.lstrip())
    if text.startswith("[", start):
        return entries_from_claimreview(_array_items(text, start, str(path)), origin=str(path))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FactBaseError(f"not valid JSON: {exc}", file=str(path)) from exc
    return entries_from_claimreview(data, origin=str(path))


def _files_under(path: Path) -> Iterable[Path]:
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES | JSON_SUFFIXES
        )
    return [path]


def load_factbase(paths: Sequence[str | Path]) -> FactBase:
    """Load YAML files/folders and ClaimReview JSON into one validated fact base."""
    entries: list[FactEntry] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise FactBaseError("no such file or folder", file=str(path))
        files = list(_files_under(path))
        if not files:
            raise FactBaseError("folder holds no .yaml, .yml or .json files", file=str(path))
        for file in files:
            if file.suffix in YAML_SUFFIXES:
                entries.extend(_load_yaml_file(file))
            elif file.suffix in JSON_SUFFIXES:
                entries.extend(_load_json_file(file))
            else:
                raise FactBaseError(
                    "unknown file type (expected .yaml, .yml, .json or .jsonld)", file=str(file)
                )
    if not entries:
        raise FactBaseError("no entries found", file=", ".join(str(p) for p in paths))
    return FactBase(tuple(entries), origin=", ".join(str(p) for p in paths))


def bundled_path() -> Path:
    """The folder of the curated fact base shipped inside the package."""
    return Path(str(resources.files("bot").joinpath(BUNDLED_DIR)))


def load_bundled() -> FactBase:
    return load_factbase([bundled_path()])
