"""What the database benchmarks share: fresh databases, a statement counter, bulk seeding.

`database(backend)` is a fresh SQLite file or PostgreSQL schema (`COFFEE_TEST_POSTGRES_URL`,
`?options=-csearch_path%3D<schema>` as in tests/conftest.py), removed at the end.
`Statements` counts what an engine sends. `add_students` and `add_outreach` write many
students of a cohort and their people tried with one INSERT each (the domain functions would
take minutes at 2,000 students × 20 people).
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select, text
from sqlalchemy.orm import Session

from bot.models import Contact, Enrollment, Outreach, Student

POSTGRES_ENV = "COFFEE_TEST_POSTGRES_URL"


def exit_on_sigterm() -> None:
    """SIGTERM ends the script as Ctrl-C does, through its `finally`s: no schema left behind."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def backends() -> list[str]:
    """sqlite, and postgresql when COFFEE_TEST_POSTGRES_URL is set."""
    return ["sqlite", *(["postgresql"] if os.environ.get(POSTGRES_ENV) else [])]


@contextmanager
def database(backend: str) -> Iterator[str]:
    """The URL of a fresh, empty database on `backend`, dropped on the way out."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    base = os.environ[POSTGRES_ENV].replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            yield f"{base}?options=-csearch_path%3D{schema}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        admin.dispose()


@contextmanager
def databases() -> Iterator[list[tuple[str, str]]]:
    """One fresh database per backend, as (backend, url)."""
    with ExitStack() as stack:
        yield [(backend, stack.enter_context(database(backend))) for backend in backends()]


class Statements:
    """Counts the SQL statements an engine executes (an executemany counts once) and the
    transactions it commits."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.commits = 0
        event.listen(engine, "before_cursor_execute", self._one)
        event.listen(engine, "commit", self._commit)

    def _one(self, *_args: Any) -> None:
        self.count += 1

    def _commit(self, *_args: Any) -> None:
        self.commits += 1


def add_students(
    session: Session,
    cohort_id: int,
    team_id: str,
    users: Sequence[str],
    at: datetime,
    timezone: str | None = None,
) -> list[int]:
    """Students with these user ids, enrolled in the cohort at `at`; their ids, in order.
    With `timezone`, it is stored as read from Slack at `at`."""
    session.execute(
        insert(Student),
        [{"team_id": team_id, "user_id": user, "created_at": at, "timezone": timezone,
          "timezone_read_at": at if timezone else None}
         for user in users],
    )  # fmt: skip
    rows = session.execute(
        select(Student.user_id, Student.id).where(
            Student.team_id == team_id, Student.user_id.in_(list(users))
        )
    )
    found = {user: student_id for user, student_id in rows}
    ids = [found[user] for user in users]
    session.execute(
        insert(Enrollment),
        [{"cohort_id": cohort_id, "student_id": s, "active": True, "created_at": at}
         for s in ids],
    )  # fmt: skip
    return ids


def add_outreach(
    session: Session,
    student_ids: Sequence[int],
    tried: int,
    at: datetime,
    status: Callable[[int, int], str],
) -> None:
    """`tried` people per student, each with one outreach sent at `at`; `status(i, student)`
    is the status of the i-th outreach written (counting over all students)."""
    session.execute(
        insert(Contact),
        [{"student_id": s, "name": f"Person {s} {k}", "name_key": f"person {s} {k}",
          "linkedin_url": f"https://www.linkedin.com/in/p-{s}-{k}", "source": "other",
          "created_at": at}
         for s in student_ids for k in range(tried)],
    )  # fmt: skip
    contacts = session.execute(
        select(Contact.id, Contact.student_id)
        .where(Contact.student_id.in_(list(student_ids)))
        .order_by(Contact.id)
    ).all()
    session.execute(
        insert(Outreach),
        [{"contact_id": c, "channel": "linkedin", "sent_on": at.date(), "sent_at": at,
          "status": status(i, s), "status_changed_at": at, "follow_ups": 0, "created_at": at}
         for i, (c, s) in enumerate(contacts)],
    )  # fmt: skip
