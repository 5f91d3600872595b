"""A button whose listener refuses it right after acking is still answered 200, every time.

Bolt's thread runner sets the ack's response back to None when a listener raises after
acking; its request thread polls for the ack every 10 ms and, when the refusal was quicker,
answered Slack 404 after 3 s although the person had their answer (`KeptAck`)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import BoltResponse

from bot.slack.middleware import KeptAck
from tests.conftest import Clock, running_bot
from tests.schedule_fixtures import World, local

LOGGED = local("America/Denver", 2026, 9, 9, 10)
PRESSES = 40


def test_an_ack_once_sent_stays_sent() -> None:
    ack = KeptAck()
    assert ack.response is None
    ack()
    sent = ack.response
    assert isinstance(sent, BoltResponse) and sent.status == 200
    ack.response = None  # what Bolt's runner does when the listener raises afterwards
    assert ack.response is sent


class Inline(ThreadPoolExecutor):
    """Bolt's listener pool at its worst for the race: the listener has finished (and raised)
    before the request thread looks for the ack."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        done: Future[Any] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except Exception as error:
            done.set_exception(error)
        return done


def test_a_refusal_faster_than_the_ack_poll_is_still_acked(world: World) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0STUDENT"])
    chat_id = world.chat("U0STUDENT", "Grace Hopper", LOGGED)
    with running_bot(world.settings, world.slack, Clock(LOGGED), executor=Inline(1)) as bot:
        where = world.slack.response_url("other")
        reply = bot.send.block_action(
            "thank_you_sent", str(chat_id), user="U0OTHER", response_url=where
        )
        assert reply.status == 200
        assert "not in your log" in bot.answer_to(where).text()


def test_refused_buttons_pressed_at_once_are_all_acked(world: World) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0STUDENT"])
    chat_id = world.chat("U0STUDENT", "Grace Hopper", LOGGED)
    with running_bot(world.settings, world.slack, Clock(LOGGED)) as bot:
        wheres = [world.slack.response_url(f"other{n}") for n in range(PRESSES)]

        def press(where: str) -> int:
            reply = bot.send.block_action(
                "thank_you_sent", str(chat_id), user="U0OTHER", response_url=where
            )
            return reply.status

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(press, wheres))
        assert statuses == [200] * PRESSES
        for where in wheres:
            assert "not in your log" in bot.answer_to(where).text()
