"""Many workspaces: OAuth installation, with installations kept in the app's own database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from bot.adapters.slack._settings import SlackSettings
from bot.errors import ConfigError, StorageError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["BOT_SCOPES", "INSTALL_PATH", "REDIRECT_PATH", "oauth_settings"]

# Keep in step with deploy/slack-manifest.yaml.
BOT_SCOPES = (
    "channels:history",  # message events in public channels the app is in
    "groups:history",  # ... and in private channels it was invited to
    "channels:read",  # is the app in the channels it should watch? channel_deleted events
    "groups:read",  # ... the same for private channels
    "chat:write",  # replies, the moderators' queue, the log
    "commands",  # /factcheck, /claimwatch, the "Check this message" shortcut
    "users:read",  # is the user a workspace admin?
    "usergroups:read",  # is the user in the moderators' user group?
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
OAUTH_STATE_TTL_S = 600  # an install link is good for ten minutes


async def oauth_settings(settings: SlackSettings, engine: AsyncEngine) -> AsyncOAuthSettings:
    """OAuth settings whose installation and state stores live in the app's own database.

    `engine` is the store's engine, so installations sit beside everything else claimwatch
    keeps; the tables (slack_installations, slack_bots, slack_oauth_states) are created if
    missing.
    """
    # Imported here: single-workspace runs (and the in-memory store) never need SQLAlchemy.
    from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
    from sqlalchemy.exc import SQLAlchemyError

    if settings.client_id is None or settings.client_secret is None:
        raise ConfigError("OAuth installation needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    installations = AsyncSQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine)
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=OAUTH_STATE_TTL_S, engine=engine)
    try:
        await installations.create_tables()  # type: ignore[no-untyped-call]
        await states.create_tables()  # type: ignore[no-untyped-call]
    except (SQLAlchemyError, OSError) as exc:
        raise StorageError(f"cannot create the Slack installation tables: {exc}") from exc
    return AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.redirect_url,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        state_store=states,
        state_expiration_seconds=OAUTH_STATE_TTL_S,
    )
