"""Keeping a cohort's roster in step with its students' channel: enroll members, never delete."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import calendar
from bot.domain.cohorts import enroll, get_or_create_student
from bot.domain.errors import DomainError
from bot.models import Cohort, Enrollment, Student


@dataclass
class RosterSync:
    """What enrolling a channel's members did."""

    enrolled: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def students_channel_cohorts(session: Session, team_id: str, channel_id: str) -> list[Cohort]:
    """The active cohorts of a workspace whose students' channel is `channel_id`."""
    return list(
        session.scalars(
            select(Cohort)
            .where(
                Cohort.team_id == team_id,
                Cohort.students_channel == channel_id,
                Cohort.active,
            )
            .order_by(Cohort.id)
        )
    )


def enroll_members(
    session: Session, cohort: Cohort, members: Iterable[str], skip: Iterable[str], now: datetime
) -> RosterSync:
    """Enroll every member not in `skip` nor among the cohort's instructors (idempotent).

    A member whose enrollment was made inactive (they had left the channel) is enrolled again.
    Nobody is removed: enrollments of people not in the list are left as they are.
    """
    excluded = set(skip) | set(cohort.instructor_ids or [])
    active = set(
        session.scalars(
            select(Student.user_id)
            .join(Enrollment, Enrollment.student_id == Student.id)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.active)
        )
    )
    result = RosterSync()
    for user_id in dict.fromkeys(members):
        if user_id in excluded:
            result.skipped.append(user_id)
        elif user_id in active:
            result.already.append(user_id)
        else:
            enroll(session, cohort, get_or_create_student(session, cohort.team_id, user_id), now)
            result.enrolled.append(user_id)
    return result


def member_joined(
    session: Session, team_id: str, channel_id: str, user_id: str, now: datetime
) -> list[Cohort]:
    """Enroll someone who joined a students' channel; the cohorts they are now in."""
    joined = []
    for cohort in students_channel_cohorts(session, team_id, channel_id):
        if enroll_members(session, cohort, [user_id], [], now).enrolled:
            joined.append(cohort)
    return joined


def member_left(session: Session, team_id: str, channel_id: str, user_id: str) -> int:
    """Mark inactive the enrollments of someone who left a students' channel; how many.

    Their log, reflections and hand-in stay: rejoining the channel makes them active again.
    """
    cohort_ids = [c.id for c in students_channel_cohorts(session, team_id, channel_id)]
    if not cohort_ids:
        return 0
    enrollments = session.scalars(
        select(Enrollment)
        .join(Student, Enrollment.student_id == Student.id)
        .where(
            Enrollment.cohort_id.in_(cohort_ids),
            Student.team_id == team_id,
            Student.user_id == user_id,
            Enrollment.active,
        )
    )
    count = 0
    for enrollment in enrollments:
        enrollment.active = False
        count += 1
    return count


def timezone_changed(session: Session, team_id: str, user_id: str, tz_name: str | None) -> bool:
    """Keep a known student's timezone (their quiet hours) as Slack says; whether it changed.

    Someone the bot has never met is not stored; an unknown zone name is ignored.
    """
    if not tz_name:
        return False
    try:
        key = calendar.zone(tz_name).key
    except DomainError:
        return False
    student = session.scalars(
        select(Student).where(Student.team_id == team_id, Student.user_id == user_id)
    ).one_or_none()
    if student is None or student.timezone == key:
        return False
    student.timezone = key
    return True
