"""Finding 12: 128 commands at once while Slack takes 5 s to answer views.open and
response_url posts. Every command is acked with 200 within Slack's 3 s, and every modal is
opened while its trigger_id is still valid (the fake refuses one older than 3 s, as Slack
does); a modal whose trigger did expire tells the student so.

Each listener holds a thread for the 5 s Slack takes, so a burst needs a listener thread per
command: with fewer, the last modals wait for a thread and open after their trigger expired.
Half the burst opens modals (`reflect`), half is answered on the response_url (`help`, light
on the CPU: a burst of heavier commands is bound by the CPU instead, one core per process)."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bot.settings import Settings
from bot.slack.reply import SLOW_FORM
from tests.conftest import Bot, running_bot
from tests.fakeslack import FakeSlack
from tests.slackreq import trigger_id

BURST = 128
SLACK_TAKES = 5.0  # s Slack takes to answer views.open and response_url posts
ACK_LIMIT = 3.0  # s Slack waits for an ack; a trigger_id is valid as long
TRIGGERS = itertools.count(10_000)


@dataclass
class Sent:
    status: int
    seconds: float


def send(bot: Bot, body: dict[str, Any]) -> Sent:
    """Send a command as Slack does, its trigger_id issued as it goes out."""
    body["trigger_id"] = trigger_id(next(TRIGGERS))
    started = time.monotonic()
    reply = bot.send.form(body)
    return Sent(reply.status, time.monotonic() - started)


def test_a_burst_of_commands_while_slack_is_slow(settings: Settings, fake_slack: FakeSlack) -> None:
    fake_slack.delays = {"views.open": SLACK_TAKES, "response_url": SLACK_TAKES}
    fake_slack.trigger_ttl = ACK_LIMIT
    students = [f"U0S{n:03d}" for n in range(BURST)]
    with running_bot(settings, fake_slack) as bot:
        bot.create_cohort(student_ids=students)
        bodies = [
            bot.send.command_body("reflect" if n % 2 else "help", user=user)
            for n, user in enumerate(students)
        ]
        with ThreadPoolExecutor(BURST) as senders:
            sent = list(senders.map(lambda body: send(bot, body), bodies))
        modals = bot.wait_for("views.open", count=BURST // 2, timeout=60)
        answers = bot.wait_for("response_url", count=BURST // 2, timeout=60)
    refused = [s.status for s in sent if s.status != 200]
    late = sorted(round(s.seconds, 1) for s in sent if s.seconds >= ACK_LIMIT)
    assert refused == [] and late == []
    assert len(modals) == BURST // 2 and fake_slack.expired_triggers == []
    assert len(answers) == BURST // 2


def test_a_modal_whose_trigger_expired_tells_the_student(bot: Bot) -> None:
    bot.create_cohort()
    bot.slack.fail("views.open", error="expired_trigger_id")
    body = bot.send.command_body("reflect")
    assert bot.send.form(body).status == 200
    assert SLOW_FORM in bot.answer_to(body["response_url"]).text()
