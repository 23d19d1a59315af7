"""Engine factory and the request-scoped session that commits on success and rolls back on error."""

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.errors import ReplybaseError


def create_db_engine(url: str) -> Engine:
    """An engine for PostgreSQL or SQLite; SQLite gets WAL, foreign keys and real transactions."""
    if not url.startswith("sqlite"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, pool_pre_ping=True)

    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself so savepoints and rollbacks behave as on PostgreSQL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads, then writes after another
        # connection committed, fails at once with "database is locked" (busy_timeout cannot help it).
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the endpoint returns, rolled back when it raises."""
    with request.app.state.services.session_factory() as session:
        try:
            yield session
            session.commit()
        except ReplybaseError as exc:
            session.commit() if exc.keeps_changes else session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
