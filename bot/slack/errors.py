"""The one error path: whatever a listener raises is shown where the person is looking.

A DomainError (bad input, a refusal, something not found) is shown as it is written: on the
field of the modal it concerns (`response_action: errors`), or as an ephemeral reply to a
command or a button. Anything else gets a short apology, and its traceback goes to the log.
Either way nothing of the request's unit of work is kept. Refusals are logged, without the
person's input (which is theirs).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.blocks.ids import field_block
from bot.domain.errors import DomainError, FieldErrors, InvalidInput, NotAllowed
from bot.slack.reply import Reply

log = logging.getLogger(__name__)

DATABASE_DOWN = (
    "I can't reach my database right now, so nothing was saved. Please try again in a minute."
)
UNEXPECTED = (
    "Sorry, something went wrong on my side and nothing was saved. "
    "Please try again; if it keeps happening, tell your instructor."
)


def handle_error(
    error: Exception, body: dict[str, Any], context: BoltContext
) -> BoltResponse | None:
    """Bolt's error handler for every listener (registered with `app.error`)."""
    reply = context.get("reply")
    message = _message(error, context, body)
    if not isinstance(reply, Reply):
        return None
    reply.session.rollback()
    if body.get("type") == "view_submission":
        view = body.get("view") if isinstance(body.get("view"), dict) else {}
        answer = reply.refuse_view(_field_errors(error, message, view or {}), message)
        return BoltResponse(status=200, body=answer) if answer is not None else None
    if body.get("type") == "event_callback":
        return None
    reply.problem(message)
    return None


def _message(error: Exception, context: BoltContext, body: dict[str, Any]) -> str:
    """What the person is told; the log gets a line (a refusal) or the traceback."""
    reply = context.get("reply")
    command = reply.command if isinstance(reply, Reply) else "/coffee"
    if isinstance(error, DomainError):
        if isinstance(error, NotAllowed):
            log.warning(
                "refused %s to %s in %s: %s",
                _what(body),
                context.user_id,
                context.team_id,
                type(error).__name__,
            )
        else:
            log.info("%s (%s) on %s", type(error).__name__, _field(error), _what(body))
        return error.for_user(command)
    log.error("listener failed on %s: %s", _what(body), type(error).__name__, exc_info=error)
    if isinstance(error, PoolTimeout | DBAPIError) and _is_connection_problem(error):
        return DATABASE_DOWN
    return UNEXPECTED


def _field_errors(error: Exception, message: str, view: dict[str, Any]) -> dict[str, str]:
    """The message(s) on the modal's fields they concern; others on its first input."""
    present = [
        str(b.get("block_id"))
        for b in view.get("blocks", [])
        if isinstance(b, dict) and b.get("type") == "input"
    ]
    fields = error.errors if isinstance(error, FieldErrors) else {_field(error) or "": message}
    placed: dict[str, str] = {}
    for field, text in fields.items():
        block = field_block(field, present)
        if block is not None:
            placed.setdefault(block, text[:2000])
    return placed


def _field(error: Exception) -> str | None:
    return error.field if isinstance(error, InvalidInput) else None


def _what(body: dict[str, Any]) -> str:
    """A request's kind, for the log: the command's subcommand, an action id, a callback id."""
    if "command" in body:
        words = str(body.get("text") or "").split()
        return f"command {words[0][:20] if words else 'help'}"
    kind = str(body.get("type") or "request")
    if kind == "block_actions":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else {}
        return f"action {str(first.get('action_id'))[:40] if isinstance(first, dict) else '?'}"
    view = body.get("view")
    if isinstance(view, dict):
        return f"{kind} {str(view.get('callback_id'))[:40]}"
    return kind


def _is_connection_problem(error: Exception) -> bool:
    if isinstance(error, PoolTimeout):
        return True
    assert isinstance(error, DBAPIError)
    name = type(error.orig).__name__ if error.orig is not None else ""
    return (
        error.connection_invalidated
        or "Operational" in type(error).__name__
        or name in {"OperationalError", "InterfaceError"}
    )
