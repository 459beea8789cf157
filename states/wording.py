"""The shared Chinese vocabulary of what staff and applicants read (pure data, no I/O).

Labels of states and actions live with their tables (states.disclosure, states.hotline); what several screens
share lives here, so one word is used for one thing: clock states, the confidence of a time-limit source (shown to
administrators only), request kinds awaiting a decision, time zones.
"""

from __future__ import annotations

CLOCK_STATUS = {"running": "计时中", "paused": "暂停计时", "met": "已完成", "cancelled": "已取消"}
CLOCK_PASSED_DUTY = "已逾期"  # a duty whose time has passed (the agency must act)
CLOCK_PASSED_WINDOW = "已届满"  # a window or the applicant's period that has ended

# How sure the source of a 12345 time limit is (docs/hotline-profiles.md): administrators read it on the profile
# page; a clerk's explanation never carries it.
SOURCE_CONFIDENCE = {"confirmed": "已核实", "secondary": "二手来源", "derived": "推导值", "unconfirmed": "未核实",
                     "override": "本机关设置"}

# A zone as a clerk says it; another zone is "当地时间" (the agency's own wall clock).
ZONE_LABELS = {"Asia/Shanghai": "北京时间", "Asia/Urumqi": "乌鲁木齐时间"}


def zone_label(tz: str) -> str:
    return ZONE_LABELS.get(tz, "当地时间")




# The scheduler's sweeps and what they count, as the system-status page names them (workflow.sweeps).
SWEEP_LABELS = {"recompute": "日历变更后重新计算期限", "lapses": "期限届满的处理（视为放弃、恢复计时）",
                "escalation": "逾期催办、督办", "reminders": "到期前提醒", "digest": "负责人每日汇总",
                "outbox": "发送通知和文书"}
SWEEP_STAT_LABELS = {
    "remaining": "待处理", "lag_seconds": "积压（秒）", "batches": "批次", "elapsed_seconds": "用时（秒）",
    "reminded": "已提醒", "already_sent": "此前已提醒", "already_sent_today": "今日已发过", "held_to_working_hours":
    "留待工作时间发送", "rest_day_agencies": "休息日未提醒的机关", "breached": "新逾期", "notices": "通知",
    "case_busy": "案件正被办理，下次处理", "workorder_not_due": "工单尚未到催办时点", "failed": "失败",
    "digests": "已发汇总", "agencies_without_leader": "无负责人的机关", "moved": "期限有变化", "unchanged": "期限未变",
    "skipped": "跳过", "claimed": "取出", "sent": "已发送", "retried": "重试", "dead": "发送失败", "printed": "待打印",
    "no_email": "无电子邮箱", "files": "文书文件", "urge": "催办", "supervise": "督办",
    "reminded_by_the_hour": "按工作小时提醒", "escalated_by_the_hour": "按工作小时催办督办",
    "lapse_correction": "逾期未补正", "lapse_consultation": "征求意见期满", "lapse_fee": "逾期未缴费",
}


# A notice's place in the outbox (文书发送队列).
OUTBOX_STATUS = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "dead": "发送失败", "held": "暂缓"}

# Why a notice could not be sent or built (notifications.failures classifies the stored technical text): what
# happened and what to do, for the agency's administrator; the technical text itself is for the instance
# administrator only (系统状态, collapsed 技术详情).
DELIVERY_FAILURES = {
    "address_control_chars": "收件人姓名或地址含有换行等控制字符，无法生成邮件，请更正收件人信息后重新发送",
    "address_invalid": "收件地址不是有效的电子邮箱地址，请更正收件人的电子邮箱后重新发送",
    "recipient_refused": "对方邮件服务器拒收（收件地址可能不存在或已停用），请核实收件地址",
    "smtp_unreachable": "无法连接邮件服务器（服务器地址、端口或网络不通），请平台管理员检查发信设置后重新发送",
    "smtp_login": "邮件服务器登录失败，请平台管理员检查发信账户和密码",
    "smtp_tls": "与邮件服务器建立加密连接失败，请平台管理员检查发信设置（加密方式、证书）",
    "smtp_timeout": "连接邮件服务器超时，请稍后重新发送",
    "smtp_disconnected": "邮件服务器中途断开连接，请稍后重新发送",
    "smtp_rejected": "邮件服务器拒绝接收该邮件（可能是内容、附件大小或发件人不被接受）",
    "smtp_busy": "邮件服务器暂时无法接收，已按间隔重试",
    "file_missing": "随答复提供的文件在文件库中缺失，请重新上传后重新发送",
    "file_altered": "随答复提供的文件已被改动（校验值不符），请重新上传后重新发送",
    "document_incomplete": "文书缺少必要内容（如本机关的联系方式或救济机关），无法生成，请补全机关设置后重新发送",
    "document_build": "生成文书时出错（文书模板或内容有误），无法生成，请联系平台管理员",
    "fonts_missing": "服务器未安装中文字体，无法生成文书，请平台管理员安装字体",
    "notice_unknown": "文书类型无法识别，请联系平台管理员",
    "not_recorded": "原因未记录",
    "other": "发送失败，原因未能识别；可重新发送，仍失败请联系平台管理员",
}

# A sweep's run that failed, as the system-status page says it (the technical text: instance administrator only).
SWEEP_ERRORS = {
    "database_busy": "数据库正忙，本次未处理完的将在下次运行时继续",
    "database_unreachable": "无法连接数据库，请平台管理员检查数据库服务",
    "other": "本次运行出错，未处理完的将在下次运行时重试；如持续出现，请联系平台管理员",
}


def sweep_stat_label(key: str) -> str:
    """A sweep's counter in Chinese; the reminder rungs read 到期前N个工作日（当日）提醒."""
    if key.startswith("rung_") and key[5:].isdigit():
        return "到期当日提醒" if key == "rung_0" else f"到期前{int(key[5:])}个工作日提醒"
    return SWEEP_STAT_LABELS.get(key, "其他")


__all__ = ["CLOCK_PASSED_DUTY", "CLOCK_PASSED_WINDOW", "CLOCK_STATUS", "DELIVERY_FAILURES", "OUTBOX_STATUS",
           "SOURCE_CONFIDENCE",
           "SWEEP_ERRORS", "SWEEP_LABELS", "SWEEP_STAT_LABELS", "ZONE_LABELS", "sweep_stat_label", "zone_label"]
