"""Sessions: create on a gateway (sandbox, WAHA, Meta), status, the WAHA QR code, restart, stop, delete."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.dashboard.login import User
from app.dashboard.web import DashboardRoute, redirect, render
from app.deps import ServicesDep, SessionDep
from app.gateways.base import NoQrCode
from app.sessions import service
from app.sessions.schemas import GATEWAY_CONFIG, SessionCreate

router = APIRouter(prefix="/sessions", route_class=DashboardRoute, include_in_schema=False)


@router.get("")
def sessions_page(request: Request, user: User, session: SessionDep):
    return render(request, "sessions.html", sessions=service.list_sessions(session, user.account_id),
                  gateway_config=GATEWAY_CONFIG)


@router.post("")
async def create_session(request: Request, user: User, services: ServicesDep,
                         name: Annotated[str, Form()], gateway: Annotated[str, Form()] = "sandbox"):
    """The form holds every gateway's fields as config_<key>: only the chosen gateway's filled ones are sent."""
    allowed = {key for keys in GATEWAY_CONFIG.get(gateway, {}).values() for key in keys}
    fields = {key.removeprefix("config_"): str(value).strip() for key, value in (await request.form()).items()
              if key.startswith("config_")}
    config = {key: value for key, value in fields.items() if value and key in allowed}
    body = SessionCreate(name=name, gateway=gateway, config=config)
    created = service.create_session(services, user, body)
    return redirect(f"/sessions/{created.id}", request)


@router.get("/{session_id}")
def session_page(request: Request, session_id: str, user: User, services: ServicesDep):
    """The session with the status its gateway reports now; the QR part polls until it is connected."""
    wa_session = service.refresh_session(services, user.account_id, session_id)
    return render(request, "session.html", s=wa_session)


@router.get("/{session_id}/qr")
def session_qr(request: Request, session_id: str, user: User, services: ServicesDep):
    wa_session = service.refresh_session(services, user.account_id, session_id)
    qr = None
    if wa_session.status != "working":
        try:
            wa_session, qr = service.get_qr(services, user.account_id, session_id)
        except NoQrCode:
            qr = None
    return render(request, "_session_qr.html", s=wa_session, qr=qr)


@router.post("/{session_id}/{action}")
def session_action(request: Request, session_id: str, action: str, user: User, services: ServicesDep):
    actions = {"restart": service.restart_session, "stop": service.stop_session, "delete": service.delete_session}
    if action not in actions:
        return render(request, "error.html", 404, detail="No such action")
    actions[action](services, user.account_id, session_id)
    return redirect("/sessions" if action == "delete" else f"/sessions/{session_id}", request)
