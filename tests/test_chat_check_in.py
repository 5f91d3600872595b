"""A scheduled chat: the prep card the morning of it, then "Did your chat with … happen?" with
three one-tap answers, pressed over signed HTTP against the real app and the fake Slack."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import Chat, Contact, Outreach, OutreachStatus
from tests.conftest import Bot, Clock, running_bot
from tests.schedule_fixtures import Post, World, census, local
from tests.slackreq import date_value, select_value, text_value

DENVER = "America/Denver"
ME, OTHER = "U0STUDENT", "U0OTHER"
ADA = "https://www.linkedin.com/in/ada-lovelace"
ASKED = local(DENVER, 2026, 9, 8, 10)  # the day she said yes (Week 1: no Monday nudge near)
CHAT_AT = local(DENVER, 2026, 9, 10, 15)  # Thursday 15:00
CHECK_IN_AT = CHAT_AT + timedelta(hours=2)


def started(world: World, **cohort: Any) -> None:
    """One cohort, Ada reached out to; whatever was due before she answered is out of the way."""
    world.create_cohort(local(DENVER, 2026, 9, 1), student_ids=[ME, OTHER], **cohort)
    world.outreach(ME, "Ada Lovelace", ASKED, ADA)
    world.run(ASKED)
    world.slack.take()


def check_in_buttons(post: Post) -> dict[str, tuple[str, dict[str, Any]]]:
    """The check-in's buttons by action id, each with its block id."""
    return {
        e["action_id"]: (b.get("block_id", ""), e)
        for b in post.blocks
        for e in b.get("elements", [])
        if e.get("action_id", "").startswith("check_in_")
    }


def checked_in(world: World) -> Post:
    world.schedule(ME, "Ada Lovelace", CHAT_AT, ASKED)
    world.run(CHAT_AT - timedelta(hours=7))  # the prep card, 09:00
    world.slack.take()
    [post] = world.step(CHECK_IN_AT)
    return post


_presses = itertools.count(1)


def press(bot: Bot, world: World, block_id: str, button: dict[str, Any], user: str = ME) -> str:
    where = world.slack.response_url(f"press{next(_presses)}")
    reply = bot.send.block_action(
        button["action_id"], button["value"], block_id=block_id, user=user, response_url=where
    )
    assert reply.status == 200
    return where


def outreach_of(world: World, name: str = "Ada Lovelace") -> Outreach:
    with world.session() as session:
        return session.scalars(select(Outreach).join(Contact).where(Contact.name == name)).one()


# -- when they come ------------------------------------------------------------------------------


def test_the_morning_of_a_scheduled_chat_brings_the_prep_card(world: World) -> None:
    started(world)
    outreach = world.schedule(ME, "Ada Lovelace", CHAT_AT, ASKED)
    assert world.step(local(DENVER, 2026, 9, 10, 8, 59)) == []
    [card] = world.step(local(DENVER, 2026, 9, 10, 9))
    assert card.kind == "prep-card" and card.channel == ME
    stamp = CHAT_AT.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    assert card.keys == [f"prep-card:{outreach}:{stamp}"]
    text = card.readable()
    assert "Before your chat with Ada Lovelace" in text and "Thu 10 Sep 2026, 15:00 MDT" in text
    assert "Is there anyone else I should talk to?" in text and "15–30 minutes" in text
    assert world.step(CHAT_AT - timedelta(minutes=1)) == []


def test_a_chat_scheduled_later_the_same_day_gets_the_card_right_away(world: World) -> None:
    started(world)
    now = local(DENVER, 2026, 9, 10, 11)
    world.schedule(ME, "Ada Lovelace", CHAT_AT, now)
    assert census(world.step(now)) == Counter({(ME, "prep-card"): 1})


def test_an_early_chat_gets_its_card_the_evening_before(world: World) -> None:
    started(world)
    world.schedule(ME, "Ada Lovelace", local(DENVER, 2026, 9, 10, 8, 30), ASKED)
    assert world.step(local(DENVER, 2026, 9, 9, 17, 59)) == []
    assert census(world.step(local(DENVER, 2026, 9, 9, 18))) == Counter({(ME, "prep-card"): 1})


def test_after_the_chat_one_dm_asks_whether_it_happened_with_three_buttons(world: World) -> None:
    started(world)
    outreach = world.schedule(ME, "Ada Lovelace", CHAT_AT, ASKED)
    world.run(local(DENVER, 2026, 9, 10, 9))
    world.slack.take()
    assert world.step(CHECK_IN_AT - timedelta(minutes=1)) == []
    [post] = world.step(CHECK_IN_AT)
    assert post.kind == "chat-check-in" and post.channel == ME
    stamp = CHAT_AT.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    assert post.keys == [f"chat-check-in:{outreach}:{stamp}"]
    assert "Did your chat with <https://www.linkedin.com/in/ada-lovelace|Ada Lovelace> happen?" in (
        post.readable()
    )
    buttons = check_in_buttons(post)
    assert [e["text"]["text"] for _, e in buttons.values()] == [
        "Yes — log it",
        "Rescheduled",
        "Didn't happen",
    ]
    assert all(e["value"].endswith(f":{int(CHAT_AT.timestamp())}") for _, e in buttons.values())
    assert world.step(CHECK_IN_AT + timedelta(days=1)) == []


