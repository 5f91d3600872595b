"""The one way a listener answers the person behind a request, once its work is committed.

Every method first commits the request's unit of work, so no transaction stays open across a
Web API call and nothing is shown as done before it is stored. Replies go where the person is
looking: the response_url of a command or a button (retried; if it still fails, an ephemeral
message or a DM), the modal they have open, their App Home.

A modal submission must be answered within Slack's 3 s. `watch` starts a timer when the
submission arrives; if the work is not done by then, the modal is answered with "still saving"
at once, and the outcome is shown in the modal when it is known, never a different one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import Session

from bot.blocks.forms import done_view
from bot.blocks.packing import Blocks
from bot.blocks.status import problem_blocks
from bot.blocks.text import escape, mrkdwn_section
from bot.slack.asker import Identity
from bot.webapi.client import retry_handlers
from bot.webapi.errors import TRANSPORT_ERRORS, error_code

log = logging.getLogger(__name__)

VIEW_ACK_BUDGET = 2.5  # seconds a modal submission may take before "still saving" is shown
TRIGGER_GONE = {"expired_trigger_id", "invalid_trigger_id", "trigger_exchanged"}
SLOW_FORM = (
    ":hourglass_flowing_sand: Slack took too long to open the form, so it didn't open. "
    "Please run the command again."
)
AFTER_SAVING = (
    "What you entered is saved, but something went wrong on my side right after. "
    "If something you expected didn't happen, try again in a minute or tell your instructor."
)
STILL_SAVING = ":hourglass_flowing_sand: Still saving… I'll show the result here in a moment."


class Reply:
    """Answers one request; see the module's docstring."""

    def __init__(
        self,
        session: Session,
        client: WebClient,
        body: Mapping[str, Any],
        identity: Identity | None,
        command: str,
        response_urls: tuple[str, ...] = ("https://hooks.slack.com/",),
    ) -> None:
        self.session = session
        self.response_urls = response_urls
        self.client = client
        self.body = body
        self.identity = identity
        self.command = command
        self._lock = threading.Lock()
        self._ack: Ack | None = None
        self._acked_late = False
        self._answered = False
        self._timer: threading.Timer | None = None

    # -- commands and buttons --------------------------------------------------------------

    def message(self, text: str, blocks: Blocks, *, replace: bool = False) -> None:
        """An ephemeral answer to a command or a button (`replace`: redraw that message)."""
        self.commit()
        url = self.body.get("response_url")
        if isinstance(url, str) and url.startswith(self.response_urls):
            if self._post_to_response_url(url, text, blocks, replace):
                return
        elif url is not None:
            log.warning("a response_url that is not Slack's was ignored")
        self._fallback(text, blocks)

    def modal(self, view: dict[str, Any]) -> None:
        """Open a modal (or replace the one the button was in) with the request's trigger."""
        self.commit()
        current = self._modal_id()
        try:
            if current:
                self.client.views_update(view_id=current, view=view)
            else:
                self.client.views_open(trigger_id=self.body.get("trigger_id"), view=view)
        except SlackApiError as error:
            if error.response.get("error") not in TRIGGER_GONE:
                raise
            log.warning("modal not opened: %s", error.response.get("error"))
            self.message(SLOW_FORM, [mrkdwn_section(SLOW_FORM)])

    def home(self, view: dict[str, Any]) -> None:
        """Publish their App Home; a failure is only logged (the next open tries again)."""
        self.commit()
        if self.identity is None:
            return
        try:
            self.client.views_publish(user_id=self.identity.user_id, view=view)
        except SlackApiError as error:
            log.warning("App Home not published: %s", error.response.get("error"))

    def dm(self, text: str, blocks: Blocks) -> None:
        """A direct message to the person; a failure is logged."""
        self.commit()
        if self.identity is None:
            return
        try:
            self.client.chat_postMessage(channel=self.identity.user_id, text=text, blocks=blocks)
        except (SlackApiError, *TRANSPORT_ERRORS) as error:
            log.warning("DM not sent: %s", error_code(error))

    # -- modal submissions ----------------------------------------------------------------

    def watch(self, ack: Ack) -> None:
        """Start the 3 s watch of a modal submission (called before the listener runs)."""
        self._ack = ack
        self._timer = threading.Timer(VIEW_ACK_BUDGET, self._still_saving)
        self._timer.daemon = True
        self._timer.start()

    def saved(self, view: dict[str, Any] | None = None) -> None:
        """The submission is done: commit, then close the modal or turn it into `view`."""
        self.commit()
        with self._lock:
            if not self._acked_late:
                self._stop_watch()
                assert self._ack is not None, "saved() answers modal submissions only"
                self._answered = True
                if view is None:
                    self._ack()
                else:
                    self._ack(response_action="update", view=view)
                return
        self.show_later(view or done_view("Saved", [mrkdwn_section(":white_check_mark: Saved.")]))

    def refuse_view(self, errors: dict[str, str], message: str) -> dict[str, Any] | None:
        """A refused modal submission: the ack body (`errors` on the form's fields, or the
        message in place of a form without any), or None when the modal was answered already.
        Then it shows why: nothing was saved (still saving), or the failure came after the save
        (the work after it, like posting a hand-in)."""
        with self._lock:
            saved, late = self._answered, self._acked_late
            if not (saved or late):
                self._stop_watch()
                self._answered = True
                if errors:
                    return {"response_action": "errors", "errors": errors}
                view = done_view("Not saved", problem_blocks(message))
                return {"response_action": "update", "view": view}
        if saved:
            log.warning("a modal's work failed after it was saved")
            self.show_later(done_view("Saved", problem_blocks(AFTER_SAVING)))
            return None
        reason = " ".join(dict.fromkeys(errors.values())) if errors else message
        self.show_later(done_view("Not saved", problem_blocks(f"Nothing was saved: {reason}")))
        return None

    # -- the error path -------------------------------------------------------------------

    def problem(self, message: str) -> None:
        """Tell them what went wrong where they are looking (the unit of work is rolled back)."""
        self.session.rollback()
        modal = self._modal_id()
        if modal and not self.body.get("response_url"):
            try:
                self.client.views_update(
                    view_id=modal, view=done_view("Something's wrong", problem_blocks(message))
                )
                return
            except SlackApiError as error:
                log.warning("problem not shown in the modal: %s", error.response.get("error"))
        self.message(escape(message), problem_blocks(message))

    # -- plumbing -------------------------------------------------------------------------

    def commit(self) -> None:
        """End the unit of work: what the listener did is stored from here on."""
        if self.session.in_transaction():
            self.session.commit()

    def finish(self) -> None:
        """The request is over: stop the watch and close the session (uncommitted work is
        rolled back)."""
        with self._lock:
            self._stop_watch()
        self.session.close()

    def _still_saving(self) -> None:
        with self._lock:
            if self._ack is None or self._ack.response is not None:
                return
            self._acked_late = True
            self._ack(
                response_action="update",
                view=done_view("Saving", [mrkdwn_section(STILL_SAVING)]),
            )
        log.warning("a modal submission took over %.1f s; answered 'still saving'", VIEW_ACK_BUDGET)

    def _stop_watch(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def show_later(self, view: dict[str, Any]) -> None:
        """Show `view` in the modal they submitted (answered already), or DM it if it is gone."""
        self.commit()
        modal = self._modal_id()
        try:
            if modal:
                self.client.views_update(view_id=modal, view=view)
                return
        except SlackApiError as error:
            log.warning("late result not shown in the modal: %s", error.response.get("error"))
        texts = [b["text"]["text"] for b in view.get("blocks", []) if "text" in b]
        self.dm(" ".join(texts)[:3000] or "Done.", view.get("blocks", []))

    @property
    def in_modal(self) -> bool:
        """Whether the request came from a modal (a button in it, or its submission)."""
        return self._modal_id() is not None

    def _modal_id(self) -> str | None:
        """The modal the request came from; never the App Home (a button there opens a modal
        on top of it instead of replacing it)."""
        view = self.body.get("view")
        if (
            isinstance(view, dict)
            and isinstance(view.get("id"), str)
            and view.get("type", "modal") == "modal"
        ):
            return str(view["id"])
        return None

    def _post_to_response_url(self, url: str, text: str, blocks: Blocks, replace: bool) -> bool:
        webhook = WebhookClient(
            url, timeout=10, retry_handlers=retry_handlers(max_rate_limit_wait=1)
        )
        try:
            answer = webhook.send(
                text=text,
                blocks=blocks,
                response_type="ephemeral",
                replace_original=replace,
            )
        except Exception as error:  # a transport failure: fall back below
            log.warning("response_url post failed: %s", type(error).__name__)
            return False
        if answer.status_code != 200:
            log.warning("response_url post refused: HTTP %s", answer.status_code)
            return False
        return True

    def _fallback(self, text: str, blocks: Blocks) -> None:
        """The response_url is gone or refused: an ephemeral message in the channel, else a DM."""
        if self.identity is None:
            return
        channel = self.identity.channel_id
        try:
            if channel and not channel.startswith("D"):
                self.client.chat_postEphemeral(
                    channel=channel, user=self.identity.user_id, text=text, blocks=blocks
                )
                return
        except (SlackApiError, *TRANSPORT_ERRORS) as error:
            log.warning("ephemeral fallback failed: %s", error_code(error))
        self.dm(text, blocks)
