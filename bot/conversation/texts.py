"""Every Chinese string a person sees, in one place."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from bot.conversation.messages import LOCAL_TZ

if TYPE_CHECKING:  # only `duban init` reports a sync; the chat commands need not import the seeding code
    from schedules.weekly import UnitFigures, WeeklyReport
    from store.catalog import SyncReport
    from store.ledger import DelayView
    from store.views import PlanView


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


def collective_unit(name: str, members: Sequence[str]) -> str:
    """duban users add --unit 海关: a collective names no one unit a member could report for."""
    shown = "、".join(members[:8]) + ("等" if len(members) > 8 else "")
    return f"“{name}”是集体名称，不是具体单位，绑定后无法报送。请改用其中的具体单位：{shown}。"


def error(message: str) -> str:
    return f"错误：{message}"


def db_unreachable(url: str, detail: str) -> str:
    return f"无法连接数据库 {url}：{detail}"


NOT_INITIALISED = "数据库尚未初始化，请先运行：duban init"


# ---- conversation ----------------------------------------------------------------------------------------

EXAMPLES = (
    "鼓楼专利授权量进度",
    "先行所的目标是多少",
    "市检察院有哪些任务",
    "任务18是什么 / 谁负责",
    "下个月到期的任务",
    "逾期任务",
    "示范区总体情况",
)
HELP = "可以这样问：\n" + "\n".join(f"· {example}" for example in EXAMPLES)
UNKNOWN = "抱歉，我没有理解这个问题。" + HELP
TASKS_USAGE = (
    "请在 /tasks 后写上单位，例如：/tasks 市检察院（已绑定单位的成员直接发 /tasks 即查本单位任务）。"
)


def unit_tasks_question(unit: str) -> str:
    return f"{unit}有哪些任务"


def progress_question(subject: str) -> str:
    """/progress alone lists the indicators; /progress 鼓楼专利授权量 asks for that one's progress."""
    return f"{subject}进度" if subject else "指标进度"


EMPTY = "没有收到文字内容。" + HELP
THANKS = "不客气，有需要随时问我。"
ACK = "好的。"
NEED_SUBJECT = "请说明是哪项任务或哪个指标，例如“任务18谁负责”或“先行所的目标是多少”。"
NO_MORE = "没有更多内容了。"
PAGE_SIZE = 10
STATUS_MARKS = {
    "met": "🟢 已达标",
    "on_track": "🟢 符合序时进度",
    "behind": "🟡 略慢于序时进度",
    "at_risk": "🔴 明显滞后",
    "not_met": "🟡 尚未达标",
    "no_data": "⚪ 尚无数据，无法判断",
}
PAST_DUE_MARK = "🔴 已过期限，未达标"
COMPARATORS = {">": ">", ">=": "≥", "<=": "≤", "<": "<", "=": "="}
CEILINGS = ("<=", "<")  # a target that is an upper bound (失业率低于 4.1%)
COUNT_UNITS = ("件", "个", "家", "次", "人次", "名", "人")


def too_long(length: int) -> str:
    return f"消息太长（{length} 字），请一次只问一个问题。" + HELP


def more_hint(remaining: int) -> str:
    return f"……还有 {remaining} 项，回复“更多”查看。"


def choose(options: Sequence[str], total: int | None = None) -> str:
    """A numbered choice; when more would fit than are shown (total), how to narrow it down instead."""
    lines = [f"{i} {label}" for i, label in enumerate(options, 1)]
    if total is not None and total > len(options):
        return (
            f"共有 {total} 项相符，以下是前 {len(options)} 项：\n" + "\n".join(lines)
            + "\n请回复序号，或说明地区或方案以缩小范围（如“鼓楼区专利授权量进度”）。"
        )  # fmt: skip
    return "您指的是：\n" + "\n".join(lines) + "\n请回复序号。"


MAX_OPTIONS = 8  # numbered options offered at most; beyond them the sender is asked to narrow down
MAX_REPLY_CHARS = 4000  # under Telegram's 4,096 with room to spare; longer text goes to further pages
SUMMARY_FROM = 100  # a list longer than this opens with its counts by plan
MAX_PLANS_LISTED = 10  # overviews and indicator lists of more plans than this become a summary


def by_plan(counts: Sequence[tuple[str, int]], plans: int) -> str:
    """按方案：… the plans holding most of a long list, before the list."""
    shown = "；".join(f"{label} {n} 项" for label, n in counts)
    more = f"等 {plans} 个方案" if plans > len(counts) else ""
    return f"按方案：{shown}{more}。可说明方案或地区、单位缩小范围。"


def task_needs_plan(number: int, plans: int, example: str) -> str:
    return (
        f"{plans} 个方案都按序号编列任务，“任务{number}”未指明是哪一个方案。"
        f"请说明方案或地区，如“{example}任务{number}”。"
    )


def overall_overview(plans: int, facts: OverviewFacts, top: Sequence[tuple[str, int]]) -> str:
    lines = [
        f"共 {plans} 个方案，任务 {facts.tasks} 项（★{facts.featured}，长期推进 {facts.ongoing}）："
        f"已完成 {facts.done}，"
        f"逾期 {facts.overdue}，30 天内到期 {facts.due_soon}",
        f"指标 {facts.indicators} 项。",
    ]
    if top:
        lines.append("逾期最多的方案：" + "；".join(f"{label} {n} 项" for label, n in top))
    lines.append("请说明方案或地区查看详情（如“鼓楼方案进展如何”）。")
    return "\n".join(lines)


def too_many_plans(plans: int, shown: int) -> str:
    return f"……另有 {plans - shown} 个方案，请说明方案或地区。"


def choice_out_of_range(count: int) -> str:
    return f"请回复 1 到 {count} 之间的序号。"


def number(value: Decimal) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text


def day(value: date) -> str:
    return value.isoformat()


def moment(value: datetime) -> str:
    """A recorded time as a person in Fuzhou reads it."""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def days_left(deadline: date, today: date, done: bool) -> str:
    if done:
        return "已完成"
    delta = (deadline - today).days
    if delta > 0:
        return f"剩 {delta} 天"
    return "今天到期" if delta == 0 else f"已逾期 {-delta} 天"


def deadline_text(deadline: date | None, ongoing: bool, words: str | None = None) -> str:
    """The day counted to, with the document's own words where they say more (全年（2025-12-31）, 每季度)."""
    if ongoing or deadline is None:
        return words or ONGOING
    return f"{words}（{day(deadline)}）" if words else day(deadline)


def target_text(comparator: str, target: Decimal, unit: str, period_kind: str) -> str:
    shown = f"{COMPARATORS.get(comparator, comparator)}{number(target)}"
    if unit == "%":
        return f"{shown}%"
    if period_kind == "per_year" and "/" not in unit:
        return f"{shown} {unit}/年"
    if period_kind == "yearly_average":
        return f"年均 {shown} {unit}"
    return f"{shown} {unit}"


def quantity(value: Decimal, unit: str) -> str:
    bare = unit.split("/")[0]
    return f"{number(value)}%" if bare == "%" else f"{number(value)} {bare}"


def expected_quantity(value: Decimal, unit: str) -> str:
    """序时进度 figures: whole numbers for things counted one by one, two decimals otherwise."""
    bare = unit.split("/")[0]
    step = Decimal(1) if bare in COUNT_UNITS else Decimal("0.01")
    return quantity(value.quantize(step, ROUND_HALF_UP), unit)


@dataclass(frozen=True)
class IndicatorFacts:
    """Everything an indicator answer may show, already formatted where wording is not involved."""

    name: str
    region: str
    plan_title: str
    code: str
    target: str
    due: date | None
    baseline: str | None
    baseline_year: int | None
    units: Sequence[str]
    note: str


def indicator_heading(facts: IndicatorFacts) -> str:
    return f"【{facts.region}】{facts.name}（{facts.plan_title} 指标{facts.code}）"


def indicator_target(facts: IndicatorFacts, today: date, *, full_note: bool = False) -> str:
    lines = [indicator_heading(facts), f"目标：{facts.target}" + _due_suffix(facts.due, today)]
    lines.append(baseline_line(facts))
    lines.append("责任单位：" + "、".join(facts.units))
    if facts.note:
        lines.append(f"说明：{facts.note if full_note else abridge_text(facts.note, 120)}")
    return "\n".join(lines)


def indicator_progress(
    facts: IndicatorFacts,
    today: date,
    report: tuple[str, date, str] | None,
    percent: Decimal | None,
    gap: str | None,
    expected: tuple[str, date] | None,
    status: str,
) -> str:
    """report = (value with unit, as-of, who); expected = (序时进度 value with unit, as of)."""
    lines = [indicator_heading(facts), f"目标：{facts.target}" + _due_suffix(facts.due, today)]
    if report is None:
        lines.append("最新数据：尚无上报数据")
        lines.append(baseline_line(facts))
    else:
        value, as_of, who = report
        lines.append(f"最新数据：{value}（截至 {day(as_of)}，{who}上报）")
        if percent is not None:
            lines.append(f"完成目标的 {percent_text(percent)}")
        if gap is not None:
            lines.append(gap)
    if expected is not None:
        lines.append(f"序时进度：截至 {day(expected[1])} 应达 {expected[0]}")
    lines.append(f"状态：{status}")
    if facts.units:  # whom to chase about it, as the target's answer says too
        lines.append("责任单位：" + "、".join(facts.units))
    return "\n".join(lines)


def percent_text(percent: Decimal) -> str:
    """Always one decimal, as reports give it (98.0%, never 98%)."""
    return f"{percent.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def baseline_of_year(year: int, value: str) -> str:
    return f"{year}年末：{value}（方案所载基线）"


def gap_text(missing: Decimal | None, unit: str, comparator: str) -> str:
    if missing is None:
        return "已达到目标值" if comparator not in CEILINGS else "未超过上限"
    bare = unit.split("/")[0]
    amount = f"{number(missing)} 个百分点" if bare == "%" else quantity(missing, unit)
    return f"距目标还差 {amount}" if comparator not in CEILINGS else f"超出上限 {amount}"


def baseline_line(facts: IndicatorFacts) -> str:
    if facts.baseline is None:
        return "基线：方案未载明"
    year = f"（{facts.baseline_year}年）" if facts.baseline_year else ""
    return f"基线：{facts.baseline}{year}"


def _due_suffix(due: date | None, today: date) -> str:
    if due is None:
        return ""
    return f"，期限 {day(due)}" + ("（已过）" if due < today else "")


def no_indicator_in_region(region: str, names: Sequence[str], regions: Sequence[str]) -> str:
    where = "、".join(dict.fromkeys(regions))
    return f"{region}没有“{'、'.join(dict.fromkeys(names))}”这项指标；该指标只在{where}的方案中。"


