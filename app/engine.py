"""The engine factory, on SQLAlchemy Core alone: a short CLI call (`replybase kb search`) opens an engine without
importing the ORM; sessions live in app/db.py.

SQLite runs in WAL mode: readers never wait for the writer. A transaction that may write starts with
BEGIN IMMEDIATE (it takes the write lock up front, so it never fails half-way on "database is locked"); a read-only
one (execution option READ_ONLY) starts with a plain BEGIN and takes no lock.
"""

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

READ_ONLY = "replybase_read_only"
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
