"""Which scheduled messages are due for a cohort at an instant: pure rules, no Slack, no database.

`due_deliveries(cohort, students, now)` lists every delivery whose time has come, each with a
unique key. The runner (bot.schedule.run_due) records one Delivery row per key, so whatever is
listed here is sent at most once however often, or by however many processes, it is asked.
A delivery that is no longer needed (the student caught up) or no longer useful (too late)
carries a `skip_reason`; the runner records it as skipped instead of sending it.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain import calendar
from bot.domain.standing import CohortFacts, Standing
from bot.models import OutreachStatus


class Kind(StrEnum):
    """Every kind of scheduled message (DESIGN.md, "Scheduled work")."""

    KICKOFF = "kickoff"
    NUDGE = "weekly-nudge"
    THANK_YOU = "thank-you"
    FOLLOW_UP = "follow-up"
    PREP_CARD = "prep-card"
    CHECK_IN = "chat-check-in"
    CHECKPOINT = "checkpoint"
    CHECKPOINT_DIGEST = "checkpoint-digest"
    DEADLINE_REMINDER = "deadline-reminder"
    DEADLINE_DIGEST = "deadline-digest"
    CHANNEL_ALERT = "channel-alert"


DIGESTS = frozenset({Kind.CHECKPOINT_DIGEST, Kind.DEADLINE_DIGEST})
# A student's DMs of these kinds due in the same run go out as one message, led by the kind
# listed first here that is among them: one message per student per morning (the Monday
# nudge, the follow-ups, the check-ins, the prep cards and the thank-yous due then), and one
# thank-you message for the chats of one day.
MORNING_KINDS: tuple[Kind, ...] = (
    Kind.NUDGE,
    Kind.FOLLOW_UP,
    Kind.CHECK_IN,
    Kind.PREP_CARD,
    Kind.THANK_YOU,
)

# The thank-you nudge comes while "within 24 hours" still holds: the evening of a chat logged
# by 17:00, else the next morning (quiet hours hold it for those whose evening is later).
THANK_YOU_EVENING = time(18, 0)
THANK_YOU_LOGGED_BY = time(17, 0)
THANK_YOU_USEFUL_FOR = timedelta(hours=48)
# The prep card the morning of a scheduled chat (the evening before, for an early one); the
# check-in once it should be over.
PREP_EARLY_CHAT = time(10, 0)
CHECK_IN_AFTER = timedelta(hours=2)
CHECK_IN_USEFUL_FOR = timedelta(days=4)
FOLLOW_UP_AFTER = timedelta(days=5)
FOLLOW_UP_USEFUL_FOR = timedelta(days=3)
MAX_FOLLOW_UPS = 2
DEADLINE_REMINDER_BEFORE = timedelta(hours=48)
DEADLINE_DIGEST_USEFUL_FOR = timedelta(days=7)
NUDGE_WEEKS = (2, 3, 4)
LATE_AFTER = timedelta(minutes=10)
AFTER_THE_END = timedelta(days=7)
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)


@dataclass(frozen=True)
class Due:
    """One delivery whose time has come; `skip_reason` when it should not be sent."""

    kind: Kind
    key: str
    cohort_id: int
    student_id: int | None
    recipient: str
    due_at: datetime
    useful_until: datetime
    period: str = ""
    subject_id: int | None = None
    number: int = 0
    skip_reason: str | None = None

    @property
    def is_dm(self) -> bool:
        return self.recipient.startswith(("U", "W"))


def due_deliveries(cohort: CohortFacts, students: Sequence[Standing], now: datetime) -> list[Due]:
    """Every delivery of the cohort due at or before `now`, sorted by when it was due."""
    return due_and_next(cohort, students, now)[0]


def due_and_next(
    cohort: CohortFacts,
    students: Sequence[Standing],
    now: datetime,
    settled: Container[str] = frozenset(),
) -> tuple[list[Due], datetime | None]:
    """Both at once, in one pass over the cohort's deliveries: what is due at `now` (sorted by
    when it was due; none whose key is `settled` already) and the first instant after `now`
    that something else will be."""
    due: list[Due] = []
    later: datetime | None = None
    for item in _all_dues(cohort, students):
        if item.due_at <= now:
            if item.key not in settled:
                due.append(_finish(item, now))
        elif later is None or item.due_at < later:
            later = item.due_at
    due.sort(key=lambda d: (d.due_at, d.key))
    return due, later


def _all_dues(cohort: CohortFacts, students: Sequence[Standing]) -> Iterator[Due]:
    yield from _cohort_dues(cohort)
    for student in students:
        if student.excused:  # an instructor excused them: no reminders while they are
            continue
        for due in _student_dues(cohort, student):
            if due.kind is Kind.KICKOFF or due.due_at >= student.enrolled_at:
                yield due


def window(cohort: CohortFacts, latest_deadline: datetime) -> tuple[datetime, datetime]:
    """When anything can be due for the cohort: from a day before it opens to a week after the
    latest deadline of any of its students."""
    return cohort.opens_at - timedelta(days=1), latest_deadline + AFTER_THE_END


def in_window(cohort: CohortFacts, latest_deadline: datetime, now: datetime) -> bool:
    """Whether anything can be due for the cohort at `now` (from its start to a week after)."""
    opens, closes = window(cohort, latest_deadline)
    return opens <= now <= closes


def _finish(due: Due, now: datetime) -> Due:
    if due.skip_reason is None and now > due.useful_until:
        reason = f"no longer useful: due {due.due_at:%Y-%m-%d %H:%M} UTC"
        return replace(due, skip_reason=reason)
    return due


def _cohort_dues(cohort: CohortFacts) -> Iterator[Due]:
    channel = cohort.instructors_channel
    digests = (
        (Kind.CHECKPOINT_DIGEST, cohort.checkpoint_at, cohort.deadline_at),
        (Kind.DEADLINE_DIGEST, cohort.deadline_at, cohort.deadline_at + DEADLINE_DIGEST_USEFUL_FOR),
    )
    for kind, due_at, useful_until in digests:
        if due_at >= cohort.created_at:
            yield Due(kind, f"{kind}:{cohort.id}", cohort.id, None, channel, due_at, useful_until)


def _student_dues(cohort: CohortFacts, student: Standing) -> Iterator[Due]:
    yield _kickoff(cohort, student)
    yield from _nudges(cohort, student)
    yield from _thank_yous(cohort, student)
    yield from _follow_ups(cohort, student)
    yield from _scheduled_chats(cohort, student)
    yield _checkpoint(cohort, student)
    yield _deadline_reminder(cohort, student)


def _kickoff(cohort: CohortFacts, student: Standing) -> Due:
    due_at = max(calendar.morning_of(cohort.start_date, cohort.tz), student.enrolled_at)
    return Due(
        Kind.KICKOFF,
        f"{Kind.KICKOFF}:{cohort.id}:{student.student_id}",
        cohort.id,
        student.student_id,
        student.user_id,
        due_at,
        student.deadline_at,
        skip_reason="already handed in" if student.handed_in else None,
    )


def _nudges(cohort: CohortFacts, student: Standing) -> Iterator[Due]:
    mornings = [
        calendar.morning_of(calendar.monday_of_week(cohort.start_date, w, cohort.breaks), cohort.tz)
        for w in (*NUDGE_WEEKS, NUDGE_WEEKS[-1] + 1)
    ]
    for index, week in enumerate(NUDGE_WEEKS):
        due_at = mornings[index]
        if due_at >= student.deadline_at:
            continue
        reason = None
        if student.handed_in:
            reason = "already handed in"
        elif not behind_pace(week, cohort, student):
            reason = "on pace"
        yield Due(
            Kind.NUDGE,
            f"{Kind.NUDGE}:{cohort.id}:{student.student_id}:week-{week}",
            cohort.id,
            student.student_id,
            student.user_id,
            due_at,
            min(mornings[index + 1], student.deadline_at),
            period=f"week-{week}",
            number=week,
            skip_reason=reason,
        )


def _thank_yous(cohort: CohortFacts, student: Standing) -> Iterator[Due]:
    for chat in student.chats:
        if chat.logged_at < cohort.opens_at:
            continue
        due_at = thank_you_at(chat.logged_at, cohort.tz)
        yield Due(
            Kind.THANK_YOU,
            f"{Kind.THANK_YOU}:{chat.id}",
            cohort.id,
            student.student_id,
            student.user_id,
            due_at,
            due_at + THANK_YOU_USEFUL_FOR,
            period=f"chat-{chat.id}",
            subject_id=chat.id,
            skip_reason="thank-you already marked sent" if chat.thank_you_sent_at else None,
        )


def thank_you_at(logged_at: datetime, tz: ZoneInfo) -> datetime:
    """When to nudge a thank-you for a chat logged at `logged_at`: 18:00 local that day when
    logged by 17:00, else 09:00 the next morning — chats of one day share the nudge."""
    local = logged_at.astimezone(tz)
    if local.time() < THANK_YOU_LOGGED_BY:
        return calendar.local_instant(local.date(), THANK_YOU_EVENING, tz)
    return calendar.morning_of(local.date() + timedelta(days=1), tz)


def _follow_ups(cohort: CohortFacts, student: Standing) -> Iterator[Due]:
    for attempt in student.unanswered:
        number = attempt.follow_ups + 1
        if attempt.sent_at < cohort.opens_at or number > MAX_FOLLOW_UPS:
            continue
        due_at = next_morning(
            (attempt.last_follow_up_at or attempt.sent_at) + FOLLOW_UP_AFTER, cohort.tz
        )
        if due_at >= student.deadline_at:
            continue
        reason = None
        if attempt.status != OutreachStatus.SENT:
            reason = f"outreach is now {attempt.status.replace('_', ' ')}"
        elif student.handed_in:
            reason = "already handed in"
        yield Due(
            Kind.FOLLOW_UP,
            f"{Kind.FOLLOW_UP}:{attempt.id}:{number}",
            cohort.id,
            student.student_id,
            student.user_id,
            due_at,
            min(due_at + FOLLOW_UP_USEFUL_FOR, student.deadline_at),
            period=f"outreach-{attempt.id}-{number}",
            subject_id=attempt.id,
            number=number,
            skip_reason=reason,
        )


def _scheduled_chats(cohort: CohortFacts, student: Standing) -> Iterator[Due]:
    """The prep card before each scheduled chat with a time, the check-in after it.

    Keyed by the outreach and the chat's instant: a rescheduled chat gets both afresh. A
    contact no longer scheduled (the chat was logged, or it was moved) is not listed at all.
    """
    logged = {chat.contact_id for chat in student.chats}
    for planned in student.scheduled:
        if planned.at is None or planned.outreach_id is None:
            continue
        stamp = planned.at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
        period = f"scheduled-{planned.outreach_id}-{stamp}"
        reason = None
        if planned.contact_id in logged:
            reason = "the chat is logged"
        elif student.handed_in:
            reason = "already handed in"
        for kind, due_at, useful_until in (
            (Kind.PREP_CARD, prep_at(planned.at, cohort.tz), planned.at),
            (Kind.CHECK_IN, planned.at + CHECK_IN_AFTER, planned.at + CHECK_IN_USEFUL_FOR),
        ):
            yield Due(
                kind,
                f"{kind}:{planned.outreach_id}:{stamp}",
                cohort.id,
                student.student_id,
                student.user_id,
                due_at,
                useful_until,
                period=period,
                subject_id=planned.outreach_id,
                skip_reason=reason,
            )


def prep_at(chat_at: datetime, tz: ZoneInfo) -> datetime:
    """When the prep card for a chat at `chat_at` is due: 09:00 local that day, or 18:00 the
    evening before for a chat before 10:00 (a chat scheduled later than that: right away)."""
    local = chat_at.astimezone(tz)
    if local.time() < PREP_EARLY_CHAT:
        return calendar.local_instant(local.date() - timedelta(days=1), THANK_YOU_EVENING, tz)
    return calendar.morning_of(local.date(), tz)


def _checkpoint(cohort: CohortFacts, student: Standing) -> Due:
    reason = None
    if student.handed_in:
        reason = "already handed in"
    elif not student.behind(cohort):
        reason = f"has {student.chat_count} chats"
    return Due(
        Kind.CHECKPOINT,
        f"{Kind.CHECKPOINT}:{cohort.id}:{student.student_id}",
        cohort.id,
        student.student_id,
        student.user_id,
        cohort.checkpoint_at,
        student.deadline_at,
        skip_reason=reason,
    )


def _deadline_reminder(cohort: CohortFacts, student: Standing) -> Due:
    deadline = student.deadline_at
    period = deadline.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return Due(
        Kind.DEADLINE_REMINDER,
        f"{Kind.DEADLINE_REMINDER}:{cohort.id}:{student.student_id}:{period}",
        cohort.id,
        student.student_id,
        student.user_id,
        deadline - DEADLINE_REMINDER_BEFORE,
        deadline,
        period=period,
        skip_reason="already handed in" if student.handed_in else None,
    )


def behind_pace(week: int, cohort: CohortFacts, student: Standing) -> bool:
    """Whether a student needs the Monday nudge of `week`.

    Week 2: not a single chat yet and fewer than half the minimum attempts.
    Week 3: fewer chats than required (the checkpoint has passed).
    Week 4: not handed in yet (the deadline is this week).
    """
    if student.handed_in or week < 2:
        return False
    if week == 2:
        return student.chat_count == 0 and student.attempts < (cohort.min_attempts + 1) // 2
    if week == 3:
        return student.behind(cohort)
    return True


def next_morning(instant: datetime, tz: ZoneInfo) -> datetime:
    """The first 09:00 in `tz` at or after `instant`: follow-ups of one day go out together."""
    local = instant.astimezone(tz).date()
    morning = calendar.morning_of(local, tz)
    return morning if morning >= instant else calendar.morning_of(local + timedelta(days=1), tz)


def quiet_until(now: datetime, tz: ZoneInfo) -> datetime | None:
    """When quiet hours (21:00–08:00 local) end, if `now` falls in them; None otherwise."""
    local = now.astimezone(tz)
    if local.time() >= QUIET_FROM:
        return calendar.local_instant(local.date() + timedelta(days=1), QUIET_UNTIL, tz)
    if local.time() < QUIET_UNTIL:
        return calendar.local_instant(local.date(), QUIET_UNTIL, tz)
    return None


def retry_at(now: datetime, attempts: int, retry_after: float | None = None) -> datetime:
    """When to try again after `attempts` failed tries: 1, 2, 4 … minutes, at most an hour; or,
    after a rate limit, a minute or when Slack said (Retry-After), whichever is later, however
    often: a busy minute is not a fault to back off from."""
    if retry_after is not None:
        return now + min(max(timedelta(seconds=retry_after), RETRY_FIRST), RETRY_MAX)
    return now + min(RETRY_FIRST * (1 << min(max(0, attempts - 1), 16)), RETRY_MAX)


def is_late(due_at: datetime, now: datetime) -> bool:
    """Sent noticeably after it was due (the clock was down, or Slack was)."""
    return now - due_at > LATE_AFTER
