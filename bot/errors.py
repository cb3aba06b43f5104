"""The one exception tree of claimwatch.

    ClaimwatchError                 anything claimwatch raises on purpose
     ├── FactBaseError              a fact-base file or entry is unusable (names file, entry, field)
     ├── InputFormatError           a chat export or message file cannot be read
     ├── ConfigError                a setting or moderator configuration value is out of bounds
     └── StorageError               the database failed or is in an unexpected state

Foreign errors are wrapped with their cause kept (`raise FactBaseError(...) from exc`).
The command line turns every ClaimwatchError into one line on stderr and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "ClaimwatchError",
    "ConfigError",
    "FactBaseError",
    "InputFormatError",
    "StorageError",
]


class ClaimwatchError(Exception):
    """Base of every error claimwatch raises on purpose."""


class FactBaseError(ClaimwatchError):
    """A fact-base source is unusable; the message names the file, the entry and the field."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        entry: str | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.entry = entry
        self.field = field
        where = ", ".join(
            f"{label} {value}"
            for label, value in (("file", file), ("entry", entry), ("field", field))
            if value
        )
        super().__init__(f"{where}: {reason}" if where else reason)


class InputFormatError(ClaimwatchError):
    """A message file or chat export cannot be read."""


class ConfigError(ClaimwatchError):
    """A setting or a moderator configuration value is invalid."""


class StorageError(ClaimwatchError):
    """The database failed or holds something unexpected."""
