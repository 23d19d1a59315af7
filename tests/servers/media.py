"""A file host on 127.0.0.1 for media_url: serves bytes with a chosen content type, or redirects."""

from tests.servers.fake_http import FakeServer, Request


class FakeMediaHost(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, tuple[str, bytes]] = {}
        self.route("GET", r"/files/(.+)", self._file)

    def add(self, name: str, content_type: str, data: bytes) -> str:
        self.files[name] = (content_type, data)
        return f"{self.url}/files/{name}"

    def _file(self, request: Request, name: str):
        if name not in self.files:
            return 404, {"error": "not found"}
        content_type, data = self.files[name]
        return 200, data, content_type
