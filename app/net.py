"""Outbound URL guard: user-supplied URLs must not reach this machine or the private network (SSRF)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from app.errors import Unprocessable


class UnsafeUrl(Unprocessable):
    detail = "This URL is not allowed"


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified)


def check_public_url(url: str, allow_private: bool, *, what: str = "URL") -> str:
    """Check scheme and host, resolve the host and refuse if ANY address is private, loopback or link-local."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(f"The {what} must be an absolute http:// or https:// URL")
    if allow_private:
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl(f"The {what}'s host {parts.hostname!r} does not resolve") from None
    if not infos or not all(_is_public(info[4][0]) for info in infos):
        raise UnsafeUrl(f"The {what} points at a private, loopback or link-local address; use a public URL "
                        "(or set REPLYBASE_ALLOW_PRIVATE_URLS=true on a trusted network)")
    return url
