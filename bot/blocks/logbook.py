"""Messages about the student's log: what was just logged, the list with a ⋯ menu per person,
the prep card of a scheduled chat, and the drafts to copy into LinkedIn."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.forms import input_block, modal, text_input
from bot.blocks.help import CLOSING_QUESTION, QUESTIONS_TO_ASK
from bot.blocks.ids import Action, Block, Callback, Choice
from bot.blocks.packing import Blocks
from bot.blocks.text import (
    context,
    header,
    linked_name,
    mrkdwn_section,
    name,
    plain,
    plural,
    quote,
    truncate,
    when,
)
from bot.domain.drafts import FIRST_ASK_MAX, Drafts
from bot.domain.logbook import LEAD, ContactPage, Tally, stage
from bot.models import Contact, OutreachStatus, RemovedChat

PAGE_SIZE = 10
LEAD_BUTTONS = 5
NOTE_SHOWN = 80
DRAFT_MAX = 3000

STATUS_LABELS = {
    LEAD: "Lead",
    OutreachStatus.SENT: "Waiting for a reply",
    OutreachStatus.RESPONDED: "Responded",
    OutreachStatus.SCHEDULED: "Chat scheduled",
    OutreachStatus.CHATTED: "Chatted",
    OutreachStatus.DECLINED: "Declined",
    OutreachStatus.NO_RESPONSE: "No response",
}
STATUS_EMOJI = {
    LEAD: ":bulb:",
    OutreachStatus.SENT: ":hourglass_flowing_sand:",
    OutreachStatus.RESPONDED: ":speech_balloon:",
    OutreachStatus.SCHEDULED: ":calendar:",
    OutreachStatus.CHATTED: ":coffee:",
    OutreachStatus.DECLINED: ":no_entry_sign:",
    OutreachStatus.NO_RESPONSE: ":zzz:",
}
CHOICE_LABELS = {
    Choice.DRAFTS: ":writing_hand: Message drafts",
    Choice.RESPONDED: ":speech_balloon: They replied",
    Choice.SCHEDULED: ":calendar: Chat scheduled…",
    Choice.CHATTED: ":coffee: We chatted",
    Choice.NO_RESPONSE: ":zzz: No response",
    Choice.DECLINED: ":no_entry_sign: Declined",
    Choice.PREP: ":clipboard: Prep card",
    Choice.WHEN: ":clock3: Date & time…",
}
MOVE_ORDER = (
    Choice.RESPONDED,
    Choice.SCHEDULED,
    Choice.CHATTED,
    Choice.NO_RESPONSE,
    Choice.DECLINED,
)
SCHEDULED_CHOICES = (Choice.PREP, Choice.CHATTED, Choice.WHEN, Choice.NO_RESPONSE, Choice.DECLINED)
UNDO_CHOICES = {
    Choice.RESPONDED: ":leftwards_arrow_with_hook: Not chatted: they replied",
    Choice.SCHEDULED: ":leftwards_arrow_with_hook: Not chatted: scheduled",
    Choice.NO_RESPONSE: ":leftwards_arrow_with_hook: Not chatted: no response",
    Choice.DECLINED: ":leftwards_arrow_with_hook: Not chatted: declined",
}


def status_of(contact: Contact) -> str:
    """Where the contact stands, as the list labels it (see bot.domain.logbook.stage)."""
    return stage(contact)


def button(action: Action, label: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action.value,
        "text": plain(label),
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def drafts_button(
    contact: Contact, label: str = ":writing_hand: Draft my message"
) -> dict[str, Any]:
    return button(Action.OPEN_DRAFTS, label, str(contact.id))


def outreach_logged(contact: Contact, created: bool, attempts: int | None) -> Blocks:
    """Confirmation of an outreach log; with no message logged, the offer of a draft."""
    verb = "Logged your outreach to" if created else "Updated your outreach to"
    lines = [f":white_check_mark: {verb} {linked_name(contact.name, contact.linkedin_url)}."]
    if attempts is not None:
        lines.append(f"That's {plural(attempts, 'person', 'people')} tried so far.")
    blocks: Blocks = [mrkdwn_section(" ".join(lines))]
    if contact.outreach is not None and not contact.outreach.note:
        blocks.append({"type": "actions", "elements": [drafts_button(contact)]})
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
) -> Blocks:
    """Confirmation of a chat log, with the next step.

    Referrals are leads, each with a one-tap "I reached out"; the thank-you draft is a tap
    away; with `reflect`, a "Reflect now" button. `differently` is what the student last said
    they want to do differently, so the next chat builds on this one.
    """
    verb = "Logged your chat with" if created else "Updated your chat with"
    text = f":coffee: {verb} {linked_name(contact.name, contact.linkedin_url)}."
    if chats is not None and required is not None:
        text += f" That's {chats} of {plural(required, 'chat')}."
    blocks: Blocks = [mrkdwn_section(text)]
    if referrals:
        blocks += leads_added(contact, referrals)
    if differently:
        blocks.append(
            mrkdwn_section(
                "*Last time you wanted to do differently:*\n" + quote(truncate(differently, 1000))
            )
        )
    blocks.append(context("Send a thank-you within 24 hours, and connect on LinkedIn."))
    buttons = [drafts_button(contact, ":writing_hand: Thank-you draft")]
    if reflect:
        buttons.append(button(Action.OPEN_REFLECT, "Reflect now", str(contact.id), "primary"))
    blocks.append({"type": "actions", "block_id": Block.REFLECT.value, "elements": buttons})
    return blocks


def leads_added(referrer: Contact, leads: Sequence[Contact]) -> Blocks:
    """The people a chat referred the student to: leads until they reach out."""
    names = ", ".join(name(c.name) for c in leads)
    text = (
        f":bulb: *{plural(len(leads), 'new lead')}*, referred by {name(referrer.name)}: "
        f"{names}. Not counted as tried until you reach out: tap *I reached out* once you have."
    )
    buttons = [
        button(Action.REACHED_OUT, f"I reached out: {truncate(c.name, 50)}", f"{c.id}:0")
        for c in leads[:LEAD_BUTTONS]
    ]
    return [
        mrkdwn_section(text),
        {"type": "actions", "block_id": Block.LEADS.value, "elements": buttons},
    ]


def list_header(tally: Tally) -> dict[str, Any]:
    """`Your log: 3 people tried · 1 chat · 1 lead`: leads are not people tried."""
    text = (
        f"Your log: {plural(tally.attempts, 'person', 'people')} tried · "
        f"{plural(tally.chats, 'chat')}"
    )
    if tally.leads:
        text += f" · {plural(tally.leads, 'lead')}"
    return header(text)


def contact_line(contact: Contact, tz: ZoneInfo) -> str:
    """One contact as a line of mrkdwn: name, where it stands, when."""
    current = status_of(contact)
    parts = [f"{STATUS_EMOJI[current]} *{linked_name(contact.name, contact.linkedin_url)}*"]
    parts.append(STATUS_LABELS[current])
    outreach, chat = contact.outreach, contact.chat
    if chat is not None:
        parts.append(f"chatted {chat.held_on:%b} {chat.held_on.day}")
        if chat.thank_you_sent_at is not None:
            parts.append("thanked :white_check_mark:")
    elif outreach is None:
        referrer = contact.referred_by
        parts.append(f"referred by {name(referrer.name)}" if referrer else "not contacted yet")
    elif current == OutreachStatus.SCHEDULED:
        at = outreach.scheduled_for
        parts.append(when(at, tz) if at is not None else "time not set yet")
    else:
        parts.append(f"reached out {outreach.sent_on:%b} {outreach.sent_on.day}")
    text = " · ".join(parts)
    if outreach is not None and outreach.note and chat is None:
        text += "\n" + quote(truncate(outreach.note.splitlines()[0], NOTE_SHOWN))
    return text


def contact_list(
    shown: ContactPage,
    command: str,
    notice: Sequence[dict[str, Any]] = (),
    tz: ZoneInfo | None = None,
) -> Blocks:
    """A page of the student's contacts (`PAGE_SIZE` a page, read with
    bot.domain.logbook.contacts_page): one line and one ⋯ menu per person (a lead: "I reached
    out"; a chat: the thank-you draft), `notice` on top (what just happened)."""
    if not shown.contacts:
        return [
            *notice,
            mrkdwn_section(
                "Your log is empty. Start with "
                f"`{command} outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace`."
            ),
        ]
    tz = tz or ZoneInfo("UTC")
    page, pages = shown.number, shown.pages
    blocks: Blocks = [list_header(shown.tally), *notice]
    for contact in shown.contacts:
        blocks += contact_blocks(contact, page, tz)
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(_page_button(Action.PAGE_NEWER, "← Newer", page - 1))
        if page < pages - 1:
            nav.append(_page_button(Action.PAGE_OLDER, "Older →", page + 1))
        blocks.append(context(f"Page {page + 1} of {pages}"))
        blocks.append({"type": "actions", "block_id": Block.LIST_NAV.value, "elements": nav})
    return blocks


def contact_blocks(contact: Contact, page: int, tz: ZoneInfo) -> Blocks:
    """One person of the list: their line, with what can be done about them."""
    line = mrkdwn_section(contact_line(contact, tz))
    current = status_of(contact)
    value = f"{contact.id}:{page}"
    if current == LEAD:
        buttons = [
            button(Action.REACHED_OUT, "I reached out", value, "primary"),
            drafts_button(contact, ":writing_hand: First message"),
        ]
        return [line, {"type": "actions", "elements": buttons}]
    if current == OutreachStatus.CHATTED:
        line["accessory"] = chat_menu(contact, page)
        thanks = drafts_button(contact, ":writing_hand: Thank-you draft")
        return [line, {"type": "actions", "elements": [thanks]}]
    line["accessory"] = contact_menu(contact, current, page)
    return [line]


def contact_menu(contact: Contact, current: str, page: int) -> dict[str, Any]:
    """The ⋯ of a contact without a chat: drafts (or the prep card) and the likely moves."""
    if current == OutreachStatus.SCHEDULED:
        choices = list(SCHEDULED_CHOICES)
    else:
        moves = [c for c in MOVE_ORDER if c.value != current][:4]
        choices = [Choice.DRAFTS, *moves]
    return _overflow(Action.CONTACT_MENU, contact, page, {c: CHOICE_LABELS[c] for c in choices})


def chat_menu(contact: Contact, page: int) -> dict[str, Any]:
    """The ⋯ of a contact with a chat: every move removes that chat, so Slack asks first."""
    menu = _overflow(Action.CHAT_MENU, contact, page, UNDO_CHOICES)
    chat = contact.chat
    held = f" on {chat.held_on:%b} {chat.held_on.day}" if chat is not None else ""
    menu["confirm"] = {
        "title": plain("Remove this chat?", 100),
        "text": plain(
            f"Moving {contact.name} removes the chat you logged{held}. "
            "You can undo it right after.",
            300,
        ),
        "confirm": plain("Remove the chat", 30),
        "deny": plain("Keep it", 30),
        "style": "danger",
    }
    return menu


def _overflow(
    action: Action, contact: Contact, page: int, labels: dict[Choice, str]
) -> dict[str, Any]:
    return {
        "type": "overflow",
        "action_id": action.value,
        "options": [
            {"text": plain(label), "value": f"{choice.value}:{contact.id}:{page}"}
            for choice, label in labels.items()
        ],
    }


def removed_notice(contact: Contact, removed: RemovedChat, page: int) -> Blocks:
    """A chat just removed by a move: said, with an Undo."""
    held = removed.held_on
    moved = STATUS_LABELS.get(status_of(contact), "moved")
    text = (
        f":wastebasket: Removed your chat with *{name(contact.name)}* ({held:%b} {held.day}): "
        f"now _{moved}_."
    )
    undo = button(Action.UNDO_REMOVE, ":leftwards_arrow_with_hook: Undo", f"{contact.id}:{page}")
    return [mrkdwn_section(text, block_id=Block.UNDO.value, accessory=undo)]


def restored_notice(contact: Contact) -> Blocks:
    held = contact.chat.held_on if contact.chat is not None else None
    day = f" ({held:%b} {held.day})" if held is not None else ""
    return [
        mrkdwn_section(f":white_check_mark: Restored your chat with *{name(contact.name)}*{day}.")
    ]


def reached_out_notice(contact: Contact) -> Blocks:
    return [
        mrkdwn_section(
            f":white_check_mark: Logged your outreach to *{name(contact.name)}*: "
            "waiting for a reply now.",
            block_id=Block.NOTICE.value,
        )
    ]


def prep_card(contact_name: str, at: datetime | None, tz: ZoneInfo) -> Blocks:
    """Seeds 001 and 002 before a chat: research, 15–30 minutes, four questions, the referral
    question, the thank-you."""
    moment = f" — {when(at, tz)}" if at is not None else ""
    asks = " ".join(QUESTIONS_TO_ASK)
    lines = [
        f":clipboard: *Before your chat with {name(contact_name)}*{moment}",
        "• *Research them:* their LinkedIn profile, recent projects or talks, people you know "
        "in common.",
        "• *Keep it to 15–30 minutes*, and be on time.",
        f"• *Ask:* {asks}",
        f"• *Close with:* _{CLOSING_QUESTION}_ Each name is your next lead.",
        "• *Afterwards:* a thank-you within 24 hours (the ⋯ menu has a draft), and connect on "
        "LinkedIn.",
    ]
    return [mrkdwn_section("\n".join(lines), block_id=Block.PREP.value)]


def chat_missed_notice(contact_name: str) -> Blocks:
    """What "Didn't happen" on a check-in answers."""
    return [
        mrkdwn_section(
            f":ok_hand: Noted: your chat with *{name(contact_name)}* didn't happen. They're back "
            "to *responded* in your list (they did answer you), with no time planned. Follow "
            "up to find a new time and pick *Scheduled* in their ⋯ menu once you have one — "
            "or reach out to someone new."
        )
    ]


def scheduled_saved(contact_name: str, at: datetime, tz: ZoneInfo, command: str) -> Blocks:
    """What the "when is the chat?" form turns into once saved."""
    return [
        mrkdwn_section(
            f":calendar: Your chat with *{name(contact_name)}*: {when(at, tz)}. "
            f"It shows in `{command} list` and `{command} status`."
        ),
        context(f"Prepare: research them, plan 15–30 minutes, and close with _{CLOSING_QUESTION}_"),
    ]


def drafts_modal(drafts: Drafts, metadata: dict[str, Any]) -> dict[str, Any]:
    """The drafts for one contact as plain-text fields to copy (nothing is sent)."""
    intro = mrkdwn_section(
        f":writing_hand: Drafts for *{name(drafts.name)}*, from your log. Research them first "
        "and fill in any [brackets], then copy, edit and paste into LinkedIn. "
        "I send nothing for you."
    )
    fields: Blocks = []
    if drafts.thank_you is not None:
        fields.append(
            _draft(Block.DRAFT_THANK_YOU, "Thank-you (send within 24 hours)", drafts.thank_you)
        )
    else:
        fields.append(
            _draft(
                Block.DRAFT_FIRST_ASK,
                f"First message (under {FIRST_ASK_MAX} characters: fits a connection note)",
                drafts.first_ask,
            )
        )
        if drafts.follow_up is not None and drafts.follow_up_on is not None:
            day = drafts.follow_up_on
            fields.append(
                _draft(
                    Block.DRAFT_FOLLOW_UP,
                    f"Follow-up, if there's no reply by {day:%a} {day:%b} {day.day}",
                    drafts.follow_up,
                )
            )
    return modal(Callback.DRAFTS_MODAL, "Message drafts", "Done", [intro, *fields], metadata)


def _draft(block: Block, label: str, text: str) -> dict[str, Any]:
    element = text_input(DRAFT_MAX, "Your message", multiline=True, initial=text[:DRAFT_MAX])
    return input_block(block, label, element, optional=True)


def _page_button(action: Action, label: str, page: int) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action.value,
        "text": {"type": "plain_text", "text": label},
        "value": str(page),
    }
