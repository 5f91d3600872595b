"""The bot's settings, read from the environment or a `.env` file."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///coffee_chat.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# Serving and connection pools: why these defaults, with the arithmetic, is in .env.example.
MAX_DEFAULT_WEB_WORKERS = 4
DEFAULT_WEB_THREADS = 8
DEFAULT_DB_POOL_SIZE = 2
DEFAULT_DB_MAX_OVERFLOW = 1
# Under a burst the listeners (after their ack) queue for their worker's few connections: a
# listener waits this long for one before it gives up with an error. An answer a few seconds
# late beats an error, and a response URL stays valid for 30 minutes.
DEFAULT_DB_POOL_TIMEOUT = 30.0
DEFAULT_UNINSTALLED_DATA_DAYS = 30
# The range each number may take: (lowest, highest).
LIMITS: dict[str, tuple[float, float]] = {
    "web_workers": (1, 32),
    "web_threads": (1, 64),
    "db_pool_size": (1, 100),
    "db_max_overflow": (0, 100),
    "db_pool_timeout": (0.1, 30),
    "uninstalled_data_days": (0, 3650),
}

WHERE_TO_GET = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-…) under OAuth & Permissions after you "
    "install the app from manifest.json at https://api.slack.com/apps",
    "SLACK_SIGNING_SECRET": "Basic Information → App Credentials → Signing Secret of your app "
    "at https://api.slack.com/apps",
    "SLACK_APP_TOKEN": "an app-level token (xapp-…) with connections:write, under Basic "
    "Information → App-Level Tokens (only for Socket Mode)",
    "SLACK_CLIENT_ID": "Basic Information → App Credentials → Client ID of your app at "
    "https://api.slack.com/apps (only for installing in several workspaces)",
    "SLACK_CLIENT_SECRET": "Basic Information → App Credentials → Client Secret of your app at "
    "https://api.slack.com/apps (only for installing in several workspaces)",
    "DATABASE_URL": "a SQLAlchemy URL such as sqlite:///coffee_chat.db or "
    "postgresql://user:pass@host:5432/db",
}


def usable_cores() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_web_workers() -> int:
    """Two gunicorn workers per usable core, at most MAX_DEFAULT_WEB_WORKERS."""
    return min(2 * usable_cores(), MAX_DEFAULT_WEB_WORKERS)


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    """Every setting of the interface contract; names match the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_ignore_empty=True, extra="ignore", case_sensitive=False
    )

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    slash_command: str = "/coffee"
    log_level: str = "INFO"
    web_workers: int = Field(default_factory=default_web_workers)
    web_threads: int = DEFAULT_WEB_THREADS
    db_pool_size: int = DEFAULT_DB_POOL_SIZE
    db_max_overflow: int = DEFAULT_DB_MAX_OVERFLOW
    db_pool_timeout: float = DEFAULT_DB_POOL_TIMEOUT
    uninstalled_data_days: int = DEFAULT_UNINSTALLED_DATA_DAYS

    @field_validator(*LIMITS, mode="before")
    @classmethod
    def _within_limits(cls, value: object, info: ValidationInfo) -> float:
        return within_limits(
            value, info.field_name or "", decimals=info.field_name == "db_pool_timeout"
        )

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("slash_command")
    @classmethod
    def _leading_slash(cls, value: str) -> str:
        return value if value.startswith("/") else "/" + value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def oauth(self) -> bool:
        """Whether the bot installs in several workspaces (SLACK_CLIENT_ID and _SECRET set)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def oauth_authorize_url(self) -> str:
        """Slack's "Add to Slack" page, beside SLACK_API_URL (`https://slack.com/api/` →
        `https://slack.com/oauth/v2/authorize`), so a stand-in for Slack serves both."""
        return self.slack_api_url.removesuffix("api/") + "oauth/v2/authorize"

    def require_slack(self) -> None:
        """Raise SettingsError naming the first Slack credential that is missing.

        SLACK_BOT_TOKEN is needed unless SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are both set
        (then each workspace's token comes from its installation); one of those two alone is
        a mistake, named as such.
        """
        pair = {
            "SLACK_CLIENT_ID": self.slack_client_id,
            "SLACK_CLIENT_SECRET": self.slack_client_secret,
        }
        halves = [name for name, value in pair.items() if not value]
        if len(halves) == 1:
            (absent,) = halves
            (present,) = set(pair) - {absent}
            raise SettingsError(
                f"{absent} is not set but {present} is: set both to install in several "
                f"workspaces (OAuth), or neither for one workspace on SLACK_BOT_TOKEN; {absent} "
                f"is {WHERE_TO_GET[absent]}."
            )
        needed = (
            ("slack_signing_secret",) if self.oauth else ("slack_bot_token", "slack_signing_secret")
        )
        missing = [n.upper() for n in needed if not getattr(self, n)]
        if missing:
            where = "; ".join(f"{env} is {WHERE_TO_GET[env]}" for env in missing)
            raise SettingsError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set "
                f"(in the environment or .env, see .env.example): {where}."
            )
        if self.slack_bot_token and not self.slack_bot_token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
        if self.slack_app_token and not self.slack_app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")


def normalise_database_url(value: str) -> str:
    """Accept Heroku's postgres:// URLs and check that the URL parses."""
    if value.startswith("postgres://"):
        value = "postgresql+psycopg://" + value[len("postgres://") :]
    elif value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value[len("postgresql://") :]
    try:
        url = make_url(value)
    except ArgumentError as exc:
        raise ValueError("is not a database URL (try sqlite:///coffee_chat.db)") from exc
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ValueError("must be a sqlite:/// or postgresql:// URL")
    if url.get_backend_name() == "sqlite" and url.database:
        parent = Path(url.database).expanduser().parent
        if not parent.exists():
            raise ValueError(f"points into a folder that does not exist: {parent}")
    return value


def within_limits(value: object, field: str, decimals: bool = False) -> float:
    """A number of the field's LIMITS; whole unless `decimals`."""
    low, high = LIMITS[field]
    kind = "a number of seconds" if decimals else "a whole number"
    problem = ValueError(f"must be {kind} from {low:g} to {high:g}, not {value!r}")
    try:
        number = float(value) if decimals else int(str(value).strip())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise problem from None
    if not low <= number <= high:
        raise problem
    return number


def load_settings(env_file: str | None = ".env") -> Settings:
    """Read the settings; any invalid one becomes a one-line SettingsError naming it."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} {message}.") from None
