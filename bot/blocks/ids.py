"""Every callback, block and action id the bot uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    OUTREACH_MODAL = "outreach_modal"
    CHAT_MODAL = "chat_modal"
    SETUP_MODAL = "setup_modal"
    REFLECT_MODAL = "reflect_modal"
    SUBMIT_MODAL = "submit_modal"


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


class Action(StrEnum):
    INPUT = "input"
    MOVE_PREFIX = "move_"
    PAGE = "list_page"
    THANK_YOU_SENT = "thank_you_sent"
    OPEN_OUTREACH = "open_outreach_modal"
    OPEN_CHAT = "open_chat_modal"
    OPEN_REFLECT = "open_reflect_modal"


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
