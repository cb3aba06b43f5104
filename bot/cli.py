"""The `claimwatch` command line (also `python -m bot`).

    claimwatch check [--json] [--facts PATH ...] TEXT
    claimwatch scan [--json] [--facts PATH ...] FILE|-
    claimwatch facts validate | list [--json] | show ID | import FILE [--out DIR] | export
    claimwatch demo
    claimwatch db upgrade
    claimwatch config show|set --platform P --server ID [KEY VALUE]
    claimwatch config add|remove --platform P --server ID KEY ID...
    claimwatch stats --platform P --server ID [--json]
    claimwatch forget --platform P (--server ID | --user ID)
    claimwatch sweep

`--facts PATH` (repeatable; or CLAIMWATCH_FACTS) replaces the bundled fact base. Exit codes: 0 on
success, 2 on bad usage or bad input with one line on stderr, 1 on an unexpected failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from bot import __version__
from bot.adapters.console import (
    DEMO_PLATFORM,
    DEMO_SERVER,
    ReplayReport,
    demo_config,
    replay,
    reply_panel,
    sample_channel_path,
)
from bot.core import policy
from bot.core.claimreview import claimreview_from_entries
from bot.core.factbase import FactBase, entry_from_mapping, load_bundled, load_factbase
from bot.core.matching import Thresholds
from bot.core.models import LANGUAGES, FactEntry, GuildConfig, Match, Tier
from bot.core.reply import reply_for
from bot.core.service import ClaimwatchService, ServerStats
from bot.errors import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    ClaimwatchError,
    FactBaseError,
    InputFormatError,
    exit_code_of,
)
from bot.ingest import read_messages
from bot.settings import Settings, environment, load_settings
from bot.storage import SQLITE_FILE, SqlStore, open_store
from bot.storage.memory import MemoryStore
from bot.storage.sql import current_revision
from bot.web import DEFAULT_HOST as WEB_HOST
from bot.web import DEFAULT_PORT as WEB_PORT

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "PROGRAM", "build_parser", "main"]

PROGRAM = "claimwatch"
EXIT_INTERRUPTED = 130  # the shell convention for Ctrl-C
PROGRESS_MIN_MESSAGES = 200  # shorter scans finish before a progress bar is worth drawing
EXCERPT_CHARS = 100  # message text shown per line in the scan report
CLAIM_EXCERPT_CHARS = 70
EXPORT_FORMATS = ("claimreview",)
YAML_WIDTH = 100
AUTHOR_FIELDS = ("author", "user_name", "user")  # JSON Lines / Discord, then Slack
PLATFORMS = ("discord", "slack", "console")

T = TypeVar("T")

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, "_Io"], int]


class _UsageError(Exception):
    """argparse's complaint, raised instead of printing usage and exiting."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line instead of argparse's usage block; name the subcommand when there is one.
        command = self.prog.removeprefix(PROGRAM).strip()
        raise _UsageError(f"{command}: {message}" if command else message)


class _Io:
    """Where a command writes: rich consoles for people, raw stdout for JSON."""

    def __init__(self) -> None:
        self.out = Console(file=sys.stdout, highlight=False)
        self.err = Console(file=sys.stderr, highlight=False)

    @staticmethod
    def json_line(value: Any) -> None:
        sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")

    @staticmethod
    def json_document(value: Any) -> None:
        sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


# --- shared helpers ------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _excerpt(text: str, limit: int) -> str:
    flat = _one_line(text)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _factbase(args: argparse.Namespace, settings: Settings) -> FactBase:
    # --facts after the command, before it, or both; else CLAIMWATCH_FACTS; else bundled.
    given = [*(args.global_facts or []), *(getattr(args, "facts", None) or [])]
    paths: Sequence[str | Path] = given or settings.facts
    return load_factbase(paths) if paths else load_bundled()


def _service(args: argparse.Namespace) -> ClaimwatchService:
    # One-shot commands keep nothing between runs: an in-memory store is all they need.
    return ClaimwatchService(factbase=_factbase(args, args.settings), store=MemoryStore())


def _with_store(
    settings: Settings,
    work: Callable[[SqlStore], Awaitable[T]],
    *,
    url: str | None = None,
    sqlite_default: bool = False,
) -> T:
    """Open the configured store (migrating it), run `work`, close the store."""

    async def run() -> T:
        store = await open_store(
            None if sqlite_default else (url or settings.database), data_dir=settings.data_dir
        )
        try:
            return await work(store)
        finally:
            await store.aclose()

    return asyncio.run(run())


