"""Errors the rules raise; each carries a message meant for the person who typed the input.

A message may name a command as `{COMMAND} list`: whoever shows it puts the slash command in
(`DomainError.for_user`), since the rules don't know what the command is called.
"""

from __future__ import annotations

COMMAND = "{command}"


def with_command(message: str, command: str) -> str:
    """A message of the rules with the slash command filled in."""
    return message.replace(COMMAND, command)


class DomainError(Exception):
    """A request the rules refuse; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def for_user(self, command: str) -> str:
        """The message with the slash command filled in."""
        return with_command(self.message, command)


class InvalidInput(DomainError):
    """Input that is malformed; `field` names the input it came from, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FieldErrors(InvalidInput):
    """Several fields are not acceptable; `errors` holds one message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())), next(iter(errors)))
        self.errors = dict(errors)


class NotEnrolled(DomainError):
    """The student belongs to no cohort the command could use."""


class NotFound(DomainError):
    """Something the user referred to does not exist (or is not theirs)."""


class NotAllowed(DomainError):
    """The user may not do this (an instructor-only command, say)."""
