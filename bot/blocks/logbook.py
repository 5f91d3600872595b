"""Messages about the student's log: what was just logged, and the list with its buttons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.ids import MOVES, Action, Block
from bot.blocks.text import (
    context,
    header,
    linked_name,
    mrkdwn_section,
    name,
    plain,
    quote,
    truncate,
)
from bot.models import Contact, OutreachStatus

PAGE_SIZE = 15

STATUS_LABELS = {
    OutreachStatus.SENT: "Waiting for a reply",
    OutreachStatus.RESPONDED: "Responded",
    OutreachStatus.SCHEDULED: "Chat scheduled",
    OutreachStatus.CHATTED: "Chatted",
    OutreachStatus.DECLINED: "Declined",
    OutreachStatus.NO_RESPONSE: "No response",
}
STATUS_EMOJI = {
    OutreachStatus.SENT: ":hourglass_flowing_sand:",
    OutreachStatus.RESPONDED: ":speech_balloon:",
    OutreachStatus.SCHEDULED: ":calendar:",
    OutreachStatus.CHATTED: ":coffee:",
    OutreachStatus.DECLINED: ":no_entry_sign:",
    OutreachStatus.NO_RESPONSE: ":zzz:",
}
MOVE_LABELS = {
    Action.MOVE_RESPONDED: "Responded",
    Action.MOVE_SCHEDULED: "Scheduled",
    Action.MOVE_CHATTED: "Chatted",
    Action.MOVE_DECLINED: "Declined",
    Action.MOVE_NO_RESPONSE: "No response",
}


def status_of(contact: Contact) -> OutreachStatus:
    if contact.chat is not None:
        return OutreachStatus.CHATTED
    if contact.outreach is None:
        return OutreachStatus.SENT
    return OutreachStatus(contact.outreach.status)


def outreach_logged(contact: Contact, created: bool, attempts: int | None) -> list[dict[str, Any]]:
    """Confirmation of an outreach log."""
    verb = "Logged your outreach to" if created else "Updated your outreach to"
    lines = [f":white_check_mark: {verb} {linked_name(contact.name, contact.linkedin_url)}."]
    if attempts is not None:
        lines.append(f"That's {plural(attempts, 'person', 'people')} tried so far.")
    blocks = [mrkdwn_section(" ".join(lines))]
    if not contact.linkedin_url:
        blocks.append(
            context(
                "Add their LinkedIn URL by logging them again with it: "
                "the deliverable needs LinkedIns."
            )
        )
    return blocks


def chat_logged(
    contact: Contact,
    created: bool,
    chats: int | None,
    required: int | None,
    referrals: Sequence[Contact] = (),
    differently: str | None = None,
    reflect: bool = False,
) -> list[dict[str, Any]]:
    """Confirmation of a chat log, with the next step.

    With `reflect`, a "Reflect now" button; `differently` is what the student last said they
    want to do differently, so the next chat builds on this one.
    """
    verb = "Logged your chat with" if created else "Updated your chat with"
    text = f":coffee: {verb} {linked_name(contact.name, contact.linkedin_url)}."
    if chats is not None and required is not None:
        text += f" That's {chats} of {required} chats."
    blocks = [mrkdwn_section(text)]
    if referrals:
        names = ", ".join(name(c.name) for c in referrals)
        blocks.append(
            mrkdwn_section(
                f":busts_in_silhouette: Added to your log, referred by {name(contact.name)}: "
                f"{names}. Log it with `outreach` when you reach out."
            )
        )
    if differently:
        blocks.append(
            mrkdwn_section(
                "*Last time you wanted to do differently:*\n" + quote(truncate(differently, 1000))
            )
        )
    blocks.append(context("Send a thank-you within 24 hours, and connect on LinkedIn."))
    if reflect:
        button = {
            "type": "button",
            "action_id": Action.OPEN_REFLECT.value,
            "text": plain("Reflect now"),
            "value": str(contact.id),
            "style": "primary",
        }
        blocks.append({"type": "actions", "block_id": Block.REFLECT.value, "elements": [button]})
    return blocks


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def contact_line(contact: Contact) -> str:
    """One contact as a line of mrkdwn: name, status, when."""
    status = status_of(contact)
    parts = [f"{STATUS_EMOJI[status]} *{linked_name(contact.name, contact.linkedin_url)}*"]
    parts.append(STATUS_LABELS[status])
    if contact.chat is not None:
        parts.append(f"chatted {contact.chat.held_on:%b} {contact.chat.held_on.day}")
    elif contact.outreach is not None:
        parts.append(f"reached out {contact.outreach.sent_on:%b} {contact.outreach.sent_on.day}")
    text = " · ".join(parts)
    if contact.outreach is not None and contact.outreach.note:
        text += "\n" + quote(contact.outreach.note[:200])
    return text


def contact_list(contacts: list[Contact], command: str, page: int = 0) -> list[dict[str, Any]]:
    """The student's contacts, a page at a time, each with buttons to move it along."""
    if not contacts:
        return [
            mrkdwn_section(
                "Your log is empty. Start with "
                f"`{command} outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace`."
            )
        ]
    pages = (len(contacts) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    shown = contacts[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    chats = sum(1 for c in contacts if c.chat is not None)
    blocks: list[dict[str, Any]] = [
        header(
            f"Your coffee-chat log: {plural(len(contacts), 'person', 'people')}, "
            f"{plural(chats, 'chat', 'chats')}"
        ),
    ]
    for contact in shown:
        blocks.append(mrkdwn_section(contact_line(contact)))
        current = status_of(contact)
        buttons = [
            {
                "type": "button",
                "action_id": action.value,
                "text": {"type": "plain_text", "text": label},
                "value": f"{contact.id}:{page}",
            }
            for action, label in MOVE_LABELS.items()
            if MOVES[action] != current
        ]
        blocks.append({"type": "actions", "elements": buttons})
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(_page_button(Action.PAGE_NEWER, "← Newer", page - 1))
        if page < pages - 1:
            nav.append(_page_button(Action.PAGE_OLDER, "Older →", page + 1))
        blocks.append(context(f"Page {page + 1} of {pages}"))
        blocks.append({"type": "actions", "block_id": Block.LIST_NAV.value, "elements": nav})
    return blocks


def _page_button(action: Action, label: str, page: int) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action.value,
        "text": {"type": "plain_text", "text": label},
        "value": str(page),
    }