def test_an_evening_chat_is_checked_in_on_after_quiet_hours(world: World) -> None:
    started(world)
    world.schedule(ME, "Ada Lovelace", local(DENVER, 2026, 9, 10, 19, 30), ASKED)
    world.run(local(DENVER, 2026, 9, 10, 9))
    world.slack.take()
    assert world.step(local(DENVER, 2026, 9, 10, 21, 30)) == []  # due, but 21:30
    assert world.step(local(DENVER, 2026, 9, 11, 7, 59)) == []
    assert census(world.step(local(DENVER, 2026, 9, 11, 8))) == Counter({(ME, "chat-check-in"): 1})


def test_a_rescheduled_chat_gets_a_fresh_card_and_check_in_and_the_old_ones_never_come(
    world: World,
) -> None:
    started(world)
    world.schedule(ME, "Ada Lovelace", CHAT_AT, ASKED)
    later = CHAT_AT + timedelta(days=1)
    world.schedule(ME, "Ada Lovelace", later, local(DENVER, 2026, 9, 9, 12))
    assert world.step(CHECK_IN_AT) == []  # the first plan: no card, no check-in
    assert census(world.step(local(DENVER, 2026, 9, 11, 9))) == Counter({(ME, "prep-card"): 1})
    [post] = world.step(later + timedelta(hours=2))
    assert post.kind == "chat-check-in"
    assert post.keys[0].endswith(later.astimezone(UTC).strftime("%Y%m%dT%H%MZ"))


def test_no_check_in_once_the_chat_is_logged_or_the_contact_moved_on(world: World) -> None:
    started(world)
    world.outreach(ME, "Grace Hopper", ASKED)
    world.schedule(ME, "Ada Lovelace", CHAT_AT, ASKED)
    world.schedule(ME, "Grace Hopper", CHAT_AT, ASKED)
    world.run(local(DENVER, 2026, 9, 10, 9))
    world.slack.take()
    world.chat(ME, "Ada Lovelace", CHAT_AT + timedelta(minutes=40), ADA)
    world.move(ME, "Grace Hopper", "declined", CHAT_AT + timedelta(minutes=50))
    posted = world.step(CHECK_IN_AT + timedelta(hours=1))
    assert [p.kind for p in posted] == ["thank-you"]  # Ada's chat, logged: no check-ins
    assert world.step(CHECK_IN_AT + timedelta(days=1)) == []


def test_the_new_timings_keep_their_local_hours_across_the_dst_change(world: World) -> None:
    # Denver leaves daylight time on Sunday 1 November 2026.
    started(world, start_date=date(2026, 10, 12))
    world.run(local(DENVER, 2026, 10, 31, 12))
    world.slack.take()
    sunday = local(DENVER, 2026, 11, 1, 15)  # 22:00 UTC, MST
    world.schedule(ME, "Ada Lovelace", sunday, local(DENVER, 2026, 10, 31, 12))
    assert world.step(datetime(2026, 11, 1, 15, 59, tzinfo=UTC)) == []  # 08:59 MST
    card = world.step(datetime(2026, 11, 1, 16, 0, tzinfo=UTC))  # 09:00 MST
    assert census(card) == Counter({(ME, "prep-card"): 1})
    assert world.step(datetime(2026, 11, 1, 23, 59, tzinfo=UTC)) == []  # 16:59 MST
    check = world.step(datetime(2026, 11, 2, 0, 0, tzinfo=UTC))  # 17:00 MST
    assert census(check) == Counter({(ME, "chat-check-in"): 1})


# -- the three buttons ---------------------------------------------------------------------------


def test_yes_opens_the_chat_form_with_that_contact_picked_and_logs_the_chat(
    world: World,
) -> None:
    started(world)
    world.outreach(ME, "Grace Hopper", ASKED)
    post = checked_in(world)
    block_id, yes = check_in_buttons(post)["check_in_happened"]
    with running_bot(world.settings, world.slack, Clock(CHECK_IN_AT)) as bot:
        press(bot, world, block_id, yes)
        [opened] = bot.wait_for("views.open")
        view = opened.view()
        assert view["callback_id"] == "chat_modal"
        picker = next(b for b in view["blocks"] if b.get("block_id") == "contact")
        picked = picker["element"]["initial_option"]
        assert picked["text"]["text"] == "Ada Lovelace"
        saved = bot.send.view_submission(
            view,
            {
                "contact": select_value(picked["value"]),
                "name": text_value(None),
                "linkedin": text_value(None),
                "date": date_value("2026-09-10"),
                "note": text_value(None),
                "takeaways": text_value("Write tests first"),
                "referrals": text_value(None),
            },
        ).json()
    assert saved["response_action"] == "update", saved
    with world.session() as session:
        chat = session.scalars(select(Chat).join(Contact)).one()
        assert chat.contact.name == "Ada Lovelace" and chat.held_on == date(2026, 9, 10)
    assert outreach_of(world).status == OutreachStatus.CHATTED


