"""The instructors' side: `/coffee report`, `/coffee export`, acting on a student from a digest,
the report or App Home (nudge, extend, excuse), posting the digest now, and their App Home.

Every action is checked on the server: the cohort must be one the person instructs in this
workspace and the student one of its students, whatever the button or the form says.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import digests
from bot.blocks.ids import Action, Block, Callback
from bot.blocks.packing import Message
from bot.blocks.report import (
    cohort_picker,
    extend_metadata,
    extend_modal,
    extended_view,
    instructor_home,
    instructor_nudge,
    report,
)
from bot.blocks.setup import setup_modal
from bot.blocks.text import mrkdwn_section
from bot.domain import instructing
from bot.domain.errors import COMMAND, InvalidInput
from bot.domain.export import cohort_csv, filename, handins
from bot.domain.instructing import CohortNow
from bot.domain.read_model import cohort_facts
from bot.domain.schedule_rules import Kind
from bot.domain.setup import draft_from_cohort
from bot.models import ActionKind, Cohort, Delivery, Enrollment
from bot.slack.asker import Asker
from bot.slack.parsing import Form, page_number, record_id
from bot.slack.reply import Reply
from bot.slack.routes import Routes
from bot.webapi.files import send_file
from bot.webapi.lookups import send_dm, user_names
from bot.webapi.posting import post

log = logging.getLogger(__name__)

STALE_MENU = f"That menu is out of date. Run `{COMMAND} report` again."
PICKER_PURPOSES = {"report", "export"}  # what `cohort_picker` is shown for
DIGEST_KINDS = {"checkpoint": Kind.CHECKPOINT_DIGEST, "deadline": Kind.DEADLINE_DIGEST}


def show_report(
    arguments: str, asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """`/coffee report [COHORT]`: the cohort now, most at risk first."""
    cohort = _chosen(session, asker, reply, arguments, "report")
    if cohort is not None:
        _show(reply, report(_now(session, cohort), now, reply.command))


def export(
    arguments: str, asker: Asker, session: Session, reply: Reply, client: WebClient, now: datetime
) -> None:
    """`/coffee export [COHORT]`: the cohort as a CSV, sent to them in a DM."""
    cohort = _chosen(session, asker, reply, arguments, "export")
    if cohort is not None:
        _send_export(session, asker, reply, client, cohort, now)


def export_button(
    action: dict[str, Any],
    asker: Asker,
    session: Session,
    reply: Reply,
    client: WebClient,
    now: datetime,
) -> None:
    """ "Export CSV" on the report or App Home."""
    cohort = _taught(session, asker, action.get("value"))
    _send_export(session, asker, reply, client, cohort, now)


def pick_cohort(
    action: dict[str, Any],
    asker: Asker,
    session: Session,
    reply: Reply,
    client: WebClient,
    now: datetime,
) -> None:
    """The cohort menu of `report` or `export`, for someone who instructs several."""
    purpose, _, cohort_id = _selected(action).partition(":")
    if purpose not in PICKER_PURPOSES:
        raise InvalidInput(STALE_MENU)
    cohort = _taught(session, asker, cohort_id)
    if purpose == "export":
        _send_export(session, asker, reply, client, cohort, now)
    else:
        _show(reply, report(_now(session, cohort), now, reply.command), replace=True)


def turn_report_page(
    action: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """← More at risk / Next → on the report."""
    cohort_id, _, page = str(action.get("value") or "").partition(":")
    cohort = _taught(session, asker, cohort_id)
    _show(reply, report(_now(session, cohort), now, reply.command, page_number(page)), True)


def act_on_student(
    action: dict[str, Any],
    body: dict[str, Any],
    asker: Asker,
    session: Session,
    reply: Reply,
    client: WebClient,
    now: datetime,
) -> None:
    """A student's menu: nudge them, extend their deadline (a form), excuse them or undo it."""
    kind, cohort, enrollment, where = _menu_choice(session, asker, _selected(action))
    if kind is ActionKind.EXTEND:
        _open_extension(session, reply, cohort, enrollment, where, body)
        return
    if kind is ActionKind.NUDGE:
        _nudge(session, asker, reply, client, cohort, enrollment, now)
    elif kind is ActionKind.EXCUSE:
        instructing.excuse(session, cohort, enrollment, asker.user_id, now)
    else:
        instructing.unexcuse(session, cohort, enrollment, asker.user_id, now)
    _redraw(session, asker, reply, client, cohort, where, _container_ts(body), now)