KIN_INDICATOR = "相近的指标是："


def no_district_share(region: str) -> str:
    return f"方案未载明{region}的分项目标；{region}作为责任单位之一参与全市指标："


def no_unit_share(unit: str, holders: Sequence[str]) -> str:
    together = "、".join(holders)
    return f"方案未载明{unit}单独的分解数；该指标由{together}共同负责，目标为合计："


def reporter(name: str | None, unit: str | None) -> str:
    return "·".join(part for part in (name, unit) if part) or "未署名"


SUMMED_PARTS = "各单位分别"
SUMMED_VALUE = "合计 "
A_PART = "按本单位自己的数报送：计入全市合计，不替代全市数"
A_PART_APART = "按本单位自己的数报送：比率不相加，单独列出，不替代全市数"
MISSING_SHOWN = 6  # names of units yet to report, before "等 N 个"


def parts_line(parts: Sequence[tuple[str, str, date]]) -> str:
    """(unit, value with unit, as of) of each unit's own report of an indicator it holds with others."""
    shown = "；".join(f"{unit} {value}（截至 {day(as_of)}）" for unit, value, as_of in parts)
    return f"分单位上报：{shown}"


def missing_line(units: Sequence[str]) -> str:
    shown = "、".join(units[:MISSING_SHOWN]) + (
        f"等 {len(units)} 个单位" if len(units) > MISSING_SHOWN else ""
    )
    return f"尚未上报：{shown}"


@dataclass(frozen=True)
class TaskFacts:
    label: str
    plan_title: str
    title: str | None
    content: str
    featured: bool
    deadline: str
    remaining: str | None  # days left / overdue / done, None for 长期推进
    status: str
    assigned: Sequence[str]
    expanded_count: dict[str, int]  # collective → number of members
    progress: str | None
    progress_at: datetime | None = None
    planned_deadline: date | None = None  # the document's date, when an approved delay moved it
    delay_request: DelayView | None = None  # waiting for an admin
    assignment_note: str | None = None  # the document names no unit per item: how they were assigned
    colour: str | None = None  # 督办标识：🔴 红（已逾期）…
    leader: str | None = None  # 责任领导
    lead_units: int = 1


CONTENT_CHARS = 160  # of a task's wording in its detail; the sentence asked about is added when cut off


def asked_sentence(sentence: str) -> str:
    return f"原文相关：“{sentence}”"


def task_detail(facts: TaskFacts) -> str:
    heading = f"{facts.label}（{facts.plan_title}）" + ("★特色重点任务" if facts.featured else "")
    lines = [heading]
    if facts.title:
        lines.append(f"标题：{facts.title}")
    lines.append(f"内容：{abridge_text(facts.content, CONTENT_CHARS)}")
    lines.append(
        "责任单位："
        + responsible_units(facts.assigned, facts.expanded_count, facts.lead_units)
        + _assigned_how(facts)
    )
    if facts.leader:
        lines.append(f"责任领导：{facts.leader}")
    lines.append(f"时限：{facts.deadline}" + (f"（{facts.remaining}）" if facts.remaining else ""))
    if facts.planned_deadline:
        lines.append(f"　原定时限 {day(facts.planned_deadline)}，已批准延期")
    if facts.delay_request:
        lines.append(f"　延期申请待批：至 {day(facts.delay_request.new_deadline)}")
    lines.append(f"状态：{facts.status}")
    if facts.colour:
        lines.append(facts.colour)
    if facts.progress:
        when = f"（{moment(facts.progress_at)}）" if facts.progress_at else ""
        lines.append(f"最新进展：{facts.progress}{when}")
    return "\n".join(lines)


def task_responsible(facts: TaskFacts, *, told_apart: bool = False) -> str:
    """Who, and by when: the deadline is what a supervising office chases the unit for. told_apart: several
    tasks asked by number at once (第8项和第9项分别谁牵头), each said with what it is."""
    units = responsible_units(facts.assigned, facts.expanded_count, facts.lead_units)
    units += f"；责任领导：{facts.leader}" if facts.leader else ""
    when = f"{facts.deadline}" + (f"（{facts.remaining}）" if facts.remaining else "")
    # an item of a list the document gives no units for is known by its title, not by its number
    title = f"\n标题：{facts.title}" if facts.title and facts.assignment_note else ""
    what = abridge_text(facts.title or facts.content, 30)
    label = f"{facts.label}（{what}）" if told_apart else facts.label
    return f"{label}的责任单位：{units}{_assigned_how(facts)}{title}\n时限：{when}"


def _assigned_how(facts: TaskFacts) -> str:
    return f"（{facts.assignment_note}）" if facts.assignment_note else ""


def indicator_responsible(facts: IndicatorFacts, expanded_count: dict[str, int]) -> str:
    return f"【{facts.region}】{facts.name}的责任单位：" + responsible_units(facts.units, expanded_count)


def responsible_units(assigned: Sequence[str], expanded_count: dict[str, int], leads: int = 1) -> str:
    """The lead units first (牵头), the others as co-units (配合); collectives say how many they stand for."""
    shown = [f"{name}（{expanded_count[name]}个）" if name in expanded_count else name for name in assigned]
    if len(shown) == 1:
        return shown[0]
    if leads >= len(shown):
        return "、".join(shown) + "（共同牵头）"
    return "、".join(shown[:leads]) + "（牵头）；" + "、".join(shown[leads:]) + "（配合）"


def task_status(
    done: bool, done_units: int, total_units: int, done_at: datetime | None = None, *,
    approved_by: str | None = None, reviews: str = "",
) -> str:  # fmt: skip
    """已完成 (an admin's word), 已办结（审核人、时间） (the parts approved), 部分完成, 待审核 / 已退回."""
    if done and approved_by:
        when = f"，{moment(done_at)}" if done_at else ""
        return f"已办结（审核：{approved_by}{when}）"
    if done:
        return f"已完成（{moment(done_at)[:10]}）" if done_at else "已完成"
    extra = f"；{reviews}" if reviews else ""
    if done_units:
        return f"部分完成（已完成 {done_units}/{total_units} 单位{extra}）"
    return reviews or "未完成"


# Most tasks whole: what sets one apart is often its last clause (…组建福州市专利纠纷调处人才库); ten lines of
# this width stay far inside a chat message's limit.
LIST_CONTENT_CHARS = 64


def task_line(
    label: str, content: str, deadline: str, remaining: str | None, role: str | None, lead: str | None = None,
    *, mark: str = "",
) -> str:  # fmt: skip
    """One task in a list. A list of one unit's tasks says the unit's role; any other list names who leads
    each task, since "who is late" is what a supervising office reads a list for. mark: its colour."""
    role_text = f"〔{role}〕" if role else ""
    lead_text = f"｜{lead}" if lead else ""
    tail = f"｜{deadline}" + (f" {remaining}" if remaining else "")
    return f"{mark}{label}{role_text} {abridge_text(content, LIST_CONTENT_CHARS)}{lead_text}{tail}"


# 督办 colours (schedules.colours): 红 overdue, 黄 behind, 蓝 due within 5 working days
COLOUR_MARKS = {"red": "🔴", "yellow": "🟡", "blue": "🔵"}
_COLOUR_WHY = {
    "red": "红（已逾期）",
    "returned": "黄（完成报告被退回，尚未重新报告）",
    "unacknowledged": "黄（临期提醒未确认收到）",
    "blue": "蓝（5 个工作日内到期）",
}


def colour_line(colour: str, why: str) -> str:
    return f"督办标识：{COLOUR_MARKS[colour]} {_COLOUR_WHY[why]}"


def lead_of(assigned: Sequence[str]) -> str | None:
    """The lead unit of a list line: the first unit written, 等 when others share the task."""
    if not assigned:
        return None
    return assigned[0] + ("等" if len(assigned) > 1 else "")


ROLE_LABELS = {"lead": "牵头", "co": "配合"}


def leader_tasks_heading(leader: str, count: int, which: str = "") -> str:
    """which: the filter asked (逾期未完成的, 2025-08-01 至 2025-08-31 到期的), said before the count."""
    if which and not count:
        return f"{leader}（责任领导）负责的任务中没有{which}任务。"
    return f"{leader}（责任领导）负责的任务{f'中{which}' if which else ''}共 {count} 项："


def leader_filter(overdue: bool, span: tuple[date | None, date] | None, undone: bool, featured: bool) -> str:
    """How a leader's list was narrowed, as the heading says it."""
    words = ["★" if featured else ""]
    if span is not None:
        words.append(f"{span[0]} 至 {span[1]} 到期的" if span[0] else f"{span[1]} 前到期的")
    words.append("逾期未完成的" if overdue else "未完成的" if undone else "")
    return "".join(words)


def unit_tasks_heading(unit: str, count: int, role: str | None, undone: bool = False, via: int = 0) -> str:
    role_text = {"lead": "牵头的", "co": "配合的"}.get(role or "", "承担的")
    what = f"{role_text}{'未完成' if undone else ''}任务"
    if not count:
        return f"{unit}没有{what}。"
    named = f"（直接点名 {count - via} 项，作为集体成员 {via} 项）" if via else ""
    return f"{unit}{what}共 {count} 项{named}："


def none_in_role(unit: str, role: str, count: int) -> str:
    """我们办有牵头的任务吗 — none; what it does hold follows, so the answer is not a bare no."""
    other = {"lead": "配合", "co": "牵头"}[role]
    return f"{unit}没有{ROLE_LABELS[role]}的任务；承担的 {count} 项均为{other}或作为集体成员承担："


def named_in_text(unit: str, count: int) -> str:
    return f"任务清单没有列{unit}；方案正文将{unit}列为以下 {count} 项工作的责任单位："


def section_part(path: str, heading: str) -> str:
    return f"· {path} {heading}"


def section_line(plan_title: str, path: str, heading: str) -> str:
    return f"· 《{plan_title}》{path} {heading}"


def count_with_role(unit: str, count: int, role: str | None, in_role: int) -> str:
    role_text = {"lead": "牵头", "co": "配合"}.get(role or "", "承担")
    return f"{unit}共 {count} 项任务，其中{role_text} {in_role} 项（标〔{role_text}〕）："


def count_of_all(scope: str, count: int) -> str:
    return f"{scope.rstrip('：:')}共 {count} 项任务；"


def unit_indicators(unit: str, lines: Sequence[str]) -> str:
    return f"{unit}参与负责的指标 {len(lines)} 项：\n" + "\n".join(lines)


