"""Alembic, driven from code: `upgrade()` runs on start and from `replybase db upgrade`."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration; each domain's migrations form a branch, so upgrade to all heads."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "heads")


def revision(engine: Engine, message: str, rev_id: str, head: str = "0001") -> None:
    """Autogenerate a migration as a new branch off `head` (a developer tool); each domain has its own branch."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id, head=head,
                         splice=True)
