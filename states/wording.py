"""The shared Chinese vocabulary of what staff and applicants read (pure data, no I/O).

Labels of states and actions live with their tables (states.disclosure, states.hotline: states, actions, what each
kind's timeline records); what several screens, notices or both kinds share lives here, so one word is used for
one thing: the request kinds, 催办 and 督办, the events outside the transition tables, clock states, requests
awaiting a decision, what an applicant asks for and how, delivery, holidays, time zones, the confidence of a
time-limit source (shown to administrators only), the scheduler's sweeps, the outbox and why a notice failed.
Screens, notices, the API's Chinese texts and the import's accepted words all read these tables.
"""

from __future__ import annotations

# A request kind's name on screens (lists, filters, headings) — and a case of that kind named in a sentence or a
# notice ("您承办的政府信息公开申请YN2026…").
CASE_KINDS = {"disclosure": "依申请公开", "workorder": "12345工单"}
CASE_NOUNS = {"disclosure": "政府信息公开申请", "workorder": "12345工单"}

# The two rungs of pressing an overdue case, by the sweep or by a leader's hand (济南条例第二十八条第一项).
PRESS_STEPS = {"urge": "催办", "supervise": "督办"}

# Events outside the transition tables, as a case's timeline (and the API's event list) names them, both kinds.
EVENT_LABELS = {
    "register": "登记", "submit_online": "网上提交", "applicant_upload": "申请人网上提交材料", "remind": "到期提醒",
    **PRESS_STEPS, "recompute": "日历变更后重新计算期限", "document": "生成文书", "attach": "上传材料",
    "intake": "接收工单", "update": "平台更新工单", "link_disclosure": "关联政府信息公开申请",
}

# What an event records, as both kinds' timelines label it (each kind adds its own: states.disclosure and
# states.hotline EVENT_FIELDS — "on time" among them: 按期 for a disclosure period, 按时 for a 12345 time limit, as
# the leaders' statistics say).
EVENT_FIELDS = {
    "assignee": "承办人", "reason": "理由", "note": "备注", "days": "工作日数", "title": "文书", "doc_no": "文号",
    "filename": "文件", "label": "类别", "receipt_date": "收到申请日期", "pressed_by": "催办督办人",
}

# Requests waiting for a decision (待审批): (case kind, request kind) → the marker on the case and in lists; who
# decides is part of it (条例第三十三条第二款: the office head; a 12345 extension: the hotline platform).
PENDING_APPROVALS = {("disclosure", "extension"): "延期待负责人审批", ("workorder", "extension"): "延期待平台审批"}
PENDING_OTHER = "待审批"

# What an applicant is and asks for (条例第二十九条), on the forms, the case page, the notices and the annual report
# (its columns are the categories); the go-live import accepts these words.
APPLICANT_TYPES = {"natural": "公民", "organization": "法人或者其他组织"}
APPLICANT_CATEGORIES = {"natural": "自然人", "business": "商业企业", "research": "科研机构",
                        "public_welfare": "社会公益组织", "legal_service": "法律服务机构", "other": "其他"}
ID_TYPES = {"resident_id": "居民身份证", "uscc": "统一社会信用代码", "passport": "护照",
            "hk_macao_permit": "港澳居民来往内地通行证", "taiwan_permit": "台湾居民来往大陆通行证",
            "foreign_permanent": "外国人永久居留身份证", "other": "其他有效证件"}
# how the application came in (条例第三十一条)
CHANNELS = {"in_person": "当面提交", "post_signed": "邮寄（需签收）", "letter": "平常信函", "internet": "互联网渠道",
            "fax": "传真", "email": "电子邮件"}
# the form of the information and how it is obtained (条例第二十九条第二款第三项、第四十条)
FORMS_WANTED = {"paper": "纸质", "electronic": "电子文档", "inspection": "查阅、抄录"}
OBTAIN_WAYS = {"collect": "当面领取", "post": "邮寄", "email": "电子邮件", "online": "网上获取"}
# how a reply reached the applicant (送达)
DELIVERY_METHODS = {"post": "邮寄送达", "email": "电子邮件送达", "in_person": "直接送达", "online": "网上送达",
                    "fax": "传真送达"}

# A day of a holiday arrangement (国务院办公厅或本地政府的通知).
DAY_KINDS = {"holiday": "放假", "workday": "调休上班", "weekend": "周末"}
DAY_CHANGES = {"added": "新增", "removed": "删除", "changed": "修改"}  # a new notice against the one it replaces

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
SWEEP_LABELS = {"recompute": EVENT_LABELS["recompute"], "lapses": "期限届满的处理（视为放弃、恢复计时）",
                "escalation": "逾期催办、督办", "reminders": EVENT_LABELS["remind"], "digest": "负责人每日汇总",
                "outbox": "发送通知和文书"}
SWEEP_STAT_LABELS = {
    "remaining": "待处理", "lag_seconds": "积压（秒）", "batches": "批次", "elapsed_seconds": "用时（秒）",
    "reminded": "已提醒", "already_sent": "此前已提醒", "already_sent_today": "今日已发过", "held_to_working_hours":
    "留待工作时间发送", "rest_day_agencies": "休息日未提醒的机关", "breached": "新逾期", "notices": "通知",
    "case_busy": "案件正被办理，下次处理", "workorder_not_due": "工单尚未到催办时点", "failed": "失败",
    "digests": "已发汇总", "agencies_without_leader": "无负责人的机关", "moved": "期限有变化", "unchanged": "期限未变",
    "skipped": "跳过", "claimed": "取出", "sent": "已发送", "retried": "重试", "dead": "发送失败", "printed": "待打印",
    "no_email": "无电子邮箱", "files": "文书文件", **PRESS_STEPS,
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


__all__ = ["APPLICANT_CATEGORIES", "APPLICANT_TYPES", "CASE_KINDS", "CASE_NOUNS", "CHANNELS", "CLOCK_PASSED_DUTY",
           "CLOCK_PASSED_WINDOW", "CLOCK_STATUS", "DAY_CHANGES", "DAY_KINDS", "DELIVERY_FAILURES", "DELIVERY_METHODS", "EVENT_FIELDS",
           "EVENT_LABELS", "FORMS_WANTED", "ID_TYPES", "OBTAIN_WAYS", "OUTBOX_STATUS", "PENDING_APPROVALS",
           "PENDING_OTHER", "PRESS_STEPS", "SOURCE_CONFIDENCE", "SWEEP_ERRORS", "SWEEP_LABELS", "SWEEP_STAT_LABELS",
           "ZONE_LABELS", "sweep_stat_label", "zone_label"]
