"""Answers about a plan document itself (文号, 印发, 有效期, 进度安排) and from its text (quoted passages).

What the plan does not state is said to be not stated (方案未载明…), with what it does say nearby quoted,
never answered by a near miss as if it were the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from bot.conversation import texts
from bot.conversation.answer_base import Answer
from bot.conversation.passages import Found
from bot.conversation.task_answers import TaskAnswers
from nlu.intents import Slots, TaskRef
from nlu.lexicon import compact, search_terms
from nlu.vocabulary import PLAN_FACT_CUES
from store.catalog_lookup import TaskQuery
from store.views import PassageView, PlanView

_TASK_ROW = re.compile(r"^附件\d+ 序号(\d+)$")
# What a task's own record answers better than the row of the document's table it came from
DEADLINE_ASPECTS = frozenset({"when", "remaining"})
_ROW_WORD_MIN = 2  # characters of the question the row must quote to be looked up by them
_ROW_CANDIDATES = 8


def holds_task(compact_text: str, content: str) -> bool:
    """Whether a passage (compact) holds the task's whole wording: the row of a table it was read from."""
    wording = compact(content)
    return bool(wording) and wording in compact_text


_IN_FORCE = re.compile(r"[^。\n]*(?:起施行|起实施|起执行)[^。\n]*。?")
_ATTACHMENT = re.compile(r"附件\d+")
# 各县（市）区人民政府、高新区管委会，市直各有关单位： — names of units, ending in a colon
_ADDRESSED = re.compile(r"[^。；\n]{2,200}(?:政府|单位|委员会|管委会|部门|局)[：:]")
# Three names in a row (闽剧、脱胎漆器、软木画): the text gives a list.
LISTS_NAMES = re.compile(r"[^、，。]{2,12}、[^、，。]{2,12}、[^、，。]{2,12}")
# What a quoted passage must contain to answer an aspect; without it the plan does not state that aspect.
_EVIDENCE: dict[str, re.Pattern[str]] = {
    "when": re.compile(r"\d{4}\s*年|\d{1,2}\s*月|\d{4}\.\d{1,2}|年底|年内|季度|\d{4}-\d{2}"),
    "person": re.compile(r"(?!x)x"),  # a plan names units and posts, never a person or a telephone number
    "roster": LISTS_NAMES,
    "count": re.compile(r"\d+|[一二两三四五六七八九十百]+[个项家件名条]"),
    "amount": re.compile(r"\d[\d.]*\s*[万亿]?元"),
    "frequency": re.compile(r"每[年季月周日]|定期|每半年|一年[一二两三四\d]次"),
    # a named site: 金牛山互联网产业园 · 军门社区 · 海上风电国际产业园 (not 各街道 or 县区)
    "where": re.compile(
        r"[\u4e00-\u9fff]{2,10}(?:街道|社区|乡|镇|村|产业园|园区|大厦|基地)(?![\u4e00-\u9fff]{0,2}[、和])"
        r"|(?:设在|位于|落户|设于)[\u4e00-\u9fff]"
    ),
    "criteria": re.compile(r"标准[为是：:]|以.{1,16}为准|评分|合格"),
    "duration": re.compile(r"\d+\s*(?:个)?(?:工作)?[日天]内|\d+\s*小时内|\d+\s*个月内|当日|即时"),
    # 与北京中心福建分中心开展技术调查合作: with whom, as the text says it
    # 选了哪家企业: a body by its own name (福州大学 · 某某有限公司), not 企业、高校 in general
    "named_body": re.compile(r"[\u4e00-\u9fff]{2,20}(?:公司|集团|大学|学院|医院|协会|产业园|实验室)"),
    "partner": re.compile(r"(?:与|和|同|联合|依托)[^，。；]{2,40}(?:合作|共建|联合|协作|签订|对接)"),
    "consequence": re.compile(r"不合格|未通过|未达标|问责|约谈|一票否决|追究|取消.{0,6}资格"),
}


