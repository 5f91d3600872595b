"""`/coffee help` (and the bare command), and anything the command doesn't know."""

from __future__ import annotations

import difflib

from bot.blocks.help import help_blocks, help_text
from bot.blocks.text import escape
from bot.slack.asker import Asker
from bot.slack.reply import Reply
from bot.slack.routes import Routes

SHOWN_MAX = 30


def show_help(asker: Asker, reply: Reply) -> None:
    """Usage with examples (instructors see their commands too)."""
    reply.message(
        help_text(reply.command), help_blocks(reply.command, instructor=asker.is_instructor)
    )


def unknown(subcommand: str, reply: Reply, routes: Routes) -> None:
    """A subcommand nobody takes: say so (escaped, so it can't mention anyone), suggest one."""
    guess = difflib.get_close_matches(subcommand, sorted(n for n in routes.subcommands if n), 1)
    shown = escape(subcommand[:SHOWN_MAX]) + ("…" if len(subcommand) > SHOWN_MAX else "")
    problem = f"I don't know `{shown}`."
    if guess:
        problem += f" Did you mean `{escape(reply.command)} {guess[0]}`?"
    reply.message(
        help_text(reply.command), help_blocks(reply.command, problem + " Here's what I can do:")
    )


def register(routes: Routes) -> None:
    routes.command(("", "help"), show_help)

    def unknown_here(subcommand: str, reply: Reply) -> None:
        unknown(subcommand, reply, routes)

    routes.unknown_command(unknown_here)
