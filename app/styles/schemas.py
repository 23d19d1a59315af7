import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Tone = Literal["friendly", "professional", "concise", "warm", "playful", "enthusiastic", "empathetic", "neutral"]
Formality = Literal["casual", "neutral", "formal"]
EmojiUse = Literal["none", "light", "rich"]
MAX_RULES = 20
MAX_EXAMPLES = 10


def _language(value: str) -> str:
    value = value.strip()
    if value.lower() == "auto":
        return "auto"
    if not re.fullmatch(r"[A-Za-z]{2}(?:-[A-Za-z]{2})?", value):
        raise ValueError('use "auto" or an ISO 639-1 code such as "en" or "pt-BR"')
    code, _, region = value.partition("-")
    return code.lower() + (f"-{region.upper()}" if region else "")


def _clean_lines(values: list[str]) -> list[str]:
    return [value.strip() for value in values if value.strip()]


Language = Annotated[str, AfterValidator(_language)]
RuleList = Annotated[list[Annotated[str, Field(max_length=300)]], Field(max_length=MAX_RULES),
                     AfterValidator(_clean_lines)]
Examples = Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=MAX_EXAMPLES),
                     AfterValidator(_clean_lines)]
Name = Annotated[str, Field(min_length=1, max_length=100, examples=["Friendly shop voice"]),
                 AfterValidator(str.strip)]


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    always: RuleList = Field(default_factory=list, examples=[["Mention that the workshop is closed on Sundays"]])
    never: RuleList = Field(default_factory=list, examples=[["Promise delivery dates"]])


class StyleFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tone: Tone = "friendly"
    formality: Formality = "neutral"
    language: Language = Field(default="auto", description='"auto" answers in the customer\'s language')
    max_reply_length: int = Field(default=600, ge=50, le=4096, description="Characters, WhatsApp allows 4096")
    emoji: EmojiUse = "light"
    greeting: str = Field(default="", max_length=200, examples=["Hi {name}!"],
                          description="{name} becomes the customer's name")
    sign_off: str = Field(default="", max_length=200, examples=["— Team Velo Verde"])
    persona: str = Field(default="", max_length=2000, examples=["You are Vera, the shop's helpful assistant."])
    rules: Rules = Field(default_factory=Rules)
    examples: Examples = Field(default_factory=list, description="Messages written in the wanted voice")


class StyleProfileCreate(StyleFields):
    name: Name


class StyleProfileUpdate(BaseModel):
    """Every field optional; only the ones sent change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    tone: Tone | None = None
    formality: Formality | None = None
    language: Language | None = None
    max_reply_length: int | None = Field(default=None, ge=50, le=4096)
    emoji: EmojiUse | None = None
    greeting: str | None = Field(default=None, max_length=200)
    sign_off: str | None = Field(default=None, max_length=200)
    persona: str | None = Field(default=None, max_length=2000)
    rules: Rules | None = None
    examples: Examples | None = None


class StyleProfilePublic(StyleFields):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    session_id: str | None = Field(default=None, description="Trained for this session (POST /ai/style/train)")
    wa_chat_id: str | None = Field(default=None, description="Trained for this chat (POST /ai/style/train)")
    learned: dict | None = Field(default=None, description="What /learn derived this profile from")
    created_at: datetime
    updated_at: datetime


class LearnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    samples: list[Annotated[str, Field(max_length=4096)]] | None = Field(
        default=None, min_length=1, max_length=1000, examples=[["Hi Anna! Your bike is ready 🚲 Cheers, Tom"]])
    session_id: str | None = Field(default=None, description="Learn from this session's sent messages instead")

    @model_validator(mode="after")
    def _one_source(self):
        if (self.samples is None) == (self.session_id is None):
            raise ValueError("send either samples (a list of your messages) or session_id, not both")
        return self
