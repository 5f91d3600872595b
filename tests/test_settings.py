import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings, normalise_database_url

ROOT = Path(__file__).resolve().parents[1]


def _env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return {**keep, **extra}


def test_heroku_postgres_urls_are_accepted() -> None:
    assert normalise_database_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"


def test_a_malformed_database_url_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "not a url")
    with pytest.raises(SettingsError, match=r"^DATABASE_URL "):
        load_settings(env_file=None)


def test_missing_tokens_are_named_with_where_to_get_them() -> None:
    settings = Settings(_env_file=None, slack_bot_token="", slack_signing_secret="")  # type: ignore[call-arg]
    with pytest.raises(SettingsError) as caught:
        settings.require_slack()
    message = str(caught.value)
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set" in message
    assert "api.slack.com/apps" in message and "\n" not in message


def test_running_without_tokens_explains_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=_env(PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0] and "SLACK_SIGNING_SECRET" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_bad_database_url_stops_start_up_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path,
        env=_env(PYTHONPATH=str(ROOT), DATABASE_URL="mysql://root@localhost/x"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "coffee-chat: DATABASE_URL must be a sqlite:/// or postgresql:// URL."
    )
