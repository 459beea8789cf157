"""The shared Chinese vocabulary of what staff and applicants read (pure data, no I/O).

Labels of states and actions live with their tables (states.disclosure, states.hotline: states, actions, what each
kind's timeline records); what several screens, notices or both kinds share lives here, so one word is used for
one thing: the request kinds, 催办 and 督办, the events outside the transition tables, clock states, requests
awaiting a decision, what an applicant asks for and how, delivery, holidays, time zones, the confidence of a
time-limit source (shown to administrators only), the scheduler's sweeps, the outbox and why a notice failed.
Screens, notices, the API's Chinese texts and the import's accepted words all read these tables.
"""

from __future__ import annotations

from states.inputs import UNICODE_MESSAGE

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

# Nobody yet: a disclosure application not yet given to an officer (分办) and a 12345 order without one (指派); no unit.
NO_ASSIGNEE = {"disclosure": "未分办", "workorder": "未指派"}
NO_UNIT = "未指定科室"

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
# 条例第三十五条: what the agency finds of the reasons the applicant stated
REASONS_ASSESSMENTS = {"unreasonable": "理由不合理，告知不予处理", "reasonable": "理由合理，继续办理"}
# how a reply reached the applicant (送达)
DELIVERY_METHODS = {"post": "邮寄送达", "email": "电子邮件送达", "in_person": "直接送达", "online": "网上送达",
                    "fax": "传真送达"}

