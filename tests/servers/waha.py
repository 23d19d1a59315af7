"""A WAHA server (devlikeapro/waha HTTP API) on 127.0.0.1: sessions, QR, sends (text, image, file, poll, sticker,
video), groups (list in each engine's shape, create, participants, admins), signed events."""

import base64
import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import unquote

from tests.servers.fake_http import FakeServer, Request

NOT_WORKING = "Session status is not as expected. Try again later or restart the session"


class FakeWaha(FakeServer):
    def __init__(self, api_key: str = "waha-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.sessions: dict[str, dict] = {}
        self.pair_phone: str | None = None  # started sessions connect at once as this number; else they need a QR
        self.sent: list[dict] = []
        # Texts starting with a prefix here are sent, then answered only after that many seconds (or at stop()):
        # WhatsApp has the message while the caller still waits, as when a crash cuts a send short.
        self.slow_prefixes: dict[str, float] = {}
        # Per session name: {group id: {"name": ..., "participants": {phone: "member" | "admin" | "superadmin"}}}
        self.groups: dict[str, dict[str, dict]] = {}
        self.engine = "WEBJS"  # the shape GET /api/{session}/groups answers in: WEBJS, NOWEB or GOWS
        for method, pattern, handler in [
            ("POST", r"/api/sessions", self._create), ("GET", r"/api/sessions/([^/]+)", self._get),
            ("DELETE", r"/api/sessions/([^/]+)", self._delete),
            ("POST", r"/api/sessions/([^/]+)/(start|stop|restart)", self._lifecycle),
            ("GET", r"/api/([^/]+)/auth/qr", self._qr),
            ("POST", r"/api/(sendText|sendImage|sendFile|sendPoll|sendSticker|sendVideo)", self._send),
            ("GET", r"/api/([^/]+)/groups", self._list_groups), ("POST", r"/api/([^/]+)/groups", self._create_group),
            ("POST", r"/api/([^/]+)/groups/([^/]+)/(participants/add|participants/remove|admin/promote|admin/demote)",
             self._participants),
            ("GET", r"/api/([^/]+)/chats/([^/]+)/messages", self._chat_messages),
        ]:
            self.route(method, pattern, self._authorized(handler))

    def _authorized(self, handler):
        def wrapped(request: Request, *args):
            if self.api_key and request.headers.get("X-Api-Key") != self.api_key:
                return 401, {"message": "Unauthorized", "statusCode": 401}
            return handler(request, *args)
        return wrapped

    def _view(self, name: str) -> dict:
        session = self.sessions[name]
        me = {"id": f"{session['phone']}@c.us", "pushName": "Shop"} if session["status"] == "WORKING" else None
        return {"name": name, "status": session["status"], "me": me, "config": session["config"]}

    def _started(self, name: str) -> None:
        self.sessions[name]["status"] = "WORKING" if self.pair_phone else "SCAN_QR_CODE"
        self.sessions[name]["phone"] = self.pair_phone

    def _create(self, request: Request):
        body = request.json()
        name = body.get("name", "default")
        if name in self.sessions:
            return 422, {"statusCode": 422, "message": f"Session '{name}' already exists. Use PUT to update it."}
        self.sessions[name] = {"status": "STOPPED", "config": body.get("config") or {}, "phone": None}
        if body.get("start", True):
            self._started(name)
        return 201, self._view(name)

    def _get(self, request: Request, name: str):
        if name not in self.sessions:
            return 404, {"statusCode": 404, "message": "Session not found"}
        return 200, self._view(name)

    def _delete(self, request: Request, name: str):
        if self.sessions.pop(name, None) is None:
            return 404, {"statusCode": 404, "message": "Session not found"}
        return 200, {}

    def _lifecycle(self, request: Request, name: str, action: str):
        if name not in self.sessions:
            return 404, {"statusCode": 404, "message": "Session not found"}
        if action == "stop":
            self.sessions[name]["status"] = "STOPPED"
        else:
            self._started(name)
        return 201, self._view(name)

    def _qr(self, request: Request, name: str):
        session = self.sessions.get(name)
        if session is None or session["status"] != "SCAN_QR_CODE":
            return 422, {"error": NOT_WORKING, "session": name, "status": session and session["status"],
                         "expected": ["SCAN_QR_CODE"]}
        return 200, {"mimetype": "image/png", "data": base64.b64encode(b"\x89PNG fake qr").decode()}

    def _send(self, request: Request, endpoint: str):
        body = request.json()
        session = self.sessions.get(body.get("session"))
        if session is None or session["status"] != "WORKING":
            return 422, {"error": NOT_WORKING, "session": body.get("session"),
                         "status": session and session["status"], "expected": ["WORKING"]}
        short = "3EB0" + secrets.token_hex(8).upper()
        message = {"id": {"fromMe": True, "remote": body["chatId"], "id": short,
                          "_serialized": f"true_{body['chatId']}_{short}"},
                   "body": body.get("text") or body.get("caption") or (body.get("poll") or {}).get("name") or "",
                   "fromMe": True, "ack": 1,
                   "timestamp": int(time.time())}
        self.sent.append({"endpoint": endpoint, **body, "message": message})
        text = message["body"] or ""
        for prefix, seconds in list(self.slow_prefixes.items()):
            if text.startswith(prefix):
                self._release.wait(seconds)
        return 201, message

    def sent_texts(self, prefix: str = "") -> list[tuple[str, str]]:
        """(chat id, text) of every message sent whose text starts with `prefix`."""
        return [(s["chatId"], s["message"]["body"]) for s in self.sent if (s["message"]["body"] or "").startswith(prefix)]

    def _chat_messages(self, request: Request, name: str, chat_id: str):
        """GET /api/{session}/chats/{chatId}/messages with WAHA's filter.* query parameters (newest first)."""
        chat_id = unquote(chat_id)
        since = int(request.query.get("filter.timestamp.gte", "0"))
        found = [sent["message"] for sent in self.sent
                 if sent.get("session") == name and sent["chatId"] == chat_id and sent["message"]["timestamp"] >= since]
        return 200, list(reversed(found))[:int(request.query.get("limit", "100"))]

    def _working(self, name: str):
        session = self.sessions.get(name)
        if session is None or session["status"] != "WORKING":
            return 422, {"error": NOT_WORKING, "session": name, "status": session and session["status"],
                         "expected": ["WORKING"]}
        return None

    def _group_view(self, group_id: str, group: dict) -> dict:
        members = group["participants"].items()
        if self.engine == "NOWEB":
            return {"id": group_id, "subject": group["name"], "participants": [
                {"id": f"{phone}@s.whatsapp.net", "admin": None if role == "member" else role}
                for phone, role in members]}
        if self.engine == "GOWS":
            return {"JID": group_id, "Name": group["name"], "Participants": [
                {"JID": f"{phone}@s.whatsapp.net", "IsAdmin": role != "member", "IsSuperAdmin": role == "superadmin"}
                for phone, role in members]}
        user = group_id.split("@")[0]
        return {"id": {"server": "g.us", "user": user, "_serialized": group_id}, "name": group["name"], "isGroup": True,
                "groupMetadata": {"id": {"server": "g.us", "user": user, "_serialized": group_id},
                                  "subject": group["name"], "participants": [
                                      {"id": {"server": "c.us", "user": phone, "_serialized": f"{phone}@c.us"},
                                       "isAdmin": role != "member", "isSuperAdmin": role == "superadmin"}
                                      for phone, role in members]}}

    def _list_groups(self, request: Request, name: str):
        if refused := self._working(name):
            return refused
        views = [self._group_view(gid, group) for gid, group in self.groups.get(name, {}).items()]
        if self.engine == "NOWEB":  # NOWEB answers an object keyed by group id
            return 200, {view["id"]: view for view in views}
        return 200, views

    def _create_group(self, request: Request, name: str):
        if refused := self._working(name):
            return refused
        body = request.json()
        group_id = f"120363{secrets.randbelow(10**12):012d}@g.us"
        participants = {p["id"].split("@")[0]: "member" for p in body["participants"]}
        participants[self.sessions[name]["phone"]] = "superadmin"
        self.groups.setdefault(name, {})[group_id] = {"name": body["name"], "participants": participants}
        user = group_id.split("@")[0]
        return 201, {"gid": {"server": "g.us", "user": user, "_serialized": group_id}, "title": body["name"],
                     "participants": {f"{p}@c.us": {"statusCode": 200, "message": "The participant was added"}
                                      for p in participants}}

    def _participants(self, request: Request, name: str, group_id: str, action: str):
        if refused := self._working(name):
            return refused
        group = self.groups.get(name, {}).get(unquote(group_id))
        if group is None:
            return 404, {"statusCode": 404, "message": "Group not found"}
        for participant in request.json()["participants"]:
            phone = participant["id"].split("@")[0]
            if action == "participants/add":
                group["participants"].setdefault(phone, "member")
            elif action == "participants/remove":
                group["participants"].pop(phone, None)
            elif phone in group["participants"]:
                group["participants"][phone] = "admin" if action == "admin/promote" else "member"
        return 200, [{"id": p["id"], "code": 200} for p in request.json()["participants"]]

    def add_group(self, name: str, group_id: str, title: str, participants: dict[str, str]) -> None:
        """The session's number is in this group (created on the phone, say)."""
        self.groups.setdefault(name, {})[group_id] = {"name": title, "participants": dict(participants)}

    def connect(self, name: str, phone: str) -> None:
        """The user scanned the QR code."""
        self.sessions[name].update(status="WORKING", phone=phone)


def waha_event(event: str, session: str, payload: dict, secret: str | None) -> tuple[bytes, dict[str, str]]:
    """A WAHA webhook POST as WAHA sends it: the body and its X-Webhook-Hmac headers."""
    body = json.dumps({"id": "evt_" + secrets.token_hex(8), "timestamp": 1767225600000, "event": event,
                       "session": session, "me": None, "payload": payload, "engine": "WEBJS",
                       "environment": {"version": "2025.1.1", "engine": "WEBJS", "tier": "CORE"}}).encode()
    headers = {"Content-Type": "application/json"}
    if secret:
        headers |= {"X-Webhook-Hmac": hmac.new(secret.encode(), body, hashlib.sha512).hexdigest(),
                    "X-Webhook-Hmac-Algorithm": "sha512"}
    return body, headers
