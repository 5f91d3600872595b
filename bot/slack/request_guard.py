"""A guard in front of Bolt: only signed, fresh, well-formed requests reach the listeners.

Bolt answers HTTP 500 when a signed body is not shaped the way Slack shapes it (a payload that
is not a JSON object, `actions` that are not objects, an `event` that is a string, a body that
is not UTF-8, a timestamp that is not a number...). This WSGI wrapper answers those itself:

- 401 when the timestamp is missing, not a plain number of seconds, or more than 300 s away
  from now in either direction, or when the signature does not match (checked with
  `slack_sdk.signature.SignatureVerifier`);
- 400 when the body is not UTF-8 or not shaped like anything Slack sends: a slash command
  (form fields), an interactive `payload=` JSON object (block_actions, view_submission,
  view_closed, ...), or a JSON Events API body (event_callback, url_verification,
  app_rate_limited).

Each refusal is logged once, with the reason and where in the body it was found, never a
value: students' text is personal data. Everything else goes on to Bolt, which verifies the
signature again. Slack's `ssl_check` (sent without a signature) passes when it is nothing else.

The shape checks mirror what Bolt reads to route a request and build its context, plus what
every listener can rely on (`user` in interactive payloads, objects where objects are
expected). `check_body` runs them on an already parsed body: Socket Mode requests do not come
through WSGI, so a listener middleware can call it there.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import Clock, SignatureVerifier

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

MAX_AGE = 300
"""Seconds a request may be away from now, either way (Slack's window)."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_SLACK_ID = re.compile(r"[A-Z0-9]{1,32}")
_SSL_CHECK_FIELDS = {"ssl_check", "token"}
_COMMAND_FIELDS = ("command", "team_id", "user_id", "response_url", "trigger_id")
_COMMAND_IDS = ("team_id", "user_id", "channel_id", "enterprise_id")
_NOT_IN_COMMANDS = ("authorizations", "response_urls")
_VIEW_TYPES = {"view_submission", "view_closed"}
_TEAM_READ = {"block_actions", *_VIEW_TYPES}  # listeners key these by the user's team


class Malformed(Exception):
    """A body Slack would not send: where (a path with no values in it) and what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where} {problem}")
        self.where = where
        self.problem = problem


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class RequestGuard:
    """WSGI middleware for Slack's request URL; `app` is Bolt's handler."""

    def __init__(
        self, app: WsgiApp, signing_secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        if not signing_secret or not signing_secret.strip():
            raise ValueError("the request guard needs the signing secret")
        self.app = app
        self.clock = clock
        self.secret = signing_secret
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        try:
            raw = _read_body(environ)
        except Malformed as error:
            return self._refuse(start_response, 400, error.problem, error.where)
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE")
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and stamp is None and signature is None and _is_ssl_check(text):
            return self.app(environ, start_response)  # Slack sends these unsigned
        refused = self._authenticity(raw, text, stamp, signature)
        if refused:
            return self._refuse(start_response, 401, refused, "headers")
        if text is None:
            return self._refuse(start_response, 400, "is not UTF-8", "body")
        content_type = environ.get("CONTENT_TYPE")
        try:
            kind = check_raw_body(text, content_type)
        except Malformed as error:
            return self._refuse(start_response, 400, error.problem, error.where, content_type)
        if kind == "slash_command" and "payload" in text:
            self._make_readable(environ, text, stamp or "")
        return self.app(environ, start_response)

    def _authenticity(
        self, raw: bytes, text: str | None, stamp: str | None, signature: str | None
    ) -> str | None:
        """Why the request is not a fresh one signed with our secret; None when it is."""
        if stamp is None:
            return "has no X-Slack-Request-Timestamp"
        if not _TIMESTAMP.fullmatch(stamp):
            return "has a timestamp that is not a number of seconds"
        stale = stamp_problem(int(stamp), self.clock())
        if stale:
            return stale
        if signature is None or not _SIGNATURE.fullmatch(signature):
            return "has no well-formed X-Slack-Signature"
        if text is None:  # not UTF-8: SignatureVerifier cannot read it; sign the bytes
            expected = _sign_bytes(self.secret, stamp, raw)
            valid = hmac.compare_digest(expected.encode(), signature.encode())
        else:
            valid = self.verifier.is_valid(text, stamp, signature)
        return None if valid else "has a signature that does not match"

    def _make_readable(self, environ: dict[str, Any], text: str, stamp: str) -> None:
        """Bolt reads any form body containing the word `payload` as an interactive payload,
        so `/coffee outreach payload ...` would reach no listener. Percent-encode its `p`
        (the same form fields once decoded) and sign the new body for Bolt's own check."""
        body = text.replace("payload", "%70ayload")
        environ["wsgi.input"] = io.BytesIO(body.encode())
        environ["CONTENT_LENGTH"] = str(len(body.encode()))
        signed = self.verifier.generate_signature(timestamp=stamp, body=body)
        environ["HTTP_X_SLACK_SIGNATURE"] = signed

    def _refuse(
        self,
        start_response: StartResponse,
        status: int,
        problem: str,
        where: str,
        content_type: str | None = None,
    ) -> Iterable[bytes]:
        shown = (content_type or "none").split(";")[0][:40]
        log.warning("refused a request: %s %s %s (content type %s)", status, where, problem, shown)
        reason = "invalid request" if status == 401 else "malformed request"
        body = json.dumps({"error": reason}).encode()
        phrase = "401 Unauthorized" if status == 401 else "400 Bad Request"
        start_response(
            phrase, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]


def stamp_problem(stamp: int, now: float) -> str | None:
    """Why a request stamped `stamp` is outside Slack's window at `now`; None when inside.

    The stamp names a whole second, [stamp, stamp + 1): every instant of it must lie within
    MAX_AGE of now. slack_sdk compares `abs(now - stamp)`, the start of that second only, which
    lets a stamp 301 s ahead through whenever the clock has moved past the second it was read
    in; in the past it refuses 300 s already. Here both sides refuse the same distance.
    """
    if now - stamp > MAX_AGE:
        return "has a timestamp more than 300 s in the past"
    if stamp + 1 - now > MAX_AGE:
        return "has a timestamp more than 300 s in the future"
    return None


def _read_body(environ: dict[str, Any]) -> bytes:
    length = environ.get("CONTENT_LENGTH") or "0"
    if not str(length).isdigit():
        raise Malformed("Content-Length", "is not a number")
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    data: bytes = stream.read(int(length))
    return data


def _sign_bytes(secret: str, stamp: str, raw: bytes) -> str:
    """Slack's v0 signature over bytes that are not text (SignatureVerifier decodes them)."""
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256)
    return "v0=" + digest.hexdigest()


