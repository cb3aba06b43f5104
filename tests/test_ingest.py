"""Reading messages to scan: JSON Lines, DiscordChatExporter JSON, Slack export folders and zips."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

import pytest

from bot.errors import InputFormatError
from bot.ingest import read_messages

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
SLACK = EXPORTS / "slack"

# The Slack fixture in reading order: channels by name, days by date, messages by ts.
SLACK_ORDER = [
    ("general", "1709294400.000100", "<@U01BBB> has joined the channel"),
    ("general", "1709301600.000300", "NATO promised not to expand east, it's in the treaty"),
    ("general", "1709301600.000301", "Context: NATO enlargement"),
    ("general", "1709301700.000100", "which treaty?"),
    ("general", "1709380800.000200", "Ukraine shelled its own people in Donbas for 8 years"),
    ("random", "1709290000.000100", "anyone up for lunch?"),
]


def texts(source: Any) -> list[str]:
    return [message["text"] for message in read_messages(source)]


def format_error(source: Any) -> str:
    with pytest.raises(InputFormatError) as caught:
        list(read_messages(source))
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- JSON Lines --------------------------------------------------------------------------------


def test_jsonl_keeps_order_and_every_field_and_skips_blank_lines() -> None:
    messages = list(read_messages(EXPORTS / "messages.jsonl"))

    assert [m["id"] for m in messages] == [1, 2, 3]
    assert messages[0] == {
        "text": "The US runs secret biolabs in Ukraine, everyone knows it",
        "author": "kestrel",
        "channel": "news",
        "id": 1,
    }
    assert messages[1]["reply_to"] == 1


def test_jsonl_path_may_be_given_as_a_string() -> None:
    assert texts(str(EXPORTS / "messages.jsonl"))[-1] == "Bucha was staged"


def test_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.StringIO('\ufeff{"text": "first"}\n\n{"text": "second", "user": "u1"}\n')
    monkeypatch.setattr("sys.stdin", stdin)

    assert list(read_messages("-")) == [{"text": "first"}, {"text": "second", "user": "u1"}]


def test_an_open_text_stream_is_read() -> None:
    assert texts(io.StringIO('{"text": "hello"}\n')) == ["hello"]


def test_empty_input_has_no_messages(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n  \n", encoding="utf-8")
    assert texts(path) == []


class CountingLines:
    """A text stream that counts the lines handed out, to see how far the reader has read."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = iter(lines)
        self.lines_read = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.lines_read += 1
        return line


def test_jsonl_is_streamed_line_by_line() -> None:
    stream = CountingLines([f'{{"text": "message {n}"}}\n' for n in range(10_000)])
    messages = read_messages(cast(TextIO, stream))

    assert next(messages)["text"] == "message 0"
    assert next(messages)["text"] == "message 1"
    assert 2 <= stream.lines_read <= 3


def test_messages_before_a_broken_line_are_still_delivered() -> None:
    stream = io.StringIO('{"text": "one"}\n{"text": "two"}\n{"text": \n')
    messages = read_messages(stream)

    assert [next(messages)["text"], next(messages)["text"]] == ["one", "two"]
    with pytest.raises(InputFormatError, match=r"^line 3: not valid JSON"):
        next(messages)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"text": "ok"}\n\nnot json at all\n', "line 3: not valid JSON"),
        ('{"text": "ok"}\n{"message": "no text"}\n', 'line 2: no string "text" field'),
        ('{"text": "ok"}\n{"text": 42}\n', 'line 2: no string "text" field'),
        ('{"text": "ok"}\n["text"]\n', "line 2: expected a JSON object"),
        ('{"body": "no text"}\n', 'line 1: no string "text" field'),
        ("id,text\n1,hello\n", "line 1: not valid JSON"),
        ('{"text": "unterminated\n{"text": "x"}\n', "line 1: not valid JSON"),
    ],
)
def test_bad_jsonl_lines_are_reported_by_number(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "messages.jsonl"
    path.write_text(content, encoding="utf-8")
    assert format_error(path).startswith(expected)


def test_a_json_array_is_explained(tmp_path: Path) -> None:
    # The easy mistake: passing one day file of a Slack export instead of the export.
    day = tmp_path / "2024-03-01.json"
    shutil.copy(SLACK / "general" / "2024-03-01.json", day)
    message = format_error(day)
    assert message.startswith("line 1: a JSON array")
    assert "Slack export" in message


def test_text_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "utf16.jsonl"
    path.write_bytes('{"text": "café"}\n'.encode("utf-16"))
    assert "not UTF-8" in format_error(path)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    assert (
        format_error(tmp_path / "nope.jsonl")
        == f"no such file or folder: {tmp_path / 'nope.jsonl'}"
    )


# --- DiscordChatExporter -----------------------------------------------------------------------


def test_discord_export_gives_content_and_author_fields() -> None:
    messages = list(read_messages(EXPORTS / "discord.json"))

    assert messages[0] == {
        "text": "Zelensky is a dictator, there are no elections",
        "id": "1210000000000000001",
        "type": "Default",
        "timestamp": "2024-03-01T18:04:11.123+00:00",
        "author": "kestrel",
        "author_id": "300000000000000001",
        "author_is_bot": False,
        "channel": "war-news",
        "guild": "Eastern Europe Talk",
    }
    assert [m["text"] for m in messages[1:]] == [
        "Martial law forbids elections, that's the law.",
        "",
    ]
    assert messages[2]["author_is_bot"] is True


def test_discord_export_on_one_line_is_recognised(tmp_path: Path) -> None:
    data = json.loads((EXPORTS / "discord.json").read_text(encoding="utf-8"))
    path = tmp_path / "minified.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    assert texts(path) == texts(EXPORTS / "discord.json")


def test_discord_export_message_without_content_is_reported(tmp_path: Path) -> None:
    data = json.loads((EXPORTS / "discord.json").read_text(encoding="utf-8"))
    del data["messages"][1]["content"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    assert "message 2 (id 1210000000000000002)" in format_error(path)


def test_broken_pretty_json_names_the_line(tmp_path: Path) -> None:
    text = (EXPORTS / "discord.json").read_text(encoding="utf-8")
    text = text.replace('"messages": [', '"messages": [,', 1)
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")

    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"messages": [,' in row)
    assert format_error(path).startswith(f"line {line}: not valid JSON")


def test_pretty_json_that_is_not_a_discord_export_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"text": "hello"}, indent=2), encoding="utf-8")
    assert "not a DiscordChatExporter export" in format_error(path)


