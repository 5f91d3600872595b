"""Block Kit, the way a person would read it, for a terminal: text, buttons, menus, fields."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

WIDTH = 96
_MENTION = re.compile(r"<@(\w+)>")
_CHANNEL = re.compile(r"<#(\w+)(?:\|([^>]*))?>")
_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^>]+)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_EMOJI = {
    ":white_check_mark:": "✅",
    ":warning:": "⚠️",
    ":coffee:": "☕",
    ":tada:": "🎉",
    ":hourglass_flowing_sand:": "⏳",
    ":alarm_clock:": "⏰",
    ":wave:": "👋",
    ":calendar:": "📅",
    ":speech_balloon:": "💬",
    ":no_entry_sign:": "🚫",
    ":zzz:": "💤",
    ":memo:": "📝",
    ":busts_in_silhouette:": "👥",
    ":page_facing_up:": "📄",
    ":wastebasket:": "🗑️",
    ":thread:": "🧵",
    ":red_circle:": "🔴",
    ":large_orange_circle:": "🟠",
    ":large_yellow_circle:": "🟡",
    ":bulb:": "💡",
    ":seedling:": "🌱",
    ":mag:": "🔍",
}


def readable(text: str, names: Mapping[str, str]) -> str:
    """mrkdwn as plain text: @names, link labels, date fallbacks, no markup."""
    text = _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or names.get(m.group(1), m.group(1))), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(2), text)
    text = _BARE_LINK.sub(lambda m: m.group(1), text)
    text = _BOLD.sub(lambda m: m.group(1), text)
    text = _ITALIC.sub(lambda m: m.group(1), text)
    for code, emoji in _EMOJI.items():
        text = text.replace(code, emoji)
    return html.unescape(text.replace("```", ""))


def blocks_text(blocks: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> list[str]:
    """Each block as the lines a person reads."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(readable(_text(block.get("text")), names).upper())
        elif kind in {"section", "context"}:
            texts = [_text(block.get("text"))] if kind == "section" else []
            texts += [_text(e) for e in block.get("elements", []) if kind == "context"]
            texts += [_text(f) for f in block.get("fields", []) or []]
            for text in filter(None, texts):
                lines += _wrap(readable(text, names), "  " if kind == "context" else "")
            accessory = block.get("accessory")
            if isinstance(accessory, dict):
                lines.append("    " + _element(accessory))
        elif kind == "actions":
            lines.append("  " + "  ".join(_element(e) for e in block.get("elements", [])))
        elif kind == "input":
            label = readable(_text(block.get("label")), names)
            lines.append(f"  {label}: {_input_value(block.get('element') or {})}")
        elif kind == "divider":
            lines.append("  ─────")
    return lines


def view_text(view: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    title = _text(view.get("title"))
    head = [f"┌ {title} ┐"] if title else []
    submit = _text(view.get("submit"))
    tail = [f"  [{submit}]"] if submit else []
    return head + blocks_text(view.get("blocks", []), names) + tail


def _wrap(text: str, indent: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines() or [""]:
        out += textwrap.wrap(line, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]
    return out


def _element(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[{_text(element.get('text'))}]"
    if kind in {"overflow", "static_select"}:
        options = " | ".join(_text(o.get("text")) for o in element.get("options", []))
        return f"[⋯ {options}]"
    return f"[{kind}]"


def _input_value(element: Mapping[str, Any]) -> str:
    for key in ("initial_value", "initial_date", "initial_conversation"):
        if element.get(key):
            return str(element[key])
    if element.get("initial_option"):
        return _text(element["initial_option"].get("text"))
    return "______"


def _text(node: Any) -> str:
    if isinstance(node, dict):
        return str(node.get("text") or "")
    return str(node or "")
