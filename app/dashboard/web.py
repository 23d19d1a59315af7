"""What every dashboard page shares: templates, the route class that turns errors into plain words, login redirects."""

from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from app.errors import Forbidden, ReplybaseError

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["STATUS_TONE"] = {
    "working": "ok", "ready": "ok", "sent": "ok", "delivered": "ok", "read": "ok",
    "processing": "wait", "qr_code": "wait", "pending": "wait", "sending": "wait", "draft": "wait", "queued": "wait",
    "handoff": "warn", "skipped": "mute", "stopped": "mute", "rejected": "mute",
    "failed": "bad",
}


# Pages hold a tenant's data and, once, new secrets: never cached, never framed, nothing loaded from elsewhere
# (htmx evaluates hx-on attributes and inline handlers, hence unsafe-inline/eval for scripts of this origin only).
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self' 'unsafe-inline' 'unsafe-eval'; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
}


class LoginRequired(Exception):
    """No valid login cookie: full pages redirect to /login, htmx requests are told to go there."""


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(request: Request, name: str, status_code: int = 200, headers: dict | None = None, **context) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def plain_validation(errors: list[dict]) -> str:
    """Pydantic's errors as one sentence per field: "Name: String should have at least 1 character"."""
    parts = []
    for error in errors:
        field = " ".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        parts.append(f"{field.replace('_', ' ').capitalize()}: {message}" if field else message)
    return "; ".join(parts) or "Some fields are not valid"


def error_response(request: Request, detail: str, status_code: int) -> Response:
    """An error in plain words: into the page's message area for htmx requests, else as a page of its own."""
    if is_htmx(request):
        return render(request, "_error.html", status_code, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
                      detail=detail)
    return render(request, "error.html", status_code, detail=detail)


def login_redirect(request: Request) -> Response:
    target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def redirect(url: str, request: Request) -> Response:
    """After a form post: a normal redirect, or HX-Redirect for htmx."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


class DashboardRoute(APIRoute):
    """Catches what a page's services raise and shows it; sets the login cookies a token refresh renewed."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                if request.method == "POST" and not same_origin(request):
                    raise Forbidden("This form was sent from another site; open the dashboard and try again")
                response = await handler(request)
            except LoginRequired:
                response = login_redirect(request)
            except ReplybaseError as exc:
                response = error_response(request, exc.detail, exc.status_code)
                response.headers.update(exc.headers or {})  # e.g. Retry-After
            except (RequestValidationError, ValidationError) as exc:
                response = error_response(request, plain_validation(exc.errors()), 422)
            for name, value, max_age in getattr(request.state, "dashboard_cookies", ()):
                set_cookie(request, response, name, value, max_age)
            for header, value in SECURITY_HEADERS.items():
                response.headers.setdefault(header, value)
            return response

        return route


def same_origin(request: Request) -> bool:
    """A browser says where a POST came from; with SameSite cookies this stops cross-site form posts.

    Sec-Fetch-Site first: it survives a reverse proxy that rewrites Host, which would fail the Origin check."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.headers.get("host")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    # HttpOnly: scripts never see the tokens; SameSite=Strict: another site cannot post forms with them.
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
