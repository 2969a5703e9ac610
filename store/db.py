"""Engine and session factory from a URL, and schema upgrades through Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
from sqlmodel import Session

from store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config


# What a database that is away (restarting, unreachable, locked for too long) raises: worth retrying.
TRANSIENT_DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
SQLITE_BUSY_TIMEOUT_MS = 5000  # how long a SQLite connection waits for another's lock before "busy"
_SQLITE_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (the low byte of an extended result code)
_POSTGRES_BUSY = ("55P03", "40P01")  # lock_not_available (lock_timeout), deadlock_detected


def is_busy(exc: BaseException) -> bool:
    """Whether exc says another connection holds what was needed for too long: SQLite past its busy
    timeout, PostgreSQL past lock_timeout (when the server or role sets one) or in a deadlock."""
    if not isinstance(exc, OperationalError):
        return False
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_BUSY
    return getattr(exc.orig, "sqlstate", None) in _POSTGRES_BUSY


class Database:
    """One database: owns the engine; services open sessions through `session()`, callers never do."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def upgrade(self, revision: str = "head") -> None:
        """Create or upgrade the schema to the newest migration (or to revision, for migration tests)."""
        self._migrate("upgrade", revision)

    def downgrade(self, revision: str) -> None:
        """Back to an older schema (migration tests)."""
        self._migrate("downgrade", revision)

    def _migrate(self, direction: str, revision: str) -> None:
        from alembic import command  # Alembic costs a noticeable share of start-up; only upgrades need it

        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.connect() as connection:
            if sqlite:
                # SQLite rebuilds a table to change its constraints; its own procedure turns foreign-key
                # enforcement off meanwhile (outside a transaction, or the pragma does nothing) and checks
                # every reference afterwards.
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    config = _alembic_config()
                    config.attributes["connection"] = connection
                    getattr(command, direction)(config, revision)
                    if sqlite:
                        _check_references(connection)
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()

    def is_initialised(self) -> bool:
        return inspect(self.engine).has_table("plan")

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect():
                return True
        except OperationalError:
            return False

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them; refuse what SQLAlchemy cannot parse."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"无法识别的数据库地址：{url}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_session)
    return engine


def _check_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise StoreError(
            f"数据库升级后引用不完整：{table} 第 {rowid} 行指向不存在的 {parent}（共 {len(broken)} 处）"
        )


def _postgres_session(dbapi_connection: Any, _record: Any) -> None:
    """Room in memory for a sweep's temporary tables (a national-scale day's fill about 30 MB; the default
    8 MB sends the rest to disk). It can only be set before a session first touches a temporary table."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET temp_buffers = '64MB'")
    cursor.close()
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    # INSERT OR REPLACE deletes the row it replaces; with recursive triggers on, that delete fires the
    # append-only ledgers' DELETE guards, so no REPLACE rewrites a ledger row through duban's connections.
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.close()


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("store") / "migrations"))
    return config
