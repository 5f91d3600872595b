"""Usage of the slash command, with examples."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.forms import done_view
from bot.blocks.text import context, escape, header, mrkdwn_section, plural, when
from bot.domain import assignment
from bot.domain.drafts import THE_ASK
from bot.domain.reflections import QUESTIONS
from bot.domain.standing import CohortFacts

QUESTIONS_TO_ASK = (
    "How did you end up in this role?",
    "What does a typical day look like for you?",
    "What skills does someone need to succeed in it?",
    "What industry changes do you see coming?",
)
CLOSING_QUESTION = "Is there anyone else I should talk to?"

COMMANDS = [
    ("outreach NAME [LINKEDIN_URL]", "log that you reached out to someone (no name: a form)"),
    ("chat NAME [LINKEDIN_URL]", "log a coffee chat you held (no name: a form)"),
    ("list", "everyone you contacted, with buttons to move each one along"),
    ("status", "your progress: chats, attempts, who hasn't answered, your dates"),
    ("reflect", "answer the four reflection questions (saved as a draft you can reopen)"),
    ("submit", "hand in: your two chats' LinkedIns and your answers go to your instructors"),
    ("help", "this message"),
]
INSTRUCTOR_COMMANDS = [
    (
        "report [COHORT]",
        "your cohort now, most at risk first, with buttons to nudge, extend, excuse",
    ),
    ("export [COHORT]", "the cohort as a CSV file, sent to you in a DM"),
    ("setup", "create or edit a cohort (`setup new` for another one)"),
]


def help_text(command: str) -> str:
    """The plain-text fallback of the help message."""
    return f"Coffee Chat: try `{command} outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace`"


def help_blocks(
    command: str, problem: str | None = None, instructor: bool = False
) -> list[dict[str, Any]]:
    """The help message; `problem` (already written for the user) goes on top; instructors
    see their own commands first."""
    blocks: list[dict[str, Any]] = []
    if problem:
        blocks.append(mrkdwn_section(f":warning: {problem}"))
    if instructor:
        blocks.append(header("Coffee Chat — for instructors"))
        lines = [f"`{escape(command)} {usage}` — {what}" for usage, what in INSTRUCTOR_COMMANDS]
        blocks.append(mrkdwn_section("\n".join(lines)))
    blocks.append(header("Coffee Chat — log your outreach and chats"))
    lines = [f"`{escape(command)} {usage}` — {what}" for usage, what in COMMANDS]
    if not instructor:
        lines.insert(-1, f"`{escape(command)} setup` — instructors: create or edit a cohort")
    blocks.append(mrkdwn_section("\n".join(lines)))
    examples = "\n".join(
        [
            f"`{command} outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace`",
            f"`{command} chat Ada Lovelace`",
            f"`{command} status`",
        ]
    )
    blocks.append(mrkdwn_section(f"*Examples*\n{examples}"))
    blocks.append(
        context(
            f"The assignment: {assignment.REQUIRED_CHATS} coffee chats by the end of Week "
            f"{assignment.DEADLINE_WEEK}. By the end of Week {assignment.CHECKPOINT_WEEK}, if you "
            "don't have them yet, your instructors get the list of everyone you tried who "
            f"hasn't responded — aim for at least {assignment.MIN_ATTEMPTS} people."
        )
    )
    return blocks


def did_you_mean(shown: str, guess: str | None, command: str) -> list[dict[str, Any]]:
    """A subcommand nobody takes (`shown` is escaped already): one line, the likely one."""
    command = escape(command)
    text = f":thinking_face: I don't know `{shown}`."
    if guess:
        text += f" Did you mean `{command} {guess}`?"
    text += f" `{command} help` lists everything."
    return [mrkdwn_section(text)]


def how_it_works_view(
    cohort: CohortFacts | None, deadline: datetime | None, command: str
) -> dict[str, Any]:
    """The details behind the kickoff, one tap away: the assignment, the deliverable's four
    questions (verbatim), the checkpoint rule, and seeds 001/002 on finding, asking, chatting."""
    command = escape(command)
    required = cohort.required_chats if cohort else assignment.REQUIRED_CHATS
    attempts = cohort.min_attempts if cohort else assignment.MIN_ATTEMPTS
    due = f" — due {when(deadline, cohort.tz)}" if cohort and deadline else ""
    checkpoint = f" ({when(cohort.checkpoint_at, cohort.tz)})" if cohort else ""
    reflection = "\n".join(f"{n}. {q.text}" for n, q in enumerate(QUESTIONS, 1))
    asks = "\n".join(f"• {q}" for q in QUESTIONS_TO_ASK)
    blocks = [
        mrkdwn_section(
            f"*The assignment:* {plural(required, 'coffee chat')} by the end of Week 4{due}."
        ),
        mrkdwn_section(
            f"*Deliverable:* the LinkedIns of the {plural(required, 'person', 'people')} you "
            f"chatted with, and your answers to:\n{reflection}\n"
            f"`{command} reflect` saves them as you go; `{command} submit` hands in."
        ),
        mrkdwn_section(
            f"*Week 2 checkpoint*{checkpoint}: fewer than {plural(required, 'chat')} by then? "
            "Reach out to your instructors with everyone you tried who hasn't responded — "
            f"there should be at least {attempts}. I'll have that list ready for you."
        ),
        mrkdwn_section(
            "*Finding people:* a LinkedIn search for roles you're curious about, the speakers "
            "of a conference you like, alumni, and whoever your chats refer you to."
        ),
        mrkdwn_section(
            "*Asking:* research the person first, then keep it short and specific — "
            f"_{THE_ASK}_ You want insight, not a job. `{command} list` has a draft for each "
            "person, and a polite follow-up for 5 days later."
        ),
        mrkdwn_section(
            f"*In the chat* (20–30 minutes):\n{asks}\nClose with _{CLOSING_QUESTION}_ — "
            "each name is your next lead."
        ),
        mrkdwn_section(
            "*Afterwards:* a thank-you within 24 hours that mentions something specific you "
            "learned, and stay connected on LinkedIn."
        ),
        context(
            f"`{command} outreach NAME LINKEDIN_URL` · `{command} chat NAME` · `{command} list` · "
            f"`{command} status` · `{command} help`"
        ),
    ]
    return done_view("How it works", blocks)
