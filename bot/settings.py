"""Process settings, read from the environment (`CLAIMWATCH_*`).

DATABASE_URL           the database: postgresql://user:password@host/db for PostgreSQL;
                       unset: the SQLite file <data dir>/claimwatch.sqlite3
                       (CLAIMWATCH_DATABASE_URL wins when both are set)
CLAIMWATCH_DATA_DIR    where claimwatch keeps its data            (default ./data)
CLAIMWATCH_FACTS       fact-base files/folders replacing the bundled one: a JSON list
                       (["a.yaml", "dir"]) or paths joined by the OS path separator (":")
CLAIMWATCH_LOG_LEVEL   DEBUG, INFO, WARNING, ERROR or CRITICAL    (default INFO)
DISCORD_TOKEN          the Discord bot token (CLAIMWATCH_DISCORD_TOKEN wins when both are set)

The same names may also be set in a settings file, `.env` in the working directory (or the file
that CLAIMWATCH_ENV_FILE names); the environment wins over the file. The Slack app's variables
(SLACK_*, CLAIMWATCH_SLACK_*, see bot/adapters/slack/_settings.py) come from `environment()`,
the same two places.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

__all__ = ["ENV_PREFIX", "LogLevel", "Settings", "environment", "load_settings"]

ENV_PREFIX = "CLAIMWATCH_"
DEFAULT_DATA_DIR = Path("./data")
DEFAULT_ENV_FILE = ".env"
ENV_FILE_VARIABLE = f"{ENV_PREFIX}ENV_FILE"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    """Settings of one claimwatch process."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="ignore",
        frozen=True,
        populate_by_name=True,
        env_file_encoding="utf-8",
    )

    # A secret (it may hold a password): SecretStr keeps it out of reprs and logs.
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices(f"{ENV_PREFIX}DATABASE_URL", "DATABASE_URL")
    )
    discord_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(f"{ENV_PREFIX}DISCORD_TOKEN", "DISCORD_TOKEN"),
    )
    data_dir: Path = DEFAULT_DATA_DIR
    # NoDecode: a plain "a.yaml:dir" must reach the validator instead of failing JSON decoding.
    facts: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    log_level: LogLevel = "INFO"

    @field_validator("facts", mode="before")
    @classmethod
    def _split_paths(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a valid JSON list of paths ({exc.msg})") from exc
        return [part for part in text.split(os.pathsep) if part.strip()]

    @field_validator("database_url", "discord_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def database(self) -> str | None:
        """The database URL in the clear (None: the SQLite default)."""
        return self.database_url.get_secret_value() if self.database_url is not None else None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; an invalid value raises ConfigError naming the variable, on one line."""
    # Looked up on every call, so that CLAIMWATCH_ENV_FILE set after import still counts.
    env_file = os.environ.get(ENV_FILE_VARIABLE, DEFAULT_ENV_FILE)
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ENV_PREFIX + ".".join(str(part) for part in first["loc"][:1]).upper()
        raise ConfigError(f"{name}: {first['msg']}") from exc


def environment() -> dict[str, str]:
    """The process environment over the settings file, for settings read outside `Settings`."""
    env_file = Path(os.environ.get(ENV_FILE_VARIABLE, DEFAULT_ENV_FILE))
    from_file = dotenv_values(env_file, encoding="utf-8") if env_file.is_file() else {}
    return {**{k: v for k, v in from_file.items() if v is not None}, **os.environ}
