"""`run_due(now)`: send every scheduled message that is due and not yet delivered — once.

For each active cohort it reads the facts, asks the rules what is due (bot.domain.schedule_rules),
and for each delivery without a settled row: records it as skipped when it is no longer needed
or useful; waits when it is a DM and the student's quiet hours are on; otherwise claims its row
(bot.schedule.store), sends it, and records the outcome. A failed send is retried on a later run
with backoff; a digest that can't reach its channel also tells the instructor who set it up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import reminders
from bot.blocks.packing import Message
from bot.db import session_scope
from bot.domain import calendar
from bot.domain.errors import DomainError
from bot.domain.read_model import cohort_facts, cohort_standings
from bot.domain.schedule_rules import (
    DIGESTS,
    MORNING_KINDS,
    Due,
    Kind,
    due_deliveries,
    is_late,
    quiet_until,
    retry_at,
)
from bot.domain.standing import CohortFacts, Standing
from bot.models import DeliveryStatus, Student
from bot.schedule import store
from bot.schedule.facts import cohorts_due
from bot.schedule.messages import compose
from bot.webapi.handins import post_pending_handins
from bot.webapi.posting import Posted, SendError, call, find_posted, post

log = logging.getLogger(__name__)

Task = Callable[[WebClient, sessionmaker[Session], datetime], object]

# More scheduled work, run after the reminders and digests on every run, each called as
# task(client, sessions, now) and idempotent: hand-in posts that Slack refused earlier.
EXTRA_TASKS: tuple[Task, ...] = (post_pending_handins,)

ALERT_USEFUL_FOR = timedelta(days=7)
DIGEST_NAMES = {
    Kind.CHECKPOINT_DIGEST: "Week 2 checkpoint digest",
    Kind.DEADLINE_DIGEST: "deadline digest",
}


@dataclass
class Summary:
    """What one run did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.sent} sent, {self.failed} failed (will retry unless final), "
            f"{self.skipped} skipped, {self.waiting} waiting for the morning"
        )


@dataclass(frozen=True)
class Planned:
    """A delivery to act on now, with the facts its message is made from.

    `also` holds deliveries sent in the same message: a student's morning (MORNING_KINDS).
    """

    due: Due
    cohort: CohortFacts
    students: tuple[Standing, ...]
    row: store.Row | None
    parts: frozenset[int] = frozenset()
    also: tuple[tuple[Due, store.Row | None], ...] = ()

    @property
    def student(self) -> Standing | None:
        return next((s for s in self.students if s.student_id == self.due.student_id), None)

    @property
    def members(self) -> tuple[tuple[Due, store.Row | None], ...]:
        return ((self.due, self.row), *self.also)


def run_due(
    now: datetime,
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    command: str = "/coffee",
    extra_tasks: Sequence[Task] = EXTRA_TASKS,
) -> Summary:
    """Perform every reminder and digest due at or before `now` that has not been delivered."""
    now = now.astimezone(UTC)
    run = _Run(now, sessions, client, command)
    run.perform()
    for task in extra_tasks:
        try:
            task(client, sessions, now)
        except Exception as error:
            log.exception("scheduled task %s failed", getattr(task, "__name__", task))
            run.summary.errors.append(f"{getattr(task, '__name__', task)}: {error}")
    return run.summary


