"""The agency's settings in human terms: each field's section, Chinese name and what it does — for the settings page,
the audit trail's lines and ``banli check``'s list of settings that need correcting."""

from __future__ import annotations

from workflow.agencies.setup import NUMBER_LABELS

# field → (section, label, what it does)
SETTING_LABELS: dict[str, tuple[str, str, str]] = {
    "short_name": ("文书", "机关简称", "文书正文中再次提到本机关时使用；不填则用全称。"),
    "seal_text": ("文书", "印章文字", "文书落款处印章上的文字；不填则用机关全称。"),
    "address": ("文书", "通信地址", "写在回执和告知书上，申请人寄送材料时使用。"),
    "postal_code": ("文书", "邮政编码", ""), "phone": ("文书", "联系电话", "写在回执和告知书上，申请人咨询时拨打。"),
    "email": ("文书", "电子邮箱", ""), "website": ("文书", "网站", ""),
    "office_hours": ("文书", "办公时间", "写在办事指南和回执上，例如“工作日 上午9:00—12:00，下午14:30—18:00”。"),
    "reconsideration_organ": ("救济途径", "行政复议机关",
                              "每份答复书都告知申请人可向它申请行政复议（《中华人民共和国行政复议法》第二十四条）。"),
    "litigation_court": ("救济途径", "行政诉讼管辖法院", "每份答复书都告知申请人可向它提起行政诉讼。"),
    "partial_reconsideration_first": ("救济途径", "部分公开答复中告知：对不予公开部分应当先申请行政复议",
                                      "《中华人民共和国行政复议法》第二十三条第一款第（四）项。"),
    "office_name": ("文书", "政府信息公开工作机构名称", "不填则用机关全称。"),
    "lookup_url": ("文书", "申请人查询网址", "写在回执上，申请人凭查询码查看办理进度。"),
    "mail_attachments": ("文书", "邮件附件格式", "电子邮件送达时随附的文书格式。"),
    "mail_files_limit_mb": ("文书", "随答复邮件附送政府信息的大小上限（MB）", "超过时改为发送下载链接。"),
    "download_link_days": ("文书", "下载链接有效天数", ""),
    "timezone": ("时间", "时间", "期限按这个时间判断“哪一天”。全国统一使用北京时间。"),
    "working_hours": ("时间", "工作时间段", "每行一段，例如 09:00-12:00。用于以小时计的12345时限和提醒发出的时间。"),
    "calendar_scopes": ("时间", "适用的地方节假日安排", "在国务院节假日安排之外，本机关还适用的地方安排（例如民族自治地方的节日）。"),
    "receipt_on_rest_day_rolls_forward": ("依申请公开", "休息日收到的申请自下一个工作日起算", ""),
    "backfill_grace_wd": ("补录", "早于当前多少个工作日的办理步骤算作补录", "补录须填写原因。"),
    "backfill_roles": ("补录", "可以补录的角色", "都不选表示能办理该步骤的人都可以补录。"),
    "correction_notice_wd": ("依申请公开", "补正告知期限（工作日）", "《政府信息公开条例》第三十条：收到申请之日起7个工作日内。"),
    "correction_period_wd": ("依申请公开", "申请人补正期限（工作日）", "告知书中给申请人的补正期限。"),
    "reply_wd": ("依申请公开", "答复期限（工作日）", "条例第三十三条第一款：20个工作日。"),
    "max_extension_wd": ("依申请公开", "最长延期（工作日）", "条例第三十三条第二款：不超过20个工作日。"),
    "consultation_wd": ("依申请公开", "征求意见期限（工作日）", "条例第三十二条：第三方15个工作日内提出意见。"),
    "consultation_pause_starts": ("依申请公开", "征求意见暂停计时起点", ""),
    "fee_payment_wd": ("依申请公开", "缴费期限（工作日）", "国办函〔2020〕109号：20个工作日。"),
    "fee_pauses_reply_clock": ("依申请公开", "缴费期间暂停答复计时", ""),
    "fee_payment_how": ("依申请公开", "缴费方式说明", "印在收费通知上。"), "fee_payee": ("依申请公开", "收款单位", ""),
    "fee_account": ("依申请公开", "收款账号", ""), "fee_bank": ("依申请公开", "开户银行", ""),
    "art35_max_delay_wd": ("依申请公开", "条例第三十五条延迟答复上限（工作日）", "条例未规定上限，由本机关确定。"),
    "reminder_ladder_wd": ("提醒", "到期前几个工作日提醒", "每行一个数，例如 5、3、1、0（0 表示到期当天）。"),
    "supervise_after_wd": ("提醒", "逾期多少个工作日后督办", ""),
    "hour_remind_before_wmin": ("提醒", "按小时计的12345时限：到期前多少分钟（工作时间）提醒", ""),
    "hour_supervise_after_wmin": ("提醒", "按小时计的12345时限：逾期多少分钟（工作时间）后督办", ""),
    "digest_time": ("提醒", "每日汇总发送时间", "例如 08:30。"),
    "hotline_profile": ("12345", "12345热线时限方案", ""),
    # edited by their own widgets on the page (not the generic fields)
    "tracking_format": ("文书编号", NUMBER_LABELS["tracking_format"], "字头、样式和序号位数，示例随选择变化。"),
    "reply_doc_format": ("文书编号", NUMBER_LABELS["reply_doc_format"], ""),
    "notice_doc_format": ("文书编号", NUMBER_LABELS["notice_doc_format"], ""),
    "submission_format": ("文书编号", NUMBER_LABELS["submission_format"], ""),
    "report_row_overrides": ("依申请公开", "年度报告中“已经主动公开”的答复计入的行", "各地统计口径不一。"),
    "reminder_ladders_wd": ("提醒", "按时限种类分别提醒", "用顿号或逗号隔开的工作日数。"),
    "hotline_overrides": ("12345", "本机关对时限方案的调整", "通过接口修改；本页列出。"),
}


def setting_label(name: str) -> str:
    """The Chinese name of a setting (``name`` itself for the agency's name and anything unlabelled)."""
    return "机关名称" if name == "name" else SETTING_LABELS.get(name, ("", name, ""))[1]
