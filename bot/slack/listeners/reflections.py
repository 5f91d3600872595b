"""`/coffee reflect` and `/coffee submit`: the four answers, and handing in to instructors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.forms import done_view
from bot.blocks.ids import Action, Callback
from bot.blocks.reflections import (
    handin_result,
    handing_in_view,
    reflect_modal,
    reflection_saved,
    submit_modal,
)
from bot.domain.handins import deadline_of, draft_answers, handin_form, submit
from bot.domain.reflections import save_answers
from bot.slack.asker import Asker
from bot.slack.parsing import Form
from bot.slack.reply import Reply
from bot.slack.routes import Routes
from bot.slack.submissions import answers, handin_chats
from bot.webapi.handins import deliver_handin


def reflect(asker: Asker, session: Session, reply: Reply) -> None:
    """`/coffee reflect` (or "Reflect now"): the four questions, with the saved draft."""
    draft = draft_answers(session, asker.require_student())
    reply.modal(reflect_modal(draft, reply.command, {"channel_id": asker.channel_id}))


def save_reflection(
    view: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """The reflection form: save the draft, say how many questions are answered."""
    answered = save_answers(session, asker.require_student(), answers(Form(view)), now)
    reply.saved(done_view("Reflection saved", reflection_saved(answered, reply.command)))


def open_handin(asker: Asker, session: Session, reply: Reply, now: datetime) -> None:
    """`/coffee submit`: pick the two chats, confirm the answers."""
    form = handin_form(session, asker.require_student())
    reply.modal(submit_modal(form, now, {"channel_id": asker.channel_id}))


def hand_in(
    view: dict[str, Any],
    asker: Asker,
    session: Session,
    reply: Reply,
    client: WebClient,
    sessions: sessionmaker[Session],
    now: datetime,
) -> None:
    """The hand-in form: save it, answer Slack, then post it and show how that went."""
    form, enrollment = Form(view), asker.require_student()
    submission = submit(session, enrollment, handin_chats(form), answers(form), now)
    reply.saved(handing_in_view())
    outcome = deliver_handin(client, sessions, submission.id, now)
    deadline, timezone = deadline_of(enrollment), enrollment.cohort.timezone
    blocks = handin_result(outcome, submission.late, deadline, timezone, reply.command)
    reply.show_later(done_view("Hand-in saved" if outcome.failed else "Handed in", blocks))


def register(routes: Routes) -> None:
    routes.command(("reflect",), reflect)
    routes.command(("submit",), open_handin)
    routes.action((Action.OPEN_REFLECT,), reflect)
    routes.action((Action.OPEN_HANDIN,), open_handin)
    routes.view(Callback.REFLECT_MODAL, save_reflection)
    routes.view(Callback.SUBMIT_MODAL, hand_in)
