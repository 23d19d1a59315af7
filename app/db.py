"""Engine factory, the request-scoped session, and short units of work for code that calls the network.

SQLite runs in WAL mode: readers never wait for the writer. A transaction that may write starts with
BEGIN IMMEDIATE (it takes the write lock up front, so it never fails half-way on "database is locked"); a read-only
one starts with a plain BEGIN and takes no lock. On PostgreSQL a read-only transaction is `READ ONLY`, so a
write slipping into one fails loudly on both databases instead of racing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from fastapi import Request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

from app.errors import ReplybaseError

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
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        # A deferred transaction that reads and then writes fails at once with "database is locked" when another
        # connection committed in between (busy_timeout cannot help it); one that only reads never locks.
        connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")

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


def mark_read_only(session: Session) -> Session:
    """Make `session`'s next transaction read-only; call before its first statement."""
    session.info[READ_ONLY] = True
    bind = session.get_bind()
    # Options go on connections the session takes from the engine; a session joined to an outer connection
    # (the tests' rolled-back transaction) keeps only the write guard above.
    if isinstance(bind, Engine) and not session.in_transaction():
        options = {READ_ONLY: True}
        if bind.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        session.connection(execution_options=options)
    return session


@contextmanager
def unit_of_work(session_factory, *, read_only: bool = False) -> Iterator[Session]:
    """A short transaction of its own: committed when the block ends, rolled back when it raises.

    Code that calls a gateway, a model or any other network service does its reads and writes in these, never
    across the call: claim, commit, call, record.
    """
    with session_factory() as session:
        if read_only:
            mark_read_only(session)
        try:
            yield session
            session.commit()  # ends a read-only one too; unlike a rollback, it leaves loaded rows readable
        except BaseException:
            session.rollback()
            raise


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the endpoint returns, rolled back when it raises.

    Requests that only read (GET, HEAD) get a read-only transaction, which on SQLite takes no lock at all.
    """
    with request.app.state.services.session_factory() as session:
        if request.method in READ_METHODS:
            mark_read_only(session)
        try:
            yield session
            session.commit()
        except ReplybaseError as exc:
            session.commit() if exc.keeps_changes else session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
