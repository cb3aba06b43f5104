"""The Slack app's credentials and options, from the environment, checked before anything runs.

    SLACK_BOT_TOKEN        bot token (xoxb-…): one workspace, no OAuth
    SLACK_APP_TOKEN        app-level token (xapp-…, scope connections:write): Socket Mode
    SLACK_SIGNING_SECRET   verifies requests in HTTP mode (--http)
    SLACK_CLIENT_ID        with SLACK_CLIENT_SECRET: many workspaces through OAuth installation
    SLACK_CLIENT_SECRET
    CLAIMWATCH_SLACK_API_URL          Web API base URL (default https://slack.com/api/)
    CLAIMWATCH_SLACK_MODERATOR_GROUPS user group ids (S…) whose members may use /claimwatch in
                                      every workspace, besides each one's `moderator_roles`
    CLAIMWATCH_SLACK_REDIRECT_URL     OAuth redirect URL, when Slack must be told one

OAuth installations are stored in the app's own database (DATABASE_URL, SQLite by default).

Every problem is one line that says what to do (`ConfigError`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.errors import ConfigError

__all__ = [
    "DEFAULT_API_URL",
    "DOCS_HINT",
    "SlackSettings",
]

DEFAULT_API_URL = "https://slack.com/api/"
DOCS_HINT = "see docs/slack.md"
BOT_TOKEN_PREFIX = "xoxb-"
APP_TOKEN_PREFIX = "xapp-"
_GROUP_ID = re.compile(r"^S[A-Z0-9]+$")


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """What the Slack adapter needs from the operator. Secrets never appear in repr."""

    bot_token: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    moderator_groups: frozenset[str] = frozenset()
    redirect_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SlackSettings:
        """Read the settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        groups = _get(env, "CLAIMWATCH_SLACK_MODERATOR_GROUPS") or ""
        return cls(
            bot_token=_get(env, "SLACK_BOT_TOKEN"),
            app_token=_get(env, "SLACK_APP_TOKEN"),
            signing_secret=_get(env, "SLACK_SIGNING_SECRET"),
            client_id=_get(env, "SLACK_CLIENT_ID"),
            client_secret=_get(env, "SLACK_CLIENT_SECRET"),
            api_url=_get(env, "CLAIMWATCH_SLACK_API_URL") or DEFAULT_API_URL,
            moderator_groups=frozenset(g for g in re.split(r"[\s,]+", groups) if g),
            redirect_url=_get(env, "CLAIMWATCH_SLACK_REDIRECT_URL"),
        )

    @property
    def oauth(self) -> bool:
        """Many workspaces through OAuth installation (else one workspace by bot token)."""
        return self.client_id is not None or self.client_secret is not None

    @property
    def base_url(self) -> str:
        """The Web API base URL with the trailing slash slack_sdk expects."""
        return self.api_url if self.api_url.endswith("/") else self.api_url + "/"

    def check(self, *, http: bool) -> None:
        """Refuse missing or malformed credentials for the chosen mode (ConfigError, one line)."""
        if not self.api_url.startswith(("https://", "http://")):
            raise ConfigError(
                f"CLAIMWATCH_SLACK_API_URL must be an http(s) URL (got {self.api_url!r})"
            )
        for group in sorted(self.moderator_groups):
            if not _GROUP_ID.match(group):
                raise ConfigError(
                    "CLAIMWATCH_SLACK_MODERATOR_GROUPS takes user group ids like S0123ABCD "
                    f"(got {group!r}); find them in the group's page URL"
                )
        if self.oauth:
            self._check_oauth()
        elif self.bot_token is None:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: install the app to your workspace and copy the "
                "Bot User OAuth Token (xoxb-…) from OAuth & Permissions, or set SLACK_CLIENT_ID "
                f"and SLACK_CLIENT_SECRET for OAuth installation ({DOCS_HINT})"
            )
        elif not self.bot_token.startswith(BOT_TOKEN_PREFIX):
            raise ConfigError(
                f"SLACK_BOT_TOKEN must be a bot token starting with {BOT_TOKEN_PREFIX} (it starts "
                f"with {self.bot_token[:5]!r}); copy the Bot User OAuth Token from OAuth & "
                f"Permissions ({DOCS_HINT})"
            )
        if http:
            if self.signing_secret is None:
                raise ConfigError(
                    "SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify requests; "
                    f"copy it from Basic Information > App Credentials ({DOCS_HINT})"
                )
            return
        if self.app_token is None:
            raise ConfigError(
                "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) with "
                "the connections:write scope from Basic Information > App-Level Tokens, or run "
                f"with --http and SLACK_SIGNING_SECRET ({DOCS_HINT})"
            )
        if not self.app_token.startswith(APP_TOKEN_PREFIX):
            raise ConfigError(
                f"SLACK_APP_TOKEN must be an app-level token starting with {APP_TOKEN_PREFIX} "
                f"(it starts with {self.app_token[:5]!r}); create one under Basic Information > "
                f"App-Level Tokens with the connections:write scope ({DOCS_HINT})"
            )

    def _check_oauth(self) -> None:
        if self.bot_token is not None:
            # Either would work alone; together it is unclear which workspace the token is for.
            raise ConfigError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: unset "
                "SLACK_BOT_TOKEN for OAuth installation into many workspaces, or the client "
                f"credentials for one workspace ({DOCS_HINT})"
            )
        if self.client_id is None or self.client_secret is None:
            missing = "SLACK_CLIENT_SECRET" if self.client_id else "SLACK_CLIENT_ID"
            raise ConfigError(
                f"{missing} is not set: OAuth installation needs both SLACK_CLIENT_ID and "
                f"SLACK_CLIENT_SECRET from Basic Information > App Credentials ({DOCS_HINT})"
            )
