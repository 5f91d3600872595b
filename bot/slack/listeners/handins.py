"""`/coffee reflect` and `/coffee submit`: the four answers, and handing in to instructors."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.ids import Action, AnswerBlock, Block, Callback
from bot.blocks.modals import done_view
from bot.blocks.reflections import (
    handin_result,
    handing_in_view,
    reflect_modal,
    reflection_saved,
    submit_modal,
)
from bot.blocks.status import problem_blocks
from bot.blocks.text import escape
from bot.domain.errors import DomainError
from bot.domain.handins import (
    CHATS_FIELD,
    HANDIN_CHATS,
    draft_answers,
    get_submission,
    require_handin_chats,
    submit,
)
from bot.domain.progress import deadline_for
from bot.domain.reflections import KEYS, FieldErrors, save_answers
from bot.slack.deps import Deps
from bot.slack.listeners.context import Asker, asker
from bot.slack.parsing import metadata, view_values
from bot.webapi.handins import PostOutcome, deliver_handin

log = logging.getLogger(__name__)


def answer_errors(error: DomainError, view: dict[str, Any]) -> dict[str, str]:
    """Errors on their fields (the chats picker, a question); others on the first field."""
    fields = error.errors if isinstance(error, FieldErrors) else {CHATS_FIELD: error.message}
    blocks = {CHATS_FIELD: Block.HANDIN_CHATS.value} | {k: AnswerBlock.of(k).value for k in KEYS}
    present = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
    placed: dict[str, str] = {}
    for field, message in fields.items():
        block = blocks.get(field, "")
        placed[block if block in present else present[0]] = message[:2000]
    return placed


def answers_from(values: dict[str, Any]) -> dict[str, str | None]:
    return {key: values.get(AnswerBlock.of(key)) for key in KEYS}


class Handins:
    """Opens and saves the reflection and hand-in modals, then posts to the instructors."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.command = deps.settings.slash_command

    # -- slash command routes ---------------------------------------------------------------

    def reflect_command(
        self, _args: str, body: dict[str, Any], _r: Respond, client: WebClient
    ) -> None:
        view = self._reflect_view(body["team_id"], body["user_id"], body.get("channel_id"))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def submit_command(
        self, _args: str, body: dict[str, Any], _r: Respond, client: WebClient
    ) -> None:
        now = self.deps.now()
        channel_id = body.get("channel_id")
        with self.deps.session() as session:
            who = asker(session, body["team_id"], body["user_id"], channel_id, now)
            enrollment = who.require_enrollment()
            chats = require_handin_chats(session, enrollment)
            submission = get_submission(session, enrollment)
            if submission is not None:
                chosen = [submission.first_chat_id, submission.second_chat_id]
            else:
                chosen = [chat.id for chat in chats] if len(chats) == HANDIN_CHATS else []
            view = submit_modal(
                chats,
                chosen,
                draft_answers(session, enrollment),
                submission,
                deadline_for(enrollment),
                enrollment.cohort.timezone,
                now,
                {"channel_id": channel_id},
            )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    # -- the "Reflect now" button -----------------------------------------------------------

    def open_reflect(
        self, ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        team_id = body.get("team", {}).get("id") or body["user"]["team_id"]
        in_modal = body.get("view") or None
        channel_id = (
            metadata(in_modal).get("channel_id") if in_modal else body.get("channel", {}).get("id")
        )
        try:
            view = self._reflect_view(team_id, body["user"]["id"], channel_id)
        except DomainError as error:
            if in_modal:
                client.views_update(
                    view_id=in_modal["id"],
                    view=done_view("Reflection", problem_blocks(error.message)),
                )
            else:
                respond(
                    text=escape(error.message),
                    blocks=problem_blocks(error.message),
                    replace_original=False,
                    response_type="ephemeral",
                )
            return
        if in_modal:
            client.views_update(view_id=in_modal["id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    # -- modal submissions ------------------------------------------------------------------

    def save_reflection(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        answers = answers_from(view_values(view))
        try:
            with self.deps.session() as session:
                who = self._asker(session, body, view)
                reflection = save_answers(
                    session, who.require_enrollment(), answers, self.deps.now()
                )
                answered = sum(1 for key in KEYS if getattr(reflection, key))
        except DomainError as error:
            ack(response_action="errors", errors=answer_errors(error, view))
            return
        blocks = reflection_saved(answered, self.command)
        ack(response_action="update", view=done_view("Reflection saved", blocks))

    def hand_in(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        """Validate and save, answer Slack at once, then post and show the student the result."""
        values = view_values(view)
        now = self.deps.now()
        picked = [int(v) for v in values.get(Block.HANDIN_CHATS) or [] if str(v).isdigit()]
        try:
            with self.deps.session() as session:
                who = self._asker(session, body, view)
                enrollment = who.require_enrollment()
                submission = submit(session, enrollment, picked, answers_from(values), now)
                submission_id, late = submission.id, submission.late
                deadline, timezone = deadline_for(enrollment), enrollment.cohort.timezone
        except DomainError as error:
            ack(response_action="errors", errors=answer_errors(error, view))
            return
        ack(response_action="update", view=handing_in_view())
        try:
            outcome = deliver_handin(client, self.deps.sessions, submission_id, now)
        except Exception as error:  # saved all the same: the clock posts it later
            log.error("hand-in %s not posted: %s", submission_id, error, exc_info=error)
            outcome = PostOutcome("failed")
        blocks = handin_result(
            outcome.state,
            outcome.updated,
            outcome.permalink,
            outcome.error,
            late,
            deadline,
            timezone,
            self.command,
        )
        title = "Hand-in saved" if outcome.state == "failed" else "Handed in"
        try:
            client.views_update(view_id=view["id"], view=done_view(title, blocks))
        except Exception as error:  # the student closed the modal: tell them in a DM instead
            log.info("hand-in result view not shown (%s); sending a DM", error)
            client.chat_postMessage(channel=body["user"]["id"], text=title, blocks=blocks)

    # -- helpers ----------------------------------------------------------------------------

    def _reflect_view(self, team_id: str, user_id: str, channel_id: str | None) -> dict[str, Any]:
        with self.deps.session() as session:
            who = asker(session, team_id, user_id, channel_id, self.deps.now())
            answers = draft_answers(session, who.require_enrollment())
        return reflect_modal(answers, self.command, {"channel_id": channel_id})

    def _asker(self, session: Any, body: dict[str, Any], view: dict[str, Any]) -> Asker:
        team_id = view.get("team_id") or body["user"]["team_id"]
        channel_id = metadata(view).get("channel_id")
        return asker(session, team_id, body["user"]["id"], channel_id, self.deps.now())


def register(app: App, deps: Deps) -> None:
    handins = Handins(deps)
    app.view(Callback.REFLECT_MODAL.value)(handins.save_reflection)
    app.view(Callback.SUBMIT_MODAL.value)(handins.hand_in)
    app.action(Action.OPEN_REFLECT.value)(handins.open_reflect)
