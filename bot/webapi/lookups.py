"""Small Web API look-ups the listeners share: who someone is, who is in a channel, DMs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.webapi.errors import meaning

log = logging.getLogger(__name__)

MEMBERS_PAGE = 200
USERS_PAGE = 200


@dataclass(frozen=True)
class Profile:
    """What users.info tells about a person (nothing, when it could not be read)."""

    user_id: str
    is_admin: bool = False
    is_bot: bool = False
    timezone: str | None = None


def profile_of(client: WebClient, user_id: str) -> Profile:
    """The user's profile; a plain, non-admin person when Slack can't tell us."""
    try:
        user: dict[str, Any] = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as error:
        log.warning("users.info %s failed: %s", user_id, error.response.get("error"))
        return Profile(user_id)
    return Profile(
        user_id=user_id,
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        is_bot=bool(user.get("is_bot") or user.get("deleted") or user_id == "USLACKBOT"),
        timezone=user.get("tz"),
    )


def channel_members(client: WebClient, channel_id: str) -> list[str]:
    """Every member of a channel, following conversations.members' cursor to the end."""
    members: list[str] = []
    for page in client.conversations_members(channel=channel_id, limit=MEMBERS_PAGE):
        members += page.get("members") or []
    return list(dict.fromkeys(members))


def bot_missing_from(client: WebClient, channel_id: str) -> bool:
    """Whether the bot is not in a channel (or cannot see it at all)."""
    try:
        channel = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError as error:
        code = error.response.get("error")
        if meaning(code).channel_problem:
            return True
        log.warning("conversations.info %s failed: %s", channel_id, code)
        return False
    return channel.get("is_member") is False


def send_dm(client: WebClient, user_id: str, text: str, blocks: list[dict[str, Any]]) -> bool:
    """A direct message from the bot; whether it went out (a refusal is logged, not raised)."""
    try:
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("DM to %s failed: %s", user_id, error.response.get("error"))
        return False
    return True


def user_names(client: WebClient, wanted: set[str]) -> dict[str, str]:
    """The names people go by (display name, else real name) for the users wanted, read a page
    of users.list at a time until all are found; {} for anyone Slack doesn't list."""
    names: dict[str, str] = {}
    for page in client.users_list(limit=USERS_PAGE):
        for user in page.get("members") or []:
            if not isinstance(user, dict) or user.get("id") not in wanted:
                continue
            profile = user.get("profile")
            profile = profile if isinstance(profile, dict) else {}
            shown = profile.get("display_name") or profile.get("real_name") or user.get("name")
            names[str(user["id"])] = str(shown or "")
        if len(names) == len(wanted):
            break
    return names


def timezones(client: WebClient, wanted: set[str]) -> dict[str, str]:
    """The Slack timezone (`tz`) of the users wanted, read from users.list a page at a time
    until all are found; {} for anyone Slack doesn't list or gives no timezone."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for page in client.users_list(limit=USERS_PAGE):
        for user in page.get("members") or []:
            if not isinstance(user, dict) or user.get("id") not in wanted:
                continue
            seen.add(str(user["id"]))
            tz = user.get("tz")
            if isinstance(tz, str) and tz:
                found[str(user["id"])] = tz
        if len(seen) == len(wanted):
            break
    return found
