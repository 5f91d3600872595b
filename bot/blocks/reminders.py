"""The scheduled DMs: kickoff, weekly nudge, thank-you, follow-up, checkpoint, deadline.

Pure functions from the schedule's facts to a Message (text + Block Kit blocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.blocks.help import CLOSING_QUESTION
from bot.blocks.ids import Action, Block
from bot.blocks.logbook import button, prep_card
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
    truncate,
    when,
)
from bot.domain import drafts
from bot.domain.calendar import format_instant
from bot.domain.drafts import THE_ASK
from bot.domain.standing import (
    Attempt,
    ChatFacts,
    CohortFacts,
    Planned,
    ReflectionState,
    Standing,
)
from bot.webapi.errors import why

LIST_CHARS = 2000  # the ready-to-forward list: long enough for anyone, short enough to read
DM_UNANSWERED_SHOWN = 8  # a DM's list of who hasn't responded; status shows everyone
DRAFT_CHARS = 900  # a thank-you draft inline; the drafts modal has it whole
CHECK_INS_SHOWN = 3
PREPS_SHOWN = 2


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
    blocks: Blocks = [
        *_nudge_part(cohort, student, week, command),
        *(_waiting(student, {}, command) if student.behind(cohort) else []),
        _footer(cohort, student, command),
    ]
    return Message(f"Week {week} check-in: {plural(student.chat_count, 'chat')} so far", blocks)


def morning(
    cohort: CohortFacts,
    student: Standing,
    week: int | None,
    attempts: Sequence[Attempt],
    check_ins: Sequence[Planned],
    preps: Sequence[Planned],
    chats: Sequence[ChatFacts],
    now: datetime,
    command: str,
) -> Message:
    """Everything due for a student in one run, as one message: the Monday nudge, follow-ups,
    "did the chat happen?", prep cards and thank-yous, each part in a block or two, one list
    of who hasn't responded (the one status shows)."""
    notes = _follow_up_notes(cohort, attempts, now)
    blocks: Blocks = []
    said: list[str] = []
    if week is not None:
        blocks += _nudge_part(cohort, student, week, command)
        said.append(f"Week {week} check-in: {plural(student.chat_count, 'chat')} so far")
    if attempts or (week is not None and student.behind(cohort)):
        blocks += _waiting(student, notes, command)
    if attempts:
        blocks.append(_follow_up_example(attempts, short=True))
        said.append(f"follow up with {plural(len(attempts), 'person', 'people')}")
    for planned in check_ins[:CHECK_INS_SHOWN]:
        blocks += _check_in_part(cohort, planned, shared=True)
    if len(check_ins) > CHECK_INS_SHOWN:
        left = len(check_ins) - CHECK_INS_SHOWN
        blocks.append(context(f"…and {left} more scheduled chats: `{command} list` shows them."))
    if check_ins:
        said.append("did your chat happen?")
    if preps:
        blocks.append(_preps_line(cohort, preps))
        said.append(plural(len(preps), "chat") + " to prepare")
    if chats:
        blocks += _thanks_part(cohort, chats, now, shared=True)
        said.append(plural(len(chats), "thank-you") + " to send")
    blocks.append(_footer(cohort, student, command))
    text = "; ".join(said) or "Your coffee chats"
    return Message(text[0].upper() + text[1:], blocks)


def _nudge_part(cohort: CohortFacts, student: Standing, week: int, command: str) -> Blocks:
    progress = (
        f"*Week {week} check-in:* you have *{student.chat_count}/"
        f"{plural(cohort.required_chats, 'chat')}* and have tried "
        f"*{plural(student.attempts, 'person', 'people')}*."
    )
    return [mrkdwn_section(f"{progress}\n{next_step(cohort, student, command)}")]


def _waiting(student: Standing, notes: dict[int, str], command: str) -> Blocks:
    return waiting_list(student, notes, DM_UNANSWERED_SHOWN, command)


def _footer(cohort: CohortFacts, student: Standing, command: str) -> dict[str, Any]:
    deadline = when(student.deadline_at, cohort.tz)
    return context(f"Deadline: {deadline} · `{command} status` shows everything.")


def thank_you(cohort: CohortFacts, chats: Sequence[ChatFacts], now: datetime) -> Message:
    """The evening of a chat (or the next morning): say thanks while it's fresh; a button per
    chat records that it's done. Chats of one day share the message."""
    blocks = [
        *_thanks_part(cohort, chats, now, shared=False),
        context("Press *Sent* once you've thanked them, and I'll note it in your log."),
    ]
    return Message(f"Time to thank {_names([c.name for c in chats], escape)} for the chat", blocks)