# The forms (web.pages.forms builds them from the payload models): each field's label (keys ``field`` or
# ``Model.field`` for a field one model names differently), its help text, the names of its options. Each kind's own
# option lists (decision categories, 12345 categories, callback results, termination grounds) stay with its table and
# web.pages.labels puts them beside these.
FORM_FIELDS: dict[str, str] = {
    # registration (条例第二十九条、第三十一条)
    "applicant_type": "申请人类型",
    "applicant_category": "申请人类别（年度报告用）",
    "applicant_name": "姓名或名称",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "contact_person": "联系人",
    "phone": "联系电话",
    "email": "电子邮箱",
    "address": "通信地址",
    "postal_code": "邮政编码",
    "assisted": "申请人需要帮助（条例第四十三条）",
    "description": "所需政府信息的名称、文号或特征性描述",
    "document_ref": "文号",
    "purpose": "用途",
    "form_wanted": "信息的提供形式",
    "obtain_way": "获取信息的方式",
    "channel": "提交方式",
    "received_at": "收到时间",
    "confirmed_at": "与申请人确认的时间",
    "oral": "口头提出，由工作人员代为填写",
    "RegisterIn.assignee_id": "承办人（可稍后分办）",
    "RegisterIn.note": "登记备注",
    # actions
    "assignee_id": "承办人",
    "ReassignIn.assignee_id": "新承办人",
    "ReassignIn.reason": "改派理由",
    "Empty.reason": "说明",
    "note": "备注",
    "backfill_reason": "补录原因（登记一年前收到的历史申请时填写）",
    "email_notices": "补录时仍以电子邮件发送回执",
    "ApproveExtensionIn.note": "审批意见",
    "NoteIn.note": "意见或备注",
    "message": "告知申请人的内容",
    "CompletionIn.message": "请申请人补充或更正的内容",
    "items": "需要补正的事项",
    "period_days": "补正期限（工作日）",
    "guidance": "补正指导和释明（条例第三十条）",
    "info_description": "征求意见涉及的信息",
    "interest": "公开可能损害第三方合法权益的情形",
    "facts": "申请数量、频次明显超过合理范围的情况",
    "ReasonsIn.period_days": "说明理由的期限（工作日）",
    "RecordReasonsIn.received_date": "收到理由的日期",
    "RecordReasonsIn.reasons": "申请人说明的理由（摘要）",
    "assessment": "审查意见（条例第三十五条）",
    "documents": "提供的政府信息",
    "received_date": "收到日期",
    "late_reason": "逾期补正的正当理由",
    "consultee_kind": "征求对象",
    "consultee_name": "征求对象名称",
    "consultee_contact": "联系方式",
    "sent_date": "征求意见书发出日期",
    "consultee_received_date": "对方收到日期",
    "opinion": "意见",
    "opinion_text": "意见内容",
    "ExtensionIn.days": "延长的工作日数",
    "ExtensionIn.reason": "延期理由",
    "ApproveExtensionIn.days": "批准延长的工作日数",
    "DelayIn.days": "延迟答复期限（工作日）",
    "DelayIn.reason": "理由",
    "FeeNoticeIn.method": "计收方式",
    "quantity": "数量（件或页）",
    "notice_date": "收费通知日期",
    "paid_date": "缴费日期",
    "receipt_no": "缴费凭证号",
    "category": "答复类型",
    "ReplyIn.reason": "答复理由",
    "text": "答复正文或补充说明",
    "third_party_objection": "第三方不同意公开的信息",
    "public_interest_reason": "决定公开的理由",
    "objected_content": "决定公开的第三方不同意公开的信息内容",
    "DeliverIn.method": "送达方式",
    "delivered_date": "送达日期",
    "tracking_no": "邮件号码",
    "signer": "签收人",
    "WithdrawIn.reason": "撤回理由",
    "withdrawn_date": "撤回日期",
    "RemedyIn.kind": "类型",
    "filed_date": "立案日期",
    "outcome": "结果",
    "decided_date": "审结日期",
    "remedy_id": "已有记录编号",
    "reason": "理由",
    "days": "工作日数",
    # 12345 work-order actions (workflow.hotline.payloads)
    "unit_id": "承办科室",
    "AssignPayload.note": "交办意见",
    "RequestExtensionPayload.reason": "延期理由（须在办理时限届满前申请）",
    "RequestExtensionPayload.days": "申请延期的工作日数",
    "ApproveExtensionPayload.days": "平台批准延期的工作日数",
    "ApproveExtensionPayload.note": "平台审批意见",
    "InterimReplyPayload.text": "阶段性答复内容",
    "result_text": "办理结果（答复来电人并反馈热线的内容）",
    "attachment_ids": "随办理结果上传的附件",
    "RecordCallbackPayload.result": "回访结果",
    "RecordCallbackPayload.note": "回访情况说明",
    "ReassignPayload.reason": "平台改派说明",
    "platform_due_at": "平台新定的办理时限",
    "RequestTerminationPayload.reason": "提请终止办理的理由",
    "ground": "终止办理情形",  # 潍坊条例第十九、二十一条 (a city's rule: not cited to clerks elsewhere)
    "ConvertToDisclosurePayload.reason": "转依申请公开的理由",
    "into_order_no": "并入的工单编号（主单）",
    # 12345 intake form: what the form says beyond the platform's own field names (workflow.hotline.mapping)
    "WorkOrderIntake.received_at": "来电（派单）时间",
    "WorkOrderIntake.platform_due_at": "平台办理时限",
    "WorkOrderIntake.designated": "经协调确定或直接指定承办（不得退回）",
}

