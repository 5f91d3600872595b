"""Events API retries (X-Slack-Retry-Num, same event_id) never double a side effect."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain.receipts import prune_receipts
from bot.models import EventReceipt
from bot.settings import Settings
from tests.conftest import Bot, running_bot
from tests.fakeslack import FakeSlack
from tests.test_roster import roster

STUDENTS = "C0STUDENTS"


class CountingPool(ThreadPoolExecutor):
    """The listener pool, counting the listeners started, so a test can wait for them."""

    def __init__(self) -> None:
        super().__init__(max_workers=4, thread_name_prefix="listener")
        self.started = 0
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self.started += 1
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)


@pytest.fixture
def counted(settings: Settings, fake_slack: FakeSlack) -> Iterator[tuple[Bot, CountingPool]]:
    pool = CountingPool()
    with running_bot(settings, fake_slack, executor=pool) as running:
        yield running, pool
    pool.shutdown()


def test_a_retried_member_joined_channel_enrolls_and_asks_slack_once(
    counted: tuple[Bot, CountingPool],
) -> None:
    bot, pool = counted
    bot.create_cohort(students_channel=STUDENTS, student_ids=[])
    joined = {"type": "member_joined_channel", "user": "U0NEW", "channel": STUDENTS}
    assert bot.send.event(joined, event_id="Ev0JOINED").status == 200
    assert pool.wait_idle()
    assert pool.started == 1 and roster(bot) == {"U0NEW": True}
    left = {"type": "member_left_channel", "user": "U0NEW", "channel": STUDENTS}
    assert bot.send.event(left, event_id="Ev0LEFT").status == 200
    assert pool.wait_idle() and roster(bot) == {"U0NEW": False}

    for retry in (1, 2, 3):  # Slack sends the join again, as if our ack had been too slow
        assert bot.send.event(joined, event_id="Ev0JOINED", retry=retry).status == 200
    assert pool.wait_idle()
    assert pool.started == 2  # the retries reached no listener
    assert roster(bot) == {"U0NEW": False}  # so the student who left is not enrolled again
    assert len(bot.slack.of("users.info")) == 1


def test_receipts_are_kept_for_a_day(counted: tuple[Bot, CountingPool]) -> None:
    bot, pool = counted
    assert bot.send.event({"type": "user_change", "user": {"id": "U0X"}}).status == 200
    assert pool.wait_idle()
    with bot.session() as session:
        assert prune_receipts(session, bot.clock() + timedelta(hours=23)) == 0
        assert prune_receipts(session, bot.clock() + timedelta(hours=25)) == 1
        assert session.scalar(select(func.count()).select_from(EventReceipt)) == 0
