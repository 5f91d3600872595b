"""Asking a student to confirm that something they logged should be deleted, and saying so."""

from __future__ import annotations

from typing import Any

from bot.blocks.ids import Action
from bot.blocks.packing import Blocks
from bot.blocks.text import mrkdwn_section, name, plain


def confirm_forget(what: str, value: str, label: str, detail: str) -> Blocks:
    """`what` (mrkdwn, already escaped) is deleted once they press the button and confirm."""
    button: dict[str, Any] = {
        "type": "button",
        "action_id": Action.FORGET.value,
        "text": plain(label),
        "style": "danger",
        "value": value,
        "confirm": {
            "title": plain("Delete for good?", 100),
            "text": {"type": "mrkdwn", "text": f"{detail} This can't be undone."},
            "confirm": plain("Delete", 30),
            "deny": plain("Keep it", 30),
            "style": "danger",
        },
    }
    return [
        mrkdwn_section(f":wastebasket: {what}"),
        {"type": "actions", "elements": [button]},
    ]


def forget_contact_asked(person: str, contact_id: int) -> Blocks:
    shown = name(person)
    return confirm_forget(
        f"Forget *{shown}* and everything you logged about them: the outreach, the chat, "
        "your notes and takeaways?",
        f"contact:{contact_id}",
        f"Forget {person}"[:75],
        f"Everything you logged about {shown} is deleted.",
    )


def forget_me_asked(contacts: int) -> Blocks:
    return confirm_forget(
        f"Delete *everything you logged*: {contacts} "
        f"{'person' if contacts == 1 else 'people'}, their chats, your reflection and your "
        "hand-in? You stay in your cohort; your instructors will see an empty log.",
        "me",
        "Delete everything I logged",
        "All you logged is deleted.",
    )


def forgotten(what: str, deleted: str) -> Blocks:
    return [mrkdwn_section(f":white_check_mark: Deleted {what} ({deleted}).")]
