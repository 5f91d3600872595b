"""The clock: one in-memory job calling run_due, coalesced, never overlapping; and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.triggers.interval import IntervalTrigger

from bot.cli import start_background_clock
from bot.schedule import clock
from tests.schedule_fixtures import ScheduleFake, World, census, local


def test_the_clock_has_one_job_that_calls_run_due_every_minute(world: World) -> None:
    runner = clock.Runner(world.sessions, world.client)
    scheduler = clock.make_scheduler(runner, background=True)
    jobs = scheduler.get_jobs()
    assert [job.id for job in jobs] == ["run_due"]
    job = jobs[0]
    assert job.func is clock.run_due_job and job.func_ref == "bot.schedule.clock:run_due_job"
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(seconds=60)
    assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time is None
    stores = scheduler._jobstores  # nothing is pickled: every job store is in memory
    assert stores and all(isinstance(s, MemoryJobStore) for s in stores.values())


def test_the_running_clock_sends_what_is_due_once(world: World) -> None:
    world.create_cohort(local("America/Denver", 2026, 9, 1), student_ids=["U0A", "U0B"])
    now = local("America/Denver", 2026, 9, 7, 9)
    runner = clock.Runner(world.sessions, world.client, clock=lambda: now)
    calls: list[int] = []
    real = clock.run_due_job

    scheduler = clock.make_scheduler(runner, background=True, interval=0.05)
    scheduler.modify_job("run_due", func=lambda r: (calls.append(1), real(r)))
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while len(calls) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        scheduler.shutdown(wait=True)
    assert len(calls) >= 5
    assert census(world.slack.posts) == Counter({("U0A", "kickoff"): 1, ("U0B", "kickoff"): 1})


def test_a_failing_run_is_logged_and_the_clock_goes_on(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> object:
        raise RuntimeError("database gone")

    runner = clock.Runner(world.sessions, world.client, clock=broken)  # type: ignore[arg-type]
    clock.run_due_job(runner)
    assert "run_due failed" in caplog.text


def test_the_all_in_one_process_starts_and_stops_the_clock(world: World) -> None:
    stoppers = start_background_clock(world.settings, world.engine)
    assert len(stoppers) == 1
    stoppers[0]()


def _env(world: World) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": world.slack.api_url,
        "DATABASE_URL": world.settings.database_url,
    }


def _bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_clock_process_runs_until_sigterm(world: World) -> None:
    now = datetime.now(UTC)  # the process runs on the real clock
    world.create_cohort(now, student_ids=["U0A"], start_date=now.date() - timedelta(days=1))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        env=_env(world),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not world.slack.of("users.info") and not world.slack.of("chat.postMessage"):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the clock never ran"
            time.sleep(0.05)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "clock started" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timezone", "Mars/Olympus_Mons"], "not a timezone I know"),
        (["--timezone", "America/Denver", "--start", "2020-01-06"], "more than a year ago"),
        (
            ["--timezone", "America/Denver", "--deadline", "2026-09-10T17:00:00-06:00"],
            "deadline must come after the checkpoint",
        ),
        (["--timezone", "Asia/Kolkata", "--break", "2026-08-01:1"], "after the cohort's start"),
    ],
)
def test_cohort_create_refuses_a_bad_calendar_in_one_line(
    tmp_path: Path, schedule_slack: ScheduleFake, args: list[str], message: str
) -> None:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": schedule_slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    start = [] if "--start" in args else ["--start", "2099-09-07"]
    if "--deadline" in args:
        start = ["--start", "2026-09-07"]
    done = _bot(
        env,
        "cohort",
        "create",
        "--team",
        "T0TEAM",
        "--name",
        "Mod 5",
        "--instructors-channel",
        "C0INSTRUCT",
        *start,
        *args,
    )
    assert done.returncode == 1, done
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("coffee-chat: ") and message in last, done.stderr


def test_cohort_create_with_a_break_and_an_extension_from_the_shell(world: World) -> None:
    env = _env(world)
    done = _bot(
        env,
        "cohort",
        "create",
        "--team",
        "T0TEAM",
        "--name",
        "Winter",
        "--start",
        "2099-12-07",
        "--timezone",
        "Europe/London",
        "--instructors-channel",
        "C0INSTRUCT",
        "--student",
        "U0A",
        "--break",
        "2099-12-21:2",
    )
    assert done.returncode == 0, done.stderr
    assert "deadline Fri 15 Jan 2100, 17:00 GMT" in done.stdout
    cohort_id = done.stdout.split()[0].lstrip("#")
    done = _bot(
        env, "cohort", "extend", "--cohort", cohort_id, "--student", "U0A", "--until", "2100-01-22"
    )
    assert done.returncode == 0, done.stderr
    assert "Fri 22 Jan 2100, 17:00 GMT" in done.stdout
    done = _bot(
        env, "cohort", "extend", "--cohort", cohort_id, "--student", "U0A", "--until", "2100-01-08"
    )
    assert done.returncode == 1 and "after the cohort's deadline" in done.stderr, done.stderr


def test_run_due_wants_an_instant_with_its_offset(
    tmp_path: Path, schedule_slack: ScheduleFake
) -> None:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": schedule_slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    done = _bot(env, "jobs", "run-due", "--now", "2026-09-18T17:00")
    assert done.returncode == 2 and "no UTC offset" in done.stderr
    done = _bot(env, "jobs", "run-due", "--now", "2026-09-18T17:00:00-06:00")
    assert done.returncode == 0 and "0 sent" in done.stdout, done
