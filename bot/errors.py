"""The one exception tree of claimwatch.

    ClaimwatchError                 anything claimwatch raises on purpose
     ├── FactBaseError              a fact-base file or entry is unusable (names file, entry, field)
     ├── InputFormatError           a chat export or message file cannot be read
     ├── ConfigError                a setting or moderator configuration value is out of bounds
     ├── StorageError               the database failed or is in an unexpected state
     └── UnreachableError           Discord or Slack did not answer at start: trying later may work

Foreign errors are wrapped with their cause kept (`raise FactBaseError(...) from exc`).
The command line turns every ClaimwatchError into one line on stderr and exit code 2, except an
UnreachableError: exit code 1, which a supervisor retries (the others need a person to fix them).
"""

from __future__ import annotations

# The exit codes of `claimwatch`, by what the operator can do about them.
EXIT_OK = 0
EXIT_FAILURE = 1  # a bug or an environment problem nobody foresaw
EXIT_UNREACHABLE = 1  # Discord or Slack did not answer: a supervisor may simply try again
EXIT_USAGE = 2  # bad usage, bad input or a setup mistake: a person has to fix it

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "ClaimwatchError",
    "ConfigError",
    "FactBaseError",
    "InputFormatError",
    "StorageError",
    "UnreachableError",
    "exit_code_of",
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


class UnreachableError(ClaimwatchError):
    """A platform claimwatch needs did not answer (network, proxy, firewall): try again later."""


def exit_code_of(error: ClaimwatchError) -> int:
    """The exit code `claimwatch` ends with on this error."""
    return EXIT_UNREACHABLE if isinstance(error, UnreachableError) else EXIT_USAGE
