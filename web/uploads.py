"""What every upload form and endpoint reads alike: the one file of a field, and its name as the client sent it.

- A field takes one file (a case's material, an import file, its mapping, a holiday notice): a second part under
  the same name is refused (``ONE_FILE``) rather than silently dropped — the form shows one file input, and a
  client that sends two would otherwise never learn that only the last was kept. (The portal's application and
  correction forms take several files by design and read them as a list.)
- A field of several files (the portal's application and correction forms, the public API's correction) is read by
  ``read_uploads``: each part that is a file with a name, its bytes up to one past the limit (so the limit's check
  can tell it was exceeded without reading more).
- A file's name is read as UTF-8, as browsers send it. Starlette reads a name that is not UTF-8 as Latin-1
  (``\\xff\\xfe.pdf`` → ``ÿþ.pdf``), which would be stored and served as if it were the name; ``sent_filename`` gives
  such a name with U+FFFD where its bytes were unreadable, which the name rule refuses
  (``workflow.cases.attachments.check_filename``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Depends, Request
from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile

from workflow.cases.attachments import check_filename
from workflow.errors import DomainValidation

ONE_FILE = "一次只能上传一个文件"


def single_file(form: FormData, field: str) -> UploadFile | None:
    """The file sent under ``field`` (None when there is none); DomainValidation when more than one part was sent."""
    parts = form.getlist(field)
    if len(parts) > 1:
        raise DomainValidation.one(field, "too_many_files", ONE_FILE)
    part = parts[0] if parts else None
    return part if isinstance(part, UploadFile) else None


def sent_filename(upload: UploadFile) -> str:
    """The file's name as sent, read as UTF-8 (U+FFFD for bytes that are not)."""
    name = upload.filename or ""
    disposition = upload.headers.get("content-disposition")
    if disposition is None or not name:
        return name
    _, options = parse_options_header(disposition.encode("latin-1"))  # the header's bytes, as the parser read them
    raw = options.get(b"filename")
    if raw is None:
        return name
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        if raw.decode("latin-1") == name:  # Starlette's fall-back, not a name decoded by a declared charset
            return raw.decode("utf-8", errors="replace")
    return name


def check_files(form: FormData, *fields: str) -> None:
    """Each of ``fields`` carries at most one file, named in text (``check_filename``); DomainValidation at the field
    otherwise."""
    for field in fields:
        upload = single_file(form, field)
        if upload is not None:
            check_filename(sent_filename(upload), field)


def one_file_each(*fields: str) -> Any:
    """A route dependency (``dependencies=[one_file_each("file")]``): ``check_files`` — 422 at the field. It reads
    the form FastAPI has already read."""

    async def check(request: Request) -> None:
        check_files(await request.form(), *fields)

    return Depends(check)


def read_uploads(parts: Iterable[Any], limit: int) -> list[tuple[str, bytes]]:
    """(name as sent, bytes — at most ``limit`` + 1 of them) of each file among ``parts``; parts that are not a file
    or have no name (an empty file input) are left out."""
    out = []
    for item in parts:
        if isinstance(item, UploadFile) and item.filename:
            out.append((sent_filename(item), item.file.read(limit + 1)))
    return out
