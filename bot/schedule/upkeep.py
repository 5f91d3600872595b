"""The clock's housekeeping after each run: the data of workspaces uninstalled longer than
UNINSTALLED_DATA_DAYS is deleted, and Events API receipts older than a day are forgotten."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.db import session_scope
from bot.domain.receipts import prune_receipts
from bot.domain.workspaces import delete_uninstalled_data

log = logging.getLogger(__name__)


def upkeep(sessions: sessionmaker[Session], now: datetime, uninstalled_data_days: int) -> None:
    """Both chores, each in its own transaction; a failure is logged, the next run retries."""
    try:
        with session_scope(sessions) as session:
            deleted = delete_uninstalled_data(session, now, uninstalled_data_days)
        for team_id, what in deleted.items():
            log.info(
                "deleted the data of %s, uninstalled over %d days ago: %s",
                team_id,
                uninstalled_data_days,
                what.line(),
            )
        with session_scope(sessions) as session:
            prune_receipts(session, now)
    except Exception:
        log.exception("upkeep failed; the next run will try again")
