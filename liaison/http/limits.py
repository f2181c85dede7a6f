"""Request limits: body size (413), NUL characters (422) and per-caller rate (429), as problem+json."""

from __future__ import annotations

import threading
import time
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.errors import Throttled

__all__ = ["NO_NUL", "BodyLimit", "NoNul", "RateLimited", "TokenBuckets", "send_problem", "state_no_nul"]


class RateLimited(Throttled):
    """The caller exceeded their request rate; `retry_after` says in how many seconds to retry."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests; retry in {retry_after:.1f} s", retry_after)


class TokenBuckets:
    """One token bucket per caller: `rate` requests a second on average, `burst` at once.

    Callers whose bucket has refilled are forgotten once `keep` are held, so a stream of new
    addresses cannot grow the table without bound.
    """

    def __init__(self, rate: float, burst: int, keep: int = 10_000) -> None:
        self.rate, self.burst, self.keep = rate, float(burst), keep
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one request of `key`'s bucket, or raise RateLimited."""
        now = time.monotonic()
        with self._lock:
            level, since = self._buckets.get(key, (self.burst, now))
            level = min(self.burst, level + (now - since) * self.rate)
            if level < 1.0:
                self._buckets[key] = (level, now)
                raise RateLimited((1.0 - level) / self.rate)
            self._buckets[key] = (level - 1.0, now)
            if len(self._buckets) > self.keep:
                self._forget_full(now)

    def _forget_full(self, now: float) -> None:
        full = [
            key
            for key, (level, since) in self._buckets.items()
            if level + (now - since) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        """How many callers are held."""
        return len(self._buckets)


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, whether declared up front or streamed.

    A streamed body that grows too large raises an HTTPException from inside the route's read,
    which the application's problem handler answers.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await send_problem(send, 413, "Content too large", self._detail())
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counted, send)

    def _detail(self) -> str:
        return f"request bodies are limited to {self.limit:,} bytes"


_NUL_IN_JSON = b"\\u0000"


class NoNul:
    """Refuse NUL characters in the path, query or body with 422.

    No field of Liaison's has a use for them, PostgreSQL cannot store them in text, and they
    are a classic way to cut a string short where one layer reads C strings. A body declared
    binary (a spreadsheet, `application/octet-stream`) is a file, whose reader checks it; its
    bytes are not scanned.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
            await send_problem(send, 422, "Bad input", _NUL_DETAIL)
            return
        declared = dict(scope.get("headers") or []).get(b"content-type", b"").split(b";")[0].strip().lower()
        if declared in _BINARY:
            await self.app(scope, receive, send)
            return
        tail = b""

        async def scanned() -> Message:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = tail + message.get("body", b"")
                if _NUL_IN_JSON in chunk.lower() or b"\x00" in chunk:
                    raise HTTPException(422, _NUL_DETAIL)
                tail = chunk[-(len(_NUL_IN_JSON) - 1) :]
            return message

        await self.app(scope, scanned, send)


_NUL_DETAIL = "NUL characters are not accepted in any field"
NO_NUL = "^[^\\x00]*$"
"""The pattern the API's schema gives every free string: what `NoNul` enforces, stated."""


def state_no_nul(app: FastAPI) -> None:
    """Make the OpenAPI schema say what `NoNul` holds, of every string and every object's keys,
    so that a client (or a fuzzer) that follows the schema is never refused for a NUL."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _mark(schema)
            schema.setdefault("components", {}).setdefault("schemas", {})[_ANY_NAME] = _ANY_WITHOUT_NUL
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


_ANY_NAME = "JsonWithoutNul"
_ANY = {"$ref": f"#/components/schemas/{_ANY_NAME}"}
_ANY_WITHOUT_NUL = {
    "description": "Any JSON value, with no NUL in its strings or keys.",
    "anyOf": [
        {"type": "string", "pattern": NO_NUL},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": _ANY},
        {"type": "object", "propertyNames": {"pattern": NO_NUL}, "additionalProperties": _ANY},
    ],
}
"""What a field or an extra key that takes anything takes: anything but a NUL."""


def _mark(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "enum", "const", "format"} & node.keys():
            node["pattern"] = NO_NUL
        if node.get("type") == "object":
            node.setdefault("propertyNames", {"pattern": NO_NUL})
            # Extra keys are ignored, not refused: they may hold anything, but no NUL.
            if node.get("additionalProperties", True) in (True, {}):
                node["additionalProperties"] = _ANY
        if node.get("type") == "array" and node.get("items", {}) == {}:
            node["items"] = _ANY
        for value in node.values():
            _mark(value)
    elif isinstance(node, list):
        for value in node:
            _mark(value)


_BINARY = frozenset(
    {b"application/octet-stream", b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
)


async def send_problem(send: Send, status: int, title: str, detail: str) -> None:
    """Answer with a problem+json response straight from a middleware, before any route runs."""
    body = orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    length = str(len(body)).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", length)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
