"""Reading standings from the database: six statements per cohort, whatever its size.

`cohort_standings` serves the digests, the report, the export and the scheduler;
`student_standing` serves status and App Home with the same rules, narrowed to one student and,
with a limit, to the first few of each list (the counts from one aggregate), so its cost does
not grow with the student's log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from bot.domain import calendar
from bot.domain.standing import (
    UNANSWERED,
    Attempt,
    ChatFacts,
    CohortFacts,
    Planned,
    ReflectionState,
    Standing,
)
from bot.models import (
    Chat,
    Cohort,
    Contact,
    Enrollment,
    Outreach,
    OutreachStatus,
    Reflection,
    Student,
    Submission,
)

ANSWER_COLUMNS = (
    Reflection.experience,
    Reflection.takeaways,
    Reflection.similarly,
    Reflection.differently,
)


def cohort_facts(cohort: Cohort) -> CohortFacts:
    """The cohort as the rules see it (its breaks checked)."""
    return CohortFacts(
        id=cohort.id,
        name=cohort.name,
        timezone=cohort.timezone,
        start_date=cohort.start_date,
        breaks=calendar.parse_breaks(cohort.breaks, cohort.start_date),
        checkpoint_at=cohort.checkpoint_at,
        deadline_at=cohort.deadline_at,
        required_chats=cohort.required_chats,
        min_attempts=cohort.min_attempts,
        instructors_channel=cohort.instructors_channel,
        instructor_ids=tuple(cohort.instructor_ids or ()),
        created_by=cohort.created_by,
        created_at=cohort.created_at,
        students_channel=cohort.students_channel,
        team_id=cohort.team_id,
    )


def student_standing(
    session: Session, enrollment: Enrollment, shown: int | None = None
) -> Standing:
    """One student's standing in their cohort, the same way the cohort's is read.

    With `shown`, only the first `shown` of each list (unanswered, chats, leads, scheduled, in
    the cohort's read's order) are read, and the counts come from one aggregate: six
    statements and at most 4 × `shown` rows, however long the log (what status and App Home
    show). Without it, everything, as `cohort_standings` reads it.
    """
    if shown is None:
        return cohort_standings(session, enrollment.cohort, only=[enrollment.id])[0]
    cohort = enrollment.cohort
    staff = list(cohort.instructor_ids or [])
    mine = {"enrollment_id": enrollment.id, "staff": staff}
    row = session.execute(_ONE_ENROLLMENT, mine).one()
    student_id = row.student_id
    first = {"student_id": student_id, "limit": shown}
    tally = _tally(session, student_id)
    chats = [ChatFacts(**r._mapping) for r in session.execute(_FIRST_CHATS, first)]
    leads = list(session.scalars(_FIRST_LEADS, first))
    scheduled = [Planned(*r) for r in session.execute(_FIRST_SCHEDULED, first)]
    unanswered = [Attempt(**r._mapping) for r in session.execute(_FIRST_UNANSWERED, first)]
    activity = [tally.last_log, tally.last_chat, row.reflected_at, row.submitted_at]
    return _standing(
        cohort,
        row,
        activity,
        attempts=int(tally.attempts),
        unanswered=tuple(unanswered),
        unanswered_count=int(tally.unanswered),
        chats=tuple(chats),
        leads=tuple(leads),
        scheduled=tuple(scheduled),
        chats_hidden=int(tally.chats) - len(chats),
        leads_hidden=int(tally.leads) - len(leads),
        scheduled_hidden=int(tally.scheduled) - len(scheduled),
    )


def cohort_standings(
    session: Session,
    cohort: Cohort,
    *,
    unanswered_limit: int | None = None,
    only: Collection[int] | None = None,
) -> list[Standing]:
    """Every active student's standing (or those of the enrollments `only`), by enrollment.

    The cohort's instructors are never among its students, even when an old enrollment says
    so. With `unanswered_limit`, at most that many unanswered people are read per student;
    `unanswered_count` still counts them all.
    """
    staff = list(cohort.instructor_ids or [])
    enrolled = (
        select(Enrollment.student_id)
        .join(Student, Student.id == Enrollment.student_id)
        .where(Enrollment.cohort_id == cohort.id, Student.user_id.not_in(staff))
    )
    if only is not None:
        enrolled = enrolled.where(Enrollment.id.in_(list(only)))
    else:
        enrolled = enrolled.where(Enrollment.active)
    students = enrolled.scalar_subquery()
    counts = _counts(session, students)
    chats = _chats(session, students)
    unanswered = _unanswered(session, students, unanswered_limit)
    leads, scheduled = _leads(session, students), _scheduled(session, students)
    standings = []
    for row in _enrollments(session, cohort.id, staff, only):
        student_id = row.student_id
        attempts, unanswered_count, last_log = counts.get(student_id, (0, 0, None))
        mine = chats.get(student_id, ())
        activity = [last_log, row.reflected_at, row.submitted_at, *(c.logged_at for c in mine)]
        standings.append(
            _standing(
                cohort,
                row,
                activity,
                attempts=attempts,
                unanswered=tuple(unanswered.get(student_id, ())),
                unanswered_count=unanswered_count,
                chats=tuple(mine),
                leads=tuple(leads.get(student_id, ())),
                scheduled=tuple(scheduled.get(student_id, ())),
            )
        )
    return standings


def _standing(cohort: Cohort, row: Any, activity: list[Any], **lists: Any) -> Standing:
    """A standing from an enrollment's row (`_enrollment_rows`) and the student's lists."""
    return Standing(
        student_id=row.student_id,
        user_id=row.user_id,
        enrolled_at=row.created_at,
        deadline_at=calendar.student_deadline(cohort.deadline_at, row.deadline_override),
        extended=row.deadline_override is not None,
        submitted_at=row.submitted_at,
        submission_late=bool(row.late),
        reflection=_reflection(row.answered),
        timezone=row.timezone,
        last_activity_at=max((a for a in activity if a is not None), default=None),
        excused=row.excused_at is not None,
        handin_link=row.post_link,
        **lists,
    )


def _enrollments(
    session: Session, cohort_id: int, staff: list[str], only: Collection[int] | None
) -> list[Any]:
    """The enrollments with their student, hand-in and how many answers they wrote."""
    query = (
        _enrollment_rows()
        .where(Enrollment.cohort_id == cohort_id, Student.user_id.not_in(staff))
        .order_by(Enrollment.id)
    )
    if only is not None:
        query = query.where(Enrollment.id.in_(list(only)))
    else:
        query = query.where(Enrollment.active)
    return list(session.execute(query))


def _reflection(answered: int | None) -> ReflectionState:
    if not answered:
        return ReflectionState.NOT_STARTED
    return ReflectionState.COMPLETE if answered >= len(ANSWER_COLUMNS) else ReflectionState.DRAFT


def _counts(session: Session, students: Any) -> dict[int, tuple[int, int, datetime | None]]:
    """Per student: people tried, how many of them haven't responded, the last log entry."""
    waiting = case((Outreach.status.in_([str(s) for s in UNANSWERED]), 1), else_=0)
    rows = session.execute(
        select(
            Contact.student_id,
            func.count(Outreach.id),
            func.coalesce(func.sum(waiting), 0),
            func.max(Contact.created_at),
            func.max(Outreach.status_changed_at),
        )
        .outerjoin(Outreach, Outreach.contact_id == Contact.id)
        .where(Contact.student_id.in_(students))
        .group_by(Contact.student_id)
    )
    found: dict[int, tuple[int, int, datetime | None]] = {}
    for student_id, attempts, unanswered, added, moved in rows:
        latest = max((t for t in (added, moved) if t is not None), default=None)
        found[student_id] = (int(attempts), int(unanswered), latest)
    return found


