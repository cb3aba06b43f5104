"""`claimwatch run discord|slack`: setup mistakes end with one line that says what to do."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yarl

from bot.adapters.discord._compat import discord  # discord.py, imported quietly
from bot.cli import main
from bot.settings import load_settings
from tests.adapters.discord.fake_discord import FakeDiscord

SUBPROCESS_TIMEOUT_S = 60
PLATFORM_VARIABLES = (
    "DISCORD_TOKEN",
    "CLAIMWATCH_DISCORD_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in PLATFORM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLAIMWATCH_ENV_FILE", str(tmp_path / "absent.env"))
    monkeypatch.setenv("CLAIMWATCH_DATA_DIR", str(tmp_path / "data"))


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run", "discord"], "DISCORD_TOKEN"),
        (["run", "slack"], "SLACK_BOT_TOKEN"),
        (["run", "slack", "--http"], "SLACK_BOT_TOKEN"),
    ],
)
def test_missing_setup_is_one_clear_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("claimwatch: error: ") and says in err
    assert "Traceback" not in err
    assert not (tmp_path / "data").exists(), "nothing is created before the setup is right"


def test_shards_need_the_shard_count(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "not-checked-before-the-options")
    assert main(["run", "discord", "--shard-ids", "1"]) == 2
    assert "--shard-count" in capsys.readouterr().err


def test_the_discord_token_may_come_from_a_settings_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "claimwatch.env"
    env_file.write_text("DISCORD_TOKEN=from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMWATCH_ENV_FILE", str(env_file))
    token = load_settings().discord_token
    assert token is not None and token.get_secret_value() == "from-the-file"
    monkeypatch.setenv("DISCORD_TOKEN", "from-the-environment")
    token = load_settings().discord_token
    assert token is not None and token.get_secret_value() == "from-the-environment"


@pytest.fixture
async def discord_without_intent(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A local Discord where the bot's Message Content intent is switched off: it logs in,
    identifies on the gateway, and is turned away there."""
    fake = FakeDiscord(message_content_intent=False)
    await fake.start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url)
    )
    yield fake
    await fake.close()
    assert fake.violations == []


async def test_run_discord_connects_with_the_token_and_shards_given(
    discord_without_intent: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    fake = discord_without_intent
    monkeypatch.setenv("DISCORD_TOKEN", fake.token)
    argv = ["run", "discord", "--shard-count", "3", "--shard-ids", "2"]
    # main() owns its event loop (asyncio.run), so it runs beside the fake's loop.
    assert await asyncio.to_thread(main, argv) == 2
    (identify,) = fake.identifies
    assert identify["shard"] == [2, 3] and identify["token"] == fake.token
    assert fake.commands == []  # shard 0 runs elsewhere: that process publishes the commands
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Message Content intent is off" in err
    assert (tmp_path / "data").exists()  # the settings' store was opened for the bot


def test_the_slack_credentials_may_come_from_a_settings_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env_file = tmp_path / "claimwatch.env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMWATCH_ENV_FILE", str(env_file))

    # The bot token is read from the file, so the next thing missing is the app token.
    assert main(["run", "slack"]) == 2
    assert "SLACK_APP_TOKEN is not set" in capsys.readouterr().err

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-from-the-environment")
    assert main(["run", "slack"]) == 2
    assert "must be a bot token" in capsys.readouterr().err  # the environment wins


def test_an_unreachable_slack_is_one_line_and_nothing_else(tmp_path: Path) -> None:
    # A real process: logging is configured as an operator's terminal sees it, not as pytest's.
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in PLATFORM_VARIABLES and not key.startswith("CLAIMWATCH_")
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        CLAIMWATCH_SLACK_API_URL=f"http://127.0.0.1:{port}/api/",
        CLAIMWATCH_ENV_FILE=str(tmp_path / "absent.env"),
        CLAIMWATCH_DATA_DIR=str(tmp_path / "data"),
    )

    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "slack"],
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
        check=False,
    )

    assert done.returncode == 1  # worth a retry, unlike a setup mistake
    # The connection is retried, but the operator reads one line about it, and no traceback.
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("claimwatch: error: cannot reach the Slack Web API")
