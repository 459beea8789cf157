"""Bearer tokens for the API (signed, stateless). The user a token stands for, and the claims that end it, are the
workflow's (workflow.accounts.current); ``CurrentUser`` is named here too for the views."""

from __future__ import annotations

import time

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from workflow.accounts.current import Account, CurrentUser, token_claims, token_user
from workflow.runtime import Engine

__all__ = ["CurrentUser", "TokenService"]


class TokenService:
    """Signed bearer tokens. A verified token is remembered for a few seconds so that a busy client
    does not cost a user look-up per request; deactivation or a password change takes effect
    within ``cache_seconds``."""

    def __init__(self, secret: str, ttl_seconds: int, cache_seconds: float = 5.0) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="banli-api-token")
        self.ttl = ttl_seconds
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, CurrentUser]] = {}

    def issue(self, user: Account, agency_id: int | None = None) -> str:
        """A token acting in the user's own agency, or in ``agency_id`` where they hold roles too."""
        return self._s.dumps(token_claims(user, agency_id))

    def verify(self, engine: Engine, token: str) -> CurrentUser | None:
        hit = self._cache.get(token)
        mono = time.monotonic()
        if hit is not None and hit[0] > mono:
            return hit[1]
        user = self._verify(engine, token)
        if user is not None:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[token] = (mono + self.cache_seconds, user)
        return user

    def forget_user(self, user_id: int) -> None:
        """Drop this process's remembered tokens of a user (after a password change, deactivation…), so the
        change takes effect here at once; other instances follow within ``cache_seconds``."""
        for token, (_, user) in list(self._cache.items()):
            if user.id == user_id:
                self._cache.pop(token, None)

    def _verify(self, engine: Engine, token: str) -> CurrentUser | None:
        try:
            data = self._s.loads(token, max_age=self.ttl)
        except (BadSignature, SignatureExpired):
            return None
        return token_user(engine, data) if isinstance(data, dict) else None