def held_indicator(
    name: str,
    region: str,
    target: str,
    latest: tuple[str, date] | None = None,
    percent: Decimal | None = None,
) -> str:
    if latest is None:
        return f"· 【{region}】{name}：{target}"
    done = f"，完成目标的 {percent_text(percent)}" if percent is not None else ""
    return f"· 【{region}】{name}：{target}；最新 {latest[0]}（截至 {day(latest[1])}）{done}"


def plan_hint(region: str, plan_title: str, count: int) -> str:
    return f"另：{region}的《{plan_title}》有 {count} 项重点工作，可问“{region[:-1]}方案有哪些任务”。"


def plan_tasks_heading(plan_title: str, count: int, section: str = "") -> str:
    if section:
        return f"《{plan_title}》的“{section}”共 {count} 项："
    return f"《{plan_title}》共 {count} 项任务："


def chinese_ordinal(number: int) -> str:
    """1 → 一, 12 → 十二: how a document numbers its chapters (（三）)."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def due_heading(start: date | None, end: date, count: int, scope: str) -> str:
    span = f"{day(start)} 至 {day(end)} " if start else f"{day(end)} 及以前"
    if not count:
        return f"{scope}{span}没有到期的任务。"
    return f"{scope}{span}到期的任务共 {count} 项："


def done_heading(today: date, count: int, scope: str) -> str:
    if not count:
        return f"截至 {day(today)}，{scope}还没有已完成的任务。"
    return f"截至 {day(today)}，{scope}已完成的任务共 {count} 项："


_LATE_WORDS = {"day": "天", "week": "周", "month": "个月", "year": "年"}


def overdue_heading(
    today: date, count: int, scope: str, late: tuple[int, str] | None = None, *, within: bool = False
) -> str:
    longer = f"{'不超过' if within else '超过'} {late[0]} {_LATE_WORDS[late[1]]}" if late else ""
    if not count:
        return f"截至 {day(today)}，{scope}没有逾期{longer}未完成的任务。"
    return f"截至 {day(today)}，{scope}逾期{longer}未完成的任务共 {count} 项："


def ongoing_heading(count: int, scope: str) -> str:
    return f"{scope}长期推进的任务共 {count} 项：" if count else f"{scope}没有长期推进的任务。"


def featured_heading(count: int, scope: str) -> str:
    return f"{scope}★特色重点任务共 {count} 项：" if count else f"{scope}没有★特色重点任务。"


def scope_of(unit: str | None, plan_title: str | None, featured: bool = False, undone: bool = False) -> str:
    parts = [f"《{plan_title}》" if plan_title else "", unit or ""]
    text = "".join(parts)
    filters = "、".join(f for f, on in (("★特色重点任务中", featured), ("未完成任务中", undone)) if on)
    return (f"{text}：" if text else "") + filters


def indicator_list_heading(
    plan_title: str,
    region: str,
    count: int,
    units: str = "",
    baseline: str | None = None,
    keyword: str | None = None,
) -> str:
    if keyword == "":
        return f"【{region}】《{plan_title}》中问到的指标 {count} 项："
    if keyword is not None:
        return f"【{region}】《{plan_title}》中与“{keyword}”有关的指标 {count} 项："
    if baseline is not None:
        return f"【{region}】《{plan_title}》中基线为 {baseline} 的指标 {count} 项："
    if units:
        return f"【{region}】《{plan_title}》中{units}参与负责的指标 {count} 项："
    return f"【{region}】《{plan_title}》共 {count} 项指标："


def no_baseline_of(value: str) -> str:
    return f"没有基线为 {value} 的指标（基线以方案载明的为准）。"


def no_indicators(units: str) -> str:
    return f"{units}没有参与负责的指标。"


def baseline_short(facts: IndicatorFacts) -> str | None:
    if facts.baseline is None:
        return None
    return f"基线 {facts.baseline}" + (f"（{facts.baseline_year}年）" if facts.baseline_year else "")


def indicator_progress_line(
    index: int,
    name: str,
    target: str,
    latest: tuple[str, date] | None,
    percent: Decimal | None,
    status: str,
    baseline: str | None = None,
) -> str:
    if latest is None:
        started = f"，{baseline}" if baseline else ""
        return f"{index}. {name}：目标 {target}；尚无上报数据{started}｜{status}"
    done = f"，完成目标的 {percent_text(percent)}" if percent is not None else ""
    return f"{index}. {name}：目标 {target}；最新 {latest[0]}（截至 {day(latest[1])}）{done}｜{status}"


def indicator_line(index: int, name: str, target: str) -> str:
    return f"{index}. {name}：{target}"


def no_such_task(number: int, plan_title: str, count: int) -> str:
    return f"《{plan_title}》没有第 {number} 项任务（共 {count} 项）。"


def no_task_match(fragment: str) -> str:
    return f"没有找到与“{abridge_text(fragment, 20)}”相符的任务。" + HELP


@dataclass(frozen=True)
class OverviewFacts:
    title: str
    region: str
    valid_to: date | None
    tasks: int
    featured: int
    ongoing: int
    done: int
    overdue: int
    due_soon: int
    indicators: int
    indicator_status: dict[str, int]
    colours: dict[str, int] | None = None  # open tasks 红 / 黄 / 蓝


COLOUR_COUNTS = {"red": "逾期", "yellow": "滞后", "blue": "5个工作日内到期"}


def plan_overview(facts: OverviewFacts, today: date) -> str:
    lines = [f"【{facts.region}】《{facts.title}》"]
    if facts.valid_to:
        lines.append(f"有效期至 {day(facts.valid_to)}" + ("（已到期）" if facts.valid_to < today else ""))
    lines.append(
        f"任务 {facts.tasks} 项（★{facts.featured}，长期推进 {facts.ongoing}）：已完成 {facts.done}，"
        f"逾期 {facts.overdue}，30 天内到期 {facts.due_soon}"
    )
    if facts.colours is not None:
        marked = " · ".join(f"{COLOUR_MARKS[c]} {COLOUR_COUNTS[c]} {n}" for c, n in facts.colours.items())
        lines.append(f"督办标识：{marked}")
    counts = "，".join(f"{STATUS_MARKS[status]} {n}" for status, n in facts.indicator_status.items() if n)
    lines.append(f"指标 {facts.indicators} 项：{counts}")
    return "\n".join(lines)


def abridge_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- console and command line ----------------------------------------------------------------------------

CONSOLE_WELCOME = "督办机器人（控制台）。直接输入问题，输入“退出”或按 Ctrl-D 结束。\n" + HELP
CONSOLE_PROMPT = "> "
CONSOLE_QUIT_WORDS = ("退出", "再见", "exit", "quit")
CONSOLE_BYE = "再见。"


def outside_window(opens: datetime, waiting: int) -> str:
    """duban run started outside the sending hours: when they open, and what then goes out."""
    when = opens.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    then = (
        f"目前有 {waiting} 条提醒待发送，届时自动发出。"
        if waiting
        else "目前没有待发送的提醒，届时扫描当天到期事项。"
    )
    return f"现在不在提醒发送时段（工作日 9:00–18:00）。下一个发送时段 {when} 开始，{then}"


CONSOLE_CLOSED = "控制台输出已关闭，督办机器人停止；未显示的提醒下次启动时再发。"
RUN_CONSOLE_WELCOME = (
    "督办机器人已启动（控制台；未配置 Telegram 或 Slack）。到期的督办提醒会显示在这里。"
    "直接输入问题，输入“退出”或按 Ctrl-D 结束。\n" + HELP
)
STOPPED = "督办机器人已停止。"
_TRANSPORT_MODES = {
    "polling": "长轮询",
    "webhook": "Webhook",
    "socket": "Socket Mode",
    "http": "HTTP 事件",
}


def transport_started(platform: str, mode: str) -> str:
    name = {"telegram": "Telegram", "slack": "Slack"}.get(platform, platform)
    return f"{name} 已连接（{_TRANSPORT_MODES.get(mode, mode)}）"


def transport_failed(platform: str, detail: str) -> str:
    name = {"telegram": "Telegram", "slack": "Slack"}.get(platform, platform)
    setting = {"telegram": "DUBAN_TELEGRAM_TOKEN、DUBAN_TELEGRAM_BASE_URL", "slack": "DUBAN_SLACK_* 令牌"}
    return f"无法启动 {name}（{detail[:300]}）。请检查 {setting.get(platform, '设置')} 和网络连接。"


def stopping(signal_name: str) -> str:
    return f"收到 {signal_name}，正在停止：完成发送中的消息后退出……"


def bad_jsonl_line(line_number: int, problem: str) -> str:
    return f"标准输入第 {line_number} 行：{problem}"


JSONL_NOT_JSON = "不是有效的 JSON 对象"
JSONL_NO_TEXT = "缺少字符串字段 text"
JSONL_BAD_USER = "字段 user 应为字符串"
JSONL_BAD_TODAY = "字段 today 应为 YYYY-MM-DD 格式的日期"
JSONL_BAD_AT = "字段 at 应为 HH:MM 或 ISO 格式的时间（如 2025-10-09T09:30+08:00）"
JSONL_BAD_MESSAGE_ID = "字段 message_id 应为非空字符串"
BAD_TODAY = "--today 应为 YYYY-MM-DD 格式的日期"


# ---- identities --------------------------------------------------------------------------------------------

LOCAL_ADMIN_NAME = "本机管理员"
ROLE_LABELS_ZH = {"admin": "管理员", "staff": "填报员", "viewer": "查询员", "leader": "分管领导"}
NOT_BOUND = (
    "您还没有绑定所在单位，暂时不能使用督办机器人。请向督办办公室索取邀请码，"
    "然后发送“绑定 邀请码”（Telegram 也可用 /start 邀请码）。"
)
BIND_USAGE = "请发送“绑定 邀请码”，例如：绑定 K7Q2M9XDAB。"
INVITE_PROBLEMS = {
    "unknown": "邀请码无效，请核对后重新发送。",
    "used": "该邀请码已经用过，请向督办办公室索取新的邀请码。",
    "expired": "该邀请码已过期，请向督办办公室索取新的邀请码。",
}


def bound(name: str, unit: str | None, role: str) -> str:
    where = f"{unit}，" if unit else ""
    return f"绑定成功：{name}，{where}{ROLE_LABELS_ZH.get(role, role)}。\n" + HELP


def member_line(platform: str, user_id: str, name: str, unit: str | None, role: str) -> str:
    return f"{platform}:{user_id}  {name}  {unit or '（无单位）'}  {ROLE_LABELS_ZH.get(role, role)}"


def member_added(name: str, unit: str | None, role: str) -> str:
    return f"已添加用户 {name}（{unit or '无单位'}，{ROLE_LABELS_ZH.get(role, role)}）。"


def member_removed(name: str) -> str:
    return f"已移除用户 {name}；其历史上报记录保留。"


def no_member(user: str) -> str:
    return f"没有用户 {user}。可用 duban users list 查看。"


def invite_created(unit: str, role: str, expires: str) -> str:
    return f"邀请码（{unit}，{ROLE_LABELS_ZH.get(role, role)}，一次有效，{expires} 前使用）："


BAD_EXPIRES = "--expires 应为时长，如 7d、12h、30m（天、小时、分钟）"
BAD_ROLE = "--role 应为 admin、staff、viewer 或 leader"
EMPTY_USER_ID = "用户 ID 为空：写名字，或 telegram:123、slack:U123"
EMPTY_USER_NAME = "--name 不能为空"


def bad_setting(name: str, value: str, expected: str) -> str:
    return f"环境变量 {name}={value!r} 无效：应为 {expected}"


def bad_secret_setting(name: str, expected: str) -> str:
    """A secret's value is never repeated back: it would land in logs and terminals."""
    return f"环境变量 {name} 无效：应为 {expected}（出于安全不显示其值）"


