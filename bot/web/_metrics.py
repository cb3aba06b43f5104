"""Counters in the Prometheus text exposition format, without a client library.

claimwatch exports a handful of counters; a dependency for that is not worth its weight.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

__all__ = ["Counter", "Metrics"]

_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

Labels = tuple[tuple[str, str], ...]


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format_labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{key}="{_escape_label(value)}"' for key, value in labels)
    return "{" + inner + "}"


class Counter:
    """A monotonically increasing count, one series per label set."""

    def __init__(self, name: str, help_text: str) -> None:
        if not _NAME.match(name):
            raise ValueError(f"invalid metric name {name!r}")
        self.name = name
        self.help = help_text
        self._values: dict[Labels, float] = {}
        # Counters are bumped from listener tasks and read by the /metrics handler; some callers
        # may sit in worker threads (matching runs there), so guard the dict.
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        for key in labels:
            if not _LABEL.match(key):
                raise ValueError(f"invalid label name {key!r}")
        series = tuple(sorted(labels.items()))
        with self._lock:
            self._values[series] = self._values.get(series, 0.0) + amount

    def value(self, **labels: str) -> float:
        """The current count of one series (0 when it was never bumped)."""
        with self._lock:
            return self._values.get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> Iterator[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} counter"
        with self._lock:
            series = sorted(self._values.items())
        for labels, value in series:
            number = int(value) if value.is_integer() else value
            yield f"{self.name}{_format_labels(labels)} {number}"


class Metrics:
    """A registry of counters, rendered by the /metrics endpoint."""

    def __init__(self) -> None:
        self._counters: dict[str, Counter] = {}

    def counter(self, name: str, help_text: str) -> Counter:
        """The counter called `name`, created on first use (same name, same counter)."""
        existing = self._counters.get(name)
        if existing is not None:
            return existing
        counter = Counter(name, help_text)
        self._counters[name] = counter
        return counter

    def render(self) -> str:
        lines: list[str] = []
        for name in sorted(self._counters):
            lines.extend(self._counters[name].render())
        return "\n".join(lines) + "\n"
