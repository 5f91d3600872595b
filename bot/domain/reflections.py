"""The four reflection questions of the assignment, and the student's answers to them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.errors import FieldErrors, InvalidInput
from bot.domain.text import clean_note
from bot.models import Enrollment, Reflection

ANSWER_MAX = 3000  # Slack's plain_text_input max_length


@dataclass(frozen=True)
class Question:
    """One reflection question: where its answer is stored, its words, and a nudge to start."""

    key: str
    text: str
    placeholder: str


QUESTIONS: tuple[Question, ...] = (
    Question(
        "experience",
        "How was your experience finding someone to chat with?",
        "Where you looked, how many people you asked, what made it easy or hard…",
    ),
    Question(
        "takeaways",
        "What are some of the takeaways from your conversations?",
        "How they got where they are, a typical day, the skills they need, changes in the field…",
    ),
    Question(
        "similarly",
        "What do you want to do similarly in your next coffee chat?",
        "What worked: your ask, your research on the person, your questions, the thank-you…",
    ),
    Question(
        "differently",
        "What do you want to do differently in your next coffee chat?",
        "What you'd change: how you reached out, what you asked, how you followed up…",
    ),
)
KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)

Answers = dict[str, str]


def check_answers(raw: Mapping[str, str | None], complete: bool) -> Answers:
    """The answers trimmed and checked; blank ones are left out unless `complete` requires all.

    Raises FieldErrors naming every question whose answer is too long, contains control
    characters, or (when `complete`) is empty.
    """
    answers: Answers = {}
    errors: dict[str, str] = {}
    for key in KEYS:
        text = (raw.get(key) or "").strip()
        if len(text) > ANSWER_MAX:
            errors[key] = (
                f"This answer is {len(text):,} characters long; Slack keeps at most "
                f"{ANSWER_MAX:,}. Shorten it by {len(text) - ANSWER_MAX:,}."
            )
            continue
        try:
            cleaned = clean_note(text, "answer", limit=ANSWER_MAX)
        except InvalidInput as error:
            errors[key] = error.message
            continue
        if cleaned:
            answers[key] = cleaned
        elif complete:
            errors[key] = "Answer this question before you hand in."
    if errors:
        raise FieldErrors(errors)
    return answers


def get_reflection(session: Session, enrollment: Enrollment) -> Reflection | None:
    return session.scalar(select(Reflection).where(Reflection.enrollment_id == enrollment.id))


def load_answers(session: Session, enrollment: Enrollment) -> Answers:
    """The saved answers, by question key; unanswered questions are absent."""
    reflection = get_reflection(session, enrollment)
    if reflection is None:
        return {}
    return {key: value for key in KEYS if (value := getattr(reflection, key))}


def save_answers(
    session: Session, enrollment: Enrollment, raw: Mapping[str, str | None], now: datetime
) -> int:
    """Save the answers as the student's draft (a blank answer clears that question); how many
    questions are answered now.

    At least one answer is needed, so an empty form is refused rather than wiping the draft.
    """
    answers = check_answers(raw, complete=False)
    if not answers:
        raise FieldErrors({KEYS[0]: "Write at least one answer; you can come back for the rest."})
    _store(session, enrollment, answers, now)
    return len(answers)


def store_complete(
    session: Session, enrollment: Enrollment, answers: Answers, now: datetime
) -> Reflection:
    """Keep the draft in step with answers already checked as complete (at a hand-in)."""
    return _store(session, enrollment, answers, now)


def _store(session: Session, enrollment: Enrollment, answers: Answers, now: datetime) -> Reflection:
    reflection = get_reflection(session, enrollment)
    if reflection is None:
        try:
            with session.begin_nested():
                reflection = Reflection(enrollment_id=enrollment.id, updated_at=now)
                session.add(reflection)
        except IntegrityError:
            reflection = get_reflection(session, enrollment)
            if reflection is None:
                raise
    for key in KEYS:
        setattr(reflection, key, answers.get(key))
    reflection.updated_at = now
    session.flush()
    return reflection


def last_differently(session: Session, enrollment: Enrollment | None) -> str | None:
    """What the student last said they want to do differently in their next chat, if anything."""
    if enrollment is None:
        return None
    return load_answers(session, enrollment).get("differently")
