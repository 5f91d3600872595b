"""Events API deliveries taken once: Slack sends an event again (X-Slack-Retry-Num) when our
ack was slow or failed, with the same event_id; the unique key drops the repeat."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.models import EventReceipt

KEEP_FOR = timedelta(days=1)  # Slack retries within minutes; a day is plenty
EVENT_ID_MAX = 64


def take_event(sessions: sessionmaker[Session], event_id: str, now: datetime) -> bool:
    """Record the event as taken; False when it was taken already (a retry)."""
    session = sessions()
    try:
        session.add(EventReceipt(event_id=event_id[:EVENT_ID_MAX], received_at=now))
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False
    finally:
        session.close()


def prune_receipts(session: Session, now: datetime) -> int:
    """Forget receipts older than KEEP_FOR; how many."""
    result = session.execute(
        delete(EventReceipt)
        .where(EventReceipt.received_at < now - KEEP_FOR)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
