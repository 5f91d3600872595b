"""The request guard: malformed signed requests get 400, stale or unsigned ones 401, each logged
once without its contents; whatever Slack really sends still reaches Bolt."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.models import Contact
from bot.slack.request_guard import MAX_AGE, Malformed, RequestGuard, check_body, stamp_problem
from tests.conftest import SIGNING_SECRET, Bot
from tests.hostile import RawSender, sign
from tests.slackreq import STUDENT, TEAM, Reply

SENTINEL = "Ada-Sentinel-7f3"  # a student's text: must never reach the log
USER = {"id": STUDENT, "team_id": TEAM, "name": "student"}
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def block_actions(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "test"},
        "user": USER,
        "api_app_id": "A0APP",
        "trigger_id": "1.2.abc",
        "channel": {"id": "C0GENERAL", "name": "general"},
        "container": {"type": "message", "is_ephemeral": True},
        "response_url": "https://hooks.slack.com/actions/T0TEAM/1/abc",
        "actions": [
            {"type": "button", "action_id": "list_page_older", "value": "1", "block_id": SENTINEL}
        ],
    }
    return {**payload, **changes}


def view_submission(view: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    base_view = {
        "id": "V0VIEW",
        "team_id": TEAM,
        "type": "modal",
        "callback_id": "outreach_modal",
        "private_metadata": json.dumps({"channel_id": "C0GENERAL"}),
        "blocks": [],
        "state": {"values": {"name": {"input": {"type": "plain_text_input", "value": SENTINEL}}}},
        "hash": "h",
    }
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "test"},
        "user": USER,
        "api_app_id": "A0APP",
        "trigger_id": "1.2.abc",
        "view": {**base_view, **(view or {})},
    }
    return {**payload, **changes}


def event_callback(event: Any = None, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0APP",
        "event": {"type": "app_home_opened", "user": STUDENT, "tab": "home", "text": SENTINEL}
        if event is None
        else event,
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": 1,
        "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}],
    }
    return {**payload, **changes}


def command(**changes: str) -> dict[str, str]:
    fields = {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": STUDENT,
        "user_name": "student",
        "command": "/coffee",
        "text": f"outreach {SENTINEL}",
        "api_app_id": "A0APP",
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T0TEAM/1/abc",
        "trigger_id": "1.2.abc",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v != "<drop>"}


def without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    node = payload
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return payload


def state(values: Any) -> dict[str, Any]:
    return view_submission({"state": {"values": values}})


def element(**fields: Any) -> dict[str, Any]:
    return state({"name": {"input": {"type": "plain_text_input", **fields}}})


Send = Callable[[RawSender], Reply]


def payload(value: Any) -> Send:
    raw = value if isinstance(value, str) else json.dumps(value)
    return lambda s: s.post(urlencode({"payload": raw}))


def as_json(value: Any, content_type: str = JSON) -> Send:
    raw = value if isinstance(value, str) else json.dumps(value)
    return lambda s: s.post(raw, content_type)


def form(fields: dict[str, str] | str) -> Send:
    raw = fields if isinstance(fields, str) else urlencode(fields)
    return lambda s: s.post(raw)


def raw_bytes(body: bytes, content_type: str = FORM) -> Send:
    return lambda s: s.post(body, content_type)


MALFORMED: dict[str, Send] = {
    # the body as a whole
    "empty form body": form(""),
    "empty JSON body": as_json(""),
    "form body not UTF-8": raw_bytes(b"command=%2Fcoffee&text=Ada\xff\xfe&team_id=T0TEAM"),
    "JSON body not UTF-8": raw_bytes(b'{"type": "url_verification", "challenge": "\xc3"}', JSON),
    "form field not UTF-8 once decoded": form(urlencode(command()) + "&text=%FF%FE"),
    "form of neither kind": form({"foo": SENTINEL}),
    "form repeats a field": form(urlencode(command()) + "&user_id=U0OTHER"),
    "payload beside other fields": form(
        urlencode({"payload": json.dumps(block_actions()), "command": "/coffee"})
    ),
    # payload= that is not an object
    "payload not JSON": payload("{nope " + SENTINEL),
    "payload a list": payload([block_actions()]),
    "payload a string": payload(json.dumps(SENTINEL)),
    "payload null": payload("null"),
    "payload a number": payload("12"),
    "payload without type": payload(without(block_actions(), "type")),
    "payload type not a string": payload(block_actions(type=["block_actions"])),
    # JSON bodies that are not objects
    "JSON list": as_json([event_callback()]),
    "JSON string": as_json(json.dumps(SENTINEL)),
    "JSON null": as_json("null"),
    "JSON without type": as_json(without(event_callback(), "type")),
    "payload with a lone surrogate": payload(element(value="Ada \ud800")),
    "JSON with a lone surrogate key": as_json('{"type": "event_callback", "\\udfff": 1}'),
    "JSON nested too deep": as_json("[" * 100_000 + "]" * 100_000),
    "JSON with a 5000-digit number": as_json('{"type": "event_callback", "n": ' + "9" * 5000 + "}"),
    "form body sent as JSON": as_json(urlencode(command())),
    # block_actions
    "actions empty": payload(block_actions(actions=[])),
    "actions missing": payload(without(block_actions(), "actions")),
    "actions not a list": payload(block_actions(actions={"action_id": "list_page_older"})),
    "action a number": payload(block_actions(actions=[1])),
    "action a string": payload(block_actions(actions=[SENTINEL])),
    "action without action_id": payload(block_actions(actions=[{"value": "1"}])),
    "action_id a number": payload(block_actions(actions=[{"action_id": 7}])),
    "action value an object": payload(
        block_actions(actions=[{"action_id": "move_chatted", "value": {"id": 1}}])
    ),
    "action selected_option a string": payload(
        block_actions(actions=[{"action_id": "x", "selected_option": SENTINEL}])
    ),
    # who and where
    "user missing": payload(without(block_actions(), "user")),
    "user a string": payload(block_actions(user=STUDENT)),
    "user without id": payload(block_actions(user={"team_id": TEAM})),
    "user without team_id": payload(block_actions(user={"id": STUDENT})),
    "user id not a Slack ID": payload(block_actions(user={"id": SENTINEL, "team_id": TEAM})),
    "user id huge": payload(block_actions(user={"id": "U" * 1000, "team_id": TEAM})),
    "team a number": payload(block_actions(team=5)),
    "team a list": payload(block_actions(team=[TEAM])),
    "team a string": payload(block_actions(team=TEAM)),
    "team id not a Slack ID": payload(block_actions(team={"id": "t0team"})),
    "channel a list": payload(block_actions(channel=["C0GENERAL"])),
    "enterprise a number": payload(block_actions(enterprise=3)),
    "authorizations not a list": payload(block_actions(authorizations="T0TEAM")),
    "authorization a string": payload(block_actions(authorizations=["T0TEAM"])),
    "response_url not a URL": payload(block_actions(response_url=SENTINEL)),
    "response_urls items not objects": payload(
        view_submission(response_urls=["https://hooks.slack.com/x"])
    ),
    "message not an object": payload(block_actions(message=SENTINEL)),
    # view_submission
    "view missing": payload(without(view_submission(), "view")),
    "view a string": payload(view_submission(view=None) | {"view": SENTINEL}),
    "view without callback_id": payload(without(view_submission(), "view", "callback_id")),
    "callback_id a number": payload(view_submission({"callback_id": 1})),
    "private_metadata an object": payload(view_submission({"private_metadata": {"a": 1}})),
    "view blocks not a list": payload(view_submission({"blocks": "x"})),
    "view block not an object": payload(view_submission({"blocks": [SENTINEL]})),
    "state not an object": payload(view_submission({"state": [SENTINEL]})),
    "values not an object": payload(view_submission({"state": {"values": 1}})),
    "a block not an object": payload(state({"name": SENTINEL})),
    "an element not an object": payload(state({"name": {"input": [SENTINEL]}})),
    "value a number": payload(element(value=5)),
    "selected_option without value": payload(element(selected_option={"text": SENTINEL})),
    "selected_options not a list": payload(element(selected_options={"value": "1"})),
    "selected_users not strings": payload(element(selected_users=[1, 2])),
    "selected_date_time a string": payload(element(selected_date_time="tomorrow")),
    "selected_date_time past year 9999": payload(element(selected_date_time=10**12)),
    "selected_users not Slack IDs": payload(element(selected_users=["U0TEACH", "<!here>"])),
    "selected_conversation not a Slack ID": payload(element(selected_conversation="#general")),
    "view_closed without view": payload({"type": "view_closed", "user": USER}),
    "block in a modal action not an object": payload(
        block_actions(view={"id": "V1", "type": "modal", "state": {"values": {"b": 1}}})
    ),
    # Events API
    "event a string": as_json(event_callback(SENTINEL)),
    "event a list": as_json(event_callback([{"type": "app_home_opened"}])),
    "event null": as_json(event_callback("<null>") | {"event": None}),
    "event missing": as_json(without(event_callback(), "event")),
    "event without type": as_json(event_callback({"user": STUDENT})),
    "event type a number": as_json(event_callback({"type": 3})),
    "event user a list": as_json(event_callback({"type": "app_home_opened", "user": [1]})),
    "event user not a Slack ID": as_json(event_callback({"type": "app_home_opened", "user": "x"})),
    "event channel a number": as_json(
        event_callback({"type": "member_joined_channel", "user": STUDENT, "channel": 9})
    ),
    "event_callback without team_id": as_json(without(event_callback(), "team_id")),
    "url_verification without challenge": as_json({"type": "url_verification"}),
    "url_verification challenge an object": as_json(
        {"type": "url_verification", "challenge": {"a": 1}}
    ),
    "app_rate_limited without team_id": as_json({"type": "app_rate_limited"}),
    # slash commands
    "command without user_id": form(command(user_id="<drop>")),
    "command without team_id": form(command(team_id="<drop>")),
    "command without trigger_id": form(command(trigger_id="<drop>")),
    "command without response_url": form(command(response_url="<drop>")),
    "command empty": form(command(command="")),
    "command without a slash": form(command(command="coffee")),
    "command team_id not a Slack ID": form(command(team_id="T0TEAM'; --")),
    "command user_id huge": form(command(user_id="U" * 40)),
    "command response_url not a URL": form(command(response_url="javascript:alert(1)")),
    "command with authorizations": form(command(authorizations="T0TEAM")),
    "command with response_urls": form(command(response_urls="x")),
}


def send_all(bot: Bot, cases: dict[str, Send], caplog: pytest.LogCaptureFixture) -> list[Any]:
    sender = RawSender(bot.base_url, SIGNING_SECRET)
    seen = []
    for name, send in cases.items():
        caplog.clear()
        reply = send(sender)
        records = [  # the bot's own lines (a loaded machine may add the server's queue warnings)
            r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot")
        ]
        seen.append((name, reply, records))
    return seen


@sqlite_only
def test_malformed_signed_requests_get_400_logged_once_without_their_contents(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    wrong = []
    for name, reply, records in send_all(bot, MALFORMED, caplog):
        ours = [r for r in records if r.name == "bot.slack.request_guard"]
        if reply.status != 400 or len(records) != 1 or len(ours) != 1:
            wrong.append(f"{name}: HTTP {reply.status}, {len(records)} log lines")
        elif SENTINEL in ours[0].getMessage() or "t0team" in ours[0].getMessage():
            wrong.append(f"{name}: the log line quotes the body")
    assert wrong == []
    assert bot.slack.calls == []


def stamped(stamp: Any, signature: str | None = None) -> Send:
    body = urlencode(command())
    return lambda s: s.post(body, stamp=str(stamp), signature=signature)


def now() -> int:
    return int(time.time())


UNAUTHENTIC: dict[str, Send] = {
    "no timestamp or signature": lambda s: s.post(urlencode(command()), signed=False),
    "no timestamp": lambda s: s.post(
        urlencode(command()), signed=False, headers={"X-Slack-Signature": "v0=" + "0" * 64}
    ),
    "no signature": lambda s: s.post(
        urlencode(command()), signed=False, headers={"X-Slack-Request-Timestamp": str(now())}
    ),
    "timestamp not a number": stamped("abc"),
    "timestamp in exponent form": stamped("1.8e9"),
    "timestamp with a fraction": lambda s: stamped(f"{now()}.5")(s),
    "timestamp with a sign": lambda s: stamped(f"+{now()}")(s),
    "timestamp with spaces": lambda s: stamped(f" {now()} ")(s),
    "timestamp with underscores": lambda s: stamped(f"{now():_}")(s),
    "timestamp negative": stamped(-now()),
    "timestamp 1,000 digits": stamped("1" * 1000),
    "timestamp zero": stamped(0),
    "timestamp 301 s in the past": lambda s: stamped(now() - MAX_AGE - 1)(s),
    "timestamp 301 s in the future": lambda s: stamped(now() + MAX_AGE + 1)(s),
    "timestamp an hour in the future": lambda s: stamped(now() + 3600)(s),
    "signature of another secret": lambda s: s.post(
        urlencode(command()), signature=sign("another-secret", str(now()), b"x")
    ),
    "signature upper-case hex": lambda s: (
        lambda body, stamp: s.post(
            body, stamp=stamp, signature=sign(SIGNING_SECRET, stamp, body.encode()).upper()
        )
    )(urlencode(command()), str(now())),
    "signature truncated": lambda s: s.post(urlencode(command()), signature="v0=abc"),
    "signature not ASCII": lambda s: s.post(urlencode(command()), signature="v0=" + "ÿ" * 64),
    "signature v1": lambda s: s.post(urlencode(command()), signature="v1=" + "0" * 64),
    "unsigned ssl_check smuggling a payload": lambda s: s.post(
        urlencode({"ssl_check": "1", "payload": json.dumps(block_actions())}), signed=False
    ),
    "unsigned ssl_check smuggling a command": lambda s: s.post(
        urlencode({"ssl_check": "1", **command()}), signed=False
    ),
    "unsigned body that is not UTF-8": lambda s: s.post(b"text=\xff", signed=False),
    "signed not-UTF-8 body, wrong signature": lambda s: s.post(
        b"text=\xff", signature="v0=" + "0" * 64
    ),
}


@sqlite_only
def test_unsigned_stale_or_future_requests_get_401_logged_once(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    wrong = []
    for name, reply, records in send_all(bot, UNAUTHENTIC, caplog):
        ours = [r for r in records if r.name == "bot.slack.request_guard"]
        if reply.status != 401 or len(records) != 1 or len(ours) != 1:
            wrong.append(f"{name}: HTTP {reply.status}, {len(records)} log lines")
    assert wrong == []
    with bot.session() as session:
        assert session.scalars(select(Contact)).all() == []
    assert bot.slack.calls == []


def test_the_window_is_300_seconds_either_way_for_every_instant_of_the_stamped_second() -> None:
    stamp = 1_800_000_000
    assert stamp_problem(stamp, stamp + 300.0) is None
    assert stamp_problem(stamp, stamp + 300.001) is not None  # past: like slack_sdk
    assert stamp_problem(stamp, stamp - 299.0) is None
    assert stamp_problem(stamp, stamp - 299.001) is not None  # the second ends 300 s ahead
    for fraction in (0.0, 0.25, 0.5, 0.999, 1.0, 1.5):  # how far the clock moved since
        assert stamp_problem(stamp + 301, stamp + fraction) is not None
        assert stamp_problem(stamp - 301, stamp + fraction) is not None
        assert stamp_problem(stamp + 298, stamp + fraction) is None
        assert stamp_problem(stamp - 298, stamp + fraction) is None


def test_the_guard_needs_the_signing_secret() -> None:
    for secret in ("", "   "):
        with pytest.raises(ValueError, match="signing secret"):
            RequestGuard(lambda _e, _s: [b""], secret)


def test_check_body_is_usable_on_socket_mode_bodies() -> None:
    assert check_body(block_actions()) == "block_actions"
    assert check_body(command()) == "slash_command"
    assert check_body(event_callback()) == "event_callback"
    for bad in ([], None, block_actions(actions=[]), event_callback("x"), command(user_id="u")):
        with pytest.raises(Malformed):
            check_body(bad)


@sqlite_only
def test_what_slack_really_sends_goes_through(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    sender = RawSender(bot.base_url, SIGNING_SECRET)
    bot.create_cohort()
    here = {"response_url": bot.slack.response_url("through")}
    ssl_check = urlencode({"ssl_check": "1", "token": "legacy"})
    assert sender.post(ssl_check, signed=False).status == 200  # Slack sends it unsigned
    assert sender.post(ssl_check).status == 200
    reply = sender.json({"type": "url_verification", "challenge": "c-123", "token": "legacy"})
    assert (reply.status, reply.json()) == (200, {"challenge": "c-123"})
    limited = {"type": "app_rate_limited", "team_id": TEAM, "minute_rate_limited": 1, "token": "t"}
    assert sender.json(limited).status not in {400, 401}
    retry = {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    assert sender.json(event_callback(), headers=retry).status == 200
    unknown = event_callback({"type": "reaction_added", "user": STUDENT, "item": {}})
    assert sender.json(unknown).status not in {400, 401}
    profile = {"type": "user_change", "user": {"id": STUDENT, "team_id": TEAM, "tz": "UTC"}}
    assert sender.json(event_callback(profile)).status == 200
    with_charset = json.dumps(event_callback())
    assert sender.post(with_charset, "application/json; charset=utf-8").status == 200
    home_click = block_actions(
        **here,
        view={"id": "V1", "type": "home", "team_id": TEAM, "state": {"values": {}}},
        container={"type": "view", "view_id": "V1"},
    )
    home_click.pop("channel")
    assert sender.payload(home_click).status not in {400, 401}
    closed = {"type": "view_closed", "team": {"id": TEAM}, "user": USER, "is_cleared": False}
    closed["view"] = view_submission()["view"]
    assert sender.payload(closed).status not in {400, 401}
    dialog = {"type": "dialog_submission", "callback_id": "d", "user": {"id": STUDENT}}
    assert sender.payload({**dialog, "team": {"id": TEAM}, "submission": {}}).status == 404
    grid = command(enterprise_id="E0ORG", enterprise_name="Org", text="help", **here)
    assert sender.post(urlencode(grid)).status == 200
    assert sender.post(urlencode(command(text="", channel_id="D0DM", **here))).status == 200
    helping = urlencode(command(text="help", **here))
    assert sender.post(helping, stamp=str(now() - MAX_AGE + 2)).status == 200
    assert sender.post(helping, stamp=str(now() + MAX_AGE - 2)).status == 200
    refused = [r.getMessage() for r in caplog.records if r.name == "bot.slack.request_guard"]
    assert refused == []


def test_a_command_with_the_word_payload_in_it_reaches_the_command(bot: Bot) -> None:
    """Bolt reads any form body containing `payload` as an interactive payload (and so routes
    `/coffee outreach payload…` nowhere): the guard re-encodes it so the command arrives."""
    bot.create_cohort()
    answer = bot.run("outreach Pat Payload https://www.linkedin.com/in/payload-pat")
    assert "Outreach logged" in answer.params["text"]
    with bot.session() as session:
        contact = session.scalars(select(Contact)).one()
    assert (contact.name, contact.linkedin_url) == (
        "Pat Payload",
        "https://www.linkedin.com/in/payload-pat",
    )
    assert bot.send.command("outreach payload", signature="v0=" + "0" * 64).status == 401