FORM_HELP: dict[str, str] = {
    "id_number": "居民身份证、统一社会信用代码将校验末位校验码",
    "contact_person": "法人或者其他组织填写",
    "phone": "电话、电子邮箱、通信地址至少填写一项",
    "OnlineSubmissionIn.email": "网上申请必填：提交确认、接收回执和答复通过电子邮件发送",
    "received_at": "当面提交为提交之时；邮寄为签收之时（条例第三十一条）",
    "confirmed_at": "平常信函、互联网、传真、电子邮件提交的，以双方确认之日为收到申请之日",
    "description": "条例第二十九条第二项",
    "items": "每行一项，一次性告知全部补正事项（条例第三十条）",
    "period_days": "留空按本机关设定",
    "received_date": "留空为今天",
    "late_reason": "补正期限届满后才收到补正的，须写明申请人逾期的正当理由（条例第三十条）",
    "sent_date": "留空为今天",
    "delivered_date": "留空为今天",
    "paid_date": "留空为今天",
    "notice_date": "留空为今天",
    "withdrawn_date": "留空为今天",
    "consultee_contact": "填写电子邮箱的，征求意见书以电子邮件发送",
    "ExtensionIn.days": "最长20个工作日（条例第三十三条第二款），须经负责人同意",
    "ApproveExtensionIn.days": "留空按申请的天数",
    "third_party_objection": "第三方提出不同意公开的意见时必选（条例第三十二条）",
    "public_interest_reason": "仅在第三方不同意公开、本机关认为不公开可能对公共利益造成重大影响而决定公开时填写，将书面告知第三方（条例第三十二条）",
    "objected_content": "决定公开时填写告知第三方的公开内容；留空为提供的文件",
    "tracking_no": "邮寄送达必填",
    "remedy_id": "更新已登记的复议/诉讼时填写，新登记留空",
    "info_description": "留空为申请内容",
    "interest": "征求第三方意见时必填（条例第三十二条）",
    "documents": "予以公开或部分公开时，每行写一份提供的文件",
    "facts": "条例第三十五条",
    "RecordReasonsIn.reasons": "认为不合理的，答复书将引述此摘要",
    "assessment": "理由不合理的，以“无正当理由大量反复申请”答复不予处理；理由合理但无法按期答复的，可确定延迟答复期限",
    "RequestExtensionPayload.days": "由热线平台审批；不超过时限方案规定的上限",
    "ApproveExtensionPayload.days": "按平台批准的天数填写",
    "attachment_ids": "勾选随办理结果一并反馈的附件（先在“文书和附件”中上传）",
    "WorkOrderIntake.order_no": "平台工单编号；同一编号再次登记视为平台更新",
    "WorkOrderIntake.received_at": "平台派单到本机关的时间，签收和办理时限自此起算",
    "WorkOrderIntake.platform_due_at": "工单上注明办理时限的，以平台时限为准；留空按本机关时限方案",  # 北京条例第十三条
    "WorkOrderIntake.assisting_units": "每行一个单位",
    "WorkOrderIntake.category_code": "GB/T 39666-2020 分类编码，可留空",
}

FORM_OPTIONS: dict[str, dict[str, str]] = {
    "applicant_type": APPLICANT_TYPES,
    "applicant_category": APPLICANT_CATEGORIES,
    "id_type": ID_TYPES,
    "form_wanted": FORMS_WANTED,
    "obtain_way": OBTAIN_WAYS,
    "channel": CHANNELS,
    "consultee_kind": {"third_party": "第三方（条例第三十二条）", "agency": "其他机关（条例第三十四条）"},
    "opinion": {"agree": "同意公开", "object": "不同意公开", "none": "未提出意见"},
    "third_party_objection": {"": "不涉及（没有第三方不同意公开）", "withheld": "因第三方不同意公开且有合理理由，不予公开",
                              "disclosed": "不公开可能对公共利益造成重大影响，决定予以公开"},
    "assessment": REASONS_ASSESSMENTS,
    "FeeNoticeIn.method": {"item": "按件计收", "page": "按量（页）计收"},
    "DeliverIn.method": DELIVERY_METHODS,
    "RemedyIn.kind": {"reconsideration": "行政复议", "litigation_direct": "直接提起行政诉讼",
                      "litigation_after_reconsideration": "复议后提起行政诉讼"},
    "outcome": {"upheld": "维持", "corrected": "纠正", "other": "其他结果", "pending": "尚未审结"},
}

# A time of day without its offset, where the API takes an instant (the registration, an action's effective_at, a
# list's due_before/due_after, where a date alone is a day of the agency instead); the 12345 intake is the exception:
# it reads the platform's own fields as the platform writes them (a time without offset is Beijing time).
NAIVE_TIME_MESSAGE = "时间必须带时区（例如 2026-03-02T09:30+08:00）"
DAY_OR_INSTANT_MESSAGE = "应为日期（如 2026-03-02）或带时区的时间（如 2026-03-02T09:30+08:00）"

