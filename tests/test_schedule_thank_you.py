"""The thank-you reminder: while "within 24 hours" still holds, one message for the chats of
a day, and its "Sent" button pressed in Slack against the real app."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.models import Chat
from tests.blockkit import assert_valid_blocks
from tests.conftest import Clock, running_bot
from tests.schedule_fixtures import World, census, local

DENVER = "America/Denver"
LOGGED = local(DENVER, 2026, 9, 9, 10)
EVENING = local(DENVER, 2026, 9, 9, 18)


def started(world: World) -> None:
    """A cohort of one student, its kickoff sent."""
    world.create_cohort(local(DENVER, 2026, 9, 1), student_ids=["U0STUDENT"])
    world.step(local(DENVER, 2026, 9, 7, 9))


def buttons(blocks: list[dict], action_id: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    """(block id, element) of every button `action_id` in blocks."""
    return [
        (b.get("block_id", ""), e)
        for b in blocks
        for e in b.get("elements", [])
        if e.get("action_id") == action_id
    ]


def test_a_chat_logged_by_17_00_gets_its_thank_you_nudge_that_evening(world: World) -> None:
    started(world)
    world.chat("U0STUDENT", "Grace Hopper", LOGGED, "linkedin.com/in/grace-hopper")
    assert world.step(EVENING - timedelta(minutes=1)) == []
    [reminder] = world.step(EVENING)
    assert reminder.kind == "thank-you" and reminder.channel == "U0STUDENT"
    text = reminder.readable()
    # The advice holds when it is read: the chat was today, 24 hours are not up.
    assert "You chatted with <https://www.linkedin.com/in/grace-hopper|Grace Hopper> today" in text
    assert "Thank them today" in text and "within 24 hours" in text
    assert world.step(EVENING + timedelta(days=1)) == []


def test_a_chat_logged_in_the_evening_gets_its_nudge_the_next_morning(world: World) -> None:
    started(world)
    world.chat("U0STUDENT", "Grace Hopper", local(DENVER, 2026, 9, 9, 17, 30))
    for quiet in (local(DENVER, 2026, 9, 9, 18), local(DENVER, 2026, 9, 9, 23)):
        assert world.step(quiet) == []
    assert world.step(local(DENVER, 2026, 9, 10, 8, 59)) == []
    [reminder] = world.step(local(DENVER, 2026, 9, 10, 9))
    text = reminder.readable()
    assert "Grace Hopper yesterday" in text and "within a day of the chat" in text
    assert "24 hours" not in text  # the morning after, it can't promise that


def test_two_chats_logged_the_same_day_get_one_message_naming_both(world: World) -> None:
    started(world)
    ada = world.chat("U0STUDENT", "Ada Lovelace", LOGGED)
    grace = world.chat("U0STUDENT", "Grace Hopper", local(DENVER, 2026, 9, 9, 16, 30))
    posted = world.step(EVENING)
    assert census(posted) == Counter({("U0STUDENT", "thank-you"): 1})
    [reminder] = posted
    assert sorted(reminder.keys) == sorted([f"thank-you:{ada}", f"thank-you:{grace}"])
    assert "You chatted with Ada Lovelace and Grace Hopper today" in reminder.readable()
    sent = buttons(reminder.blocks, "thank_you_sent")
    assert [e["value"] for _, e in sent] == [str(ada), str(grace)]
    assert len(reminder.blocks) <= 12

    # Pressing one of the two Sent buttons keeps the message (the other is still to do).
    block_id, button = sent[0]
    with running_bot(world.settings, world.slack, Clock(EVENING + timedelta(minutes=5))) as bot:
        where = world.slack.response_url("one-of-two")
        payload_button = {"action_id": button["action_id"], "value": button["value"]}
        reply = bot.send.block_action(
            **payload_button, block_id=block_id, user="U0STUDENT", response_url=where
        )
        assert reply.status == 200
        answer = bot.answer_to(where)
    assert answer.params.get("replace_original") is False
    assert "Ada Lovelace" in answer.text()
    with world.session() as session:
        chats = {c.id: c.thank_you_sent_at for c in session.query(Chat)}
    assert chats[ada] is not None and chats[grace] is None


def test_the_thank_you_nudge_keeps_its_local_times_across_the_dst_change(world: World) -> None:
    # Denver leaves daylight time on Sunday 1 November 2026: 09:00 is 15:00 UTC on Saturday,
    # 16:00 UTC on Sunday.
    world.create_cohort(
        local(DENVER, 2026, 10, 1),
        student_ids=["U0STUDENT"],
        start_date=datetime(2026, 10, 12).date(),
    )
    world.run(local(DENVER, 2026, 10, 31, 18))  # the kickoff, the checkpoint: out of the way
    world.slack.take()
    world.chat("U0STUDENT", "Grace Hopper", local(DENVER, 2026, 10, 31, 19))
    assert world.step(datetime(2026, 11, 1, 15, 0, tzinfo=UTC)) == []  # 08:00 MST
    assert world.step(datetime(2026, 11, 1, 15, 59, tzinfo=UTC)) == []
    [reminder] = world.step(datetime(2026, 11, 1, 16, 0, tzinfo=UTC))  # 09:00 MST
    assert reminder.kind == "thank-you" and "yesterday" in reminder.readable()


def test_pressing_sent_records_the_thank_you_and_updates_the_message(world: World) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0STUDENT"])
    chat_id = world.chat("U0STUDENT", "Grace Hopper", LOGGED, "linkedin.com/in/grace-hopper")
    world.run(EVENING)
    reminder = world.slack.delivered("thank-you", "U0STUDENT")[0]
    button = next(e for b in reminder.blocks for e in b.get("elements", []) if "action_id" in e)
    assert button["value"] == str(chat_id)

    clock = Clock(EVENING + timedelta(hours=1))
    with running_bot(world.settings, world.slack, clock) as bot:
        where = world.slack.response_url("thanks")
        reply = bot.send.block_action(
            button["action_id"], button["value"], user="U0STUDENT", response_url=where
        )
        assert reply.status == 200
        answer = bot.answer_to(where)
    assert answer.params.get("replace_original") is True
    assert "Thank-you to" in answer.text() and "Grace Hopper" in answer.text()
    assert_valid_blocks(answer.blocks())
    with world.session() as session:
        chat = session.get(Chat, chat_id)
        assert chat is not None and chat.thank_you_sent_at == clock.now


def test_someone_elses_sent_button_changes_nothing(world: World) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0STUDENT"])
    chat_id = world.chat("U0STUDENT", "Grace Hopper", LOGGED)
    with running_bot(world.settings, world.slack, Clock(LOGGED)) as bot:
        where = world.slack.response_url("other")
        bot.send.block_action("thank_you_sent", str(chat_id), user="U0OTHER", response_url=where)
        answer = bot.answer_to(where)
    assert "not in your log" in answer.text()
    assert answer.params.get("replace_original") is False
    with world.session() as session:
        chat = session.get(Chat, chat_id)
        assert chat is not None and chat.thank_you_sent_at is None
