"""The deliverable: two chats with LinkedIns and the four answers, one hand-in per student."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from bot.domain import calendar
from bot.domain.assignment import HANDIN_CHATS
from bot.domain.errors import COMMAND, FieldErrors, InvalidInput
from bot.domain.reflections import (
    ANSWER_MAX,
    Answers,
    check_answers,
    load_answers,
    store_complete,
)
from bot.models import Chat, Contact, Enrollment, Submission

CHATS_FIELD = "chats"

PostState = Literal["posted", "already", "busy", "failed"]


@dataclass(frozen=True)
class PostOutcome:
    """What became of a hand-in's post in the instructors' channel.

    `posted`: this call sent it; `already`: the channel already shows the latest version;
    `busy`: someone else is sending it right now; `failed`: Slack refused it (`error`).
    """

    state: PostState
    updated: bool = False
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    permalink: str | None = None

    @property
    def failed(self) -> bool:
        return self.state == "failed"


@dataclass(frozen=True)
class HandinForm:
    """What the hand-in form starts with: the chats that can be handed in, the preselected
    ones, the draft answers, the earlier hand-in, and the student's deadline."""

    chats: list[Chat]
    chosen: list[int]
    answers: Answers
    submission: Submission | None
    deadline: datetime
    timezone: str


def deadline_of(enrollment: Enrollment) -> datetime:
    """The student's deadline (their extension, or the cohort's)."""
    return calendar.student_deadline(enrollment.cohort.deadline_at, enrollment.deadline_override)


def handin_form(session: Session, enrollment: Enrollment) -> HandinForm:
    """The hand-in form's content; InvalidInput saying what is missing before one is possible."""
    chats = require_handin_chats(session, enrollment)
    submission = get_submission(session, enrollment)
    if submission is not None:
        chosen = [submission.first_chat_id, submission.second_chat_id]
    else:
        chosen = [chat.id for chat in chats] if len(chats) == HANDIN_CHATS else []
    return HandinForm(
        chats,
        chosen,
        draft_answers(session, enrollment),
        submission,
        deadline_of(enrollment),
        enrollment.cohort.timezone,
    )


def student_chats(session: Session, enrollment: Enrollment) -> list[Chat]:
    """Every chat the student logged, with its contact, most recent first."""
    return list(
        session.scalars(
            select(Chat)
            .join(Chat.contact)
            .where(Contact.student_id == enrollment.student_id)
            .options(joinedload(Chat.contact))
            .order_by(Chat.held_on.desc(), Chat.id.desc())
        )
    )


def handin_chats(session: Session, enrollment: Enrollment) -> list[Chat]:
    """The chats that can be handed in: those whose person has a LinkedIn URL."""
    return [chat for chat in student_chats(session, enrollment) if chat.contact.linkedin_url]


def require_handin_chats(session: Session, enrollment: Enrollment) -> list[Chat]:
    """The chats that can be handed in; InvalidInput saying what is missing when fewer than two."""
    chats = student_chats(session, enrollment)
    ready = [chat for chat in chats if chat.contact.linkedin_url]
    if len(ready) >= HANDIN_CHATS:
        return ready
    without_url = [chat.contact.name for chat in chats if not chat.contact.linkedin_url]
    parts = [
        f"To hand in you need {HANDIN_CHATS} chats logged with each person's LinkedIn URL, "
        + ("and you have none yet." if not ready else f"and you have 1 ({ready[0].contact.name}).")
    ]
    if without_url:
        parts.append(
            f"Missing LinkedIn URL for: {', '.join(without_url)}. Add it by logging the chat "
            f"again with the link, like: `{COMMAND} chat {without_url[0]} "
            "https://www.linkedin.com/in/their-profile`."
        )
    missing = HANDIN_CHATS - len(ready) - len(without_url)
    if missing > 0:
        what = (
            "another chat once you've held it"
            if missing == 1
            else f"{missing} more chats once you've held them"
        )
        parts.append(
            f"Log {what}, like: "
            f"`{COMMAND} chat Ada Lovelace https://www.linkedin.com/in/ada-lovelace`."
        )
    raise InvalidInput(" ".join(parts), CHATS_FIELD)