class _Run:
    def __init__(
        self, now: datetime, sessions: sessionmaker[Session], client: WebClient, command: str
    ) -> None:
        self.now = now
        self.sessions = sessions
        self.client = client
        self.command = command
        self.summary = Summary()

    def perform(self) -> None:
        plans = self.plan()
        zones = self.zones(plans)
        for plan in plans:
            try:
                self.act(plan, zones)
            except Exception as error:  # one bad delivery must not stop the others
                log.exception("delivery %s failed unexpectedly", plan.due.key)
                self.summary.errors.append(f"{plan.due.key}: {error}")

    # -- deciding ------------------------------------------------------------------------

    def plan(self) -> list[Planned]:
        plans: list[Planned] = []
        with session_scope(self.sessions) as session:
            for cohort in cohorts_due(session, self.now):
                try:
                    facts = cohort_facts(cohort)
                except DomainError as error:
                    log.error("cohort %s has a bad calendar: %s", cohort.id, error.message)
                    continue
                students = tuple(cohort_standings(session, cohort))
                rows = store.rows_for(session, cohort.id)
                mornings: dict[int | None, list[tuple[Due, store.Row | None]]] = {}
                for due in due_deliveries(facts, students, self.now):
                    row = rows.get(due.key)
                    if row is not None and not row.ready(self.now):
                        continue
                    if due.kind in MORNING_KINDS and not due.skip_reason:
                        mornings.setdefault(due.student_id, []).append((due, row))
                        continue
                    parts: frozenset[int] = frozenset()
                    if due.kind in DIGESTS:
                        prefix = due.key + store.PART_SEPARATOR
                        parts = frozenset(
                            int(key[len(prefix) :]) for key in rows if key.startswith(prefix)
                        )
                    plans.append(Planned(due, facts, students, row, parts))
                for members in mornings.values():
                    members.sort(key=lambda m: (MORNING_KINDS.index(m[0].kind), m[0].key))
                    (first, row), *rest = members
                    plans.append(Planned(first, facts, students, row, also=tuple(rest)))
        plans.sort(key=lambda p: (p.due.due_at, p.due.key))
        return plans

    def zones(self, plans: Sequence[Planned]) -> dict[str, str]:
        """Each DM recipient's Slack timezone, asked once (users.info) and kept on the student."""
        zones: dict[str, str] = {}
        for plan in plans:
            student = plan.student
            if not plan.due.is_dm or plan.due.skip_reason or student is None:
                continue
            if student.user_id in zones:
                continue
            if student.timezone:
                zones[student.user_id] = student.timezone
                continue
            found = self.lookup_zone(student.user_id)
            if found:
                zones[student.user_id] = found
                with session_scope(self.sessions) as session:
                    session.execute(
                        update(Student)
                        .where(Student.id == student.student_id)
                        .values(timezone=found)
                    )
        return zones

    def lookup_zone(self, user_id: str) -> str | None:
        try:
            user = call(self.client.users_info, user=user_id).get("user") or {}
        except SendError as error:
            log.warning("no timezone for %s (%s); using the cohort's", user_id, error.message)
            return None
        name = user.get("tz")
        try:
            return calendar.zone(str(name)).key if name else None
        except DomainError:
            return None

    # -- acting --------------------------------------------------------------------------

    def act(self, plan: Planned, zones: dict[str, str]) -> None:
        due = plan.due
        if due.skip_reason:
            if store.record_skipped(self.sessions, due, self.now, due.skip_reason, plan.row):
                self.summary.skipped += 1
            return
        if due.is_dm:
            tz = ZoneInfo(zones.get(due.recipient) or plan.cohort.timezone)
            if quiet_until(self.now, tz) is not None:
                self.summary.waiting += 1
                return
        held: list[tuple[Due, store.Claim]] = []
        for member, row in plan.members:
            claim = store.claim(self.sessions, member, self.now, row)
            if claim is not None:  # else another process has it, or has just settled it
                held.append((member, claim))
        if not held:
            return
        message = self.message(plan, [member for member, _ in held])
        try:
            top = self.deliver(plan, held, message)
        except SendError as error:
            for member, claim in held:
                self.failed(member, claim.row, error)
            self.summary.failed += 1
            if error.channel_problem and due.kind in DIGESTS:
                self.alert(plan, error)
            return
        for member, claim in held:
            late = is_late(member.due_at, self.now)
            store.record_sent(self.sessions, claim.row, self.now, top.channel, top.ts, late)
        self.summary.sent += 1

    def deliver(
        self, plan: Planned, held: Sequence[tuple[Due, store.Claim]], message: Message
    ) -> Posted:
        """Post the message (and its thread), skipping whatever an earlier try already posted."""
        due, row = held[0][0], held[0][1].row
        keys = [member.key for member, _ in held]
        uncertain = any(claim.uncertain for _, claim in held)
        if row.ts and row.channel:
            top = Posted(row.channel, row.ts)
        else:
            found: dict[int, Posted] = {}
            if uncertain:
                found = find_posted(self.client, due.recipient, keys, row.created_at)
            top = found.get(1) or post(self.client, due.recipient, message, keys)
            if message.thread:
                store.note_posted(self.sessions, row.id, top.channel, top.ts)
        if not message.thread:
            return top
        done = set(plan.parts)
        if uncertain:
            found = find_posted(self.client, top.channel, keys, row.created_at, top.ts)
            for number, posted in found.items():
                if number >= 2 and number not in done:
                    store.record_part(self.sessions, due, number, self.now, *_where(posted))
                    done.add(number)
        for number, part in enumerate(message.thread, 2):
            if number in done:
                continue
            posted = post(self.client, top.channel, part, keys, number, thread_ts=top.ts)
            store.record_part(self.sessions, due, number, self.now, *_where(posted))
        return top

    def failed(self, due: Due, row: store.Row, error: SendError) -> None:
        again = retry_at(self.now, row.attempts + 1, error.retry_after) if error.retry else None
        store.record_failed(self.sessions, row, error.message, again)
        log.warning(
            "%s to %s failed (%s); %s",
            due.key,
            due.recipient,
            error.message,
            f"retrying after {again:%Y-%m-%d %H:%M} UTC" if again else "not retrying",
        )

    def alert(self, plan: Planned, error: SendError) -> None:
        """Tell the instructor who set the cohort up (else each instructor), once per digest."""
        cohort = plan.cohort
        people = [cohort.created_by] if cohort.created_by else list(cohort.instructor_ids)
        if not people:
            log.error("cohort %s: no instructor to tell that %s failed", cohort.id, plan.due.key)
            return
        message = reminders.channel_alert(
            cohort, DIGEST_NAMES[plan.due.kind], error.code or "", self.command
        )
        for user in people:
            due = Due(
                Kind.CHANNEL_ALERT,
                f"{Kind.CHANNEL_ALERT}:{cohort.id}:{plan.due.kind}:{user}",
                cohort.id,
                None,
                user,
                self.now,
                self.now + ALERT_USEFUL_FOR,
                period=plan.due.kind,
            )
            with session_scope(self.sessions) as session:
                row = store.rows_for(session, cohort.id).get(due.key)
            if row is not None and row.status == DeliveryStatus.SENT:
                continue
            held = store.claim(self.sessions, due, self.now, row)
            if held is None:
                continue
            try:
                posted = post(self.client, user, message, [due.key])
            except SendError as failure:
                self.failed(due, held.row, failure)
                self.summary.failed += 1
                continue
            store.record_sent(self.sessions, held.row, self.now, *_where(posted), late=False)
            self.summary.sent += 1

    # -- writing -------------------------------------------------------------------------

    def message(self, plan: Planned, dues: Sequence[Due]) -> Message:
        return compose(plan.cohort, plan.students, dues, self.now, self.command)


def _where(posted: Posted) -> tuple[str, str]:
    return posted.channel, posted.ts
