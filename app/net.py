"""Outbound URL guard: user-supplied URLs must not reach this machine or the private network (SSRF).

Checking a URL once and then letting the HTTP client resolve its host again leaves a gap: a hostile DNS server can
answer with a public address to the check and with 127.0.0.1 to the connection (DNS rebinding). So fetches of
user-supplied URLs go through `public_http_client`, whose connections resolve the host once, check every address,
and connect to a checked address; `check_public_url` stays for early, clear errors when a URL is registered.
"""

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

import httpcore
import httpx

from app.errors import Unprocessable

PRIVATE_HELP = "use a public URL (or set REPLYBASE_ALLOW_PRIVATE_URLS=true on a trusted network)"


class UnsafeUrl(Unprocessable):
    detail = "This URL is not allowed"


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):  # an IPv4 address inside IPv6 is judged as that IPv4 address
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    # is_global also excludes shared (100.64/10: carrier NAT, some cloud metadata) and special-purpose ranges.
    return ip.is_global and not ip.is_multicast


def resolve_public(host: str, port: int, *, what: str = "URL") -> list[str]:
    """The host's addresses, provided that every one of them is public; UnsafeUrl otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl(f"The {what}'s host {host!r} does not resolve") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses or not all(_is_public(address) for address in addresses):
        raise UnsafeUrl(f"The {what} points at a private, loopback or link-local address; {PRIVATE_HELP}")
    return addresses


def require_http_url(url: str, *, what: str = "URL") -> SplitResult:
    """The URL's parts, provided it is an absolute http(s) URL that the HTTP client can also parse."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # parsed lazily; a bad port raises here
        httpx.Request("GET", url)  # stricter than urlsplit (ports, IDNA hosts), and it is what fetches the URL
    except (ValueError, httpx.InvalidURL):
        raise UnsafeUrl(f"The {what} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(f"The {what} must be an absolute http:// or https:// URL")
    return parts


def check_public_url(url: str, allow_private: bool, *, what: str = "URL") -> str:
    """Check scheme and host, resolve the host and refuse if ANY address is private, loopback or link-local."""
    parts = require_http_url(url, what=what)
    if not allow_private:
        resolve_public(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), what=what)
    return url


class PublicOnlyBackend(httpcore.SyncBackend):
    """Connects only to checked public addresses: the address checked is the address connected to."""

    def __init__(self, what: str) -> None:
        self.what = what

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        addresses = resolve_public(host, port, what=self.what)
        for address in addresses[:-1]:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue  # try the host's next address, as a normal client would
        # TLS still verifies the certificate against `host`: httpcore passes the URL's host as server_hostname.
        return super().connect_tcp(addresses[-1], port, timeout, local_address, socket_options)


def public_http_client(*, timeout: float, allow_private: bool, what: str = "URL") -> httpx.Client:
    """An httpx client for user-supplied URLs; with allow_private it is a plain client (trusted networks)."""
    if allow_private:
        return httpx.Client(timeout=timeout, follow_redirects=False)
    transport = httpx.HTTPTransport()
    # httpx has no public hook for the connect step; its httpcore pool takes a network backend (tests/app/test_net.py
    # fails if this attribute ever moves).
    transport._pool._network_backend = PublicOnlyBackend(what)
    # trust_env=False: an environment proxy would connect on our behalf and skip the check.
    return httpx.Client(timeout=timeout, follow_redirects=False, transport=transport, trust_env=False)
