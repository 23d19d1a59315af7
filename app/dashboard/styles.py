"""Style profiles: learn one from pasted messages or a session's sends, edit every field, delete."""

from typing import Annotated, get_args

from fastapi import APIRouter, Form, Request
from starlette.datastructures import FormData

from app.dashboard.login import User
from app.dashboard.web import DashboardRoute, redirect, render
from app.deps import SessionDep
from app.styles import service
from app.styles.schemas import EmojiUse, Formality, LearnRequest, StyleProfileCreate, StyleProfileUpdate, Tone

router = APIRouter(prefix="/bot/styles", route_class=DashboardRoute, include_in_schema=False)
CHOICES = {"tone": get_args(Tone), "formality": get_args(Formality), "emoji": get_args(EmojiUse)}


def _blocks(value: str) -> list[str]:
    """Entries separated by a blank line (a sample message may span several lines)."""
    return [block.strip() for block in value.replace("\r\n", "\n").split("\n\n") if block.strip()]


def update_from_form(form: FormData) -> StyleProfileUpdate:
    return StyleProfileUpdate.model_validate({
        **{name: form.get(name) for name in ("name", "tone", "formality", "language", "emoji", "greeting",
                                              "sign_off", "persona", "max_reply_length")},
        "rules": {"always": _blocks(form.get("always", "")), "never": _blocks(form.get("never", ""))},
        "examples": _blocks(form.get("examples", "")),
    })


@router.post("/learn")
def learn(request: Request, user: User, session: SessionDep, name: Annotated[str, Form()],
          samples: Annotated[str, Form()] = "", session_id: Annotated[str, Form()] = ""):
    body = LearnRequest(name=name, samples=None if session_id else _blocks(samples), session_id=session_id or None)
    profile = service.learn_profile(session, user.account_id, body)
    return redirect(f"/bot/styles/{profile.id}", request)


@router.post("/new")
def create(request: Request, user: User, session: SessionDep, name: Annotated[str, Form()]):
    profile = service.create_profile(session, user.account_id, StyleProfileCreate(name=name))
    return redirect(f"/bot/styles/{profile.id}", request)


@router.get("/{profile_id}")
def profile_page(request: Request, profile_id: str, user: User, session: SessionDep, saved: bool = False):
    return render(request, "style.html", p=service.get_profile(session, user.account_id, profile_id),
                  choices=CHOICES, saved=saved)


@router.post("/{profile_id}")
async def save(request: Request, profile_id: str, user: User, session: SessionDep):
    service.update_profile(session, user.account_id, profile_id, update_from_form(await request.form()))
    return redirect(f"/bot/styles/{profile_id}?saved=1", request)


@router.post("/{profile_id}/delete")
def delete(request: Request, profile_id: str, user: User, session: SessionDep):
    service.delete_profile(session, user.account_id, profile_id)
    return redirect("/bot", request)
