"""Database engine, sessions and migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import DEFAULT_DB_MAX_OVERFLOW, DEFAULT_DB_POOL_SIZE, DEFAULT_DB_POOL_TIMEOUT

if TYPE_CHECKING:
    from bot.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
UPGRADE_COMMAND = "python -m bot db upgrade"

log = logging.getLogger(__name__)


class DatabaseNotReady(Exception):
    """The database answers but is not migrated to the code's revision; says how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class MigrationState:
    """Where the database's schema is (Alembic's current revisions) and where the code is."""

    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def is_current(self) -> bool:
        return set(self.current) == set(self.heads)

    def describe(self) -> str:
        return ", ".join(self.current) or "no tables"

    def problem(self) -> str | None:
        """None when migrated to head; otherwise one line with the fix."""
        if self.is_current:
            return None
        if not self.current:
            return f"the database has no tables yet: run `{UPGRADE_COMMAND}`"
        unknown = set(self.current) - set(known_revisions())
        if unknown:
            return (
                f"the database is at revision {', '.join(sorted(unknown))}, which this version "
                "of the bot does not know: run the newer version that migrated it"
            )
        return (
            f"the database is at revision {self.describe()} but this version needs "
            f"{', '.join(self.heads)}: run `{UPGRADE_COMMAND}`"
        )


def engine_for(settings: Settings) -> Engine:
    """The engine for DATABASE_URL with the pool of DB_POOL_SIZE, DB_MAX_OVERFLOW and
    DB_POOL_TIMEOUT (one per process: a web worker, the clock)."""
    return make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )


def make_engine(
    url: str,
    pool_size: int = DEFAULT_DB_POOL_SIZE,
    max_overflow: int = DEFAULT_DB_MAX_OVERFLOW,
    pool_timeout: float = DEFAULT_DB_POOL_TIMEOUT,
) -> Engine:
    """An engine for the URL; SQLite gets foreign keys, WAL and a busy timeout. The pool
    limits are for PostgreSQL, whose plans cap connections; SQLite keeps SQLAlchemy's pool."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        connect_args={"connect_timeout": 5},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide where transactions begin (see _sqlite_begin):
    # otherwise a SAVEPOINT outside a transaction commits on release.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Take the write lock up front: a deferred transaction that reads, then writes after
    another writer committed, fails at once in WAL mode instead of waiting."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit, and that tell the clock's index
    which cohorts' facts they wrote (bot.domain.plan_index)."""
    from bot.domain import plan_index

    factory = sessionmaker(engine, expire_on_commit=False)
    plan_index.watch(factory)
    return factory


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """Alembic's configuration pointed at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> MigrationState:
    """Apply migrations up to `revision`; logs one line when it changed anything."""
    config = alembic_config(url)
    before = _current(url)
    command.upgrade(config, revision)
    after = MigrationState(_current(url), head_revisions())
    if set(before) != set(after.current):
        log.info("database migrated: %s → %s", ", ".join(before) or "no tables", after.describe())
    return after


def head_revisions() -> tuple[str, ...]:
    """The revisions the code's migrations end at."""
    return tuple(_scripts().get_heads())


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def migration_state(engine: Engine) -> MigrationState:
    """The database's current revisions next to the code's heads."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return MigrationState(tuple(current), head_revisions())


def require_migrated(engine: Engine) -> None:
    """Raise DatabaseNotReady (one line with the fix) unless the schema is at head."""
    problem = migration_state(engine).problem()
    if problem:
        raise DatabaseNotReady(problem)


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _current(url: str) -> tuple[str, ...]:
    engine = make_engine(url)
    try:
        return migration_state(engine).current
    finally:
        engine.dispose()


def is_reachable(engine: Engine) -> bool:
    """Whether the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
