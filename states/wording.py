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


def sweep_stat_label(key: str) -> str:
    """A sweep's counter in Chinese; the reminder rungs read 到期前N个工作日（当日）提醒."""
    if key.startswith("rung_") and key[5:].isdigit():
        return "到期当日提醒" if key == "rung_0" else f"到期前{int(key[5:])}个工作日提醒"
    return SWEEP_STAT_LABELS.get(key, "其他")


__all__ = ["CLOCK_PASSED_DUTY", "CLOCK_PASSED_WINDOW", "CLOCK_STATUS", "SOURCE_CONFIDENCE", "SWEEP_LABELS",
           "SWEEP_STAT_LABELS", "ZONE_LABELS", "sweep_stat_label", "zone_label"]
