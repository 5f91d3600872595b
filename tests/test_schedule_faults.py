"""Slack failing while the digest goes out: 429, 500, timeouts, a channel the bot is not in."""

from __future__ import annotations

from datetime import timedelta

from bot.models import DeliveryStatus
from tests.schedule_fixtures import World, local

CHANNEL = "C0INSTRUCT"
CAM = "U0CAM"
CHECKPOINT = local("America/Denver", 2026, 9, 18, 17)


def before_checkpoint(world: World, students: int = 1, **cohort: object) -> int:
    """A cohort whose students are behind, everything before the checkpoint already done."""
    users = [CAM] + [f"U0S{n}" for n in range(1, students)]
    cohort_id = world.create_cohort(
        local("America/Denver", 2026, 9, 1), student_ids=users, **cohort
    )
    for user in users:
        people: list[tuple[str, str | None]] = [(f"Person {user} {n}", None) for n in range(3)]
        world.outreach_many(user, people, local("America/Denver", 2026, 9, 16, 10))
    world.run(CHECKPOINT - timedelta(minutes=1))
    world.slack.take()
    world.slack.clear()
    return cohort_id


def digest_row(world: World):  # type: ignore[no-untyped-def]
    return next(r for r in world.deliveries() if r.kind == "checkpoint-digest" and "#" not in r.key)


def digest_posts(world: World) -> int:
    return len(world.slack.delivered("checkpoint-digest", CHANNEL))


def test_a_429_with_retry_after_is_waited_out_and_the_digest_posted_once(world: World) -> None:
    before_checkpoint(world)
    world.slack.fail("chat.postMessage", status=429, retry_after=1, times=1, channel=CHANNEL)
    summary = world.run(CHECKPOINT)
    assert summary.sent == 2 and summary.failed == 0  # the digest and Cam's DM
    assert digest_posts(world) == 1
    assert len(world.slack.of("chat.postMessage")) == 3  # one answered 429, then two posts
    assert world.run(CHECKPOINT + timedelta(minutes=1)).sent == 0
    assert digest_posts(world) == 1


def test_rate_limits_that_outlast_the_client_are_retried_on_a_later_run(world: World) -> None:
    before_checkpoint(world)
    world.slack.fail("chat.postMessage", status=429, retry_after=1, times=3, channel=CHANNEL)
    summary = world.run(CHECKPOINT)
    assert summary.failed == 1 and digest_posts(world) == 0
    row = digest_row(world)
    assert row.status == DeliveryStatus.FAILED and row.attempts == 1
    assert "429" in (row.last_error or "")
    assert row.next_attempt_at is not None and row.next_attempt_at > CHECKPOINT
    assert world.run(CHECKPOINT + timedelta(seconds=30)).sent == 0  # not before the backoff
    world.run(row.next_attempt_at)
    assert digest_posts(world) == 1
    row = digest_row(world)
    assert row.status == DeliveryStatus.SENT and row.attempts == 2
    world.run(row.next_attempt_at or CHECKPOINT + timedelta(hours=1))
    assert digest_posts(world) == 1


def test_server_errors_are_retried_with_backoff_and_delivered_once(world: World) -> None:
    before_checkpoint(world)
    world.slack.fail(
        "chat.postMessage", status=500, times=3, channel=CHANNEL
    )  # the client's retries too
    world.run(CHECKPOINT)
    first = digest_row(world)
    assert first.status == DeliveryStatus.FAILED and "500" in (first.last_error or "")
    world.slack.fail(
        "chat.postMessage", status=502, channel=CHANNEL
    )  # not retried by the client itself
    assert first.next_attempt_at is not None
    world.run(first.next_attempt_at)
    second = digest_row(world)
    assert second.status == DeliveryStatus.FAILED and second.attempts == 2
    assert second.next_attempt_at is not None
    assert second.next_attempt_at - first.next_attempt_at > first.next_attempt_at - CHECKPOINT
    world.run(second.next_attempt_at)
    assert digest_row(world).status == DeliveryStatus.SENT
    assert digest_posts(world) == 1
    # Before each retry the bot looked for the message, in case Slack had posted it.
    assert world.slack.of("conversations.history")


def test_a_timeout_after_slack_posted_is_not_posted_again(world: World) -> None:
    before_checkpoint(world)
    world.client.timeout = 1
    world.slack.slow("chat.postMessage", seconds=2.5, channel=CHANNEL)
    world.run(CHECKPOINT)
    row = digest_row(world)
    assert row.status == DeliveryStatus.FAILED
    assert (row.last_error or "").startswith("outcome unknown")
    assert digest_posts(world) == 1  # Slack did post it; only the answer was lost
    assert row.next_attempt_at is not None
    world.run(row.next_attempt_at)
    row = digest_row(world)
    assert (
        row.status == DeliveryStatus.SENT
        and row.ts == world.slack.delivered("checkpoint-digest")[0].ts
    )
    assert digest_posts(world) == 1


