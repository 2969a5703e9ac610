"""A draft in the seed format (seeds/schema.py): the records a reviewed import adds, in the same schema as
the hand-made seeds, so `duban plans apply` loads it as `duban init` loads those.

Pure: a Draft in, a plain dict out (ready for yaml.safe_dump). Units the store did not know come as the
plan's own unit records (kind guessed from the name, to be checked); everything the office must look at —
the import's problems, records the schema would refuse (a target in words, an item with no unit) and fields
proposed because the document does not state them (status, supervising_unit, period_kind) — is listed in
`review`, each with its place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from seeds.importer.deadlines import Deadline
from seeds.importer.draft import Draft, DraftIndicator, DraftTask

ONGOING = "长期推进"
NO_DEADLINE = "无"


def draft_to_seed(draft: Draft, *, source_doc: str, other_plans: Sequence[str] = ()) -> dict[str, Any]:
    """other_plans: the titles of the plans already in, which a proposed short name must not claim."""
    skipped: list[dict[str, str]] = []
    seed: dict[str, Any] = {
        "plan": _plan(draft, source_doc, other_plans),
        "indicators": [i for i in (_indicator(draft, x, source_doc, skipped) for x in draft.indicators) if i],
        "tasks": [t for t in (_task(x, source_doc, skipped) for x in draft.tasks) if t],
    }
    region = draft.plan.region or ""
    seed["units"] = [_unit_record(u.name, u.likely_level, region, source_doc) for u in draft.new_units]
    review = [{"where": p.where, "what": p.what} for p in draft.problems]
    if not region:  # the draft cannot load without one: said first, before anyone presses 确认
        review.insert(0, {"where": "plan.region", "what": NO_REGION})
    review += [{"where": s["record"], "what": s.get("what") or f"未导入：{s['why']}"} for s in skipped]
    said = draft.plan.supervisor_said
    review += [
        {"where": field, "what": f"据文件{said}推定，请核对" if said and field == SUPERVISOR else GUESSED}
        for field in PROPOSED
    ]
    renames = _qualified_names([(u.name, u.likely_level) for u in draft.new_units], region)
    _rename_units(seed, renames)
    review += [{"where": old, "what": f"记为「{new}」（本方案地区的单位）"} for old, new in renames.items()]
    seed["review"] = review
    return seed


def _qualified_names(units: list[tuple[str, str]], region: str) -> dict[str, str]:
    """区人民法院 in a 仓山区 plan is 仓山区人民法院: a new unit named relative to the plan's region is kept
    under its full name, so another district's 区人民法院 is never taken for it (市场整治办 is no 市 unit)."""
    level = {"区": "县区", "县": "县区", "市": "市"}.get(region[-1:], "")
    return {
        name: region + name[1:]
        for name, likely in units
        if level and likely == level and name.startswith(region[-1:]) and len(name) > 2
    }


def _rename_units(seed: dict[str, Any], renames: dict[str, str]) -> None:
    def renamed(names: list[str]) -> list[str]:
        return [renames.get(name, name) for name in names]

    for record in (*seed["tasks"], *seed["indicators"]):
        record["units"] = renamed(record["units"])
        if "co_units" in record:
            record["co_units"] = renamed(record["co_units"])
    for unit in seed["units"]:
        unit["name"] = renames.get(unit["name"], unit["name"])
    plan = seed["plan"]
    plan["supervising_unit"] = renames.get(plan["supervising_unit"], plan["supervising_unit"])


NO_REGION = (
    "未识别出方案所属地区（region），载入前须补充：在草稿中填写，或导入时加 --region 福州市 这样的地区"
)
PROPOSED = ("plan.status", "plan.supervising_unit", "plan.short_names", "indicators[].period_kind")
SUPERVISOR = "plan.supervising_unit"
GUESSED = "文件未载明，系导入推定，请核对"
_KINDS = (
    ("人民政府", "government"), ("法院", "court"), ("检察院", "procuratorate"), ("公安", "police"),
    ("海关", "customs"), ("大学", "university"), ("学院", "university"), ("委员会", "committee"),
    ("管委会", "committee"),
)  # fmt: skip


def _unit_record(name: str, level: str, region: str, source_doc: str) -> dict[str, Any]:
    """A unit the store did not know: its kind from its name's ending, the plan's region unless it names its
    own level (a 乡镇 unit of a district plan still belongs to the district's list)."""
    kind = next(
        (k for word, k in _KINDS if word in name), "department" if name.endswith(_OFFICE) else "other"
    )
    return {
        "name": name,
        "kind": kind,
        "region": region or level,
        "source": {"doc": source_doc, "section": "导入：文件中的责任单位"},
    }


