"""The instructors' side over signed HTTP: report, export, acting on a student from the digest,
the report and App Home — and every path refused from a student's side too."""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from bot.blocks.ids import Action, Block, Callback
from bot.models import Enrollment, InstructorAction, Student
from tests.blockkit import assert_valid_blocks, assert_valid_view
from tests.conftest import Bot
from tests.fakeslack import Call
from tests.schedule_fixtures import World, local

TEACHER = "U0TEACH"
ADA, BEN, CAM = "U0ADA", "U0BEN", "U0CAM"
DENVER = "America/Denver"
INSTRUCTORS = "C0INSTRUCT"
CHECKPOINT = local(DENVER, 2026, 9, 18, 17)


def url(slug: str) -> str:
    return f"https://www.linkedin.com/in/{slug}"


def seed(world: World) -> int:
    """Ada on track, Ben with one chat and a short list, Cam with nothing."""
    cohort = world.create_cohort(
        local(DENVER, 2026, 9, 1, 12), student_ids=[ADA, BEN, CAM], instructor_ids=[TEACHER]
    )
    now = local(DENVER, 2026, 9, 9, 12)
    world.chat(ADA, "Ada One", now, url("ada-one"))
    world.chat(ADA, "Ada Two", now, url("ada-two"))
    world.chat(BEN, "Ben Chat", now, url("ben-chat"))
    world.outreach_many(BEN, [(f"Ben Try{n}", url(f"ben-{n}")) for n in range(3)], now)
    return cohort


def student_id(bot: Bot, user: str) -> int:
    with bot.session() as session:
        return int(session.scalars(select(Student.id).where(Student.user_id == user)).one())


def enrollment(bot: Bot, user: str) -> Enrollment:
    with bot.session() as session:
        return session.scalars(
            select(Enrollment).join(Student).where(Student.user_id == user)
        ).one()


def actions(bot: Bot) -> list[tuple[str, str]]:
    with bot.session() as session:
        rows = session.scalars(select(InstructorAction).order_by(InstructorAction.id))
        return [(a.kind, a.by_user) for a in rows]


def digest_ts(world: World) -> str:
    """The checkpoint digest's ts (what was posted until now is taken: later steps see anew)."""
    [top] = [p for p in world.slack.delivered("checkpoint-digest") if p.part == 1]
    world.slack.take()
    return top.ts


def dms_to(bot: Bot, user: str) -> list[Call]:
    return [c for c in bot.slack.of("chat.postMessage") if c.params.get("channel") == user]


# -- report -------------------------------------------------------------------------------


def test_the_report_shows_the_cohort_now_most_at_risk_first(bot: Bot, world: World) -> None:
    seed(world)
    bot.clock.set(local(DENVER, 2026, 9, 16, 12))

    answer = bot.run("report", user=TEACHER)

    assert_valid_blocks(answer.blocks())
    text = answer.text()
    assert "Mod 5 — now" in text
    assert "*0* of 3 handed in" in text and "*2* with fewer than 2 chats" in text
    ranked = [m for m in re.findall(r"\d+\. <@(U0\w+)>", text)]
    assert ranked == [CAM, BEN, ADA]
    cam = text[text.index(f"<@{CAM}>") :].splitlines()[0]
    assert "no chat yet" in cam and "0 tried" in cam and "quiet for 15 days" in cam
    ben = text[text.index(f"<@{BEN}>") :].splitlines()[0]
    assert "1/2 chats" in ben and "3 waiting on a reply, fewer than 8" in ben
    assert "Checkpoint <!date^" in text and "|Fri 18 Sep 2026, 17:00 MDT>" in text
    buttons = [e for b in answer.blocks() if b["type"] == "actions" for e in b["elements"]]
    assert {b["action_id"] for b in buttons} >= {Action.POST_DIGEST, Action.EXPORT}
    assert answer.params.get("response_type") == "ephemeral"