def _stored_service(
    args: argparse.Namespace,
    work: Callable[[ClaimwatchService], Awaitable[T]],
    *,
    factbase: FactBase | None = None,
) -> T:
    """Run `work` with a service on the configured store (SQLite by default, or DATABASE_URL)."""
    factbase = factbase or _factbase(args, args.settings)

    async def with_service(store: SqlStore) -> T:
        return await work(ClaimwatchService(factbase=factbase, store=store))

    return _with_store(args.settings, with_service)


def _match_fields(match: Match) -> dict[str, Any]:
    """The per-message result fields of `check --json` and `scan --json`."""
    entry = match.entry
    return {
        "alert": match.alert,
        "tier": match.tier.value,
        "claim_id": match.claim_id,
        "score": match.score,
        "stance": match.stance.value,
        "verdict": entry.verdict.value if entry is not None and match.claim_id else None,
        "phrasing": match.phrasing,
        "terms": list(match.terms),
    }


def _entry_summary(entry: FactEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "claim": entry.claim,
        "verdict": entry.verdict.value,
        "languages": list(entry.languages),
        "tags": list(entry.tags),
        "as_of": entry.as_of.isoformat() if entry.as_of else None,
        "sources": len(entry.sources),
    }


def _entry_document(entry: FactEntry) -> dict[str, Any]:
    """An entry in the curated YAML layout (also `facts show --json`)."""
    document: dict[str, Any] = {
        "id": entry.id,
        "claim": entry.claim,
        "verdict": entry.verdict.value,
        "context": entry.context,
        "sources": [
            {
                "publisher": s.publisher,
                "title": s.title,
                "url": s.url,
                **({"date": s.date} if s.date is not None else {}),
            }
            for s in entry.sources
        ],
        "phrasings": {lang: list(texts) for lang, texts in entry.phrasings.items()},
    }
    if entry.keywords:
        document["keywords"] = list(entry.keywords)
    if entry.excludes:
        document["excludes"] = list(entry.excludes)
    document["tags"] = list(entry.tags)
    if entry.as_of is not None:
        document["as_of"] = entry.as_of
    return document


def _jsonable(document: dict[str, Any]) -> Any:
    return json.loads(json.dumps(document, default=str))


# --- check -------------------------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace, io: _Io) -> int:
    match = _service(args).check(args.text)
    if args.json:
        io.json_line({"text": args.text, **_match_fields(match)})
        return EXIT_OK
    entry = match.entry
    if entry is None:
        io.out.print("No match: the fact base has nothing on this.")
    elif match.tier is Tier.NONE:
        io.out.print(
            f"No alert: closest entry {entry.id} (score {match.score:.0f}, "
            f"{match.stance.value}) is below the thresholds or the message does not assert it."
        )
    else:
        verdict = "ALERT: would reply" if match.alert else "SUGGEST: would ask the moderators"
        io.out.print(
            Text(f"{verdict} · {entry.id} · score {match.score:.0f} · {match.stance.value}")
        )
        io.out.print(reply_panel(reply_for(match), width=min(io.out.width, 96)))
    return EXIT_OK


# --- scan --------------------------------------------------------------------------------------


def _author(fields: dict[str, Any]) -> str:
    for name in AUTHOR_FIELDS:
        value = fields.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _cmd_scan(args: argparse.Namespace, io: _Io) -> int:
    service = _service(args)
    if args.json:
        # Streamed: a large export is never held in memory, and results appear as they come.
        for fields in read_messages(args.file):
            io.json_line({**fields, **_match_fields(service.check(fields["text"]))})
        return EXIT_OK

    messages = list(read_messages(args.file))
    found: list[tuple[int, dict[str, Any], Match]] = []
    show_progress = len(messages) > PROGRESS_MIN_MESSAGES and io.err.is_terminal
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=io.err,
        transient=True,
        disable=not show_progress,
    ) as progress:
        for number, fields in enumerate(progress.track(messages, description="scanning"), start=1):
            match = service.check(fields["text"])
            if match.tier is not Tier.NONE:
                found.append((number, fields, match))

    if found:
        table = Table(title=f"Matches in {args.file}", title_justify="left")
        for column in ("#", "tier", "claim", "score", "author", "message"):
            table.add_column(column, justify="right" if column in ("#", "score") else "left")
        for number, fields, match in found:
            table.add_row(
                str(number),
                Text(match.tier.value, style="bold red" if match.alert else "yellow"),
                match.claim_id or "",
                f"{match.score:.0f}",
                Text(_author(fields)),
                Text(_excerpt(fields["text"], EXCERPT_CHARS)),
            )
        io.out.print(table)
    alerts = sum(1 for _, _, match in found if match.alert)
    io.out.print(
        f"Scanned {len(messages)} messages: {alerts} alerts, "
        f"{len(found) - alerts} suggestions ({len(service.factbase)} fact-base entries)."
    )
    return EXIT_OK


