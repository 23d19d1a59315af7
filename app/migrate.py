"""Alembic, driven from code: `upgrade()` runs on start and from `replybase db upgrade`."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# PostgreSQL advisory lock key for migrations: any 64-bit number no other code uses ("replybas" in ASCII).
MIGRATION_LOCK_KEY = 0x7265706C79626173


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration; each domain's migrations form a branch, so upgrade to all heads."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together on a new database take turns (released at commit): otherwise each
            # creates the same tables and all but one fail to start. SQLite's BEGIN IMMEDIATE already serialises.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        command.upgrade(alembic_config(connection), "heads")


def revision(engine: Engine, message: str, rev_id: str, head: str = "0001") -> None:
    """Autogenerate a migration as a new branch off `head` (a developer tool); each domain has its own branch."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id, head=head,
                         splice=True)
