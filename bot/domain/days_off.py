"""Days a class is usually off: weekends, and the public holidays of the cohort's country.

The country is the one IANA's tz database gives the cohort's timezone (`zone.tab`, shipped by
the `tzdata` package: America/Denver → US, Europe/Berlin → DE); the holidays are the national
ones of the `holidays` package (pinned in pyproject.toml), named in English. A timezone with no
country (UTC, Etc/GMT+5) or a country the package doesn't know has weekends only: never an
error.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cache
from importlib import resources

import holidays

log = logging.getLogger(__name__)

WEEKEND = {5: "Saturday", 6: "Sunday"}
COUNTRY_NAMES = {"GB": "the United Kingdom", "US": "the United States", "NL": "the Netherlands"}


@cache
def _zone_table() -> tuple[dict[str, str], dict[str, str]]:
    """(timezone → country code, country code → country name), from tzdata's tables."""
    countries: dict[str, str] = {}
    names: dict[str, str] = {}
    try:
        folder = resources.files("tzdata").joinpath("zoneinfo")
        zones = folder.joinpath("zone.tab").read_text(encoding="utf-8")
        iso = folder.joinpath("iso3166.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):  # pragma: no cover - tzdata is a dependency
        log.warning("tzdata's zone tables are missing: no public holidays are checked")
        return countries, names
    for line in zones.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                countries[fields[2]] = fields[0]
    for line in iso.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            names[code] = name.strip()
    return countries, names


def country_of(timezone: str) -> str | None:
    """The ISO 3166 code of the country a timezone belongs to, or None (UTC, say)."""
    return _zone_table()[0].get(timezone)


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code) or _zone_table()[1].get(code, code)


@cache
def _calendar(country: str, year: int) -> holidays.HolidayBase | None:
    try:
        return holidays.country_holidays(country, years=year, language="en_US")
    except NotImplementedError:  # a country the package has no calendar for
        return None


def holiday(day: date, country: str | None) -> str | None:
    """The name of the public holiday on `day` in `country`, if it is one."""
    if country is None:
        return None
    found = _calendar(country, day.year)
    name = found.get(day) if found is not None else None
    return str(name) if name else None


def day_off(day: date, timezone: str) -> str | None:
    """Why `day` is a day off where the cohort is (`Christmas Day, a public holiday in the
    United States`, `a Saturday`), or None for a working day."""
    country = country_of(timezone)
    name = holiday(day, country)
    if name is not None and country is not None:
        return f"{name}, a public holiday in {country_name(country)}"
    if day.weekday() in WEEKEND:
        return f"a {WEEKEND[day.weekday()]}"
    return None