def missing_setting(name: str, because: str) -> str:
    return f"缺少环境变量 {name}：{because}"


def env_file_missing(path: str) -> str:
    return f"DUBAN_ENV_FILE 指向的文件不存在：{path}"


def env_file_unreadable(path: str, detail: str) -> str:
    return f"无法读取设置文件 {path}：{detail}"


def env_file_bad_line(path: str, line: int) -> str:
    return f"设置文件 {path} 第 {line} 行格式不对：应为 名称=值（# 开头为注释）"


# ---- Reporting: previews, confirmations, refusals, undo, delays, history ----------------------------------

CONFIRM_LABEL = "确认"
CANCEL_LABEL = "取消"
VIEWER_CANNOT_WRITE = "您的角色是查询员，只能查询，不能报送；如需报送请联系督办办公室调整角色。"


def cannot_write(role: str) -> str:
    """A read-only member's refusal, in their own role's name."""
    if role == "viewer":
        return VIEWER_CANNOT_WRITE
    label = ROLE_LABELS_ZH.get(role, role)
    return f"您的角色是{label}，只能查询和接收督办通知，不能报送；如需报送请联系督办办公室调整角色。"


NOTHING_PENDING = "当前没有待确认的上报。"
NOT_YOUR_PENDING = "这条待确认的上报不是您提交的，无法由您确认或取消。"
CANCELLED = "已取消，未记录任何内容。"
ALREADY_RECORDED = "这条消息已经处理过，未重复记录。"
WHICH_TASK_DONE = "请说明完成的是哪项任务，例如“任务18已完成”或“第十八项办结了”。"
WHICH_TASK = "请说明是哪项任务，例如“任务6进展：已建成先行所18个”。"
WHICH_INDICATOR = "请说明上报的是哪项指标，例如“鼓楼区专利授权量截至9月底3120件”。"
EMPTY_PROGRESS = "请在“进展：”后写明进展内容，例如“任务6进展：已建成先行所18个”。"
NO_DELAY_DATE = "请写明申请延期到哪一天，例如“任务41申请延期到2025年10月底，原因：……”。"
ONLY_ADMIN_DECIDES = "只有管理员可以审批延期申请。"
NOTHING_TO_UNDO = "您在 30 分钟内没有可撤销的上报。超过 30 分钟的上报如需更正，请联系管理员。"
ONLY_OWN_UNDO = "您只能撤销自己 30 分钟内的上报；如需更正其他上报，请联系管理员。"
CONFIRM_HINT = "回复“确认”提交，回复“取消”放弃（{minutes} 分钟内有效）。"
UNDO_HINT = "如有误，30 分钟内发送“撤销”即可撤回。"
UNREADABLE_VALUE = "没有读出上报的数值，请按“指标名称 + 数值 + 单位”发送，例如“有效注册商标38.2万件”。"
NEGATIVE_VALUE = "上报的数值不能为负数，请核对后重新发送。"
UNREADABLE_AS_OF = "没有读懂截至日期，请写成“截至9月底”或“截至2025年9月30日”。"


def expired(preview_title: str, minutes: int) -> str:
    return f"“{preview_title}”的确认已超过 {minutes} 分钟，已失效，未记录。如仍需报送，请重新发送。"


def already_decided(outcome: str) -> str:
    done = {
        "confirmed": "已确认并记录",
        "cancelled": "已取消",
        "superseded": "已被您之后的上报取代",
        "expired": "已过期",
    }
    return f"这条上报{done.get(outcome, '已处理')}，无需再次操作。"


def refuse_task(label: str, assigned: Sequence[str], unit: str | None) -> str:
    return f"{label}的责任单位是{'、'.join(assigned)}，您所在的{unit or '单位'}无权报送。"


def refuse_indicator(region: str, name: str, assigned: Sequence[str], unit: str | None) -> str:
    return f"【{region}】{name}的责任单位是{'、'.join(assigned)}，您所在的{unit or '单位'}无权报送。"


def preview(lines: Sequence[str], minutes: int) -> str:
    return "\n".join(["请确认以下上报：", *lines, CONFIRM_HINT.format(minutes=minutes)])


def task_heading(label: str, content: str) -> str:
    return f"{label}：{abridge_text(content, 60)}"


def completion_line(unit: str | None, done_before: int, total: int) -> str:
    if unit is None:
        return "内容：标记整项任务已完成（管理员）"
    if total <= 1:
        return f"内容：{unit}报告本任务已完成"
    return f"内容：{unit}报告本单位承担部分已完成（完成后为 {done_before + 1}/{total} 单位）"


def already_done(label: str, unit: str | None) -> str:
    return (
        f"{label}已记录为完成，无需重复报送。" if unit is None else f"{unit}已报告完成{label}，无需重复报送。"
    )


def progress_line(detail: str) -> str:
    return f"进展：{detail}"


# ---- 周通报 ----
# The weekly 通报 to a plan's supervising office (issue 17 item 9), the same text on the console.
WEEKLY_LIMIT = 4000  # characters: one chat message (Telegram's limit is 4,096)
REPORT_HELP = "通报：weekly 周通报"
PLANS_HELP = "列出计划及状态；import 导入方案文件；apply 载入核对后的草稿；archive 归档；restore 恢复"
IMPORT_HELP = "从方案文件（.docx/.pdf/.txt）识别任务与指标，生成待核对的草稿（不改数据库）"
APPLY_HELP = "校验并载入核对后的草稿（可重复运行；时限、责任单位的改动记入台账）"


def import_summary(tasks: int, indicators: int, new_units: int, problems: int) -> str:
    return f"识别出 {tasks} 项任务、{indicators} 项指标、{new_units} 个新单位；问题 {problems} 处。"


def import_written(summary: str, path: str, review: Sequence[str]) -> str:
    shown = "\n".join(f"  · {line}" for line in review[:20])
    more = f"\n  …另有 {len(review) - 20} 处，见草稿 review 一节" if len(review) > 20 else ""
    listing = f"\n需核对：\n{shown}{more}" if review else ""
    return f"{summary}\n草稿已写入 {path}{listing}\n核对无误后运行：duban plans apply {path}"


def import_preview(title: str, summary: str, review: Sequence[str], dropped: Sequence[str] = ()) -> str:
    shown = [f"  · {line}" for line in review[:8]]
    more = [f"  …另有 {len(review) - 8} 处，见草稿文件"] if len(review) > 8 else []
    check = ["需核对：", *shown, *more] if review else []
    gone = [dropped_from_revision(dropped)] if dropped else []
    return "\n".join(["请确认导入以下方案：", f"《{title}》", summary, *gone, *check, IMPORT_CONFIRM_HINT])


def dropped_from_revision(items: Sequence[str]) -> str:
    shown = "、".join(items[:10]) + (f" 等 {len(items)} 项" if len(items) > 10 else "")
    return f"修订稿不再包含：{shown}。确认后这些任务停止督办，原有报送记录保留。"


IMPORT_CONFIRM_HINT = "回复“确认”载入（新单位一并建立），回复“取消”放弃（30 分钟内有效）。"
ONLY_ADMIN_IMPORTS = "只有督办管理员可以导入方案。"
IMPORT_TOO_LARGE = "方案文件超过 20 MB，未读取。请发送 .docx 原文或精简后的文件。"
IMPORT_NEEDS_UPLOAD = "请把方案文件（.docx、有文字层的 .pdf 或 .txt）作为文件发送，并注明“导入”。"
IMPORTS_NOT_ACCEPTED = "本机器人未设置方案导入的存放位置，请在服务器上使用 duban plans import。"


def import_invalid(detail: str) -> str:
    return f"草稿未通过校验，未载入：{detail}"


def import_needs_owner(path: str) -> str:
    return (
        "已确认，但机器人的数据库账号无权修改方案目录（按安全设置）。"
        f"请由数据库管理员在服务器上运行：duban plans apply {path}"
    )


def import_applied(title: str, created: int, updated: int, changes: Sequence[str]) -> str:
    lines = [f"已载入《{title}》：新增 {created} 条，更新 {updated} 条。"]
    if changes:
        lines.append("以下改动已记入台账：")
        lines.extend(f"  · {line}" for line in changes)
    return "\n".join(lines)


def catalog_change(item: str, field: str, old: str | None, new: str | None) -> str:
    if field == "withdrawn":
        return f"{item}：{new}，停止督办（记录保留）" if new else f"{item}：修订稿恢复此项，重新督办"
    label = CATALOG_FIELDS.get(field, field)
    return f"{item} {label}：{old or '（无）'} → {new or '（无）'}"


CATALOG_FIELDS = {
    "deadline": "时限", "deadline_text": "时限原文", "deadline_rule": "周期", "ongoing": "长期推进",
    "leader": "责任领导", "lead_units": "牵头单位数", "units": "责任单位", "content": "内容", "featured": "★",
    "section": "所属部分", "name": "名称", "target": "目标值", "comparator": "比较方式",
    "unit_of_measure": "计量单位", "baseline": "基期值", "baseline_year": "基期年份", "due": "期限",
    "period_kind": "统计口径", "report_rule": "报送周期",
}  # fmt: skip
ARCHIVE_HELP = "归档计划：不再催办，督办单位收到一次报送总结报告的通知"
RESTORE_HELP = "恢复已归档的计划，重新按时限催办"
PLAN_STANDINGS = {"draft": "未生效", "in_force": "执行中", "expired": "已到期", "archived": "已归档"}
BAD_STATUS_DAY = "日期格式应为 YYYY-MM-DD，例如 2025-08-10。"