# A chat's facts, in ChatFacts' order.
_CHAT_COLUMNS = (
    Chat.id,
    Contact.name,
    Contact.linkedin_url,
    Chat.held_on,
    Chat.logged_at,
    Chat.thank_you_sent_at,
    Chat.takeaways,
    Chat.contact_id,
)


def _chats(session: Session, students: Any) -> dict[int, list[ChatFacts]]:
    found: dict[int, list[ChatFacts]] = defaultdict(list)
    rows = session.execute(
        select(Contact.student_id, *_CHAT_COLUMNS)
        .join(Contact, Contact.id == Chat.contact_id)
        .where(Contact.student_id.in_(students))
        .order_by(Contact.student_id, Chat.held_on, Chat.id)
    )
    for row in rows:
        found[row.student_id].append(
            ChatFacts(
                id=row.id,
                name=row.name,
                linkedin_url=row.linkedin_url,
                held_on=row.held_on,
                logged_at=row.logged_at,
                thank_you_sent_at=row.thank_you_sent_at,
                takeaways=row.takeaways,
                contact_id=row.contact_id,
            )
        )
    return found


def _unanswered(session: Session, students: Any, limit: int | None) -> dict[int, list[Attempt]]:
    """Everyone each student tried who hasn't responded, oldest attempt first."""
    columns = (
        Contact.student_id,
        Outreach.id,  # then Attempt's fields, in its order
        Contact.id.label("contact_id"),
        Contact.name,
        Contact.linkedin_url,
        Outreach.sent_on,
        Outreach.sent_at,
        Outreach.status,
        Outreach.follow_ups,
        Outreach.last_follow_up_at,
    )
    waiting = (
        select(*columns)
        .join(Contact, Contact.id == Outreach.contact_id)
        .where(
            Contact.student_id.in_(students),
            Outreach.status.in_([str(s) for s in UNANSWERED]),
        )
    )
    if limit is None:
        query = waiting.order_by(Contact.student_id, Outreach.sent_on, Outreach.id)
    else:
        rank = func.row_number().over(
            partition_by=Contact.student_id, order_by=(Outreach.sent_on, Outreach.id)
        )
        ranked = waiting.add_columns(rank.label("rank")).subquery()
        fields = [ranked.c[c.key] for c in columns]
        query = (
            select(*fields)
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.student_id, ranked.c.rank)
        )
    found: dict[int, list[Attempt]] = defaultdict(list)
    for student_id, *attempt in session.execute(query):
        found[student_id].append(Attempt(*attempt))
    return found


