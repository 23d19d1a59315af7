"""Typed errors carrying their status code, rendered as {"detail": ...} by one set of handlers."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.logs import NO_CONTEXT, log_context

logger = logging.getLogger("replybase")


class ReplybaseError(Exception):
    status_code = 400
    detail = "Bad request"
    # True for refusals that must still record something (e.g. revoking a login on token reuse).
    keeps_changes = False

    def __init__(self, detail: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.detail = detail or self.detail
        self.headers = headers
        super().__init__(self.detail)


class BadRequest(ReplybaseError):
    status_code = 400


class Unauthorized(ReplybaseError):
    status_code = 401
    detail = "Not authenticated"


class Forbidden(ReplybaseError):
    status_code = 403
    detail = "Forbidden"


class NotFound(ReplybaseError):
    status_code = 404
    detail = "Not Found"


class Conflict(ReplybaseError):
    status_code = 409
    detail = "Conflict"


class PayloadTooLarge(ReplybaseError):
    status_code = 413


class UnsupportedMediaType(ReplybaseError):
    status_code = 415


class Unprocessable(ReplybaseError):
    status_code = 422


def patch_changes(body: BaseModel) -> dict:
    """The fields a PATCH body sends; 422 naming those sent as null, for fields that always have a value."""
    changes = body.model_dump(exclude_unset=True)
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        raise Unprocessable(f"{', '.join(nulls)} cannot be null; leave the field out to keep its value")
    return changes


class RateLimited(ReplybaseError):
    status_code = 429


class ServiceUnavailable(ReplybaseError):
    status_code = 503


class BadGateway(ReplybaseError):
    status_code = 502


def error_responses(*errors: type[ReplybaseError]) -> dict[int, dict]:
    """OpenAPI `responses=` entries for the errors an endpoint can raise."""
    return {
        error.status_code: {"description": error.detail,
                            "content": {"application/json": {"example": {"detail": error.detail}}}}
        for error in errors
    }


def _clean_validation_errors(errors) -> list[dict]:
    # Only loc/msg/type: echoing `input` back could return a password in the response body.
    return [{"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "")} for e in errors]


def _message(error) -> str:
    if error.get("type") == "extra_forbidden" and error.get("loc"):
        return f"unknown field {error['loc'][-1]!r}: this endpoint does not take it (check its spelling)"
    return error.get("msg", "")


async def _replybase_error(_request: Request, exc: ReplybaseError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "invalid JSON")
            return JSONResponse({"detail": f"Malformed JSON body: {reason}"}, status_code=400)
    return JSONResponse({"detail": _clean_validation_errors(errors)}, status_code=422)


async def _unstorable_value(_request: Request, exc: DataError) -> JSONResponse:
    # The database refused a value the schemas let through (PostgreSQL checks lengths and NUL; SQLite does not).
    reason = str(getattr(exc, "orig", exc)).splitlines()[0]
    logger.warning("refused a value the database cannot store: %s", reason)
    return JSONResponse({"detail": f"A value in this request cannot be stored: {reason}"}, status_code=422)


async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
    # A number or date past what Python's datetime or the database can hold (say, year 9999 with a +14:00 zone).
    cause = exc.orig if isinstance(exc, StatementError) else exc
    if not isinstance(cause, OverflowError):
        return await _unhandled_error(request, exc)
    return JSONResponse({"detail": f"A value in this request is out of range: {cause}"}, status_code=422)


async def _unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", NO_CONTEXT)
    # Starlette runs this handler in its outermost middleware, outside RequestContextMiddleware: bind the id again.
    with log_context(request_id):
        logger.exception("unhandled error", exc_info=exc)
    return JSONResponse({"detail": "Internal server error"}, status_code=500, headers={"X-Request-ID": request_id})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ReplybaseError, _replybase_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DataError, _unstorable_value)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(StatementError, _out_of_range)
    app.add_exception_handler(Exception, _unhandled_error)
