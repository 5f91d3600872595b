"""Recording that a student thanked the person they chatted with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.errors import COMMAND, NotFound
from bot.models import Chat, Student


def mark_thank_you_sent(session: Session, student: Student, chat_id: int, now: datetime) -> Chat:
    """Mark a chat's thank-you as sent (idempotent: the first time is kept)."""
    chat = session.get(Chat, chat_id)
    if chat is None or chat.contact.student_id != student.id:
        raise NotFound(
            f"That chat is not in your log any more. Run `{COMMAND} list` to see your log."
        )
    if chat.thank_you_sent_at is None:
        chat.thank_you_sent_at = now
    session.flush()
    return chat
