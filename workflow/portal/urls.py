"""This server's public addresses an applicant is given in writing: the agency portal's look-up page
(web.pages.portal.case, ``/gongkai/<code>/chaxun``), absolute under ``settings.public_url``."""

from __future__ import annotations

from urllib.parse import quote

from settings import get_settings


def public_base(public_url: str | None = None) -> str:
    """The server's public address without a trailing slash ("" when not set)."""
    return (get_settings().public_url if public_url is None else public_url).rstrip("/")


def portal_lookup_url(agency_code: str, public_url: str | None = None) -> str:
    """The agency's look-up page on this server, or "" when the server's public address is not set."""
    base = public_base(public_url)
    return f"{base}/gongkai/{quote(agency_code, safe='')}/chaxun" if base else ""
