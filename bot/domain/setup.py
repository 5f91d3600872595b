"""Setting a cohort up: who may, which cohort a form edits, what the form starts with, saving."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain import assignment, calendar, days_off
from bot.domain.cohorts import CohortSpec, create_cohort, list_cohorts, update_cohort
from bot.domain.errors import COMMAND, InvalidInput, NotAllowed, NotFound
from bot.domain.roles import instructed_cohorts
from bot.models import Cohort

MONDAY = 0
DEFAULT_TIMEZONE = "UTC"

FIRST_COHORT_ONLY_ADMINS = (
    "Only a workspace admin or owner can set up the first coffee-chat cohort in this "
    "workspace. Ask one of them to run setup; they can add you as an instructor, and then "
    "you can edit the cohort yourself."
)
ONLY_INSTRUCTORS = (
    "Only workspace admins and owners, and the instructors of a cohort in this workspace, "
    "can run setup. Ask your instructor or a workspace admin to add you as an instructor."
)
NOT_THIS_COHORT = (
    "You're not an instructor of “{name}”, so you can't edit it. Ask one of its instructors "
    "or a workspace admin to add you."
)


def check_may_set_up(session: Session, team_id: str, user_id: str, is_admin: bool) -> None:
    """Raise NotAllowed unless the user is a workspace admin or instructs a cohort here."""
    if is_admin or instructed_cohorts(session, team_id, user_id):
        return
    if not list_cohorts(session, team_id):
        raise NotAllowed(FIRST_COHORT_ONLY_ADMINS)
    raise NotAllowed(ONLY_INSTRUCTORS)


def check_may_edit(cohort: Cohort, user_id: str, is_admin: bool) -> None:
    """Raise NotAllowed unless the user is a workspace admin or one of the cohort's instructors."""
    if not is_admin and user_id not in (cohort.instructor_ids or []):
        raise NotAllowed(NOT_THIS_COHORT.format(name=cohort.name))


def cohort_to_edit(
    session: Session, team_id: str, user_id: str, channel_id: str | None, is_admin: bool
) -> Cohort | None:
    """The cohort a setup form opened here edits, or None for a new one.

    The cohort whose instructors' or students' channel this is (when the user may edit it)
    wins; otherwise the newest active cohort the user instructs.
    """
    active = [c for c in list_cohorts(session, team_id) if c.active]
    mine = [c for c in active if user_id in (c.instructor_ids or [])]
    editable = active if is_admin else mine
    if channel_id:
        for cohort in editable:
            if channel_id in (cohort.instructors_channel, cohort.students_channel):
                return cohort
    return mine[0] if mine else None


@dataclass(frozen=True)
class CohortDraft:
    """What a setup form starts with: a cohort's values, or suggestions for a new one."""

    cohort_id: int | None
    name: str
    start_date: date
    timezone: str
    instructors_channel: str | None
    students_channel: str | None
    instructor_ids: list[str]
    required_chats: int
    min_attempts: int
    checkpoint_at: datetime
    deadline_at: datetime
    checkpoint_is_default: bool
    deadline_is_default: bool


def suggested_start(now: datetime, timezone: str) -> date:
    """The next Monday (today when it is one) where the instructor is."""
    today = now.astimezone(calendar.zone(timezone)).date()
    return today + timedelta(days=(MONDAY - today.weekday()) % 7)


def known_timezone(name: str | None) -> str:
    """`name` when it is an IANA timezone we know, else UTC."""
    try:
        calendar.zone(name or "")
    except InvalidInput:
        return DEFAULT_TIMEZONE
    return name or DEFAULT_TIMEZONE


def draft_for_new(
    now: datetime, timezone: str | None, channel_id: str | None, user_id: str
) -> CohortDraft:
    """A new cohort's form: starting next Monday in the instructor's timezone, default dates."""
    tz_name = known_timezone(timezone)
    tz = calendar.zone(tz_name)
    start = suggested_start(now, tz_name)
    return CohortDraft(
        cohort_id=None,
        name="",
        start_date=start,
        timezone=tz_name,
        instructors_channel=channel_id,
        students_channel=None,
        instructor_ids=[user_id],
        required_chats=assignment.REQUIRED_CHATS,
        min_attempts=assignment.MIN_ATTEMPTS,
        checkpoint_at=calendar.default_checkpoint(start, tz),
        deadline_at=calendar.default_deadline(start, tz),
        checkpoint_is_default=True,
        deadline_is_default=True,
    )


