"""The `claimwatch` command line as scripts and people use it: output contracts, exit codes and
one-line errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import EXIT_OK, EXIT_USAGE, _service_on_store, main
from bot.core.factbase import bundled_path, load_bundled, load_factbase
from bot.core.matching import SUGGEST_THRESHOLD
from bot.core.models import GuildConfig
from bot.core.ports import AuditRecord
from bot.core.service import ClaimwatchService
from bot.settings import load_settings
from bot.storage import open_store
from bot.storage.sql import head_revision

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
CLAIM = "Zelensky is a dictator who cancelled the elections"
CLAIM_ID = "zelensky-dictator"
OTHER_CLAIM = "The US runs secret biolabs in Ukraine, everyone knows it"
CHATTER = "I had pizza for dinner"
MATCH_FIELDS = {"alert", "tier", "claim_id", "score", "stance", "verdict", "phrasing", "terms"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _wide_quiet_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Wide enough that table cells holding ids are not wrapped; no settings from the caller's env.
    monkeypatch.setenv("COLUMNS", "200")
    for name in list(os.environ):
        if name.startswith("CLAIMWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("DATABASE_URL", raising=False)


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Where the SQLite default goes for the commands that keep data."""
    path = tmp_path / "data"
    monkeypatch.setenv("CLAIMWATCH_DATA_DIR", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, out: str, err: str) -> None:
    assert code == EXIT_USAGE
    assert out == ""
    assert err.startswith("claimwatch: error: ")
    assert err.endswith("\n") and err.count("\n") == 1
    assert "Traceback" not in err


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def one_entry_factbase(tmp_path: Path, entry_id: str = "us-biolabs") -> Path:
    target = tmp_path / f"{entry_id}.yaml"
    shutil.copy(bundled_path() / "entries" / f"{entry_id}.yaml", target)
    return target


# --- check -------------------------------------------------------------------------------------


def test_check_json_reports_an_alert(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--json", CLAIM)

    assert (code, err) == (EXIT_OK, "")
    result = json.loads(out)
    assert MATCH_FIELDS | {"text"} <= set(result)
    assert result["text"] == CLAIM
    assert result["alert"] is True
    assert result["tier"] == "alert"
    assert result["claim_id"] == CLAIM_ID
    assert result["verdict"] == "misleading"
    assert 0 <= result["score"] <= 100
    assert result["stance"] == "asserts"
    assert isinstance(result["terms"], list) and result["terms"]


def test_check_json_reports_no_match_for_chatter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--json", CHATTER)

    result = json.loads(out)
    assert code == EXIT_OK
    assert (result["alert"], result["tier"], result["claim_id"], result["verdict"]) == (
        False,
        "none",
        None,
        None,
    )


def test_check_shows_the_reply_the_bot_would_post(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", CLAIM)

    assert code == EXIT_OK
    assert CLAIM_ID in out
    assert "Fact check · Misleading" in out
    assert "https://zakon.rada.gov.ua/laws/show/389-19" in out


def test_check_without_a_match_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", CHATTER)
    assert code == EXIT_OK
    assert "No match" in out


def test_facts_option_replaces_the_bundled_fact_base(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    only = one_entry_factbase(tmp_path)

    _, out, _ = run(capsys, "check", "--json", "--facts", str(only), CLAIM)
    assert json.loads(out)["claim_id"] is None
    _, out, _ = run(capsys, "check", "--json", "--facts", str(only), OTHER_CLAIM)
    assert json.loads(out)["claim_id"] == "us-biolabs"
    _, out, _ = run(capsys, "--facts", str(only), "facts", "list", "--json")
    assert [entry["id"] for entry in json.loads(out)] == ["us-biolabs"]


def test_the_facts_setting_replaces_the_bundled_fact_base(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_FACTS", str(one_entry_factbase(tmp_path)))

    code, out, _ = run(capsys, "facts", "validate")

    assert code == EXIT_OK
    assert "1 entries" in out


# --- scan --------------------------------------------------------------------------------------


def test_scan_json_keeps_input_order_and_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [
        {"text": CHATTER, "author": "ann", "id": 1},
        {"text": CLAIM, "author": "bob", "id": 2},
        {"text": "", "author": "cat", "id": 3},
        {"text": OTHER_CLAIM, "author": "dan", "id": 4, "extra": {"kept": True}},
    ]
    path = write_jsonl(tmp_path / "messages.jsonl", rows)

    code, out, err = run(capsys, "scan", "--json", str(path))

    assert (code, err) == (EXIT_OK, "")
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == [1, 2, 3, 4]
    for row, result in zip(rows, results, strict=True):
        assert {k: result[k] for k in row} == row
        assert set(result) >= MATCH_FIELDS
        assert result["tier"] in {"alert", "suggest", "none"}
        assert 0 <= result["score"] <= 100
    assert [r["claim_id"] for r in results] == [None, CLAIM_ID, None, "us-biolabs"]
    assert [r["alert"] for r in results] == [False, True, False, True]
    assert results[1]["verdict"] == "misleading"
    assert results[0]["verdict"] is None


def test_scan_reads_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"text": CLAIM}) + "\n"))

    code, out, _ = run(capsys, "scan", "--json", "-")

    assert code == EXIT_OK
    assert json.loads(out)["claim_id"] == CLAIM_ID


