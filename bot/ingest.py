"""Read chat messages to scan from files: JSON Lines, DiscordChatExporter JSON and Slack exports.

`read_messages` detects the format and yields one dict per message, in input order, each with at
least a `text` string:

* JSON Lines (also from standard input, `-`): one object per line with a string `text`; all
  other fields are kept. Streamed line by line, so a huge file is never held in memory.
* DiscordChatExporter JSON (`{"guild", "channel", "messages": [...]}`): `text` is the message
  content; kept: id, type, timestamp, author, author_id, author_is_bot, channel, guild.
* Slack export, a folder or a .zip holding `channels.json` (and optionally `users.json`) with one
  folder of `YYYY-MM-DD.json` day files per channel: channels in name order, days in date order,
  messages in `ts` order; kept: channel, ts, user, user_name, subtype, bot_id, thread_ts.

Every message is yielded, system and bot messages included (with empty `text` where there is
none): the fields above let the caller decide what to skip.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from bot.errors import InputFormatError

__all__ = ["STDIN", "read_messages"]

STDIN = "-"
SLACK_CHANNELS_FILE = "channels.json"
SLACK_USERS_FILE = "users.json"
SLACK_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
BOM = "\ufeff"
FORMATS_HINT = (
    "expected JSON Lines, a DiscordChatExporter .json export or a Slack export folder/.zip"
)


def read_messages(source: str | Path | TextIO) -> Iterator[dict[str, Any]]:
    """Yield the messages of `source`: a path, `-` for standard input, or an open text stream.

    Raises InputFormatError with a one-line reason (`line N: ...` for JSON Lines) when the input
    cannot be read. Nothing is opened until the first message is asked for.
    """
    if isinstance(source, str) and source == STDIN:
        yield from _read_text(sys.stdin)
        return
    if not isinstance(source, str | Path):
        yield from _read_text(source)
        return
    path = Path(source)
    if path.is_dir():
        yield from _read_slack(_FolderExport(path))
    elif not path.is_file():
        raise InputFormatError(f"no such file or folder: {path}")
    elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputFormatError(f"{path}: not a readable zip archive ({exc})") from exc
        with archive:
            yield from _read_slack(_ZipExport(archive, str(path)))
    else:
        try:
            with path.open(encoding="utf-8-sig") as stream:
                yield from _read_text(stream)
        except OSError as exc:
            raise InputFormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc


# --- JSON Lines, and a DiscordChatExporter export read from the same text stream ---------------


def _read_text(stream: TextIO) -> Iterator[dict[str, Any]]:
    try:
        yield from _read_text_unchecked(stream)
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _read_text_unchecked(stream: TextIO) -> Iterator[dict[str, Any]]:
    numbered = enumerate(stream, start=1)
    for number, line in numbered:
        # A byte-order mark only survives on standard input; files are opened as utf-8-sig.
        first = line.removeprefix(BOM).strip() if number == 1 else line.strip()
        if first:
            break
    else:
        return  # empty input: no messages
    if first.startswith("["):
        raise InputFormatError(
            f"line {number}: a JSON array, not one object per line "
            "(a Slack export is read from its folder or .zip)"
        )
    try:
        value = json.loads(first)
    except json.JSONDecodeError as exc:
        if not first.startswith("{"):
            raise InputFormatError(f"line {number}: not valid JSON ({FORMATS_HINT})") from exc
        # An object spread over several lines: the one such file we read is a Discord export,
        # which has to be parsed whole anyway.
        rest = "".join(line for _, line in numbered)
        yield from _discord_document(first + "\n" + rest, first_line=number)
        return
    if _is_discord_export(value):
        yield from _discord_messages(value)
        return
    yield _jsonl_checked(number, value)
    for number, line in numbered:
        if line.strip():
            yield _jsonl_message(number, line)


def _jsonl_message(number: int, line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputFormatError(f"line {number}: not valid JSON ({exc.msg})") from exc
    return _jsonl_checked(number, value)


def _jsonl_checked(number: int, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputFormatError(f'line {number}: expected a JSON object with a "text" field')
    if not isinstance(value.get("text"), str):
        raise InputFormatError(f'line {number}: no string "text" field')
    return value


def _is_discord_export(value: Any) -> bool:
    return (
        isinstance(value, dict) and "messages" in value and ("channel" in value or "guild" in value)
    )


def _discord_document(document: str, *, first_line: int) -> Iterator[dict[str, Any]]:
    try:
        value = json.loads(document)
    except json.JSONDecodeError as exc:
        line = first_line + exc.lineno - 1
        raise InputFormatError(f"line {line}: not valid JSON ({exc.msg})") from exc
    if not _is_discord_export(value):
        raise InputFormatError(
            f"line {first_line}: a JSON object over several lines but not a DiscordChatExporter "
            'export (no "messages" with "channel"/"guild"); JSON Lines needs one object '
            "per line"
        )
    yield from _discord_messages(value)


def _display_name(value: Any) -> Any:
    return value.get("name") if isinstance(value, dict) else None


def _discord_messages(export: dict[str, Any]) -> Iterator[dict[str, Any]]:
    messages = export["messages"]
    if not isinstance(messages, list):
        raise InputFormatError('Discord export: "messages" is not a list')
    guild = _display_name(export.get("guild"))
    channel = _display_name(export.get("channel"))
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            raise InputFormatError(f"Discord export: message {number} is not a JSON object")
        content = message.get("content")
        if not isinstance(content, str):
            raise InputFormatError(
                f'Discord export: message {number} (id {message.get("id")}) has no string "content"'
            )
        author = message.get("author")
        author = author if isinstance(author, dict) else {}
        yield {
            "text": content,
            "id": message.get("id"),
            "type": message.get("type"),
            "timestamp": message.get("timestamp"),
            "author": author.get("name"),
            "author_id": author.get("id"),
            "author_is_bot": bool(author.get("isBot", False)),
            "channel": channel,
            "guild": guild,
        }


# --- Slack export: a folder or a zip of the same layout -----------------------------------------


class _SlackExport(ABC):
    """The files of a Slack export, addressed by their path relative to `channels.json`."""

    label: str  # the folder or zip, for error messages

    @abstractmethod
    def exists(self, relative: str) -> bool: ...

    @abstractmethod
    def read_bytes(self, relative: str) -> bytes: ...

    @abstractmethod
    def day_files(self, channel: str) -> list[str]:
        """Names of the channel's `YYYY-MM-DD.json` files, in any order."""

    def read_json(self, relative: str) -> Any:
        try:
            return json.loads(self.read_bytes(relative).decode("utf-8-sig"))
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise InputFormatError(f"{self.label}: cannot read {relative} ({exc})") from exc
        except UnicodeDecodeError as exc:
            raise InputFormatError(f"{self.label}: {relative} is not UTF-8 text") from exc
        except json.JSONDecodeError as exc:
            raise InputFormatError(
                f"{self.label}: {relative}: not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from exc


class _FolderExport(_SlackExport):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)

    def exists(self, relative: str) -> bool:
        return (self.root / relative).is_file()

    def read_bytes(self, relative: str) -> bytes:
        return (self.root / relative).read_bytes()

    def day_files(self, channel: str) -> list[str]:
        folder = self.root / channel
        if not folder.is_dir():
            return []  # Slack writes no folder for a channel without messages
        return [p.name for p in folder.iterdir() if p.is_file() and SLACK_DAY_FILE.match(p.name)]


