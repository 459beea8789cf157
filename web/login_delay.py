"""Refused logins are answered late (issue 15: a login flood must not slow the front desk's work).

Every refused login — an unknown name, a wrong password, a locked name, a refused address — is answered no
sooner than ``login_failure_delay_seconds`` after it arrived. The wait is an ``asyncio.sleep`` on the event
loop: no thread, no database, no CPU. A flood that sends its next attempt when the last one is answered (as
password-guessing clients do) is slowed from thousands of attempts a second to a few, so its refusals no
longer take the CPU that registrations need; and the answers for unknown, wrong and locked names take the same
time whatever the password check cost. A successful login is never held.

At most ``login_failure_delay_max_held`` answers are held at once per process: beyond that they go out at once,
so thousands of parallel connections cannot pile up here (they are the reverse proxy's ``limit_conn``).
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import Message, Receive, Scope, Send

from settings import Settings
from web.asgi import HttpMiddleware

LOGIN_PATHS = frozenset({"/api/token", "/login", "/api/account/password"})  # each checks a login name's password
REFUSED = frozenset({401, 429})
# A floor this long covers a password hash (~0.2 s of CPU here, under 0.5 s even on a busy server): with it, the
# answers are equal without hashing a dummy for unknown or locked names (workflow.accounts.users.authenticate).
FLOOR_WITHOUT_HASH_S = 0.5


def equal_time_by_hash(settings: Settings) -> bool:
    """Whether logins must hash for unknown and locked names to take the same time (no floor long enough)."""
    return settings.login_failure_delay_seconds < FLOOR_WITHOUT_HASH_S


def _limits(scope: Scope) -> tuple[float, int]:
    settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
    return (float(getattr(settings, "login_failure_delay_seconds", 0.0)),
            int(getattr(settings, "login_failure_delay_max_held", 0)))


class FailedLoginDelay(HttpMiddleware):
    """Holds the answer of a refused login until ``login_failure_delay_seconds`` after its arrival."""

    held = 0  # refused logins being held right now, in this process (one event loop)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST" or scope["path"] not in LOGIN_PATHS:
            await self.app(scope, receive, send)
            return
        delay, max_held = _limits(scope)
        if delay <= 0:
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()

        async def send_late(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in REFUSED:
                wait = arrived + delay - time.monotonic()
                if wait > 0 and FailedLoginDelay.held < max_held:
                    FailedLoginDelay.held += 1
                    try:
                        await asyncio.sleep(wait)
                    finally:
                        FailedLoginDelay.held -= 1
            await send(message)

        await self.app(scope, receive, send_late)
