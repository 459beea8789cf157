"""The upload helpers (web.uploads) and the one name rule (workflow.cases.attachments.filename_ok), unit by unit."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData, Headers, UploadFile

from web.uploads import sent_filename, single_file
from workflow.cases.attachments import filename_ok
from workflow.errors import DomainValidation


@pytest.mark.parametrize("name", ["补正材料.pdf", "café.pdf", "a b (1).pdf", "ÿþ.pdf", "x" * 200])
def test_names_taken(name: str) -> None:
    assert filename_ok(name)


@pytest.mark.parametrize("name", ["", "  ", "a/b.pdf", "a\\b.pdf", "a\x00.pdf", "a\x07b.pdf", "a\nb.pdf",
                                  "a\u202eb.pdf", "\ufffd\ufffd.pdf", "x" * 201])
def test_names_refused(name: str) -> None:
    assert not filename_ok(name)


def _upload(raw_name: bytes, read_as: str) -> UploadFile:
    """An upload as Starlette builds it: the name it decoded, the part's headers as sent."""
    disposition = b'form-data; name="file"; filename="' + raw_name + b'"'
    return UploadFile(file=None, filename=read_as,  # type: ignore[arg-type]
                      headers=Headers(raw=[(b"content-disposition", disposition)]))


def test_a_name_that_is_not_utf8_is_read_with_replacement_characters() -> None:
    assert sent_filename(_upload(b"\xff\xfe.pdf", "ÿþ.pdf")) == "\ufffd\ufffd.pdf"
    assert sent_filename(_upload("ÿþ.pdf".encode(), "ÿþ.pdf")) == "ÿþ.pdf"  # the same letters sent as UTF-8
    assert sent_filename(_upload("申请.pdf".encode("gbk"), "申请.pdf")) == "申请.pdf"  # a form declaring its charset


def test_one_file_per_field() -> None:
    a, b = _upload(b"a.pdf", "a.pdf"), _upload(b"b.pdf", "b.pdf")
    assert single_file(FormData([("file", a)]), "file") is a
    assert single_file(FormData([]), "file") is None
    assert single_file(FormData([("file", "text")]), "file") is None
    with pytest.raises(DomainValidation) as e:
        single_file(FormData([("file", a), ("file", b)]), "file")
    assert e.value.fields == [{"field": "file", "code": "too_many_files", "message": "一次只能上传一个文件"}]
