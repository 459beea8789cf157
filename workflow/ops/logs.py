"""Logging set-up: readable text or JSON lines, each line carrying the request id, user id and agency.

The web layer puts a per-request holder in a context variable (``web.requestlog``); the filter copies
its fields onto every record logged while the request runs, in whichever thread. Personal data never
belongs in a log line; as a second line of defence the formatter masks e-mail addresses, mobile numbers
and identity numbers that slipped into a message or a traceback (e.g. an SMTP refusal quoting the
address), and the engines hide SQL parameters in their errors (``db.engine.make_engine``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

# Set per request by web.requestlog: {"request_id": str, "state": the request's state dict}.
REQUEST: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("banli_request", default=None)
CONTEXT_FIELDS = ("request_id", "user_id", "agency_id")

_EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+[\w-]+")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """Mask e-mail addresses, resident identity numbers and mobile numbers."""
    text = _EMAIL.sub("<email>", text)
    text = _ID_NUMBER.sub("<id-number>", text)
    return _MOBILE.sub("<phone>", text)


class ContextFilter(logging.Filter):
    """Adds request_id, user_id and agency_id (None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = REQUEST.get()
        user = ctx["state"].get("user") if ctx else None
        record.request_id = ctx["request_id"] if ctx else None
        record.user_id = getattr(user, "id", None)
        record.agency_id = getattr(user, "agency_id", None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context fields and any ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "msg": redact(record.getMessage()),
        }
        for key in CONTEXT_FIELDS:
            out[key] = getattr(record, key, None)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines; the request id and user when there is a request."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ctx)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.ctx = f" [{rid} u={getattr(record, 'user_id', None)} a={getattr(record, 'agency_id', None)}]" \
            if rid else ""
        return redact(super().format(record))


def configure_logging(fmt: str = "text", level: str = "INFO") -> None:
    """Send every log record (ours, uvicorn's, APScheduler's) to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler"):
        lg = logging.getLogger(name)
        lg.handlers.clear()
        lg.propagate = True
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
