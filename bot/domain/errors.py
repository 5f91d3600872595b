"""Errors the rules raise; each carries a message meant for the person who typed the input."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse; `message` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """Input that is malformed; `field` names the input it came from, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotEnrolled(DomainError):
    """The student belongs to no cohort the command could use."""


class NotFound(DomainError):
    """Something the user referred to does not exist (or is not theirs)."""


class NotAllowed(DomainError):
    """The user may not do this (an instructor-only command, say)."""