def test_a_gateway_timeout_is_checked_for_then_sent_once(world: World) -> None:
    before_checkpoint(world)
    world.slack.fail("chat.postMessage", status=504, channel=CHANNEL)
    world.run(CHECKPOINT)
    row = digest_row(world)
    assert row.status == DeliveryStatus.FAILED and row.next_attempt_at is not None
    assert digest_posts(world) == 0
    world.run(row.next_attempt_at)
    assert digest_posts(world) == 1
    assert len(world.slack.of("conversations.history")) == 1


def test_a_channel_the_bot_is_not_in_gets_the_set_up_instructor_a_dm(world: World) -> None:
    cohort = before_checkpoint(world)
    with world.session() as session:
        from bot.models import Cohort

        row = session.get(Cohort, cohort)
        assert row is not None
        row.created_by = "U0SETUP"
    world.slack.fail("chat.postMessage", error="not_in_channel", channel=CHANNEL)
    world.run(CHECKPOINT)
    alerts = world.slack.delivered("channel-alert")
    assert [a.channel for a in alerts] == ["U0SETUP"]
    text = alerts[0].readable()
    assert "Week 2 checkpoint digest" in text and "<#C0INSTRUCT>" in text
    assert "not a member" in text and "/invite" in text
    assert digest_row(world).status == DeliveryStatus.FAILED
    # Still not invited an hour later: retried, but the instructor is told only once.
    world.slack.fail("chat.postMessage", error="not_in_channel", channel=CHANNEL)
    world.run(CHECKPOINT + timedelta(hours=1))
    assert len(world.slack.delivered("channel-alert")) == 1
    # Invited: the digest goes out on the next try, once.
    world.run(CHECKPOINT + timedelta(hours=3))
    assert digest_posts(world) == 1
    assert digest_row(world).status == DeliveryStatus.SENT


def test_a_missing_channel_alerts_every_instructor_when_nobody_set_it_up(world: World) -> None:
    before_checkpoint(world, instructor_ids=["U0TEACH", "U0TA"])
    world.slack.fail("chat.postMessage", error="channel_not_found", channel=CHANNEL)
    world.run(CHECKPOINT)
    alerts = world.slack.delivered("channel-alert")
    assert sorted(a.channel for a in alerts) == ["U0TA", "U0TEACH"]
    assert "can't find that channel" in alerts[0].readable()


def test_a_dm_to_a_deactivated_student_is_not_retried(world: World) -> None:
    before_checkpoint(world)
    world.slack.fail("chat.postMessage", error="account_inactive", channel=CAM)
    world.run(CHECKPOINT)
    rows = {r.kind: r for r in world.deliveries() if r.kind.startswith("checkpoint")}
    assert rows["checkpoint-digest"].status == DeliveryStatus.SENT
    assert rows["checkpoint"].status == DeliveryStatus.FAILED
    assert rows["checkpoint"].next_attempt_at is None
    world.run(CHECKPOINT + timedelta(days=1))
    assert not world.slack.delivered("checkpoint", CAM)


def test_a_thread_reply_that_fails_is_retried_without_reposting_the_top(world: World) -> None:
    before_checkpoint(world, students=25)
    # Long unanswered lists: the digest needs a thread of several replies.
    for n in range(25):
        people: list[tuple[str, str | None]] = [
            (
                f"Someone With A Rather Long Name {n} {k}",
                f"https://www.linkedin.com/in/someone-with-a-rather-long-profile-slug-{n}-{k}",
            )
            for k in range(10)
        ]
        world.outreach_many(
            CAM if n == 0 else f"U0S{n}", people, local("America/Denver", 2026, 9, 17, 10)
        )
    # The top message is posted; the first reply fails (a 502: unknown outcome).
    world.slack.fail_after("chat.postMessage", 1, channel=CHANNEL, status=502)
    world.run(CHECKPOINT)
    top = [p for p in world.slack.delivered("checkpoint-digest") if p.thread_ts is None]
    assert len(top) == 1
    assert digest_row(world).status == DeliveryStatus.FAILED
    row = digest_row(world)
    assert row.next_attempt_at is not None
    world.run(row.next_attempt_at)
    posts = world.slack.delivered("checkpoint-digest")
    assert len([p for p in posts if p.thread_ts is None]) == 1
    replies = [p for p in posts if p.thread_ts == top[0].ts]
    assert len(replies) >= 2
    assert sorted(p.part for p in replies) == list(range(2, len(replies) + 2))
    assert digest_row(world).status == DeliveryStatus.SENT
    everything = "\n".join(p.readable() for p in posts)
    for n in range(25):
        assert f"someone-with-a-rather-long-profile-slug-{n}-0" in everything
