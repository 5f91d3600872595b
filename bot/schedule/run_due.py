"""`run_due(now)`: send every scheduled message that is due and not yet delivered — once.

It plans only the cohorts whose instant in the clock's index has come (bot.domain.plan_index):
for each it reads the facts, asks the rules what is due (bot.domain.schedule_rules), and for
each delivery without a settled row records it as skipped when it is no longer needed or
useful, waits when it is a DM and the student's quiet hours are on, or else claims its row
(bot.schedule.store), sends it and records the outcome. Claims, skips and records are written
in batches; exactly-once rests on the unique key and, after an unknown outcome, on checking
Slack before sending again. The instructors' channel and the students' DMs go out on separate
lanes, so a channel's 1 message/s never holds up the DMs. A failed send is retried on a later
run with backoff (a long Retry-After included: the run goes on with the others); a digest that
can't reach its channel also tells the instructor who set it up. Each cohort is sent with its
own workspace's token. Last, each planned cohort's next instant is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import reminders
from bot.blocks.packing import Message
from bot.db import session_scope
from bot.domain import plan_index
from bot.domain.errors import DomainError
from bot.domain.read_model import cohort_facts, cohort_standings
from bot.domain.schedule_rules import (
    DIGESTS,
    MORNING_KINDS,
    Due,
    Kind,
    due_and_next,
    is_late,
    quiet_until,
    retry_at,
    window,
)
from bot.domain.standing import CohortFacts, Standing
from bot.models import Cohort, DeliveryStatus
from bot.schedule import store
from bot.schedule.messages import compose
from bot.schedule.zones import Zones
from bot.webapi.handins import post_pending_handins
from bot.webapi.installations import ClientFor, NotInstalled
from bot.webapi.posting import Posted, SendError, find_posted, post

log = logging.getLogger(__name__)

Clients = WebClient | ClientFor
Task = Callable[[Clients, sessionmaker[Session], datetime], object]

# More scheduled work, run after the reminders and digests on every run, each called as
# task(clients, sessions, now) and idempotent: hand-in posts that Slack refused earlier.
EXTRA_TASKS: tuple[Task, ...] = (post_pending_handins,)

ALERT_USEFUL_FOR = timedelta(days=7)
DIGEST_NAMES = {
    Kind.CHECKPOINT_DIGEST: "Week 2 checkpoint digest",
    Kind.DEADLINE_DIGEST: "deadline digest",
}
DM_LANES = 2  # DMs go to different channels: two in flight keep up with Slack's rate
CLAIM_BATCH = 25  # deliveries claimed in one statement, just before they are sent
RECORD_EVERY = 25  # sent deliveries recorded together …
RECORD_WITHIN = 1.0  # … or after this many seconds, whichever comes first
NOT_INSTALLED_AGAIN = timedelta(hours=1)
# A retry (or a pause) that comes due this soon after a run starts is taken by it. Both are
# timed from the start of the run that met the 429, so a Retry-After of about a minute lands
# on the next run's start, which the clock's jitter could otherwise miss by milliseconds (a
# whole minute lost). Early by seconds, the client waits out the rest of Slack's window.
SOON = timedelta(seconds=5)
LONG_WAITS_TO_PAUSE = 2  # long Retry-Afters in a row after which a lane leaves a workspace


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
    team_id: str
    students: tuple[Standing, ...]
    student: Standing | None
    row: store.Row | None
    parts: frozenset[int] = frozenset()
    also: tuple[tuple[Due, store.Row | None], ...] = ()

    @property
    def members(self) -> tuple[tuple[Due, store.Row | None], ...]:
        return ((self.due, self.row), *self.also)


def run_due(
    now: datetime,
    sessions: sessionmaker[Session],
    clients: Clients,
    *,
    command: str = "/coffee",
    extra_tasks: Sequence[Task] = EXTRA_TASKS,
) -> Summary:
    """Perform every reminder and digest due at or before `now` that has not been delivered.

    `clients` is one WebClient (one workspace) or a ClientFor: team id → that workspace's."""
    now = now.astimezone(UTC)
    run = _Run(now, sessions, clients, command)
    run.perform()
    for task in extra_tasks:
        try:
            task(clients, sessions, now)
        except Exception as error:
            log.exception("scheduled task %s failed", getattr(task, "__name__", task))
            run.summary.errors.append(f"{getattr(task, '__name__', task)}: {error}")
    return run.summary


