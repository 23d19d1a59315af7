from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.schema_base import RequestBody

MAX_TAGS = 20


def clean_tags(tags: list[str]) -> list[str]:
    """Trimmed, lower-cased, deduplicated tags."""
    cleaned: list[str] = []
    for tag in tags:
        tag = tag.strip().lower()
        if tag and tag not in cleaned:
            if len(tag) > 50:
                raise ValueError(f"tag {tag[:20]!r}... is longer than 50 characters")
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return cleaned


Tags = Annotated[list[str], AfterValidator(clean_tags)]


class DocumentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    filename: str | None
    content_type: str
    size_bytes: int
    status: Literal["processing", "ready", "failed"]
    tags: list[str]
    created_at: datetime


class DocumentDetail(DocumentPublic):
    pages: int | None
    chunk_count: int
    error: str | None
    indexed_at: datetime | None
    progress: dict


class DocumentPage(BaseModel):
    items: list[DocumentPublic]
    total: int
    limit: int
    offset: int


class TextDocumentCreate(RequestBody):
    title: str = Field(min_length=1, max_length=300, examples=["Opening hours"])
    text: str = Field(min_length=1, max_length=2_000_000, examples=["We are open Monday to Friday 9:00-18:00."])
    tags: Tags = Field(default_factory=list, examples=[["faq"]])


class ChunkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    document_id: str
    ordinal: int
    text: str
    page: int | None
    section: str | None
    language: str | None = Field(description="ISO 639-1 code the keyword index reads the text in; null: English")
    enabled: bool
    edited: bool


class ChunkUpdate(RequestBody):
    enabled: bool | None = None
    text: str | None = Field(default=None, min_length=1, max_length=20_000)


class SearchRequest(RequestBody):
    query: str = Field(min_length=1, max_length=2000, examples=["When are you open on Sunday?"])
    top_k: int = Field(default=5, ge=1, le=50)
    mode: Literal["hybrid", "semantic", "keyword"] = "hybrid"
    tags: Tags = Field(default_factory=list)
    min_score: float | None = Field(default=None, ge=0)


class SearchResult(BaseModel):
    chunk_id: int
    document_id: str
    document_title: str
    text: str
    page: int | None
    section: str | None
    score: float
    semantic_score: float | None
    keyword_score: float | None


class SearchResponse(BaseModel):
    results: list[SearchResult]
    took_ms: float
