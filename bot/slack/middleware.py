"""What every request gets before its listener runs, and what closes it afterwards.

`once_per_event` (a global middleware) drops an Events API delivery Slack sends again (its
`event_id` was taken already: bot.domain.receipts), so a retry never doubles a side effect.
That one insert is the only database work before an event's ack.

`open_request` (a global Bolt middleware) puts the unit of work in the context: `session` (a
SQLAlchemy session, which connects on first use), `asker` (who is asking, resolved on first use),
`reply` (the one way to answer; `reply.command` is the slash command's name), `now`, `sessions`
(for work after the reply, in transactions of its own), `installations` (with OAuth, else
None) and, for a slash command, `subcommand` and `arguments`. It touches neither the database
nor Slack, so it never delays the ack. Listeners take these as arguments.

Commands, buttons and events are acknowledged at once, in the request's own thread, before
any work (`ack_first`): the ack never waits for a free listener thread. A modal submission is
answered by its listener (`watch_the_clock` makes sure that happens within Slack's 3 s).
`CloseRequest` ends the unit of work when the listener is done, whatever happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.request import BoltRequest

from bot.domain.receipts import take_event
from bot.slack.asker import Asker, identify
from bot.slack.deps import Deps
from bot.slack.parsing import split_command
from bot.slack.reply import Reply
from bot.webapi.lookups import profile_of

log = logging.getLogger(__name__)

Next = Callable[[], None]
INTERACTIVE = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}


class KeptAck(Ack):
    """An ack that stays sent. When a listener raises after acking, Bolt's thread runner sets
    the ack's response back to None; its request thread, which polls for the ack every 10 ms,
    may then never see it and answer Slack 404 after 3 s although the person was answered."""

    _kept: BoltResponse | None = None

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    @property
    def response(self) -> BoltResponse | None:
        return self._kept

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None or self._kept is None:
            self._kept = value


def open_request(deps: Deps) -> Callable[..., BoltResponse | None]:
    """The global middleware: the request's unit of work, asker and reply, in `context`."""

    def middleware(context: BoltContext, body: dict[str, Any], next: Next) -> BoltResponse | None:
        if not isinstance(context.get("ack"), KeptAck):
            context["ack"] = KeptAck()
        identity = identify(context.team_id, context.user_id, context.channel_id, body)
        if identity is None and (body.get("command") or body.get("type") in INTERACTIVE):
            log.warning("a request without a valid team or user was refused")
            return BoltResponse(status=400, body="")
        now = deps.now()
        session = deps.sessions()
        client = context.client
        context["session"] = session
        context["sessions"] = deps.sessions
        context["now"] = now
        context["installations"] = deps.installations
        context["reply"] = Reply(session, client, body, identity, deps.command, deps.response_urls)
        if identity is not None:
            context["asker"] = Asker(identity, session, now, lambda user: profile_of(client, user))
        if "command" in body:
            parsed = split_command(body.get("text"))
            context["subcommand"], context["arguments"] = parsed.subcommand, parsed.arguments
        next()
        return None

    return middleware


def once_per_event(deps: Deps) -> Callable[..., BoltResponse | None]:
    """The global middleware that lets each Events API delivery through once (by event_id)."""

    def middleware(body: dict[str, Any], next: Next) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not take_event(deps.sessions, event_id, deps.now()):
            log.info("an event Slack sent again was dropped: it was taken already")
            return BoltResponse(status=200, body="")
        next()
        return None

    return middleware


def ack_first(ack: Ack, next: Next) -> None:
    """Listener middleware for commands and buttons: the empty ack goes out before any work."""
    ack()
    next()


def watch_the_clock(ack: Ack, reply: Reply, next: Next) -> None:
    """Listener middleware for modal submissions: answered within 3 s, whatever happens."""
    reply.watch(ack)
    next()


class CloseRequest(ListenerCompletionHandler):
    """After the listener (and the error handler): roll back what wasn't committed, close."""

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        reply = request.context.get("reply")
        if isinstance(reply, Reply):
            reply.finish()
