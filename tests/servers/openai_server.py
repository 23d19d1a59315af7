"""A local server speaking the OpenAI chat-completions protocol, scriptable per test.

`answer` is the assistant's content (a string, or a function of the request's messages); `mode` makes it
misbehave: "slow" (answers after `delay_seconds`), "error" (HTTP 500), "malformed" (a body that is not JSON).
"""

import itertools
from collections.abc import Callable

from tests.servers.fake_http import FakeServer, Request

Answer = str | Callable[[list[dict]], str]


class FakeOpenAI(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.answer: Answer = "Sure [1]."
        self.mode = "ok"
        self._ids = itertools.count(1)
        self.route("POST", "/v1/chat/completions", self._chat_completions)
        self.route("POST", "/v1/embeddings", self._embeddings)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def chat_requests(self) -> list[Request]:
        return self.requests_to("POST", "/v1/chat/completions")

    def _dispatch(self, request: Request):
        self.delay_seconds = 5.0 if self.mode == "slow" else 0.0
        return super()._dispatch(request)

    def _chat_completions(self, request: Request):
        if self.mode == "error":
            return 500, {"error": {"message": "The server had an error", "type": "server_error", "code": None}}
        if self.mode == "malformed":
            return 200, b'{"id": "chatcmpl-1", "choices": [', "application/json"
        body = request.json() or {}
        if "model" not in body or not isinstance(body.get("messages"), list):
            return 400, {"error": {"message": "model and messages are required", "type": "invalid_request_error"}}
        content = self.answer(body["messages"]) if callable(self.answer) else self.answer
        return 200, {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }

    def _embeddings(self, request: Request):
        """Deterministic 8-dimensional vectors (letter counts), returned out of order as the API allows."""
        body = request.json() or {}
        texts = body.get("input")
        if "model" not in body or not isinstance(texts, list):
            return 400, {"error": {"message": "model and input are required", "type": "invalid_request_error"}}
        data = [{"object": "embedding", "index": i,
                 "embedding": [float(text.lower().count(letter)) + 0.1 for letter in "abcdefgh"]}
                for i, text in enumerate(texts)]
        return 200, {"object": "list", "data": list(reversed(data)), "model": body["model"],
                     "usage": {"prompt_tokens": 1, "total_tokens": 1}}
