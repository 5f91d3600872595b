"""The one table of Slack's error codes: whether to try again, and what each means for people.

Codes are Slack's own (`not_in_channel`), or ours for what Slack never answered: `ratelimited`
for HTTP 429, `http_<status>` for other HTTP failures, and a transport error's type name.
"""

from __future__ import annotations

import http.client
import urllib.error
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

UNCERTAIN = "outcome unknown"  # a try whose outcome we don't know: it may have reached Slack
# Transport failures: Slack (or the network to it) did not answer at all.
TRANSPORT_ERRORS = (
    TimeoutError,
    ConnectionError,
    urllib.error.URLError,
    http.client.HTTPException,
    OSError,
)


@dataclass(frozen=True)
class Meaning:
    """What a code means: try again later? only fixable in the channel? the message is gone?

    `why` completes “I couldn't post it: …”; `{channel}` is filled in for whoever reads it.
    """

    why: str
    retry: bool = True
    channel_problem: bool = False
    message_gone: bool = False
    auth_problem: bool = False


_CHANNEL = {
    "not_in_channel": "I'm not a member of {channel}",
    "channel_not_found": "I can't find {channel} (if it's private, I need to be invited)",
    "is_archived": "{channel} is archived",
    "restricted_action": "{channel} doesn't let me post",
}
_FINAL = {
    "user_not_found": "that person isn't in this workspace any more",
    "user_disabled": "that person's account is deactivated",
    "account_inactive": "that account is deactivated",
    "cannot_dm_bot": "that is a bot, and I don't message bots",
    "invalid_blocks": "the message was malformed (a bug on my side)",
    "invalid_blocks_format": "the message was malformed (a bug on my side)",
    "msg_too_long": "the message was too long (a bug on my side)",
    "no_text": "the message was empty (a bug on my side)",
    "too_many_attachments": "the message was malformed (a bug on my side)",
    "invalid_arguments": "the call was malformed (a bug on my side)",
    "invalid_metadata_format": "the message was malformed (a bug on my side)",
    "invalid_metadata_schema": "the message was malformed (a bug on my side)",
}
_AUTH = {
    "invalid_auth": "Slack doesn't accept my token",
    "not_authed": "Slack got no token from me",
    "token_revoked": "my token was revoked: reinstall the app",
    "token_expired": "my token expired: reinstall the app",
    "missing_scope": "the app lacks a permission it needs: reinstall it from manifest.json",
}
_GONE = {
    "message_not_found": "the earlier message is gone",
    "cant_update_message": "the earlier message can't be edited",
}
_TRANSIENT = {
    "ratelimited": "Slack asked me to slow down",
}

MEANINGS: dict[str, Meaning] = {
    **{code: Meaning(why, channel_problem=True) for code, why in _CHANNEL.items()},
    **{code: Meaning(why, retry=False) for code, why in _FINAL.items()},
    **{code: Meaning(why, retry=False, auth_problem=True) for code, why in _AUTH.items()},
    **{code: Meaning(why, retry=False, message_gone=True) for code, why in _GONE.items()},
    **{code: Meaning(why) for code, why in _TRANSIENT.items()},
}
CHANNEL_PROBLEMS = frozenset(code for code, m in MEANINGS.items() if m.channel_problem)


def meaning(code: str | None) -> Meaning:
    """What a code means; an unknown code is worth another try."""
    if not code:
        return Meaning("something went wrong on my side")
    if code in MEANINGS:
        return MEANINGS[code]
    if code.startswith("http_5") or not code.islower():
        return Meaning("Slack wasn't reachable")
    return Meaning(f"Slack said “{code}”")


def why(code: str | None, channel: str = "the channel") -> str:
    """The reason for a failure in plain words, e.g. `I'm not a member of <#C1>`."""
    return meaning(code).why.format(channel=channel)


def error_code(error: BaseException) -> str:
    """The code of a failed call: Slack's error, `ratelimited` for HTTP 429, `http_<status>`
    when Slack's answer carried none, or a transport error's type name."""
    if not isinstance(error, SlackApiError):
        return type(error).__name__
    response = error.response
    status = int(getattr(response, "status_code", 200) or 200)
    if status == 429:
        return "ratelimited"
    code = response.get("error") if isinstance(getattr(response, "data", None), dict) else None
    return str(code) if isinstance(code, str) and code else f"http_{status}"
