"""Email: build one message per outbox row, and send it through SMTP (aiosmtplib) or into .eml files.

Messages are UTF-8 with Chinese subjects and display names (``email.headerregistry.Address``), an HTML
body with a plain-text alternative, the PDF (and DOCX where the agency wants it) attached under its
Chinese file name (RFC 2231), and ``Message-ID: <outbox-{id}.{agency}@{domain}>`` so a resend after a
crash is recognisable as the same message. One recipient per message; never a BCC list. A message of text and HTML
only (every internal notice) is written straight to bytes (``compose``), the same message without the email
package's costly header folding.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import aiosmtplib

from notifications.catalog import get_spec
from notifications.files import file_path
from notifications.render import RenderedDocument, render_subject
from settings import Settings

log = logging.getLogger(__name__)
ATTACHABLE = ("pdf", "docx")


class OutboxLike(Protocol):
    """What ``build_message`` reads from an outbox row (the ORM row or a detached copy)."""

    @property
    def id(self) -> int | None: ...
    @property
    def notice_type(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def recipient_name(self) -> str: ...
    @property
    def context(self) -> dict[str, Any]: ...


class SendError(Exception):
    """A failed send; ``permanent`` means retrying cannot help (a 5xx answer for this message)."""

    def __init__(self, message: str, *, permanent: bool, connection: bool = False) -> None:
        self.permanent = permanent
        self.connection = connection  # the server could not be reached: the rest of the batch waits too
        super().__init__(message)


def mail_domain(settings: Settings) -> str:
    """The domain of ``mail_from`` (for Message-IDs)."""
    _, _, domain = settings.mail_from.rpartition("@")
    return domain or "banli.invalid"


def message_id_for(outbox_id: int, agency_code: str, settings: Settings) -> str:
    """``<outbox-42.demo@example.gov.cn>``: stable per outbox row, so a resend carries the same id."""
    code = re.sub(r"[^A-Za-z0-9_-]", "_", agency_code) or "default"
    return f"<outbox-{outbox_id}.{code}@{mail_domain(settings)}>"


def _address(name: str, addr: str) -> Address:
    if "@" not in addr:
        raise SendError(f"not an email address: {addr!r}", permanent=True)
    return Address(display_name=name or "", addr_spec=addr)


def attachment_formats(row: OutboxLike) -> tuple[str, ...]:
    """PDF by default; the agency's ``mail_attachments`` setting (snapshotted in the context) may add DOCX."""
    agency = row.context.get("agency") or {}
    wanted = agency.get("mail_attachments") or ["pdf"]
    spec = get_spec(row.notice_type)
    return tuple(f for f in ATTACHABLE if f in wanted and f in spec.formats)


def provided_files(context: Mapping[str, Any], settings: Settings) -> list[RenderedDocument]:
    """The files a reply provides by email (条例第四十条), listed in its context under ``notice.provided.files``
    by the workflow and read from the file store; a missing or altered file is a permanent error."""
    notice = context.get("notice") or {}
    provided = notice.get("provided") if isinstance(notice, Mapping) else None
    out = []
    for f in (provided or {}).get("files") or []:
        try:
            data = file_path(str(f["sha256"]), settings.files_path).read_bytes()
        except (OSError, ValueError, KeyError) as exc:
            raise SendError(f"provided file missing: {f.get('filename')}: {exc}", permanent=True) from exc
        if hashlib.sha256(data).hexdigest() != f["sha256"]:
            raise SendError(f"provided file altered: {f.get('filename')}", permanent=True)
        out.append(RenderedDocument(data, str(f["filename"]), str(f.get("content_type") or "application/octet-stream"),
                                    str(f["sha256"])))
    return out


