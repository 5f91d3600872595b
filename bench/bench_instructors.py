"""Benchmark the instructors' report, App Home and export at 20 and 2,000 students.

For each size it seeds a cohort (every student with 20 people tried, some replied, a chat or
two, a reflection, half of them handed in), then times reading and building, several rounds,
and counts the SQL statements each needs. The 20-student cohort is the baseline, measured in
the same run: the statement counts must be the same at both sizes.

    .venv/bin/python bench/bench_instructors.py [--students 2000] [--rounds 5]

SQLite in a temporary file by default; set COFFEE_TEST_POSTGRES_URL to run on PostgreSQL too
(a fresh schema, dropped at the end). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.seeding import (  # noqa: E402
    POSTGRES_ENV,
    Statements,
    add_outreach,
    add_students,
    databases,
)
from bot import db  # noqa: E402
from bot.blocks.report import instructor_home, report  # noqa: E402
from bot.domain import instructing  # noqa: E402
from bot.domain.cohorts import CohortSpec, create_cohort  # noqa: E402
from bot.domain.export import cohort_csv, handins  # noqa: E402
from bot.models import (  # noqa: E402
    Chat,
    Cohort,
    Contact,
    Enrollment,
    Outreach,
    Reflection,
    Submission,
)

NOW = datetime(2026, 9, 18, 23, tzinfo=UTC)
TRIED = 20


def seed(session: Session, students: int) -> Cohort:
    """A cohort of `students`, each with TRIED people tried, written in bulk."""
    spec = CohortSpec(
        "T0BENCH",
        f"Bench {students}",
        date(2026, 9, 7),
        "America/Denver",
        "C0INSTRUCT",
        instructor_ids=["U0TEACH"],
    )
    cohort = create_cohort(session, spec, NOW - timedelta(days=20))
    start = NOW - timedelta(days=10)
    users = [f"U{students}X{n:05}" for n in range(students)]
    ids = add_students(session, cohort.id, "T0BENCH", users, start)
    mine = Contact.student_id.in_(ids)
    statuses = ["sent", "sent", "sent", "no_response", "responded", "declined"]
    add_outreach(
        session,
        ids,
        TRIED,
        start,
        lambda i, s: "chatted" if i % TRIED < s % 3 else statuses[i % len(statuses)],
    )
    chatted = session.execute(
        select(Outreach.contact_id)
        .join(Contact, Contact.id == Outreach.contact_id)
        .where(Outreach.status == "chatted", mine)
    ).scalars()
    session.execute(
        insert(Chat),
        [{"contact_id": c, "held_on": start.date(), "logged_at": start, "created_at": start,
          "takeaways": "A typical day, and the skills they need."}
         for c in chatted],
    )  # fmt: skip
    enrollments = list(session.scalars(select(Enrollment).where(Enrollment.cohort_id == cohort.id)))
    session.execute(
        insert(Reflection),
        [{"enrollment_id": e.id, "experience": "Hard at first.", "takeaways": "Plenty.",
          "similarly": "Research first.", "differently": "Ask sooner.", "updated_at": start}
         for e in enrollments],
    )  # fmt: skip
    chats_by_student: dict[int, list[int]] = {}
    for chat_id, student_id in session.execute(
        select(Chat.id, Contact.student_id).join(Contact, Contact.id == Chat.contact_id).where(mine)
    ):
        chats_by_student.setdefault(student_id, []).append(chat_id)
    session.execute(
        insert(Submission),
        [{"enrollment_id": e.id, "first_chat_id": chats_by_student[e.student_id][0],
          "second_chat_id": chats_by_student[e.student_id][1],
          "answers": {"experience": "ok", "takeaways": "ok", "similarly": "ok",
                      "differently": "ok"},
          "submitted_at": NOW, "late": False, "revision": 1, "posted_revision": 1}
         for e in enrollments if len(chats_by_student.get(e.student_id, [])) >= 2
         and e.id % 2 == 0],
    )  # fmt: skip
    return cohort


def measure(
    engine: Engine, counter: Statements, work: Callable[[Session], object], rounds: int
) -> tuple[float, int]:
    """Median seconds and the statements of one round."""
    sessions = db.make_session_factory(engine)
    times, statements = [], 0
    for _ in range(rounds):
        with db.session_scope(sessions) as session:
            before = counter.count
            started = time.perf_counter()
            work(session)
            times.append(time.perf_counter() - started)
            statements = counter.count - before
    return statistics.median(times), statements


def cohort_of(session: Session, students: int) -> Cohort:
    return session.scalars(select(Cohort).where(Cohort.name == f"Bench {students}")).one()


def workloads(students: int) -> dict[str, Callable[[Session], object]]:
    def report_now(session: Session) -> object:
        cohort = cohort_of(session, students)
        return report(instructing.cohort_now(session, cohort, 0), NOW, "/coffee")

    def home_now(session: Session) -> object:
        cohort = cohort_of(session, students)
        return instructor_home([instructing.cohort_now(session, cohort, 0)], NOW, "/coffee")

    def export_now(session: Session) -> object:
        cohort = cohort_of(session, students)
        now_ = instructing.cohort_now(session, cohort)
        return cohort_csv(now_.cohort, now_.students, handins(session, cohort), {})

    return {"report": report_now, "App Home": home_now, "export (CSV)": export_now}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = (20, args.students)
    print(
        f"students: {sizes[0]} (baseline) and {sizes[1]}, {TRIED} people tried each; "
        f"median of {args.rounds} rounds"
    )
    if not os.environ.get(POSTGRES_ENV):
        print(f"(PostgreSQL skipped: set {POSTGRES_ENV} to include it)")
    with databases() as found:
        for name, url in found:
            run(name, url, sizes, args.rounds)
    return 0


def run(name: str, url: str, sizes: tuple[int, int], rounds: int) -> None:
    """Seed both cohorts on one database, then measure each workload at both sizes."""
    db.upgrade(url)
    engine = db.make_engine(url)
    counter = Statements(engine)
    with db.session_scope(db.make_session_factory(engine)) as session:
        started = time.perf_counter()
        for size in sizes:
            seed(session, size)
    print(f"\n{name}: seeded in {time.perf_counter() - started:.1f} s")
    print(
        f"  {'':14} {'time at ' + str(sizes[0]):>12} {'time at ' + str(sizes[1]):>13} "
        f"{'statements':>22}"
    )
    for label in workloads(sizes[0]):
        small = measure(engine, counter, workloads(sizes[0])[label], rounds)
        large = measure(engine, counter, workloads(sizes[1])[label], rounds)
        same = "the same" if small[1] == large[1] else f"{small[1]} at {sizes[0]}"
        print(
            f"  {label:14} {small[0] * 1000:10.1f}ms {large[0] * 1000:11.1f}ms "
            f"{large[1]:>8} ({same})"
        )
    engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
