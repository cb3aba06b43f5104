"""The PostgreSQL test server is never skipped by accident: a configured but unreachable server
fails the tests that need it, and CI without one fails too."""

from __future__ import annotations

import pytest

from tests.storage.conftest import POSTGRES_ENV, admin_connection, postgres_url

# Port 1 on loopback: nothing listens there, the connection is refused at once.
UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/claimwatch_test"


async def test_an_unreachable_test_server_fails_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(POSTGRES_ENV, UNREACHABLE)

    with pytest.raises(pytest.fail.Exception, match="unreachable"):
        await admin_connection(postgres_url())


def test_ci_without_a_test_server_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(POSTGRES_ENV, raising=False)
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match=POSTGRES_ENV):
        postgres_url()


def test_a_machine_without_a_test_server_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(POSTGRES_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception):
        postgres_url()