def plan_line(code: str, title: str, region: str, standing: str, valid_to: date | None) -> str:
    until = f"，有效期至 {day(valid_to)}" if valid_to else ""
    return f"{code}  {title}（{region}，{PLAN_STANDINGS.get(standing, standing)}{until}）"


def plan_archived(title: str, effective_on: date) -> str:
    return (
        f"已归档《{title}》，自 {day(effective_on)} 起不再发送催办提醒；"
        "督办单位将收到一次报送总结报告的通知。记录已写入台账。"
    )


def plan_restored(title: str, effective_on: date) -> str:
    return f"已恢复《{title}》，自 {day(effective_on)} 起按时限继续催办。记录已写入台账。"


WEEKLY_HELP = "各计划的周通报（与每周第一个工作日发给督办单位的相同）"
WEEKLY_PLAN_HELP = "计划代码或名称（如 fuzhou-protection、鼓楼）；默认全部计划"
WEEKLY_TODAY_HELP = "按该日期（YYYY-MM-DD，视为当天 09:00 的台账）生成；默认现在"
WEEKLY_BAD_DAY = "--today 应为 YYYY-MM-DD 格式的日期，如 2025-09-22"
WEEKLY_NO_TASKS = "该计划没有任务，没有周通报。"


def weekly_report(report: WeeklyReport) -> str:
    """The 通报: totals, on-time rate, the most overdue units, the week's changes, then every unit as far as
    one message holds (the rest counted in one line)."""
    year, week, _ = report.day.isocalendar()
    plan, changes = report.plan, report.changes
    ongoing = f"，其中长期推进 {report.ongoing} 项不设时限、不计逾期" if report.ongoing else ""
    lines = [
        f"【督办周通报】{plan.short_name} {year}年第{week}周（{day(report.day)}）",
        f"方案：{plan.title}",
        f"致：{plan.supervising_unit}（督办单位）",
        f"口径：截至 {day(report.day)}；每项任务按责任单位分别计 1 项（集合单位按成员单位分别计），"
        f"共 {report.parts} 项{ongoing}。办结 = 审核通过（或整项任务经管理员标记完成）；"
        "逾期 = 时限已过仍未办结（含待审核、已退回）。",
        f"一、总体：已办结 {report.done} 项，待审核 {report.pending} 项，已退回 {report.returned} 项，"
        f"尚未上报 {report.unreported} 项；逾期 {report.overdue} 项。",
        _weekly_on_time(report),
        "三、逾期最多的单位："
        + ("、".join(f"{u.unit} {u.overdue} 项" for u in report.top_overdue) or "无逾期事项。"),
        f"四、自上次通报（{day(report.since)}）以来：新上报办结 {changes.reported} 项，"
        f"新办结 {changes.done} 项，新退回 {changes.returned} 项，新逾期 {changes.overdue} 项；"
        f"逾期 {changes.overdue_before} → {report.overdue} 项，"
        f"待审核 {changes.pending_before} → {report.pending} 项。",
        "五、各单位情况（逾期多的在前）：",
    ]
    return "\n".join(lines + _weekly_units(report.units, WEEKLY_LIMIT - len("\n".join(lines))))


def _weekly_on_time(report: WeeklyReport) -> str:
    if report.due == 0:
        return "二、按期完成率：暂无已到时限的事项。"
    rate = percent_text(Decimal(report.on_time) * 100 / Decimal(report.due))
    late = report.due - report.on_time - report.done_late
    return (
        f"二、按期完成率 {rate}（{report.on_time}/{report.due}）：已到时限的 {report.due} 项中，"
        f"按期办结 {report.on_time} 项，逾期后办结 {report.done_late} 项，逾期未办结 {late} 项。"
        "按期完成率 = 按期办结项数 ÷ 已到时限项数（按期：时限当日或之前审核通过）。"
    )


def _weekly_units(units: Sequence[UnitFigures], room: int) -> list[str]:
    """As many unit lines as fit in room characters, keeping room for the line that counts the rest."""
    shown: list[str] = []
    room -= 120  # the rest's line: 另有 N 个单位未列出（…）
    for number, unit in enumerate(units, 1):
        line = (
            f"{number}. {unit.unit}：共 {unit.parts} 项，已办结 {unit.done}，待审核 {unit.pending}，"
            f"已退回 {unit.returned}，逾期 {unit.overdue}"
        )
        if len(line) + 1 > room:
            break
        shown.append(line)
        room -= len(line) + 1
    rest = units[len(shown) :]
    if rest:
        shown.append(
            f"……另有 {len(rest)} 个单位未列出（共 {sum(u.parts for u in rest)} 项，"
            f"已办结 {sum(u.done for u in rest)}，待审核 {sum(u.pending for u in rest)}，"
            f"已退回 {sum(u.returned for u in rest)}，逾期 {sum(u.overdue for u in rest)}）"
        )
    return shown


# ---- 方案到期 ----------------------------------------------------------------------------------------


def leader_of_item(leader: str) -> str:
    return f"〔责任领导：{leader}〕"


def leader_escalation(task: str) -> str:
    """The once-only step up to the office's leaders when a task is a month late."""
    return (
        f"【请领导督办】{task}已逾期满一个月仍未办结。此后每周催办责任单位一次，"
        "请分管领导督促；逾期满三个月后改为每月催办。"
    )


def closing_request(region: str, title: str, valid_to: date, open_tasks: int, archived: bool = False) -> str:
    """The one message an expired or archived plan sends: no more chasers; the office collects the closing
    report."""
    still = f"尚有 {open_tasks} 项任务未办结，" if open_tasks else "各项任务均已办结，"
    if archived:
        return (
            f"【方案归档】【{region}】《{title}》已归档，{day(valid_to)} 后督办提醒已停止发送。"
            f"{still}请组织各责任单位报送总结（办结）报告。"
        )
    return (
        f"【方案到期】【{region}】《{title}》已于 {day(valid_to)} 到期，督办提醒已停止发送。"
        f"{still}请组织各责任单位报送总结（办结）报告。"
    )


# ---- 办结审核 ------------------------------------------------------------------------------------------

REVIEW_APPROVE_LABEL, REVIEW_RETURN_LABEL = "通过", "退回"
ONLY_ADMIN_REVIEWS = "只有督办管理员可以审核完成报告。"
NO_REVIEWS_WAITING = "目前没有待审核的完成报告。"


def in_review_already(label: str, unit: str) -> str:
    return f"{unit}已报告{label}完成，正在等待督办办公室审核，无需重复报送。"


def reviewed_cannot_undo(summary: str, approved: bool) -> str:
    verdict = "审核通过" if approved else "退回"
    return f"{summary}已由督办办公室{verdict}，不能再撤销；如确有错误，请联系督办办公室处理。"


def returned_before(reason: str | None) -> str:
    return f"（上次报告被退回，原因：{reason}）" if reason else "（上次报告被退回）"


def completion_submitted(summary: str, review_id: int) -> str:
    return (
        f"已提交：{summary}。\n状态：待审核（审核号 {review_id}）。督办办公室审核通过后办结，"
        "在此之前到期提醒照常发送。"
    )


def review_request(
    label: str, words: str, unit: str, reporter: str | None, at: datetime, review_id: int
) -> str:
    who = f"{unit}（{reporter}，{moment(at)}）" if reporter else f"{unit}（{moment(at)}）"
    return (
        f"【待审核】{who}报告 {label}「{words}」已完成。\n"
        f"审核号 {review_id}：请点“通过”或“退回”，也可回复“通过 {review_id}”或“退回 {review_id} 原因……”。"
    )


def review_need_reason(review_id: int) -> str:
    return f"退回需要写明原因，原因会发给报告单位。请回复：退回 {review_id} 原因……"


def no_such_review(review_id: int) -> str:
    return f"没有审核号为 {review_id} 的完成报告。发“待审核”可查看等待审核的报告。"


def review_withdrawn(review_id: int) -> str:
    return f"审核号 {review_id} 的完成报告已被撤销，无需审核。"


def review_decided_before(review_id: int, approved: bool, by: str | None, at: datetime | None) -> str:
    verdict = "通过" if approved else "退回"
    when = f"于 {moment(at)} " if at else ""
    return f"审核号 {review_id} 已{when}由{by or '管理员'}{verdict}，不再重复审核。"


def review_part_done_already(review_id: int, unit: str, label: str) -> str:
    return f"{unit}承担的{label}已经办结（另一份报告已审核通过），审核号 {review_id} 无需再审。"


def review_recorded(label: str, unit: str, approved: bool, reason: str | None, notified: bool) -> str:
    told = "已通知该单位。" if notified else "该单位尚未绑定接收提醒的聊天，也无法联系报告人，请另行告知。"
    if approved:
        return f"已审核通过：{unit}承担的{label}已办结。{told}"
    return f"已退回：{unit}报告的{label}，原因：{reason}。{told}提醒照常发送，直至重新报告并审核通过。"


def returned_notice(label: str, words: str, reason: str, by: str | None, at: datetime) -> str:
    return (
        f"【退回】您单位报告完成的 {label}「{words}」被督办办公室退回（{by or '管理员'}，{moment(at)}）。\n"
        f"原因：{reason}\n请按要求办理后重新报告，例如：{label}已完成。"
    )


def approved_notice(label: str, words: str, by: str | None, at: datetime) -> str:
    return f"【已办结】您单位报告完成的 {label}「{words}」已审核通过（{by or '管理员'}，{moment(at)}）。"


def waiting_reviews(total: int, lines: Sequence[str]) -> str:
    if not total:
        return NO_REVIEWS_WAITING
    more = f"\n（另有 {total - len(lines)} 条未列出，请先审核以上各条）" if total > len(lines) else ""
    return (
        f"待审核的完成报告共 {total} 条（回复“通过 审核号”或“退回 审核号 原因”）：\n"
        + "\n".join(lines)
        + more
    )


def own_waiting_reviews(unit: str, total: int, lines: Sequence[str]) -> str:
    """What a unit's member sees: its own reports waiting for the office (it decides nothing)."""
    if not total:
        return f"{unit}目前没有等待审核的完成报告。"
    more = f"\n（另有 {total - len(lines)} 条未列出）" if total > len(lines) else ""
    return (
        f"{unit}报告完成、等待督办办公室审核的共 {total} 条（审核通过后办结，在此之前到期提醒照常发送）：\n"
        + "\n".join(lines)
        + more
    )


def waiting_review_line(review_id: int, label: str, words: str, unit: str | None, reporter: str | None,
                        at: datetime) -> str:  # fmt: skip
    who = "，".join(p for p in (unit, reporter, moment(at)) if p)
    return f"审核号 {review_id}：{label}「{words}」— {who}"


