"""Cohorts from the shell: the students' channel, sync, archive, purge, names in two workspaces."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.domain.cohorts import CohortSpec, create_cohort
from bot.domain.reflections import save_answers
from bot.models import ActionKind, Cohort, Contact, Delivery, Enrollment, InstructorAction, Student
from tests.fakeslack import FakeSlack
from tests.schedule_fixtures import World, local
from tests.test_processes import ROOT, bot, env
from tests.test_startup import only_line

STUDENTS = "C0STUDENTS"
CREATE = (
    *("cohort", "create", "--name", "Mod 5", "--start", "2026-09-07"),
    *("--timezone", "America/Denver", "--instructors-channel", "C0INSTRUCT"),
)
START = local("America/Denver", 2026, 9, 1)
KICKOFF = local("America/Denver", 2026, 9, 7, 9, 30)


def enrolled(database_url: str, cohort_name: str = "Mod 5") -> set[str]:
    from bot import db

    engine = db.make_engine(database_url)
    try:
        with db.session_scope(db.make_session_factory(engine)) as session:
            return set(
                session.scalars(
                    select(Student.user_id)
                    .join(Enrollment, Enrollment.student_id == Student.id)
                    .join(Cohort, Cohort.id == Enrollment.cohort_id)
                    .where(Cohort.name == cohort_name, Enrollment.active)
                )
            )
    finally:
        engine.dispose()


def test_create_enrolls_the_students_channel_like_the_setup_form(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.channel_members[STUDENTS] = [
        *("U0BOT", "U01", "U0TEACH", "U02", "U0ADMIN", "U0OWNER", "U0HELPER", "U0GONE", "U03"),
    ]
    fake_slack.users.update(
        U0ADMIN={"id": "U0ADMIN", "is_admin": True},
        U0OWNER={"id": "U0OWNER", "is_owner": True},
        U0HELPER={"id": "U0HELPER", "is_bot": True},
        U0GONE={"id": "U0GONE", "deleted": True},
    )
    environment = env(database_url, fake_slack)
    done = bot(
        *CREATE,
        *("--students-channel", STUDENTS, "--instructor", "U0TEACH"),
        cwd=tmp_path,
        environment=environment,
    )
    assert done.returncode == 0, done.stderr
    assert f"Enrolled 3 students from {STUDENTS}." in done.stdout
    assert f"students' channel {STUDENTS}; 3 students" in done.stdout
    assert enrolled(database_url) == {"U01", "U02", "U03"}
    assert len(fake_slack.of("conversations.members")) == 5  # 9 members, 2 a page

    fake_slack.channel_members[STUDENTS].append("U04")
    again = bot("cohort", "sync", "Mod 5", cwd=tmp_path, environment=environment)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"Enrolled 1 student from {STUDENTS} (3 already enrolled)."
    assert enrolled(database_url) == {"U01", "U02", "U03", "U04"}


def test_a_channel_the_bot_cannot_read_is_one_line_and_sync_retries(
    tmp_path: Path, fake_slack: FakeSlack, database_url: str
) -> None:
    fake_slack.channel_members[STUDENTS] = ["U01", "U02"]
    fake_slack.fail("conversations.members", error="not_in_channel")
    environment = env(database_url, fake_slack)
    done = bot(*CREATE, "--students-channel", STUDENTS, cwd=tmp_path, environment=environment)
    assert done.returncode == 1
    line = only_line(done.stderr)
    assert "Mod 5 is saved" in line and f"I'm not a member of {STUDENTS}" in line
    assert "/invite @Coffee Chat" in line and 'cohort sync "Mod 5"' in line
    assert "0 students" in done.stdout
    assert enrolled(database_url) == set()

    synced = bot("cohort", "sync", "Mod 5", cwd=tmp_path, environment=environment)
    assert synced.returncode == 0, synced.stderr
    assert enrolled(database_url) == {"U01", "U02"}


def test_a_students_channel_needs_the_token(tmp_path: Path, database_url: str) -> None:
    environment = env(database_url)
    done = bot(*CREATE, "--team", "T0TEAM", "--students-channel", STUDENTS, cwd=tmp_path,
               environment=environment)  # fmt: skip
    assert done.returncode == 2
    line = only_line(done.stderr)
    assert "--students-channel needs SLACK_BOT_TOKEN" in line and "--student U…" in line
    listed = bot("cohort", "list", cwd=tmp_path, environment=environment)
    assert "No cohorts yet" in listed.stdout


def test_the_students_channel_must_not_be_the_instructors(
    tmp_path: Path, database_url: str
) -> None:
    done = bot(*CREATE, "--team", "T0TEAM", "--students-channel", "C0INSTRUCT",
               cwd=tmp_path, environment=env(database_url))  # fmt: skip
    assert done.returncode == 1
    assert "only instructors should read it" in only_line(done.stderr)


def shell(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return bot(*args, cwd=ROOT, environment=env(world.settings.database_url, world.slack))


def test_archiving_stops_every_reminder_and_keeps_the_data(world: World) -> None:
    world.create_cohort(START, student_ids=["U0A"])
    world.outreach("U0A", "Ada Lovelace", START)

    archived = shell(world, "cohort", "archive", "Mod 5")
    assert archived.returncode == 0, archived.stderr
    assert "Archived Mod 5 [T0TEAM]: no more reminders or digests" in archived.stdout
    assert "(archived)" in shell(world, "cohort", "list").stdout
    due = shell(world, "jobs", "run-due", "--now", KICKOFF.isoformat())
    assert due.returncode == 0, due.stderr
    assert "0 sent" in due.stdout and world.slack.take() == []
    assert shell(world, "cohort", "archive", "Mod 5").stdout.strip().endswith("already archived.")
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1

    assert shell(world, "cohort", "unarchive", "Mod 5").returncode == 0
    assert "(archived)" not in shell(world, "cohort", "list").stdout
    shell(world, "jobs", "run-due", "--now", KICKOFF.isoformat())
    assert [p.kind for p in world.slack.take()] == ["kickoff"]


def seed_two_cohorts(world: World) -> int:
    """Mod 5 has U0A (a full log and hand-in) and U0B, who is also in Mod 6."""
    mod5 = world.create_cohort(START, student_ids=["U0A", "U0B"])
    world.create_cohort(START, name="Mod 6", student_ids=["U0B"])
    sent = local("America/Denver", 2026, 9, 8, 10)
    world.outreach_many("U0A", [("Ada Lovelace", None), ("Bob Noyce", None)], sent)
    world.chat("U0A", "Ada Lovelace", sent)
    world.chat("U0A", "Bob Noyce", sent)
    world.outreach("U0B", "Dee Hock", sent)
    with world.session() as session:
        student = world.student(session, "U0A")
        enrollment = session.scalars(
            select(Enrollment).where(
                Enrollment.cohort_id == mod5, Enrollment.student_id == student.id
            )
        ).one()
        save_answers(session, enrollment, {"experience": "Hard at first."}, sent)
    world.hand_in(mod5, "U0A", sent)
    world.run(sent + timedelta(hours=24))
    return mod5


def counts(world: World) -> dict[str, int]:
    with world.session() as session:
        return {
            model.__name__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Student, Enrollment, Contact, Delivery)
        }


def test_purge_refuses_without_a_terminal_and_without_yes(world: World) -> None:
    seed_two_cohorts(world)
    before = counts(world)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "cohort", "purge", "Mod 5"],
        cwd=ROOT,
        env=env(world.settings.database_url, world.slack),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    line = only_line(done.stderr)
    assert "Not purged" in line and "--yes" in line and "terminal" in line
    assert counts(world) == before


def test_purge_deletes_the_students_data_and_keeps_the_cohort_archived(world: World) -> None:
    mod5 = seed_two_cohorts(world)
    done = shell(world, "cohort", "purge", "Mod 5", "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Purged Mod 5 [T0TEAM]: deleted 1 student, 2 enrollments")
    assert "1 of them are in another cohort too" in done.stdout
    with world.session() as session:
        cohort = session.get(Cohort, mod5)
        assert cohort is not None and cohort.active is False and cohort.enrollments == []
        users = set(session.scalars(select(Student.user_id)))
        assert users == {"U0B"}  # U0A is gone entirely; U0B stays for Mod 6
        assert list(session.scalars(select(Contact.name))) == ["Dee Hock"]
        assert {d.cohort_id for d in session.scalars(select(Delivery))} <= {None, mod5 + 1}
    assert enrolled(world.settings.database_url, "Mod 6") == {"U0B"}
    assert "(archived)" in shell(world, "cohort", "list").stdout.splitlines()[-1]


def test_purge_deletes_what_instructors_did_about_its_students(world: World) -> None:
    mod5 = seed_two_cohorts(world)
    at = local("America/Denver", 2026, 9, 9, 10)
    with world.session() as session:
        ids = {user: world.student(session, user).id for user in ("U0A", "U0B")}
        for cohort, user, kind in (
            (mod5, "U0A", ActionKind.NUDGE),
            (mod5, "U0B", ActionKind.EXCUSE),  # U0B stays, for Mod 6
            (mod5 + 1, "U0B", ActionKind.EXTEND),
        ):
            action = InstructorAction(
                cohort_id=cohort, student_id=ids[user], kind=kind, by_user="U0TEACH", at=at
            )
            session.add(action)
        session.commit()

    done = shell(world, "cohort", "purge", "Mod 5", "--yes")

    assert done.returncode == 0, done.stderr
    assert "2 instructor actions" in done.stdout
    with world.session() as session:
        left = [(a.cohort_id, a.kind) for a in session.scalars(select(InstructorAction))]
    assert left == [(mod5 + 1, ActionKind.EXTEND)]


def purge_at_a_terminal(world: World, typed: str) -> subprocess.CompletedProcess[str]:
    """`cohort purge "Mod 5"` with its stdin a terminal where `typed` is typed."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "cohort", "purge", "Mod 5"],
            cwd=ROOT,
            env=env(world.settings.database_url, world.slack),
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(terminal)
        os.write(controller, typed.encode() + b"\n")
        out, err = process.communicate(timeout=60)
    finally:
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_purge_at_a_terminal_wants_the_cohorts_name_typed(world: World) -> None:
    seed_two_cohorts(world)
    before = counts(world)
    wrong = purge_at_a_terminal(world, "Mod 6")
    assert wrong.returncode == 1
    assert "This deletes the data of the 2 students of Mod 5 [T0TEAM]" in wrong.stdout
    assert "Not purged: “Mod 6” is not “Mod 5”." in only_line(wrong.stderr)
    assert counts(world) == before

    right = purge_at_a_terminal(world, "Mod 5")
    assert right.returncode == 0, right.stderr
    assert "Purged Mod 5" in right.stdout
    assert counts(world)["Student"] == 1


