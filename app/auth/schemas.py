from pydantic import BaseModel, Field

from app.schema_base import RequestBody


class RegisterRequest(RequestBody):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                       examples=["owner@example.com"])
    password: str = Field(min_length=8, max_length=256, examples=["correct horse battery staple"])
    account_name: str = Field(min_length=1, max_length=200, examples=["Velo Verde"])


class RegisterResponse(BaseModel):
    account_id: str
    user_id: str
    email: str
    plan: str


class LoginRequest(RequestBody):
    email: str = Field(max_length=320, examples=["owner@example.com"])
    password: str = Field(max_length=256)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class RefreshRequest(RequestBody):
    refresh_token: str = Field(max_length=200)


class LogoutRequest(RequestBody):
    refresh_token: str | None = Field(default=None, max_length=200)