def review_states(pending: Sequence[str], returned: Sequence[tuple[str, str | None]]) -> str:
    """待审核 / 已退回 parts of a task, for its status line:
    待审核（市中级人民法院）；已退回（仓山区人民政府：佐证不全）."""
    parts = []
    if pending:
        parts.append(f"待审核（{'、'.join(pending)}）")
    for unit, reason in returned:
        parts.append(f"已退回（{unit}：{reason}）" if reason else f"已退回（{unit}）")
    return "；".join(parts)


def delay_lines(current: date | None, new: date, reason: str | None) -> list[str]:
    return [
        f"申请延期：{day(current) if current else '无'} → {day(new)}",
        f"原因：{reason or '（未说明）'}",
        "提交后由管理员审批，审批前仍按原时限督办。",
    ]


def delay_not_later(label: str, current: date, new: date) -> str:
    return f"{label}现时限为 {day(current)}，申请的 {day(new)} 并不更晚，无需延期。"


def delay_no_deadline(label: str) -> str:
    return f"{label}是长期推进任务，没有时限，无需申请延期。"


def delay_in_past(new: date) -> str:
    return f"申请延期到的 {day(new)} 已经过去，请写一个今天以后的日期。"


def no_delay_request(label: str) -> str:
    return f"{label}没有待审批的延期申请。"


def delay_decided(label: str, approve: bool, new: date, planned: date | None) -> str:
    if not approve:
        return f"已驳回{label}延期至 {day(new)} 的申请，仍按原时限督办。"
    was = f"（原定 {day(planned)}）" if planned else ""
    return f"已批准{label}延期至 {day(new)}{was}，此后提醒按新时限进行。"


def value_lines(
    region: str, name: str, shown: str, as_of: date, unit: str | None, assumed: str | None
) -> list[str]:
    lines = [f"【{region}】{name}：{shown}（截至 {day(as_of)}）"]
    if assumed:
        lines.append(f"　数值未写单位，按指标单位“{assumed}”计")
    lines.append(f"报送单位：{unit or LOCAL_ADMIN_NAME}")
    return lines


def unit_mismatch(expected: str, typed: str) -> str:
    return f"单位不符：该指标以“{expected}”计，收到的是“{typed}”，请核对后重新发送。"


def as_of_in_future(as_of: date) -> str:
    return f"截至日期 {day(as_of)} 晚于今天，请核对。"


def below_baseline(baseline: str, year: int | None) -> str:
    return f"⚠ 请核对：低于{year or ''}基线 {baseline}"


