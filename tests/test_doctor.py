"""`python -m bot doctor` against the fake Slack: each problem is one line with its fix."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from bot import db
from bot.domain.cohorts import CohortSpec, create_cohort
from bot.models import utcnow
from tests.fakeslack import FakeSlack, manifest_scopes
from tests.test_processes import bot, env
from tests.test_startup import CLOSED_PORT_API

HEADS = ", ".join(sorted(db.head_revisions()))  # what a fresh database migrates to

STUDENTS = "C0STUDENTS"


def add_cohort(database_url: str, name: str = "Mod 5", team: str = "T0TEAM") -> None:
    engine = db.make_engine(database_url)
    spec = CohortSpec(
        team_id=team,
        name=name,
        start_date=date(2026, 9, 7),
        timezone="America/Denver",
        instructors_channel="C0INSTRUCT",
        students_channel=STUDENTS,
    )
    with db.session_scope(db.make_session_factory(engine)) as session:
        create_cohort(session, spec, utcnow())
    engine.dispose()


def doctor(tmp_path: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = bot("doctor", cwd=tmp_path, environment=environment)
    assert done.stderr == "", done.stderr
    return done


def problems(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.startswith("problem: ")]


def test_a_healthy_set_up_passes_every_check(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    add_cohort(database_url)
    done = doctor(tmp_path, env(database_url, fake_slack))
    assert done.returncode == 0, done.stdout
    assert problems(done) == []
    assert "ok: settings are complete" in done.stdout
    assert f"is reachable and migrated ({HEADS})" in done.stdout
    assert "ok: SLACK_BOT_TOKEN works: bot user U0BOT in Test (T0TEAM)" in done.stdout
    assert "ok: the token holds every scope manifest.json asks for" in done.stdout
    assert "ok: the bot is a member of all 2 channels of the active cohorts" in done.stdout
    assert done.stdout.strip().endswith("All is well.")
    asked = {c.params["channel"] for c in fake_slack.of("conversations.info")}
    assert asked == {"C0INSTRUCT", STUDENTS}


def test_a_token_slack_refuses_is_named(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.fail("auth.test", error="token_revoked")
    done = doctor(tmp_path, env(database_url, fake_slack))
    assert done.returncode == 1
    [problem] = problems(done)
    assert "Slack refused SLACK_BOT_TOKEN (token_revoked)" in problem
    assert "reinstall the app" in problem
    assert done.stdout.strip().endswith("1 problem found.")


def test_an_unreachable_slack_is_a_problem(tmp_path: Path, database_url: str) -> None:
    environment = env(
        database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="secret",
        SLACK_API_URL=CLOSED_PORT_API,
    )
    done = doctor(tmp_path, environment)
    assert done.returncode == 1
    [problem] = problems(done)
    assert "could not check SLACK_BOT_TOKEN" in problem and "Connection refused" in problem


def test_a_missing_scope_is_named_with_how_to_grant_it(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.scopes = [s for s in manifest_scopes() if s not in {"files:write", "im:history"}]
    done = doctor(tmp_path, env(database_url, fake_slack))
    assert done.returncode == 1
    [problem] = problems(done)
    assert "the token lacks files:write, im:history" in problem
    assert "python -m bot manifest" in problem and "reinstall the app" in problem


def test_a_channel_without_the_bot_is_named_with_the_invite(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    add_cohort(database_url)
    add_cohort(database_url, name="Elsewhere", team="T0OTHER")
    fake_slack.channels[STUDENTS] = {"is_member": False}
    done = doctor(tmp_path, env(database_url, fake_slack))
    assert done.returncode == 1
    [problem] = problems(done)
    assert f"{STUDENTS}, the students' channel of “Mod 5”: the bot is not a member" in problem
    assert "/invite @Coffee Chat" in problem
    assert "note: cohorts of other workspaces (T0OTHER) were not checked" in done.stdout


def test_a_private_channel_the_bot_cannot_see_is_named(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    add_cohort(database_url)
    fake_slack.fail("conversations.info", error="channel_not_found")
    done = doctor(tmp_path, env(database_url, fake_slack))
    assert done.returncode == 1
    [problem] = problems(done)
    assert "C0INSTRUCT, the instructors' channel of “Mod 5”: the bot can't see it" in problem


def test_an_unmigrated_database_says_to_migrate(tmp_path: Path, fake_slack: FakeSlack) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    fresh = doctor(tmp_path, env(url, fake_slack))
    assert fresh.returncode == 1
    [problem] = problems(fresh)
    assert "the database has no tables yet: run `python -m bot db upgrade`" in problem

    db.upgrade(url, "0001")
    behind = doctor(tmp_path, env(url, fake_slack))
    assert behind.returncode == 1
    [problem] = problems(behind)
    assert f"at revision 0001 but this version needs {HEADS}" in problem
    assert "run `python -m bot db upgrade`" in problem
    assert "ok: SLACK_BOT_TOKEN works" in behind.stdout  # the other checks still ran


def test_missing_settings_are_named_and_the_database_still_checked(
    tmp_path: Path, database_url: str
) -> None:
    done = doctor(tmp_path, env(database_url))
    assert done.returncode == 1
    [problem] = problems(done)
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set" in problem
    assert "is reachable and migrated" in done.stdout
