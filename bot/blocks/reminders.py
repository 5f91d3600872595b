"""The scheduled DMs: kickoff, weekly nudge, thank-you, follow-up, checkpoint, deadline.

Pure functions from the schedule's facts to a Message (text + Block Kit blocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blocks.ids import Action, Block
from bot.blocks.packing import Blocks, Message, pack_lines
from bot.blocks.status import next_step, waiting_list
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
    plural,
    when,
)
from bot.domain import drafts
from bot.domain.calendar import format_instant
from bot.domain.drafts import THE_ASK
from bot.domain.standing import Attempt, ChatFacts, CohortFacts, ReflectionState, Standing
from bot.webapi.errors import why

LIST_CHARS = 9000  # the ready-to-forward list: long enough for anyone, short enough to read


def kickoff(cohort: CohortFacts, student: Standing, command: str) -> Message:
    """One phone screen: the goal, both dates, the first step; the rest (the deliverable's
    questions, the checkpoint rule, how to find and ask people) is one tap away."""
    tz = cohort.tz
    chats = plural(cohort.required_chats, "coffee chat")
    blocks: Blocks = [
        mrkdwn_section(
            f":coffee: Hi {mention(student.user_id)}! *{name(cohort.name)}:* hold *{chats}* "
            f"by {when(student.deadline_at, tz)}. Week 2 checkpoint: "
            f"{when(cohort.checkpoint_at, tz)}."
        ),
        mrkdwn_section(
            "*Start today:* find someone whose job you're curious about, read up on them, "
            f"and ask: _{THE_ASK}_ Then log it: `{command} outreach NAME LINKEDIN_URL`"
        ),
        {
            "type": "actions",
            "block_id": Block.KICKOFF.value,
            "elements": [
                {
                    "type": "button",
                    "action_id": Action.HOW_IT_WORKS.value,
                    "text": plain("How it works"),
                    "style": "primary",
                    "value": str(cohort.id),
                },
                {
                    "type": "button",
                    "action_id": Action.OPEN_OUTREACH.value,
                    "text": plain("Log outreach"),
                    "value": str(cohort.id),
                },
            ],
        },
        context("I'll nudge you if you fall behind, and never message you 21:00–08:00."),
    ]
    text = (
        f"Coffee chats — {escape(cohort.name)}: {plural(cohort.required_chats, 'chat')} by "
        f"{format_instant(student.deadline_at, tz)}; checkpoint "
        f"{format_instant(cohort.checkpoint_at, tz)}."
    )
    return Message(text, blocks)


def weekly_nudge(cohort: CohortFacts, student: Standing, week: int, command: str) -> Message:
    """Monday of Weeks 2–4: where the student stands and the one next step."""
    deadline = when(student.deadline_at, cohort.tz)
    progress = (
        f"*Week {week} check-in:* you have *{student.chat_count}/"
        f"{plural(cohort.required_chats, 'chat')}* and have tried "
        f"*{plural(student.attempts, 'person', 'people')}*."
    )
    step = next_step(cohort, student, command)
    blocks: Blocks = [
        mrkdwn_section(f"{progress}\n{step}"),
        *(waiting_list(student) if student.behind(cohort) else []),
        context(f"Deadline: {deadline} · `{command} status` shows everything."),
    ]
    return Message(f"Week {week} check-in: {plural(student.chat_count, 'chat')} so far", blocks)


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
        mrkdwn_section(
            "*A draft to start from*, with the takeaways you logged:\n"
            f"```{_in_code(drafts.thank_you(chat.name, chat.takeaways, []))}```"
        ),
        context("Press *Sent* once you've thanked them, and I'll note it in your log."),
    ]
    return Message(f"Time to thank {escape(chat.name)} for the chat", blocks)


def _in_code(text: str) -> str:
    """User text inside a mrkdwn code block: escaped, and unable to close the block."""
    return escape(text).replace("`", "ˋ")[:2500]


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
            f"You have *{student.chat_count} of {plural(cohort.required_chats, 'chat')}* and "
            f"have tried *{plural(student.attempts, 'person', 'people')}*. "
            f"The assignment asks you to reach out to your instructors ({instructors}) now, "
            "with everyone you tried who hasn't responded. Your instructors have this list in "
            "their checkpoint digest too; here it is, ready to forward:"
        ),
    ]
    if unanswered:
        intro = (
            f"> Hi! At the Week 2 checkpoint I have {student.chat_count} of "
            f"{plural(cohort.required_chats, 'coffee chat')}. Everyone I've reached out to "
            f"who hasn't responded ({len(unanswered)}):"
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
            f"Deadline: {when(student.deadline_at, cohort.tz)} · "
            f"`{command} status` shows your progress."
        )
    )
    text = (
        f"Week 2 checkpoint: {student.chat_count} of {plural(cohort.required_chats, 'chat')} — "
        "reach out to your instructors with this list"
    )
    return Message(text, blocks)


def deadline_reminder(cohort: CohortFacts, student: Standing, command: str) -> Message:
    """Two days before the deadline: what is still missing."""
    deadline = when(student.deadline_at, cohort.tz)
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
    return Message(
        f"Your coffee-chat hand-in is due {format_instant(student.deadline_at, cohort.tz)}", blocks
    )


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