def _thanks_part(
    cohort: CohortFacts, chats: Sequence[ChatFacts], now: datetime, shared: bool
) -> Blocks:
    today = now.astimezone(cohort.tz).date()
    days = sorted({c.held_on for c in chats})
    people = _names([linked_name(c.name, c.linkedin_url) for c in chats])
    if len(days) == 1:
        intro = f"You chatted with {people} {_day(days[0], today)}."
    else:
        each = [f"{linked_name(c.name, c.linkedin_url)} {_day(c.held_on, today)}" for c in chats]
        intro = f"You chatted with {_names(each)}."
    latest = (today - days[-1]).days
    if latest <= 0:
        advice = "Thank them today, while it's fresh: a thank-you within 24 hours goes a long way."
    elif latest == 1:
        advice = "Thank them today, within a day of the chat: it goes a long way."
    else:
        advice = "It's not too late to thank them: a short note still goes a long way."
    text = (
        f":coffee: {intro} {advice} Mention something specific you learned, and connect on "
        "LinkedIn if you haven't yet."
    )
    buttons: list[dict[str, Any]] = []
    for chat in chats[:5]:
        label = "Sent :white_check_mark:" if len(chats) == 1 else f"Thanked {_first(chat.name)} ✓"
        buttons.append(
            {
                "type": "button",
                "action_id": Action.THANK_YOU_SENT.value,
                "text": plain(label),
                "style": "primary",
                "value": str(chat.id),
            }
        )
    for chat in chats[:5]:
        if chat.contact_id is None:
            continue
        label = "Draft" if len(chats) == 1 else f"Draft for {_first(chat.name)}"
        buttons.append(
            {
                "type": "button",
                "action_id": Action.OPEN_DRAFTS.value,
                "text": plain(label),
                "value": str(chat.contact_id),
            }
        )
    # Alone with one chat, the Sent button turns the whole message into a confirmation;
    # shared, it answers beside it (the block id says which).
    block = Block.THANK_YOU if not shared and len(chats) == 1 else Block.THANK_YOUS
    blocks: Blocks = [
        mrkdwn_section(text),
        {"type": "actions", "block_id": block.value, "elements": buttons[:25]},
    ]
    if not shared and len(chats) == 1:
        chat = chats[0]
        draft = _in_code(drafts.thank_you(chat.name, chat.takeaways, []), DRAFT_CHARS)
        intro = "*A draft to start from*, with the takeaways you logged:"
        blocks.append(mrkdwn_section(f"{intro}\n```{draft}```"))
    return blocks


def _first(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] if parts else full_name


def _day(held_on: date, today: date) -> str:
    gap = (today - held_on).days
    if gap == 0:
        return "today"
    if gap == 1:
        return "yesterday"
    return f"on {held_on:%a} {held_on.day} {held_on:%b}"


def _names(names: Sequence[str], fix: Any = None) -> str:
    shown = [fix(n) if fix else n for n in names]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def prep(cohort: CohortFacts, planned: Sequence[Planned]) -> Message:
    """The morning of a scheduled chat (the evening before an early one): the prep card."""
    blocks: Blocks = []
    for chat in planned[:PREPS_SHOWN]:
        blocks += _prep_part(cohort, chat)
    first = planned[0]
    at = format_instant(first.at, cohort.tz) if first.at else "soon"
    return Message(f"Your chat with {escape(first.name)}: {at}. Ready?", blocks)


def _prep_part(cohort: CohortFacts, planned: Planned) -> Blocks:
    return prep_card(planned.name, planned.at, cohort.tz)


def _preps_line(cohort: CohortFacts, preps: Sequence[Planned]) -> dict[str, Any]:
    """The prep card in short, for a message that says more: who, when, the essentials."""
    chats = "; ".join(
        f"*{name(p.name)}*" + (f" — {when(p.at, cohort.tz)}" if p.at else "")
        for p in preps[:PREPS_SHOWN]
    )
    if len(preps) > PREPS_SHOWN:
        chats += f" and {len(preps) - PREPS_SHOWN} more"
    return mrkdwn_section(
        f":clipboard: *Coming up:* {chats}. Research them first, keep it to 15–30 minutes, ask "
        "how they got there, about a typical day, the skills they use and where the industry "
        f"is going, and close with _{CLOSING_QUESTION}_",
        block_id=Block.PREP.value,
    )


