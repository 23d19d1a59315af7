import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.net import UnsafeUrl, require_http_url
from app.schema_base import RequestBody

SessionStatus = Literal["working", "stopped", "failed", "qr_code"]
# Per-gateway config keys; the secret ones are accepted but never shown again.
GATEWAY_CONFIG = {
    "sandbox": {"required": (), "optional": ()},
    "waha": {"required": (), "optional": ("base_url", "api_key", "session")},
    "meta": {"required": ("phone_number_id", "access_token"), "optional": ()},
}


class SessionCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200, examples=["My WhatsApp Session"])
    gateway: str | None = Field(default=None, examples=["sandbox"],
                                description="sandbox, waha or meta; by default the sandbox while "
                                            "REPLYBASE_SANDBOX is on, else waha (the operator's WAHA server)")
    phone_number: str | None = Field(default=None, pattern=r"^\d{6,15}$", examples=["1234567890"])
    chats_enabled: bool = True
    config: dict[str, str] = Field(
        default_factory=dict,
        description="waha: base_url, api_key, session (all optional); meta: phone_number_id, access_token")

    @model_validator(mode="after")
    def _config_fits_gateway(self) -> "SessionCreate":
        if self.gateway is None and self.config:
            raise ValueError("give `gateway` with `config`: which gateway is this config for?")
        spec = GATEWAY_CONFIG.get(self.gateway)
        if spec is None:
            return self  # the service names the available gateways (or picks the default one)
        missing = [key for key in spec["required"] if not self.config.get(key)]
        unknown = sorted(set(self.config) - set(spec["required"]) - set(spec["optional"]))
        if missing:
            raise ValueError(f"the {self.gateway} gateway needs config keys: {', '.join(missing)}")
        if unknown:
            allowed = ", ".join(spec["required"] + spec["optional"]) or "none"
            raise ValueError(f"unknown config keys for the {self.gateway} gateway: {', '.join(unknown)} "
                             f"(allowed: {allowed})")
        # Both go into the gateway's URL paths: nothing that could climb to another path ("../").
        if self.gateway == "meta" and not re.fullmatch(r"[0-9]{1,40}", self.config["phone_number_id"]):
            raise ValueError("config.phone_number_id must be the numeric id from Meta's WhatsApp Manager")
        if "session" in self.config and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", self.config["session"]):
            raise ValueError("config.session must be 1 to 64 letters, digits, '_' or '-'")
        if self.config.get("base_url"):  # empty: the operator's server
            try:
                require_http_url(self.config["base_url"], what="config.base_url")
            except UnsafeUrl as exc:
                raise ValueError(exc.detail) from None
        return self


class SessionUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    chats_enabled: bool | None = None


class SessionSettings(RequestBody):
    """MoltFlow's per-session settings; only the fields sent change."""

    chats_enabled: bool | None = Field(default=None, description="Keep this session's chats (GET /messages/chats)")
    auto_transcribe: bool | None = Field(default=None, description="Only false: voice messages are not "
                                                                   "transcribed by this service")

    @field_validator("auto_transcribe")
    @classmethod
    def _no_transcription(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError("voice transcription is not available on this service; only false is accepted")
        return value


class SessionSettingsPublic(BaseModel):
    status: Literal["ok"] = "ok"
    config: dict = Field(examples=[{"chats_enabled": True, "auto_transcribe": False}])


class SessionPublic(BaseModel):
    id: str = Field(examples=["abc123"])
    name: str
    status: SessionStatus
    phone_number: str | None
    gateway: str
    chats_enabled: bool
    is_business: bool = Field(default=False, description="MoltFlow's field; WhatsApp Business is not detected here")
    created_at: datetime


class QrCodePublic(BaseModel):
    session_id: str
    status: SessionStatus
    mimetype: str = Field(examples=["image/png"])
    data: str = Field(description="The QR code image, base64")