class _Run:
    def __init__(
        self, now: datetime, sessions: sessionmaker[Session], clients: Clients, command: str
    ) -> None:
        self.now = now
        self.sessions = sessions
        self.clients = clients
        self.command = command
        self.summary = Summary()
        self._lock = threading.Lock()
        self._clients: dict[str, WebClient] = {}
        self._versions: dict[int, int] = {}
        self._wake: dict[int, datetime] = {}  # the earliest instant each cohort needs a look

    def perform(self) -> None:
        plans = self.plan()
        self.skip([p for p in plans if p.due.skip_reason])
        sending = [p for p in plans if not p.due.skip_reason]
        zones = Zones.read(self.sessions, self.client, sending, self.now)
        self.lanes(sending, zones)
        self.settle()

    def client(self, team_id: str) -> WebClient:
        """The workspace's client, asked for once per run; NotInstalled when it has none."""
        if isinstance(self.clients, WebClient):
            return self.clients
        with self._lock:
            if team_id not in self._clients:
                self._clients[team_id] = self.clients(team_id)
            return self._clients[team_id]

    def wake(self, cohort_id: int, at: datetime) -> None:
        """The cohort needs another look at `at`."""
        with self._lock:
            self._wake[cohort_id] = min(at, self._wake.get(cohort_id, at))

    # -- deciding ------------------------------------------------------------------------

    def plan(self) -> list[Planned]:
        plans: list[Planned] = []
        with session_scope(self.sessions) as session:
            due = plan_index.due_cohorts(session, self.now + SOON)
        for item in due:
            cohort = item.cohort
            self._versions[cohort.id] = item.version
            try:
                self.client(cohort.team_id)  # its own transaction: none may be open here
            except NotInstalled as error:
                log.warning("cohort %s: %s; nothing sent", cohort.id, error)
                self.wake(cohort.id, self.now + NOT_INSTALLED_AGAIN)
                continue
            with session_scope(self.sessions) as session:
                plans += self.plan_cohort(session, cohort)
        plans.sort(key=lambda p: (p.due.due_at, p.due.key))
        return plans

    def plan_cohort(self, session: Session, cohort: Cohort) -> list[Planned]:
        try:
            facts = cohort_facts(cohort)
        except DomainError as error:
            log.error("cohort %s has a bad calendar: %s", cohort.id, error.message)
            self.wake(cohort.id, plan_index.NEVER)  # until someone fixes it
            return []
        students = tuple(cohort_standings(session, cohort))
        latest = max((s.deadline_at for s in students), default=facts.deadline_at)
        opens, closes = window(facts, max(latest, facts.deadline_at))
        if self.now < opens:
            self.wake(cohort.id, opens)
            return []
        settled = store.settled_keys(session, cohort.id)
        rows = store.open_rows(session, cohort.id)
        due_now, upcoming = due_and_next(facts, students, self.now, settled)
        self.wake(cohort.id, upcoming if upcoming and self.now <= closes else plan_index.NEVER)
        if self.now > closes:
            return []
        by_id = {s.student_id: s for s in students}
        plans: list[Planned] = []
        mornings: dict[int | None, list[tuple[Due, store.Row | None]]] = {}
        for due in due_now:
            row = rows.get(due.key)
            if row is not None and not row.ready(self.now, SOON):
                again = row.ready_at()
                if again is not None:
                    self.wake(cohort.id, again)
                continue
            if due.kind in MORNING_KINDS and not due.skip_reason:
                mornings.setdefault(due.student_id, []).append((due, row))
                continue
            parts: frozenset[int] = frozenset()
            if due.kind in DIGESTS:
                prefix = due.key + store.PART_SEPARATOR
                parts = frozenset(
                    int(key[len(prefix) :]) for key in settled if key.startswith(prefix)
                )
            student = by_id.get(due.student_id) if due.student_id else None
            plans.append(Planned(due, facts, cohort.team_id, students, student, row, parts))
        for student_id, members in mornings.items():
            members.sort(key=lambda m: (MORNING_KINDS.index(m[0].kind), m[0].key))
            (first, row), *rest = members
            student = by_id.get(student_id) if student_id else None
            plans.append(
                Planned(first, facts, cohort.team_id, students, student, row, also=tuple(rest))
            )
        return plans

    def skip(self, plans: Sequence[Planned]) -> None:
        """Settle what is no longer needed: new rows in one statement, earlier ones one by one."""
        fresh = [p.due for p in plans if p.row is None]
        self.summary.skipped += store.skip_new(self.sessions, fresh, self.now)
        for plan in plans:
            if plan.row is not None and store.record_skipped(
                self.sessions, plan.due, self.now, plan.due.skip_reason or "", plan.row
            ):
                self.summary.skipped += 1

    def settle(self) -> None:
        """Store each planned cohort's next instant (unless a write came in meanwhile)."""
        nexts = [
            (cohort_id, version, self._wake.get(cohort_id, plan_index.NEVER))
            for cohort_id, version in self._versions.items()
        ]
        for one in nexts:  # one transaction each: never two cohorts' rows locked at once
            with session_scope(self.sessions) as session:
                plan_index.settle(session, [one])

    # -- acting --------------------------------------------------------------------------

    def lanes(self, plans: Sequence[Planned], zones: Zones) -> None:
        """The channel's messages on one lane, the DMs on DM_LANES others, side by side."""
        channel = [p for p in plans if not p.due.is_dm]
        dms = [p for p in plans if p.due.is_dm]
        lanes = [lane for lane in (channel, *(dms[i::DM_LANES] for i in range(DM_LANES))) if lane]
        if len(lanes) <= 1:
            for lane in lanes:
                _Lane(self, zones).run(lane)
            return
        with ThreadPoolExecutor(len(lanes), thread_name_prefix="run-due") as pool:
            for done in [pool.submit(_Lane(self, zones).run, lane) for lane in lanes]:
                done.result()

    def count(self, **changes: int) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self.summary, name, getattr(self.summary, name) + value)

    def error(self, text: str) -> None:
        with self._lock:
            self.summary.errors.append(text)

    def deliver(
        self, plan: Planned, held: Sequence[tuple[Due, store.Claim]], message: Message
    ) -> Posted:
        """Post the message (and its thread), skipping whatever an earlier try already posted."""
        client = self.client(plan.team_id)
        due, row = held[0][0], held[0][1].row
        keys = [member.key for member, _ in held]
        uncertain = any(claim.uncertain for _, claim in held)
        if row.ts and row.channel:
            top = Posted(row.channel, row.ts)
        else:
            found: dict[int, Posted] = {}
            if uncertain:
                found = find_posted(client, due.recipient, keys, row.created_at)
            top = found.get(1) or post(client, due.recipient, message, keys)
            if message.thread:
                store.note_posted(self.sessions, row.id, top.channel, top.ts)
        if not message.thread:
            return top
        done = set(plan.parts)
        if uncertain:
            found = find_posted(client, top.channel, keys, row.created_at, top.ts)
            for number, posted in found.items():
                if number >= 2 and number not in done:
                    store.record_part(self.sessions, due, number, self.now, *_where(posted))
                    done.add(number)
        for number, part in enumerate(message.thread, 2):
            if number in done:
                continue
            posted = post(client, top.channel, part, keys, number, thread_ts=top.ts)
            store.record_part(self.sessions, due, number, self.now, *_where(posted))
        return top

    def failed(self, due: Due, row: store.Row, error: SendError) -> None:
        again = retry_at(self.now, row.attempts + 1, error.retry_after) if error.retry else None
        store.record_failed(self.sessions, row, error.message, again)
        if again is not None:
            self.wake(due.cohort_id, again)
        log.warning(
            "%s to %s failed (%s); %s",
            due.key,
            due.recipient,
            error.message,
            f"retrying after {again:%Y-%m-%d %H:%M:%S} UTC" if again else "not retrying",
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
                row = store.row_of(session, due.key)
            if row is not None and row.status == DeliveryStatus.SENT:
                continue
            held = store.claim(self.sessions, due, self.now, row)
            if held is None:
                continue
            try:
                posted = post(self.client(plan.team_id), user, message, [due.key])
            except SendError as failure:
                self.failed(due, held.row, failure)
                self.count(failed=1)
                continue
            store.record_sent(self.sessions, held.row, self.now, *_where(posted), late=False)
            self.count(sent=1)

    def message(self, plan: Planned, dues: Sequence[Due]) -> Message:
        return compose(plan.cohort, plan.students, dues, self.now, self.command)


class _Lane:
    """Sends one lane's deliveries in order: claimed a batch at a time just before sending,
    recorded together every RECORD_EVERY messages or RECORD_WITHIN seconds. After
    LONG_WAITS_TO_PAUSE long Retry-Afters in a row from one workspace, the lane leaves that
    workspace's other deliveries unclaimed for a later run."""

    def __init__(self, job: _Run, zones: Zones) -> None:
        self.job = job
        self.zones = zones
        self.sent: list[store.Sent] = []
        self.since = 0.0
        self.long_waits: dict[str, int] = defaultdict(int)
        self.paused: dict[str, datetime] = {}

    def run(self, plans: Sequence[Planned]) -> None:
        try:
            for start in range(0, len(plans), CLAIM_BATCH):
                for plan, held in self.claim(plans[start : start + CLAIM_BATCH]):
                    paused = self.paused.get(plan.team_id)
                    if paused is not None:  # paused since the claim: give it back
                        for _, claim in held:
                            store.release(self.job.sessions, claim.row, paused)
                        self.job.wake(plan.due.cohort_id, paused)
                        continue
                    try:
                        self.send(plan, held)
                    except Exception as error:  # one bad delivery must not stop the others
                        log.exception("delivery %s failed unexpectedly", plan.due.key)
                        self.job.error(f"{plan.due.key}: {error}")
                    if len(self.sent) >= RECORD_EVERY or (
                        self.sent and time.monotonic() - self.since >= RECORD_WITHIN
                    ):
                        self.record()
        finally:
            self.record()

    def claim(
        self, plans: Sequence[Planned]
    ) -> list[tuple[Planned, list[tuple[Due, store.Claim]]]]:
        """Claim the deliveries of the plans that may go out now, new rows in one statement."""
        job, now = self.job, self.job.now
        ready: list[Planned] = []
        for plan in plans:
            paused = self.paused.get(plan.team_id)
            if paused is not None:
                job.wake(plan.due.cohort_id, paused)
                continue
            if plan.due.is_dm:
                tz = ZoneInfo(self.zones.of(plan.due.recipient) or plan.cohort.timezone)
                quiet = quiet_until(now, tz)
                if quiet is not None:
                    job.count(waiting=1)
                    job.wake(plan.due.cohort_id, quiet)
                    continue
            ready.append(plan)
        fresh = [due for plan in ready for due, row in plan.members if row is None]
        won = {c.row.key: c for c in store.claim_new(job.sessions, fresh, now)}
        claimed: list[tuple[Planned, list[tuple[Due, store.Claim]]]] = []
        for plan in ready:
            held: list[tuple[Due, store.Claim]] = []
            for member, row in plan.members:
                if row is None:
                    claim = won.get(member.key)
                else:
                    claim = store.claim(job.sessions, member, now, row, soon=SOON)
                if claim is not None:
                    held.append((member, claim))
                else:  # another process has it, or has just settled it
                    job.wake(member.cohort_id, now + store.CLAIM_FOR)
            if held:
                claimed.append((plan, held))
        return claimed

    def send(self, plan: Planned, held: Sequence[tuple[Due, store.Claim]]) -> None:
        job = self.job
        message = job.message(plan, [member for member, _ in held])
        try:
            top = job.deliver(plan, held, message)
        except SendError as error:
            for member, claim in held:
                job.failed(member, claim.row, error)
            job.count(failed=1)
            self.note_rate_limit(plan, error)
            if error.channel_problem and plan.due.kind in DIGESTS:
                job.alert(plan, error)
            return
        self.long_waits.pop(plan.team_id, None)
        if not self.sent:
            self.since = time.monotonic()
        for member, claim in held:
            late = is_late(member.due_at, job.now)
            self.sent.append(store.Sent(claim.row.id, top.channel, top.ts, late))
        job.count(sent=1)

    def note_rate_limit(self, plan: Planned, error: SendError) -> None:
        """A Retry-After too long to wait out in the run: after a few in a row from one
        workspace, leave its other deliveries for the run after it ends."""
        if error.code != "ratelimited" or not error.retry_after:
            self.long_waits.pop(plan.team_id, None)
            return
        self.long_waits[plan.team_id] += 1
        if self.long_waits[plan.team_id] >= LONG_WAITS_TO_PAUSE:
            until = self.job.now + timedelta(seconds=error.retry_after)
            self.paused[plan.team_id] = until
            log.warning(
                "workspace %s rate-limits for %.0f s: its other deliveries wait for a later run",
                plan.team_id,
                error.retry_after,
            )

    def record(self) -> None:
        if self.sent:
            store.record_sent_many(self.job.sessions, self.sent, self.job.now)
            self.sent = []


def _where(posted: Posted) -> tuple[str, str]:
    return posted.channel, posted.ts