def test_a_name_used_in_two_workspaces_needs_the_team(world: World) -> None:
    world.create_cohort(START)
    with world.session() as session:
        spec = CohortSpec(
            team_id="T0OTHER",
            name="Mod 5",
            start_date=date(2026, 9, 7),
            timezone="Europe/London",
            instructors_channel="C0ELSE",
        )
        create_cohort(session, spec, START)
    done = shell(world, "cohort", "archive", "Mod 5")
    assert done.returncode == 1
    line = only_line(done.stderr)
    assert "2 workspaces" in line and "--team T0OTHER or --team T0TEAM" in line

    done = shell(world, "cohort", "archive", "Mod 5", "--team", "T0OTHER")
    assert done.returncode == 0, done.stderr
    with world.session() as session:
        states = {c.team_id: c.active for c in session.scalars(select(Cohort))}
    assert states == {"T0TEAM": True, "T0OTHER": False}
    with world.session() as session:
        number = session.scalars(select(Cohort.id).where(Cohort.team_id == "T0OTHER")).one()
    by_number = shell(world, "cohort", "unarchive", f"#{number}")
    assert by_number.stdout.strip() == "Mod 5 [T0OTHER] is active again."

    missing = shell(world, "cohort", "purge", "Mod 9", "--yes")
    assert missing.returncode == 1
    assert "There is no cohort named “Mod 9”" in only_line(missing.stderr)
