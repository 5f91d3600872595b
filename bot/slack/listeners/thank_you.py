"""The "Sent" button on the thank-you reminder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.ids import Action, Block
from bot.blocks.reminders import thank_you_recorded
from bot.domain.thank_you import mark_thank_you_sent
from bot.slack.asker import Asker
from bot.slack.parsing import record_id
from bot.slack.reply import Reply
from bot.slack.routes import Routes


def thank_you_sent(
    action: dict[str, Any], asker: Asker, session: Session, reply: Reply, now: datetime
) -> None:
    """Record the thank-you; the reminder becomes the confirmation, unless it carries more
    than this one thank-you (then the confirmation answers beside it)."""
    chat = mark_thank_you_sent(session, asker.own_log(), record_id(action.get("value")), now)
    message = thank_you_recorded(chat.contact.name, chat.contact.linkedin_url)
    alone = action.get("block_id") != Block.THANK_YOUS
    reply.message(message.text, message.blocks, replace=alone)


def register(routes: Routes) -> None:
    routes.action((Action.THANK_YOU_SENT,), thank_you_sent)