def test_scan_json_reads_a_discord_export(capsys: pytest.CaptureFixture[str]) -> None:
    export = json.loads((EXPORTS / "discord.json").read_text(encoding="utf-8"))

    code, out, _ = run(capsys, "scan", "--json", str(EXPORTS / "discord.json"))

    assert code == EXIT_OK
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["text"] for r in results] == [m["content"] for m in export["messages"]]


def test_scan_report_lists_matches_and_a_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "chat.jsonl",
        [{"text": CHATTER, "author": "ann"}, {"text": CLAIM, "author": "bob"}],
    )

    code, out, err = run(capsys, "scan", str(path))

    assert code == EXIT_OK
    assert err == ""  # no progress bar for a short scan, nor when stderr is not a terminal
    assert CLAIM_ID in out
    assert "bob" in out
    assert "Scanned 2 messages: 1 alerts, 0 suggestions" in out


def test_scan_report_of_a_quiet_channel(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "chat.jsonl", [{"text": CHATTER}] * 3)

    code, out, _ = run(capsys, "scan", str(path))

    assert code == EXIT_OK
    assert "Scanned 3 messages: 0 alerts, 0 suggestions" in out


# --- bad usage and bad input: exit 2, one line ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["check"],
        ["scan"],
        ["facts"],
        ["facts", "export", "--format", "csv"],
        ["check", "--no-such-option", "x"],
    ],
    ids=lambda argv: " ".join(argv) or "nothing",
)
def test_bad_usage_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert_one_line_error(*run(capsys, *argv))


def test_a_missing_file_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "scan", str(tmp_path / "nope.jsonl"))
    assert_one_line_error(code, out, err)
    assert "nope.jsonl" in err


