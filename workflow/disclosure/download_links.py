"""Download links for information provided by email that is too large to attach (条例第四十条).

A link names the case and the last day it works, signed with the instance's secret: nothing is stored,
and a changed date or case number breaks the signature.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from settings import get_settings


def download_token(case_id: int, until: date, secret: str | None = None) -> str:
    """The signature of (case, last day): 24 hex characters of HMAC-SHA256."""
    key = (secret or get_settings().resolved_secret_key()).encode()
    return hmac.new(key, f"download:{case_id}:{until.isoformat()}".encode(), hashlib.sha256).hexdigest()[:24]


def link_valid(case_id: int, until: date, token: str, today: date, secret: str | None = None) -> bool:
    """True when the token signs (case, until) and the last day has not passed."""
    return today <= until and hmac.compare_digest(download_token(case_id, until, secret), token)


def link_path(agency_code: str, case_id: int, until: date, token: str) -> str:
    """The portal path of the link (the reply prefixes the agency's site)."""
    return f"/gongkai/{agency_code}/xiazai/{case_id}/{until.isoformat()}/{token}"
