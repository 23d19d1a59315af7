"""Engine factory, sessions (read-only or not) and short units of work for code that calls the network; the
request-scoped session is app/deps.py's get_session.

SQLite runs in WAL mode: readers never wait for the writer. A transaction that may write starts with
BEGIN IMMEDIATE (it takes the write lock up front, so it never fails half-way on "database is locked"); a read-only
session begins nothing, so each SELECT reads its own snapshot (as in PostgreSQL's READ COMMITTED) and takes no lock.
On PostgreSQL a read-only transaction is `READ ONLY`; on both databases the ORM refuses to flush a write in a
read-only session, so a write slipping into one fails loudly instead of racing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

READ_ONLY = "replybase_read_only"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_SECONDS = 30  # how long a writer waits for SQLite's lock before "database is locked"


def create_db_engine(url: str, *, pool_size: int = 5, max_overflow: int = 45) -> Engine:
    """An engine for PostgreSQL or SQLite; SQLite gets WAL, foreign keys and lock-free reads.

    Size the pool (on either database) to the process's concurrency (requests admitted at once plus worker slots): a
    request waits for admission before it touches the pool, so the pool itself never makes anyone wait.
    """
    if not url.startswith("sqlite"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow,
                             hide_parameters=True)

    # hide_parameters: an error's text must not carry bound values (phones, message text) into logs.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
                           pool_size=pool_size, max_overflow=max_overflow, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself so savepoints and rollbacks behave as on PostgreSQL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent on a crash; fsync at checkpoints
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT" or options.get(READ_ONLY):
            # A read-only one emits no BEGIN: each SELECT reads its own snapshot, as each statement of a READ
            # COMMITTED transaction does on PostgreSQL, and there is nothing to end.
            return
        # A deferred transaction that reads and then writes fails at once with "database is locked" when another
        # connection committed in between (busy_timeout cannot help it).
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def insert_unless_exists(session: Session, row, unique_columns: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING for one new (transient) row; True when it was inserted.

    One statement where select-then-insert needs a savepoint to survive a concurrent twin: the database decides.
    """
    table = type(row).__table__
    statement = _insert_unless_exists(table, session.get_bind().dialect.name, tuple(unique_columns))
    # Values go as parameters of one cached statement: building .values() per row made every column a new bind
    # parameter object, the largest cost of storing an inbound message.
    return session.execute(statement, {column.key: getattr(row, column.key) for column in table.columns}
                           ).first() is not None


@lru_cache(maxsize=32)
def _insert_unless_exists(table, dialect: str, unique_columns: tuple[str, ...]):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(unique_columns)).returning(table.c.id)


class WriteInReadOnlySession(RuntimeError):
    """A bug: code meant to only read tried to write (do the write in its own `unit_of_work`)."""


@event.listens_for(OrmSession, "before_flush")
def _refuse_writes_when_read_only(session: OrmSession, _context, _instances) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnlySession("a read-only session tried to write")


def _read_only_options(engine: Engine) -> dict:
    options = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return options


_read_only_engines: "WeakKeyDictionary[Engine, Engine]" = WeakKeyDictionary()


def open_session(session_factory, *, read_only: bool) -> Session:
    """A new session, without touching the database yet: the first statement takes a connection and begins.

    Read-only when asked: its transaction starts with a plain BEGIN on SQLite and is READ ONLY on PostgreSQL, and
    a write fails before reaching the database. A session joined to an outer connection (the tests' rolled-back
    transaction) keeps only that write guard."""
    bind = session_factory.kw.get("bind")
    if not read_only:
        return session_factory()
    if isinstance(bind, Engine):
        # An engine sharing the pool whose connections carry the read-only options; made once per engine.
        if (read_only_engine := _read_only_engines.get(bind)) is None:
            read_only_engine = _read_only_engines.setdefault(bind, bind.execution_options(**_read_only_options(bind)))
        session = session_factory(bind=read_only_engine)
    else:
        session = session_factory()
    session.info[READ_ONLY] = True
    return session


@contextmanager
def unit_of_work(session_factory, *, read_only: bool = False) -> Iterator[Session]:
    """A short transaction of its own: committed when the block ends, rolled back when it raises.

    Code that calls a gateway, a model or any other network service does its reads and writes in these, never
    across the call: claim, commit, call, record.
    """
    with open_session(session_factory, read_only=read_only) as session:
        try:
            yield session
            session.commit()  # ends a read-only one too; unlike a rollback, it leaves loaded rows readable
        except BaseException:
            session.rollback()
            raise
