"""Delivery rows: claimed before a send, settled after it. The unique key is the lock.

A process claims a delivery by inserting its row (status `pending`, with a claim that expires),
or, for a retry, by a conditional UPDATE that only one process can win. Whoever loses the race
skips the delivery; whoever wins sends it and records the outcome. A claim left behind by a
process that died mid-send expires and is taken again, marked uncertain so the next sender
first checks Slack for the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Result,
    Table,
    bindparam,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import session_scope
from bot.domain.schedule_rules import Due
from bot.models import Delivery, DeliveryStatus
from bot.webapi.errors import UNCERTAIN

CLAIM_FOR = timedelta(minutes=5)
INSERT_ROWS = 500
DELIVERY: Table = Delivery.__table__  # type: ignore[assignment]

PART_SEPARATOR = "#"


@dataclass(frozen=True)
class Row:
    """A delivery row as read at one moment."""

    id: int
    key: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    claimed_until: datetime | None
    last_error: str | None
    channel: str | None
    ts: str | None
    created_at: datetime

    def ready(self, now: datetime, soon: timedelta = timedelta(0)) -> bool:
        """Whether it may be (re)claimed now: a retry whose time has come (or comes within
        `soon`), or a stale claim."""
        if self.status == DeliveryStatus.FAILED:
            return self.next_attempt_at is not None and self.next_attempt_at <= now + soon
        if self.status == DeliveryStatus.PENDING:
            return self.claimed_until is None or self.claimed_until <= now
        return False

    def ready_at(self) -> datetime | None:
        """When it may be (re)claimed; None when it is settled for good."""
        if self.status == DeliveryStatus.FAILED:
            return self.next_attempt_at
        if self.status == DeliveryStatus.PENDING:
            return self.claimed_until
        return None

    @property
    def uncertain(self) -> bool:
        """The last try may have reached Slack (a timeout, a 5xx, a process that died)."""
        return self.status == DeliveryStatus.PENDING or (self.last_error or "").startswith(
            UNCERTAIN
        )


def part_key(key: str, part: int) -> str:
    """The key of a thread reply belonging to a delivery (parts are numbered from 2)."""
    return f"{key}{PART_SEPARATOR}{part}"


ROW_COLUMNS = (
    Delivery.id,
    Delivery.key,
    Delivery.status,
    Delivery.attempts,
    Delivery.next_attempt_at,
    Delivery.claimed_until,
    Delivery.last_error,
    Delivery.channel,
    Delivery.ts,
    Delivery.created_at,
)


SETTLED = (DeliveryStatus.SENT.value, DeliveryStatus.SKIPPED.value)


def settled_keys(session: Session, cohort_id: int) -> set[str]:
    """The keys of a cohort's deliveries that are done with (sent or skipped; parts too)."""
    return set(
        session.scalars(
            select(Delivery.key).where(
                Delivery.cohort_id == cohort_id, Delivery.status.in_(SETTLED)
            )
        )
    )


def open_rows(session: Session, cohort_id: int) -> dict[str, Row]:
    """A cohort's delivery rows that are not settled yet (claimed, or failed), by key."""
    rows = session.execute(
        select(*ROW_COLUMNS).where(Delivery.cohort_id == cohort_id, Delivery.status.not_in(SETTLED))
    )
    return {
        key: Row(i, key, st, n, nxt, cl, err, ch, ts, at)
        for i, key, st, n, nxt, cl, err, ch, ts, at in rows
    }


def row_of(session: Session, key: str) -> Row | None:
    """The delivery row with this key, if there is one."""
    found = session.execute(select(*ROW_COLUMNS).where(Delivery.key == key)).first()
    return Row(**dict(zip(Row.__dataclass_fields__, found, strict=True))) if found else None


def claim_new(sessions: sessionmaker[Session], dues: Sequence[Due], now: datetime) -> list[Claim]:
    """Take many deliveries that have no row yet, in one statement: the rows this process
    inserted are its claims; a key another process inserted first is left out."""
    if not dues:
        return []
    until = now + CLAIM_FOR
    rows = [_new_row(due, DeliveryStatus.PENDING, now, claimed_until=until) for due in dues]
    ids = {key: row_id for row_id, key in _insert_new(sessions, rows)}
    return [
        Claim(
            Row(ids[d.key], d.key, DeliveryStatus.PENDING, 0, None, until, None, None, None, now),
            uncertain=False,
        )
        for d in dues
        if d.key in ids
    ]