class PlanAnswers(TaskAnswers):
    def _plan_fact(self, slots: Slots) -> Answer:
        plans = self._plans_in(slots) or list(self.catalog.plans.values())
        asked = [a for a in texts.PLAN_FACT_ORDER if a in slots.aspects] or ["draft"]
        parts = [self._plan_facts(plan, asked, slots) for plan in plans[: texts.MAX_PLANS_LISTED]]
        if len(plans) > texts.MAX_PLANS_LISTED:
            parts.append(texts.too_many_plans(len(plans), texts.MAX_PLANS_LISTED))
        return Answer("plan_fact", "\n\n".join(parts), slots)

    def _plan_facts(self, plan: PlanView, asked: Sequence[str], slots: Slots) -> str:
        lines = [texts.plan_heading(plan.region, plan.title, plan.status)]
        if (
            "approval" in slots.aspects
        ):  # 批复文号: the approval is another document; the plan only mentions it
            lines.append(texts.not_stated(texts.APPROVAL))
            said = self.knowledge.passages().quoting("批复", (plan.code,))
            lines.extend(texts.quote(plan, f.passage.path, f.excerpt) for f in said[:1])
            asked = [a for a in asked if a != "draft"]
        for aspect in asked:
            if aspect == "doc_number":
                lines.append(texts.plan_fact_line("文号", plan.doc_number))
            elif aspect == "issuer":
                lines.append(texts.plan_fact_line("印发机关", plan.issuer))
            elif aspect == "issued":
                lines.append(
                    texts.plan_fact_line("印发日期", texts.day(plan.issued_on) if plan.issued_on else None)
                )
            elif aspect == "validity":
                lines.append(
                    texts.validity_line(plan.valid_from, plan.valid_to, self.today, plan.validity_note)
                )
                lines.extend(self._in_force_sentence(plan))
            elif aspect == "schedule":
                lines.extend(self._schedule_lines(plan, slots))
                if "who" in slots.aspects and plan.schedule:  # 示范区由哪个部门来验收: stages name no unit
                    lines.append(texts.not_stated(texts.ASPECT_WORDS["schedule_who"]))
            elif aspect == "draft":
                lines.append(texts.draft_line(plan.status))
            elif aspect == "recipients":
                lines.append(texts.recipients_line(self._addressed(plan.code)))
            elif aspect == "attachments":
                lines.append(texts.attachments_line(self._attachments(plan.code)))
        missing = [a for a in asked if a in ("doc_number", "issuer", "issued") and not _has(plan, a)]
        if missing:
            quotes = self.knowledge.passages().search(
                texts.PLAN_FACT_WORDS[missing[0]], plans=(plan.code,), limit=1
            )
            lines.extend(texts.quote(plan, found.passage.path, found.excerpt) for found in quotes)
        return "\n".join(lines)

    def _in_force_sentence(self, plan: PlanView) -> list[str]:
        """本方案自印发之日起施行…: when the plan takes effect, in its own words."""
        for passage in self.knowledge.passages().passages:
            found = _IN_FORCE.search(passage.text) if passage.plan == plan.code else None
            if found is not None:
                return [texts.quote(plan, passage.path, found.group(0))]
        return []

    def _addressed(self, plan: str) -> str | None:
        """The 主送 line of the document's opening: units, ending in a colon (各县（市）区人民政府…：)."""
        for passage in self.knowledge.passages().passages:
            text = passage.text.strip()
            if passage.plan == plan and not passage.path and _ADDRESSED.fullmatch(text):
                return text
        return None

    def _attachments(self, plan: str) -> list[str]:
        """The attached documents' titles, as each attachment's first line gives it (附件1 任务清单…)."""
        titles: dict[str, str] = {}
        for passage in self.knowledge.passages().passages:
            if passage.plan == plan and _ATTACHMENT.fullmatch(passage.path):
                titles.setdefault(passage.path, passage.heading or passage.text.strip().splitlines()[0])
        return list(titles.values())

    def _schedule_lines(self, plan: PlanView, slots: Slots) -> list[str]:
        if not plan.schedule:
            return [texts.not_stated("进度安排")]
        if slots.stage is not None:
            if not 0 < slots.stage <= len(plan.schedule):
                return [texts.no_such_stage(slots.stage, len(plan.schedule))]
            return [
                texts.milestone_line(
                    plan.schedule[slots.stage - 1].period, plan.schedule[slots.stage - 1].work
                )
            ]
        wanted = set(search_terms(self.question))
        matching = [m for m in plan.schedule if wanted & set(search_terms(m.work))]
        shown = matching or list(plan.schedule)
        lines = [texts.milestone_line(m.period, m.work) for m in shown]
        if matching and "when" in slots.aspects and _asks_day(self.question):
            lines.append(texts.only_period(matching[0].period))
        return lines

    def _with_units(self, found: Found, slots: Slots) -> str:
        """谁负责 answered from the text: the item's 责任单位 line goes with the quote."""
        units = self.knowledge.passages().units_line(found.passage)
        if "who" not in slots.aspects or _has_units_line(found.excerpt, units):
            return found.excerpt
        return f"{found.excerpt.rstrip('…')}……{units}"

    def _parts_of(self, passage: PassageView) -> list[str]:
        """The sections right under a title passage (四 → 四（一）…四（四）), each with its title."""
        if "。" in passage.text or not passage.path or len(passage.text) > _TITLE_MAX:
            return []
        seen: dict[str, str] = {}
        for other in self.knowledge.passages().passages:
            path = other.path
            if other.plan == passage.plan and path.startswith(passage.path) and path != passage.path:
                child = path[: len(passage.path) + _child_length(path[len(passage.path) :])]
                seen.setdefault(child, other.heading if other.path == child else "")
        return [texts.section_part(path, heading) for path, heading in seen.items() if heading]

    def _document(self, slots: Slots, *, rare_words: bool = False) -> Answer | None:
        """A passage of the plans that answers the question, quoted with its section; None if none fits.
        rare_words: a question nothing else understood may name the text's own short word (随手拍)."""
        plans = [p.code for p in self._plans_in(slots)]
        phrases = self.knowledge.lexicon.phrases(self.searched)
        found = self.knowledge.passages().search(self.searched, plans=plans, phrases=phrases)
        # 示范区建设总经费多少钱: the plan itself is what is asked about
        if not found and self.searched != compact(self.question):
            phrases = self.knowledge.lexicon.phrases(self.question)
            found = self.knowledge.passages().search(self.question, plans=plans, phrases=phrases)
        if not found and slots.qualified:  # 仲裁联络点那项任务: the text's own words, said among many others
            found = self.knowledge.passages().quoting(slots.qualified[1], plans)
        if not found and rare_words:  # 随手拍是干嘛用的: too short a name for the search, but the text's own
            found = self.knowledge.passages().rare_words(self.question, plans)
        unit = None if found else self.knowledge.passages().unit_named_like(self.question)
        if unit is not None:  # 元洪管委会要负责啥: a unit only the text names, called by part of its name
            found = self.knowledge.passages().search(unit, plans=plans, phrases=[compact(unit)])
        if not found:
            return None
        row = _TASK_ROW.match(found[0].passage.path)
        task = (found[0].passage.plan, int(row.group(1))) if row else None
        if task is None and slots.aspects & DEADLINE_ASPECTS:  # 专项债券申报那项的期限过了没
            task = self._row_of_task(found[0].passage, slots)
        if task is not None and task in self.catalog.tasks and not slots.aspects & {"person", "roster"}:
            # The passage is a row of the plan's task table: the task's own record says more.
            subject = replace(slots, tasks=(TaskRef(*task),), task_fragment=None)
            return self._with_task("task_detail", subject, self._detail)
        # 城市特色创新工程是哪几个 · 进度安排是怎么分阶段的: a title whose sections are the answer
        parts = self._parts_of(found[0].passage)
        if parts:
            plan = self.catalog.plans[found[0].passage.plan]
            heading = texts.quote(plan, found[0].passage.path, found[0].passage.text)
            return Answer("document", "\n".join([heading, *parts]), slots)
        # The best passage is the answer; the next is context and does not make up for what the best lacks.
        found = [_widened(found[0], _asked_kinds(slots)), *found[1:]]
        unstated = [a for a in _asked_kinds(slots) if not _states(a, found[0].excerpt)]
        if not unstated and slots.measure and not counts_in(found[0].excerpt, slots.measure):
            unstated = ["count"]  # 一票否决扣多少分: the passage ranks (前五名) but gives no 分
        lines = [texts.not_stated(texts.ASPECT_WORDS[unstated[0]]) + texts.NEAREST_TEXT] if unstated else []
        lines += [
            texts.quote(self.catalog.plans[f.passage.plan], f.passage.path, self._with_units(f, slots))
            for f in found
        ]
        return Answer("document", "\n".join(lines), slots)

    def _row_of_task(self, passage: PassageView, slots: Slots) -> tuple[str, int] | None:
        """A passage holding a task's whole wording is that task's row in the document's own table (an
        imported plan keeps its table in the text): the one task, among those the question quotes, whose row
        it is."""
        text = compact(passage.text)
        asked = compact(self.question)
        match = SequenceMatcher(None, asked, text, autojunk=False).find_longest_match()
        if match.size < _ROW_WORD_MIN:
            return None
        word = asked[match.a : match.a + match.size]
        refs = [(t.plan, t.number) for t in slots.tasks if t.plan == passage.plan] or [
            ref
            for ref in self.knowledge.lexicon.names.tasks_using(word, _ROW_CANDIDATES)
            if ref[0] == passage.plan
        ]
        views = self.catalog.tasks.many(refs)
        rows = [ref for ref in refs if ref in views and holds_task(text, views[ref].content)]
        return rows[0] if len(rows) == 1 else None

    def _basis(self, slots: Slots) -> Answer | None:
        """What each plan named rests on: its opening paragraph that cites other documents (《…》（文号）)."""
        wanted = {plan.code: plan for plan in self._plans_in(slots)}
        opening: dict[str, str] = {}
        for passage in self.knowledge.passages().passages:
            if passage.plan in wanted and not passage.path and _CITES.search(passage.text):
                opening.setdefault(passage.plan, passage.text)
        quotes = [texts.quote(wanted[code], "", text) for code, text in opening.items()]
        return Answer("document", "\n".join(quotes), slots) if quotes else None

    def _outline(self, slots: Slots) -> Answer:
        """四（六） · 三（四）2: that section of each plan named (or of every plan that has it), as the plan's
        work item where the section is one, else quoted."""
        outline = slots.outline or ""
        plans = [p.code for p in self._plans_in(slots)] or list(self.catalog.plans)
        parts: list[tuple[str, TaskRef | None]] = []
        for plan in plans:
            section = [
                p for p in self.knowledge.passages().passages if p.plan == plan and _under(p.path, outline)
            ]
            if section:
                parts.append(self._section_text(self.catalog.plans[plan], outline, section, slots))
        if not parts:
            titles = [self.catalog.plans[p].title for p in plans]
            return Answer("document", texts.no_such_section(outline, titles), slots)
        text = "\n\n".join(part for part, _ in parts[: texts.MAX_PLANS_LISTED])
        tasks = tuple(task for _, task in parts if task is not None)
        if len(parts) == 1 and tasks:  # the work item is the subject now: 谁负责 · 还有多久到期 follow it
            return Answer("task_detail", text, replace(slots, tasks=tasks, outline=None))
        return Answer("document", text, slots)

    def _section_text(
        self, plan: PlanView, outline: str, section: list[PassageView], slots: Slots
    ) -> tuple[str, TaskRef | None]:
        number = self._task_titled(plan.code, section[0].heading) if section[0].path == outline else None
        if number is not None:
            task = TaskRef(plan.code, number)
            subject = replace(slots, tasks=(task,), task_fragment=None)
            detail = self._with_task("task_detail", subject, self._detail)
            return detail.text, task
        parts = self._parts_of(section[0])
        if parts:  # 三（四）: a title over numbered items
            return "\n".join([texts.quote(plan, outline, section[0].text), *parts]), None
        text = texts.abridge_text("".join(p.text for p in section), texts.SECTION_CHARS)
        return texts.quote(plan, outline, text), None

    def _task_titled(self, plan: str, heading: str) -> int | None:
        """The plan's work item whose title is the section's heading (鼓楼 四（六） is 重点工作（六））."""
        if not heading or not self.catalog.lookup.has_titled_tasks(plan):
            return None
        keys = self.catalog.lookup.task_keys(TaskQuery(plans=(plan,)))
        tasks = self.catalog.tasks.many(keys)
        return next((number for (_, number), t in tasks.items() if t.title and t.title == heading), None)


