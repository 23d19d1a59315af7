"""The bot per session: every auto-reply setting as a form, the playground (a preview, nothing sent) and test
questions (an evaluation: what each minimum confidence would do)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.datastructures import FormData

from app.autoreply import evaluation, service
from app.autoreply import preview as preview_service
from app.autoreply.schemas import DAYS, AutoReplyConfig, EvaluationRequest, PreviewRequest
from app.dashboard.login import User
from app.dashboard.web import DashboardRoute, redirect, render
from app.deps import ServicesDep, SessionDep
from app.errors import Unprocessable
from app.sessions import service as sessions_service
from app.styles import service as styles_service

router = APIRouter(prefix="/bot", route_class=DashboardRoute, include_in_schema=False)


def _lines(value: str) -> list[str]:
    """A textarea's entries, one per line or comma-separated."""
    return [item.strip() for line in value.splitlines() for item in line.split(",") if item.strip()]


def config_from_form(form: FormData) -> AutoReplyConfig:
    """The settings form as the API's body; each filled row of the week grid is one open range of its day."""
    days = {}
    for day in DAYS:
        ranges = [(start, end) for start, end in zip(form.getlist(f"{day}_start"), form.getlist(f"{day}_end"),
                                                     strict=False) if start or end]
        if ranges:
            days[day] = ranges
    hours = {"timezone": form.get("timezone") or "UTC", "days": days} if form.get("hours_enabled") else None
    return AutoReplyConfig.model_validate({
        "enabled": bool(form.get("enabled")), "mode": form.get("mode", "auto"),
        "drafter": form.get("drafter", "extractive"), "style_profile_id": form.get("style_profile_id") or None,
        "tags": _lines(form.get("tags", "")), "min_confidence": form.get("min_confidence") or None,
        "fallback_message": form.get("fallback_message", ""),
        "handoff_keywords": _lines(form.get("handoff_keywords", "")),
        "human_pause_minutes": form.get("human_pause_minutes") or 0,
        "ignore_groups": bool(form.get("ignore_groups")), "mention_only": bool(form.get("mention_only")),
        "allow_list": _lines(form.get("allow_list", "")), "block_list": _lines(form.get("block_list", "")),
        "business_hours": hours, "off_hours_message": form.get("off_hours_message", ""),
        "debounce_seconds": form.get("debounce_seconds") or 0,
        "max_replies_per_chat_per_hour": form.get("max_replies_per_chat_per_hour") or 1,
        "memory_turns": form.get("memory_turns") or 0,
    })


@router.get("")
def bot_index(request: Request, user: User, session: SessionDep):
    return render(request, "bot_index.html", sessions=sessions_service.list_sessions(session, user.account_id),
                  profiles=styles_service.list_profiles(session, user.account_id))


def _settings_page(request: Request, session, user, session_id: str, saved: bool = False):
    return render(request, "bot.html", s=sessions_service.get_session(session, user.account_id, session_id),
                  config=service.get_settings(session, user.account_id, session_id),
                  profiles=styles_service.list_profiles(session, user.account_id), days=DAYS, saved=saved)


@router.get("/{session_id}")
def bot_page(request: Request, session_id: str, user: User, session: SessionDep, saved: bool = False):
    return _settings_page(request, session, user, session_id, saved)


@router.post("/{session_id}")
async def save_settings(request: Request, session_id: str, user: User, session: SessionDep):
    service.put_settings(session, user, session_id, config_from_form(await request.form()))
    return redirect(f"/bot/{session_id}?saved=1", request)


@router.post("/{session_id}/preview")
def playground(request: Request, session_id: str, user: User, services: ServicesDep,
               message: Annotated[str, Form()]):
    """What the bot would answer this customer now, with the session's saved settings; nothing is sent."""
    answer = preview_service.preview(services, user, PreviewRequest(message=message, session_id=session_id))
    return render(request, "_preview.html", message=message, answer=answer)


def questions_from_form(answered: str, uncovered: str) -> list[dict]:
    """"question => fact; fact" lines (a right reply holds every fact), then questions the documents do not cover."""
    questions = []
    for number, line in enumerate(answered.splitlines(), start=1):
        if not line.strip():
            continue
        message, arrow, facts = line.partition("=>")
        if not arrow:
            raise Unprocessable(f"Line {number} of the answered questions has no =>: write what a right reply says "
                                "after it, as in: How much is a tune-up? => £45")
        questions.append({"message": message.strip(), "expect": [f.strip() for f in facts.split(";") if f.strip()]})
    questions += [{"message": line.strip()} for line in uncovered.splitlines() if line.strip()]
    return questions


@router.post("/{session_id}/evaluate")
def test_questions(request: Request, session_id: str, user: User, services: ServicesDep,
                   answered: Annotated[str, Form()] = "", uncovered: Annotated[str, Form()] = ""):
    """The session's bot asked every test question at once, with the saved settings; nothing is sent."""
    body = EvaluationRequest(questions=questions_from_form(answered, uncovered), session_id=session_id)
    return render(request, "_evaluation.html", result=evaluation.evaluate(services, user, body))
