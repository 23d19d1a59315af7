"""media_url checks: an allowed type, a public address, and a size cap, all before anything is sent."""

import posixpath
from urllib.parse import urljoin, urlsplit

import httpx

from app.config import Settings
from app.errors import PayloadTooLarge, Unprocessable
from app.gateways.base import Media
from app.net import public_http_client, require_http_url

# The contract's types: JPG, PNG, GIF, PDF, DOCX, MP3, M4A, MP4.
MEDIA_TYPES = {
    ".jpg": ("image/jpeg", "image"), ".jpeg": ("image/jpeg", "image"), ".png": ("image/png", "image"),
    ".gif": ("image/gif", "image"), ".pdf": ("application/pdf", "document"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"),
    ".mp3": ("audio/mpeg", "audio"), ".m4a": ("audio/mp4", "audio"), ".mp4": ("video/mp4", "video"),
}
KIND_BY_MIMETYPE = {mimetype: kind for mimetype, kind in MEDIA_TYPES.values()} | {
    "audio/mp3": "audio", "audio/x-m4a": "audio", "audio/m4a": "audio", "image/jpg": "image"}
ALLOWED = "JPG, PNG, GIF, PDF, DOCX, MP3, M4A, MP4"
# Stickers are WebP images and GIFs MP4 clips, on WhatsApp itself.
KIND_TYPES = {
    "sticker": ({".webp": ("image/webp", "image")}, {"image/webp": "image"}, "WebP (stickers are WebP images)"),
    "gif": ({".mp4": ("video/mp4", "video")}, {"video/mp4": "video"}, "MP4 (WhatsApp plays GIFs as MP4 video)"),
}
MAX_REDIRECTS = 3


class UnsupportedMedia(Unprocessable):
    detail = f"Unsupported media type; supported: {ALLOWED}"


class MediaUnavailable(Unprocessable):
    detail = "The media_url could not be fetched"


def _guess(url: str, types: dict = MEDIA_TYPES) -> tuple[str, str, str] | None:
    path = urlsplit(url).path
    filename = posixpath.basename(path) or "file"
    found = types.get(posixpath.splitext(path)[1].lower())
    return (found[0], found[1], filename) if found else None


def media_for(kind: str, url: str | None, settings: Settings) -> Media | None:
    """The checked media of a message of this kind (text, media, poll, sticker, gif), or None when it has none."""
    return check_media_url(url, settings, kind=kind) if url else None


def check_media_url(url: str, settings: Settings, kind: str = "media") -> Media:
    """Refuse a bad type, an unsafe address, or a file over REPLYBASE_MAX_MEDIA_MB; else describe the media.

    `kind` "sticker" or "gif" allows only that kind's type."""
    max_bytes = settings.max_media_mb * 2**20
    for _hop in range(MAX_REDIRECTS + 1):
        require_http_url(url, what="media_url")
        try:
            # Each hop connects only to an address checked at connect time (see app/net.py).
            with public_http_client(timeout=settings.gateway_timeout_seconds, allow_private=settings.allow_private_urls,
                                    what="media_url") as client, client.stream("GET", url) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])  # checked again on the next hop
                    continue
                if response.status_code >= 400:
                    raise MediaUnavailable(f"The media_url answered HTTP {response.status_code}; "
                                           "check that the file is public")
                return _describe(url, response, max_bytes, settings.max_media_mb, kind)
        except httpx.HTTPError as exc:
            raise MediaUnavailable(f"The media_url could not be fetched ({exc.__class__.__name__})") from None
    raise MediaUnavailable(f"The media_url redirected more than {MAX_REDIRECTS} times")


def _describe(url: str, response: httpx.Response, max_bytes: int, max_mb: int, message_kind: str = "media") -> Media:
    types, by_mimetype, allowed = KIND_TYPES.get(message_kind, (MEDIA_TYPES, KIND_BY_MIMETYPE, ALLOWED))
    guessed = _guess(url, types)
    declared = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if declared in by_mimetype:
        mimetype, kind = declared, by_mimetype[declared]
        filename = guessed[2] if guessed else "file"
    elif guessed and declared in ("", "application/octet-stream", "binary/octet-stream"):
        mimetype, kind, filename = guessed
    else:
        raise UnsupportedMedia(f"The media_url is {declared or 'of an unknown type'}; supported: {allowed}")
    declared_size = response.headers.get("content-length", "")
    if declared_size.isdigit() and int(declared_size) > max_bytes:
        raise PayloadTooLarge(f"The media is larger than {max_mb} MB (REPLYBASE_MAX_MEDIA_MB)")
    content = bytearray()
    for chunk in response.iter_bytes():
        content += chunk
        if len(content) > max_bytes:
            raise PayloadTooLarge(f"The media is larger than {max_mb} MB (REPLYBASE_MAX_MEDIA_MB)")
    return Media(url=url, mimetype=mimetype, filename=filename, kind=kind, size=len(content), content=bytes(content))