_OFFICE = ("局", "办", "委", "厅", "处", "室", "中心", "部", "院", "所", "站", "队", "会")


def _plan(draft: Draft, source_doc: str, other_plans: Sequence[str]) -> dict[str, Any]:
    plan = draft.plan
    record: dict[str, Any] = {
        "code": plan.code,
        "title": plan.name,
        "region": plan.region or "",
        "status": "印发" if plan.issued else "未载明",
        "supervising_unit": draft.plan.supervisor or _most_leading(draft),
        "document": source_doc,
        "source": {"doc": source_doc, "section": "标题及文号"},
    }
    optional = {
        "issuer": plan.issuer,
        "doc_number": plan.doc_number,
        "issued_on": plan.issued,
        "valid_to": plan.valid_until,
    }
    record.update({key: value for key, value in optional.items() if value is not None})
    short = short_names(plan.name, plan.region, other_plans)
    if short:
        record["short_names"] = short
    if plan.schedule:
        record["schedule"] = [
            {"period": m.period, "start": m.start, "end": m.end, "work": m.work} for m in plan.schedule
        ]
    return record


def _most_leading(draft: Draft) -> str:
    """The unit that leads most items: the plan's likely supervising office, to be confirmed."""
    units = [u for task in draft.tasks for u in task.units] + [u for i in draft.indicators for u in i.units]
    leads = Counter(u.name for u in units if u.role == "lead")
    return leads.most_common(1)[0][0] if leads else ""


def _indicator(
    draft: Draft, indicator: DraftIndicator, source_doc: str, skipped: list[dict[str, str]]
) -> dict[str, Any] | None:
    label = f"指标{indicator.number} {indicator.name}"
    office = _most_leading(draft)
    if indicator.target is None or indicator.unit_of_measure is None or not (indicator.units or office):
        skipped.append({"record": label, "why": "目标值、计量单位或责任单位缺失，需人工补全"})
        return None
    units = [u.name for u in indicator.units]
    if not units:  # a plan-wide target: its office holds it until the office says otherwise (in review)
        units = [office]
        skipped.append({"record": label, "what": f"文件未载明责任单位，暂由督办单位（{office}）负责，请核对"})
    record: dict[str, Any] = {
        "code": indicator.number,
        "name": indicator.name,
        "region": draft.plan.region or "",
        "unit_of_measure": indicator.unit_of_measure,
        "comparator": indicator.comparator,
        "target": indicator.target,
        "period_kind": _period_kind(indicator),
        "units": units,
        "note": indicator.note,
        "source": {"doc": source_doc, "section": f"指标 序号{indicator.number}"},
    }
    if indicator.baseline is not None and indicator.baseline_year is not None:
        record["baseline"] = indicator.baseline
        record["baseline_year"] = indicator.baseline_year
    if indicator.report_rule:
        record["report_rule"] = indicator.report_rule
    return record


def _period_kind(indicator: DraftIndicator) -> str:
    """A proposal from the wording: 件/年 per year, 年均 a yearly average, 增幅 a growth rate, % a share."""
    words = indicator.name + indicator.note
    if (indicator.unit_of_measure or "").endswith("/年") or indicator.name.startswith("年"):
        return "per_year"
    if re.search(r"年均|年平均", words):
        return "yearly_average"
    if indicator.unit_of_measure == "%":
        return "growth_rate" if re.search(r"增幅|增长率|增速", indicator.name) else "share"
    return "level"


def _task(task: DraftTask, source_doc: str, skipped: list[dict[str, str]]) -> dict[str, Any] | None:
    if not task.units or not task.number.isdigit():
        skipped.append({"record": f"任务{task.number}", "why": "未载明责任单位或序号，需人工补全"})
        return None
    leads = [u.name for u in task.units if u.role == "lead"]
    co_units = [u.name for u in task.units if u.role == "co"]
    record: dict[str, Any] = {
        "number": int(task.number),
        "content": task.content,
        "featured": task.featured,
        "units": leads + co_units,  # lead first, as the current schema reads the list
        "source": {"doc": source_doc, "section": f"{task.section or ''} 序号{task.number}".strip()},
    }
    if task.section:
        record["section"] = task.section
    record.update(_deadline_fields(task.deadline))
    if task.leader:
        record["leader"] = task.leader
    if co_units:
        record["co_units"] = co_units
    elif len(leads) > 1:  # 主要责任单位：市财政局、市发改局 — both lead, nobody cooperates
        record["lead_units"] = len(leads)
    return record


