"""Two clocks at once (threads with their own engines, or two processes): nothing twice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime, timedelta

from bot import db
from bot.schedule.run_due import Summary, run_due
from bot.webapi.client import make_client
from tests.schedule_fixtures import World, census, local

USERS = [f"U0P{n:02}" for n in range(12)]


def seeded(world: World) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=USERS)
    for n, user in enumerate(USERS):
        for k in range(n % 4):
            world.outreach(user, f"Person {n} {k}", local("America/Denver", 2026, 9, 8, 10))
        if n % 3 == 0:
            world.chat(user, f"Chat {n}", local("America/Denver", 2026, 9, 9, 10))


INSTANTS = [
    local("America/Denver", 2026, 9, 7, 9),  # kickoffs
    local("America/Denver", 2026, 9, 10, 10),  # thank-yous
    local("America/Denver", 2026, 9, 14, 9),  # nudges, follow-ups
    local("America/Denver", 2026, 9, 18, 17),  # checkpoint DMs and digest
    local("America/Denver", 2026, 9, 30, 17),  # deadline reminders
    local("America/Denver", 2026, 10, 2, 17),  # deadline digest
]


def race(world: World, now: datetime, runners: int = 2) -> list[Summary]:
    """`runners` run_due calls at the same instant, each with its own engine and client."""
    start = threading.Barrier(runners)
    results: list[Summary] = []
    failures: list[BaseException] = []

    def one() -> None:
        engine = db.make_engine(world.settings.database_url)
        try:
            sessions = db.make_session_factory(engine)
            client = make_client(world.settings)
            start.wait()
            results.append(run_due(now, sessions, client))
        except BaseException as error:
            failures.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=one) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert all(not r.errors for r in results), [r.errors for r in results]
    return results


def test_two_runners_at_the_same_instant_send_each_message_once(world: World) -> None:
    seeded(world)
    for now in INSTANTS:
        results = race(world, now)
        posted = world.slack.take()
        assert posted, f"nothing due at {now}?"
        keys = [(k, p.part) for p in posted for k in p.keys]  # a thread reply is its own part
        assert len(keys) == len(set(keys)), Counter(keys).most_common(3)
        assert sum(r.sent for r in results) == len([p for p in posted if p.part == 1])
    everything = census(world.slack.posts)
    assert everything[("C0INSTRUCT", "checkpoint-digest")] == 1
    assert everything[("C0INSTRUCT", "deadline-digest")] == 1
    assert all(everything[(u, "kickoff")] == 1 for u in USERS)


def test_two_processes_at_once_send_each_message_once(world: World) -> None:
    seeded(world)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": world.slack.api_url,
        "DATABASE_URL": world.settings.database_url,
    }
    for now in (INSTANTS[0], INSTANTS[3]):
        command = [sys.executable, "-m", "bot", "jobs", "run-due", "--now", now.isoformat()]
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=60) for p in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs
        posted = world.slack.take()
        keys = [(k, p.part) for p in posted for k in p.keys]
        assert keys and len(keys) == len(set(keys))
    assert census(world.slack.posts)[("C0INSTRUCT", "checkpoint-digest")] == 1


def test_a_claim_left_by_a_dead_process_is_taken_over_and_not_posted_twice(
    world: World,
) -> None:
    """A process claimed the digest, posted it, and died before recording it."""
    from bot.blocks.packing import Message
    from bot.domain.schedule_rules import Due, Kind
    from bot.schedule import store
    from bot.webapi.posting import post

    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0ONE"])
    now = local("America/Denver", 2026, 9, 18, 17)
    world.run(now - timedelta(minutes=1))
    world.slack.take()
    with world.session() as session:
        from sqlalchemy import select

        from bot.models import Cohort

        cohort = session.scalars(select(Cohort)).one()
    key = f"checkpoint-digest:{cohort.id}"
    due = Due(Kind.CHECKPOINT_DIGEST, key, cohort.id, None, "C0INSTRUCT", now, now)
    held = store.claim(world.sessions, due, now, None)
    assert held is not None
    post(world.client, "C0INSTRUCT", Message("digest", []), [key])  # ... and then it died
    assert store.claim(world.sessions, due, now, None) is None  # the claim holds meanwhile
    world.run(now + timedelta(minutes=1))
    assert not world.slack.delivered("checkpoint-digest", "C0INSTRUCT")[1:]
    world.run(now + store.CLAIM_FOR + timedelta(minutes=1))
    assert len(world.slack.delivered("checkpoint-digest", "C0INSTRUCT")) == 1
    row = next(r for r in world.deliveries() if r.key == key)
    assert row.status == "sent"