class _ZipExport(_SlackExport):
    def __init__(self, archive: zipfile.ZipFile, label: str) -> None:
        self.archive = archive
        self.label = label
        self.names = set(archive.namelist())
        # Some tools zip the export inside a top folder; everything is relative to channels.json.
        candidates = sorted(
            (n for n in self.names if PurePosixPath(n).name == SLACK_CHANNELS_FILE),
            key=lambda n: (n.count("/"), n),
        )
        self.prefix = candidates[0].removesuffix(SLACK_CHANNELS_FILE) if candidates else ""

    def exists(self, relative: str) -> bool:
        return self.prefix + relative in self.names

    def read_bytes(self, relative: str) -> bytes:
        return self.archive.read(self.prefix + relative)

    def day_files(self, channel: str) -> list[str]:
        folder = f"{self.prefix}{channel}/"
        return [
            name.removeprefix(folder)
            for name in self.archive.namelist()
            if name.startswith(folder) and SLACK_DAY_FILE.match(name.removeprefix(folder))
        ]


def _slack_user_names(export: _SlackExport) -> dict[str, str]:
    if not export.exists(SLACK_USERS_FILE):
        return {}
    users = export.read_json(SLACK_USERS_FILE)
    if not isinstance(users, list):
        raise InputFormatError(f"{export.label}: {SLACK_USERS_FILE} is not a list of users")
    names: dict[str, str] = {}
    for user in users:
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            continue  # a user we cannot key is only a missing display name, not a broken export
        profile = user.get("profile")
        profile = profile if isinstance(profile, dict) else {}
        # The name people see in Slack first, the account handle last.
        for candidate in (profile.get("display_name"), user.get("real_name"), user.get("name")):
            if isinstance(candidate, str) and candidate.strip():
                names[user["id"]] = candidate.strip()
                break
    return names


