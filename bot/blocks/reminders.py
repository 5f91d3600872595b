"""The scheduled DMs: kickoff, weekly nudge, thank-you, follow-up, checkpoint, deadline.

Pure functions from the schedule's facts to a Message (text + Block Kit blocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.ids import Action, Block
from bot.blocks.packing import Blocks, Message, pack_lines
from bot.blocks.status import THE_ASK, next_step, waiting_list
from bot.blocks.text import (
    bullet_list,
    context,
    escape,
    header,
    linked_name,
    mention,
    mrkdwn_section,
    name,
    plain,
)
from bot.domain.calendar import format_instant
from bot.domain.reflections import QUESTIONS
from bot.domain.standing import Attempt, ChatFacts, CohortFacts, ReflectionState, Standing
from bot.webapi.errors import why

LIST_CHARS = 9000  # the ready-to-forward list: long enough for anyone, short enough to read


def kickoff(cohort: CohortFacts, student: Standing, command: str) -> Message:
    """The assignment, both dates, how to find people, what to ask, the commands."""
    tz = cohort.tz
    deadline = format_instant(student.deadline_at, tz)
    checkpoint = format_instant(cohort.checkpoint_at, tz)
    questions = "\n".join(f"{n}. {q.text}" for n, q in enumerate(QUESTIONS, 1))
    blocks: Blocks = [
        header(f"Coffee chats — {cohort.name}"),
        mrkdwn_section(
            f"Hi {mention(student.user_id)}! This module's assignment: *hold "
            f"{cohort.required_chats} coffee chats by the end of Week 4* — *{deadline}*."
        ),
        mrkdwn_section(
            f"*Deliverable:* the LinkedIn profiles of the {cohort.required_chats} people you "
            f"chatted with, and your answers to:\n{questions}"
        ),
        mrkdwn_section(
            f"*Week 2 checkpoint — {checkpoint}:* if you don't have {cohort.required_chats} "
            "chats by then, reach out to your instructors and include everyone you tried who "
            f"hasn't responded — there should be at least {cohort.min_attempts}. "
            "I'll have that list ready for you."
        ),
        mrkdwn_section(
            "*Finding people:* LinkedIn search for roles you're curious about, the speakers of "
            "a conference you like, alumni, and anyone your chats refer you to. Research the "
            f"person first, then keep the ask short and specific: _{THE_ASK}_"
        ),
        mrkdwn_section(
            "*What to ask:* How did you end up in this role? What does a typical day look "
            "like? What skills does someone need to succeed in it? What industry changes do "
            "you see coming? Close with _Is there anyone else I should talk to?_ — a referral "
            "is your next contact.\n*Afterwards:* a thank-you within 24 hours, and stay "
            "connected on LinkedIn."
        ),
        mrkdwn_section(
            "*Log as you go:*\n"
            f"`{command} outreach Ada Lovelace https://www.linkedin.com/in/ada-lovelace` — "
            "you reached out to someone\n"
            f"`{command} chat Ada Lovelace` — you held a chat\n"
            f"`{command} list` · `{command} status` · `{command} reflect` · `{command} submit`"
        ),
        context(
            "Chats are typically 20–30 minutes. I'll nudge you on Mondays if you fall "
            "behind, remind you to say thanks, and never message you between 21:00 and 08:00."
        ),
    ]
    text = (
        f"Coffee chats — {escape(cohort.name)}: {cohort.required_chats} chats by {deadline}; "
        f"checkpoint {checkpoint}."
    )
    return Message(text, blocks)


def weekly_nudge(cohort: CohortFacts, student: Standing, week: int, command: str) -> Message:
    """Monday of Weeks 2–4: where the student stands and the one next step."""
    deadline = format_instant(student.deadline_at, cohort.tz)
    progress = (
        f"*Week {week} check-in:* you have *{student.chat_count}/{cohort.required_chats} "
        f"chats* and have tried *{student.attempts}* "
        f"{'person' if student.attempts == 1 else 'people'}."
    )
    step = next_step(cohort, student, command)
    blocks: Blocks = [
        mrkdwn_section(f"{progress}\n{step}"),
        *(waiting_list(student) if student.behind(cohort) else []),
        context(f"Deadline: {deadline} · `{command} status` shows everything."),
    ]
    chats = f"{student.chat_count} chat{'' if student.chat_count == 1 else 's'}"
    return Message(f"Week {week} check-in: {chats} so far", blocks)


def thank_you(cohort: CohortFacts, chat: ChatFacts) -> Message:
    """A day after a chat: say thanks; a button records that it's done."""
    person = linked_name(chat.name, chat.linkedin_url)
    blocks: Blocks = [
        mrkdwn_section(
            f":coffee: You chatted with {person} on {chat.held_on:%a} {chat.held_on.day} "
            f"{chat.held_on:%b}. A thank-you within 24 hours goes a long way: mention something "
            "specific you learned, and connect on LinkedIn if you haven't yet."
        ),
        {
            "type": "actions",
            "block_id": Block.THANK_YOU.value,
            "elements": [
                {
                    "type": "button",
                    "action_id": Action.THANK_YOU_SENT,
                    "text": plain("Sent :white_check_mark:"),
                    "style": "primary",
                    "value": str(chat.id),
                }
            ],
        },
        context("Press *Sent* once you've thanked them, and I'll note it in your log."),
    ]
    return Message(f"Time to thank {escape(chat.name)} for the chat", blocks)