def _leads(session: Session, students: Any) -> dict[int, list[str]]:
    """Per student, the names of the contacts they haven't reached out to yet, oldest first."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(Contact.student_id, Contact.name)
        .outerjoin(Outreach, Outreach.contact_id == Contact.id)
        .where(Contact.student_id.in_(students), Outreach.id.is_(None))
        .order_by(Contact.student_id, Contact.created_at, Contact.id)
    )
    for student_id, name in rows:
        found[student_id].append(name)
    return found


def _scheduled(session: Session, students: Any) -> dict[int, list[Planned]]:
    """Per student, the chats they scheduled: soonest first, those without a time last."""
    found: dict[int, list[Planned]] = defaultdict(list)
    rows = session.execute(
        select(
            Contact.student_id,
            Contact.id,
            Contact.name,
            Contact.linkedin_url,
            Outreach.scheduled_for,
            Outreach.id,
        )
        .join(Outreach, Outreach.contact_id == Contact.id)
        .where(Contact.student_id.in_(students), Outreach.status == str(OutreachStatus.SCHEDULED))
        .order_by(
            Contact.student_id,
            case((Outreach.scheduled_for.is_(None), 1), else_=0),
            Outreach.scheduled_for,
            Outreach.id,
        )
    )
    for student_id, contact_id, name, url, at, outreach_id in rows:
        found[student_id].append(Planned(contact_id, name, url, at, outreach_id))
    return found


# -- one student, the first few of each list ---------------------------------------------------
# Built once (building a statement costs more than running it): the values are bound per call.

_STUDENT: BindParameter[int] = bindparam("student_id", type_=Integer)
_LIMIT: BindParameter[int] = bindparam("limit", type_=Integer)
_WAITING = [str(s) for s in UNANSWERED]


def _answered() -> ColumnElement[int]:
    """How many of the four reflection answers are written."""
    answered: ColumnElement[int] = literal(0)
    for column in ANSWER_COLUMNS:
        answered = answered + case((func.length(func.trim(column)) > 0, 1), else_=0)
    return answered


def _enrollment_rows() -> Select[*tuple[Any, ...]]:
    """Enrollments with their student, hand-in, reflection and how many answers are written."""
    return (
        select(
            Enrollment.student_id,
            Enrollment.created_at,
            Enrollment.deadline_override,
            Enrollment.excused_at,
            Student.user_id,
            Student.timezone,
            Submission.submitted_at,
            Submission.late,
            Submission.post_link,
            Reflection.updated_at.label("reflected_at"),
            _answered().label("answered"),
        )
        .join(Student, Student.id == Enrollment.student_id)
        .outerjoin(Submission, Submission.enrollment_id == Enrollment.id)
        .outerjoin(Reflection, Reflection.enrollment_id == Enrollment.id)
    )


# `_enrollments`' row, for one enrollment.
_ONE_ENROLLMENT = _enrollment_rows().where(
    Enrollment.id == bindparam("enrollment_id"),
    Student.user_id.not_in(bindparam("staff", expanding=True)),
)

# The counts in one aggregate (a contact has at most one outreach and one chat).
_TALLY = (
    select(
        func.count(Outreach.id).label("attempts"),
        func.coalesce(func.sum(case((Outreach.status.in_(_WAITING), 1), else_=0)), 0).label(
            "unanswered"
        ),
        func.count(Chat.id).label("chats"),
        func.coalesce(func.sum(case((Outreach.id.is_(None), 1), else_=0)), 0).label("leads"),
        func.coalesce(
            func.sum(case((Outreach.status == str(OutreachStatus.SCHEDULED), 1), else_=0)), 0
        ).label("scheduled"),
        func.max(Contact.created_at).label("added"),
        func.max(Outreach.status_changed_at).label("moved"),
        func.max(Chat.logged_at).label("last_chat"),
    )
    .select_from(Contact)
    .outerjoin(Outreach, Outreach.contact_id == Contact.id)
    .outerjoin(Chat, Chat.contact_id == Contact.id)
    .where(Contact.student_id == _STUDENT)
)

# The first unanswered, in `_unanswered`'s order (oldest attempt first).
_FIRST_UNANSWERED = (
    select(
        Outreach.id,
        Contact.id.label("contact_id"),
        Contact.name,
        Contact.linkedin_url,
        Outreach.sent_on,
        Outreach.sent_at,
        Outreach.status,
        Outreach.follow_ups,
        Outreach.last_follow_up_at,
    )
    .join(Contact, Contact.id == Outreach.contact_id)
    .where(Contact.student_id == _STUDENT, Outreach.status.in_(_WAITING))
    .order_by(Outreach.sent_on, Outreach.id)
    .limit(_LIMIT)
)

# The first chats, in `_chats`' order (by the day held).
_FIRST_CHATS = (
    select(*_CHAT_COLUMNS)
    .join(Contact, Contact.id == Chat.contact_id)
    .where(Contact.student_id == _STUDENT)
    .order_by(Chat.held_on, Chat.id)
    .limit(_LIMIT)
)

# The names of the first leads, in `_leads`' order (oldest first).
_FIRST_LEADS = (
    select(Contact.name)
    .outerjoin(Outreach, Outreach.contact_id == Contact.id)
    .where(Contact.student_id == _STUDENT, Outreach.id.is_(None))
    .order_by(Contact.created_at, Contact.id)
    .limit(_LIMIT)
)

# The first scheduled chats, in `_scheduled`'s order (soonest first, those without a time last).
_FIRST_SCHEDULED = (
    select(Contact.id, Contact.name, Contact.linkedin_url, Outreach.scheduled_for, Outreach.id)
    .join(Outreach, Outreach.contact_id == Contact.id)
    .where(Contact.student_id == _STUDENT, Outreach.status == str(OutreachStatus.SCHEDULED))
    .order_by(
        case((Outreach.scheduled_for.is_(None), 1), else_=0),
        Outreach.scheduled_for,
        Outreach.id,
    )
    .limit(_LIMIT)
)


@dataclass(frozen=True)
class _Tally:
    attempts: int
    unanswered: int
    chats: int
    leads: int
    scheduled: int
    last_log: datetime | None  # the last contact added or outreach moved
    last_chat: datetime | None


def _tally(session: Session, student_id: int) -> _Tally:
    """One student's counts: people tried, unanswered, chats, leads, scheduled, the last log
    entry and the last chat."""
    row = session.execute(_TALLY, {"student_id": student_id}).one()
    return _Tally(
        attempts=int(row.attempts),
        unanswered=int(row.unanswered),
        chats=int(row.chats),
        leads=int(row.leads),
        scheduled=int(row.scheduled),
        last_log=max((t for t in (row.added, row.moved) if t is not None), default=None),
        last_chat=row.last_chat,
    )
