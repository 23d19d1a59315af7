"""The WhatsApp Cloud API (Graph) on 127.0.0.1: /{phone_number_id}, /{phone_number_id}/messages, signed webhooks."""

import hashlib
import hmac
import json
import secrets

from tests.servers.fake_http import FakeServer, Request


def graph_error(message: str, code: int, type_: str = "OAuthException") -> dict:
    return {"error": {"message": message, "type": type_, "code": code, "fbtrace_id": "A" + secrets.token_hex(8)}}


class FakeMetaGraph(FakeServer):
    def __init__(self, phone_number_id: str = "106540352242922", token: str = "EAAG-token") -> None:
        super().__init__()
        self.phone_number_id = phone_number_id
        self.token = token
        self.outside_window: set[str] = set()  # recipients Meta refuses with 131047
        self.sent: list[dict] = []
        self.route("GET", r"/v21\.0/(\d+)", self._phone_number)
        self.route("POST", r"/v21\.0/(\d+)/messages", self._messages)

    @property
    def graph_url(self) -> str:
        return self.url + "/v21.0"

    def _auth(self, request: Request, phone_number_id: str):
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, graph_error("Error validating access token: Session has expired.", 190)
        if phone_number_id != self.phone_number_id:
            return 400, graph_error(f"Unsupported get request. Object with ID '{phone_number_id}' does not exist",
                                    100, "GraphMethodException")
        return None

    def _phone_number(self, request: Request, phone_number_id: str):
        return self._auth(request, phone_number_id) or (
            200, {"verified_name": "Velo Verde", "display_phone_number": "+1 555-010-4242",
                  "id": phone_number_id, "quality_rating": "GREEN"})

    def _messages(self, request: Request, phone_number_id: str):
        if refused := self._auth(request, phone_number_id):
            return refused
        body = request.json()
        if body.get("messaging_product") != "whatsapp" or body.get("type") not in body:
            return 400, graph_error("(#100) Invalid parameter", 100)
        if body["to"] in self.outside_window:
            return 400, graph_error("Re-engagement message", 131047)
        self.sent.append(body)
        return 200, {"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                     "messages": [{"id": "wamid.HBgL" + secrets.token_hex(16).upper()}]}


def meta_webhook(phone_number_id: str, *, messages: list[dict] = (), statuses: list[dict] = (),
                 contacts: list[dict] = (), app_secret: str | None) -> tuple[bytes, dict[str, str]]:
    """A Cloud API webhook POST as Meta sends it, signed with X-Hub-Signature-256."""
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "15550104242", "phone_number_id": phone_number_id}}
    if contacts:
        value["contacts"] = list(contacts)
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    body = json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}
                      ).encode()
    headers = {"Content-Type": "application/json"}
    if app_secret:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return body, headers
