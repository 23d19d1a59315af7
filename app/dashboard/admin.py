"""Webhooks with their deliveries, and API keys (created from a preset, shown once, revoked)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.apikeys import service as keys_service
from app.apikeys.schemas import ApiKeyCreate
from app.apikeys.scopes import PRESETS
from app.dashboard.login import User
from app.dashboard.web import DashboardRoute, redirect, render
from app.deps import ServicesDep, SessionDep
from app.webhooks import service as webhooks_service
from app.webhooks.events import EVENTS
from app.webhooks.schemas import WebhookCreate

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)


@router.get("/webhooks")
def webhooks_page(request: Request, user: User, session: SessionDep):
    return render(request, "webhooks.html", webhooks=webhooks_service.list_webhooks(session, user.account_id),
                  events=EVENTS, created=None)


@router.post("/webhooks")
async def create_webhook(request: Request, user: User, session: SessionDep, services: ServicesDep,
                         url: Annotated[str, Form()], name: Annotated[str, Form()] = ""):
    events = (await request.form()).getlist("events")
    webhook = webhooks_service.create_webhook(session, services.settings, user.account_id,
                                              WebhookCreate(url=url, name=name or None, events=events))
    # The signing secret is shown on this response only, like the API's.
    return render(request, "webhooks.html", webhooks=webhooks_service.list_webhooks(session, user.account_id),
                  events=EVENTS, created=webhook)


@router.get("/webhooks/{webhook_id}")
def webhook_page(request: Request, webhook_id: str, user: User, session: SessionDep, status: str = ""):
    webhook = webhooks_service.get_webhook(session, user.account_id, webhook_id)
    deliveries, _total = webhooks_service.list_deliveries(session, user.account_id, webhook_id,
                                                          status=status or None)
    return render(request, "webhook.html", w=webhook, deliveries=deliveries, status=status)


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")
def redeliver(request: Request, webhook_id: str, delivery_id: str, user: User, session: SessionDep):
    webhooks_service.redeliver(session, user.account_id, webhook_id, delivery_id)
    return redirect(f"/webhooks/{webhook_id}", request)


@router.post("/webhooks/{webhook_id}/delete")
def delete_webhook(request: Request, webhook_id: str, user: User, session: SessionDep):
    webhooks_service.delete_webhook(session, user.account_id, webhook_id)
    return redirect("/webhooks", request)


@router.get("/keys")
def keys_page(request: Request, user: User, session: SessionDep):
    return render(request, "keys.html", keys=keys_service.list_keys(session, user.account_id), presets=PRESETS,
                  created=None)


@router.post("/keys")
def create_key(request: Request, user: User, session: SessionDep, label: Annotated[str, Form()],
               preset: Annotated[str, Form()]):
    created = keys_service.create_for_principal(session, user, ApiKeyCreate(label=label, preset=preset))
    return render(request, "keys.html", keys=keys_service.list_keys(session, user.account_id), presets=PRESETS,
                  created=created)


@router.post("/keys/{key_id}/revoke")
def revoke_key(request: Request, key_id: str, user: User, session: SessionDep):
    keys_service.revoke_key(session, user.account_id, key_id)
    return redirect("/keys", request)