def test_a_broken_message_file_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "fine"}\n{"text": broken\n', encoding="utf-8")

    code, out, err = run(capsys, "scan", str(path))

    assert_one_line_error(code, out, err)
    assert "line 2" in err


def test_a_broken_fact_base_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    # YAML parser errors span several lines; the command line squashes them into one.
    broken.write_text("id: x\nclaim: [unclosed\nverdict: false\n", encoding="utf-8")

    code, out, err = run(capsys, "check", "--facts", str(broken), CLAIM)

    assert_one_line_error(code, out, err)
    assert str(broken) in err


def test_a_bad_setting_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMWATCH_LOG_LEVEL", "loud")

    code, out, err = run(capsys, "check", CLAIM)

    assert_one_line_error(code, out, err)
    assert "CLAIMWATCH_LOG_LEVEL" in err


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == EXIT_OK and "claimwatch" in out
    code, out, _ = run(capsys, "check", "--help")
    assert code == EXIT_OK and "--facts" in out


# --- facts -------------------------------------------------------------------------------------


def test_facts_validate_counts_the_bundled_entries(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "facts", "validate")
    assert code == EXIT_OK
    assert f"{len(load_bundled())} entries" in out


def test_facts_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "facts", "list", "--json")

    assert code == EXIT_OK
    listed = json.loads(out)
    bundled = load_bundled()
    assert [entry["id"] for entry in listed] == [entry.id for entry in bundled]
    for item, entry in zip(listed, bundled, strict=True):
        assert {"id", "verdict", "languages", "tags", "claim"} <= set(item)
        assert item["verdict"] == entry.verdict.value
        assert item["languages"] == list(entry.languages)
        assert item["tags"] == list(entry.tags)
        assert item["claim"] == entry.claim


def test_facts_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "facts", "list")
    assert code == EXIT_OK
    assert CLAIM_ID in out
    assert f"{len(load_bundled())} entries" in out


def test_facts_show(capsys: pytest.CaptureFixture[str]) -> None:
    entry = load_bundled().get(CLAIM_ID)
    assert entry is not None

    code, out, _ = run(capsys, "facts", "show", CLAIM_ID)
    assert code == EXIT_OK
    assert entry.claim in out
    assert entry.sources[0].url in out

    code, out, _ = run(capsys, "facts", "show", "--json", CLAIM_ID)
    assert json.loads(out)["verdict"] == entry.verdict.value


def test_facts_show_an_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "facts", "show", "no-such-entry")
    assert_one_line_error(code, out, err)
    assert "no-such-entry" in err


def test_facts_export_writes_claimreview_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "facts", "export", "--format", "claimreview")

    assert code == EXIT_OK
    reviews = json.loads(out)
    assert len(reviews) == len(load_bundled())
    assert all(review["@type"] == "ClaimReview" for review in reviews)


def test_export_then_import_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    exported = tmp_path / "feed.json"
    drafts = tmp_path / "drafts"
    bundled = load_bundled()

    code, out, _ = run(capsys, "facts", "export", "--out", str(exported))
    assert code == EXIT_OK and str(len(bundled)) in out

    code, out, _ = run(capsys, "facts", "import", str(exported))
    assert code == EXIT_OK
    assert CLAIM_ID in out
    assert "Nothing written" in out
    assert not drafts.exists()

    code, out, _ = run(capsys, "facts", "import", str(exported), "--out", str(drafts))
    assert code == EXIT_OK
    written = {path.stem: yaml.safe_load(path.read_text("utf-8")) for path in drafts.iterdir()}
    assert set(written) == {entry.id for entry in bundled}
    for entry in bundled:
        document = written[entry.id]
        assert (document["id"], document["claim"], document["verdict"]) == (
            entry.id,
            entry.claim,
            entry.verdict.value,
        )
        assert document["sources"][0]["url"] == entry.sources[0].url
    # The feed itself loads back with the same ids, verdicts and claims.
    reloaded = load_factbase([exported])
    assert [(e.id, e.verdict, e.claim) for e in reloaded] == [
        (e.id, e.verdict, e.claim) for e in bundled
    ]


def test_curated_entries_survive_import_to_yaml_unchanged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    copies = tmp_path / "copies"

    code, out, _ = run(capsys, "facts", "import", str(bundled_path()), "--out", str(copies))

    assert code == EXIT_OK
    assert "need curating" not in out
    strip = [
        (e.id, e.claim, e.verdict, e.context, e.sources, e.phrasings, e.tags, e.as_of)
        for e in load_bundled()
    ]
    assert [
        (e.id, e.claim, e.verdict, e.context, e.sources, e.phrasings, e.tags, e.as_of)
        for e in load_factbase([copies])
    ] == strip


