"""The clock: APScheduler calling `run_due` every minute, and nothing else.

One interval job, kept in memory (nothing is pickled: what is due lives in the database), that
coalesces missed runs into one, never overlaps itself, and runs however late it fires. It also
runs once at start, so a restart after downtime catches up at once on whatever is still useful.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import db
from bot.models import utcnow
from bot.schedule.run_due import Summary, run_due
from bot.schedule.upkeep import upkeep
from bot.settings import DEFAULT_UNINSTALLED_DATA_DAYS, Settings
from bot.webapi.installations import ClientFor

log = logging.getLogger(__name__)

JOB_ID = "run_due"
INTERVAL_SECONDS = 60.0
JOB_DEFAULTS: dict[str, object] = {
    "coalesce": True,  # after a pause, run once, not once per missed minute
    "max_instances": 1,  # a slow run (Slack rate limits) is never overlapped by the next
    "misfire_grace_time": None,  # however late: run_due is idempotent and catches up
}


@dataclass
class Runner:
    """What the job needs: sessions, what to send with (one client, or each cohort's
    workspace's), the command name, a clock, and how long an uninstalled workspace's data
    stays."""

    sessions: sessionmaker[Session]
    clients: WebClient | ClientFor
    command: str = "/coffee"
    clock: Callable[[], datetime] = utcnow
    uninstalled_data_days: int = DEFAULT_UNINSTALLED_DATA_DAYS

    def __call__(self) -> Summary:
        now = self.clock()
        summary = run_due(
            now,
            self.sessions,
            self.clients,
            command=self.command,
        )
        upkeep(self.sessions, now, self.uninstalled_data_days)
        return summary


def run_due_job(runner: Runner) -> None:
    """The clock's only job. A failure is logged; the next minute tries again."""
    try:
        summary = runner()
    except Exception:
        log.exception("run_due failed; the next run will try again")
        return
    if summary.sent or summary.failed or summary.skipped or summary.errors:
        log.info("run_due: %s", summary.line())


def make_scheduler(
    runner: Runner, *, background: bool, interval: float = INTERVAL_SECONDS
) -> BaseScheduler:
    """A scheduler with the one `run_due` job, first run at once."""
    kind = BackgroundScheduler if background else BlockingScheduler
    scheduler: BaseScheduler = kind(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )
    scheduler.add_job(
        run_due_job,
        IntervalTrigger(seconds=interval, timezone=UTC),
        id=JOB_ID,
        name="send due reminders and digests",
        args=[runner],
        replace_existing=True,
        next_run_time=datetime.now(UTC),
        **JOB_DEFAULTS,
    )
    return scheduler


def runner_for(settings: Settings, engine: Engine) -> Runner:
    from bot.webapi.installations import clients_for

    return Runner(
        sessions=db.make_session_factory(engine),
        clients=clients_for(settings, engine),
        command=settings.slash_command,
        uninstalled_data_days=settings.uninstalled_data_days,
    )


def start_background(settings: Settings, engine: Engine) -> Callable[[], None]:
    """Start the clock on a thread beside the web server; returns what stops it."""
    scheduler = make_scheduler(runner_for(settings, engine), background=True)
    scheduler.start()
    log.info("clock started: run_due every %d s", INTERVAL_SECONDS)

    def stop() -> None:
        # From a signal handler: don't wait here for a run in progress.
        threading.Thread(target=scheduler.shutdown, name="clock-stop", daemon=True).start()

    return stop


def run_forever(settings: Settings, engine: Engine) -> None:
    """The `clock` process: block until SIGTERM or Ctrl-C."""
    from bot.signals import stop_on_sigterm

    scheduler = make_scheduler(runner_for(settings, engine), background=False)
    stop_on_sigterm(lambda: scheduler.shutdown(wait=False))
    log.info("clock started: run_due every %d s", INTERVAL_SECONDS)
    with contextlib.suppress(KeyboardInterrupt):
        scheduler.start()