def check_in(cohort: CohortFacts, planned: Sequence[Planned]) -> Message:
    """After a scheduled chat's time: did it happen? Three one-tap answers."""
    blocks: Blocks = []
    for chat in planned[:CHECK_INS_SHOWN]:
        blocks += _check_in_part(cohort, chat, shared=len(planned) > 1)
    return Message(f"Did your chat with {escape(planned[0].name)} happen?", blocks)


def _check_in_part(cohort: CohortFacts, planned: Planned, shared: bool) -> Blocks:
    at = when(planned.at, cohort.tz) if planned.at else "recently"
    value = check_in_value(planned)
    buttons = [
        ("Yes — log it", Action.CHECK_IN_HAPPENED, "primary"),
        ("Rescheduled", Action.CHECK_IN_RESCHEDULED, None),
        ("Didn't happen", Action.CHECK_IN_MISSED, None),
    ]
    elements = [button(action, label, value, style) for label, action, style in buttons]
    actions: dict[str, Any] = {"type": "actions", "elements": elements}
    if not shared:  # alone in its message, an answer may replace it (block ids are unique)
        actions["block_id"] = Block.CHECK_IN.value
    return [
        mrkdwn_section(
            f":calendar: Did your chat with {linked_name(planned.name, planned.linkedin_url)} "
            f"happen? It was planned for {at}."
        ),
        actions,
    ]


def check_in_value(planned: Planned) -> str:
    """A check-in button's value: the contact and the planned instant (epoch seconds)."""
    stamp = int(planned.at.timestamp()) if planned.at else 0
    return f"{planned.contact_id}:{stamp}"


def _in_code(text: str, limit: int = 2500) -> str:
    """User text inside a mrkdwn code block: escaped, and unable to close the block."""
    return truncate(escape(text).replace("`", "ˋ"), limit)


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
    notes = _follow_up_notes(cohort, attempts, now)
    blocks: Blocks = [
        _follow_up_intro(attempts, now, cohort),
        *_waiting(student, notes, command),
        _follow_up_example(attempts),
        context(
            f"If they answered, move them along with `{command} list`. "
            f"Log someone new with `{command} outreach NAME LINKEDIN_URL`."
        ),
    ]
    names = ", ".join(escape(o.name) for o in attempts[:3]) + ("…" if len(attempts) > 3 else "")
    return Message(f"No reply yet from {names}: follow up?", blocks)


def days_waiting(cohort: CohortFacts, attempt: Attempt, now: datetime) -> int:
    """Whole days (by the cohort's calendar) since they reached out or last followed up."""
    since = (attempt.last_follow_up_at or attempt.sent_at).astimezone(cohort.tz).date()
    return (now.astimezone(cohort.tz).date() - since).days


def _follow_up_notes(
    cohort: CohortFacts, attempts: Sequence[Attempt], now: datetime
) -> dict[int, str]:
    return {
        a.id: f"*{plural(days_waiting(cohort, a, now), 'day')}, follow up today*" for a in attempts
    }


def _follow_up_intro(
    attempts: Sequence[Attempt], now: datetime, cohort: CohortFacts
) -> dict[str, Any]:
    days = {a.id: days_waiting(cohort, a, now) for a in attempts}
    if len(attempts) == 1:
        attempt = attempts[0]
        since = "you followed up" if attempt.last_follow_up_at else "you reached out"
        who = f"{name(attempt.name)}, {plural(days[attempt.id], 'day')} after {since}"
    else:
        who = (
            f"{len(attempts)} people you reached out to at least "
            f"{plural(min(days.values()), 'day')} ago"
        )
    return mrkdwn_section(
        f"No reply is logged yet from {who}. People are busy; a short, polite follow-up "
        "is fine — or reach out to someone new: the more people you try, the sooner you "
        "have your chats."
    )


def _follow_up_example(attempts: Sequence[Attempt], short: bool = False) -> dict[str, Any]:
    first = name(attempts[0].name.split()[0]) if len(attempts) == 1 else "[name]"
    intro = (
        f"*Follow up today* with {'them' if len(attempts) > 1 else first} (marked above), "
        "or reach out to someone new. For example:"
        if short
        else "For example:"
    )
    return mrkdwn_section(
        f"{intro}\n> Hi {first}, just following up on my note: would a 15-minute "
        "video call sometime in the next two weeks work for you?"
    )


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
