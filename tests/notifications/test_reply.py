"""The reply (答复书) for every decision reason: right article, right remedy clause, right wording."""

from __future__ import annotations

import pytest

from notifications.fixtures import reply_context
from notifications.render import render
from states.decisions import REASONS

SPECIFIC = {
    "already_public": "zrzy.example.gov.cn/zdxx/zd",
    "partial": "其他被征收户的姓名",
    "law_prohibits": "《中华人民共和国档案法》禁止公开",
    "special_access": "请您依照《不动产登记暂行条例》",
    "not_responsible": "0878-3125678",
    "petition": "12345政务服务便民热线",
    "repeat": "某自然资公复〔2026〕8号",
    "correction_lapsed": "视为您放弃申请",
    "fee_unpaid": "国办函〔2020〕109号",
    "withdrawn": "撤回",
    "other": "终止办理",
}


def _articles(article: str) -> list[str]:
    """'条例第十五条、第三十二条' → ['第十五条', '第三十二条']; practice categories cite nothing."""
    if not article:
        return []
    if not article.startswith("条例"):
        return [article]
    return article.removeprefix("条例").split("、")


@pytest.mark.parametrize("reason", REASONS, ids=lambda r: f"{r.category}.{r.code}")
def test_reply_for_every_reason(reason, settings):
    ctx = reply_context(str(reason.category), reason.code)
    text = render("disclosure.reply", ctx, "txt", settings=settings).content.decode()
    for art in _articles(reason.article):
        assert art in text, (art, text)
    assert "如对本答复不服，可以自收到本答复之日起60日内向某县人民政府申请行政复议" in text
    if reason.reconsideration_first:
        assert "应当先申请行政复议" in text and "第二十三条" in text
        assert "6个月" not in text
    elif reason.category == "partial":  # reconsideration first for the withheld part only (remedy.py)
        assert "其中对不予公开部分不服的" in text and "应当先申请行政复议" in text
        assert "对其余部分不服的，也可以自收到本答复之日起6个月内依法向某县人民法院提起行政诉讼" in text
    else:
        assert "6个月内依法向某县人民法院提起行政诉讼" in text
        assert "应当先申请行政复议" not in text
    if reason.code in SPECIFIC:
        assert SPECIFIC[reason.code] in text
    assert text.startswith("某县自然资源局政府信息公开申请答复书\n某自然资公复〔2026〕12号")
    assert text.rstrip().endswith("某县自然资源局\n2026年11月25日")


def test_refusal_says_not_disclosed_and_unavailable_says_does_not_exist(settings):
    refused = render("disclosure.reply", reply_context("refuse", "state_secret"), "txt", settings=settings)
    assert "决定不予公开" in refused.content.decode()
    missing = render("disclosure.reply", reply_context("unavailable", "not_held"), "txt", settings=settings)
    assert "该政府信息不存在" in missing.content.decode()


def test_reply_without_reconsideration_organ_fails(settings):
    ctx = reply_context("disclose", "provided")
    ctx["agency"]["reconsideration_organ"] = ""
    from notifications.errors import RenderError

    with pytest.raises(RenderError, match=r"agency\.reconsideration_organ"):
        render("disclosure.reply", ctx, "html", settings=settings)


@pytest.mark.parametrize("reason", ["correction_lapsed", "fee_unpaid", "withdrawn"])
def test_closure_notice_variants(reason, settings):
    from notifications.fixtures import _CLOSURE, fixture_context

    ctx = fixture_context("disclosure.closure_notice")
    ctx["notice"] = {"reason": reason, **_CLOSURE[reason]}
    text = render("disclosure.closure_notice", ctx, "txt", settings=settings).content.decode()
    assert "不再处理" in text and "如对本告知书不服" in text