# What is wrong with an input, by pydantic's error type: the API's messages (``{…}`` filled from the error's
# context), and where a form on a page says it differently (a person picks from a list there, or leaves a box empty).
INPUT_ERRORS = {
    # presence, shape and unknown fields
    "missing": "此项为必填项",
    "extra_forbidden": "不认识的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "json_type": "应为 JSON 文本",
    "recursion_loop": "数据嵌套过深或循环引用",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dataclass_type": "应为对象",
    "dict_type": "应为对象",
    "mapping_type": "应为对象",
    "invalid_key": "对象的键应为文本",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "frozen_set_type": "应为列表",
    "iterable_type": "应为列表",
    "set_item_not_hashable": "列表中的项目应为文本或数字",
    "none_required": "此项应留空",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "union_tag_invalid": "类型标记无效",
    "union_tag_not_found": "缺少类型标记",
    "frozen_field": "此项不能修改",
    "frozen_instance": "不能修改",
    # text
    "string_type": "应为文本",
    "string_unicode": UNICODE_MESSAGE,
    "string_too_short": "内容不能为空",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_not_ascii": "只能包含英文字母、数字和符号",
    "bytes_type": "应为文本",
    "bytes_too_short": "内容过短",
    "bytes_too_long": "内容过长",
    "bytes_invalid_encoding": "编码无效",
    "url_type": "应为网址",
    "url_parsing": "网址格式不正确",
    "url_syntax_violation": "网址格式不正确",
    "url_too_long": "网址过长",
    "url_scheme": "网址的协议不受支持",
    "uuid_type": "编号格式不正确",
    "uuid_parsing": "编号格式不正确",
    "uuid_version": "编号格式不正确",
    # choices
    "enum": "取值无效，可选：{expected}",
    "literal_error": "取值无效，可选：{expected}",
    "bool_parsing": "应为是或否",
    "bool_type": "应为是或否",
    # numbers
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "数值过大",
    "int_from_float": "应为整数，不能带小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "数字的位数不能超过 {max_digits} 位",
    "decimal_max_places": "小数不能超过 {decimal_places} 位",
    "decimal_whole_digits": "整数部分的位数过多",
    "fraction_type": "应为数字",
    "fraction_parsing": "应为数字",
    "complex_type": "应为数字",
    "complex_str_parsing": "应为数字",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    # dates and times
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不带时刻",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "date_past": "日期应早于今天",
    "date_future": "日期应晚于今天",
    "time_type": "时刻格式应为 HH:MM",
    "time_parsing": "时刻格式应为 HH:MM",
    "datetime_parsing": "时间格式应为 YYYY-MM-DDTHH:MM+08:00（例如 2026-03-02T09:30+08:00）",
    "datetime_from_date_parsing": "时间格式应为 YYYY-MM-DDTHH:MM+08:00（例如 2026-03-02T09:30+08:00）",
    "datetime_type": "时间格式应为 YYYY-MM-DDTHH:MM+08:00（例如 2026-03-02T09:30+08:00）",
    "datetime_object_invalid": "时间无效",
    "datetime_past": "时间应早于当前",
    "datetime_future": "时间应晚于当前",
    "timezone_aware": NAIVE_TIME_MESSAGE,
    "timezone_naive": "时间不能带时区",
    "timezone_offset": "时区不正确",
    "time_delta_type": "时长格式不正确",
    "time_delta_parsing": "时长格式不正确",
    # the validators' own words (a ValueError or an assert in a validator)
    "value_error": "{msg}",
    "assertion_error": "输入有误",
}
# What a pydantic error type without a wording above says (a newer pydantic's type, or one no input here can
# reach): plain Chinese, never the library's English.
INPUT_ERROR_FALLBACK = "输入的值无效"
FORM_ERRORS = {
    "missing": "此项为必填项",
    "too_short": "至少填写一项",
    "too_long": "项目过多",
    "literal_error": "请选择列表中的选项",
    "enum": "请选择列表中的选项",
    "string_too_short": "此项为必填项",
}