WIDE_CHARS = 600  # a passage this short is quoted whole when its excerpt misses what was asked
_PLACE = re.compile(r"[\u4e00-\u9fd5]{2}(?:县|区)(?![\u4e00-\u9fd5]{0,1}(?:人民政府|管委会))")
MIN_PLACES = 3


def _states(aspect: str, text: str) -> bool:
    """Whether the text gives what the aspect asks; a list of places (以连江县为主…以鼓楼区为主…以仓山区为主)
    is a roster as much as names in a row."""
    if aspect == "roster" and len(set(_PLACE.findall(text))) >= MIN_PLACES:
        return True
    return _EVIDENCE[aspect].search(text) is not None


def _widened(found: Found, asked: Sequence[str]) -> Found:
    """The whole passage when the sentences picked miss what was asked and the rest of it holds it (一县一策:
    the districts follow the sentence that names the policy)."""
    text = found.passage.text
    missing = [a for a in asked if not _states(a, found.excerpt)]
    if missing and len(text) <= WIDE_CHARS and all(_states(a, text) for a in missing):
        return Found(found.passage, text.strip())
    return found


def counts_in(text: str, measure: str) -> bool:
    """Whether the text gives a number of that measure (13 个, 五名, 1.5 万)."""
    return re.search(rf"(?:\d[\d.]*|[一二两三四五六七八九十百千万]+)\s*{measure}", text) is not None


