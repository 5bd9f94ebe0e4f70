"""The request body limit, counted on the bytes read (a chunked body has no length to trust).

A body that says it is larger than the limit is refused before it is read; one that says
nothing, or less, is counted as it arrives and refused at the first byte over. Either way the
answer is the one error body with 413, and nothing was written: the route had not run yet, or
failed reading its body.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import PayloadTooLargeError

__all__ = ["BodyLimitMiddleware"]


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``limit`` bytes."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _error(self, size: str) -> PayloadTooLargeError:
        return PayloadTooLargeError(
            f"the request body is larger than {self.limit} bytes ({size})",
            details={"limit": self.limit},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body counted, or refuse it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send, self._error(f"{int(declared)} declared"))
            return
        received = 0

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised where the route reads its body: the error handler answers 413.
                    raise self._error(f"{received} read so far")
            return message

        await self.app(scope, counting, send)

    @staticmethod
    async def _refuse(send: Send, error: PayloadTooLargeError) -> None:
        body = json.dumps(
            {"error": {"code": error.code, "message": error.message, "details": error.details}}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
