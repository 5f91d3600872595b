"""The one error handler: a short apology to the user, a traceback in the log."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.blocks.status import problem_blocks

log = logging.getLogger(__name__)

DATABASE_DOWN = (
    "I can't reach my database right now, so nothing was saved. Please try again in a minute."
)
UNEXPECTED = (
    "Sorry, something went wrong on my side and nothing was saved. "
    "Please try again; if it keeps happening, tell your instructor."
)


def message_for(error: Exception) -> str:
    """What the user is told about an unexpected failure."""
    if isinstance(error, PoolTimeout | DBAPIError) and _is_connection_problem(error):
        return DATABASE_DOWN
    return UNEXPECTED


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


def handle_error(error: Exception, body: dict[str, Any], ack: Ack, respond: Respond) -> None:
    """Log the traceback; tell the user in the place they were looking."""
    log.error("listener failed: %s", error, exc_info=error)
    message = message_for(error)
    if body.get("type") == "view_submission" and ack.response is None:
        values = body.get("view", {}).get("state", {}).get("values", {})
        block = next(iter(values), None)
        if block:
            ack(response_action="errors", errors={block: message})
        else:
            ack()
        return
    if body.get("response_url"):
        respond(
            text=message,
            blocks=problem_blocks(message),
            response_type="ephemeral",
            replace_original=False,
        )


def register(app: App) -> None:
    app.error(handle_error)