# --- facts -------------------------------------------------------------------------------------


def _cmd_facts_validate(args: argparse.Namespace, io: _Io) -> int:
    factbase = _factbase(args, args.settings)
    io.out.print(Text(f"OK: {len(factbase)} entries ({factbase.origin})"))
    return EXIT_OK


def _cmd_facts_list(args: argparse.Namespace, io: _Io) -> int:
    factbase = _factbase(args, args.settings)
    if args.json:
        io.json_document([_entry_summary(entry) for entry in factbase])
        return EXIT_OK
    table = Table()
    for column in ("id", "verdict", "languages", "tags", "as of"):
        table.add_column(column)
    for entry in factbase:
        table.add_row(
            entry.id,
            entry.verdict.value,
            ",".join(entry.languages),
            ",".join(entry.tags),
            entry.as_of.isoformat() if entry.as_of else "",
        )
    io.out.print(table)
    io.out.print(f"{len(factbase)} entries")
    return EXIT_OK


def _cmd_facts_show(args: argparse.Namespace, io: _Io) -> int:
    factbase = _factbase(args, args.settings)
    entry = factbase.get(args.id)
    if entry is None:
        raise FactBaseError("no entry with this id in the fact base", entry=args.id)
    if args.json:
        io.json_document(_jsonable(_entry_document(entry)))
        return EXIT_OK
    out = io.out
    out.print(Text(entry.id, style="bold"))
    out.print(Text(f"claim:   {entry.claim}"))
    out.print(Text(f"verdict: {entry.verdict.value}"))
    out.print(Text(f"as of:   {entry.as_of.isoformat() if entry.as_of else '-'}"))
    out.print(Text(f"tags:    {', '.join(entry.tags) or '-'}"))
    out.print(Text(f"context: {entry.context}"))
    out.print("sources:")
    for source in entry.sources:
        date = f" ({source.date.isoformat()})" if source.date else ""
        out.print(Text(f"  • {source.publisher} — {source.title}{date} <{source.url}>"))
    out.print("phrasings:")
    for lang, texts in entry.phrasings.items():
        for text in texts:
            out.print(Text(f"  [{lang}] {text}"))
    return EXIT_OK


