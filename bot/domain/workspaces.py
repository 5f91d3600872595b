"""Workspaces the bot is installed in. An uninstall (or revoked bot token) stops every reminder
and digest of the workspace at once, by archiving its active cohorts, and starts a grace period
after which its data is deleted; reinstalling within it restores those cohorts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.retention import Deleted, delete_team_data
from bot.models import Cohort, Workspace


def workspace(session: Session, team_id: str) -> Workspace:
    """The workspace's row, created on first use."""
    found = session.get(Workspace, team_id)
    if found is None:
        found = Workspace(team_id=team_id, archived_cohort_ids=[])
        session.add(found)
        session.flush()
    return found


def installed(session: Session, team_id: str, now: datetime) -> list[int]:
    """The bot was (re)installed: the cohorts an uninstall archived are active again (unless
    the workspace's data is already gone). Returns their ids."""
    row = workspace(session, team_id)
    restored: list[int] = []
    if row.uninstalled_at is not None and row.data_deleted_at is None:
        ids = list(row.archived_cohort_ids or [])
        for cohort in session.scalars(select(Cohort).where(Cohort.id.in_(ids))):
            if cohort.team_id == team_id:
                cohort.active = True
                restored.append(cohort.id)
    row.installed_at = now
    row.uninstalled_at = None
    row.data_deleted_at = None
    row.archived_cohort_ids = []
    session.flush()
    return restored


def uninstalled(session: Session, team_id: str, now: datetime) -> list[int]:
    """The bot was uninstalled (or its token revoked): archive every active cohort of the
    workspace, so nothing more is sent there. Returns the cohorts archived now."""
    row = workspace(session, team_id)
    active = list(session.scalars(select(Cohort).where(Cohort.team_id == team_id, Cohort.active)))
    for cohort in active:
        cohort.active = False
    if row.uninstalled_at is None:
        row.uninstalled_at = now
    row.archived_cohort_ids = sorted({*(row.archived_cohort_ids or []), *(c.id for c in active)})
    session.flush()
    return [c.id for c in active]


def is_uninstalled(session: Session, team_id: str) -> bool:
    row = session.get(Workspace, team_id)
    return row is not None and row.uninstalled_at is not None


def delete_uninstalled_data(session: Session, now: datetime, days: int) -> dict[str, Deleted]:
    """Delete the data of every workspace uninstalled more than `days` days ago (once)."""
    cutoff = now - timedelta(days=days)
    rows = session.scalars(
        select(Workspace).where(
            Workspace.uninstalled_at.is_not(None),
            Workspace.uninstalled_at <= cutoff,
            Workspace.data_deleted_at.is_(None),
        )
    )
    done: dict[str, Deleted] = {}
    for row in list(rows):
        done[row.team_id] = delete_team_data(session, row.team_id)
        row.data_deleted_at = now
        row.archived_cohort_ids = []
    session.flush()
    return done
