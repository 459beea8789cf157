"""Rows a transaction holds but has not written yet: the go-live import keeps the rows of many applications and
inserts them together (workflow.golive.buffer). A query that counts rows of another case which may be among them
adds those (``unwritten``) and says so (``SEES_UNWRITTEN``: the import then need not write its rows first). Outside
an import there are none."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlmodel import Session

_KEY = "banli.unwritten"
SEES_UNWRITTEN = {"sees_unwritten": True}  # execution options of such a query

Provider = Callable[[str], Iterable[dict[str, Any]]]


def unwritten(session: Session, table: str) -> Iterable[dict[str, Any]]:
    """The column values of the rows of ``table`` the transaction holds unwritten (none outside an import)."""
    provider: Provider | None = session.info.get(_KEY)
    return provider(table) if provider is not None else ()


def hold(session: Session, provider: Provider | None) -> None:
    """The importer names what it holds (None: nothing any more)."""
    if provider is None:
        session.info.pop(_KEY, None)
    else:
        session.info[_KEY] = provider