def draft_answers(session: Session, enrollment: Enrollment) -> Answers:
    """The saved answers; an unanswered takeaways question starts from the chats' takeaways."""
    answers = load_answers(session, enrollment)
    if "takeaways" not in answers:
        noted = [
            f"{chat.contact.name}: {chat.takeaways}"
            for chat in reversed(student_chats(session, enrollment))
            if chat.takeaways
        ]
        suggestion = "\n\n".join(noted)
        if noted and len(suggestion) <= ANSWER_MAX:
            answers["takeaways"] = suggestion
    return answers


def get_submission(session: Session, enrollment: Enrollment) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.enrollment_id == enrollment.id))


def submitted_chats(session: Session, submission: Submission) -> tuple[Chat, Chat]:
    """The two chats of a hand-in, in the order the student gave them."""
    first = session.get(Chat, submission.first_chat_id, options=[joinedload(Chat.contact)])
    second = session.get(Chat, submission.second_chat_id, options=[joinedload(Chat.contact)])
    assert first is not None and second is not None  # RESTRICT keeps them
    return first, second


def submit(
    session: Session,
    enrollment: Enrollment,
    chat_ids: Sequence[int],
    answers: Mapping[str, str | None],
    now: datetime,
) -> Submission:
    """Hand in (or hand in again): one row per student, its revision counting the hand-ins.

    A hand-in after the student's deadline is accepted and marked late. Raises FieldErrors
    naming the chats field and every answer that is missing or too long.
    """
    errors: dict[str, str] = {}
    chats: list[Chat] = []
    try:
        chats = _choose(session, enrollment, chat_ids)
    except InvalidInput as error:
        errors[CHATS_FIELD] = error.message
    try:
        clean = check_answers(answers, complete=True)
    except FieldErrors as error:
        errors.update(error.errors)
    if errors:
        raise FieldErrors(errors)
    store_complete(session, enrollment, clean, now)
    submission = get_submission(session, enrollment)
    if submission is None:
        try:
            with session.begin_nested():
                submission = Submission(
                    enrollment_id=enrollment.id,
                    first_chat_id=chats[0].id,
                    second_chat_id=chats[1].id,
                    answers=clean,
                    submitted_at=now,
                    late=now > deadline_of(enrollment),
                    revision=1,
                    posted_revision=0,
                )
                session.add(submission)
            return submission
        except IntegrityError:
            submission = get_submission(session, enrollment)
            if submission is None:
                raise
    submission.first_chat_id = chats[0].id
    submission.second_chat_id = chats[1].id
    submission.answers = clean
    submission.submitted_at = now
    submission.late = now > deadline_of(enrollment)
    submission.revision = Submission.revision + 1
    session.flush()
    session.refresh(submission)
    return submission


def _choose(session: Session, enrollment: Enrollment, chat_ids: Sequence[int]) -> list[Chat]:
    picked = list(dict.fromkeys(chat_ids))
    if len(picked) != HANDIN_CHATS:
        count = "none" if not picked else ("only one" if len(picked) == 1 else str(len(picked)))
        raise InvalidInput(
            f"Pick exactly {HANDIN_CHATS} chats to hand in; you picked {count}.", CHATS_FIELD
        )
    ready = {chat.id: chat for chat in handin_chats(session, enrollment)}
    if any(chat_id not in ready for chat_id in picked):
        raise InvalidInput(
            "One of those chats is no longer in your log or has no LinkedIn URL. "
            f"Close this form and run `{COMMAND} submit` again.",
            CHATS_FIELD,
        )
    return [ready[chat_id] for chat_id in picked]
