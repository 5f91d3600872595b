"""Requests to the running app, signed exactly as Slack signs them."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM = "T0TEAM"
STUDENT = "U0STUDENT"
_trigger = itertools.count(1)


def trigger_id(n: int) -> str:
    """A trigger_id that says when it was issued (Slack's expire 3 s later): the fake checks."""
    return f"trigger.{n}.{int(time.time() * 1000)}"


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}


@dataclass
class SlackSender:
    """Posts form or JSON bodies to /slack/events with Slack's signature headers."""

    base_url: str
    signing_secret: str
    response_url_base: str

    def post(
        self,
        body: str,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        path: str = "/slack/events",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        verifier = SignatureVerifier(self.signing_secret)
        signed = signature or verifier.generate_signature(timestamp=stamp, body=body)
        request = urllib.request.Request(
            self.base_url + path,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signed,
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    def form(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        return self.post(urlencode(payload), "application/x-www-form-urlencoded", **kwargs)

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        return self.form({"payload": json.dumps(payload)}, **kwargs)

    def command_body(
        self,
        text: str,
        user: str = STUDENT,
        team: str = TEAM,
        channel: str = "C0GENERAL",
        command: str = "/coffee",
    ) -> dict[str, Any]:
        n = next(_trigger)
        return {
            "token": "legacy",
            "team_id": team,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "student",
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "is_enterprise_install": "false",
            "response_url": f"{self.response_url_base}/cmd{n}",
            "trigger_id": trigger_id(n),
        }

    def command(self, text: str, **kwargs: Any) -> Reply:
        signing = {k: kwargs.pop(k) for k in ("timestamp", "signature") if k in kwargs}
        return self.form(self.command_body(text, **kwargs), **signing)

    def view_submission(
        self, view: dict[str, Any], values: dict[str, Any], user: str = STUDENT, team: str = TEAM
    ) -> Reply:
        """Submit a view the bot opened, with `values` keyed by block id."""
        state = {"values": {bid: {"input": value} for bid, value in values.items()}}
        submitted = {
            **view,
            "id": "V0VIEW",
            "team_id": team,
            "state": state,
            "hash": "h",
            "app_id": "A0APP",
            "bot_id": "B0BOT",
        }
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "test"},
            "user": {"id": user, "team_id": team, "name": "student"},
            "api_app_id": "A0APP",
            "trigger_id": trigger_id(next(_trigger)),
            "view": submitted,
        }
        return self.interactive(payload)

    def block_action(
        self,
        action_id: str,
        value: str,
        block_id: str = "b",
        user: str = STUDENT,
        team: str = TEAM,
        channel: str = "C0GENERAL",
        response_url: str | None = None,
    ) -> Reply:
        n = next(_trigger)
        payload = {
            "type": "block_actions",
            "team": {"id": team, "domain": "test"},
            "user": {"id": user, "team_id": team, "name": "student"},
            "api_app_id": "A0APP",
            "trigger_id": trigger_id(n),
            "channel": {"id": channel, "name": "general"},
            "container": {"type": "message", "is_ephemeral": True},
            "response_url": response_url or f"{self.response_url_base}/act{n}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": "1.2",
                }
            ],
        }
        return self.interactive(payload)

    def menu_choice(
        self,
        action_id: str,
        value: str,
        user: str = STUDENT,
        team: str = TEAM,
        channel: str = "C0GENERAL",
        message_ts: str | None = None,
        response_url: str | None = None,
        home: bool = False,
    ) -> Reply:
        """A pick in an overflow or select menu: in a channel message (`message_ts`), an
        ephemeral message (the default), or App Home."""
        n = next(_trigger)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": team, "domain": "test"},
            "user": {"id": user, "team_id": team, "name": "someone"},
            "api_app_id": "A0APP",
            "trigger_id": f"trigger.{n}",
            "actions": [
                {
                    "type": "overflow",
                    "action_id": action_id,
                    "block_id": "b",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": "x"},
                        "value": value,
                    },
                    "action_ts": "1.2",
                }
            ],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "V0HOME"}
            payload["view"] = {"id": "V0HOME", "type": "home", "team_id": team, "blocks": []}
        else:
            payload["channel"] = {"id": channel, "name": "instructors"}
            payload["container"] = {
                "type": "message",
                "is_ephemeral": message_ts is None,
                "message_ts": message_ts or "1.1",
                "channel_id": channel,
            }
            payload["response_url"] = response_url or f"{self.response_url_base}/menu{n}"
        return self.interactive(payload)

    def event(
        self,
        event: dict[str, Any],
        team: str = TEAM,
        event_id: str | None = None,
        retry: int | None = None,
    ) -> Reply:
        """An Events API delivery; `event_id` and `retry` (X-Slack-Retry-Num) to send again."""
        payload = {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_trigger)}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "U0BOT", "is_bot": True}],
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        return self.post(json.dumps(payload), "application/json", headers=headers)


def text_value(text: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": text}


def select_value(value: str | None) -> dict[str, Any]:
    return {
        "type": "static_select",
        "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}
        if value
        else None,
    }


def date_value(day: str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": day}
