"""`/coffee setup`: who may run it, the modal, creating and editing a cohort, bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain import calendar
from bot.models import Cohort, Enrollment, Student
from tests.blockkit import assert_valid_view
from tests.conftest import Bot
from tests.fakeslack import Call
from tests.setup_values import channel_value, datetime_value, number_value, untouched
from tests.slackreq import STUDENT, Reply, date_value, text_value

ADMIN = "U0ADMIN"
TEACHER = "U0TEACH"
INSTRUCTORS = "C0INSTRUCT"


def make_admin(bot: Bot, tz: str = "Europe/London") -> None:
    bot.slack.users[ADMIN] = {"id": ADMIN, "tz": tz, "is_admin": True}


def open_setup(
    bot: Bot, user: str = ADMIN, channel: str = INSTRUCTORS, text: str = "setup"
) -> dict[str, Any]:
    """Type the command and return the modal the bot opened."""
    before = len(bot.slack.of("views.open"))
    reply = bot.send.command(text, user=user, channel=channel)
    assert reply.status == 200, reply
    opened = bot.wait_for("views.open", count=before + 1)
    assert len(opened) == before + 1, "no modal opened"
    view = opened[-1].view()
    assert_valid_view(view)
    return view


def submit(bot: Bot, view: dict[str, Any], user: str = ADMIN, **changes: Any) -> Reply:
    """Submit the modal as opened, with `changes` (block id → value) typed in."""
    reply = bot.send.view_submission(view, {**untouched(view), **changes}, user=user)
    assert reply.status == 200, reply
    return reply


def element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b["element"] for b in view["blocks"] if b.get("block_id") == block_id)


def dm_to(bot: Bot, user: str, count: int = 1) -> list[Call]:
    return bot.wait_for(
        "chat.postMessage",
        count=count,
        where=lambda c: c.params.get("channel") in (user, f"D{user}"),
    )


def cohorts(bot: Bot) -> list[Cohort]:
    with bot.session() as session:
        return list(session.scalars(select(Cohort).order_by(Cohort.id)))


def test_setup_is_refused_to_a_non_admin_in_a_workspace_without_cohorts(bot: Bot) -> None:
    answer = bot.run("setup", user="U0NOBODY")

    assert "Only a workspace admin or owner can set up the first" in answer.text()
    assert not bot.slack.of("views.open")
    assert cohorts(bot) == []
    with bot.session() as session:
        assert session.scalar(select(func.count()).select_from(Student)) == 0


def test_setup_is_refused_to_someone_who_instructs_no_cohort(bot: Bot) -> None:
    bot.create_cohort(instructor_ids=[TEACHER])

    answer = bot.run("setup", user=STUDENT)

    assert "Only workspace admins and owners, and the instructors" in answer.text()
    assert not bot.slack.of("views.open")


def test_setup_modal_is_prefilled_with_the_admins_timezone_and_default_dates(bot: Bot) -> None:
    make_admin(bot, tz="Europe/London")

    view = open_setup(bot)

    assert view["title"]["text"] == "Set up a cohort"
    assert element(view, "timezone")["initial_value"] == "Europe/London"
    # The clock says Wed 9 Sep 2026: the suggested start is the next Monday.
    assert element(view, "start_date")["initial_date"] == "2026-09-14"
    assert element(view, "instructors_channel")["initial_conversation"] == INSTRUCTORS
    assert element(view, "required_chats")["initial_value"] == "2"
    assert element(view, "min_attempts")["initial_value"] == "8"
    # Friday of Week 2 and of Week 4, 17:00 BST.
    checkpoint = element(view, "checkpoint")["initial_date_time"]
    deadline = element(view, "deadline")["initial_date_time"]
    assert checkpoint == int(datetime(2026, 9, 25, 16, 0, tzinfo=UTC).timestamp())
    assert deadline == int(datetime(2026, 10, 9, 16, 0, tzinfo=UTC).timestamp())
    assert json.loads(view["private_metadata"])["cohort_id"] is None


def test_saving_the_modal_creates_the_cohort_with_the_saver_as_instructor(bot: Bot) -> None:
    make_admin(bot)
    view = open_setup(bot)

    reply = submit(bot, view, cohort_name=text_value("Mod 5 — Fall"))

    answer = reply.json()
    assert answer["response_action"] == "update", answer
    assert_valid_view(answer["view"])
    assert "Mod 5 — Fall" in json.dumps(answer["view"], ensure_ascii=False)
    [cohort] = cohorts(bot)
    assert cohort.name == "Mod 5 — Fall"
    assert cohort.team_id == "T0TEAM"
    assert cohort.timezone == "Europe/London"
    assert cohort.start_date == date(2026, 9, 14)
    assert cohort.checkpoint_at == datetime(2026, 9, 25, 16, 0, tzinfo=UTC)
    assert cohort.deadline_at == datetime(2026, 10, 9, 16, 0, tzinfo=UTC)
    assert cohort.instructors_channel == INSTRUCTORS
    assert cohort.students_channel is None
    assert cohort.created_by == ADMIN
    assert cohort.instructor_ids == [ADMIN]
    assert (cohort.required_chats, cohort.min_attempts) == (2, 8)
    [dm] = dm_to(bot, ADMIN)
    assert "Mod 5 — Fall" in dm.text()
    assert "I'm not in" not in dm.text()


def test_default_dates_follow_a_changed_start_date_and_timezone(bot: Bot) -> None:
    make_admin(bot)
    view = open_setup(bot)

    submit(
        bot,
        view,
        cohort_name=text_value("Mod 6"),
        start_date=date_value("2026-09-21"),
        timezone=text_value("America/New_York"),
        required_chats=number_value(3),
    )

    [cohort] = cohorts(bot)
    # Friday of Week 2 and Week 4 after 21 Sep, 17:00 EDT.
    assert cohort.checkpoint_at == datetime(2026, 10, 2, 21, 0, tzinfo=UTC)
    assert cohort.deadline_at == datetime(2026, 10, 16, 21, 0, tzinfo=UTC)
    assert cohort.required_chats == 3


def test_dates_picked_by_hand_are_kept(bot: Bot) -> None:
    make_admin(bot)
    view = open_setup(bot)
    checkpoint = datetime(2026, 9, 24, 12, 0, tzinfo=UTC)
    deadline = datetime(2026, 10, 8, 12, 0, tzinfo=UTC)

    submit(
        bot,
        view,
        cohort_name=text_value("Mod 7"),
        start_date=date_value("2026-09-15"),
        checkpoint=datetime_value(checkpoint),
        deadline=datetime_value(deadline),
    )

    [cohort] = cohorts(bot)
    assert (cohort.checkpoint_at, cohort.deadline_at) == (checkpoint, deadline)


def test_an_instructor_edits_their_cohort_from_a_prefilled_modal(bot: Bot) -> None:
    original = bot.create_cohort(instructor_ids=[TEACHER], students_channel="C0STUDENTS")

    view = open_setup(bot, user=TEACHER, channel="C0ELSEWHERE")

    assert view["title"]["text"] == "Edit cohort"
    assert json.loads(view["private_metadata"])["cohort_id"] == original.id
    assert element(view, "cohort_name")["initial_value"] == "Mod 5"
    assert element(view, "timezone")["initial_value"] == "America/Denver"
    assert element(view, "start_date")["initial_date"] == "2026-09-07"
    assert element(view, "instructors_channel")["initial_conversation"] == INSTRUCTORS
    assert element(view, "students_channel")["initial_conversation"] == "C0STUDENTS"
    assert element(view, "instructors")["initial_users"] == [TEACHER]
    assert element(view, "checkpoint")["initial_date_time"] == int(
        original.checkpoint_at.timestamp()
    )

    reply = submit(
        bot,
        view,
        user=TEACHER,
        cohort_name=text_value("Mod 5 — Fall"),
        min_attempts=number_value(10),
        students_channel=channel_value(None),
    )

    assert reply.json()["response_action"] == "update", reply.json()
    [cohort] = cohorts(bot)
    assert cohort.id == original.id
    assert cohort.name == "Mod 5 — Fall"
    assert cohort.min_attempts == 10
    assert cohort.students_channel is None
    assert cohort.checkpoint_at == original.checkpoint_at
    assert cohort.instructor_ids == [TEACHER]
    with bot.session() as session:
        enrolled = session.scalars(select(Enrollment).where(Enrollment.cohort_id == cohort.id))
        assert [e.active for e in enrolled] == [True]


def test_setup_new_opens_an_empty_form_for_another_cohort(bot: Bot) -> None:
    bot.create_cohort(instructor_ids=[TEACHER])

    view = open_setup(bot, user=TEACHER, text="setup new")
    submit(bot, view, user=TEACHER, cohort_name=text_value("Mod 6"))

    assert [c.name for c in cohorts(bot)] == ["Mod 5", "Mod 6"]
    assert cohorts(bot)[1].created_by == TEACHER


def test_an_instructor_cannot_save_over_another_instructors_cohort(bot: Bot) -> None:
    other = bot.create_cohort(name="Mod 4", instructor_ids=["U0OTHER"])
    bot.create_cohort(name="Mod 5", instructor_ids=[TEACHER])
    view = open_setup(bot, user=TEACHER)
    forged = {**view, "private_metadata": json.dumps({"cohort_id": other.id})}

    reply = submit(bot, forged, user=TEACHER, cohort_name=text_value("Mine now"))

    assert reply.json()["response_action"] == "errors"
    assert "not an instructor of “Mod 4”" in reply.json()["errors"]["cohort_name"]
    assert sorted(c.name for c in cohorts(bot)) == ["Mod 4", "Mod 5"]


def test_unknown_timezone_is_an_error_on_the_timezone_field(bot: Bot) -> None:
    make_admin(bot)
    view = open_setup(bot)

    reply = submit(bot, view, cohort_name=text_value("Mod 5"), timezone=text_value("Mars/Olympus"))

    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["timezone"]
    assert "“Mars/Olympus” is not a timezone" in answer["errors"]["timezone"]
    assert "America/Denver" in answer["errors"]["timezone"]
    assert cohorts(bot) == []


def test_deadline_before_checkpoint_is_an_error_on_the_deadline_field(bot: Bot) -> None:
    make_admin(bot)
    view = open_setup(bot)

    reply = submit(
        bot,
        view,
        cohort_name=text_value("Mod 5"),
        checkpoint=datetime_value(datetime(2026, 10, 9, 16, 0, tzinfo=UTC)),
        deadline=datetime_value(datetime(2026, 9, 25, 16, 0, tzinfo=UTC)),
    )

    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"deadline": "The deadline must come after the checkpoint."}
    assert cohorts(bot) == []


def test_start_date_more_than_a_year_ago_is_an_error_on_the_start_date_field(bot: Bot) -> None:
    make_admin(bot)
    view = open_setup(bot)

    reply = submit(bot, view, cohort_name=text_value("Mod 5"), start_date=date_value("2025-08-01"))

    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["start_date"]
    assert "more than a year ago" in answer["errors"]["start_date"]
    assert cohorts(bot) == []


@pytest.mark.parametrize("start", ["9999-12-31", "2200-01-05"])
def test_a_start_date_centuries_away_is_an_error_on_the_start_date_field(
    bot: Bot, start: str
) -> None:
    make_admin(bot)
    view = open_setup(bot)

    reply = submit(bot, view, cohort_name=text_value("Mod 5"), start_date=date_value(start))

    assert reply.status == 200, reply
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert "more than a century away" in answer["errors"]["start_date"]
    assert cohorts(bot) == []


def test_students_channel_must_differ_from_the_instructors_channel(bot: Bot) -> None:
    make_admin(bot)
    view = open_setup(bot)

    reply = submit(
        bot, view, cohort_name=text_value("Mod 5"), students_channel=channel_value(INSTRUCTORS)
    )

    assert list(reply.json()["errors"]) == ["students_channel"]
    assert cohorts(bot) == []


def test_a_taken_cohort_name_is_an_error_on_the_name_field(bot: Bot) -> None:
    bot.create_cohort(name="Mod 5", instructor_ids=["U0OTHER"])
    make_admin(bot)
    view = open_setup(bot, text="setup new")

    reply = submit(bot, view, cohort_name=text_value("Mod 5"))

    assert "already exists" in reply.json()["errors"]["cohort_name"]
    assert len(cohorts(bot)) == 1


def test_instructor_is_told_when_the_bot_is_not_in_the_instructors_channel(bot: Bot) -> None:
    make_admin(bot)
    bot.slack.channels[INSTRUCTORS] = {"is_member": False, "name": "instructors"}
    view = open_setup(bot)

    submit(bot, view, cohort_name=text_value("Mod 5"))

    [dm] = dm_to(bot, ADMIN)
    assert f"I'm not in <#{INSTRUCTORS}>" in dm.text()
    assert "/invite @Coffee Chat" in dm.text()
    assert "checkpoint digest can reach you" in dm.text()
    [info] = bot.slack.of("conversations.info")
    assert info.params["channel"] == INSTRUCTORS
    assert len(cohorts(bot)) == 1


def test_instructor_is_told_when_the_instructors_channel_is_private_without_the_bot(
    bot: Bot,
) -> None:
    make_admin(bot)
    bot.slack.fail("conversations.info", error="channel_not_found")
    view = open_setup(bot)

    submit(bot, view, cohort_name=text_value("Mod 5"))

    [dm] = dm_to(bot, ADMIN)
    assert f"I'm not in <#{INSTRUCTORS}>" in dm.text()


def test_help_mentions_setup(bot: Bot) -> None:
    assert "setup" in bot.run("help").text()


def test_editing_keeps_the_cohorts_breaks_and_defaults_count_them(bot: Bot) -> None:
    breaks = [{"start": "2026-09-28", "weeks": "1"}]
    original = bot.create_cohort(instructor_ids=[TEACHER], breaks=breaks)
    view = open_setup(bot, user=TEACHER)

    submit(bot, view, user=TEACHER, start_date=date_value("2026-09-14"))

    [cohort] = cohorts(bot)
    assert cohort.id == original.id
    assert cohort.breaks == original.breaks != []
    tz = calendar.zone("America/Denver")
    kept = calendar.parse_breaks(cohort.breaks, date(2026, 9, 14))
    assert cohort.checkpoint_at == calendar.default_checkpoint(date(2026, 9, 14), tz, kept)
    assert cohort.deadline_at == calendar.default_deadline(date(2026, 9, 14), tz, kept)
    assert cohort.deadline_at != calendar.default_deadline(date(2026, 9, 14), tz)