def skip_new(sessions: sessionmaker[Session], dues: Sequence[Due], now: datetime) -> int:
    """Settle many deliveries without a row as skipped, in one statement; how many were."""
    if not dues:
        return 0
    rows = [
        _new_row(due, DeliveryStatus.SKIPPED, now, last_error=(due.skip_reason or "")[:2000])
        for due in dues
    ]
    return len(_insert_new(sessions, rows))


@dataclass(frozen=True)
class Sent:
    """A delivery Slack took, waiting to be recorded with others (`record_sent_many`)."""

    row_id: int
    channel: str
    ts: str
    late: bool


def record_sent_many(sessions: sessionmaker[Session], sent: Sequence[Sent], now: datetime) -> None:
    """Settle many sent deliveries in one transaction (one executemany)."""
    if not sent:
        return
    statement = (
        update(DELIVERY)
        .where(DELIVERY.c.id == bindparam("row_id"))
        .values(
            status=DeliveryStatus.SENT.value,
            attempts=DELIVERY.c.attempts + 1,
            channel=bindparam("sent_channel"),
            ts=bindparam("sent_ts"),
            sent_at=now,
            late=bindparam("was_late"),
            claimed_until=None,
            next_attempt_at=None,
        )
    )
    with session_scope(sessions) as session:
        session.connection().execute(
            statement,
            [
                {
                    "row_id": s.row_id,
                    "sent_channel": s.channel,
                    "sent_ts": s.ts,
                    "was_late": s.late,
                }
                for s in sent
            ],
        )


def _new_row(due: Due, status: DeliveryStatus, now: datetime, **more: Any) -> dict[str, Any]:
    """The values of a delivery's first row."""
    return {
        "key": due.key,
        "kind": str(due.kind),
        "cohort_id": due.cohort_id,
        "student_id": due.student_id,
        "period": due.period,
        "status": status.value,
        "due_at": due.due_at,
        "attempts": 0,
        "created_at": now,
        "late": False,
        **more,
    }


def _insert_new(sessions: sessionmaker[Session], rows: list[dict[str, Any]]) -> list[Any]:
    """Insert the rows whose key is new, INSERT_ROWS to a statement (SQLite allows 32,766
    values in one), in one transaction; (id, key) of those inserted."""
    inserted: list[Any] = []
    with session_scope(sessions) as session:
        for start in range(0, len(rows), INSERT_ROWS):
            inserted += session.execute(
                _insert(session)
                .values(rows[start : start + INSERT_ROWS])
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(DELIVERY.c.id, DELIVERY.c.key)
            ).all()
    return inserted


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(DELIVERY)
    return sqlite.insert(DELIVERY)


@dataclass(frozen=True)
class Claim:
    """A delivery this process holds; `uncertain` when an earlier try may have reached Slack."""

    row: Row
    uncertain: bool


def claim(
    sessions: sessionmaker[Session],
    due: Due,
    now: datetime,
    row: Row | None,
    soon: timedelta = timedelta(0),
) -> Claim | None:
    """Take the delivery for this process; None when another process has it (or settled it).
    A retry due within `soon` of `now` may be taken already."""
    until = now + CLAIM_FOR
    if row is None:
        try:
            with session_scope(sessions) as session:
                delivery = Delivery(
                    key=due.key,
                    kind=due.kind,
                    cohort_id=due.cohort_id,
                    student_id=due.student_id,
                    period=due.period,
                    status=DeliveryStatus.PENDING,
                    due_at=due.due_at,
                    attempts=0,
                    claimed_until=until,
                    created_at=now,
                )
                session.add(delivery)
                session.flush()
                return Claim(_row(delivery), uncertain=False)
        except IntegrityError:
            return None
    # Read, then write in a separate transaction: SQLite cannot turn a read into a write once
    # another connection has written, and the conditional UPDATE settles any race anyway.
    with session_scope(sessions) as session:
        current = session.get(Delivery, row.id)
        seen = _row(current) if current is not None else None
    if seen is None or not seen.ready(now, soon):
        return None
    with session_scope(sessions) as session:
        won = _count(
            session.execute(
                update(Delivery)
                .where(
                    Delivery.id == seen.id,
                    Delivery.status == seen.status,
                    Delivery.attempts == seen.attempts,
                    _claimable(now, soon),
                )
                .values(status=DeliveryStatus.PENDING, claimed_until=until)
                .execution_options(synchronize_session=False)
            )
        )
    if won != 1:
        return None
    return Claim(replace(seen, status=DeliveryStatus.PENDING, claimed_until=until), seen.uncertain)


