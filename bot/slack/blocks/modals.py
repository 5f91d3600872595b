"""The outreach and chat modals, and the view shown once a modal is saved."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.domain.text import NAME_MAX, NOTE_MAX
from bot.models import Contact, ContactSource, OutreachChannel
from bot.slack.blocks.text import plain, truncate
from bot.slack.ids import Action, Block, Callback

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


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": {"action_id": Action.INPUT.value, **element},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _text_input(
    max_length: int, placeholder: str, multiline: bool = False, initial: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "max_length": max_length,
        "multiline": multiline,
        "placeholder": plain(placeholder, 150),
    }
    if initial:
        element["initial_value"] = initial
    return element


def _select(options: dict[str, str], initial: str | None, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "placeholder": plain(placeholder, 150),
        "options": [_option(value, label) for value, label in options.items()],
    }
    if initial:
        element["initial_option"] = _option(initial, options[initial])
    return element


def _person_inputs(optional: bool) -> list[dict[str, Any]]:
    return [
        _input(Block.NAME, "Name", _text_input(NAME_MAX, "Ada Lovelace"), optional=optional),
        _input(
            Block.LINKEDIN,
            "LinkedIn profile URL",
            _text_input(200, "https://www.linkedin.com/in/ada-lovelace"),
            optional=True,
            hint="The deliverable needs the LinkedIns of the people you chatted with.",
        ),
    ]


def _modal(
    callback: Callback,
    title: str,
    submit: str,
    blocks: list[dict[str, Any]],
    metadata: dict[str, Any],
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback.value,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata)[:3000],
        "blocks": blocks,
    }


def outreach_modal(today: date, metadata: dict[str, Any]) -> dict[str, Any]:
    """The form for logging an outreach attempt."""
    blocks = [
        *_person_inputs(optional=False),
        _input(Block.ROLE, "Role", _text_input(100, "Senior Software Engineer"), optional=True),
        _input(
            Block.COMPANY, "Company", _text_input(100, "Analytical Engines Inc."), optional=True
        ),
        _input(
            Block.SOURCE,
            "How you found them",
            _select({k.value: v for k, v in SOURCE_LABELS.items()}, None, "Pick one"),
            optional=True,
        ),
        _input(
            Block.CHANNEL,
            "How you reached out",
            _select(
                {k.value: v for k, v in CHANNEL_LABELS.items()},
                OutreachChannel.LINKEDIN.value,
                "Pick one",
            ),
        ),
        _input(Block.DATE, "When", {"type": "datepicker", "initial_date": today.isoformat()}),
        _input(
            Block.NOTE,
            "Note",
            _text_input(NOTE_MAX, "What you asked, what to follow up on", multiline=True),
            optional=True,
        ),
    ]
    return _modal(Callback.OUTREACH_MODAL, "Log outreach", "Log it", blocks, metadata)


def chat_modal(today: date, contacts: list[Contact], metadata: dict[str, Any]) -> dict[str, Any]:
    """The form for logging a chat: pick an existing contact or add a new person."""
    blocks: list[dict[str, Any]] = []
    choices = [c for c in contacts if c.chat is None][:CONTACT_OPTIONS_MAX]
    if choices:
        options = {str(c.id): truncate(c.name, 75) for c in choices}
        blocks.append(
            _input(
                Block.CONTACT,
                "Someone you reached out to",
                _select(options, None, "Pick a contact"),
                optional=True,
            )
        )
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "…or someone new:"}]}
        )
    blocks += _person_inputs(optional=bool(choices))
    blocks += [
        _input(
            Block.DATE,
            "When you chatted",
            {"type": "datepicker", "initial_date": today.isoformat()},
        ),
        _input(
            Block.NOTE,
            "Note",
            _text_input(NOTE_MAX, "What you talked about", multiline=True),
            optional=True,
        ),
        _input(
            Block.TAKEAWAYS,
            "Takeaways",
            _text_input(
                NOTE_MAX,
                "How they got there, a typical day, the skills they use, advice they gave",
                multiline=True,
            ),
            optional=True,
            hint="Offered as a start for your reflection's takeaways answer.",
        ),
        _input(
            Block.REFERRALS,
            "“Is there anyone else I should talk to?”",
            _text_input(
                NOTE_MAX,
                "One person per line: Grace Hopper https://www.linkedin.com/in/grace-hopper",
                multiline=True,
            ),
            optional=True,
            hint="Each person becomes a new contact in your log, referred by this one.",
        ),
    ]
    return _modal(Callback.CHAT_MODAL, "Log a chat", "Log it", blocks, metadata)


def done_view(title: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """What a modal turns into once saved: the confirmation, and a Close button."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain("Close", 24),
        "blocks": blocks,
    }
