"""What instructors see on asking: the report of a cohort now, the cohort picker, their App
Home, the extension form, and the nudge a student gets when an instructor sends one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.blocks.cohort_view import done_about, student_line, student_menu
from bot.blocks.forms import done_view, input_block, modal, option
from bot.blocks.ids import Action, Block, Callback
from bot.blocks.packing import Blocks, Message
from bot.blocks.status import next_step
from bot.blocks.text import context, escape, header, mention, mrkdwn_section, plain, when
from bot.domain.instructing import CohortNow
from bot.domain.standing import CohortFacts, Standing

PAGE = 15  # students per page: a section and a context each, within a message's 50 blocks
HOME_BLOCKS = 100


def report(now_: CohortNow, now: datetime, command: str, page: int = 0) -> Message:
    """The cohort now, most at risk first, a page at a time, with the buttons to act."""
    cohort = now_.cohort
    blocks: Blocks = [
        header(f"{cohort.name} — now"),
        mrkdwn_section(summary(now_, now)),
        context(dates(cohort)),
        {
            "type": "actions",
            "block_id": Block.COHORT_ACTIONS.value,
            "elements": [
                _button(Action.POST_DIGEST, "Post to instructors' channel", str(cohort.id)),
                _button(Action.EXPORT, "Export CSV", str(cohort.id)),
            ],
        },
    ]
    blocks += _page(now_, now, page, "report")
    text = f"{escape(cohort.name)} now: {summary(now_, now, plain_text=True)}"
    return Message(text, blocks)


def summary(now_: CohortNow, now: datetime, plain_text: bool = False) -> str:
    """`*3* of 12 handed in · *4* behind on chats · *2* with fewer than 8 waiting · …`."""
    cohort, students = now_.cohort, now_.students
    counting = [s for s in students if not s.excused]
    handed = sum(1 for s in counting if s.handed_in)
    behind = [s for s in counting if s.behind(cohort)]
    short = sum(1 for s in behind if s.list_short(cohort))
    quiet = sum(1 for s in counting if not s.handed_in and s.quiet_days(now) >= 7)
    star = "" if plain_text else "*"
    parts = [
        f"{star}{handed}{star} of {len(counting)} handed in",
        f"{star}{len(behind)}{star} with fewer than {cohort.required_chats} chats",
        f"{star}{short}{star} of them with fewer than {cohort.min_attempts} waiting on a reply",
        f"{star}{quiet}{star} quiet for a week or more",
    ]
    excused = len(students) - len(counting)
    if excused:
        parts.append(f"{excused} excused")
    if not students:
        return "No students are enrolled in this cohort yet."
    return " · ".join(parts)


def dates(cohort: CohortFacts) -> str:
    tz = cohort.tz
    return (
        f"Checkpoint {when(cohort.checkpoint_at, tz)} · deadline "
        f"{when(cohort.deadline_at, tz)} ({cohort.timezone})"
    )


def cohort_picker(cohorts: Sequence[CohortFacts], purpose: str) -> Blocks:
    """A menu of the cohorts an instructor teaches, for a `report` or an `export`."""
    return [
        mrkdwn_section(f"You instruct several cohorts. Which one should I {purpose}?"),
        {
            "type": "actions",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": Action.PICK_COHORT.value,
                    "placeholder": plain("Pick a cohort", 150),
                    "options": [option(f"{purpose}:{c.id}", c.name) for c in cohorts[:100]],
                }
            ],
        },
    ]


def instructor_home(cohorts: Sequence[CohortNow], now: datetime, command: str) -> dict[str, Any]:
    """The App Home of an instructor: each cohort's summary, its buttons, its students most at
    risk first (a page of them), all within the Home tab's 100 blocks."""
    blocks: Blocks = []
    budget = HOME_BLOCKS - 2
    per_cohort = max(8, budget // max(1, len(cohorts)))
    for now_ in cohorts[:10]:
        cohort = now_.cohort
        part: Blocks = [
            header(cohort.name),
            mrkdwn_section(summary(now_, now)),
            context(dates(cohort)),
            {
                "type": "actions",
                "elements": [
                    _button(Action.POST_DIGEST, "Post the digest now", str(cohort.id)),
                    _button(Action.EXPORT, "Export CSV", str(cohort.id)),
                    _button(Action.OPEN_SETUP, "Edit the cohort", str(cohort.id)),
                ],
            },
        ]
        shown = max(1, (per_cohort - len(part) - 3) // 2)
        part += _page(now_, now, 0, "home", size=shown)
        part.append({"type": "divider"})
        blocks += part[:per_cohort]
    blocks.append(context(f"`{escape(command)} report` shows a cohort now, page by page."))
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS]}


