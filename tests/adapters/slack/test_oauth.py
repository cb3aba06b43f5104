"""Many workspaces: OAuth installation through the fake's oauth.v2.access, installations kept in
the app's own database (SQLite and PostgreSQL), each workspace answered with its own bot token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa

from bot.adapters.slack import BOT_SCOPES, Backend, SlackSettings
from bot.core.factbase import FactBase
from bot.core.service import ClaimwatchService
from bot.errors import ConfigError
from bot.storage import SqlStore
from bot.storage.memory import MemoryStore
from tests.adapters.slack.conftest import TEST_CONFIG, running
from tests.adapters.slack.fake_slack import APP_TOKEN, FakeSlack, Team
from tests.adapters.slack.slack_payloads import (
    GENERAL,
    SIGNING_SECRET,
    SlackSender,
    event_body,
    message_event,
)
from tests.storage.conftest import SQL_ENGINES, store_factory

CLAIM = "Zelensky is a dictator who cancelled the elections"
SECOND_TEAM = Team("T0002", bot_user_id="UBOT2", bot_id="BBOT2", name="Second")
SECOND_TOKEN = "xoxb-second-workspace"
CLIENT_ID = "1111.2222"
# slack_sdk's oauth_v2_access sends the client credentials with aiohttp.BasicAuth, which aiohttp
# 3.14 deprecates; a warning in a dependency, not an error in claimwatch.
SDK_BASIC_AUTH = "ignore:BasicAuth is deprecated:DeprecationWarning"


def oauth_settings_for(fake: FakeSlack) -> SlackSettings:
    return SlackSettings(
        client_id=CLIENT_ID,
        client_secret="client-secret",
        signing_secret=SIGNING_SECRET,
        api_url=fake.api_url,
    )


@pytest.fixture(params=SQL_ENGINES)
async def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    """The SQL store on SQLite and on PostgreSQL: OAuth installations go in the same database."""
    async with store_factory(request.param, tmp_path) as open_store:
        store = await open_store()
        assert isinstance(store, SqlStore)
        yield store


async def install(
    session: aiohttp.ClientSession, base: str, fake: FakeSlack, team: Team, token: str
) -> int:
    """Walk the installation as a browser would: the install page, then Slack's redirect."""
    code = f"code-{team.team_id}"
    fake.install_codes[code] = (team, token)
    async with session.get(f"{base}/slack/install") as page:
        assert page.status == 200
        html = await page.text()
        cookie = page.headers["Set-Cookie"].split(";")[0]
    found = re.search(r"state=([\w-]+)", html)
    assert found is not None, html
    assert "https://slack.com/oauth/v2/authorize" in html
    scopes = re.search(r"scope=([^&\"]+)", html)
    assert scopes is not None and scopes.group(1).split(",") == list(BOT_SCOPES)
    url = f"{base}/slack/oauth_redirect?code={code}&state={found.group(1)}"
    async with session.get(url, headers={"Cookie": cookie}) as done:
        return done.status


@pytest.mark.filterwarnings(SDK_BASIC_AUTH)
async def test_each_installed_workspace_is_answered_with_its_own_token(
    fake: FakeSlack,
    factbase: FactBase,
    sql_store: SqlStore,
    http_session: aiohttp.ClientSession,
) -> None:
    settings = oauth_settings_for(fake)
    store = sql_store
    service = ClaimwatchService(factbase=factbase, store=store)
    await service.update_config("slack", SECOND_TEAM.team_id, **TEST_CONFIG)

    async with running(settings, Backend(service, store), http=True) as app:
        status = await install(http_session, app.server.url, fake, SECOND_TEAM, SECOND_TOKEN)
        sender = SlackSender(http_session, f"{app.server.url}/slack/events")
        answer = await sender.event(event_body(message_event(CLAIM), team=SECOND_TEAM.team_id))
        await app.settle()

    assert status == 200
    (access,) = fake.calls_to("oauth.v2.access")
    assert access.params["code"] == f"code-{SECOND_TEAM.team_id}"
    assert answer.status == 200
    (reply,) = fake.posts(GENERAL)
    assert reply.token == SECOND_TOKEN
    async with store.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= set(tables)