def _is_ssl_check(text: str) -> bool:
    """Slack's certificate check: `ssl_check=1&token=…` and nothing else."""
    if text.startswith("{"):
        return False
    try:
        fields = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return False
    names = [name for name, _ in fields]
    return (
        "ssl_check" in names
        and set(names) <= _SSL_CHECK_FIELDS
        and len(names) == len(set(names))
        and dict(fields)["ssl_check"] == "1"
    )


# -- the shapes Slack sends ---------------------------------------------------------------------


def check_raw_body(text: str, content_type: str | None) -> str:
    """Parse the body the way Bolt will and check its shape; the kind of request it is.

    Raises Malformed. Bolt reads JSON when the content type is application/json or the body
    starts with `{`, an interactive payload when a form body contains `payload`, and form
    fields otherwise; the same reading is checked here, so what passes is what Bolt sees.
    """
    if not text:
        raise Malformed("body", "is empty")
    kind = (content_type or "").split(";")[0]
    if kind == "application/json" or text.startswith("{"):
        body = _json_object(text, "body")
        if "type" not in body:  # over HTTP, JSON is the Events API: it always has a type
            raise Malformed("body.type", "is missing")
        return check_body(body, "body")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise Malformed("form field", "is not UTF-8 once decoded") from error
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise Malformed("form", "repeats a field")
    fields = dict(pairs)
    if "payload" in fields:
        if len(fields) != 1:
            raise Malformed("form", "has fields beside the payload")
        payload = _json_object(fields["payload"], "payload")
        if "type" not in payload:
            raise Malformed("payload.type", "is missing")
        return check_body(payload, "payload")
    if fields.get("ssl_check") == "1" and set(fields) <= _SSL_CHECK_FIELDS:
        return "ssl_check"
    if "command" in fields:
        _check_command(fields)
        return "slash_command"
    raise Malformed("form", "is neither a slash command nor an interactive payload")