def save_extension(
    view: dict[str, Any],
    asker: Asker,
    session: Session,
    reply: Reply,
    client: WebClient,
    now: datetime,
) -> None:
    """The extension form: the new deadline, checked and recorded; the digest shows it."""
    form = Form(view)
    cohort = _taught(session, asker, form.metadata.get("cohort_id"), "until")
    student_id = record_id(str(form.metadata.get("student_id")), "until", STALE_MENU)
    enrollment = instructing.student_in(session, cohort, student_id)
    until = form.date(Block.EXTEND_UNTIL, "until")
    deadline = instructing.extend(session, cohort, enrollment, until, asker.user_id, now)
    reply.saved(extended_view(cohort_facts(cohort), enrollment.student.user_id, deadline))
    ts = form.metadata.get("ts")
    where = str(form.metadata.get("where"))
    _redraw(session, asker, reply, client, cohort, where, ts if isinstance(ts, str) else None, now)


def post_digest(
    action: dict[str, Any],
    asker: Asker,
    session: Session,
    reply: Reply,
    client: WebClient,
    now: datetime,
) -> None:
    """Post the digest as of now to the cohort's instructors' channel (not a scheduled one)."""
    cohort = _taught(session, asker, action.get("value"))
    message = _digest(session, cohort, now, reply.command)
    reply.commit()
    top = post(client, cohort.instructors_channel, message, [])
    for number, part in enumerate(message.thread, 2):
        post(client, top.channel, part, [], number, thread_ts=top.ts)
    where = f"<#{cohort.instructors_channel}>"
    reply.message("Posted.", [mrkdwn_section(f":white_check_mark: Posted to {where}, as of now.")])


def open_setup_of(action: dict[str, Any], asker: Asker, session: Session, reply: Reply) -> None:
    """App Home's "Edit the cohort"."""
    reply.modal(setup_modal(draft_from_cohort(_taught(session, asker, action.get("value")))))


def home_for_instructor(asker: Asker, session: Session, reply: Reply, now: datetime) -> None:
    """An instructor's App Home: each cohort they teach (the active ones first), now."""
    taught = sorted(asker.instructed, key=lambda c: not c.active)
    reply.home(instructor_home([_now(session, c) for c in taught[:5]], now, reply.command))


# -- helpers ---------------------------------------------------------------------------------


def _now(session: Session, cohort: Cohort) -> CohortNow:
    """The cohort now, reading counts only (no one's list of names)."""
    return instructing.cohort_now(session, cohort, unanswered_limit=0)


def _show(reply: Reply, message: Message, replace: bool = False) -> None:
    reply.message(message.text, message.blocks, replace=replace)


def _taught(session: Session, asker: Asker, cohort_id: object, field: str | None = None) -> Cohort:
    """The cohort a button or form names, if the asker instructs it."""
    number = record_id(str(cohort_id), field, STALE_MENU)
    return instructing.taught_cohort(session, asker.team_id, asker.user_id, number)


def _chosen(session: Session, asker: Asker, reply: Reply, name: str, purpose: str) -> Cohort | None:
    """The cohort named (or their only one); else the picker is shown and None returned."""
    choice = instructing.choose_cohort(session, asker.team_id, asker.user_id, name)
    if choice.cohort is None:
        picker = cohort_picker([cohort_facts(c) for c in choice.options], purpose)
        reply.message("Which cohort?", picker)
    return choice.cohort


def _send_export(
    session: Session, asker: Asker, reply: Reply, client: WebClient, cohort: Cohort, now: datetime
) -> None:
    """Build the CSV (the database first, then the names from Slack) and DM it to them."""
    now_ = instructing.cohort_now(session, cohort)
    handed = handins(session, cohort)
    reply.commit()
    names = user_names(client, {s.user_id for s in now_.students})
    content = cohort_csv(now_.cohort, now_.students, handed, names)
    name = filename(now_.cohort, now.astimezone(now_.cohort.tz).date().isoformat())
    comment = f"{len(now_.students)} students of {now_.cohort.name}, as of now."
    send_file(client, asker.user_id, name, content, comment)
    reply.message(
        "Export sent.", [mrkdwn_section(f":page_facing_up: I sent you *{name}* in a DM.")]
    )


def _open_extension(
    session: Session,
    reply: Reply,
    cohort: Cohort,
    enrollment: Enrollment,
    where: str,
    body: dict[str, Any],
) -> None:
    now_ = _now(session, cohort)
    student = next(s for s in now_.students if s.student_id == enrollment.student_id)
    meta = extend_metadata(cohort.id, enrollment.student_id, where, _container_ts(body))
    reply.modal(extend_modal(now_.cohort, student, meta))


