"""Per-request log context (request id, user, agency) and one access line per request, as ASGI middleware.

The request id is the proxy's ``X-Request-ID`` when it looks like one (nginx ``$request_id``), else a new
one; it is echoed in the response so a clerk's error page can be matched to the log. The access line has
the path without its query string (searches may carry names) and no client address beyond the peer's.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from web.asgi import HttpMiddleware
from workflow.ops.logs import REQUEST

access_log = logging.getLogger("banli.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestLogMiddleware(HttpMiddleware):
    """Sets the log context for the request and logs ``method path status duration`` when it ends."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin1")
        rid = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex[:16]
        state: dict[str, Any] = scope.setdefault("state", {})
        token = REQUEST.set({"request_id": rid, "state": state})
        status = [500]
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info("%s %s %s", scope["method"], scope["path"], status[0],
                            extra={"method": scope["method"], "path": scope["path"], "status": status[0],
                                   "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
            REQUEST.reset(token)
