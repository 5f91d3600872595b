"""Submitted values of the setup modal's elements, shaped as Slack sends them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.slackreq import date_value, text_value


def channel_value(channel: str | None) -> dict[str, Any]:
    return {"type": "conversations_select", "selected_conversation": channel}


def users_value(users: list[str]) -> dict[str, Any]:
    return {"type": "multi_users_select", "selected_users": users}


def number_value(value: int | str | None) -> dict[str, Any]:
    return {"type": "number_input", "value": None if value is None else str(value)}


def datetime_value(instant: datetime | int | None) -> dict[str, Any]:
    stamp = int(instant.timestamp()) if isinstance(instant, datetime) else instant
    return {"type": "datetimepicker", "selected_date_time": stamp}


def untouched(view: dict[str, Any]) -> dict[str, Any]:
    """What submitting `view` without changing anything sends, keyed by block id."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind == "plain_text_input":
            value = text_value(element.get("initial_value"))
        elif kind == "datepicker":
            value = date_value(element.get("initial_date"))
        elif kind == "conversations_select":
            value = channel_value(element.get("initial_conversation"))
        elif kind == "multi_users_select":
            value = users_value(list(element.get("initial_users", [])))
        elif kind == "number_input":
            value = number_value(element.get("initial_value"))
        elif kind == "datetimepicker":
            value = datetime_value(element.get("initial_date_time"))
        else:
            raise AssertionError(f"no untouched value for {kind}")
        values[block["block_id"]] = value
    return values