# --- Slack -------------------------------------------------------------------------------------


def test_slack_folder_is_read_in_channel_day_and_ts_order() -> None:
    messages = list(read_messages(SLACK))
    assert [(m["channel"], m["ts"], m["text"]) for m in messages] == SLACK_ORDER


def test_slack_messages_keep_user_names_subtypes_and_bots() -> None:
    by_ts = {m["ts"]: m for m in read_messages(SLACK)}

    nato = by_ts["1709301600.000300"]
    assert (nato["user"], nato["user_name"]) == ("U01BBB", "Tom Reed")  # no display name
    reply = by_ts["1709301700.000100"]
    assert reply["user_name"] == "olena"
    assert reply["thread_ts"] == "1709301600.000300"
    assert by_ts["1709294400.000100"]["subtype"] == "channel_join"
    bot = by_ts["1709301600.000301"]
    assert (bot["subtype"], bot["bot_id"], bot["user"], bot["user_name"]) == (
        "bot_message",
        "B01CW",
        None,
        None,
    )


def test_slack_export_without_users_file_has_no_user_names(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(SLACK, export)
    (export / "users.json").unlink()

    messages = list(read_messages(export))
    assert [m["text"] for m in messages] == [text for _, _, text in SLACK_ORDER]
    assert all(m["user_name"] is None for m in messages)


def zip_folder(folder: Path, target: Path, *, prefix: str = "", reverse: bool = False) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*"), reverse=reverse):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


def test_slack_zip_reads_like_the_folder(tmp_path: Path) -> None:
    archive = zip_folder(SLACK, tmp_path / "slack-export.zip")
    assert list(read_messages(archive)) == list(read_messages(SLACK))


def test_slack_zip_order_does_not_depend_on_the_order_files_were_zipped(tmp_path: Path) -> None:
    archive = zip_folder(SLACK, tmp_path / "export.zip", reverse=True)
    assert [m["ts"] for m in read_messages(archive)] == [ts for _, ts, _ in SLACK_ORDER]


def test_slack_zip_with_a_top_folder_is_read(tmp_path: Path) -> None:
    archive = zip_folder(SLACK, tmp_path / "export.zip", prefix="Team Slack export/")
    assert [m["ts"] for m in read_messages(archive)] == [ts for _, ts, _ in SLACK_ORDER]


def test_folder_that_is_not_a_slack_export_is_rejected(tmp_path: Path) -> None:
    assert format_error(tmp_path) == f"{tmp_path}: not a Slack export (no channels.json)"


def test_zip_that_is_not_a_slack_export_is_rejected(tmp_path: Path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("cat.txt", "meow")
    assert format_error(archive) == f"{archive}: not a Slack export (no channels.json)"


def test_file_named_zip_that_is_not_a_zip_is_rejected(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    archive.write_text("hello", encoding="utf-8")
    assert "not a readable zip archive" in format_error(archive)


def test_broken_slack_day_file_is_named(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(SLACK, export)
    (export / "random" / "2024-03-01.json").write_text("[{oops", encoding="utf-8")

    message = format_error(export)
    assert message.startswith(f"{export}: random/2024-03-01.json: not valid JSON")


def test_slack_message_without_ts_is_named(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(SLACK, export)
    (export / "random" / "2024-03-02.json").write_text('[{"text": "no ts"}]', encoding="utf-8")

    assert "random/2024-03-02.json: message 1" in format_error(export)


def test_slack_channels_file_must_list_named_channels(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(SLACK, export)
    (export / "channels.json").write_text('[{"id": "C1"}]', encoding="utf-8")

    assert 'channel 1 has no usable "name"' in format_error(export)
