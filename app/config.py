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
    # Messaging gateways (app/gateways/); per-session config overrides the WAHA URL and key.
    public_url: str = Field(default="", description="This service's public base URL, for gateway webhooks.")
    waha_url: str = "http://127.0.0.1:3000"
    waha_api_key: str = ""
    waha_webhook_secret: str = ""
    meta_graph_url: str = "https://graph.facebook.com/v21.0"
    meta_app_secret: str = ""
    meta_verify_token: str = ""
    gateway_timeout_seconds: float = 15.0
    max_media_mb: int = 16
    max_upload_mb: int = 25
    # What one document may hold, counted while it is read (README "Knowledge base" says why these values).
    max_document_pages: int = Field(default=500, ge=1)
    max_document_characters: int = Field(default=3_000_000, ge=1)
    max_document_chunks: int = Field(default=25_000, ge=1)
    max_unpacked_mb: int = Field(default=200, ge=1, description="Decompressed bytes one document may produce.")
    max_unpacked_part_mb: int = Field(default=75, ge=1, description="One DOCX XML part or one PDF stream, unpacked.")
    run_workers: bool = Field(default=True, description="Run the job worker inside the API process.")
    worker_poll_seconds: float = 0.5

    # Outreach: webhook delivery, scheduled and bulk messages.
    webhook_timeout_seconds: float = 10.0
    webhook_retry_hours: float = Field(default=24.0, description="Keep retrying a failed delivery this long.")
    bulk_messages_per_minute: float = Field(default=20.0, gt=0, description="Bulk send pace per session.")

    embedding_provider: str = "sentence-transformers"
    embedding_model: str = "all-MiniLM-L6-v2"

    # AI reply drafters (app/drafters/); prompts are Jinja files in prompts_dir.
    prompts_dir: Path = Field(default_factory=lambda: Path(__file__).resolve().parent.parent / "prompts")
    default_drafter: str = Field(default="extractive", description="extractive (offline) or openai")
    extractive_semantic: bool = Field(default=False, description="Also rank sentences with the embedder (slower).")
    llm_base_url: str = Field(default="https://api.openai.com/v1",
                              description="Any OpenAI-compatible endpoint: OpenAI, Ollama, vLLM, llama.cpp")
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str = ""
    llm_timeout_seconds: float = Field(default=20.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'replybase.db').as_posix()}"

    def rate_limit_for(self, plan: str) -> int:
        return {"free": self.rate_limit_free, "growth": self.rate_limit_growth,
                "business": self.rate_limit_business}[plan]


@lru_cache
def get_settings() -> Settings:
    return Settings()