def _slack_channel_names(export: _SlackExport) -> list[str]:
    if not export.exists(SLACK_CHANNELS_FILE):
        raise InputFormatError(f"{export.label}: not a Slack export (no {SLACK_CHANNELS_FILE})")
    channels = export.read_json(SLACK_CHANNELS_FILE)
    if not isinstance(channels, list):
        raise InputFormatError(f"{export.label}: {SLACK_CHANNELS_FILE} is not a list of channels")
    names = []
    for index, channel in enumerate(channels, start=1):
        name = channel.get("name") if isinstance(channel, dict) else None
        if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
            raise InputFormatError(
                f'{export.label}: {SLACK_CHANNELS_FILE}: channel {index} has no usable "name"'
            )
        names.append(name)
    return sorted(names)


def _slack_ts(message: dict[str, Any], where: str) -> Decimal:
    # Decimal, not float: "1700000000.000100" and "...000099" must not collapse into one value.
    try:
        return Decimal(str(message["ts"]))
    except (KeyError, InvalidOperation) as exc:
        raise InputFormatError(f'{where}: no valid Slack "ts" timestamp') from exc


def _read_slack(export: _SlackExport) -> Iterator[dict[str, Any]]:
    channels = _slack_channel_names(export)
    users = _slack_user_names(export)
    for channel in channels:
        for day in sorted(export.day_files(channel)):
            relative = f"{channel}/{day}"
            messages = export.read_json(relative)
            if not isinstance(messages, list):
                raise InputFormatError(f"{export.label}: {relative} is not a list of messages")
            keyed = []
            for number, message in enumerate(messages, start=1):
                where = f"{export.label}: {relative}: message {number}"
                if not isinstance(message, dict):
                    raise InputFormatError(f"{where} is not a JSON object")
                keyed.append((_slack_ts(message, where), number, message))
            for _, _, message in sorted(keyed, key=lambda item: (item[0], item[1])):
                text = message.get("text")
                user = message.get("user")
                yield {
                    "text": text if isinstance(text, str) else "",
                    "channel": channel,
                    "ts": str(message["ts"]),
                    "type": message.get("type"),
                    "user": user,
                    "user_name": users.get(user) if isinstance(user, str) else None,
                    "subtype": message.get("subtype"),
                    "bot_id": message.get("bot_id"),
                    "thread_ts": message.get("thread_ts"),
                }
