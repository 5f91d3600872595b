"""What each modal's submission says, read into the rules' own inputs.

Pure functions of a submitted view (through `Form`, which reads any shape defensively): a value
Slack would never send raises InvalidInput on the field it came from, so the person sees it on
that field and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.blocks.ids import AnswerBlock, Block, SetupBlock
from bot.domain.cohorts import CohortSpec
from bot.domain.errors import InvalidInput
from bot.domain.logbook import PersonInput
from bot.domain.referrals import ChatNotes, read_chat_notes
from bot.domain.reflections import KEYS
from bot.models import OutreachChannel
from bot.slack.parsing import STALE, Form, record_id

MAX_NUMBER_DIGITS = 4


@dataclass(frozen=True)
class OutreachEntry:
    """An outreach attempt as the form gives it."""

    person: PersonInput
    sent_on: date
    channel: str
    note: str | None


@dataclass(frozen=True)
class ChatEntry:
    """A chat as the form gives it: with a contact picked from the log, or a new person."""

    contact_id: int | None
    person: PersonInput | None
    held_on: date
    note: str | None
    notes: ChatNotes


def outreach_entry(form: Form) -> OutreachEntry:
    return OutreachEntry(
        person=PersonInput(
            name=form.text(Block.NAME) or "",
            linkedin_url=form.text(Block.LINKEDIN),
            role=form.text(Block.ROLE),
            company=form.text(Block.COMPANY),
            source=form.choice(Block.SOURCE),
        ),
        sent_on=form.date(Block.DATE, "date"),
        channel=form.choice(Block.CHANNEL) or OutreachChannel.LINKEDIN,
        note=form.text(Block.NOTE),
    )


def chat_entry(form: Form) -> ChatEntry:
    picked, typed = form.choice(Block.CONTACT), (form.text(Block.NAME) or "").strip()
    if picked and typed:
        raise InvalidInput("Pick a contact or type a new name, not both.", "name")
    if not picked and not typed:
        raise InvalidInput("Pick a contact you reached out to, or type a new name.", "name")
    return ChatEntry(
        contact_id=record_id(picked, "contact", "Pick a contact from the list.")
        if picked
        else None,
        person=None if picked else PersonInput(typed, form.text(Block.LINKEDIN)),
        held_on=form.date(Block.DATE, "date"),
        note=form.text(Block.NOTE),
        notes=read_chat_notes(form.text(Block.TAKEAWAYS), form.text(Block.REFERRALS)),
    )


@dataclass(frozen=True)
class ScheduleEntry:
    """When a scheduled chat is, for which contact."""

    contact_id: int
    at: datetime


def schedule_entry(form: Form) -> ScheduleEntry:
    at = form.instant(Block.SCHEDULED_FOR, "scheduled_for")
    if at is None:
        raise InvalidInput("Pick the date and time of the chat.", "scheduled_for")
    contact = form.metadata.get("contact_id")
    return ScheduleEntry(record_id(str(contact), "scheduled_for", STALE), at)


def answers(form: Form) -> dict[str, str | None]:
    """The four reflection answers, by question key."""
    return {key: form.text(AnswerBlock.of(key)) for key in KEYS}


def handin_chats(form: Form) -> list[int]:
    """The chats picked for the hand-in."""
    stale = "One of those chats is no longer in your log. Pick your chats again."
    return [record_id(value, "chats", stale) for value in form.choices(Block.HANDIN_CHATS)]


def cohort_spec(form: Form, team_id: str) -> tuple[CohortSpec, int | None]:
    """The cohort the setup form describes, and which cohort it edits (None: a new one)."""
    prefill = form.metadata.get("prefill")
    prefill = prefill if isinstance(prefill, dict) else {}
    start = form.date(SetupBlock.START_DATE, "start_date")
    timezone = (form.text(SetupBlock.TIMEZONE) or "").strip()
    if not timezone:
        raise InvalidInput(
            "Type the cohort's timezone, an IANA name like America/Denver.", "timezone"
        )
    instructors_channel = form.conversation(SetupBlock.INSTRUCTORS_CHANNEL)
    if not instructors_channel:
        raise InvalidInput(
            "Pick the instructors' channel: the checkpoint digest goes there.",
            "instructors_channel",
        )
    moved = start.isoformat() != prefill.get("start_date") or timezone != prefill.get("timezone")
    spec = CohortSpec(
        team_id=team_id,
        name=form.text(SetupBlock.NAME) or "",
        start_date=start,
        timezone=timezone,
        instructors_channel=instructors_channel,
        students_channel=form.conversation(SetupBlock.STUDENTS_CHANNEL) or None,
        instructor_ids=form.users(SetupBlock.INSTRUCTORS),
        checkpoint_at=_instant(form, SetupBlock.CHECKPOINT, "checkpoint", prefill, moved),
        deadline_at=_instant(form, SetupBlock.DEADLINE, "deadline", prefill, moved),
        required_chats=_whole_number(form, SetupBlock.REQUIRED_CHATS, "Coffee chats required"),
        min_attempts=_whole_number(form, SetupBlock.MIN_ATTEMPTS, "People to try"),
    )
    cohort_id = form.metadata.get("cohort_id")
    if cohort_id is None:
        return spec, None
    return spec, record_id(str(cohort_id), "name", "That cohort no longer exists. Run setup again.")


def _whole_number(form: Form, block: SetupBlock, label: str) -> int:
    text = (form.text(block) or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_NUMBER_DIGITS):
        raise InvalidInput(f"{label} must be a whole number, like 2.", block.value)
    return int(text)


def _instant(
    form: Form, block: SetupBlock, key: str, prefill: dict[str, Any], moved: bool
) -> datetime | None:
    """The picked instant; None (the default) when left at a default the start date moved."""
    picked = form.instant(block, key)
    if picked is None:
        return None
    if moved and prefill.get(f"{key}_is_default") and int(picked.timestamp()) == prefill.get(key):
        return None
    return picked
