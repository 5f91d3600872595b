"""The outreach and chat modals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.blocks.forms import input_block, modal, option, text_input
from bot.blocks.ids import Block, Callback
from bot.blocks.text import mrkdwn_section, name, plain, truncate
from bot.domain.text import NAME_MAX, NOTE_MAX
from bot.models import Contact, ContactSource, OutreachChannel

CHANNEL_LABELS = {
    OutreachChannel.LINKEDIN: "LinkedIn message",
    OutreachChannel.EMAIL: "Email",
    OutreachChannel.SLACK: "Slack",
    OutreachChannel.IN_PERSON: "In person",
    OutreachChannel.OTHER: "Other",
}
SOURCE_LABELS = {
    ContactSource.LINKEDIN_SEARCH: "LinkedIn search",
    ContactSource.CONFERENCE: "Conference speakers",
    ContactSource.ALUMNI: "Alumni",
    ContactSource.REFERRAL: "Referral from a contact",
    ContactSource.OTHER: "Other",
}
CONTACT_OPTIONS_MAX = 100


def _select(options: dict[str, str], initial: str | None, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": plain(placeholder, 150),
        "options": [option(value, label) for value, label in options.items()],
    }
    if initial:
        element["initial_option"] = option(initial, options[initial])
    return element


def _person_inputs(optional: bool) -> list[dict[str, Any]]:
    return [
        input_block(Block.NAME, "Name", text_input(NAME_MAX, "Ada Lovelace"), optional=optional),
        input_block(
            Block.LINKEDIN,
            "LinkedIn profile URL",
            text_input(200, "https://www.linkedin.com/in/ada-lovelace"),
            optional=True,
            hint="The deliverable needs the LinkedIns of the people you chatted with.",
        ),
    ]


def outreach_modal(today: date, metadata: dict[str, Any]) -> dict[str, Any]:
    """The form for logging an outreach attempt."""
    blocks = [
        *_person_inputs(optional=False),
        input_block(Block.ROLE, "Role", text_input(100, "Senior Software Engineer"), optional=True),
        input_block(
            Block.COMPANY, "Company", text_input(100, "Analytical Engines Inc."), optional=True
        ),
        input_block(
            Block.SOURCE,
            "How you found them",
            _select({k.value: v for k, v in SOURCE_LABELS.items()}, None, "Pick one"),
            optional=True,
        ),
        input_block(
            Block.CHANNEL,
            "How you reached out",
            _select(
                {k.value: v for k, v in CHANNEL_LABELS.items()},
                OutreachChannel.LINKEDIN.value,
                "Pick one",
            ),
        ),
        input_block(Block.DATE, "When", {"type": "datepicker", "initial_date": today.isoformat()}),
        input_block(
            Block.NOTE,
            "Note",
            text_input(NOTE_MAX, "What you asked, what to follow up on", multiline=True),
            optional=True,
        ),
    ]
    return modal(Callback.OUTREACH_MODAL, "Log outreach", "Log it", blocks, metadata)


def chat_modal(
    today: date, contacts: list[Contact], metadata: dict[str, Any], chosen: int | None = None
) -> dict[str, Any]:
    """The form for logging a chat: pick an existing contact (`chosen` picked already) or add
    a new person."""
    blocks: list[dict[str, Any]] = []
    free = [c for c in contacts if c.chat is None]
    choices = [c for c in free if c.id == chosen] + [c for c in free if c.id != chosen]
    choices = choices[:CONTACT_OPTIONS_MAX]
    if choices:
        options = {str(c.id): truncate(c.name, 75) for c in choices}
        initial = str(chosen) if chosen is not None and str(chosen) in options else None
        blocks.append(
            input_block(
                Block.CONTACT,
                "Someone you reached out to",
                _select(options, initial, "Pick a contact"),
                optional=True,
            )
        )
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "…or someone new:"}]}
        )
    blocks += _person_inputs(optional=bool(choices))
    blocks += [
        input_block(
            Block.DATE,
            "When you chatted",
            {"type": "datepicker", "initial_date": today.isoformat()},
        ),
        input_block(
            Block.NOTE,
            "Note",
            text_input(NOTE_MAX, "What you talked about", multiline=True),
            optional=True,
        ),
        input_block(
            Block.TAKEAWAYS,
            "Takeaways",
            text_input(
                NOTE_MAX,
                "How they got there, a typical day, the skills they use, advice they gave",
                multiline=True,
            ),
            optional=True,
            hint="Offered as a start for your reflection's takeaways answer.",
        ),
        input_block(
            Block.REFERRALS,
            "“Is there anyone else I should talk to?”",
            text_input(
                NOTE_MAX,
                "One person per line: Grace Hopper https://www.linkedin.com/in/grace-hopper",
                multiline=True,
            ),
            optional=True,
            hint="Each person becomes a new contact in your log, referred by this one.",
        ),
    ]
    return modal(Callback.CHAT_MODAL, "Log a chat", "Log it", blocks, metadata)


def schedule_modal(
    contact_name: str, initial: datetime, metadata: dict[str, Any]
) -> dict[str, Any]:
    """When the scheduled chat is: a date and time, picked in the student's own clock."""
    blocks = [
        mrkdwn_section(
            f"When is your chat with *{name(contact_name)}*? Pick the date and time (your "
            "own timezone): it shows in your list and status."
        ),
        input_block(
            Block.SCHEDULED_FOR,
            "Date and time",
            {"type": "datetimepicker", "initial_date_time": int(initial.timestamp())},
        ),
    ]
    return modal(Callback.SCHEDULE_MODAL, "When is the chat?", "Save", blocks, metadata)