def extend_modal(
    cohort: CohortFacts, student: Standing, metadata: dict[str, Any]
) -> dict[str, Any]:
    """The form to give one student a later deadline (17:00 on the day picked, cohort time)."""
    suggested = (student.deadline_at + timedelta(days=7)).astimezone(cohort.tz).date()
    blocks = [
        mrkdwn_section(
            f"A later deadline for {mention(student.user_id)} in *{escape(cohort.name)}* "
            f"(now {when(student.deadline_at, cohort.tz)}). Their deadline "
            "reminder and the deadline digest follow it."
        ),
        input_block(
            Block.EXTEND_UNTIL,
            "New deadline (17:00, cohort time)",
            {"type": "datepicker", "initial_date": suggested.isoformat()},
        ),
    ]
    return modal(Callback.EXTEND_MODAL, "Extend the deadline", "Extend", blocks, metadata)


def extend_metadata(cohort_id: int, student_id: int, where: str, ts: str | None) -> dict[str, Any]:
    return {"cohort_id": cohort_id, "student_id": student_id, "where": where, "ts": ts}


def extended_view(cohort: CohortFacts, user_id: str, until: datetime) -> dict[str, Any]:
    return done_view(
        "Deadline extended",
        [
            mrkdwn_section(
                f":white_check_mark: {mention(user_id)}'s deadline is now "
                f"*{when(until, cohort.tz)}*. Their reminder moves with it."
            )
        ],
    )


def instructor_nudge(
    cohort: CohortFacts, student: Standing, instructor: str, command: str
) -> Message:
    """The DM a student gets when an instructor asks the bot to nudge them."""
    blocks: Blocks = [
        mrkdwn_section(
            f":wave: {mention(instructor)} asked me to check in on your coffee chats for "
            f"*{escape(cohort.name)}*: you have *{student.chat_count}/{cohort.required_chats} "
            f"chats* and {student.unanswered_count} "
            f"{'person' if student.unanswered_count == 1 else 'people'} waiting on a reply."
        ),
        context(next_step(cohort, student, command)),
    ]
    return Message("A check-in on your coffee chats from your instructor", blocks)


def _page(now_: CohortNow, now: datetime, page: int, where: str, size: int = PAGE) -> Blocks:
    cohort = now_.cohort
    ranked = now_.ranked()
    pages = max(1, (len(ranked) + size - 1) // size)
    page = min(max(page, 0), pages - 1)
    blocks: Blocks = []
    for rank, student in enumerate(ranked[page * size : (page + 1) * size], page * size + 1):
        line = f"{student_line(cohort, student, now, rank)} · {_handin_words(cohort, student)}"
        blocks.append(mrkdwn_section(line, accessory=student_menu(cohort, student, where)))
        done = done_about(cohort, now_.actions.get(student.student_id, ()))
        if done:
            blocks.append(context(done))
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(_button(Action.REPORT_PAGE, "← More at risk", f"{cohort.id}:{page - 1}"))
        if page < pages - 1:
            nav.append(_button(Action.REPORT_PAGE, "Next →", f"{cohort.id}:{page + 1}"))
        last = min(len(ranked), (page + 1) * size)
        blocks.append(context(f"Students {page * size + 1}–{last} of {len(ranked)}"))
        blocks.append({"type": "actions", "elements": nav})
    return blocks


def _handin_words(cohort: CohortFacts, student: Standing) -> str:
    if student.handed_in and student.submitted_at:
        late = ", late" if student.submission_late else ""
        return f"handed in {when(student.submitted_at, cohort.tz)}{late}"
    return f"reflection {student.reflection}, not handed in"


def _button(action: Action, label: str, value: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action.value, "text": plain(label), "value": value}
