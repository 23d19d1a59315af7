"""Settings from the environment (prefix REPLYBASE_) and an optional .env file; no I/O here."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPLYBASE_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    # Empty means a SQLite file in the data directory.
    database_url: str = ""
    redis_url: str = ""
    # Empty means generated once and kept in <data_dir>/jwt_secret.
    jwt_secret: str = ""
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    allow_signup: bool = False

    rate_limit_window_seconds: int = 3600
    rate_limit_free: int = 100
    rate_limit_growth: int = 1_000
    rate_limit_business: int = 10_000

    sandbox: bool = True
    allow_private_urls: bool = False
    max_upload_mb: int = 25
    run_workers: bool = Field(default=True, description="Run the job worker inside the API process.")
    worker_poll_seconds: float = 0.5

    embedding_provider: str = "sentence-transformers"
    embedding_model: str = "all-MiniLM-L6-v2"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'replybase.db').as_posix()}"

    def rate_limit_for(self, plan: str) -> int:
        return {"free": self.rate_limit_free, "growth": self.rate_limit_growth,
                "business": self.rate_limit_business}[plan]


@lru_cache
def get_settings() -> Settings:
    return Settings()