class _PlainDumper(yaml.SafeDumper):
    """Writes shared values (a source date that is also `as_of`) in full, never as &anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _yaml_dump(document: dict[str, Any]) -> str:
    return yaml.dump(
        document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=YAML_WIDTH
    )


def _curation_gap(document: dict[str, Any], origin: str) -> str | None:
    """Why a written entry would not load as a curated one (imports carry one phrasing)."""
    try:
        entry_from_mapping(yaml.safe_load(_yaml_dump(document)), origin=origin)
    except FactBaseError as exc:
        return f"{exc.field or 'entry'}: {exc.reason}"
    return None


def _cmd_facts_import(args: argparse.Namespace, io: _Io) -> int:
    entries = list(load_factbase([args.file]))
    # Check the target before printing anything: a refused import leaves only the error line.
    files = None if args.out is None else _planned_files(entries, Path(args.out), args.force)
    verdicts = Counter(entry.verdict.value for entry in entries)
    table = Table(title=f"{len(entries)} entries in {args.file}", title_justify="left")
    for column in ("id", "verdict", "languages", "claim"):
        table.add_column(column)
    for entry in entries:
        table.add_row(
            entry.id,
            entry.verdict.value,
            ",".join(entry.languages),
            Text(_excerpt(entry.claim, CLAIM_EXCERPT_CHARS)),
        )
    io.out.print(table)
    io.out.print(", ".join(f"{name}: {count}" for name, count in sorted(verdicts.items())))
    if files is None:
        io.out.print("Nothing written (use --out DIR to write the entries as YAML files).")
        return EXIT_OK
    _write_files(files, Path(args.out), io=io)
    return EXIT_OK


def _planned_files(
    entries: Iterable[FactEntry], out: Path, force: bool
) -> list[tuple[Path, dict[str, Any]]]:
    """One curated YAML document per entry, after checking none would clobber a file."""
    files = [(out / f"{entry.id}.yaml", _entry_document(entry)) for entry in entries]
    if out.exists() and not out.is_dir():
        raise InputFormatError(f"--out {out}: exists and is not a folder")
    taken = [path for path, _ in files if path.exists()]
    if taken and not force:
        # Curated files are hand work; an import must never replace them by accident.
        raise InputFormatError(
            f"{taken[0]} already exists ({len(taken)} of {len(files)} files would be "
            "overwritten; use --force to replace them)"
        )
    return files


def _write_files(files: list[tuple[Path, dict[str, Any]]], out: Path, *, io: _Io) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        for path, document in files:
            path.write_text(_yaml_dump(document), encoding="utf-8")
    except OSError as exc:
        raise InputFormatError(f"--out {out}: cannot write ({exc.strerror or exc})") from exc
    io.out.print(Text(f"Wrote {len(files)} YAML files to {out}"))
    gaps = [(path, gap) for path, doc in files if (gap := _curation_gap(doc, str(path)))]
    if gaps:
        path, gap = gaps[0]
        io.out.print(
            Text(
                f"{len(gaps)} of them need curating before they load as a fact base "
                f"(e.g. {path.name}: {gap}); until then load the original file with --facts."
            )
        )


def _cmd_facts_export(args: argparse.Namespace, io: _Io) -> int:
    factbase = _factbase(args, args.settings)
    reviews = claimreview_from_entries(factbase)
    if args.out is None:
        io.json_document(reviews)
        return EXIT_OK
    out = Path(args.out)
    try:
        out.write_text(json.dumps(reviews, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputFormatError(f"--out {out}: cannot write ({exc.strerror or exc})") from exc
    io.out.print(Text(f"Wrote {len(reviews)} ClaimReview objects to {out}"))
    return EXIT_OK


# --- demo --------------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace, io: _Io) -> int:
    factbase = _factbase(args, args.settings)

    async def run(store: SqlStore) -> ReplayReport:
        service = ClaimwatchService(factbase=factbase, store=store)
        # A replay of the same sample starts afresh: yesterday's replies would otherwise make
        # today's messages duplicates.
        await service.forget(DEMO_PLATFORM, DEMO_SERVER)
        config = demo_config(language=args.language)
        return await replay(sample_channel_path(), service=service, console=io.out, config=config)

    # Always the embedded default, never a DATABASE_URL that may be a production database.
    report = _with_store(args.settings, run, sqlite_default=True)
    io.out.print()
    io.out.print(
        f"{report.messages} messages: {report.replies} replies, "
        f"{report.suggestions} sent to moderators, {report.approved} approved."
    )
    where = args.settings.data_dir / SQLITE_FILE
    io.out.print(
        Text(
            f"Stored in {where} (SQLite); `claimwatch stats --platform {DEMO_PLATFORM} "
            f"--server {DEMO_SERVER}` counts what the demo did."
        )
    )
    return EXIT_OK


# --- database, configuration, stats, privacy ---------------------------------------------------


def _cmd_db_upgrade(args: argparse.Namespace, io: _Io) -> int:
    settings: Settings = args.settings

    async def revision(store: SqlStore) -> tuple[str, str | None]:
        url = store.engine.url.render_as_string(hide_password=True)
        return url, await current_revision(store.engine)

    url, reached = _with_store(settings, revision)  # opening the store migrates it
    io.out.print(Text(f"Database {url} is at revision {reached} (latest)."))
    return EXIT_OK


def _config_rows(config: GuildConfig) -> list[tuple[str, Any, bool]]:
    defaults = policy.config_values(GuildConfig())
    return [(k, v, v == defaults[k]) for k, v in policy.config_values(config).items()]


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return str(value)


def _print_config(
    io: _Io, args: argparse.Namespace, config: GuildConfig, calibrated: Thresholds
) -> None:
    table = Table(title=f"{args.platform} server {args.server}", title_justify="left")
    for column in ("setting", "value", ""):
        table.add_column(column)
    # An unset threshold follows the matcher's calibration: show the value in effect.
    in_effect = policy.thresholds_for(config, calibrated)
    effective = {"alert_threshold": in_effect.alert, "suggest_threshold": in_effect.suggest}
    for key, value, is_default in _config_rows(config):
        shown = f"{effective[key]:g} (calibrated)" if value is None and key in effective else None
        table.add_row(key, Text(shown or _shown(value)), "default" if is_default else "")
    io.out.print(table)


def _cmd_config_show(args: argparse.Namespace, io: _Io) -> int:
    async def show(service: ClaimwatchService) -> tuple[GuildConfig, Thresholds]:
        return await service.get_config(args.platform, args.server), service.matcher.thresholds

    config, calibrated = _stored_service(args, show)
    if args.json:
        io.json_document(policy.config_values(config))
        return EXIT_OK
    _print_config(io, args, config, calibrated)
    return EXIT_OK


def _cmd_config_set(args: argparse.Namespace, io: _Io) -> int:
    changes = {args.key: args.value}
    # Refuse a bad value before touching the database (the service checks it again, with the
    # stored settings it must agree with).
    tags = {tag for entry in _factbase(args, args.settings) for tag in entry.tags}
    policy.parse_config_changes(changes, known_tags=tags)
    config = _stored_service(args, lambda s: s.update_config(args.platform, args.server, **changes))
    value = policy.config_values(config)[args.key]
    io.out.print(Text(f"{args.platform} server {args.server}: {args.key} = {_shown(value)}"))
    return EXIT_OK


def _cmd_config_edit(args: argparse.Namespace, io: _Io) -> int:
    ids = {"add": args.ids} if args.action == "add" else {"remove": args.ids}
    config = _stored_service(
        args, lambda s: s.edit_list(args.platform, args.server, args.key, **ids)
    )
    value = policy.config_values(config)[args.key]
    io.out.print(Text(f"{args.platform} server {args.server}: {args.key} = {_shown(value)}"))
    return EXIT_OK


def _stats_document(stats: ServerStats) -> dict[str, Any]:
    return {
        "alerts": stats.alerts,
        "suggestions": stats.suggestions,
        "approved": stats.approved,
        "dismissed": stats.dismissed,
        "per_claim": stats.per_claim,
        "feedback": stats.feedback,
        "moderator_precision": stats.moderator_precision,
    }


def _cmd_stats(args: argparse.Namespace, io: _Io) -> int:
    stats = _stored_service(args, lambda s: s.stats(args.platform, args.server))
    if args.json:
        io.json_document(_stats_document(stats))
        return EXIT_OK
    precision = f"{stats.moderator_precision:.0%}" if stats.moderator_precision is not None else "-"
    io.out.print(Text(f"{args.platform} server {args.server}", style="bold"))
    io.out.print(
        f"replies: {stats.alerts} · sent to moderators: {stats.suggestions} · "
        f"approved: {stats.approved} · dismissed: {stats.dismissed} · "
        f"moderator precision: {precision}"
    )
    if stats.feedback:
        io.out.print("feedback: " + ", ".join(f"{vote} {n}" for vote, n in stats.feedback.items()))
    if stats.per_claim:
        table = Table(title="Replies per claim", title_justify="left")
        table.add_column("claim")
        table.add_column("replies", justify="right")
        for claim_id, count in sorted(stats.per_claim.items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(claim_id, str(count))
        io.out.print(table)
    return EXIT_OK


def _cmd_forget(args: argparse.Namespace, io: _Io) -> int:
    if args.server is not None:
        _stored_service(args, lambda s: s.forget(args.platform, args.server))
        io.out.print(Text(f"Deleted everything stored about {args.platform} server {args.server}."))
    else:
        _stored_service(args, lambda s: s.forget_user(args.platform, args.user))
        io.out.print(Text(f"Deleted what was stored about {args.platform} user {args.user}."))
    return EXIT_OK


def _cmd_sweep(args: argparse.Namespace, io: _Io) -> int:
    deleted = _stored_service(args, lambda s: s.sweep())
    io.out.print(f"Retention sweep: {deleted} records deleted.")
    return EXIT_OK


# --- running the bots ---------------------------------------------------------------------------


def _service_on_store(
    settings: Settings, factbase: FactBase
) -> Callable[[], contextlib.AbstractAsyncContextManager[tuple[ClaimwatchService, SqlStore]]]:
    """A factory the bots call inside their own event loop: the service on the configured store,
    which opens (and migrates) with the bot, keeps each server's retention while it runs and
    closes when it stops."""

    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[tuple[ClaimwatchService, SqlStore]]:
        async with await open_store(settings.database, data_dir=settings.data_dir) as store:
            service = ClaimwatchService(factbase=factbase, store=store)
            retention = asyncio.create_task(service.keep_retention(), name="retention sweep")
            try:
                yield service, store
            finally:
                retention.cancel()
                # Waits without re-raising: whatever ended the task must not mask how the bot
                # itself stopped (nor may a cancelled wait swallow the bot's own cancellation).
                await asyncio.wait({retention})
                if not retention.cancelled() and (error := retention.exception()) is not None:
                    log.error("retention sweeps had stopped", exc_info=error)

    return opened


def _freeze_heap() -> None:
    # The fact base and its index live as long as the bot: keep the garbage collector from
    # walking them again and again, which would stall the event loop for milliseconds.
    gc.collect()
    gc.freeze()


def _cmd_run_discord(args: argparse.Namespace, io: _Io) -> int:
    from bot.adapters import discord as discord_bot  # discord.py loads only when needed

    settings: Settings = args.settings
    opened = _service_on_store(settings, _factbase(args, settings))

    @contextlib.asynccontextmanager
    async def service() -> AsyncIterator[ClaimwatchService]:
        async with opened() as (claimwatch, _store):
            yield claimwatch

    token = settings.discord_token.get_secret_value() if settings.discord_token else None
    _freeze_heap()
    return discord_bot.run(
        token=token, service_factory=service, shard_ids=args.shard_ids, shard_count=args.shard_count
    )


def _cmd_run_slack(args: argparse.Namespace, io: _Io) -> int:
    from bot.adapters import slack as slack_app  # slack-bolt loads only when needed

    settings: Settings = args.settings
    opened = _service_on_store(settings, _factbase(args, settings))

    @contextlib.asynccontextmanager
    async def backend() -> AsyncIterator[slack_app.Backend]:
        async with opened() as (claimwatch, store):
            yield slack_app.Backend(claimwatch, store)

    _freeze_heap()
    return slack_app.run(
        settings=slack_app.SlackSettings.from_env(environment()),
        service_factory=backend,
        http=args.http,
        host=args.host,
        port=args.port,
    )


# --- parser and entry point --------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `claimwatch` (errors raise instead of exiting)."""
    facts = _Parser(add_help=False)
    facts.add_argument(
        "--facts",
        action="append",
        metavar="PATH",
        help="fact-base file or folder replacing the bundled one (repeatable)",
    )
    as_json = _Parser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="machine-readable output")

    parser = _Parser(prog=PROGRAM, description="Spot known war claims in chat and add context.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--facts", action="append", dest="global_facts", metavar="PATH", help=argparse.SUPPRESS
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        sub: Any, name: str, handler: Handler, help_text: str, *parents: argparse.ArgumentParser
    ) -> argparse.ArgumentParser:
        cmd: argparse.ArgumentParser = sub.add_parser(
            name, help=help_text, description=help_text, parents=list(parents)
        )
        cmd.set_defaults(handler=handler)
        return cmd

    check = command(commands, "check", _cmd_check, "check one message", as_json, facts)
    check.add_argument("text", metavar="TEXT")
    scan = command(commands, "scan", _cmd_scan, "scan a chat export or JSON Lines", as_json, facts)
    scan.add_argument("file", metavar="FILE|-", help="JSON Lines, Discord/Slack export, - = stdin")
    demo = command(commands, "demo", _cmd_demo, "replay a sample channel in the terminal", facts)
    demo.add_argument(
        "--language", choices=LANGUAGES, default="en", help="the language of the bot's replies"
    )

    facts_cmd = commands.add_parser("facts", help="inspect, import and export the fact base")
    actions = facts_cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    command(actions, "validate", _cmd_facts_validate, "load and validate the fact base", facts)
    command(actions, "list", _cmd_facts_list, "list the entries", as_json, facts)
    show = command(actions, "show", _cmd_facts_show, "show one entry", as_json, facts)
    show.add_argument("id", metavar="ID")
    imp = command(actions, "import", _cmd_facts_import, "read ClaimReview JSON")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--out", metavar="DIR", help="write the entries as curated YAML files")
    imp.add_argument("--force", action="store_true", help="overwrite existing files in DIR")
    export = command(actions, "export", _cmd_facts_export, "write the fact base", facts)
    export.add_argument("--format", choices=EXPORT_FORMATS, default=EXPORT_FORMATS[0])
    export.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")

    server = _Parser(add_help=False)
    server.add_argument("--platform", required=True, choices=PLATFORMS)
    server.add_argument("--server", required=True, metavar="ID", help="server or workspace id")

    db = commands.add_parser("db", help="the database (DATABASE_URL, default SQLite)")
    db_actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    command(db_actions, "upgrade", _cmd_db_upgrade, "create or migrate the database schema")

    config = commands.add_parser("config", help="a server's moderator settings")
    config_actions = config.add_subparsers(dest="action", required=True, metavar="ACTION")
    command(config_actions, "show", _cmd_config_show, "show the settings", server, as_json, facts)
    config_set = command(
        config_actions,
        "set",
        _cmd_config_set,
        "change one setting (docs/settings.md)",
        server,
        facts,
    )
    config_set.add_argument("key", metavar="KEY", choices=policy.CONFIG_FIELDS)
    config_set.add_argument("value", metavar="VALUE", help="lists: comma-separated; '' = none")
    for action, help_text in (("add", "add ids to a list setting"), ("remove", "take ids off it")):
        edit = command(config_actions, action, _cmd_config_edit, help_text, server, facts)
        edit.add_argument("key", metavar="KEY", choices=policy.LIST_FIELDS)
        edit.add_argument("ids", metavar="ID", nargs="+")

    command(commands, "stats", _cmd_stats, "what the bot did on a server", server, as_json, facts)
    forget = command(
        commands, "forget", _cmd_forget, "delete what is stored about a server or user", facts
    )
    forget.add_argument("--platform", required=True, choices=PLATFORMS)
    who = forget.add_mutually_exclusive_group(required=True)
    who.add_argument("--server", metavar="ID", help="everything about this server or workspace")
    who.add_argument("--user", metavar="ID", help="this user's records on every server")
    command(
        commands, "sweep", _cmd_sweep, "delete records older than each server's retention", facts
    )

    run = commands.add_parser("run", help="run the bot on Discord or Slack")
    platforms = run.add_subparsers(dest="platform", required=True, metavar="PLATFORM")
    discord_cmd = command(
        platforms, "discord", _cmd_run_discord, "run the Discord bot (docs/discord.md)", facts
    )
    discord_cmd.add_argument(
        "--shard-ids", type=int, nargs="+", metavar="N", help="run only these shards"
    )
    discord_cmd.add_argument(
        "--shard-count", type=int, metavar="N", help="how many shards the bot has in all"
    )
    slack_cmd = command(
        platforms, "slack", _cmd_run_slack, "run the Slack app (docs/slack.md)", facts
    )
    slack_cmd.add_argument(
        "--http", action="store_true", help="serve /slack/events over HTTP instead of Socket Mode"
    )
    slack_cmd.add_argument("--host", default=WEB_HOST, help=f"HTTP address (default {WEB_HOST})")
    slack_cmd.add_argument(
        "--port",
        type=int,
        default=WEB_PORT,
        help=f"HTTP port, health endpoints included (default {WEB_PORT})",
    )
    return parser


