"""Every Chinese string a person sees, in one place."""

from __future__ import annotations

from collections.abc import Iterable

from store.catalog import SyncReport

KIND_LABELS = {"units": "单位", "plans": "计划", "indicators": "指标", "tasks": "任务"}
UNIT_KIND_LABELS = {
    "department": "部门",
    "court": "法院",
    "procuratorate": "检察院",
    "police": "公安",
    "customs": "海关",
    "university": "高校",
    "committee": "管委会",
    "government": "县(市)区政府",
    "collective": "集合",
    "other": "其他",
}
ONGOING = "长期推进"
FEATURED_MARK = "★"

TASK_TABLE_HEADER = ("计划", "序号", "时限", "★", "责任单位", "内容")
INDICATOR_TABLE_HEADER = ("计划", "编号", "指标", "地区", "目标", "2023基线", "到期", "责任单位")
NO_ROWS = "（无）"


def seed_summary(url: str, report: SyncReport) -> str:
    lines = [f"数据库：{url}"]
    for kind, counts in report.kinds.items():
        label = KIND_LABELS.get(kind, kind)
        lines.append(f"  {label}：新增 {counts.created}，更新 {counts.updated}，未变 {counts.unchanged}")
    lines.append(f"种子已应用：新增 {report.created} 条，更新 {report.updated} 条。")
    return "\n".join(lines)


def unknown_name(kind: str, name: str, suggestions: Iterable[str]) -> str:
    label = {"unit": "单位", "plan": "计划"}.get(kind, kind)
    listing = f"可用 duban {kind}s 查看全部名称。"
    if not name.strip():
        return f"{label}名称为空。{listing}"
    shown = name if len(name) <= 30 else name[:30] + "…"  # never echo a huge argument back in full
    hint = "、".join(suggestions)
    return f"未找到{label}“{shown}”。" + (f"您是否要找：{hint}" if hint else listing)


def error(message: str) -> str:
    return f"错误：{message}"


def db_unreachable(url: str, detail: str) -> str:
    return f"无法连接数据库 {url}：{detail}"


NOT_INITIALISED = "数据库尚未初始化，请先运行：duban init"