# A day of a holiday arrangement (国务院办公厅或本地政府的通知).
DAY_KINDS = {"holiday": "放假", "workday": "调休上班", "weekend": "周末"}
DAY_CHANGES = {"added": "新增", "removed": "删除", "changed": "修改"}  # a new notice against the one it replaces


def calendar_scope_label(scope: str, own: str | None = None) -> str:
    """Whose holiday arrangement: 全国 (the State Council's), 本机关 (the agency's own, filed under its code), or a
    regional one by the code the administrator gives it in the notice file."""
    if scope == "national":
        return "全国"
    return "本机关地方安排" if scope == own else f"地方安排（范围 {scope}）"


def notice_title(year: int, document: str, source: str) -> str:
    """A holiday notice as the calendar page lists it: its document, or for a built-in national arrangement (whose
    document names the package it came from) the year's arrangements."""
    return f"{year}年全国节假日安排" if source.startswith("chinese-calendar") else document


def notice_source_label(source: str) -> str:
    """Where a holiday notice came from, as the calendar page says it."""
    if source.startswith("chinese-calendar"):
        return "系统内置（依国务院办公厅历年通知）"
    if source.startswith("import:"):
        return f"上传文件 {source.removeprefix('import:')}"
    return "命令行导入" if source == "import" else "其他方式导入"

CLOCK_STATUS = {"running": "计时中", "paused": "暂停计时", "met": "已完成", "cancelled": "已取消"}
CLOCK_PASSED_DUTY = "已逾期"  # a duty whose time has passed (the agency must act)
CLOCK_PASSED_WINDOW = "已届满"  # a window or the applicant's period that has ended

# How sure the source of a 12345 time limit is (docs/hotline-profiles.md): administrators read it on the profile
# page; a clerk's explanation never carries it.
SOURCE_CONFIDENCE = {"confirmed": "已核实", "secondary": "二手来源", "derived": "推导值", "unconfirmed": "未核实",
                     "override": "本机关设置"}

# A zone as a clerk says it; another zone is "当地时间" (the agency's own wall clock). The settings page says what
# each one means.
ZONE_LABELS = {"Asia/Shanghai": "北京时间", "Asia/Urumqi": "新疆时间"}
ZONE_NOTES = {"Asia/Shanghai": "全国统一", "Asia/Urumqi": "新疆当地作息时间，比北京时间晚2小时"}


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


__all__ = [
    "APPLICANT_CATEGORIES",
    "APPLICANT_TYPES",
    "CASE_KINDS",
    "CASE_NOUNS",
    "CHANNELS",
    "CLOCK_PASSED_DUTY",
    "CLOCK_PASSED_WINDOW",
    "CLOCK_STATUS",
    "DAY_CHANGES",
    "DAY_KINDS",
    "DAY_OR_INSTANT_MESSAGE",
    "DELIVERY_FAILURES",
    "DELIVERY_METHODS",
    "EVENT_FIELDS",
    "EVENT_LABELS",
    "FORMS_WANTED",
    "FORM_ERRORS",
    "FORM_FIELDS",
    "FORM_HELP",
    "FORM_OPTIONS",
    "ID_TYPES",
    "INPUT_ERRORS",
    "INPUT_ERROR_FALLBACK",
    "NAIVE_TIME_MESSAGE",
    "NO_ASSIGNEE",
    "NO_UNIT",
    "OBTAIN_WAYS",
    "OUTBOX_STATUS",
    "PENDING_APPROVALS",
    "PENDING_OTHER",
    "PRESS_STEPS",
    "REASONS_ASSESSMENTS",
    "SOURCE_CONFIDENCE",
    "SWEEP_ERRORS",
    "SWEEP_LABELS",
    "SWEEP_STAT_LABELS",
    "ZONE_LABELS",
    "ZONE_NOTES",
    "calendar_scope_label",
    "notice_source_label",
    "sweep_stat_label",
    "zone_label",
]
