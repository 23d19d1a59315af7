"""Gateways by name; each is built once per process, on first use, from settings."""

from app.config import Settings
from app.errors import Unprocessable
from app.gateways.base import Gateway
from app.gateways.meta import MetaGateway
from app.gateways.sandbox import SandboxGateway
from app.gateways.waha import WahaGateway
from app.state import Services

GATEWAY_CLASSES: dict[str, type] = {"sandbox": SandboxGateway, "waha": WahaGateway, "meta": MetaGateway}


class UnknownGateway(Unprocessable):
    pass


def available_gateways(settings: Settings) -> list[str]:
    return [name for name in GATEWAY_CLASSES if name != "sandbox" or settings.sandbox]


def get_gateway(services: Services, name: str) -> Gateway:
    """The gateway called `name`; 422 naming the choices when it is unknown or switched off."""
    if name not in available_gateways(services.settings):
        hint = " (the sandbox is off: REPLYBASE_SANDBOX=false)" if name == "sandbox" else ""
        raise UnknownGateway(f"Unknown gateway {name!r}{hint}; available: "
                             f"{', '.join(available_gateways(services.settings))}")
    gateways = services.components.setdefault("gateways", {})
    if name not in gateways:
        gateways[name] = GATEWAY_CLASSES[name](services.settings)
    return gateways[name]
