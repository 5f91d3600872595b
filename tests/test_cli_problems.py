"""Every CLI problem is one line on stderr with its fix, never a traceback; output stays quiet."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot import db
from bot.cli import _parser
from tests.fakeslack import FakeSlack
from tests.test_processes import bot, env
from tests.test_startup import CLOSED_PORT_API, only_line

HEADS = ", ".join(sorted(db.head_revisions()))  # what a fresh database migrates to

CREATE = (
    *("cohort", "create", "--name", "Mod 5", "--start", "2026-09-07"),
    *("--timezone", "UTC", "--instructors-channel", "C0INSTRUCT"),
)


def test_cohort_create_when_slack_cannot_be_reached(tmp_path: Path) -> None:
    environment = env(
        "sqlite:///coffee.db",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=CLOSED_PORT_API,
    )
    done = bot(*CREATE, cwd=tmp_path, environment=environment)
    assert done.returncode == 1
    line = only_line(done.stderr)
    assert "cannot reach Slack at http://127.0.0.1:9/api/ (Connection refused)" in line
    assert "SLACK_API_URL" in line


def test_cohort_create_with_a_token_slack_refuses(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.fail("auth.test", error="invalid_auth")
    done = bot(*CREATE, cwd=tmp_path, environment=env("sqlite:///coffee.db", fake_slack))
    assert done.returncode == 2
    line = only_line(done.stderr)
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in line and "xoxb-" in line


def test_cohort_list_on_a_database_never_migrated_says_to_migrate(tmp_path: Path) -> None:
    done = bot("cohort", "list", cwd=tmp_path, environment=env("sqlite:///coffee.db"))
    assert done.returncode == 1
    line = only_line(done.stderr)
    assert "no tables yet" in line and "python -m bot db upgrade" in line
    assert "cannot reach" not in line


def test_a_database_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    url = "postgresql://coffee:hunter2@127.0.0.1:9/coffee"
    done = bot("cohort", "list", cwd=tmp_path, environment=env(url))
    assert done.returncode == 1
    line = only_line(done.stderr)
    assert "cannot reach the database at postgresql+psycopg://coffee:***@127.0.0.1:9" in line
    assert "hunter2" not in line and "DATABASE_URL" in line


def test_a_usage_mistake_is_one_line_pointing_at_help(tmp_path: Path) -> None:
    done = bot("cohort", "create", "--name", "X", cwd=tmp_path, environment=env("sqlite:///c.db"))
    assert done.returncode == 2
    line = only_line(done.stderr)
    assert "required: --start" in line and "python -m bot cohort create --help" in line


def test_migrating_prints_one_line_without_alembics_chatter(tmp_path: Path) -> None:
    done = bot("db", "upgrade", cwd=tmp_path, environment=env("sqlite:///coffee.db"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"database is up to date ({HEADS})"
    assert "alembic" not in done.stderr and "Running upgrade" not in done.stderr
    [migrated] = done.stderr.strip().splitlines()
    assert f"database migrated: no tables → {HEADS}" in migrated
    again = bot("db", "upgrade", cwd=tmp_path, environment=env("sqlite:///coffee.db"))
    assert again.stderr == "" and again.stdout.strip() == f"database is up to date ({HEADS})"


def subcommands(parser: argparse.ArgumentParser, path: str = "") -> list[tuple[str, str]]:
    """Every (command path, description) reachable from the parser."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((f"{path} {name}".strip(), sub.description or ""))
                found += subcommands(sub, f"{path} {name}")
    return found


def test_every_subcommand_has_a_help_description() -> None:
    commands = dict(subcommands(_parser()))
    assert {"web", "clock", "db upgrade", "doctor", "manifest", "cohort purge"} <= commands.keys()
    assert [name for name, description in commands.items() if not description] == []


@pytest.mark.parametrize("command", [["web"], ["clock"], ["db", "upgrade"]])
def test_help_describes_the_process(tmp_path: Path, command: list[str]) -> None:
    done = bot(*command, "--help", cwd=tmp_path, environment=env("sqlite:///c.db"))
    assert done.returncode == 0
    description = done.stdout.split("\n\n")[1]
    assert description.strip() and "usage" not in description