def test_import_never_overwrites_without_force(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    feed = Path(__file__).resolve().parent / "data" / "claimreview" / "single.json"
    out_dir = tmp_path / "out"
    assert run(capsys, "facts", "import", str(feed), "--out", str(out_dir))[0] == EXIT_OK
    [written] = out_dir.iterdir()
    written.write_text("# curated by hand\n", encoding="utf-8")

    assert_one_line_error(*run(capsys, "facts", "import", str(feed), "--out", str(out_dir)))
    assert written.read_text(encoding="utf-8") == "# curated by hand\n"
    code, _, _ = run(capsys, "facts", "import", str(feed), "--out", str(out_dir), "--force")
    assert code == EXIT_OK
    assert "claimReviewed" not in written.read_text(encoding="utf-8")
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["id"] == written.stem


def test_import_of_a_bad_feed_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text('{"claims": [{"claimReview": []}]}', encoding="utf-8")
    assert_one_line_error(*run(capsys, "facts", "import", str(feed)))


# --- demo and the module entry point -----------------------------------------------------------


def test_demo_replays_the_sample_channel_on_the_sqlite_default(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(capsys, "demo")

    assert (code, err) == (EXIT_OK, "")
    assert "Fact check · " in out
    assert "Moderators' queue" in out
    assert "demo-moderator approved #" in out
    assert "1 approved." in out
    assert (data_dir / "claimwatch.sqlite3").is_file()
    # The stats command reads what the demo stored.
    code, out, _ = run(capsys, "stats", "--platform", "console", "--server", "demo", "--json")
    first = json.loads(out)
    assert code == EXIT_OK
    assert first["alerts"] > 0 and first["approved"] == 1


def test_the_demo_speaks_the_language_asked_for(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(capsys, "demo", "--language", "uk")

    assert (code, err) == (EXIT_OK, "")
    assert "Перевірка фактів · " in out and "Fact check" not in out
    assert run(capsys, "demo", "--language", "de")[0] == EXIT_USAGE


def test_the_demo_starts_afresh_each_time(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    first = run(capsys, "demo")
    second = run(capsys, "demo")

    assert first[0] == second[0] == EXIT_OK
    summary = [line for line in first[1].splitlines() if "messages:" in line]
    assert summary and summary[0] in second[1]


def test_python_dash_m_bot_runs_the_command_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMWATCH_")}
    ok = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--json", CLAIM],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=120,
    )
    assert ok.returncode == EXIT_OK, ok.stderr
    assert json.loads(ok.stdout)["claim_id"] == CLAIM_ID

    bad = subprocess.run(
        [sys.executable, "-m", "bot", "scan", "no-such-file.jsonl"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=120,
    )
    assert bad.returncode == EXIT_USAGE
    assert bad.stdout == ""
    assert bad.stderr.startswith("claimwatch: error: ") and bad.stderr.count("\n") == 1


# --- database, configuration, stats, forget ------------------------------------------------------

SERVER_ARGS = ("--platform", "discord", "--server", "1234")


@pytest.fixture
def one_entry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A one-entry fact base (tag 'biolabs'): the store commands need one, not all of them."""
    monkeypatch.setenv("CLAIMWATCH_FACTS", str(one_entry_factbase(tmp_path)))


def config_json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, _ = run(capsys, "config", "show", *SERVER_ARGS, "--json")
    assert code == EXIT_OK
    document: dict[str, Any] = json.loads(out)
    return document


def test_db_upgrade_creates_the_sqlite_default(
    capsys: pytest.CaptureFixture[str], data_dir: Path, one_entry: None
) -> None:
    code, out, err = run(capsys, "db", "upgrade")

    assert (code, err) == (EXIT_OK, "")
    assert f"revision {head_revision()}" in out
    assert (data_dir / "claimwatch.sqlite3").is_file()
    assert run(capsys, "db", "upgrade")[0] == EXIT_OK  # again: nothing to do, still fine


def test_config_set_then_show(
    capsys: pytest.CaptureFixture[str], data_dir: Path, one_entry: None
) -> None:
    assert config_json(capsys)["monitored_channels"] == []  # registered default: none

    code, out, _ = run(capsys, "config", "set", *SERVER_ARGS, "monitored_channels", "111, 222")
    assert code == EXIT_OK
    assert "monitored_channels = 111, 222" in out
    assert run(capsys, "config", "set", *SERVER_ARGS, "user_cooldown_s", "10m")[0] == EXIT_OK
    assert run(capsys, "config", "set", *SERVER_ARGS, "alert_threshold", "90")[0] == EXIT_OK
    assert run(capsys, "config", "set", *SERVER_ARGS, "disabled_tags", "biolabs")[0] == EXIT_OK

    shown = config_json(capsys)
    assert shown["monitored_channels"] == ["111", "222"]
    assert shown["user_cooldown_s"] == 600
    assert shown["alert_threshold"] == 90.0
    assert shown["disabled_tags"] == ["biolabs"]
    code, out, _ = run(capsys, "config", "show", *SERVER_ARGS)
    assert code == EXIT_OK
    assert "monitored_channels" in out and "111, 222" in out and "default" in out
    # An unset threshold shows the calibrated value it follows.
    [suggest_row] = [line for line in out.splitlines() if "suggest_threshold" in line]
    assert f"{SUGGEST_THRESHOLD:g} (calibrated)" in suggest_row


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("alert_threshold", "20", "alert_threshold"),
        ("retention_days", "forever", "retention_days"),
        ("reply_mode", "shout", "reply_mode"),
        ("disabled_tags", "no-such-tag", "disabled_tags"),
        ("suggest_threshold", "99", "suggest_threshold"),  # above the alert threshold
        ("colour", "red", "colour"),
    ],
)
def test_a_bad_config_value_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    one_entry: None,
    key: str,
    value: str,
    named: str,
) -> None:
    run(capsys, "config", "set", *SERVER_ARGS, "language", "uk")
    before = config_json(capsys)

    code, out, err = run(capsys, "config", "set", *SERVER_ARGS, key, value)

    assert_one_line_error(code, out, err)
    assert named in err
    assert config_json(capsys) == before


def test_config_add_and_remove_edit_one_list(
    capsys: pytest.CaptureFixture[str], data_dir: Path, one_entry: None
) -> None:
    assert run(capsys, "config", "set", *SERVER_ARGS, "monitored_channels", "111")[0] == EXIT_OK

    code, out, _ = run(capsys, "config", "add", *SERVER_ARGS, "monitored_channels", "222", "333")
    assert (code, out.strip()) == (
        EXIT_OK,
        "discord server 1234: monitored_channels = 111, 222, 333",
    )
    code, out, _ = run(capsys, "config", "remove", *SERVER_ARGS, "monitored_channels", "111", "9")
    assert code == EXIT_OK
    assert config_json(capsys)["monitored_channels"] == ["222", "333"]
    # A bad id or tag is one line and changes nothing; so is a setting that is not a list.
    for argv in (
        ("disabled_tags", "no-such-tag"),
        ("monitored_channels", "two words"),
    ):
        code, out, err = run(capsys, "config", "add", *SERVER_ARGS, *argv)
        assert_one_line_error(code, out, err)
        assert argv[0] in err
    assert_one_line_error(*run(capsys, "config", "add", *SERVER_ARGS, "language", "uk"))
    assert config_json(capsys)["monitored_channels"] == ["222", "333"]
    assert config_json(capsys)["disabled_tags"] == []


def test_config_set_names_the_moderator_roles_of_a_server(
    capsys: pytest.CaptureFixture[str], data_dir: Path, one_entry: None
) -> None:
    code, out, _ = run(capsys, "config", "set", *SERVER_ARGS, "moderator_roles", "1 2")

    assert code == EXIT_OK
    assert "moderator_roles = 1, 2" in out
    assert config_json(capsys)["moderator_roles"] == ["1", "2"]
    assert run(capsys, "config", "remove", *SERVER_ARGS, "moderator_roles", "1")[0] == EXIT_OK
    assert config_json(capsys)["moderator_roles"] == ["2"]


def test_stats_of_a_quiet_server(
    capsys: pytest.CaptureFixture[str], data_dir: Path, one_entry: None
) -> None:
    code, out, _ = run(capsys, "stats", *SERVER_ARGS)
    assert code == EXIT_OK
    assert "replies: 0" in out
    assert "moderator precision: -" in out


def test_forget_a_server(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    run(capsys, "demo")

    code, out, _ = run(capsys, "forget", "--platform", "console", "--server", "demo")

    assert code == EXIT_OK
    assert "console server demo" in out
    _, out, _ = run(capsys, "stats", "--platform", "console", "--server", "demo", "--json")
    assert json.loads(out)["alerts"] == 0
    code, _, _ = run(capsys, "forget", "--platform", "console", "--user", "stepan.k")
    assert code == EXIT_OK


def test_sweep(capsys: pytest.CaptureFixture[str], data_dir: Path, one_entry: None) -> None:
    code, out, _ = run(capsys, "sweep")
    assert code == EXIT_OK
    assert "0 records deleted" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["forget", "--platform", "discord"],
        ["forget", "--platform", "discord", "--server", "1", "--user", "2"],
        ["config", "show", "--platform", "irc", "--server", "1"],
        ["config", "set", "--platform", "discord", "--server", "1", "language"],
        ["stats", "--platform", "discord"],
        ["db"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_bad_store_command_usage_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert_one_line_error(*run(capsys, *argv))


def test_an_unreachable_database_is_one_line_without_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://claimwatch:s3cret@127.0.0.1:1/claimwatch")

    code, out, err = run(capsys, "stats", *SERVER_ARGS)

    assert_one_line_error(code, out, err)
    assert "127.0.0.1:1" in err
    assert "s3cret" not in err


async def test_a_retention_task_that_ended_does_not_mask_how_the_bot_stopped(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ended = asyncio.Event()

    async def broken(self: ClaimwatchService, **_: object) -> None:
        ended.set()
        raise RuntimeError("retention bug")

    monkeypatch.setattr(ClaimwatchService, "keep_retention", broken)

    # The bot stops with its own error, not the retention task's.
    with caplog.at_level(logging.ERROR), pytest.raises(ValueError, match="the bot's own"):
        async with _service_on_store(load_settings(), load_bundled())():
            await ended.wait()
            raise ValueError("the bot's own error")
    # A clean stop stays clean; either way what ended the task is logged.
    ended.clear()
    async with _service_on_store(load_settings(), load_bundled())():
        await ended.wait()

    stopped = [r for r in caplog.records if "retention sweeps had stopped" in r.getMessage()]
    assert len(stopped) == 2
    assert all(r.exc_info is not None and "retention bug" in str(r.exc_info[1]) for r in stopped)


async def test_a_running_bot_sweeps_what_is_past_retention(data_dir: Path) -> None:
    old = AuditRecord(
        platform="discord",
        server_id="1234",
        channel_id="c1",
        message_id="m1",
        claim_id=CLAIM_ID,
        score=90.0,
        tier="alert",
        action="reply",
        at=dt.datetime.now(dt.UTC) - dt.timedelta(days=GuildConfig().retention_days + 1),
    )
    async with await open_store(None, data_dir=data_dir) as store:
        await store.audit(old)

    # The store the bots run on (`claimwatch run ...`), as they open it.
    async with _service_on_store(load_settings(), load_bundled())() as (_service, running):
        for _ in range(500):  # the first sweep starts with the bot
            if not await running.audit_records("discord", "1234"):
                break
            await asyncio.sleep(0.01)
        assert await running.audit_records("discord", "1234") == []