def test_a_student_asking_for_the_report_is_refused_and_sees_no_one(
    bot: Bot, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    seed(world)
    caplog.set_level(logging.INFO)

    answer = bot.run("report", user=BEN)

    assert "That is for the instructors of a cohort" in answer.text()
    assert "<@" not in answer.text()
    assert any("refused command report to U0BEN" in r.getMessage() for r in caplog.records)


def test_several_cohorts_get_a_picker_or_the_name(bot: Bot, world: World) -> None:
    seed(world)
    world.create_cohort(local(DENVER, 2026, 9, 1, 12), name="Mod 6", instructor_ids=[TEACHER])

    picker = bot.run("report", user=TEACHER)
    [menu] = [e for b in picker.blocks() if b["type"] == "actions" for e in b["elements"]]
    assert menu["action_id"] == Action.PICK_COHORT
    values = {o["text"]["text"]: o["value"] for o in menu["options"]}
    assert set(values) == {"Mod 5", "Mod 6"}

    named = bot.run("report mod 6", user=TEACHER)
    assert "Mod 6 — now" in named.text()

    where = bot.slack.response_url("picked")
    bot.send.menu_choice(Action.PICK_COHORT, values["Mod 5"], user=TEACHER, response_url=where)
    assert "Mod 5 — now" in bot.answer_to(where).text()

    unknown = bot.run("report Mod 9", user=TEACHER)
    assert "You don't instruct a cohort called “Mod 9”" in unknown.text()


def test_a_cohort_picker_choice_for_no_known_purpose_is_refused(bot: Bot, world: World) -> None:
    cohort = seed(world)
    where = bot.slack.response_url("forged-purpose")

    forged = f"<!channel>:{cohort}"
    bot.send.menu_choice(Action.PICK_COHORT, forged, user=TEACHER, response_url=where)

    answer = bot.answer_to(where).text()
    assert "That menu is out of date" in answer and "Mod 5 — now" not in answer


def test_the_report_pages_a_large_cohort_within_block_kit(bot: Bot, world: World) -> None:
    world.create_cohort(
        local(DENVER, 2026, 9, 1, 12),
        student_ids=[f"U0S{n:03}" for n in range(300)],
        instructor_ids=[TEACHER],
    )
    answer = bot.run("report", user=TEACHER)
    assert_valid_blocks(answer.blocks())
    nav = [e for b in answer.blocks() if b["type"] == "actions" for e in b["elements"]]
    next_page = next(e for e in nav if e["action_id"] == Action.REPORT_PAGE)
    where = bot.slack.response_url("page")
    bot.send.block_action(Action.REPORT_PAGE, next_page["value"], user=TEACHER, response_url=where)
    page = bot.answer_to(where)
    assert_valid_blocks(page.blocks())
    assert "Students 16–30 of 300" in page.text()


# -- export -------------------------------------------------------------------------------


def test_export_sends_a_formula_safe_csv_that_round_trips(bot: Bot, world: World) -> None:
    seed(world)
    world.outreach(CAM, '=HYPERLINK("http://evil")', local(DENVER, 2026, 9, 10, 12))
    world.outreach(CAM, 'Lovelace, Ada "the Countess"', local(DENVER, 2026, 9, 10, 12))
    bot.slack.users[CAM] = {"id": CAM, "profile": {"real_name": '@Cam, the "Late"\nOne'}}
    bot.slack.users[ADA] = {"id": ADA, "profile": {"display_name": "Ada"}}

    answer = bot.run("export", user=TEACHER)

    assert "I sent you *coffee-chats-mod-5-" in answer.text()
    [complete] = bot.wait_for("files.completeUploadExternal")
    assert complete.params["channel_id"] == f"D{TEACHER}"
    [content] = bot.slack.uploads.values()
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    by_user = {r["user_id"]: r for r in rows}
    assert list(by_user) == [CAM, BEN, ADA]  # most at risk first
    assert by_user[CAM]["name"] == '\'@Cam, the "Late"\nOne'  # neutralised, and round-trips
    assert by_user[ADA]["name"] == "Ada" and by_user[ADA]["chats"] == "2"
    assert by_user[CAM]["unanswered_contacts"] == (
        '\'=HYPERLINK("http://evil"); Lovelace, Ada "the Countess"'
    )
    assert by_user[BEN]["waiting_on_a_reply"] == "3"
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


# -- acting on the digest -----------------------------------------------------------------


def test_an_instructor_nudges_from_the_digest_and_the_digest_shows_it(
    bot: Bot, world: World
) -> None:
    cohort = seed(world)
    world.run(CHECKPOINT)
    ts = digest_ts(world)
    cam = student_id(bot, CAM)
    bot.clock.set(CHECKPOINT + timedelta(hours=1))

    reply = bot.send.menu_choice(
        Action.STUDENT_MENU,
        f"nudge:{cohort}:{cam}:checkpoint",
        user=TEACHER,
        channel=INSTRUCTORS,
        message_ts=ts,
    )

    assert reply.status == 200
    [updated] = bot.wait_for("chat.update")
    assert updated.params["ts"] == ts and updated.params["channel"] == INSTRUCTORS
    assert "nudged by <@U0TEACH>" in updated.text()
    assert_valid_blocks(updated.blocks())
    [dm] = dms_to(bot, CAM)
    assert "<@U0TEACH> asked me to check in" in dm.text()
    assert actions(bot) == [("nudge", TEACHER)]

    where = bot.slack.response_url("again")
    bot.send.menu_choice(
        Action.STUDENT_MENU,
        f"nudge:{cohort}:{cam}:checkpoint",
        user=TEACHER,
        channel=INSTRUCTORS,
        message_ts=ts,
        response_url=where,
    )
    assert "nudged less than 12 hours ago" in bot.answer_to(where).text()
    assert len(dms_to(bot, CAM)) == 1 and len(actions(bot)) == 1


def test_an_extension_from_the_digest_moves_the_deadline_and_its_reminder(
    bot: Bot, world: World
) -> None:
    cohort = seed(world)
    world.run(CHECKPOINT)
    ts = digest_ts(world)
    cam = student_id(bot, CAM)

    bot.send.menu_choice(
        Action.STUDENT_MENU,
        f"extend:{cohort}:{cam}:checkpoint",
        user=TEACHER,
        channel=INSTRUCTORS,
        message_ts=ts,
    )
    [opened] = bot.wait_for("views.open")
    form = opened.view()
    assert form["callback_id"] == Callback.EXTEND_MODAL
    assert_valid_view(form)
    answer = bot.send.view_submission(
        form,
        {Block.EXTEND_UNTIL: {"type": "datepicker", "selected_date": "2026-10-09"}},
        user=TEACHER,
    ).json()

    assert answer["response_action"] == "update"
    assert "Fri 9 Oct 2026, 17:00 MDT" in str(answer["view"])
    assert enrollment(bot, CAM).deadline_override == local(DENVER, 2026, 10, 9, 17)
    [updated] = bot.wait_for("chat.update")
    assert "deadline extended by <@U0TEACH>" in updated.text()
    reminders_at_old = world.step(local(DENVER, 2026, 9, 30, 17))
    assert CAM not in {p.channel for p in reminders_at_old if p.kind == "deadline-reminder"}
    reminders_at_new = world.step(local(DENVER, 2026, 10, 7, 17))
    assert [p.channel for p in reminders_at_new if p.kind == "deadline-reminder"] == [CAM]


def test_an_excused_student_gets_no_reminders_and_shows_as_excused(bot: Bot, world: World) -> None:
    cohort = seed(world)
    world.run(CHECKPOINT)
    cam = student_id(bot, CAM)
    ts = digest_ts(world)

    bot.send.menu_choice(
        Action.STUDENT_MENU,
        f"excuse:{cohort}:{cam}:checkpoint",
        user=TEACHER,
        channel=INSTRUCTORS,
        message_ts=ts,
    )

    [updated] = bot.wait_for("chat.update")
    assert "*Excused (1):* <@U0CAM>" in updated.text()
    assert enrollment(bot, CAM).excused_by == TEACHER
    monday = world.step(local(DENVER, 2026, 9, 21, 9))
    assert CAM not in {p.channel for p in monday}, [(p.channel, p.keys) for p in monday]
    assert {p.channel for p in monday if p.kind == "weekly-nudge"} == {BEN}


@pytest.mark.parametrize(
    "value",
    [
        "nudge:{cohort}:{cam}:checkpoint",  # a student sending an instructor's action
        "excuse:{cohort}:{cam}:home",
    ],
)
def test_a_student_posting_an_instructor_action_is_refused_and_nothing_changes(
    bot: Bot, world: World, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    cohort = seed(world)
    caplog.set_level(logging.INFO)
    where = bot.slack.response_url("forged")
    cam = student_id(bot, CAM)

    bot.send.menu_choice(
        Action.STUDENT_MENU, value.format(cohort=cohort, cam=cam), user=BEN, response_url=where
    )

    assert "isn't one you instruct" in bot.answer_to(where).text()
    assert actions(bot) == [] and dms_to(bot, CAM) == []
    assert enrollment(bot, CAM).excused_at is None
    assert any("refused action student_menu to U0BEN" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("nudge:{other}:{cam}:report", "isn't one you instruct"),  # another cohort's id
        ("nudge:{cohort}:{stranger}:report", "isn't in this cohort"),  # not its student
        ("nudge:{cohort}:99999999999999999999:report", "out of date"),
        ("launch:{cohort}:{cam}:report", "out of date"),
        ("nudge:²:{cam}:report", "out of date"),
        ("", "out of date"),
    ],
)
def test_tampered_menu_values_are_refused_politely(
    bot: Bot, world: World, value: str, says: str
) -> None:
    cohort = seed(world)
    other = world.create_cohort(
        local(DENVER, 2026, 9, 1, 12),
        name="Other",
        student_ids=["U0ELSE"],
        instructor_ids=["U0OTHERTEACH"],
    )
    where = bot.slack.response_url("tampered")
    filled = value.format(
        cohort=cohort, other=other, cam=student_id(bot, CAM), stranger=student_id(bot, "U0ELSE")
    )

    bot.send.menu_choice(Action.STUDENT_MENU, filled, user=TEACHER, response_url=where)

    answer = bot.answer_to(where).text()
    assert says in answer and "Sorry, something went wrong" not in answer
    assert actions(bot) == []


def test_a_forged_extension_for_another_cohort_is_refused(bot: Bot, world: World) -> None:
    seed(world)
    other = world.create_cohort(
        local(DENVER, 2026, 9, 1, 12),
        name="Other",
        student_ids=["U0ELSE"],
        instructor_ids=["U0OTHERTEACH"],
    )
    forged = {
        "type": "modal",
        "callback_id": Callback.EXTEND_MODAL.value,
        "private_metadata": f'{{"cohort_id": {other}, "student_id": '
        f'{student_id(bot, "U0ELSE")}, "where": "report", "ts": null}}',
        "blocks": [{"type": "input", "block_id": Block.EXTEND_UNTIL.value}],
    }

    answer = bot.send.view_submission(
        forged,
        {Block.EXTEND_UNTIL: {"type": "datepicker", "selected_date": "2026-10-09"}},
        user=TEACHER,
    ).json()

    assert answer["response_action"] == "errors"
    assert "isn't one you instruct" in answer["errors"][Block.EXTEND_UNTIL]
    assert enrollment(bot, "U0ELSE").deadline_override is None


@pytest.mark.parametrize("until", ["9999-12-31", "2036-01-01", "0001-01-01"])
def test_an_extension_years_away_is_a_field_error_and_nothing_is_stored(
    bot: Bot, world: World, until: str
) -> None:
    cohort = seed(world)
    cam = student_id(bot, CAM)
    form = {
        "type": "modal",
        "callback_id": Callback.EXTEND_MODAL.value,
        "private_metadata": f'{{"cohort_id": {cohort}, "student_id": {cam}, '
        '"where": "report", "ts": null}',
        "blocks": [{"type": "input", "block_id": Block.EXTEND_UNTIL.value}],
    }

    reply = bot.send.view_submission(
        form, {Block.EXTEND_UNTIL: {"type": "datepicker", "selected_date": until}}, user=TEACHER
    )

    assert reply.status == 200, reply
    answer = reply.json()
    assert answer["response_action"] == "errors"
    assert "Sorry" not in str(answer)
    assert enrollment(bot, CAM).deadline_override is None and actions(bot) == []


def test_a_digest_action_naming_some_other_message_updates_nothing(bot: Bot, world: World) -> None:
    cohort = seed(world)
    world.run(CHECKPOINT)

    bot.send.menu_choice(
        Action.STUDENT_MENU,
        f"excuse:{cohort}:{student_id(bot, CAM)}:checkpoint",
        user=TEACHER,
        channel=INSTRUCTORS,
        message_ts="1234.5678",
    )

    deadline = time.monotonic() + 5
    while enrollment(bot, CAM).excused_at is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert enrollment(bot, CAM).excused_at is not None  # the action itself is theirs to take
    assert bot.slack.of("chat.update") == []  # but no message other than the digest changes


# -- posting the digest now, App Home, help ---------------------------------------------------


def test_post_to_the_instructors_channel_posts_the_digest_as_of_now(bot: Bot, world: World) -> None:
    cohort = seed(world)
    bot.clock.set(local(DENVER, 2026, 9, 16, 12))
    where = bot.slack.response_url("post")

    bot.send.block_action(Action.POST_DIGEST, str(cohort), user=TEACHER, response_url=where)

    assert "Posted to <#C0INSTRUCT>" in bot.answer_to(where).text()
    [posted] = [c for c in bot.slack.of("chat.postMessage") if c.params["channel"] == INSTRUCTORS]
    assert "Week 2 checkpoint — Mod 5" in posted.text() and "2 of 3 students" in posted.text()


def test_an_instructors_app_home_shows_each_cohort_within_block_kit(bot: Bot, world: World) -> None:
    world.create_cohort(
        local(DENVER, 2026, 9, 1, 12),
        student_ids=[f"U0S{n:03}" for n in range(300)],
        instructor_ids=[TEACHER],
    )
    bot.slack.fail("views.publish", error="internal_error")  # the first open fails …
    bot.send.event({"type": "app_home_opened", "user": TEACHER, "tab": "home"})
    bot.wait_for("views.publish")

    bot.send.event({"type": "app_home_opened", "user": TEACHER, "tab": "home"})  # … this works

    published = bot.wait_for("views.publish", count=2)
    view = published[-1].view()
    assert_valid_view(view)
    text = published[-1].text()
    assert "Mod 5" in text and "of 300 handed in" in text
    buttons = {
        e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert {Action.POST_DIGEST, Action.EXPORT, Action.OPEN_SETUP} <= buttons
    with bot.session() as session:
        assert session.scalars(select(Student).where(Student.user_id == TEACHER)).all() == []


def test_help_shows_instructors_their_commands(bot: Bot, world: World) -> None:
    seed(world)
    assert "`/coffee report [COHORT]`" in bot.run("help", user=TEACHER).text()
    assert "`/coffee report" not in bot.run("help", user=BEN).text()


def test_a_300_student_digest_fits_and_names_everyone(world: World) -> None:
    world.create_cohort(
        local(DENVER, 2026, 9, 1, 12),
        student_ids=[f"U0S{n:03}" for n in range(300)],
        instructor_ids=[TEACHER],
    )
    world.step(CHECKPOINT)
    parts = world.slack.delivered("checkpoint-digest")
    assert len(parts) <= 4
    everything = "\n".join(p.readable() for p in parts)
    assert all(f"<@U0S{n:03}>" in everything for n in range(300))


def test_the_deadline_digest_links_each_hand_in(bot: Bot, world: World) -> None:
    cohort = seed(world)
    world.hand_in(cohort, ADA, local(DENVER, 2026, 10, 1, 12))
    with world.session() as session:
        from bot.models import Submission

        submission = session.scalars(select(Submission)).one()
        submission.post_link = "https://test.slack.com/archives/C0INSTRUCT/p1"
    posted = world.step(local(DENVER, 2026, 10, 2, 17))
    [digest] = [p.readable() for p in posted if p.kind == "deadline-digest" and p.part == 1]
    assert "<@U0ADA> — on time, <https://test.slack.com/archives/C0INSTRUCT/p1|post>" in digest
    missing = digest[digest.index("Missing") :]
    assert missing.index(f"<@{CAM}>") < missing.index(f"<@{BEN}>")


def test_an_export_of_2000_students_completes(bot: Bot, world: World) -> None:
    cohort = world.create_cohort(local(DENVER, 2026, 9, 1, 12), instructor_ids=[TEACHER])
    start = local(DENVER, 2026, 9, 2, 12)
    users = [f"U0X{n:05}" for n in range(2000)]
    with bot.session() as session:
        session.execute(
            insert(Student),
            [{"team_id": "T0TEAM", "user_id": u, "created_at": start} for u in users],
        )
        ids = session.scalars(select(Student.id).where(Student.user_id.in_(users))).all()
        session.execute(
            insert(Enrollment),
            [
                {"cohort_id": cohort, "student_id": i, "active": True, "created_at": start}
                for i in ids
            ],
        )
    bot.slack.users.update({u: {"id": u, "profile": {"real_name": f"Student {u}"}} for u in users})

    bot.run("export", user=TEACHER)

    [content] = bot.slack.uploads.values()
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert len(rows) == 2000 and {r["name"] for r in rows} == {f"Student {u}" for u in users}
    assert len(bot.slack.of("users.list")) == 10  # 200 a page, not one users.info per student