def _fail(message: str) -> None:
    sys.stderr.write(f"{PROGRAM}: error: {_one_line(message)}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        _fail(str(exc))
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK

    try:
        args.settings = load_settings()
        logging.basicConfig(
            level=args.settings.log_level,
            stream=sys.stderr,
            format="%(levelname)s %(name)s: %(message)s",
        )
        if args.settings.log_level != "DEBUG":
            # Alembic narrates every migration step at INFO; `db upgrade` reports the outcome.
            logging.getLogger("alembic").setLevel(logging.WARNING)
            # slack_sdk narrates every retry at INFO; the Slack adapter logs the waits that matter.
            logging.getLogger("slack_sdk.web").setLevel(logging.WARNING)
        handler: Handler = args.handler
        return handler(args, _Io())
    except ClaimwatchError as exc:
        _fail(str(exc))
        return exit_code_of(exc)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`claimwatch scan x --json | head`): not an error worth a word.
        return EXIT_OK
    except OSError as exc:
        _fail(f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}")
        return EXIT_USAGE
    except Exception as exc:  # never a traceback for the user; the log keeps it
        log.debug("unexpected failure", exc_info=True)
        _fail(f"unexpected {type(exc).__name__}: {exc} (CLAIMWATCH_LOG_LEVEL=DEBUG shows details)")
        return EXIT_FAILURE