def test_rescheduled_opens_the_when_is_the_chat_form(world: World) -> None:
    started(world)
    post = checked_in(world)
    block_id, button = check_in_buttons(post)["check_in_rescheduled"]
    with running_bot(world.settings, world.slack, Clock(CHECK_IN_AT)) as bot:
        press(bot, world, block_id, button)
        [opened] = bot.wait_for("views.open")
        view = opened.view()
        assert view["callback_id"] == "schedule_modal"
        later = int((CHAT_AT + timedelta(days=2)).timestamp())
        saved = bot.send.view_submission(
            view,
            {"scheduled_for": {"type": "datetimepicker", "selected_date_time": later}},
        ).json()
    assert saved["response_action"] == "update", saved
    outreach = outreach_of(world)
    assert outreach.status == OutreachStatus.SCHEDULED
    assert outreach.scheduled_for == CHAT_AT + timedelta(days=2)
    [again] = world.step(CHAT_AT + timedelta(days=2, hours=2))  # a fresh check-in
    assert again.kind == "chat-check-in"


def test_didnt_happen_puts_the_contact_back_to_responded_and_says_so(world: World) -> None:
    started(world)
    post = checked_in(world)
    block_id, button = check_in_buttons(post)["check_in_missed"]
    with running_bot(world.settings, world.slack, Clock(CHECK_IN_AT)) as bot:
        answer = bot.answer_to(press(bot, world, block_id, button))
        assert answer.params.get("replace_original") is True  # alone in its DM: it becomes this
        assert "didn't happen" in answer.text() and "responded" in answer.text()
        again = bot.answer_to(press(bot, world, block_id, button))  # a second tap
        assert "no longer scheduled" in again.text()
    outreach = outreach_of(world)
    assert (outreach.status, outreach.scheduled_for) == (OutreachStatus.RESPONDED, None)


@pytest.mark.parametrize("action", ["check_in_happened", "check_in_rescheduled", "check_in_missed"])
def test_a_check_in_button_of_someone_elses_contact_is_politely_refused(
    world: World, action: str
) -> None:
    started(world)
    post = checked_in(world)
    block_id, button = check_in_buttons(post)[action]
    with running_bot(world.settings, world.slack, Clock(CHECK_IN_AT)) as bot:
        answer = bot.answer_to(press(bot, world, block_id, button, user=OTHER))
        assert "not in your log" in answer.text()
        assert answer.params.get("replace_original") is False
        assert bot.slack.of("views.open") == []
    outreach = outreach_of(world)
    assert (outreach.status, outreach.scheduled_for) == (OutreachStatus.SCHEDULED, CHAT_AT)


@pytest.mark.parametrize("value", ["", "abc", "x:1", ":", "99999999:1", "-1:5", "1" * 40])
def test_forged_check_in_values_get_a_polite_refusal_never_a_500(world: World, value: str) -> None:
    started(world)
    checked_in(world)
    with running_bot(world.settings, world.slack, Clock(CHECK_IN_AT)) as bot:
        for action in ("check_in_happened", "check_in_rescheduled", "check_in_missed"):
            where = world.slack.response_url(f"forged{next(_presses)}")
            reply = bot.send.block_action(action, value, user=ME, response_url=where)
            assert reply.status == 200, reply  # never Bolt's 404 of a lost ack (KeptAck)
            assert "your log" in bot.answer_to(where).text()
        assert bot.slack.of("views.open") == []
    assert outreach_of(world).status == OutreachStatus.SCHEDULED


def test_didnt_happen_without_the_planned_time_is_out_of_date(world: World) -> None:
    started(world)
    post = checked_in(world)
    block_id, button = check_in_buttons(post)["check_in_missed"]
    contact = button["value"].split(":")[0]
    with running_bot(world.settings, world.slack, Clock(CHECK_IN_AT)) as bot:
        for value in (contact, f"{contact}:abc", f"{contact}:", f"{contact}:999999999999"):
            answer = bot.answer_to(press(bot, world, block_id, {**button, "value": value}))
            assert "out of date" in answer.text()
    assert outreach_of(world).status == OutreachStatus.SCHEDULED


def test_a_check_in_about_an_earlier_plan_changes_nothing(world: World) -> None:
    started(world)
    post = checked_in(world)
    block_id, button = check_in_buttons(post)["check_in_missed"]
    later = CHAT_AT + timedelta(days=3)
    world.schedule(ME, "Ada Lovelace", later, CHECK_IN_AT)
    with running_bot(world.settings, world.slack, Clock(CHECK_IN_AT)) as bot:
        answer = bot.answer_to(press(bot, world, block_id, button))
    assert "rescheduled since" in answer.text()
    outreach = outreach_of(world)
    assert (outreach.status, outreach.scheduled_for) == (OutreachStatus.SCHEDULED, later)
