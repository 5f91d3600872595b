"""The thank-you reminder's "Sent" button, pressed in Slack against the real app."""

from __future__ import annotations

from datetime import timedelta

from bot.models import Chat
from tests.blockkit import assert_valid_blocks
from tests.conftest import Clock, running_bot
from tests.schedule_fixtures import World, local

LOGGED = local("America/Denver", 2026, 9, 9, 10)


def test_pressing_sent_records_the_thank_you_and_updates_the_message(world: World) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0STUDENT"])
    chat_id = world.chat("U0STUDENT", "Grace Hopper", LOGGED, "linkedin.com/in/grace-hopper")
    world.run(LOGGED + timedelta(hours=24))
    reminder = world.slack.delivered("thank-you", "U0STUDENT")[0]
    button = next(e for b in reminder.blocks for e in b.get("elements", []) if "action_id" in e)
    assert button["value"] == str(chat_id)

    clock = Clock(LOGGED + timedelta(hours=25))
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