def check_body(body: Any, where: str = "body") -> str:
    """Check a parsed request body (HTTP or Socket Mode); its kind. Raises Malformed."""
    if not isinstance(body, dict):
        raise Malformed(where, "is not an object")
    if "command" in body and "type" not in body:
        _check_command(body)
        return "slash_command"
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        raise Malformed(f"{where}.type", "is not a string")
    _check_envelope(body, where)
    if kind == "url_verification":
        _string(body, "challenge", where, required=True)
    elif kind == "event_callback":
        _check_event_callback(body, where)
    elif kind == "app_rate_limited":
        _id(body, "team_id", where, required=True)
    else:
        _check_interactive(body, kind, where)
    return kind


def _json_object(text: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Malformed(where, "is not JSON") from error
    if not isinstance(value, dict):
        raise Malformed(where, "is not a JSON object")
    try:  # JSON can escape half a surrogate pair (\ud800), which no UTF-8 text holds
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise Malformed(where, "holds a lone surrogate, not Unicode text") from error
    return value


def _check_command(fields: Mapping[str, Any]) -> None:
    """A slash command: the form fields Bolt and the command listener read."""
    if not all(isinstance(value, str) for value in fields.values()):
        raise Malformed("command", "has a field that is not a string")
    for name in _COMMAND_FIELDS:
        if not fields.get(name):
            raise Malformed(f"command.{name}", "is missing")
    for name in _NOT_IN_COMMANDS:  # Bolt indexes into these as lists of objects
        if name in fields:
            raise Malformed(f"command.{name}", "is not a slash command field")
    if not fields["command"].startswith("/"):
        raise Malformed("command.command", "does not start with /")
    for name in _COMMAND_IDS:
        if fields.get(name) and not _SLACK_ID.fullmatch(fields[name]):
            raise Malformed(f"command.{name}", "is not a Slack ID")
    _url(fields, "response_url", "command")


def _check_envelope(body: dict[str, Any], where: str) -> None:
    """The fields Bolt reads from every body to build its context."""
    _ref(body, "enterprise", where, nullable=True)
    _ref(body, "team", where, nullable=True, allow_string=False)
    _ref(body, "channel", where, nullable=True, allow_string=False)
    for name in ("enterprise_id", "team_id", "user_id", "channel_id"):
        _id(body, name, where, nullable=True)
    for name in ("context_team_id", "context_enterprise_id"):
        _id(body, name, where, nullable=True)
    for name in ("api_app_id", "token", "trigger_id", "thread_ts", "function_execution_id"):
        _string(body, name, where, nullable=True)
    _boolish(body, "is_enterprise_install", where)
    _boolish(body, "is_ext_shared_channel", where)
    authorizations = _array(body, "authorizations", where)
    for number, item in enumerate(authorizations or []):
        at = f"{where}.authorizations[{number}]"
        if not isinstance(item, dict):
            raise Malformed(at, "is not an object")
        for name in ("enterprise_id", "team_id", "user_id"):
            _id(item, name, at, nullable=True)
        _boolish(item, "is_enterprise_install", at)
        _boolish(item, "is_bot", at)
    for name in ("message", "previous_message", "container", "function_data", "state"):
        _object(body, name, where)
    if "response_url" in body:
        _url(body, "response_url", where)
    for number, item in enumerate(_array(body, "response_urls", where) or []):
        at = f"{where}.response_urls[{number}]"
        if not isinstance(item, dict):
            raise Malformed(at, "is not an object")
        _url(item, "response_url", at)
    if "view" in body:
        _check_view(body, where)


def _check_event_callback(body: dict[str, Any], where: str) -> None:
    _id(body, "team_id", where, required=True)
    _string(body, "event_id", where, nullable=True)
    event = body.get("event")
    at = f"{where}.event"
    if not isinstance(event, dict):
        raise Malformed(at, "is not an object")
    _string(event, "type", at, required=True)
    for name in ("subtype", "tab", "bot_id", "ts", "event_ts", "channel_type"):
        _string(event, name, at, nullable=True)
    for name in ("user", "channel", "team", "user_team", "source_team"):
        value = event.get(name)
        if isinstance(value, dict):
            _id(value, "id", f"{at}.{name}", nullable=True)
            _id(value, "team_id", f"{at}.{name}", nullable=True)
        else:
            _id(event, name, at, nullable=True)
    for name in ("message", "previous_message", "item", "view", "assistant_thread"):
        _object(event, name, at)


def _check_interactive(body: dict[str, Any], kind: str, where: str) -> None:
    user = body.get("user")
    at = f"{where}.user"
    if not isinstance(user, dict):
        raise Malformed(at, "is missing or not an object")
    _id(user, "id", at, required=True)
    _id(user, "team_id", at, required=kind in _TEAM_READ, nullable=kind not in _TEAM_READ)
    for name in ("callback_id", "action_id", "block_id"):
        _string(body, name, where)
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            raise Malformed(f"{where}.actions", "is not a non-empty list")
        for number, action in enumerate(actions):
            _check_action(action, f"{where}.actions[{number}]", needs_id=True)
    elif kind in _VIEW_TYPES and not isinstance(body.get("view"), dict):
        raise Malformed(f"{where}.view", "is missing")
    elif kind == "block_suggestion":
        _string(body, "action_id", where, required=True)
        _string(body, "value", where, nullable=True)


def _check_view(body: dict[str, Any], where: str) -> None:
    view = body["view"]
    at = f"{where}.view"
    if not isinstance(view, dict):
        raise Malformed(at, "is not an object")
    for name in ("id", "type", "hash", "private_metadata", "root_view_id", "previous_view_id"):
        _string(view, name, at, nullable=True)
    _string(view, "callback_id", at, required=body.get("type") in _VIEW_TYPES)
    for name in ("team_id", "app_installed_team_id", "app_id", "bot_id"):
        _id(view, name, at, nullable=True)
    for number, block in enumerate(_array(view, "blocks", at) or []):
        block_at = f"{at}.blocks[{number}]"
        if not isinstance(block, dict):
            raise Malformed(block_at, "is not an object")
        _string(block, "type", block_at)
        _string(block, "block_id", block_at)
    if "state" not in view:
        return
    state = view["state"]
    if not isinstance(state, dict):
        raise Malformed(f"{at}.state", "is not an object")
    values = state.get("values", {})
    if not isinstance(values, dict):
        raise Malformed(f"{at}.state.values", "is not an object")
    for block in values.values():
        block_at = f"{at}.state.values.<block>"
        if not isinstance(block, dict):
            raise Malformed(block_at, "is not an object")
        for element in block.values():
            _check_action(element, f"{block_at}.<action>", needs_id=False)


_STRING_STATES = (
    "type",
    "value",
    "block_id",
    "action_ts",
    "selected_date",
    "selected_time",
    "timezone",
)
_ID_STATES = ("selected_conversation", "selected_channel", "selected_user")
_ID_LIST_STATES = ("selected_users", "selected_conversations", "selected_channels")
_UNIX_TIMES = range(-62_135_596_800, 253_402_300_800)  # what a datetime holds: years 1 to 9999


def _check_action(action: Any, at: str, needs_id: bool) -> None:
    """An action in block_actions, or an element's state in a view: Slack's value shapes."""
    if not isinstance(action, dict):
        raise Malformed(at, "is not an object")
    _string(action, "action_id", at, required=needs_id)
    for name in _STRING_STATES:
        _string(action, name, at, nullable=True)
    for name in _ID_STATES:
        _id(action, name, at, nullable=True)
    if "selected_date_time" in action and action["selected_date_time"] is not None:
        stamp = action["selected_date_time"]
        if isinstance(stamp, bool) or not isinstance(stamp, int) or stamp not in _UNIX_TIMES:
            raise Malformed(f"{at}.selected_date_time", "is not a Unix time")
    if "selected_option" in action and action["selected_option"] is not None:
        _check_option(action["selected_option"], f"{at}.selected_option")
    for number, option in enumerate(_array(action, "selected_options", at) or []):
        _check_option(option, f"{at}.selected_options[{number}]")
    for name in _ID_LIST_STATES:
        items = _array(action, name, at) or []
        if not all(isinstance(item, str) and _SLACK_ID.fullmatch(item) for item in items):
            raise Malformed(f"{at}.{name}", "holds something other than Slack IDs")


def _check_option(option: Any, at: str) -> None:
    if not isinstance(option, dict):
        raise Malformed(at, "is not an object")
    _string(option, "value", at, required=True)


# -- field helpers ------------------------------------------------------------------------------


def _string(
    node: dict[str, Any], name: str, at: str, required: bool = False, nullable: bool = False
) -> None:
    if name not in node:
        if required:
            raise Malformed(f"{at}.{name}", "is missing")
        return
    value = node[name]
    if value is None and nullable and not required:
        return
    if not isinstance(value, str):
        raise Malformed(f"{at}.{name}", "is not a string")


def _id(
    node: dict[str, Any], name: str, at: str, required: bool = False, nullable: bool = False
) -> None:
    """A Slack ID (team, user, channel, enterprise): upper-case letters and digits.

    Optional IDs may be absent, null or empty; required ones must be there.
    """
    value = node.get(name)
    if value is None or (value == "" and nullable):
        if required or (name in node and not nullable):
            raise Malformed(f"{at}.{name}", "is missing")
        return
    if not isinstance(value, str) or not _SLACK_ID.fullmatch(value):
        raise Malformed(f"{at}.{name}", "is not a Slack ID")


def _ref(
    node: dict[str, Any], name: str, at: str, nullable: bool, allow_string: bool = True
) -> None:
    """`team`, `channel`, `enterprise`: an object with an ID (Bolt also takes a bare ID)."""
    if name not in node or (node[name] is None and nullable):
        return
    value = node[name]
    if isinstance(value, str) and allow_string:
        _id(node, name, at)
        return
    if not isinstance(value, dict):
        raise Malformed(f"{at}.{name}", "is not an object")
    _id(value, "id", f"{at}.{name}", nullable=True)


def _object(node: dict[str, Any], name: str, at: str) -> None:
    if name in node and not isinstance(node[name], dict):
        raise Malformed(f"{at}.{name}", "is not an object")


def _array(node: dict[str, Any], name: str, at: str) -> list[Any] | None:
    if name not in node or node[name] is None:
        return None
    if not isinstance(node[name], list):
        raise Malformed(f"{at}.{name}", "is not a list")
    items: list[Any] = node[name]
    return items


def _boolish(node: dict[str, Any], name: str, at: str) -> None:
    if name in node and node[name] is not None and not isinstance(node[name], bool | str):
        raise Malformed(f"{at}.{name}", "is not a boolean")


def _url(node: Mapping[str, Any], name: str, at: str) -> None:
    value = node.get(name)
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise Malformed(f"{at}.{name}", "is not an http(s) URL")