def build_message(row: OutboxLike, rendered: Mapping[str, RenderedDocument], settings: Settings, *,
                  now: datetime, files: Sequence[RenderedDocument] = ()) -> EmailMessage:
    """One message to ``row.recipient``: HTML + text alternative, the notice's attachments from ``rendered``,
    then ``files`` (the information provided)."""
    if row.id is None:
        raise ValueError("outbox row has no id")
    agency = row.context.get("agency") or {}
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = render_subject(row.notice_type, row.context, settings=settings)
    msg["From"] = _address(str(agency.get("name") or settings.mail_from_name), settings.mail_from)
    msg["To"] = _address(row.recipient_name, row.recipient)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id_for(row.id, str(agency.get("code") or "default"), settings)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Banli-Notice-Type"] = row.notice_type
    msg["X-Banli-Outbox-Id"] = str(row.id)
    text = rendered.get("txt")
    html = rendered.get("html")
    msg.set_content(text.content.decode("utf-8") if text else "", subtype="plain", cte="base64")
    if html is not None:
        msg.add_alternative(html.content.decode("utf-8"), subtype="html", cte="base64")
    for fmt in ATTACHABLE:
        doc = rendered.get(fmt)
        if doc is None:
            continue
        maintype, _, subtype = doc.content_type.partition(";")[0].partition("/")
        msg.add_attachment(doc.content, maintype=maintype, subtype=subtype, filename=doc.filename)
    for doc in files:
        maintype, _, subtype = doc.content_type.partition(";")[0].partition("/")
        msg.add_attachment(doc.content, maintype=maintype, subtype=subtype, filename=doc.filename)
    return msg


@dataclass(frozen=True)
class Outgoing:
    """A message ready for the wire (7-bit, CRLF line ends): ``SmtpBackend`` sends ``data`` as it is."""

    data: bytes
    sender: str
    recipient: str
    message_id: str


Message = EmailMessage | Outgoing
# An address the fast path writes as it is (anything else goes through the email package, which checks it and uses
# SMTPUTF8 for a non-ASCII one).
_PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
# UTF-8 bytes per RFC 2047 encoded-word (at most 75 characters): 39 → 52 base64 characters, so "Subject: " and a word
# stay under 78; a name may take 45 (60 characters after "To: "), so a name of up to 15 Chinese characters is one word.
_SUBJECT_BYTES, _NAME_BYTES = 39, 45
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def message_id_of(msg: Message) -> str:
    return msg.message_id if isinstance(msg, Outgoing) else str(msg["Message-ID"])


def _encoded_words(text: str, limit: int) -> str:
    """``text`` as RFC 2047 "B" encoded-words of at most ``limit`` bytes (a character is never split), folded
    with CRLF + space; a reader joins adjacent words without the space (RFC 2047 §6.2)."""
    words: list[str] = []
    start = size = 0
    for i, ch in enumerate(text):
        n = len(ch.encode("utf-8"))
        if size + n > limit and i > start:
            words.append(text[start:i])
            start, size = i, 0
        size += n
    words.append(text[start:])
    return "\r\n ".join("=?utf-8?b?" + base64.b64encode(w.encode("utf-8")).decode("ascii") + "?=" for w in words)


def _mailbox(name: str, addr: str) -> str:
    return f"{_encoded_words(name, _NAME_BYTES)} <{addr}>" if name else addr


def _base64_body(text: bytes) -> bytes:
    """A text part's body as the email package writes it: CRLF line ends, ending with one, base64 in 76-column lines."""
    text = text.replace(b"\r\n", b"\n")
    if not text.endswith(b"\n"):
        text += b"\n"
    return base64.encodebytes(text.replace(b"\n", b"\r\n")).replace(b"\n", b"\r\n")