async def test_a_forged_install_state_is_refused(
    fake: FakeSlack,
    factbase: FactBase,
    sql_store: SqlStore,
    http_session: aiohttp.ClientSession,
) -> None:
    settings = oauth_settings_for(fake)
    store = sql_store
    service = ClaimwatchService(factbase=factbase, store=store)
    fake.install_codes["code-x"] = (SECOND_TEAM, SECOND_TOKEN)

    async with running(settings, Backend(service, store), http=True) as app:
        url = f"{app.server.url}/slack/oauth_redirect?code=code-x&state=forged"
        async with http_session.get(url, headers={"Cookie": "slack-app-oauth-state=forged"}) as r:
            status = r.status

    assert status == 401
    assert fake.calls_to("oauth.v2.access") == []


async def test_oauth_without_a_database_store_is_one_clear_error(
    fake: FakeSlack, factbase: FactBase, store: MemoryStore
) -> None:
    settings = oauth_settings_for(fake)
    backend = Backend(ClaimwatchService(factbase=factbase, store=store), store)

    with pytest.raises(ConfigError, match="keeps each workspace's token in the database"):
        async with running(settings, backend, http=True):
            pass


@pytest.mark.filterwarnings(SDK_BASIC_AUTH)
async def test_an_uninstalled_workspace_loses_its_token_and_gets_no_replies(
    fake: FakeSlack,
    factbase: FactBase,
    sql_store: SqlStore,
    http_session: aiohttp.ClientSession,
) -> None:
    settings = oauth_settings_for(fake)
    service = ClaimwatchService(factbase=factbase, store=sql_store)
    await service.update_config("slack", SECOND_TEAM.team_id, **TEST_CONFIG)
    team = SECOND_TEAM.team_id

    async with running(settings, Backend(service, sql_store), http=True) as app:
        assert await install(http_session, app.server.url, fake, SECOND_TEAM, SECOND_TOKEN) == 200
        sender = SlackSender(http_session, f"{app.server.url}/slack/events")
        uninstalled = {"type": "app_uninstalled", "event_ts": "1700000000.000001"}
        assert (await sender.event(event_body(uninstalled, team=team))).status == 200
        await app.settle()
        after = await sender.event(event_body(message_event(CLAIM), team=team))
        await app.settle()

    assert after.status == 200  # acknowledged, so Slack does not retry it
    assert fake.posts(GENERAL) == []
    async with sql_store.engine.connect() as conn:
        bots = await conn.execute(
            sa.text("SELECT count(*) FROM slack_bots WHERE team_id = :t"), {"t": team}
        )
        assert bots.scalar_one() == 0


@pytest.mark.filterwarnings(SDK_BASIC_AUTH)
async def test_in_socket_mode_the_install_pages_are_on_the_health_port(
    fake: FakeSlack,
    factbase: FactBase,
    sql_store: SqlStore,
    http_session: aiohttp.ClientSession,
) -> None:
    settings = SlackSettings(
        client_id=CLIENT_ID,
        client_secret="client-secret",
        app_token=APP_TOKEN,
        api_url=fake.api_url,
    )
    service = ClaimwatchService(factbase=factbase, store=sql_store)
    await service.update_config("slack", SECOND_TEAM.team_id, **TEST_CONFIG)

    async with running(settings, Backend(service, sql_store)) as app:
        status = await install(http_session, app.server.url, fake, SECOND_TEAM, SECOND_TOKEN)
        body = event_body(message_event(CLAIM), team=SECOND_TEAM.team_id)
        await fake.send_envelope("events_api", body)
        await app.settle()
        async with http_session.post(f"{app.server.url}/slack/events", data=b"{}") as events:
            events_status = events.status

    assert status == 200
    (reply,) = fake.posts(GENERAL)
    assert reply.token == SECOND_TOKEN
    assert events_status in (404, 405)  # Socket Mode takes no events over HTTP
