"""The roster: a students' channel's members are enrolled at setup, and joins/leaves follow."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.domain.roster import timezone_changed
from bot.models import Cohort, Contact, Enrollment, Student
from tests.conftest import Bot
from tests.fakeslack import Call
from tests.setup_values import channel_value, untouched
from tests.slackreq import STUDENT, text_value

ADMIN = "U0ADMIN"
TEACHER = "U0TEACH"
STUDENTS = "C0STUDENTS"


def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll `check` until it returns something truthy (events are handled after the ack)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


def roster(bot: Bot, cohort_id: int | None = None) -> dict[str, bool]:
    """user id → active, for every enrollment (of one cohort, when given)."""
    with bot.session() as session:
        query = select(Student.user_id, Enrollment.active).join(
            Enrollment, Enrollment.student_id == Student.id
        )
        if cohort_id is not None:
            query = query.where(Enrollment.cohort_id == cohort_id)
        return {user: bool(active) for user, active in session.execute(query)}


def dm_to(bot: Bot, user: str) -> list[Call]:
    return bot.wait_for(
        "chat.postMessage", where=lambda c: c.params.get("channel") in (user, f"D{user}")
    )


def set_up_with_students_channel(bot: Bot) -> Cohort:
    bot.slack.users[ADMIN] = {"id": ADMIN, "tz": "America/Denver", "is_admin": True}
    reply = bot.send.command("setup", user=ADMIN, channel="C0INSTRUCT")
    assert reply.status == 200
    [opened] = bot.wait_for("views.open")
    view = opened.view()
    values = {
        **untouched(view),
        "cohort_name": text_value("Mod 5"),
        "students_channel": channel_value(STUDENTS),
    }
    answer = bot.send.view_submission(view, values, user=ADMIN).json()
    assert answer["response_action"] == "update", answer
    with bot.session() as session:
        return session.scalars(select(Cohort)).one()


def test_setup_enrolls_every_person_in_the_students_channel_across_pages(bot: Bot) -> None:
    members = ["U0BOT", "U01", "U02", ADMIN, "U03", "U0HELPER", "U04", "U05", "U0GONE"]
    bot.slack.channel_members[STUDENTS] = members
    bot.slack.users["U0HELPER"] = {"id": "U0HELPER", "is_bot": True}
    bot.slack.users["U0GONE"] = {"id": "U0GONE", "deleted": True}

    cohort = set_up_with_students_channel(bot)

    [dm] = dm_to(bot, ADMIN)
    assert f"Enrolled 5 students from <#{STUDENTS}>" in dm.text()
    assert roster(bot, cohort.id) == {u: True for u in ["U01", "U02", "U03", "U04", "U05"]}
    pages = bot.slack.of("conversations.members")
    assert len(pages) == 5  # 9 members, 2 a page
    assert all(p.params["channel"] == STUDENTS for p in pages)


def test_saving_again_enrolls_newcomers_and_counts_the_others(bot: Bot) -> None:
    bot.slack.channel_members[STUDENTS] = ["U01", "U02"]
    cohort = set_up_with_students_channel(bot)
    dm_to(bot, ADMIN)
    bot.slack.channel_members[STUDENTS] = ["U01", "U02", "U03"]
    bot.slack.clear()

    reply = bot.send.command("setup", user=ADMIN, channel="C0INSTRUCT")
    assert reply.status == 200
    [opened] = bot.wait_for("views.open")
    view = opened.view()
    assert view["title"]["text"] == "Edit cohort"
    bot.send.view_submission(view, untouched(view), user=ADMIN)

    [dm] = dm_to(bot, ADMIN)
    assert "Enrolled 1 student from" in dm.text()
    assert "(2 already enrolled)" in dm.text()
    assert roster(bot, cohort.id) == {"U01": True, "U02": True, "U03": True}


def test_an_unreadable_students_channel_is_reported_to_the_instructor(bot: Bot) -> None:
    bot.slack.fail("conversations.members", error="channel_not_found")

    cohort = set_up_with_students_channel(bot)

    [dm] = dm_to(bot, ADMIN)
    assert f"I couldn't read the members of <#{STUDENTS}> (channel_not_found)" in dm.text()
    assert roster(bot, cohort.id) == {}


def test_someone_joining_the_students_channel_is_enrolled(bot: Bot) -> None:
    cohort = bot.create_cohort(students_channel=STUDENTS, student_ids=[])

    reply = bot.send.event(
        {
            "type": "member_joined_channel",
            "user": "U0NEW",
            "channel": STUDENTS,
            "channel_type": "C",
            "team": "T0TEAM",
        }
    )

    assert reply.status == 200
    assert eventually(lambda: roster(bot, cohort.id)) == {"U0NEW": True}


def test_joins_elsewhere_and_by_bots_and_instructors_are_ignored(bot: Bot) -> None:
    cohort = bot.create_cohort(students_channel=STUDENTS, student_ids=[], instructor_ids=[TEACHER])
    bot.slack.users["U0HELPER"] = {"id": "U0HELPER", "is_bot": True}

    for user, channel in [
        ("U0ELSE", "C0RANDOM"),
        ("U0BOT", STUDENTS),
        ("U0HELPER", STUDENTS),
        (TEACHER, STUDENTS),
    ]:
        bot.send.event(
            {"type": "member_joined_channel", "user": user, "channel": channel, "team": "T0TEAM"}
        )
    bot.send.event(
        {"type": "member_joined_channel", "user": "U0LAST", "channel": STUDENTS, "team": "T0TEAM"}
    )

    assert eventually(lambda: "U0LAST" in roster(bot, cohort.id))
    time.sleep(0.2)
    assert roster(bot, cohort.id) == {"U0LAST": True}
    looked_up = [c.params["user"] for c in bot.slack.of("users.info")]
    assert "U0ELSE" not in looked_up  # no Slack call for channels that aren't a cohort's


def test_leaving_the_students_channel_makes_the_enrollment_inactive_and_keeps_the_log(
    bot: Bot,
) -> None:
    cohort = bot.create_cohort(students_channel=STUDENTS)
    bot.run("outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace")

    bot.send.event(
        {
            "type": "member_left_channel",
            "user": STUDENT,
            "channel": STUDENTS,
            "channel_type": "C",
            "team": "T0TEAM",
        }
    )

    assert eventually(lambda: roster(bot, cohort.id) == {STUDENT: False})
    with bot.session() as session:
        assert session.scalars(select(Contact.name)).all() == ["Ada Lovelace"]

    bot.send.event(
        {"type": "member_joined_channel", "user": STUDENT, "channel": STUDENTS, "team": "T0TEAM"}
    )

    assert eventually(lambda: roster(bot, cohort.id) == {STUDENT: True})


def test_leaving_another_channel_changes_nothing(bot: Bot) -> None:
    cohort = bot.create_cohort(students_channel=STUDENTS)

    reply = bot.send.event(
        {"type": "member_left_channel", "user": STUDENT, "channel": "C0RANDOM", "team": "T0TEAM"}
    )

    assert reply.status == 200
    time.sleep(0.2)
    assert roster(bot, cohort.id) == {STUDENT: True}


def student_timezone(bot: Bot, user: str = STUDENT) -> str | None:
    with bot.session() as session:
        return session.scalars(select(Student.timezone).where(Student.user_id == user)).first()


def profile_change(bot: Bot, user: dict[str, Any]) -> None:
    assert bot.send.event({"type": "user_change", "user": user}).status == 200


def test_a_student_who_moves_timezone_gets_quiet_hours_in_the_new_one(bot: Bot) -> None:
    bot.create_cohort()
    bot.run("status")
    with bot.session() as session:
        student = session.scalars(select(Student).where(Student.user_id == STUDENT)).one()
        student.timezone = "America/Denver"

    profile_change(bot, {"id": STUDENT, "team_id": "T0TEAM", "tz": "Asia/Kolkata"})

    assert eventually(lambda: student_timezone(bot) == "Asia/Kolkata")


def test_profile_changes_of_strangers_or_with_unknown_zones_store_nothing(bot: Bot) -> None:
    bot.create_cohort()
    bot.run("status")
    with bot.session() as session:
        student = session.scalars(select(Student).where(Student.user_id == STUDENT)).one()
        student.timezone = "Europe/London"

    with bot.session() as session:
        assert not timezone_changed(session, "T0TEAM", STUDENT, "Mars/Olympus_Mons")
        assert not timezone_changed(session, "T0TEAM", STUDENT, None)
        assert not timezone_changed(session, "T0TEAM", "U0STRANGER", "Asia/Kolkata")
        assert not timezone_changed(session, "T0OTHER", STUDENT, "Asia/Kolkata")
        assert not timezone_changed(session, "T0TEAM", STUDENT, "Europe/London")

    assert student_timezone(bot) == "Europe/London"
    with bot.session() as session:
        assert session.scalars(select(Student).where(Student.user_id == "U0STRANGER")).all() == []
