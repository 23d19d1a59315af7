"""Settings from the environment (prefix REPLYBASE_) and an optional .env file; no I/O here."""

from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting's message must not print the others (secrets among them).
    model_config = SettingsConfigDict(env_prefix="REPLYBASE_", env_file=".env", extra="ignore",
                                      hide_input_in_errors=True)

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
    # The operator's own plan (`replybase init`): 278 requests a second on average, a cap meant not to be reached.
    rate_limit_self_hosted: int = 1_000_000

    # Throttles on the endpoints anyone can call (app/throttling.py), in the `limits` notation ("10/minute").
    # Per account: 10 guesses a minute; per address 3x that, so an office behind one address can still log in.
    # Callbacks: generous (10 a second per gateway address), a guard against floods rather than a quota.
    login_limit_per_address: str = "30/minute"
    login_limit_per_account: str = "10/minute"
    register_limit_per_address: str = "10/hour"
    refresh_limit_per_address: str = "60/minute"
    gateway_callback_limit_per_address: str = "600/minute"
    # Proxies whose X-Forwarded-For is believed (IPs or CIDRs, comma-separated); empty: the socket peer is the client.
    trusted_proxies: str = ""

    sandbox: bool = True
    allow_private_urls: bool = False
    # Messaging gateways (app/gateways/); per-session config overrides the WAHA URL and key.
    public_url: str = Field(default="", description="This service's public base URL, for gateway webhooks.")
    # Where CLI commands (`replybase kb search`) look for a running API to answer them; `replybase serve`'s default.
    api_url: str = Field(default="http://127.0.0.1:8000", description="The running API, as the CLI reaches it.")
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
    max_unpacked_mb: int = Field(default=100, ge=1, description="Decompressed bytes one document may produce.")
    max_unpacked_part_mb: int = Field(default=75, ge=1, description="One DOCX XML part or one PDF stream, unpacked.")
    # Requests worked on at once per process; more wait at the door (app/admission.py). FastAPI runs sync endpoints
    # on a pool of 40 threads, so above 40 a request would wait there instead, holding its database connection.
    max_concurrent_requests: int = Field(default=32, ge=1, le=40)
    run_workers: bool = Field(default=True, description="Run the job worker inside the API process.")
    # Job slots per lane in each worker process; a lane's jobs never wait for another lane's.
    worker_slots: dict[str, int] = Field(default_factory=lambda: {"replies": 4, "outreach": 2, "ingest": 1})
    worker_poll_seconds: float = 0.5
    # Retention of finished work, in days (0 keeps it for ever).
    job_retention_days: float = Field(default=7, ge=0)
    webhook_delivery_retention_days: float = Field(default=30, ge=0)
    reply_log_retention_days: float = Field(default=180, ge=0)

    # Operations: logs, metrics (app/logs.py, app/metrics.py).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = Field(default="text", description="json: one JSON object per line")
    metrics: bool = Field(default=True, description="Serve Prometheus metrics at GET /metrics (no API key).")

    # Outreach: webhook delivery, scheduled and bulk messages.
    webhook_timeout_seconds: float = 10.0
    webhook_retry_hours: float = Field(default=24.0, description="Keep retrying a failed delivery this long.")
    bulk_messages_per_minute: float = Field(default=20.0, gt=0, description="Bulk send pace per session.")

    embedding_provider: str = Field(default="sentence-transformers",
                                    description="sentence-transformers (bundled, offline), openai or hash")
    embedding_model: str = "all-MiniLM-L6-v2"
    # How the sentence-transformers model runs: int8 ONNX (onnxruntime) or fp32 torch; README "Knowledge base".
    embedding_precision: Literal["int8", "fp32"] = "int8"
    # Where the int8 export is kept, shared by every process on the machine; empty: $XDG_CACHE_HOME or ~/.cache.
    model_cache_dir: str = ""
    # For embedding_provider=openai: any OpenAI-compatible /embeddings endpoint (OpenAI, Ollama, vLLM, llama.cpp).
    embedding_base_url: str = ""
    embedding_api_key: str = ""
    embedding_timeout_seconds: float = Field(default=30.0, gt=0)

    # AI reply drafters (app/drafters/); prompts are Jinja files in prompts_dir.
    prompts_dir: Path = Field(default_factory=lambda: Path(__file__).resolve().parent.parent / "prompts")
    default_drafter: str = Field(default="extractive", description="extractive (offline) or openai")
    llm_base_url: str = Field(default="https://api.openai.com/v1",
                              description="Any OpenAI-compatible endpoint: OpenAI, Ollama, vLLM, llama.cpp")
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str = ""
    llm_timeout_seconds: float = Field(default=20.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)

    @field_validator("log_level", "log_format", "embedding_precision", mode="before")
    @classmethod
    def _any_case(cls, value, info):
        # LOG_LEVEL=info and LOG_FORMAT=JSON are common spellings in deployment files.
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("login_limit_per_address", "login_limit_per_account", "register_limit_per_address",
                     "refresh_limit_per_address", "gateway_callback_limit_per_address")
    @classmethod
    def _limit_notation(cls, value: str) -> str:
        from limits import parse as parse_limit  # here, not at the top: `replybase --help` need not load it

        try:
            parse_limit(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit; write it like 10/minute or 600 per hour") from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        for entry in filter(None, (part.strip() for part in value.split(","))):
            try:
                ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network (e.g. 10.0.0.2 or 10.0.0.0/8)") from None
        return value

    @model_validator(mode="after")
    def _embedding_endpoint(self) -> "Settings":
        if self.embedding_provider == "openai" and not self.embedding_base_url:
            raise ValueError("REPLYBASE_EMBEDDING_PROVIDER=openai needs REPLYBASE_EMBEDDING_BASE_URL, the endpoint's "
                             "base URL (e.g. https://api.openai.com/v1, or http://127.0.0.1:11434/v1 for Ollama), "
                             "and REPLYBASE_EMBEDDING_MODEL, the model it serves")
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'replybase.db').as_posix()}"

    @property
    def worker_slot_count(self) -> int:
        return sum(self.worker_slots.values()) if self.run_workers else 0

    def rate_limit_for(self, plan: str) -> int:
        return {"free": self.rate_limit_free, "growth": self.rate_limit_growth,
                "business": self.rate_limit_business, "self-hosted": self.rate_limit_self_hosted}[plan]


@lru_cache
def get_settings() -> Settings:
    return Settings()
