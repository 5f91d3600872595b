"""A hand-in whose post Slack took but answered too late is never posted twice (issue 12, #8),
and the check that finds it reads one narrow page of history, waiting out a refused read."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Submission
from bot.webapi.errors import UNCERTAIN
from bot.webapi.handins import post_pending_handins
from bot.webapi.posting import HISTORY_LIMIT
from tests.schedule_fixtures import World, local

CHANNEL = "C0INSTRUCT"
SUBMITTED = local("America/Denver", 2026, 9, 30, 10)


def pending_handin(world: World) -> None:
    cohort_id = world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0A"])
    for name in ("Grace Hopper", "Ada Lovelace"):
        slug = name.lower().replace(" ", "-")
        world.chat("U0A", name, SUBMITTED - timedelta(days=3), f"linkedin.com/in/{slug}")
    world.hand_in(cohort_id, "U0A", SUBMITTED, posted=False)


def posts_in_channel(world: World) -> int:
    return len([p for p in world.slack.of("chat.postMessage") if p.params["channel"] == CHANNEL])


def submission(world: World) -> Submission:
    with world.session() as session:
        return session.scalars(select(Submission)).one()


def test_a_post_answered_after_the_timeout_is_found_not_posted_again(world: World) -> None:
    pending_handin(world)
    world.client.timeout = 1
    world.slack.slow("chat.postMessage", seconds=2.5, channel=CHANNEL)
    assert post_pending_handins(world.client, world.sessions, SUBMITTED) == 0
    assert posts_in_channel(world) == 1  # Slack has it; only its answer was lost
    row = submission(world)
    assert row.posted_revision == 0 and (row.post_error or "").startswith(UNCERTAIN)

    world.client.timeout = 10
    assert post_pending_handins(world.client, world.sessions, SUBMITTED) == 1
    assert posts_in_channel(world) == 1  # found in the channel's history, edited in place
    (read,) = world.slack.of("conversations.history")
    assert int(read.params["limit"]) <= HISTORY_LIMIT
    row = submission(world)
    assert row.posted_revision == 1 and row.post_error is None
    assert row.post_ts == world.slack.delivered(channel=CHANNEL)[0].ts
    assert len(world.slack.of("chat.update")) == 1


def test_a_refused_history_read_posts_nothing_until_slack_can_be_asked(world: World) -> None:
    pending_handin(world)
    world.slack.fail("chat.postMessage", status=503, times=3, channel=CHANNEL)
    post_pending_handins(world.client, world.sessions, SUBMITTED)
    assert (submission(world).post_error or "").startswith(UNCERTAIN)
    world.slack.fail("conversations.history", status=429, retry_after=60)  # 1 read a minute
    assert post_pending_handins(world.client, world.sessions, SUBMITTED) == 0
    assert posts_in_channel(world) == 3  # the refused tries only: no new post without a look
    assert (submission(world).post_error or "").startswith(UNCERTAIN)
    assert post_pending_handins(world.client, world.sessions, SUBMITTED) == 1
    assert posts_in_channel(world) == 4
    assert submission(world).posted_revision == 1