def thank_you_recorded(chat_name: str, linkedin_url: str | None) -> Message:
    """What the thank-you message becomes once the button is pressed."""
    person = linked_name(chat_name, linkedin_url)
    blocks: Blocks = [
        mrkdwn_section(f":white_check_mark: Thank-you to {person} noted. Nice — stay connected!")
    ]
    return Message(f"Thank-you to {escape(chat_name)} noted.", blocks)


def follow_up(
    cohort: CohortFacts,
    student: Standing,
    attempts: Sequence[Attempt],
    now: datetime,
    command: str,
) -> Message:
    """Days without an answer: a polite follow-up, or the next person.

    `attempts` are those whose wait ran out this morning; the list shows everyone who hasn't
    responded, as status does, with those marked.
    """
    days = {a.id: (now.date() - (a.last_follow_up_at or a.sent_at).date()).days for a in attempts}
    notes = {a.id: f"*{days[a.id]} days, follow up today*" for a in attempts}
    first = name(attempts[0].name.split()[0]) if len(attempts) == 1 else "[name]"
    if len(attempts) == 1:
        who = f"{name(attempts[0].name)}, {days[attempts[0].id]} days after you reached out"
    else:
        who = f"{len(attempts)} people you reached out to at least {min(days.values())} days ago"
    blocks: Blocks = [
        mrkdwn_section(
            f"No reply is logged yet from {who}. People are busy; a short, polite follow-up "
            "is fine — or reach out to someone new: the more people you try, the sooner you "
            "have your chats."
        ),
        *waiting_list(student, notes),
        mrkdwn_section(
            f"For example:\n> Hi {first}, just following up on my note: would a 15-minute "
            "video call sometime in the next two weeks work for you?"
        ),
        context(
            f"If they answered, move them along with `{command} list`. "
            f"Log someone new with `{command} outreach NAME LINKEDIN_URL`."
        ),
    ]
    names = ", ".join(escape(o.name) for o in attempts[:3]) + ("…" if len(attempts) > 3 else "")
    return Message(f"No reply yet from {names}: follow up?", blocks)


