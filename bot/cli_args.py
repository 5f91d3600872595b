"""The argument parser of the process commands: one-line errors, and value types."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from typing import NoReturn


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line that points at --help."""

    def error(self, message: str) -> NoReturn:
        print(f"coffee-chat: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def command(
    sub: argparse._SubParsersAction[Parser], name: str, what: str, **kwargs: object
) -> Parser:
    """A subcommand whose one-line help is also the description `--help` shows."""
    return sub.add_parser(name, help=what, description=what, **kwargs)  # type: ignore[arg-type]


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-09-07") from None


def instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 instant like 2026-09-18T17:00:00-06:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset; write it like 2026-09-18T17:00:00-06:00"
        )
    return value.astimezone(UTC)


def day_or_instant(text: str) -> date | datetime:
    if len(text) == 10:
        return day(text)
    return instant(text)


def week_off(text: str) -> dict[str, str]:
    """A break: YYYY-MM-DD[:WEEKS]."""
    start, _, weeks = text.partition(":")
    if not weeks:
        weeks = "1"
    try:
        date.fromisoformat(start)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a break like 2026-09-21 or 2026-09-21:2 (start date:weeks)"
        ) from None
    if not weeks.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: the weeks after the colon must be a number")
    return {"start": start, "weeks": weeks}
