import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.net import UnsafeUrl, require_http_url

SessionStatus = Literal["working", "stopped", "failed", "qr_code"]
# Per-gateway config keys; the secret ones are accepted but never shown again.
GATEWAY_CONFIG = {
    "sandbox": {"required": (), "optional": ()},
    "waha": {"required": (), "optional": ("base_url", "api_key", "session")},
    "meta": {"required": ("phone_number_id", "access_token"), "optional": ()},
}


class SessionCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["My WhatsApp Session"])
    gateway: str = Field(default="sandbox", examples=["sandbox"], description="sandbox, waha or meta")
    phone_number: str | None = Field(default=None, pattern=r"^\d{6,15}$", examples=["1234567890"])
    chats_enabled: bool = True
    config: dict[str, str] = Field(
        default_factory=dict,
        description="waha: base_url, api_key, session (all optional); meta: phone_number_id, access_token")

    @model_validator(mode="after")
    def _config_fits_gateway(self) -> "SessionCreate":
        spec = GATEWAY_CONFIG.get(self.gateway)
        if spec is None:
            return self  # the service names the available gateways
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


class SessionUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    chats_enabled: bool | None = None


class SessionPublic(BaseModel):
    id: str = Field(examples=["abc123"])
    name: str
    status: SessionStatus
    phone_number: str | None
    gateway: str
    chats_enabled: bool
    created_at: datetime


class QrCodePublic(BaseModel):
    session_id: str
    status: SessionStatus
    mimetype: str = Field(examples=["image/png"])
    data: str = Field(description="The QR code image, base64")
