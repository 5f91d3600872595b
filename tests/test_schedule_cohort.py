"""A four-week cohort, minute by minute where it matters: exactly the expected messages, once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

from bot.models import DeliveryStatus
from tests.schedule_fixtures import Post, World, census, local

DENVER = "America/Denver"
ADA, BEN, CAM, DEV = "U0ADA", "U0BEN", "U0CAM", "U0DEV"
CHANNEL = "C0INSTRUCT"


def mdt(*parts: int):  # type: ignore[no-untyped-def]
    return local(DENVER, *parts)


def url(slug: str) -> str:
    return f"https://www.linkedin.com/in/{slug}"


def expect(world: World, now, expected: dict[tuple[str, str], int]) -> list[Post]:  # type: ignore[no-untyped-def]
    posted = world.step(now)
    assert census(posted) == Counter(expected), f"at {now}: {[(p.channel, p.keys) for p in posted]}"
    return posted


def run_cli(world: World, now) -> str:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": world.slack.api_url,
        "DATABASE_URL": world.settings.database_url,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "jobs", "run-due", "--now", now.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_four_week_cohort_gets_exactly_the_expected_messages_once(world: World) -> None:
    cohort = world.create_cohort(mdt(2026, 9, 1, 6), student_ids=[ADA, BEN, CAM, DEV])
    expect(world, mdt(2026, 9, 1, 6), {})
    expect(world, mdt(2026, 9, 7, 8, 59), {})

    # Monday of Week 1, 09:00: the kickoff, through the process command.
    out = run_cli(world, mdt(2026, 9, 7, 9))
    assert "4 sent, 0 failed" in out, out
    kickoffs = world.slack.take()
    assert census(kickoffs) == Counter({(u, "kickoff"): 1 for u in (ADA, BEN, CAM, DEV)})
    assert "Fri 2 Oct 2026, 17:00 MDT" in kickoffs[0].readable()
    assert "How it works" in kickoffs[0].readable()  # the questions and the rules: one tap away
    assert world.step(mdt(2026, 9, 7, 9)) == []

    # Week 1: Ben tries 8 people, Ada chats twice, Cam tries 3.
    world.outreach_many(
        BEN, [(f"Ben Contact{n}", url(f"ben-{n}")) for n in range(1, 9)], mdt(2026, 9, 8, 10)
    )
    expect(world, mdt(2026, 9, 8, 10), {})
    world.chat(ADA, "Ada Mentor", mdt(2026, 9, 9, 10), url("ada-1"))
    expect(world, mdt(2026, 9, 9, 17, 59), {})
    # The evening of Ada's first chat: the thank-you while "within 24 hours" still holds,
    # with its Sent button.
    thanks = expect(world, mdt(2026, 9, 9, 18), {(ADA, "thank-you"): 1})
    assert any(
        e.get("action_id") == "thank_you_sent"
        for b in thanks[0].blocks
        for e in b.get("elements", [])
    )
    assert "You chatted with" in thanks[0].readable() and "today" in thanks[0].readable()
    world.chat(ADA, "Ada Second", mdt(2026, 9, 10, 10), url("ada-2"))
    for n in range(1, 4):
        world.outreach(CAM, f"Cam Contact{n}", mdt(2026, 9, 10, 10), url(f"cam-{n}"))
    expect(world, mdt(2026, 9, 10, 10), {})
    world.thank(ADA, "Ada Second", mdt(2026, 9, 10, 14))  # thanked before the reminder
    world.move(BEN, "Ben Contact1", "responded", mdt(2026, 9, 11, 8))
    expect(world, mdt(2026, 9, 10, 18), {})  # Ada's second thank-you: skipped, marked sent
    expect(world, mdt(2026, 9, 11, 10), {})

    # Monday of Week 2: nudges for those behind pace; Ben's follow-ups in one message.
    posted = expect(
        world,
        mdt(2026, 9, 14, 9),
        {(CAM, "weekly-nudge"): 1, (DEV, "weekly-nudge"): 1, (BEN, "follow-up"): 1},
    )
    follow_up = next(p for p in posted if p.kind == "follow-up")
    assert len(follow_up.keys) == 7  # Contact1 responded
    assert "Ben Contact8" in follow_up.readable() and "Ben Contact1" not in follow_up.readable()

    world.chat(BEN, "Ben Contact2", mdt(2026, 9, 15, 10), url("ben-2"))
    expect(world, mdt(2026, 9, 15, 10), {})
    expect(world, mdt(2026, 9, 15, 18), {(BEN, "thank-you"): 1})
    expect(world, mdt(2026, 9, 16, 9), {(CAM, "follow-up"): 1})
    expect(world, mdt(2026, 9, 16, 10), {})
    expect(world, mdt(2026, 9, 18, 16, 59), {})

    # Friday of Week 2, 17:00: the checkpoint.
    out = run_cli(world, mdt(2026, 9, 18, 17))
    posted = world.slack.take()
    assert census(posted) == Counter(
        {
            (BEN, "checkpoint"): 1,
            (CAM, "checkpoint"): 1,
            (DEV, "checkpoint"): 1,
            (CHANNEL, "checkpoint-digest"): 1,
        }
    ), out
    digest = next(p for p in posted if p.kind == "checkpoint-digest").readable()
    assert "3 of 4 students" in digest
    assert f"*On track (1):* <@{ADA}>" in digest
    ranked = digest[digest.index("1. ") :]
    assert ranked.index(f"<@{DEV}>") < ranked.index(f"<@{CAM}>") < ranked.index(f"<@{BEN}>")
    assert f"<@{ADA}>" not in ranked
    ben = ranked[ranked.index(f"<@{BEN}>") :]
    # Ben tried 8, but one replied and one chatted: the seed's list (everyone tried who
    # hasn't responded) has 6 people, fewer than 8.
    assert "6 waiting on a reply, fewer than 8" in ben
    cam = ranked[ranked.index(f"<@{CAM}>") : ranked.index(f"<@{BEN}>")]
    assert "waiting on a reply, fewer than 8" in cam
    for n in range(3, 9):
        assert f"<{url(f'ben-{n}')}|Ben Contact{n}>" in ben
    assert "Ben Contact1" not in ben and "Ben Contact2" not in ben  # responded, chatted
    ben_dm = next(p for p in posted if p.channel == BEN).readable()
    for n in range(3, 9):
        assert url(f"ben-{n}") in ben_dm
    assert "fewer" not in ben_dm
    cam_dm = next(p for p in posted if p.channel == CAM).readable()
    assert "reach out to 5 more" in cam_dm
    assert world.step(mdt(2026, 9, 18, 17, 1)) == []

    world.extend(cohort, DEV, mdt(2026, 10, 9, 17))
    expect(
        world,
        mdt(2026, 9, 21, 9),
        {(BEN, "weekly-nudge"): 1, (CAM, "weekly-nudge"): 1, (DEV, "weekly-nudge"): 1},
    )
    expect(world, mdt(2026, 9, 28, 9), {(u, "weekly-nudge"): 1 for u in (ADA, BEN, CAM, DEV)})
    world.hand_in(cohort, ADA, mdt(2026, 9, 29, 12))
    expect(world, mdt(2026, 9, 29, 12), {})

    # 48 h before the deadline: those who haven't handed in (not Dev: his deadline moved).
    posted = expect(
        world,
        mdt(2026, 9, 30, 17),
        {(BEN, "deadline-reminder"): 1, (CAM, "deadline-reminder"): 1},
    )
    assert "Fri 2 Oct 2026, 17:00 MDT" in posted[0].readable()

    # The deadline: the digest.
    posted = expect(world, mdt(2026, 10, 2, 17), {(CHANNEL, "deadline-digest"): 1})
    digest = posted[0].readable()
    assert "1 of 4 handed in" in digest
    missing = digest[digest.index("Missing") : digest.index("Extensions")]
    assert f"<@{BEN}>" in missing and f"<@{CAM}>" in missing and f"<@{DEV}>" not in missing
    assert f"<@{DEV}> — until <!date^" in digest and "|Fri 9 Oct 2026, 17:00 MDT>" in digest
    assert f"<@{ADA}>" in digest[digest.index("Handed in") :]

    expect(world, mdt(2026, 10, 5, 9), {})  # no Week 5 nudge
    expect(world, mdt(2026, 10, 7, 17), {(DEV, "deadline-reminder"): 1})
    expect(world, mdt(2026, 10, 9, 17), {})

    # Going over the whole span again, every six hours, sends nothing more.
    instant = mdt(2026, 9, 1, 0)
    while instant < mdt(2026, 10, 17, 0):
        world.run(instant)
        instant += timedelta(hours=6)
    assert world.slack.take() == []

    # Every delivery is settled: sent, or skipped with the reason.
    rows = world.deliveries()
    assert {r.status for r in rows} <= {DeliveryStatus.SENT, DeliveryStatus.SKIPPED}
    skipped = {r.key: r.last_error for r in rows if r.status == DeliveryStatus.SKIPPED}
    thank_you = next(k for k, v in skipped.items() if k.startswith("thank-you:"))
    assert "marked sent" in (skipped[thank_you] or "")
    assert any("on pace" in (v or "") for v in skipped.values())
    sent = sorted(r.key for r in rows if r.status == DeliveryStatus.SENT)
    assert sent == sorted(k for p in world.slack.posts for k in p.keys)
