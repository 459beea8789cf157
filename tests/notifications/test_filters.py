"""Chinese dates, numerals and amounts; masking."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.filters import (
    cn_date,
    cn_date_upper,
    cn_datetime,
    cn_num,
    mask_id,
    mask_name,
    mask_phone,
    provisional_note,
    yuan,
    yuan_upper,
)


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-25", "2026年11月25日"),
    (date(2026, 1, 5), "2026年1月5日"),
    (datetime(2026, 12, 31, 23, 0), "2026年12月31日"),
    ("2026-11-25T09:30+08:00", "2026年11月25日"),
])
def test_cn_date(value, expected):
    assert cn_date(value) == expected


def test_cn_date_upper_and_datetime():
    assert cn_date_upper("2026-11-25") == "二〇二六年十一月二十五日"
    assert cn_date_upper("2030-10-10") == "二〇三〇年十月十日"
    tz = timezone(timedelta(hours=8))
    assert cn_datetime(datetime(2026, 11, 1, 21, 4, tzinfo=tz)) == "2026年11月1日 21时04分"


@pytest.mark.parametrize(("n", "text"), [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (60, "六十"), (101, "一百零一"),
    (110, "一百一十"), (1001, "一千零一"), (10000, "一万"), (10086, "一万零八十六"), (200000, "二十万"),
])
def test_cn_num(n, text):
    assert cn_num(n) == text


@given(st.integers(min_value=0, max_value=99_999_999))
def test_cn_num_uses_only_numeral_characters(n):
    assert set(cn_num(n)) <= set("零一二三四五六七八九十百千万")


@pytest.mark.parametrize(("amount", "plain", "upper"), [
    (4700, "4700元", "肆仟柒佰元整"),
    (100, "100元", "壹佰元整"),
    (10001, "10001元", "壹万零壹元整"),
    ("12.50", "12.50元", "壹拾贰元伍角"),
    (0.05, "0.05元", "伍分"),
    (1010.3, "1010.30元", "壹仟零壹拾元叁角"),
])
def test_yuan(amount, plain, upper):
    assert yuan(amount) == plain
    assert yuan_upper(amount) == upper


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id("530102199001011234") == "5301**********1234"
    assert mask_name("张三") == "张*"
    assert mask_name("\U00020bb7振华") == "\U00020bb7**"


def test_clause_sentence_and_complaint_keep_typed_marks_from_doubling() -> None:
    from notifications.filters import clause, complaint, sentence

    assert clause("需要调档核对，预计月底完成。") == "需要调档核对，预计月底完成"
    assert sentence("本次申请提供的信息共250页") == "本次申请提供的信息共250页。"
    assert sentence("属于商业秘密（条例第十五条）") == "属于商业秘密（条例第十五条）。"
    assert sentence("他说：“可以。”") == "他说：“可以。”"
    assert sentence("已办结。") == "已办结。"
    assert complaint("来电人反映：某路灯不亮。") == "某路灯不亮"
    assert complaint("张三反映：彩钢房占道") == "彩钢房占道"
    assert complaint("反映路灯不亮的问题") == "反映路灯不亮的问题"


@pytest.mark.parametrize(("value", "flag", "inside", "expected"), [
    ("2027-01-04", True, False, "（暂定：2027年节假日安排尚未公布，如有调整以调整后为准）"),
    (date(2028, 2, 1), True, True, "；暂定：2028年节假日安排尚未公布，如有调整以调整后为准"),
    ("2027-01-04", False, False, ""),
    ("2027-01-04", None, False, ""),  # a context written before the flag existed
    ("", True, False, ""),
])
def test_provisional_note(value, flag, inside, expected):
    assert provisional_note(value, flag, inside=inside) == expected