def draft_from_cohort(cohort: Cohort) -> CohortDraft:
    """An existing cohort's form, with its current values."""
    tz = calendar.zone(known_timezone(cohort.timezone))
    try:
        breaks = calendar.parse_breaks(cohort.breaks, cohort.start_date)
    except InvalidInput:
        breaks = ()
    return CohortDraft(
        cohort_id=cohort.id,
        name=cohort.name,
        start_date=cohort.start_date,
        timezone=cohort.timezone,
        instructors_channel=cohort.instructors_channel,
        students_channel=cohort.students_channel,
        instructor_ids=list(cohort.instructor_ids or []),
        required_chats=cohort.required_chats,
        min_attempts=cohort.min_attempts,
        checkpoint_at=cohort.checkpoint_at,
        deadline_at=cohort.deadline_at,
        checkpoint_is_default=cohort.checkpoint_at
        == calendar.default_checkpoint(cohort.start_date, tz, breaks),
        deadline_is_default=cohort.deadline_at
        == calendar.default_deadline(cohort.start_date, tz, breaks),
    )


def setup_draft(
    session: Session,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    is_admin: bool,
    timezone: str | None,
    now: datetime,
    *,
    new: bool,
) -> CohortDraft:
    """The setup form for this person here: their cohort to edit, or a new one (`new`).

    NotAllowed unless they are a workspace admin or instruct a cohort of the workspace.
    """
    check_may_set_up(session, team_id, user_id, is_admin)
    cohort = None if new else cohort_to_edit(session, team_id, user_id, channel_id, is_admin)
    if cohort is not None:
        return draft_from_cohort(cohort)
    return draft_for_new(now, timezone, channel_id, user_id)


@dataclass(frozen=True)
class SavedCohort:
    cohort: Cohort
    created: bool


def save_cohort(
    session: Session,
    spec: CohortSpec,
    saver: str,
    cohort_id: int | None,
    is_admin: bool,
    now: datetime,
) -> SavedCohort:
    """Create the cohort (or update `cohort_id`); whoever saves becomes one of its instructors."""
    if spec.students_channel and spec.students_channel == spec.instructors_channel:
        raise InvalidInput(
            "Pick a students' channel other than the instructors' channel: the checkpoint "
            "digest names who is behind, so only instructors should read it.",
            "students_channel",
        )
    spec = replace(spec, instructor_ids=list(dict.fromkeys([saver, *spec.instructor_ids])))
    if cohort_id is None:
        check_may_set_up(session, spec.team_id, saver, is_admin)
        cohort = create_cohort(session, spec, now)
        cohort.created_by = saver
        return SavedCohort(cohort, created=True)
    found = session.get(Cohort, cohort_id)
    if found is None or found.team_id != spec.team_id:
        raise NotFound(
            f"That cohort no longer exists. Run `{COMMAND} setup` again to create a new one."
        )
    check_may_edit(found, saver, is_admin)
    if spec.breaks is None:
        spec = replace(spec, breaks=list(found.breaks or []))
    update_cohort(session, found, spec, now)
    found.created_by = found.created_by or saver
    return SavedCohort(found, created=False)


@dataclass(frozen=True)
class DateWarning:
    """A checkpoint or deadline on a day students may well be away."""

    what: str  # "checkpoint" or "deadline"
    at: datetime
    reason: str  # "Christmas Day, a public holiday in the United States", "a Saturday"


def date_warnings(cohort: Cohort) -> list[DateWarning]:
    """The cohort's checkpoint and deadline that fall on a public holiday of its country or a
    weekend, in its timezone (see bot.domain.days_off)."""
    timezone = known_timezone(cohort.timezone)
    tz = calendar.zone(timezone)
    found = []
    for what, at in (("checkpoint", cohort.checkpoint_at), ("deadline", cohort.deadline_at)):
        reason = days_off.day_off(at.astimezone(tz).date(), timezone)
        if reason is not None:
            found.append(DateWarning(what, at, reason))
    return found
