"""Delivery rows: claimed before a send, settled after it. The unique key is the lock.

A process claims a delivery by inserting its row (status `pending`, with a claim that expires),
or, for a retry, by a conditional UPDATE that only one process can win. Whoever loses the race
skips the delivery; whoever wins sends it and records the outcome. A claim left behind by a
process that died mid-send expires and is taken again, marked uncertain so the next sender
first checks Slack for the message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Result, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import session_scope
from bot.domain.schedule_rules import Due
from bot.models import Delivery, DeliveryStatus
from bot.webapi.errors import UNCERTAIN

CLAIM_FOR = timedelta(minutes=5)

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

    def ready(self, now: datetime) -> bool:
        """Whether it may be (re)claimed now: a retry whose time has come, or a stale claim."""
        if self.status == DeliveryStatus.FAILED:
            return self.next_attempt_at is not None and self.next_attempt_at <= now
        if self.status == DeliveryStatus.PENDING:
            return self.claimed_until is None or self.claimed_until <= now
        return False

    @property
    def uncertain(self) -> bool:
        """The last try may have reached Slack (a timeout, a 5xx, a process that died)."""
        return self.status == DeliveryStatus.PENDING or (self.last_error or "").startswith(
            UNCERTAIN
        )


def part_key(key: str, part: int) -> str:
    """The key of a thread reply belonging to a delivery (parts are numbered from 2)."""
    return f"{key}{PART_SEPARATOR}{part}"


def rows_for(session: Session, cohort_id: int) -> dict[str, Row]:
    """Every delivery row of a cohort (parts included), by key."""
    return {
        d.key: _row(d)
        for d in session.scalars(select(Delivery).where(Delivery.cohort_id == cohort_id))
    }


@dataclass(frozen=True)
class Claim:
    """A delivery this process holds; `uncertain` when an earlier try may have reached Slack."""

    row: Row
    uncertain: bool


def claim(
    sessions: sessionmaker[Session], due: Due, now: datetime, row: Row | None
) -> Claim | None:
    """Take the delivery for this process; None when another process has it (or settled it)."""
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
    if seen is None or not seen.ready(now):
        return None
    with session_scope(sessions) as session:
        won = _count(
            session.execute(
                update(Delivery)
                .where(
                    Delivery.id == seen.id,
                    Delivery.status == seen.status,
                    Delivery.attempts == seen.attempts,
                    _claimable(now),
                )
                .values(status=DeliveryStatus.PENDING, claimed_until=until)
                .execution_options(synchronize_session=False)
            )
        )
    if won != 1:
        return None
    return Claim(replace(seen, status=DeliveryStatus.PENDING, claimed_until=until), seen.uncertain)


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        (Delivery.status == DeliveryStatus.FAILED) & (Delivery.next_attempt_at <= now),
        (Delivery.status == DeliveryStatus.PENDING)
        & (Delivery.claimed_until.is_(None) | (Delivery.claimed_until <= now)),
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