def _claimable(now: datetime, soon: timedelta = timedelta(0)) -> ColumnElement[bool]:
    return or_(
        (Delivery.status == DeliveryStatus.FAILED) & (Delivery.next_attempt_at <= now + soon),
        (Delivery.status == DeliveryStatus.PENDING)
        & (Delivery.claimed_until.is_(None) | (Delivery.claimed_until <= now)),
    )


def release(sessions: sessionmaker[Session], row: Row, until: datetime) -> None:
    """Give back a claim that was never sent: a new row is removed (as if never claimed), a
    retry waits for `until` as it was (its attempts and error kept)."""
    with session_scope(sessions) as session:
        if row.attempts == 0 and row.last_error is None:
            session.execute(
                delete(Delivery)
                .where(Delivery.id == row.id, Delivery.status == DeliveryStatus.PENDING)
                .execution_options(synchronize_session=False)
            )
            return
        session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.status == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.FAILED, next_attempt_at=until, claimed_until=None)
            .execution_options(synchronize_session=False)
        )


def note_posted(sessions: sessionmaker[Session], row_id: int, channel: str, ts: str) -> None:
    """The top message of a delivery is in Slack (its thread may still be to come)."""
    with session_scope(sessions) as session:
        session.execute(
            update(Delivery).where(Delivery.id == row_id).values(channel=channel, ts=ts)
        )


def record_part(
    sessions: sessionmaker[Session], due: Due, part: int, now: datetime, channel: str, ts: str
) -> None:
    """A thread reply of a delivery is in Slack."""
    try:
        with session_scope(sessions) as session:
            session.add(
                Delivery(
                    key=part_key(due.key, part),
                    kind=due.kind,
                    cohort_id=due.cohort_id,
                    student_id=due.student_id,
                    period=due.period,
                    status=DeliveryStatus.SENT,
                    due_at=due.due_at,
                    attempts=1,
                    channel=channel,
                    ts=ts,
                    sent_at=now,
                    created_at=now,
                )
            )
    except IntegrityError:
        pass


def record_sent(
    sessions: sessionmaker[Session],
    row: Row,
    now: datetime,
    channel: str,
    ts: str,
    late: bool,
) -> None:
    with session_scope(sessions) as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == row.id)
            .values(
                status=DeliveryStatus.SENT,
                attempts=Delivery.attempts + 1,
                channel=channel,
                ts=ts,
                sent_at=now,
                late=late,
                claimed_until=None,
                next_attempt_at=None,
            )
        )


def record_failed(
    sessions: sessionmaker[Session],
    row: Row,
    error: str,
    retry_at: datetime | None,
) -> None:
    """A failed try: retried at `retry_at`, or never when it is None."""
    with session_scope(sessions) as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == row.id)
            .values(
                status=DeliveryStatus.FAILED,
                attempts=Delivery.attempts + 1,
                last_error=error[:2000],
                next_attempt_at=retry_at,
                claimed_until=None,
            )
        )


def record_skipped(
    sessions: sessionmaker[Session], due: Due, now: datetime, reason: str, row: Row | None
) -> bool:
    """Settle a delivery as skipped; False when another process settled or claimed it first."""
    if row is None:
        try:
            with session_scope(sessions) as session:
                session.add(
                    Delivery(
                        key=due.key,
                        kind=due.kind,
                        cohort_id=due.cohort_id,
                        student_id=due.student_id,
                        period=due.period,
                        status=DeliveryStatus.SKIPPED,
                        due_at=due.due_at,
                        last_error=reason[:2000],
                        created_at=now,
                    )
                )
            return True
        except IntegrityError:
            return False
    with session_scope(sessions) as session:
        won = _count(
            session.execute(
                update(Delivery)
                .where(Delivery.id == row.id, _claimable(now))
                .values(
                    status=DeliveryStatus.SKIPPED,
                    last_error=f"{reason} (after: {row.last_error})"[:2000],
                    next_attempt_at=None,
                    claimed_until=None,
                )
                .execution_options(synchronize_session=False)
            )
        )
    return bool(won == 1)


def _count(result: Result[Any]) -> int:
    """How many rows an UPDATE changed."""
    return int(cast(CursorResult[Any], result).rowcount)


def _row(delivery: Delivery) -> Row:
    return Row(
        id=delivery.id,
        key=delivery.key,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        claimed_until=delivery.claimed_until,
        last_error=delivery.last_error,
        channel=delivery.channel,
        ts=delivery.ts,
        created_at=delivery.created_at,
    )