def big_change(ratio: Decimal, previous: str, as_of: date) -> str:
    sign = "+" if ratio > 0 else ""
    percent = (ratio * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"⚠ 请核对：较上次上报 {previous}（截至 {day(as_of)}）变化 {sign}{percent}%"


def recorded(summary: str) -> str:
    return f"已记录：{summary}。{UNDO_HINT}"


def retraction_recorded(summary: str) -> str:
    """A retraction is not undone by 撤销 (that would withdraw another report): report again instead."""
    return f"已记录：{summary}。如撤错了，请重新上报原数据。"


LAST_WAS_RETRACTION = "您最近一次操作是撤销，撤销不能再撤销；如撤错了，请重新上报原数据。"
NOT_YOUR_UNITS_ANY_MORE = "这条上报是您在原单位时报送的，您现在的单位不能撤回它；请联系督办办公室处理。"


def territory_refused(named: str, own: str | None) -> str:
    """仓山 staff reporting 鼓楼区先行所: each territory reports its own part."""
    return f"{named}的数据请由{named}报送；您所在的{own or '单位'}只能报送本单位的数据。"


def on_behalf(unit: str) -> str:
    return f"代{unit}报送（计为{unit}的数据）"


def reported_by(who: str, at: datetime) -> str:
    return f"（{who} {moment(at)} 上报）"


INCOMPLETE_SUM = "⚪ 尚有单位未上报，合计不完整，暂不评价"


def partial_sum(reported: int, missing: int) -> str:
    return f"（{reported} 个单位上报，{missing} 个未报，合计不完整）"


def delay_submitted(label: str) -> str:
    return f"已提交{label}的延期申请，待管理员审批。"


def undone(summary: str) -> str:
    return f"已撤销：{summary}。原记录保留在办理记录中，标注为已撤销。"


def already_undone(summary: str) -> str:
    return f"{summary}已经撤销过了。"


def nothing_to_retract(label: str) -> str:
    return f"{label}没有可撤销的完成报告或上报。"


HISTORY_KIND = {
    "completed": "报告完成",
    "completed_all": "标记整项完成",
    "progress": "报告进展",
    "delay_requested": "申请延期",
    "delay_approved": "批准延期",
    "delay_rejected": "驳回延期",
    "retraction": "撤销",
    "report": "上报",
    "completion_approved": "审核通过",
    "completion_returned": "审核退回",
}


def history_heading(subject: str, count: int) -> str:
    return f"{subject}的办理记录（共 {count} 条）：" if count else f"{subject}还没有办理记录。"


def history_line(when: datetime, who: str, kind: str, what: str, retracted: bool) -> str:
    mark = "〔已撤销〕" if retracted else ""
    return f"{moment(when)} {who} {HISTORY_KIND.get(kind, kind)}{('：' + what) if what else ''}{mark}"


# ---- Reminders ------------------------------------------------------------------------------------------

REMINDER_WORDS = (
    18  # of a task's title or wording in a reminder line: enough to know it without looking it up
)
REMINDER_LINES = {
    "escalation": "{label}（{about}）已逾期 {workdays} 个工作日，时限 {deadline}，请督促",
    "overdue": "{label}已逾期 {workdays} 个工作日（时限 {deadline}），请尽快办结并报送",
    "due_today": "{label}今天到期（时限 {deadline}）",
    "before_deadline": "{label}还有 {workdays} 个工作日到期（时限 {deadline}）",
    "data_request": "请报送{label}{period}数据",
    "check_in": "{label}（长期推进）请报送本月进展",
}


def reported_period(rule: str | None, month: int) -> str:
    """The period a data request asks the figure of, by the indicator's reporting rule and the month it is
    asked in (January: the year just ended for a half-yearly or yearly one)."""
    if rule == "monthly":
        return "上月末"
    if rule == "half-yearly":
        return "上半年末" if month >= 7 else "上年末"
    if rule == "yearly":
        return "上年末"
    return "上季度末"


def due_again(label: str, deadline: date, today: date) -> str:
    """A due-soon reminder sent again on a later day, as of that day."""
    return f"{label}时限 {day(deadline)}（{days_left(deadline, today, done=False)}）"


ACK_BUTTON = "收到"


def console_reminder(recipient: str, text: str) -> str:
    return f"──── 发给 {recipient} ────\n{text}"


RESENT_MARK = "〔前一工作日提醒未确认，再次发送〕"
CARRIED_MARK = "〔此前因平台故障未能送达，顺延发送〕"


DIGEST_GROUP_ABOVE = 8  # a digest of more items groups them by plan, each plan with its count


def digest(
    unit: str, day_: date, lines: Sequence[str], *, catch_up_since: date | None = None,
    plans: Sequence[str] = (),
) -> str:  # fmt: skip
    numbered = (
        _grouped_by_plan(lines, plans)
        if len(lines) > DIGEST_GROUP_ABOVE and len(plans) == len(lines) and all(plans)
        else [f"{n}. {line}" for n, line in enumerate(lines, 1)]
    )
    if catch_up_since is None:
        head = [f"【督办提醒】{unit}（{day(day_)}）"]
    else:
        head = [
            f"【督办提醒·补发】{unit}（{day(day_)}）",
            f"系统自 {day(catch_up_since)} 起未能按时发送提醒，以下为目前仍需办理的事项：",
        ]
    return "\n".join([*head, *numbered, "回复“收到”确认已阅。"])


def _grouped_by_plan(lines: Sequence[str], plans: Sequence[str]) -> list[str]:
    """【示范区】3 项 then its lines (most urgent first, as given), plan by plan in order of first mention;
    the lines no longer repeat the plan's name. Numbering runs on across plans."""
    order = list(dict.fromkeys(plans))
    found: list[str] = []
    number = 0
    for plan in order:
        mine = [line for line, of in zip(lines, plans, strict=True) if of == plan]
        found.append(f"【{plan}】{len(mine)} 项：")
        for line in mine:
            number += 1
            found.append(f"{number}. {line.replace(f'【{plan}】', '', 1)}")
    return found


def unreachable_notice(units: Sequence[str], chat: str, detail: str) -> str:
    who = "、".join(units) if units else "一位成员"
    return (
        f"【聊天不可达】{chat} 拒绝了机器人的消息（{detail[:120]}，如已屏蔽机器人或机器人被移出群）。"
        f"{who}的督办提醒已停止发往该聊天；请在可用的聊天中发送“接收提醒”重新绑定。"
    )


def unbound_notice(digests: Sequence[tuple[str, date, int]]) -> str:
    """One notice for every digest of a run that had no chat: (unit, day, reminders)."""
    if len(digests) == 1:
        [(unit, day_, items)] = digests
        return (
            f"【未绑定，无法送达】{unit}尚未绑定接收提醒的聊天，"
            f"{day(day_)} 的督办提醒（{items} 项）无法送达。"
            "请该单位人员在工作群或私聊中发送“接收提醒”，或由管理员运行 duban chats bind。"
        )
    units = sorted({unit for unit, _, _ in digests})
    lines = [f"· {unit}（{day(day_)}，{items} 项）" for unit, day_, items in digests[:PAGE_SIZE]]
    more = [f"……另有 {len(digests) - PAGE_SIZE} 份"] if len(digests) > PAGE_SIZE else []
    head = (
        f"【未绑定，无法送达】{len(units)} 个单位尚未绑定接收提醒的聊天，{len(digests)} 份督办提醒无法送达："
    )
    tail = "请这些单位的人员在工作群或私聊中发送“接收提醒”，或由管理员运行 duban chats bind。"
    return "\n".join([head, *lines, *more, tail])


def overdue_summary(day_: date, total: int, by_unit: Sequence[tuple[str, int]], oldest: Sequence[str]) -> str:
    if total == 0:
        return f"【逾期周报】截至 {day(day_)}，没有逾期未完成的任务。"
    lines = [f"【逾期周报】截至 {day(day_)}，共 {total} 项任务逾期未完成。"]
    lines.append("逾期任务最多的单位：" + "、".join(f"{unit} {count} 项" for unit, count in by_unit))
    lines.append("逾期最久的任务：")
    lines.extend(f"{n}. {line}" for n, line in enumerate(oldest, 1))
    return "\n".join(lines)


def long_overdue_summary(
    day_: date, total: int, by_unit: Sequence[tuple[str, int]], oldest: Sequence[str]
) -> str:
    """The monthly summary of the cadence's last step: tasks more than three months late."""
    lines = [
        f"【长期逾期月报】截至 {day(day_)}，共 {total} 项任务逾期超过三个月仍未办结，"
        "已改为每月催办责任单位一次，请督办办公室研究处理（约谈、通报或调整时限）。",
        "涉及任务最多的单位：" + "、".join(f"{unit} {count} 项" for unit, count in by_unit),
        "逾期最久的任务：",
    ]
    lines.extend(f"{n}. {line}" for n, line in enumerate(oldest, 1))
    return "\n".join(lines)


def some_units(units: Sequence[str]) -> str:
    """At most three names, then how many in all (…、…、…等 14 个单位)."""
    return "、".join(units[:3]) + (f"等 {len(units)} 个单位" if len(units) > 3 else "")


def late_task(label: str, deadline: date, units: Sequence[str]) -> str:
    """One late task in a notice: named as digests name it, its deadline and the units still open."""
    return f"{label}（时限 {day(deadline)}，{some_units(units)}）"


ACKED = "已确认收到，谢谢。"
ACK_PROBLEMS = {
    "already": "这条提醒已经确认过了。",
    "unknown": "找不到这条提醒，可能已过期。",
    "not_yours": "这条提醒是发给其他单位的，您无需确认。",
    "not_sent": "这条提醒还没有发出，无需确认。",
}
NOTHING_TO_ACK = "目前没有需要确认的督办提醒。"
ACK_NEEDS_UNIT = "只有已绑定单位的人员可以确认督办提醒。"


def chat_bound(unit: str) -> str:
    return f"已将本聊天设为{unit}接收督办提醒的聊天；此后该单位的提醒每天最多一条，发到这里。"


CHAT_BIND_NEEDS_UNIT = (
    "只有已绑定单位的工作人员可以设置接收提醒的聊天；管理员请用 duban chats bind --unit 单位 指定。"
)


def sweep_summary(day_: date, digests: int, created: int, missed: Sequence[date], resent: int) -> str:
    parts = [f"{day(day_)} 提醒已排入发送队列：{digests} 个单位有待办提醒，新增 {created} 条消息"]
    if missed:
        parts.append(f"补发 {day(missed[0])} 至 {day(missed[-1])} 共 {len(missed)} 个工作日的遗漏提醒")
    if resent:
        parts.append(f"{resent} 项前一工作日未确认的提醒再次发送")
    return "；".join(parts) + "。"


def sweep_skipped(day_: date) -> str:
    return f"{day(day_)} 不是工作日，不发送提醒。"


def delivery_summary(sent: int, throttled: int, retried: int, failed: int, unbound: int) -> str:
    return (
        f"发送结果：已发送 {sent}，限流待重试 {throttled}，出错待重试 {retried}，"
        f"失败 {failed}，未绑定 {unbound}。"
    )


OUTSIDE_WINDOW = "当前不在发送时段（工作日 09:00–18:00），消息已入队，将在发送时段内发出。"
LOG_STATUS = {
    "pending": "待发送",
    "claimed": "发送中",
    "sent": "已发送",
    "throttled": "限流待重试",
    "retry": "出错待重试",
    "failed": "发送失败",
    "unbound": "未绑定，无法送达",
    "acked": "已确认",
}


BAD_CALENDAR_DAY = "日期应为 YYYY-MM-DD 格式，如 2027-02-06"
BAD_CHAT_ID = "--chat 不能为空"


def calendar_set(day_: date, workday: bool) -> str:
    return f"已将 {day(day_)} 设为{'工作日' if workday else '休息日'}，下一次扫描起生效。"


def chat_bound_cli(unit: str, target: str) -> str:
    return f"已将 {target} 设为{unit}接收督办提醒的聊天。"


def chat_unbound(unit: str) -> str:
    return f"已取消{unit}的提醒聊天；此后该单位的提醒将报告管理员“未绑定，无法送达”。"


def no_reminder_chat(unit: str) -> str:
    return f"{unit}没有绑定接收提醒的聊天。"


BAD_SWEEP_DAY = "--today 应为 YYYY-MM-DD 格式的日期"
BAD_REMINDER_RANGE = "--from 和 --to 应为 YYYY-MM-DD 格式的日期，且 --from 不晚于 --to、跨度不超过 400 天"


# ---- Chat transports (Telegram, Slack) ----

BUTTON_EXPIRED = "此按钮已失效，请重新发送您的问题或报送内容。"  # Telegram and Slack alike


TELEGRAM_COMMANDS = (  # the menu Telegram shows for "/" (setMyCommands)
    ("start", "开始使用 / 绑定邀请码"),
    ("help", "可以问些什么"),
    ("bind", "用邀请码绑定单位，如 /bind K7Q2M9XDAB"),
    ("tasks", "单位的任务，如 /tasks 市检察院"),
    ("progress", "指标进度，如 /progress 鼓楼专利授权量"),
)
TELEGRAM_FAILED = "抱歉，处理这条消息时出错了，请稍后再试。"


# ---- issue 15: delivery that loses nothing, ledgers nobody can rewrite -------------------------------------


def bot_role_granted(role: str) -> str:
    return (
        f"已为角色 {role} 授权：可读取全部表、向台账追加记录、更新用户与邀请码；"
        f"不能删除、清空台账或停用其触发器。请以 {role} 连接运行 duban run。"
    )


PLATFORM_NAMES = {"telegram": "Telegram", "slack": "Slack", "console": "控制台", "local": "本机"}


def platform_down_notice(platform: str, since: datetime, detail: str) -> str:
    name = PLATFORM_NAMES.get(platform, platform)
    return (
        f"【发送故障】自 {moment(since)} 起，经 {name} 发送的督办提醒连续失败（{detail[:120]}）。"
        f"提醒不会丢失：机器人会持续重试，恢复后自动补发，当天未能送达的并入下一工作日的提醒。"
    )


def platform_up_notice(platform: str, since: datetime) -> str:
    name = PLATFORM_NAMES.get(platform, platform)
    return f"【发送恢复】{name} 自 {moment(since)} 起的发送故障已恢复，积压的督办提醒正在补发。"


def sweep_planned_only(platforms: Sequence[str]) -> str:
    names = "、".join(PLATFORM_NAMES.get(p, p) for p in platforms)
    return (
        f"已配置 {names}：本命令只把提醒写入发件箱，不发送。发送由配置了 {names} 的 duban run 进行"
        "（运行中的 duban run 会在下一次扫描时发出）。"
    )


def waiting_for_platforms(waiting: Mapping[str, Sequence[str]]) -> str:
    parts = [
        f"{len(units)} 个单位绑定在 {PLATFORM_NAMES.get(p, p)}（{some_units(units)}）"
        for p, units in sorted(waiting.items())
    ]
    return (
        "【等待发送】" + "；".join(parts) + "：本进程没有这些平台，它们的提醒留在发件箱，"
        "由配置了相应平台的 duban run 发送。"
    )


# ---- Issue 15 (no one let in): invite-code guessing, message keys, permissions checked again ----


def bind_locked(minutes: int) -> str:
    """Too many wrong invite codes from this sender: binding is refused, even with the right code."""
    return f"邀请码错误次数过多，绑定已暂停，请 {minutes} 分钟后再试。如确认邀请码无误，请联系督办办公室。"


def bind_paused(minutes: int) -> str:
    """Too many wrong invite codes from everyone at once (a scripted attack): binding pauses for all."""
    return f"近期收到大量错误的邀请码，绑定暂时关闭，请 {minutes} 分钟后再试。"


ACK_ADMINS_ONLY = "这条通知是发给管理员的，只有管理员可以确认。"
ACK_VIEWER = "查询员只能查询，不能确认督办提醒；请由本单位填报员确认。"


def preview_void(unit: str | None, role: str) -> str:
    """确认 of a preview made before the sender's unit or role changed: it no longer speaks for them."""
    now = f"{unit}，{ROLE_LABELS_ZH.get(role, role)}" if unit else ROLE_LABELS_ZH.get(role, role)
    return f"您的单位或角色已变更（现为{now}），这条上报预览已失效，未记录。如需报送，请重新发送。"


# ---- Issue 15, webhooks: the apology when the core fails, on Slack as on Telegram ----

SLACK_FAILED = TELEGRAM_FAILED  # the same words on both platforms
WEBHOOK_BODY_EXPECTED = "字节数，如 1048576、512KiB 或 1MiB（不超过 1GiB）"
WEBHOOK_CONNECTIONS_EXPECTED = "1–10000 的整数"
WEBHOOK_TIMEOUT_EXPECTED = "大于 0、不超过 600 的秒数，如 10 或 2.5"


# --- the plan document itself, and quotations from its text -------------------------------------------------

PLAN_FACT_ORDER = (
    "doc_number", "issuer", "issued", "validity", "schedule", "draft", "recipients", "attachments",
)  # fmt: skip
# Words to look for in a plan's text when a fact is not among its data (自印发之日起施行).
PLAN_FACT_WORDS = {"doc_number": "文号", "issuer": "印发", "issued": "自印发之日起施行"}
ASPECT_WORDS = {
    "when": "具体时间",
    "person": "具体人员",
    "leader": "该项任务的责任领导",
    "roster": "具体名单",
    "count": "具体数量",
    "amount": "具体金额",
    "where": "具体地点",
    "particulars": "地址、面积等具体信息",
    "breakdown": "各县（市）区的分解数",
    "frequency": "具体频次",
    "criteria": "具体的验收或考核标准",
    "consequence": "未完成或不合格时如何处理",
    "duration": "办理或处置的时限",
    "schedule_who": "由哪个单位负责验收或评审",
    "partner": "合作单位",
    "named_body": "具体是哪些企业或机构",
}
NEAREST_TEXT = "方案中最接近的表述如下："
TASK_WITHDRAWN = "已撤销（修订后的方案不再包含此项，不再督办；此前的报送记录保留）"
NO_PERSONS = "方案只写到责任单位和职务，未载明具体人员姓名、人数或联系方式。"
OWN_UNIT_UNKNOWN = "您的账号没有绑定单位，无法查询“我单位”的内容。请说明单位名称，例如“市检察院有哪些任务”。"


def plan_heading(region: str, title: str, status: str) -> str:
    return f"【{region}】《{title}》（{status}）"


def plan_fact_line(label: str, value: str | None) -> str:
    return f"{label}：{value}" if value else f"{label}：方案未载明"


def validity_line(
    valid_from: date | None, valid_to: date | None, today: date, note: str | None = None
) -> str:
    if valid_to is None:
        return "有效期：方案未载明"
    start = f"{day(valid_from)} 至 " if valid_from else "至 "
    line = f"有效期：{start}{day(valid_to)}" + ("（已到期）" if valid_to < today else "")
    return f"{line}（{note}）" if note else line


def recipients_line(line: str | None) -> str:
    return f"主送：{line.rstrip('：:')}" if line else "主送：方案未载明"


def attachments_line(titles: Sequence[str]) -> str:
    if not titles:
        return "附件：方案没有附件"
    return f"附件 {len(titles)} 个：" + "；".join(f"附件{n} {t}" for n, t in enumerate(titles, 1))


def draft_line(status: str) -> str:
    if "征求意见" in status:
        return f"文本状态：{status}，不是正式印发稿（文中未载明文号和印发日期）。"
    return f"文本状态：{status}"


def no_such_stage(stage: int, count: int) -> str:
    return f"进度安排只有 {count} 个阶段，没有第 {stage} 阶段。"


def milestone_line(period: str, work: str) -> str:
    return f"· {period}：{work}"


def only_period(period: str) -> str:
    return f"方案只安排在{period}，未载明具体日期。"


def not_stated(what: str) -> str:
    return f"方案未载明{what}。"


def not_in_any_plan(about: str) -> str:
    """福州常住人口有多少: a question about a place the plans name, on something none of their text says."""
    subject = f"“{about}”" if about else "这一信息"
    return f"已收录的方案中均未载明{subject}，原文也没有相关表述。" + HELP


APPROVAL = "批复文件的文号和日期"


def note_line(note: str) -> str:
    return f"指标说明：{note}"


def note_excerpt(sentence: str) -> str:
    return f"指标说明（摘）：{sentence}"


SECTION_CHARS = 400  # of a section quoted whole (四（一）): enough to recognise it, not the whole document


def no_such_section(outline: str, titles: Sequence[str]) -> str:
    where = "、".join(f"《{t}》" for t in titles[:3])
    return f"{where}中没有“{outline}”这一部分。可以说“方案名 + 部分”，例如“鼓楼方案四（六）”。"


MAX_QUOTED_SECTIONS = 2  # 建设目标 in two plans: both, each abridged
SECTION_CHARS = 300


# "到 2025 年 6 月": the document's typesetting spaces beside Chinese characters, not words apart
_TYPESET_SPACE = re.compile(
    r"(?<=[\u4e00-\u9fff，。、：；）（])[ \u3000]+|[ \u3000]+(?=[\u4e00-\u9fff，。、：；）（])"
)


def quote(plan: PlanView, path: str, excerpt: str) -> str:
    where = f"{path}" if path else "开头"
    return f"《{plan.title}》{where}原文：“{_TYPESET_SPACE.sub('', excerpt)}”"


# ---- issue 15 (items 13-15): what a chat user sends never crashes the bot nor is recorded otherwise ----

LINE_FAILED = (
    "抱歉，处理这条消息时出错了，请稍后再试。"  # `duban ask --jsonl`: the line is answered, the rest run
)
DB_BUSY = "数据库正忙（正被其他程序占用），请稍后再试。"


def day_out_of_range(first: date, last: date) -> str:
    return f"消息的日期超出了督办机器人支持的范围（{day(first)} 至 {day(last)}），请核对设备的日期和时间。"


def today_out_of_range(what: str, first: date, last: date) -> str:
    """what: "--today", or "字段 today" / "字段 at" of a `duban ask --jsonl` line."""
    return f"{what} 应在 {day(first)} 至 {day(last)} 之间"


def value_unclear(typed: str) -> str:
    return (
        f"没有读懂数值“{typed}”：请只用数字和单位书写，例如“3120件”或“38.2万件”"
        "（不用科学计数法，数字中间不加空格或下划线）。"
    )


def unreadable_as_of(typed: str) -> str:
    return f"截至日期“{typed}”不是一个有效的日期，请写成“截至9月底”或“截至2025年9月30日”。"


def value_too_large(shown: str) -> str:
    return f"数值 {shown} 过大，超出了可以记录的范围（整数部分最多 18 位），请核对后重新发送。"


def value_too_precise(shown: str, places: int) -> str:
    return f"数值 {shown} 的小数位数过多：按指标单位最多记录 {places} 位小数，请核对后重新发送。"


def share_out_of_range(shown: str) -> str:
    return f"该指标是占比，数值应在 0% 至 100% 之间，收到的是 {shown}，请核对后重新发送。"


def jsonl_too_long(field: str, limit: int) -> str:
    return f"字段 {field} 最长 {limit} 个字符"


# ---- 佐证材料 (evidence, issue 17 item 3): files attached to reports, fetched by those allowed ----------

EVIDENCE_ALLOWED = "JPG/PNG 图片、PDF、Word（.docx）、Excel（.xlsx）或 OFD 文件"
EVIDENCE_TYPE_NAMES = {
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "application/pdf": "PDF 文档",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
    "application/ofd": "OFD 文档",
}
EVIDENCE_NOT_KEPT = "佐证材料未保存："
EVIDENCE_NO_REPORT = "未找到10分钟内您的上报，佐证材料未保存。请先上报（如：任务3已完成），再发送材料。"
EVIDENCE_VIEWER = "您的角色是查询员，不能提交佐证材料；如需报送请联系督办办公室调整角色。"


def evidence_viewer(role: str) -> str:
    """A read-only member's file, refused in their own role's name (a 分管领导 is no 查询员)."""
    if role == "viewer":
        return EVIDENCE_VIEWER
    label = ROLE_LABELS_ZH.get(role, role)
    return f"您的角色是{label}，不能提交佐证材料；如需报送请联系督办办公室调整角色。"


EVIDENCE_NOT_ACCEPTED = "本机器人未设置佐证材料的存放位置，材料未保存，请联系督办办公室。"
EVIDENCE_REPORT_NOT_HANDLED = (
    "本条消息中的上报也未处理：请换一个符合要求的文件，连同上报重新发送；或不带附件直接发送上报。"
)
EVIDENCE_AFTER_CHOICE = "佐证材料未保存：请先选定上报事项并确认，再在10分钟内发送材料。"
EVIDENCE_NOT_WITH_REPORT = "佐证材料未保存：这条上报没有生成待确认的预览。"
EVIDENCE_PRIVATE_ONLY = "佐证材料只在与机器人的私聊中发送，请在私聊中发送“查看佐证 编号”。"
EVIDENCE_SEND_FAILED = "佐证材料的文件未能发出，请稍后再试。"
EVIDENCE_LIST_EMPTY = "没有佐证材料。"


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def evidence_type(content_type: str) -> str:
    return EVIDENCE_TYPE_NAMES.get(content_type, content_type)


def evidence_refused(reason: str, limit_bytes: int, detail: str = "", inbox: str = "") -> str:
    """Why a file was not kept; size and type refusals name what is accepted."""
    limit = f"{limit_bytes // (1024 * 1024)} MB"
    accepted = f"可发送{EVIDENCE_ALLOWED}，每个不超过 {limit}。"
    reasons = {
        "empty": f"文件是空的（0 字节）。{accepted}",
        "too_large": f"文件超过 {limit} 的上限，请压缩或拆分后再发送。{accepted}",
        "type": (
            "文件类型不在允许范围内（按文件内容识别，不看扩展名；可执行文件、脚本、网页、压缩包等一律不收）。"
            + accepted
        ),
        "not_found": f"找不到文件 {detail}。只能附加文件夹 {inbox} 中的文件。",
        "outside_inbox": f"{detail} 不在允许的文件夹 {inbox} 内，请先把文件放进该文件夹。",
        "not_a_file": f"{detail} 不是普通文件。",
        "unavailable": "未能从聊天平台下载该文件，请重新发送。",
    }
    return EVIDENCE_NOT_KEPT + reasons.get(reason, reasons["type"])


def evidence_received(name: str, size: int, content_type: str, what: str, number: int) -> str:
    kind = evidence_type(content_type)
    return f"已收到佐证材料「{name}」（{file_size(size)}，{kind}），已附于：{what}，编号 {number}。"


EVIDENCE_PREVIEW_STATES = {
    "confirmed": "已确认",
    "cancelled": "已取消",
    "expired": "已失效",
    "superseded": "已被新的上报取代",
    "refused": "未获确认",
}


def evidence_on_preview(title: str, outcome: str | None = None) -> str:
    """A preview the file waits on: still open (确认 takes it along), or how it ended."""
    if outcome is None:
        return f"待确认的上报“{title}”（确认后随上报记录）"
    return f"上报预览“{title}”（{EVIDENCE_PREVIEW_STATES.get(outcome, outcome)}）"


def evidence_on_report(subject: str, kind: str, at: datetime) -> str:
    return f"{subject} {HISTORY_KIND.get(kind, kind)}（{moment(at)}）"


def evidence_history_line(number: int, name: str, size: int, content_type: str) -> str:
    return f"  📎 佐证 {number}「{name}」{file_size(size)} {evidence_type(content_type)}"


def evidence_not_found(number: int) -> str:
    """The same for an id that does not exist and one the asker may not see: nothing is given away."""
    return f"没有找到您可以查看的佐证材料 {number}。"


def evidence_sent(
    number: int, name: str, size: int, content_type: str, who: str, at: datetime, what: str
) -> str:
    kind = evidence_type(content_type)
    return f"佐证 {number}「{name}」（{file_size(size)}，{kind}）\n{who} {moment(at)} 发送，附于：{what}"


def evidence_path(path: str) -> str:
    return f"文件位置：{path}"


def evidence_damaged(number: int) -> str:
    return f"佐证材料 {number} 的文件缺失或已损坏，未能发出，请联系督办办公室。"


def evidence_unknown(number: int) -> str:
    return f"没有编号为 {number} 的佐证材料"


def evidence_exported(number: int, name: str, path: str, size: int, sha256: str) -> str:
    return f"已导出佐证 {number}「{name}」到 {path}（{file_size(size)}，sha256 {sha256}）"


def evidence_exists(path: str) -> str:
    return f"{path} 已存在，未覆盖；请用 --out 指定其他文件名"


def evidence_list_line(
    number: int, name: str, size: int, content_type: str, who: str, at: datetime, what: str
) -> str:
    kind = evidence_type(content_type)
    return f"{number}「{name}」{file_size(size)} {kind} · {who} {moment(at)} · 附于：{what}"