def checkpoint_dm(cohort: CohortFacts, student: Standing, command: str) -> Message:
    """The Week 2 checkpoint: reach out to the instructors with the ready list of the unanswered."""
    unanswered = student.unanswered
    instructors = " ".join(mention(u) for u in cohort.instructor_ids) or "your instructors"
    blocks: Blocks = [
        header("Week 2 checkpoint"),
        mrkdwn_section(
            f"You have *{student.chat_count} of {cohort.required_chats} chats* and have tried "
            f"*{student.attempts}* {'person' if student.attempts == 1 else 'people'}. "
            f"The assignment asks you to reach out to your instructors ({instructors}) now, "
            "with everyone you tried who hasn't responded. Your instructors have this list in "
            "their checkpoint digest too; here it is, ready to forward:"
        ),
    ]
    if unanswered:
        intro = (
            f"> Hi! At the Week 2 checkpoint I have {student.chat_count} of "
            f"{cohort.required_chats} coffee chats. Everyone I've reached out to who hasn't "
            f"responded ({len(unanswered)}):"
        )
        lines = [intro] + [
            f"> • {escape(o.name)} — {escape(o.linkedin_url) if o.linkedin_url else 'no LinkedIn'}"
            f" (since {o.sent_on:%b} {o.sent_on.day})"
            for o in unanswered
        ]
        more = f"> …and {{left}} more: `{command} list` shows all {len(unanswered)}."
        blocks += pack_lines(_capped(lines, more))
    else:
        blocks.append(
            mrkdwn_section(
                "Your list is empty: "
                + (
                    "everyone you tried has answered. "
                    if student.attempts
                    else "you haven't logged anyone you reached out to. "
                )
                + f"Log each person with `{command} outreach NAME LINKEDIN_URL` and I'll keep "
                "the list for you."
            )
        )
    if student.list_short(cohort):
        missing = student.more_to_try(cohort)
        blocks.append(
            mrkdwn_section(
                f":warning: That's {student.unanswered_count} of the {cohort.min_attempts} "
                "people the assignment expects on this list: reach out to "
                f"{missing} more this week."
            )
        )
    blocks.append(
        context(
            f"Deadline: {format_instant(student.deadline_at, cohort.tz)} · "
            f"`{command} status` shows your progress."
        )
    )
    text = (
        f"Week 2 checkpoint: {student.chat_count} of {cohort.required_chats} chats — "
        "reach out to your instructors with this list"
    )
    return Message(text, blocks)


def deadline_reminder(cohort: CohortFacts, student: Standing, command: str) -> Message:
    """Two days before the deadline: what is still missing."""
    deadline = format_instant(student.deadline_at, cohort.tz)
    missing = []
    if student.chat_count < cohort.required_chats:
        short = cohort.required_chats - student.chat_count
        missing.append(
            f"*{short} more chat{'s' if short > 1 else ''}* "
            f"({student.chat_count}/{cohort.required_chats}) — log each with `{command} chat NAME`"
        )
    if student.reflection is not ReflectionState.COMPLETE:
        missing.append(
            f"*the four reflection answers* ({student.reflection}) — `{command} reflect`"
        )
    missing.append(f"*the hand-in itself* — `{command} submit` when the rest is done")
    blocks: Blocks = [
        mrkdwn_section(
            f":alarm_clock: Your coffee-chat hand-in is due *{deadline}* — in 2 days. "
            f"Still to do:\n{bullet_list(missing)}"
        ),
        context(f"`{command} status` shows everything."),
    ]
    return Message(f"Your coffee-chat hand-in is due {deadline}", blocks)


def channel_alert(cohort: CohortFacts, what: str, error: str, command: str) -> Message:
    """To the instructor who set the cohort up: a digest could not be posted to its channel."""
    channel = f"<#{cohort.instructors_channel}>"
    reason = escape(why(error, "that channel"))
    blocks: Blocks = [
        mrkdwn_section(
            f":warning: I couldn't post the *{what}* for *{escape(cohort.name)}* to {channel}: "
            f"{reason}."
        ),
        mrkdwn_section(
            f"Invite me there (type `/invite @Coffee Chat` in {channel}), or pick another "
            f"instructors' channel with `{command} setup`. I'll try again about every hour "
            "and post it as soon as I can."
        ),
    ]
    return Message(f"I couldn't post the {what} for {escape(cohort.name)}", blocks)


def _capped(lines: Sequence[str], more: str) -> list[str]:
    """As many lines as fit in LIST_CHARS, then `more` (with {left} filled in) if any are left."""
    shown, used = 0, 0
    while shown < len(lines) and used + len(lines[shown]) <= LIST_CHARS:
        used += len(lines[shown]) + 1
        shown += 1
    if shown == len(lines):
        return list(lines)
    return [*lines[:shown], more.format(left=len(lines) - shown)]


def as_dict(message: Message) -> dict[str, Any]:
    """The keyword arguments of chat.postMessage for a message (without channel)."""
    return {"text": message.text, "blocks": message.blocks}