def _deadline_fields(deadline: Deadline) -> dict[str, Any]:
    """The schema's deadline where it can say it (2025.8, a date, 长期推进); the words and kind beside it."""
    fields: dict[str, Any] = {}
    if deadline.kind == "month" and deadline.date is not None:
        fields["deadline"] = f"{deadline.date.year}.{deadline.date.month}"
    elif deadline.kind in ("ongoing", "recurring"):
        fields["deadline"] = ONGOING
    elif deadline.kind in ("start", "none") or deadline.date is None:
        fields["deadline"] = NO_DEADLINE  # a start is no day to count to; the words stay in deadline_text
    else:
        fields["deadline"] = deadline.date.isoformat()
    if deadline.text and deadline.text != fields.get("deadline"):
        fields["deadline_text"] = deadline.text
    if deadline.kind not in ("month", "date", "ongoing"):
        fields["deadline_kind"] = deadline.kind
    if deadline.rule is not None:
        fields["deadline_rule"] = deadline.rule
    return fields


# What a title says about every plan (its place, year and document type): what is left is how people call
# it (福州市2025年商标品牌建设重点任务分解表 → 商标品牌建设, 商标品牌建设方案, 商标品牌).
_GENERIC_TAIL = re.compile(
    r"(?:重点)?(?:工作)?(?:任务)?(?:分解方案|分解表|清单|责任清单|分工方案|实施方案|工作方案|行动方案|方案|计划|要点)$"
)
_GENERIC_WORDS = re.compile(r"(?:重点工作及责任|重点工作|重点任务|工作任务|任务|及|责任)$")
_SUFFIX = re.compile(r"(?:建设|工作|发展|提升|行动)$")


def short_names(title: str, region: str | None, others: Sequence[str] = ()) -> list[str]:
    """Short names proposed from the title, for the office to check (listed in review as proposals): the
    subject with the document's kind of name (商标品牌方案, 营商环境清单, 知识产权要点), with its place
    (仓山知识产权要点, 鼓楼营商环境), and bare (商标品牌建设) only where no other plan's title holds it: a
    bare 知识产权 would claim every question about the plans already in."""
    core = re.sub(r"^(?:关于)?(?:[\u4e00-\u9fff]{2,3}省)?(?:[\u4e00-\u9fff]{2,3}[市县区])*", "", title)
    if region and title.startswith(region):
        core = title[len(region) :]
    core = re.sub(r"^(?:20\d{2}(?:[-—~至]20\d{2})?年(?:度)?)", "", core)
    core = _QUOTES.sub("", core)  # 《政府工作报告》重点工作任务分解方案: the report is named, not quoted
    kind = _DOCUMENT_KIND.search(title)
    for pattern in (_GENERIC_TAIL, _GENERIC_WORDS, _GENERIC_WORDS, _KIND_TAIL):
        core = pattern.sub("", core)
    if len(core) < 2:
        return []
    stems = dict.fromkeys(
        s
        for s in (core, _SUFFIX.sub("", core), _VERB.sub("", core), _VERB.sub("", _SUFFIX.sub("", core)))
        if len(s) >= 2
    )
    kinds = dict.fromkeys([*([kind.group(0)] if kind else []), "方案"])  # the document's own kind first
    place = _place(region or "")
    names = [stem + k for stem in stems for k in kinds]
    if place:
        names += [place + stem + k for stem in stems for k in kinds] + [place + stem for stem in stems]
    names += [stem for stem in stems if len(stem) >= 3 and not _held(stem, others)]
    names += [word + k for word in _words_of(stems) if not _held(word, others) for k in kinds]
    return list(dict.fromkeys(names))


_WORD_PAIR = re.compile(r"[\u4e00-\u9fff]{4}")


def _words_of(stems: dict[str, None]) -> list[str]:
    """商标品牌 → 商标, 品牌: a subject of two two-character words, either of which names it (品牌方案)."""
    return [w for stem in stems if _WORD_PAIR.fullmatch(stem) for w in (stem[:2], stem[2:])]


def _held(stem: str, others: Sequence[str]) -> bool:
    """Another plan's title holds the subject, or its core (知识产权工作 → 知识产权)."""
    core = _VERB.sub("", _SUFFIX.sub("", stem))
    return any(stem in other or (len(core) >= 2 and core in other) for other in others)


def _place(region: str) -> str:
    """仓山区 → 仓山, 福州市 → 福州: how people put the place before a plan's name."""
    return region[:-1] if len(region) > 2 and region.endswith(("区", "县", "市")) else region


_QUOTES = re.compile(r"[《》〈〉“”\"']")
_KIND_TAIL = re.compile(r"(?:清单|计划|要点|方案)$")
_DOCUMENT_KIND = re.compile(r"(?:清单|计划|要点|方案)(?=[^清计要方]*$)")
_VERB = re.compile(r"^(?:持续|进一步|全面|深入)?(?:优化|推进|加强|深化|提升|推动|做好|开展|实施)")