def _nudge(
    session: Session,
    asker: Asker,
    reply: Reply,
    client: WebClient,
    cohort: Cohort,
    enrollment: Enrollment,
    now: datetime,
) -> None:
    """DM the student a nudge in the instructor's name, at most one every 12 hours."""
    now_ = _now(session, cohort)
    if instructing.recently_nudged(now_.actions.get(enrollment.student_id, []), now):
        raise InvalidInput("They were nudged less than 12 hours ago; give them a little time.")
    student = next(s for s in now_.students if s.student_id == enrollment.student_id)
    message = instructor_nudge(now_.cohort, student, asker.user_id, reply.command)
    reply.commit()
    if not send_dm(client, student.user_id, message.text, message.blocks):
        raise InvalidInput("Slack didn't let me message them; nothing was recorded.")
    instructing.record(session, cohort, enrollment, ActionKind.NUDGE, asker.user_id, now)


def _redraw(
    session: Session,
    asker: Asker,
    reply: Reply,
    client: WebClient,
    cohort: Cohort,
    where: str,
    ts: str | None,
    now: datetime,
) -> None:
    """Show what was done where the menu was: the digest, the report, or App Home."""
    kind = DIGEST_KINDS.get(where)
    if kind and ts and _is_digest(session, cohort, kind, ts):
        message = _digest(session, cohort, now, reply.command, kind)
        reply.commit()
        client.chat_update(
            channel=cohort.instructors_channel, ts=ts, text=message.text, blocks=message.blocks
        )
    elif where == "report":
        _show(reply, report(_now(session, cohort), now, reply.command), replace=True)
    elif where == "home":
        home_for_instructor(asker, session, reply, now)
    else:
        reply.commit()


def _is_digest(session: Session, cohort: Cohort, kind: str, ts: str) -> bool:
    """Whether `ts` is that digest of this cohort (a button's message is never trusted)."""
    found = session.scalar(
        select(Delivery.id).where(Delivery.key == f"{kind}:{cohort.id}", Delivery.ts == ts)
    )
    if found is None:
        log.warning("a digest action named a message that is not cohort %s's %s", cohort.id, kind)
    return found is not None


def _digest(
    session: Session, cohort: Cohort, now: datetime, command: str, kind: str | None = None
) -> Message:
    """The checkpoint digest (or the deadline one, once the deadline has passed) as of now."""
    now_ = instructing.cohort_now(session, cohort)
    deadline = kind == Kind.DEADLINE_DIGEST or (kind is None and now >= cohort.deadline_at)
    build = digests.deadline_digest if deadline else digests.checkpoint_digest
    return build(now_.cohort, now_.students, actions=now_.actions, now=now, command=command)


def _menu_choice(
    session: Session, asker: Asker, value: str
) -> tuple[ActionKind, Cohort, Enrollment, str]:
    """`<what>:<cohort>:<student>:<where>` from a student's menu, each part checked."""
    kind, cohort_id, student_id, where = [*value.split(":"), "", "", "", ""][:4]
    if kind not in set(ActionKind):
        raise InvalidInput(STALE_MENU)
    cohort = _taught(session, asker, cohort_id)
    enrollment = instructing.student_in(session, cohort, record_id(student_id, None, STALE_MENU))
    return ActionKind(kind), cohort, enrollment, where


def _selected(action: dict[str, Any]) -> str:
    selected = action.get("selected_option")
    value = selected.get("value") if isinstance(selected, dict) else None
    return value if isinstance(value, str) else ""


def _container_ts(body: dict[str, Any]) -> str | None:
    container = body.get("container")
    ts = container.get("message_ts") if isinstance(container, dict) else None
    return ts if isinstance(ts, str) else None


def register(routes: Routes) -> None:
    routes.command(("report",), show_report)
    routes.command(("export",), export)
    routes.action((Action.PICK_COHORT,), pick_cohort)
    routes.action((Action.REPORT_PAGE,), turn_report_page)
    routes.action((Action.STUDENT_MENU,), act_on_student)
    routes.action((Action.POST_DIGEST,), post_digest)
    routes.action((Action.EXPORT,), export_button)
    routes.action((Action.OPEN_SETUP,), open_setup_of)
    routes.view(Callback.EXTEND_MODAL, save_extension)
