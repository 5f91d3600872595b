"""`/coffee help` (and the bare command), and anything the command doesn't know."""

from __future__ import annotations

import difflib

from bot.blocks.help import did_you_mean, help_blocks, help_text, how_it_works_view
from bot.blocks.ids import Action
from bot.blocks.text import escape
from bot.domain.calendar import student_deadline
from bot.domain.read_model import cohort_facts
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
    blocks = did_you_mean(shown, guess[0] if guess else None, reply.command)
    reply.message(f"I don't know “{shown}”.", blocks)


def how_it_works(asker: Asker, reply: Reply) -> None:
    """ "How it works" on the kickoff: the details, in a modal (their cohort's when they have
    one; nobody is enrolled by looking)."""
    enrollment = asker.enrollment
    if enrollment is None:
        reply.modal(how_it_works_view(None, None, reply.command))
        return
    deadline = student_deadline(enrollment.cohort.deadline_at, enrollment.deadline_override)
    reply.modal(how_it_works_view(cohort_facts(enrollment.cohort), deadline, reply.command))


def register(routes: Routes) -> None:
    routes.command(("", "help"), show_help)
    routes.action((Action.HOW_IT_WORKS,), how_it_works)

    def unknown_here(subcommand: str, reply: Reply) -> None:
        unknown(subcommand, reply, routes)

    routes.unknown_command(unknown_here)
