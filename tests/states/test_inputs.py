"""The contact rules every input shares (states.inputs): an applicant's phone and e-mail, a 12345 caller's phone, a
staff account's e-mail."""

from __future__ import annotations

import pytest

from states.inputs import is_email, is_phone


@pytest.mark.parametrize("text", ["13800138000", "0871-12345678", "+86 138 0013 8000", "(0871)1234567-8001",
                                  "95588", "0878-1"])
def test_phone_numbers_as_people_write_them(text: str) -> None:
    assert is_phone(text) and is_phone(text, masked=True)


@pytest.mark.parametrize("text", ["-1", "1234", "-----", "1" * 21, "1000000000000000000000000000000", "😀",
                                  "138 0013 8000 / 139", "保密", "13800138000\n", "138\u200b00138000"])
def test_what_is_not_one_phone_number(text: str) -> None:
    assert not is_phone(text) and not is_phone(text, masked=True)


def test_a_masked_number_only_where_masks_are_taken() -> None:
    assert is_phone("138****5678", masked=True) and not is_phone("138****5678")
    assert not is_phone("****", masked=True)


@pytest.mark.parametrize(("text", "ok"), [("a@b.cn", True), ("wang.wu+gk@mail.gov.cn", True), ("a@b", False),
                                          ("a b@c.cn", False), ("😀👨‍👩‍👧", False), ("", False)])
def test_email_shape(text: str, ok: bool) -> None:
    assert is_email(text) is ok
