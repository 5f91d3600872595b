"""Every callback, block and action id the bot uses, in one place.

Ids are fixed strings; whatever varies (a contact, a page) travels in the element's `value`.
"""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    OUTREACH_MODAL = "outreach_modal"
    CHAT_MODAL = "chat_modal"
    SETUP_MODAL = "setup_modal"
    REFLECT_MODAL = "reflect_modal"
    SUBMIT_MODAL = "submit_modal"
    EXTEND_MODAL = "extend_modal"
    SCHEDULE_MODAL = "schedule_modal"
    DRAFTS_MODAL = "drafts_modal"


class Block(StrEnum):
    NAME = "name"
    LINKEDIN = "linkedin"
    ROLE = "role"
    COMPANY = "company"
    SOURCE = "source"
    CHANNEL = "channel"
    DATE = "date"
    NOTE = "note"
    CONTACT = "contact"
    TAKEAWAYS = "takeaways"
    REFERRALS = "referrals"
    HANDIN_CHATS = "handin_chats"
    REFLECT = "reflect"
    LIST_NAV = "list_nav"
    THANK_YOU = "thank_you"
    THANK_YOUS = "thank_yous"  # thank-you buttons sharing a message with other reminders
    CHECK_IN = "check_in"
    EXTEND_UNTIL = "extend_until"
    COHORT_ACTIONS = "cohort_actions"
    SCHEDULED_FOR = "scheduled_for"
    DRAFT_FIRST_ASK = "draft_first_ask"
    DRAFT_FOLLOW_UP = "draft_follow_up"
    DRAFT_THANK_YOU = "draft_thank_you"
    UNDO = "undo"
    NOTICE = "notice"
    PREP = "prep"
    LEADS = "leads"
    HOME_ACTIONS = "home_actions"
    KICKOFF = "kickoff"
    NEXT = "next"


class Action(StrEnum):
    INPUT = "input"
    MOVE_RESPONDED = "move_responded"
    MOVE_SCHEDULED = "move_scheduled"
    MOVE_CHATTED = "move_chatted"
    MOVE_DECLINED = "move_declined"
    MOVE_NO_RESPONSE = "move_no_response"
    PAGE_NEWER = "list_page_newer"
    PAGE_OLDER = "list_page_older"
    THANK_YOU_SENT = "thank_you_sent"
    OPEN_OUTREACH = "open_outreach_modal"
    OPEN_CHAT = "open_chat_modal"
    OPEN_REFLECT = "open_reflect_modal"
    STUDENT_MENU = "student_menu"
    REPORT_PAGE = "report_page"
    PICK_COHORT = "pick_cohort"
    POST_DIGEST = "post_digest"
    EXPORT = "export_csv"
    OPEN_SETUP = "open_setup"
    FORGET = "forget"
    OPEN_HANDIN = "open_handin_modal"
    CONTACT_MENU = "contact_menu"  # the ⋯ of a contact without a chat: moves, drafts
    CHAT_MENU = "chat_menu"  # the ⋯ of a contact with a chat: every move removes it (confirm)
    REACHED_OUT = "reached_out"
    OPEN_DRAFTS = "open_drafts"
    UNDO_REMOVE = "undo_remove_chat"
    HOW_IT_WORKS = "how_it_works"
    CHECK_IN_HAPPENED = "check_in_happened"  # "Did your chat happen?" — Yes, log it
    CHECK_IN_RESCHEDULED = "check_in_rescheduled"
    CHECK_IN_MISSED = "check_in_missed"


class Choice(StrEnum):
    """What a contact's ⋯ menu offers; an option's value is `<choice>:<contact id>:<page>`."""

    RESPONDED = "responded"
    SCHEDULED = "scheduled"
    CHATTED = "chatted"
    DECLINED = "declined"
    NO_RESPONSE = "no_response"
    DRAFTS = "drafts"
    PREP = "prep"
    WHEN = "when"


MOVE_CHOICES = frozenset(
    {Choice.RESPONDED, Choice.SCHEDULED, Choice.CHATTED, Choice.DECLINED, Choice.NO_RESPONSE}
)

# The one-tap status buttons of lists sent before the ⋯ menus: still answered, never removing
# a chat without a confirmation.
MOVES: dict[Action, str] = {
    Action.MOVE_RESPONDED: "responded",
    Action.MOVE_SCHEDULED: "scheduled",
    Action.MOVE_CHATTED: "chatted",
    Action.MOVE_DECLINED: "declined",
    Action.MOVE_NO_RESPONSE: "no_response",
}


class SetupBlock(StrEnum):
    """Block ids of the cohort setup modal."""

    NAME = "cohort_name"
    START_DATE = "start_date"
    TIMEZONE = "timezone"
    INSTRUCTORS_CHANNEL = "instructors_channel"
    STUDENTS_CHANNEL = "students_channel"
    INSTRUCTORS = "instructors"
    REQUIRED_CHATS = "required_chats"
    MIN_ATTEMPTS = "min_attempts"
    CHECKPOINT = "checkpoint"
    DEADLINE = "deadline"


class AnswerBlock(StrEnum):
    """Block ids of the four reflection answers (reflect and hand-in modals), by question key."""

    EXPERIENCE = "answer_experience"
    TAKEAWAYS = "answer_takeaways"
    SIMILARLY = "answer_similarly"
    DIFFERENTLY = "answer_differently"

    @classmethod
    def of(cls, key: str) -> AnswerBlock:
        return cls[key.upper()]


# Where a domain error about a field is shown in a modal: the first of these blocks that the
# submitted modal has (a field name means different blocks in different modals).
FIELD_BLOCKS: dict[str, tuple[str, ...]] = {
    "name": (Block.NAME, SetupBlock.NAME),
    "linkedin": (Block.LINKEDIN,),
    "role": (Block.ROLE,),
    "company": (Block.COMPANY,),
    "source": (Block.SOURCE,),
    "channel": (Block.CHANNEL,),
    "date": (Block.DATE,),
    "note": (Block.NOTE,),
    "contact": (Block.CONTACT, Block.NAME),
    "takeaways": (Block.TAKEAWAYS, AnswerBlock.TAKEAWAYS),
    "referrals": (Block.REFERRALS,),
    "chats": (Block.HANDIN_CHATS,),
    "experience": (AnswerBlock.EXPERIENCE,),
    "similarly": (AnswerBlock.SIMILARLY,),
    "differently": (AnswerBlock.DIFFERENTLY,),
    "start_date": (SetupBlock.START_DATE,),
    "breaks": (SetupBlock.START_DATE,),
    "timezone": (SetupBlock.TIMEZONE,),
    "instructors_channel": (SetupBlock.INSTRUCTORS_CHANNEL,),
    "students_channel": (SetupBlock.STUDENTS_CHANNEL,),
    "user": (SetupBlock.INSTRUCTORS,),
    "required_chats": (SetupBlock.REQUIRED_CHATS,),
    "min_attempts": (SetupBlock.MIN_ATTEMPTS,),
    "checkpoint": (SetupBlock.CHECKPOINT,),
    "deadline": (SetupBlock.DEADLINE, Block.EXTEND_UNTIL),
    "until": (Block.EXTEND_UNTIL,),
    "scheduled_for": (Block.SCHEDULED_FOR,),
}


def field_block(field: str | None, present: list[str]) -> str | None:
    """The block of `present` (a modal's input blocks, in order) that shows `field`'s error:
    its own block, else the first block; None when the modal has no input at all."""
    for block in FIELD_BLOCKS.get(field or "", ()):
        if block in present:
            return str(block)
    return present[0] if present else None
