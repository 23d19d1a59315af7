"""Base classes for request bodies: a field the API does not know is refused (422 naming it), never ignored.

A misspelt field silently dropped is worse than an error: the request "works" and does something else."""

from pydantic import BaseModel, ConfigDict


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
