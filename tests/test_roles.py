"""Roles: instructors and admins are never taken for students; looking enrolls nobody."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.domain.cohorts import enroll, get_or_create_student
from bot.models import Cohort, Enrollment, Student
from tests.conftest import Bot
from tests.schedule_fixtures import World, local
from tests.slackreq import STUDENT

TEACHER = "U0TEACH"
ADMIN = "U0ADMIN"
DENVER = "America/Denver"


def enrolled(bot: Bot) -> set[str]:
    with bot.session() as session:
        return set(
            session.scalars(
                select(Student.user_id).join(Enrollment, Enrollment.student_id == Student.id)
            )
        )


def test_an_instructor_running_a_student_command_is_told_so_and_not_enrolled(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.create_cohort(instructor_ids=[TEACHER], student_ids=[])
    caplog.set_level(logging.INFO)

    answer = bot.run("status", user=TEACHER)

    assert "You're an instructor of “Mod 5”" in answer.text()
    assert "`/coffee report`" in answer.text()
    assert enrolled(bot) == set()
    assert any("refused command status to U0TEACH" in r.getMessage() for r in caplog.records)


def test_an_instructor_logging_outreach_is_refused_and_nothing_is_stored(bot: Bot) -> None:
    bot.create_cohort(instructor_ids=[TEACHER], student_ids=[])

    answer = bot.run("outreach Ada Lovelace https://www.linkedin.com/in/ada", user=TEACHER)

    assert "You're an instructor" in answer.text()
    with bot.session() as session:
        assert session.scalars(select(Student)).all() == []


def test_a_workspace_admin_is_not_enrolled_on_first_use(bot: Bot) -> None:
    bot.create_cohort(student_ids=[])
    bot.slack.users[ADMIN] = {"id": ADMIN, "tz": DENVER, "is_admin": True}

    answer = bot.run("status", user=ADMIN)

    assert "admin of this workspace" in answer.text()
    assert enrolled(bot) == set()


def test_a_newcomer_is_enrolled_by_a_student_command_in_a_one_cohort_workspace(bot: Bot) -> None:
    bot.create_cohort(student_ids=[])

    answer = bot.run("status", user="U0NEW")

    assert "Your coffee chats — Mod 5" in answer.text()
    assert enrolled(bot) == {"U0NEW"}


@pytest.mark.parametrize("who", [TEACHER, "U0MEMBER"])
def test_opening_the_app_home_enrolls_nobody(bot: Bot, who: str) -> None:
    bot.create_cohort(instructor_ids=[TEACHER], student_ids=[])

    assert bot.send.event({"type": "app_home_opened", "user": who, "tab": "home"}).status == 200

    [published] = bot.wait_for("views.publish")
    assert published.params["user_id"] == who
    if who == TEACHER:  # their cohort, as instructors see it
        assert "Mod 5" in published.text() and "Post the digest now" in published.text()
    else:
        assert "not in a coffee-chat cohort yet" in published.text()
    assert enrolled(bot) == set()


def test_the_roster_sync_skips_workspace_admins_and_instructors(bot: Bot) -> None:
    from tests.test_roster import STUDENTS, dm_to, roster, set_up_with_students_channel

    bot.slack.channel_members[STUDENTS] = ["U01", "U0OWNER", ADMIN, "U02"]
    bot.slack.users["U0OWNER"] = {"id": "U0OWNER", "is_owner": True}

    cohort = set_up_with_students_channel(bot)

    dm_to(bot, ADMIN)
    assert roster(bot, cohort.id) == {"U01": True, "U02": True}


def test_an_instructor_with_an_old_enrollment_is_never_dmed_nor_counted(world: World) -> None:
    start = local(DENVER, 2026, 9, 1, 12)
    cohort_id = world.create_cohort(start, student_ids=[STUDENT, TEACHER])
    with world.session() as session:  # they were a student once; now they teach the cohort
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        cohort.instructor_ids = [TEACHER]
        enroll(session, cohort, get_or_create_student(session, "T0TEAM", TEACHER), start)

    world.run(local(DENVER, 2026, 9, 7, 9))  # the kickoff
    world.run(local(DENVER, 2026, 9, 18, 17))  # the checkpoint

    assert {p.channel for p in world.slack.delivered("kickoff")} == {STUDENT}
    assert {p.channel for p in world.slack.delivered("checkpoint")} == {STUDENT}
    [digest] = [p.readable() for p in world.slack.delivered("checkpoint-digest") if p.part == 1]
    assert "1 of 1 students" in digest and f"<@{TEACHER}>" not in digest
