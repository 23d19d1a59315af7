"""The operator's dashboard at `/`: server-rendered pages (Jinja2 + htmx) calling the same services as the API."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.dashboard import admin, bot, home, inbox, knowledge, login, review, sessions, styles
from app.dashboard.web import HERE

# styles before bot: /bot/styles/... must not be read as /bot/{session_id}/...
PAGE_ROUTERS = (login.router, home.router, sessions.router, knowledge.router, styles.router, bot.router,
                review.router, inbox.router, admin.router)


def mount_dashboard(app: FastAPI) -> None:
    """Pages at `/`, their scripts and styles at `/static` (shipped in the package: nothing from a CDN)."""
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="dashboard-static")
