"""Why an outbox row failed: each failure classified for the retry rule, and told to the admin in Chinese.

The row keeps the technical text (``Outbox.last_error``, for the operator's logs); ``failure_reason`` turns it
into the one plain sentence the admin page shows next to the dead letter.
"""

from __future__ import annotations

import logging

from notifications.errors import FontsMissing, NoticeError
from notifications.mailer import SendError

log = logging.getLogger(__name__)
UNBUILDABLE = "unbuildable: "


def as_send_error(exc: Exception, what: str) -> SendError:
    """How a failure of one row counts: permanent (dead at once) or retried with back-off.

    Call inside the ``except`` block (an unexpected error is logged with its traceback)."""
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, FontsMissing):  # a deployment fault: wait for the fonts, do not kill the notice
        return SendError(str(exc), permanent=False)
    if isinstance(exc, NoticeError):  # missing context, unknown type: retrying renders the same error
        return SendError(str(exc), permanent=True)
    # Anything else (a name with a line break makes the address builder raise ValueError): retried with
    # back-off, then dead-lettered after outbox_max_attempts with its reason — on its own, never the batch.
    log.exception("outbox %s could not be built or sent", what)
    return SendError(f"{UNBUILDABLE}{type(exc).__name__}: {exc}", permanent=False)


# (marker in last_error, lower-cased; the admin's sentence) — first match wins
_REASONS: tuple[tuple[str, str], ...] = (
    ("cr or lf", "收件人姓名或地址含有换行等控制字符，无法生成邮件，请更正收件人信息后重新发送"),
    ("not an email address", "收件地址不是有效的电子邮箱地址"),
    ("recipient refused", "对方邮件服务器拒收（收件地址可能不存在或已停用）"),
    ("provided file missing", "随答复提供的文件在文件库中缺失"),
    ("provided file altered", "随答复提供的文件已被改动（校验值不符）"),
    ("missing context value", "文书缺少必要内容，无法生成"),
    ("unknown notice type", "文书类型无法识别"),
    ("未找到中文字体", "服务器未安装中文字体，无法生成文书"),
    ("authentication failed", "邮件服务器登录失败，请检查发信账户设置"),
    ("smtpconnect", "无法连接邮件服务器"),
    ("timeout", "连接邮件服务器超时"),
    ("smtp 5", "邮件服务器拒绝接收该邮件"),
    ("smtp 4", "邮件服务器暂时无法接收，已按间隔重试"),
    ("550", "对方邮件服务器拒收（收件地址可能不存在或已停用）"),
    (UNBUILDABLE, "生成或发送这份文书时出错，无法完成"),
)


def failure_reason(last_error: str | None) -> str:
    """The admin's sentence for a stored ``last_error`` (plain Chinese, no codes)."""
    text = (last_error or "").lower()
    if not text:
        return "原因未记录"
    for marker, reason in _REASONS:
        if marker in text:
            return reason
    return "发送失败，原因见技术详情"