def compose(row: OutboxLike, rendered: Mapping[str, RenderedDocument], settings: Settings, *, now: datetime,
            files: Sequence[RenderedDocument] = ()) -> Message:
    """The message for ``row``: written directly as bytes when it is text (and HTML) only, to and from plain ASCII
    addresses — every internal notice; the email package's header folding costs ~50× more — else ``build_message``.

    Both read the same: the same headers (RFC 2047 words), a text/plain part or a multipart/alternative of text and
    HTML, base64 bodies (tests/notifications/test_mailer.py compares them)."""
    agency = row.context.get("agency") or {}
    sender_name = str(agency.get("name") or settings.mail_from_name)
    subject = render_subject(row.notice_type, row.context, settings=settings)
    if (files or any(f in rendered for f in ATTACHABLE) or row.id is None
            or not _PLAIN_ADDRESS.match(row.recipient) or not _PLAIN_ADDRESS.match(settings.mail_from)
            or _CONTROL.search(row.recipient_name + sender_name + subject)):  # the email package refuses those
        return build_message(row, rendered, settings, now=now, files=files)
    message_id = message_id_for(row.id, str(agency.get("code") or "default"), settings)
    head = [
        f"Subject: {_encoded_words(subject, _SUBJECT_BYTES)}",
        f"From: {_mailbox(sender_name, settings.mail_from)}",
        f"To: {_mailbox(row.recipient_name, row.recipient)}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: {message_id}",
        "Auto-Submitted: auto-generated",
        f"X-Banli-Notice-Type: {row.notice_type}",
        f"X-Banli-Outbox-Id: {row.id}",
        "MIME-Version: 1.0",
    ]
    text = rendered.get("txt")
    html = rendered.get("html")
    plain = b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + _base64_body(
        text.content if text else b"")
    if html is None:
        data = "\r\n".join(head).encode("ascii") + b"\r\n" + plain
    else:
        boundary = f"=_banli_{row.id}_{secrets.token_hex(8)}".encode("ascii")  # "=_" never occurs in base64
        data = b"".join([
            "\r\n".join(head).encode("ascii"), b'\r\nContent-Type: multipart/alternative; boundary="', boundary,
            b'"\r\n\r\n--', boundary, b"\r\n", plain, b"--", boundary,
            b'\r\nContent-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n',
            _base64_body(html.content), b"--", boundary, b"--\r\n"])
    return Outgoing(data, settings.mail_from, row.recipient, message_id)


class MailBackend(Protocol):
    """Sends messages; used as an async context manager around a batch (one connection)."""

    async def __aenter__(self) -> MailBackend: ...

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None: ...

    async def send(self, msg: Message, *, outbox_id: int, notice_type: str) -> None: ...


def _classify(exc: Exception) -> SendError:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        return SendError(f"recipient refused: {exc}", permanent=bool(codes) and all(c >= 500 for c in codes))
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return SendError(f"SMTP authentication failed: {exc}", permanent=False)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return SendError(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500)
    return SendError(f"{type(exc).__name__}: {exc}", permanent=False)


class SmtpBackend:
    """aiosmtplib; connects lazily, keeps one connection for the batch, reconnects once if dropped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: aiosmtplib.SMTP | None = None
        self.sent = 0
        self.connections = 0

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        smtp = aiosmtplib.SMTP(hostname=s.smtp_host, port=s.smtp_port, use_tls=s.smtp_tls,
                               start_tls=s.smtp_starttls, timeout=s.smtp_timeout)
        self.connections += 1
        try:
            await smtp.connect()
            if s.smtp_username:
                await smtp.login(s.smtp_username, s.smtp_password)
        except (aiosmtplib.SMTPException, OSError) as exc:
            err = _classify(exc)
            raise SendError(str(err), permanent=False, connection=True) from exc
        return smtp

    async def __aenter__(self) -> SmtpBackend:
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            try:
                await self.smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                self.smtp.close()
        self.smtp = None

    async def send(self, msg: Message, *, outbox_id: int, notice_type: str) -> None:
        for attempt in (1, 2):
            if self.smtp is None or not self.smtp.is_connected:
                self.smtp = await self._connect()
            try:
                if isinstance(msg, Outgoing):
                    await self.smtp.sendmail(msg.sender, [msg.recipient], msg.data)
                else:
                    await self.smtp.send_message(msg, sender=self.settings.mail_from)
                self.sent += 1
                return
            except aiosmtplib.SMTPServerDisconnected as exc:
                self.smtp = None
                if attempt == 2:
                    raise _classify(exc) from exc
            except (aiosmtplib.SMTPException, OSError) as exc:
                raise _classify(exc) from exc


class EmlFileBackend:
    """No SMTP host configured: write ``<outbox_dir>/<id>-<type>.eml`` so nothing is lost."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def __aenter__(self) -> EmlFileBackend:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    async def send(self, msg: Message, *, outbox_id: int, notice_type: str) -> None:
        path = self.directory / f"{outbox_id}-{notice_type}.eml"
        tmp = path.with_suffix(".eml.tmp")
        tmp.write_bytes(msg.data if isinstance(msg, Outgoing) else msg.as_bytes(policy=SMTPUTF8))
        tmp.replace(path)


def backend_for(settings: Settings) -> MailBackend:
    """SMTP when ``smtp_host`` is set, else .eml files under ``outbox_path``."""
    if settings.smtp_host:
        return SmtpBackend(settings)
    return EmlFileBackend(settings.outbox_path)
