"""Finding a cohort by the name an operator types (its number works too)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.errors import DomainError, NotFound
from bot.models import Cohort

NUMBER = re.compile(r"^#?(\d+)$")


class AmbiguousCohort(DomainError):
    """The name is used by cohorts of several workspaces; `teams` lists them."""

    def __init__(self, name: str, teams: list[str]) -> None:
        super().__init__(
            f"Cohorts named “{name}” exist in {len(teams)} workspaces ({', '.join(teams)}): "
            "say which workspace."
        )
        self.name = name
        self.teams = teams


def cohort_named(session: Session, name: str, team_id: str | None = None) -> Cohort:
    """The cohort called `name` (in `team_id`, when given), or numbered `name` (`3`, `#3`).

    Raises NotFound, or AmbiguousCohort when several workspaces use the name.
    """
    wanted = " ".join(name.split())
    query = select(Cohort).where(Cohort.name == wanted).order_by(Cohort.team_id)
    if team_id:
        query = query.where(Cohort.team_id == team_id)
    found = list(session.scalars(query))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise AmbiguousCohort(wanted, [c.team_id for c in found])
    number = NUMBER.match(wanted)
    if number:
        cohort = session.get(Cohort, int(number.group(1)))
        if cohort is not None and (team_id is None or cohort.team_id == team_id):
            return cohort
    where = f" in workspace {team_id}" if team_id else ""
    raise NotFound(f"There is no cohort named “{wanted}”{where}; `cohort list` shows them.")