def _under(path: str, outline: str) -> bool:
    """三（四）2 is under 三（四）; 三（四）12 is not under 三（四）1."""
    if not path.startswith(outline):
        return False
    rest = path[len(outline) :]
    return not rest or not (outline[-1].isdigit() and rest[0].isdigit())


_CITES = re.compile(r"《[^》]+》[（(][^）)]*〔\d{4}〕\d+号[）)]")  # 《…通知》（国知发运函字〔2022〕131号）

_TITLE_MAX = 40
_CHILD = re.compile(r"^（[一二三四五六七八九十]+）|^\d+")


def _child_length(rest: str) -> int:
    found = _CHILD.match(rest)
    return found.end() if found else len(rest)


def _has_units_line(excerpt: str, units: str | None) -> bool:
    return units is None or units in excerpt


def _has(plan: PlanView, aspect: str) -> bool:
    return bool({"doc_number": plan.doc_number, "issuer": plan.issuer, "issued": plan.issued_on}[aspect])


def _asks_day(question: str) -> bool:
    return bool(re.search(r"哪天|几号|几日|具体日期|具体时间|哪一天", question))


def _asked_kinds(slots: Slots) -> list[str]:
    kinds = [
        a
        for a in (
            "when",
            "where",
            "roster",
            "count",
            "amount",
            "frequency",
            "criteria",
            "consequence",
            "duration",
            "partner",
            "named_body",
        )
        if a in slots.aspects
    ]
    return (["person"] if "person" in slots.aspects else []) + kinds


FREQUENCY = _EVIDENCE["frequency"]
# 验收标准 · 不合格怎么处理: what a shown record must say to answer these; none of the plans' schedules does
RULES_STATED = {a: _EVIDENCE[a] for a in ("criteria", "consequence", "duration")}

__all__ = ["FREQUENCY", "LISTS_NAMES", "PLAN_FACT_CUES", "RULES_STATED", "Found", "PlanAnswers", "counts_in"]
