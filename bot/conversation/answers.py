"""Turn a resolved intent into an answer: look things up in the knowledge, format through texts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta

from bot.conversation import texts
from bot.conversation.answer_base import Answer, Option, Pages
from bot.conversation.indicator_answers import IndicatorAnswers
from bot.conversation.passages import quoted_length
from bot.conversation.plan_answers import FREQUENCY, LISTS_NAMES, RULES_STATED, PlanAnswers, counts_in
from bot.conversation.progress import assess
from nlu.intents import IntentName, Slots
from nlu.lexicon import compact, search_terms, without_asking_words
from schedules.colours import COLOURS
from store.catalog_lookup import TaskQuery
from store.views import IndicatorView, PlanView

__all__ = ["Answer", "Answerer", "Option"]
DUE_SOON_DAYS = 30
COLOURED_AT_MOST = 2_000  # open tasks an overview colours (a plan has tens; national ones a few hundred)


INDICATOR_INTENTS = ("indicator_progress", "indicator_target", "responsible")
# Lists a place alone may ask of its own plan as much as of its government's share (晋安逾期的任务)
_PLACE_LISTS = frozenset({"due_tasks", "overdue_tasks", "ongoing_tasks", "featured_tasks", "done_tasks"})
_AMOUNT = re.compile(r"\d[\d.]*\s*[万亿]?元")
# A place by its name: 军门社区, 金牛山互联网产业园, 马尾镇 (not 县区 or 样板街区, which name none)
_NAMED_PLACE = re.compile(r"[\u4e00-\u9fd5]{2,8}(?:镇|乡|街道|社区|产业园|园区|基地|功能区)")


# What a sentence of the text answers (a place, a count, a list, a sum, how often), whichever item it is in.
# 福州常住人口有多少 → 福州常住人口: what is asked about ends where the asking begins
_ASKED_AFTER = re.compile(r"(?:有|是|要|能)?(?:多少|几[个家项件名]?|什么|啥|哪些|哪个|哪里|怎么|如何)")
# 由哪些人组成 · 依托哪里建设 · 和谁合作: asked of something an indicator's name only begins
_ASKED_OF_A_NAME = frozenset({"roster", "where", "partner", "particulars", "named_body"})
_MORE_WORDS = 2  # character pairs of the question a passage holds beyond the task's row
_CLEARLY_MORE = 3  # characters a passage must quote beyond a task's keyword to answer instead
_SENTENCE_ASPECTS = frozenset({"where", "roster", "amount", "frequency"})


class Answerer(IndicatorAnswers, PlanAnswers):
    """Answers for one message: every subject and aspect asked, in one reply."""

    def answer(self, intent: IntentName, slots: Slots) -> Answer:
        if slots.unit_choices and len(set(slots.units) & set(slots.unit_choices)) > 1:
            return self._which_unit(intent, slots)
        if intent == "document" and slots.outline:
            return fitted(self._outline(slots))
        # 鼓楼方案依据哪个文件: what a plan rests on is in its opening text, not in its overview
        about_the_plan = intent == "plan_overview" and "explain" in slots.aspects
        asks_the_text = (
            intent in ("unknown", "help")
            or slots.unnamed_wording
            or self._asks_a_list(slots)
            or about_the_plan
        )
        if self.question and intent in ("plan_overview", "unknown", "help") and not slots.outline:
            headed = self._headed(slots)
            if headed is not None:  # 鼓楼总体目标的时间节点: that section of the plan, in its words
                return fitted(headed)
        if self.question and (asks_the_text or self._text_quotes_better(slots)):
            # 鼓楼方案根据啥文件制定的: the opening that cites them, before any passage sharing words
            not_understood = intent in ("unknown", "help")
            quoted = (self._basis(slots) if about_the_plan else None) or self._document(
                slots, rare_words=not_understood
            )
            if quoted is not None and quoted.intent == "task_detail":  # a row of the task table: as a task
                unstated = self._unstated("task_detail", replace(slots, tasks=quoted.slots.tasks))
                return fitted(replace(quoted, text="\n".join([quoted.text, *unstated])))
            if quoted is not None:
                return fitted(quoted)
        if intent in ("unknown", "help") and slots.aspects & set(RULES_STATED):  # 鼓楼方案没达标怎么办
            return Answer("document", "\n".join(self._rules_unstated(slots, [])), slots)
        named = slots.regions or slots.plans or slots.units
        if intent == "unknown" and slots.unnamed_wording and named and slots.aspects and self.question:
            # 福州常住人口有多少: a place the plans name, asked about what no passage says
            about = _ASKED_AFTER.split(self.question, maxsplit=1)[0].strip()
            return Answer("unknown", texts.not_in_any_plan(about), slots)
        answer = self._each_subject(intent, slots)
        unstated = self._unstated(intent, slots)
        share = self._unit_share(intent, slots)
        if share:  # 福建江夏学院每年培养多少本科生: the indicator is the three units' together
            return fitted(replace(answer, text="\n".join([share, answer.text, *unstated])))
        if intent == "unit_tasks" and "person" in slots.aspects:
            # 市中院知识产权庭庭长是谁: what was asked is not stated; the unit's list is only what is
            return fitted(replace(answer, text="\n".join([*unstated, answer.text])))
        return fitted(replace(answer, text="\n".join([answer.text, *unstated])))

    def _which_unit(self, intent: IntentName, slots: Slots) -> Answer:
        """区财政局 with no district named, when several districts have one: which is meant, never a guess."""
        others = tuple(u for u in slots.units if u not in slots.unit_choices)
        options = tuple(
            Option(unit, intent, replace(slots, units=(*others, unit), unit_choices=()))
            for unit in slots.unit_choices[: texts.MAX_OPTIONS]
        )
        return Answer(intent, texts.choose([o.label for o in options]), slots, options=options)

    def _headed(self, slots: Slots) -> Answer | None:
        plans = [p.code for p in self._plans_in(slots)]
        found = self.knowledge.passages().headed(self.question, plans)[: texts.MAX_QUOTED_SECTIONS]
        if not found:
            return None
        quotes = [
            "\n".join(
                [
                    texts.quote(
                        self.catalog.plans[p.plan], p.path, texts.abridge_text(p.text, texts.SECTION_CHARS)
                    ),
                    *self._parts_of(p),  # 保障措施有哪几条: a title, and the sections under it
                ]
            )
            for p in found
            if p.plan in self.catalog.plans
        ]
        return Answer("document", "\n".join(quotes), slots) if quotes else None

    def _asks_a_list(self, slots: Slots) -> bool:
        """闽都文化街区要保护哪些非遗: a list of names the task record does not give; the text may."""
        by_wording = bool(slots.tasks) and all(t.plan for t in slots.tasks)  # not 任务N: named or quoted
        if "roster" not in slots.aspects or not by_wording:
            return False
        tasks = [self.catalog.tasks.get((t.plan, t.number)) for t in slots.tasks if t.plan]
        return not any(t and LISTS_NAMES.search(t.content) for t in tasks)

    def _text_quotes_better(self, slots: Slots) -> bool:
        """A task found by its wording, when a passage of the plans quotes the question more exactly
        (知识产权法院 is in the text; 任务16 builds a 知识产权法庭): the passage is the answer. So is the
        passage that holds a phrase the indicator found is only a near miss for (展会专利侵权纠纷)."""
        if (
            slots.indicators
            and not slots.tasks
            and slots.aspects & _ASKED_OF_A_NAME
            and self._beyond_the_name(slots)
        ):
            return (
                True  # 专利侵权纠纷行政裁决人才库由哪些人组成: a passage names more than the indicator does
            )
        if slots.qualified and not slots.tasks:
            phrase = compact(slots.qualified[1])
            return any(phrase in compact(p.text) for p in self.knowledge.passages().passages)
        # 闽都文化街区要设什么流动指导服务点: a task found by a keyword, while the text quotes far more
        by_name = (
            len(slots.tasks) == 1
            and slots.tasks[0].plan is not None
            and not (slots.sections or slots.ordinal_only or slots.task_fragment)
        )
        if not slots.tasks or not (slots.task_fragment or by_name):
            return False
        phrases = self.knowledge.lexicon.phrases(self.searched)
        found = self.knowledge.passages().search(self.searched, limit=1, phrases=phrases)
        if not found:
            return False
        views = self.catalog.tasks.many((t.plan, t.number) for t in slots.tasks if t.plan)
        tasks = [views.get((t.plan, t.number)) for t in slots.tasks if t.plan]
        if not tasks:
            return False
        if "partner" in slots.aspects:
            return True  # 技术调查合作是和哪家: the task row gives its own units; the text names the partner
        if len(tasks) > 1 and slots.aspects & _SENTENCE_ASPECTS:
            # 平台工作站设在哪: two items say it; the sentence that does is the answer, not a choice
            return True
        best_task = max(quoted_length(self.searched, f"{t.title or ''}{t.content}") for t in tasks if t)
        quoted = quoted_length(self.searched, found[0].passage.text)
        if by_name:  # a keyword is short: the passage must quote clearly more than it, or hold more words
            return quoted >= best_task + _CLEARLY_MORE or self._holds_more_words(
                found[0].passage.text, [f"{t.title or ''}{t.content}" for t in tasks if t]
            )
        # Between several tasks, a passage quoting the question as well as the best of them settles it.
        return quoted > best_task or (len(tasks) > 1 and quoted == best_task)

    def _beyond_the_name(self, slots: Slots) -> bool:
        """Whether the best passage quotes the question clearly further than any indicator's name does."""
        phrases = self.knowledge.lexicon.phrases(self.searched)
        found = self.knowledge.passages().search(self.searched, limit=1, phrases=phrases)
        if not found:
            return False
        held = self.catalog.indicators.many(slots.indicators)
        named = max((quoted_length(self.question, i.name) for i in held.values()), default=0)
        return quoted_length(self.searched, found[0].passage.text) >= named + _CLEARLY_MORE

    def _holds_more_words(self, passage: str, tasks: Sequence[str]) -> bool:
        """揭榜挂帅依托什么载体: the passage holds words of the question (依托, 载体) the task's row lacks."""
        asked = set(search_terms(without_asking_words(self.question)))
        in_passage = asked & set(search_terms(passage))
        in_task = max((len(asked & set(search_terms(text))) for text in tasks), default=0)
        return len(in_passage) >= in_task + _MORE_WORDS

    def _each_subject(self, intent: IntentName, slots: Slots) -> Answer:
        """先行所和品牌所的目标: one answer per indicator named, joined; a choice asked stays the reply's."""
        groups = slots.indicator_groups if intent in INDICATOR_INTENTS and not slots.tasks else ()
        if len(groups) < 2 or set(slots.indicators) - {k for g in groups for k in g}:
            return self._one(intent, slots)
        parts = [self._one(intent, self._group_slots(slots, g)) for g in groups]
        chooser = next((p for p in parts if p.options), None)
        return Answer(
            intent,
            "\n\n".join(p.text for p in parts),
            slots,
            options=chooser.options if chooser else (),
        )

    def _group_slots(self, slots: Slots, group: tuple[str, ...]) -> Slots:
        """One subject's slots; a place said of another (质押融资和鼓楼专利质押贷款) is not its own."""
        subject = replace(slots, indicators=group, indicator_groups=(group,))
        regions = {self.catalog.indicators[k].region for k in group if k in self.catalog.indicators}
        return subject if not slots.regions or regions & set(slots.regions) else replace(subject, regions=())

    def _one(self, intent: IntentName, slots: Slots) -> Answer:
        handler: Callable[[Slots], Answer] = getattr(self, f"_{intent}", self._unknown)
        if slots.place_plans and intent in _PLACE_LISTS:
            return self._place_and_plan(handler, slots)
        return handler(slots)

    def _place_and_plan(self, handler: Callable[[Slots], Answer], slots: Slots) -> Answer:
        """晋安这个月到期的任务: the place's government's share of every plan, and the place's own plan; the
        one that lists nothing is left out (both, when both say none)."""
        own = handler(replace(slots, units=(), regions=(), plans=slots.place_plans, place_plans=()))
        share = handler(replace(slots, place_plans=()))
        parts = [part for part in (share, own) if part.listed] or [share, own]
        return replace(parts[0], text="\n\n".join(part.text for part in parts))

    def _unstated(self, intent: IntentName, slots: Slots) -> list[str]:
        """What was asked that no plan states: a person's name or telephone, a list of names."""
        lines = [self._persons_unstated(slots)] if "person" in slots.aspects else []
        if "particulars" in slots.aspects:
            lines.append(texts.not_stated(texts.ASPECT_WORDS["particulars"]))
        if "breakdown" in slots.aspects and intent in INDICATOR_INTENTS and slots.indicators:
            lines.append(texts.not_stated(texts.ASPECT_WORDS["breakdown"]))
        if intent in INDICATOR_INTENTS and slots.indicators and not slots.tasks:
            # 咨询点设在哪些地方 · 先行所的名单: an indicator is a number; where and which are not stated
            # (归哪几家: the responsible units are the list asked for).
            # (具体统计哪些服务: the 指标说明 asked for is the list)
            listing = intent != "responsible" and "explain" not in slots.aspects
            asked = [a for a in ("roster", "where") if a in slots.aspects and listing]
            lines += [texts.not_stated(texts.ASPECT_WORDS[a]) for a in asked]
            # 每个先行所给多少建设补助 (read only when a sum is asked: a name may be 2,500 plans')
            held = self.catalog.indicators.many(slots.indicators) if "amount" in slots.aspects else {}
            if held and not any("元" in i.unit_of_measure for i in held.values()):
                lines.append(texts.not_stated(texts.ASPECT_WORDS["amount"]))
        views = self.catalog.tasks.many((t.plan, t.number) for t in slots.tasks if t.plan)
        tasks = [t for t in (views.get((r.plan, r.number)) for r in slots.tasks if r.plan) if t]
        # 示范区建设经费一共多少钱 · 任务N要投入多少钱: a sum the plan or the task does not give
        sum_asked = "amount" in slots.aspects and (tasks or intent == "plan_overview")
        if sum_asked and not any(_AMOUNT.search(t.content) for t in tasks):
            lines.append(texts.not_stated(texts.ASPECT_WORDS["amount"]))
        # 快速维权平台建在哪个乡镇 · 样板街区选的是哪片: the task names no place
        where_asked = "where" in slots.aspects and tasks and intent in ("task_detail", "responsible")
        if where_asked and not any(
            _NAMED_PLACE.search(t.content) or self._names_a_place(t.content) for t in tasks
        ):
            lines.append(texts.not_stated(texts.ASPECT_WORDS["where"]))
        how_often = "frequency" in slots.aspects and tasks and intent in ("task_detail", "responsible")
        if how_often and not any(FREQUENCY.search(t.content) for t in tasks):  # 联席会议多久开一次
            lines.append(texts.not_stated(texts.ASPECT_WORDS["frequency"]))
        # 台胞台企服务指导站要建几个: the task says what to build, not how many
        count_asked = slots.measure and tasks and intent in ("task_detail", "responsible")
        if count_asked and not any(
            counts_in(f"{t.title or ''}{t.content}", slots.measure or "") for t in tasks
        ):
            lines.append(texts.not_stated(texts.ASPECT_WORDS["count"]))
        return lines + self._rules_unstated(slots, [t.content for t in tasks])

    def _persons_unstated(self, slots: Slots) -> str:
        """哪个领导分管: a task's 责任领导 where its plan names one (shown on its card); where it names none,
        that is said; a person's name or telephone, never."""
        views = self.catalog.tasks.many((t.plan, t.number) for t in slots.tasks if t.plan)
        if views and not any(t.leader for t in views.values()):
            return f"{texts.not_stated(texts.ASPECT_WORDS['leader'])}{texts.NO_PERSONS}"
        return texts.NO_PERSONS

    def _unit_share(self, intent: IntentName, slots: Slots) -> str | None:
        """A unit's part of an indicator it holds with others, which no plan divides."""
        if intent not in ("indicator_target", "indicator_progress") or len(slots.units) != 1:
            return None
        held = self.catalog.indicators.many(slots.indicators[:1])
        view = next(iter(held.values()), None)
        if view is None or len(view.assigned) < 2 or slots.units[0] not in view.assigned:
            return None
        return texts.no_unit_share(slots.units[0], view.assigned)

    def _rules_unstated(self, slots: Slots, shown: list[str]) -> list[str]:
        """验收标准是什么 · 没完成有什么后果: criteria and consequences, unless what is shown states them."""
        asked = [a for a in RULES_STATED if a in slots.aspects]
        if asked and slots.indicators:
            held = self.catalog.indicators.many(slots.indicators)
            shown = [*shown, *(i.note or "" for i in held.values())]
        return [
            texts.not_stated(texts.ASPECT_WORDS[a])
            for a in asked
            if not any(RULES_STATED[a].search(text) for text in shown)
        ]

    def _names_a_place(self, text: str) -> bool:
        """Whether the text names a county or district by its name (仓山区), not 县区 or 全市."""
        found = self.knowledge.lexicon.names.terms_in(compact(text))
        return any(e.kind == "region" and len(term) > 2 for term, entries in found.items() for e in entries)

    def _responsible(self, slots: Slots) -> Answer:
        if slots.tasks:
            apart = len(slots.tasks) > 1 and not slots.task_fragment  # 第8项和第9项分别谁牵头
            return self._with_task(
                "responsible",
                slots,
                lambda task: texts.task_responsible(self._task_facts(task), told_apart=apart),
            )
        return self._with_indicator("responsible", slots, self._indicator_units_text)

    def _task_detail(self, slots: Slots) -> Answer:
        if not slots.tasks and slots.indicators:
            return self._indicator_target(slots)
        return self._with_task("task_detail", slots, self._detail)

    def _plan_overview(self, slots: Slots) -> Answer:
        plans = self._plans_in(slots) or list(self.catalog.plans.values())
        if len(plans) > texts.MAX_PLANS_LISTED:
            return Answer("plan_overview", self._overall(plans, named=bool(self._plans_in(slots))), slots)
        self._read_overviews(plans)
        text = "\n\n".join(texts.plan_overview(self._overview(plan), self.today) for plan in plans)
        return Answer("plan_overview", text, slots)

    def _read_overviews(self, plans: Sequence[PlanView]) -> None:
        """Several plans' counts, indicators and reports read at once (a region may have a few plans)."""
        codes = [p.code for p in plans if ("plan", p.code, self.today) not in self.ledger.memo]
        if len(codes) < 2:
            return
        soon = self.today + timedelta(days=DUE_SOON_DAYS)
        counts = self.catalog.lookup.counts_by_plan(codes, self.today, soon)
        zeros = dict.fromkeys(("tasks", "featured", "ongoing", "done", "overdue", "due_soon"), 0)
        for code in codes:
            self.ledger.memo[("plan", code, self.today)] = counts.get(code, zeros)
        indicators = self.catalog.lookup.indicators_of_plans(codes)
        self.ledger.reports.many((i.plan, i.code) for i in indicators)

    def _overview(self, plan: PlanView) -> texts.OverviewFacts:
        soon = self.today + timedelta(days=DUE_SOON_DAYS)
        counts = self.ledger.remembered(
            ("plan", plan.code, self.today),
            lambda: self.catalog.lookup.plan_counts(plan.code, self.today, soon),
        )
        indicators = self.catalog.lookup.indicators_of_plans([plan.code])
        return texts.OverviewFacts(
            title=plan.title,
            region=plan.region,
            valid_to=plan.valid_to,
            indicators=len(indicators),
            indicator_status=self._indicator_statuses(indicators),
            colours=self._colours(plan.code),
            **counts,
        )

    def _colours(self, plan: str) -> dict[str, int]:
        """How many of the plan's open tasks are 红, 黄 and 蓝 (the first COLOURED_AT_MOST of them)."""
        query = TaskQuery(plans=(plan,), undone=True)
        keys = self.catalog.lookup.task_keys(query, limit=COLOURED_AT_MOST)
        tasks = self.catalog.tasks.many(keys)
        self.ledger.statuses.many(keys)
        self._unacknowledged(list(tasks.values()))
        counted = Counter(colour[0] for task in tasks.values() if (colour := self._colour(task)))
        return {colour: counted[colour] for colour in COLOURS}

    def _overall(self, plans: Sequence[PlanView], *, named: bool) -> str:
        """总体情况 of many plans: counts over all of them and where most is late, not an overview each."""
        soon = self.today + timedelta(days=DUE_SOON_DAYS)
        lookup = self.catalog.lookup
        codes = tuple(p.code for p in plans) if named else None
        tallies = self._tallies(TaskQuery(plans=codes, overdue_on=self.today))
        counts = lookup.all_plan_counts(self.today, soon, plans=codes, overdue=sum(n for _, n in tallies))
        late = tallies[:5]
        facts = texts.OverviewFacts(
            title="",
            region="",
            valid_to=None,
            indicators=lookup.indicator_total(codes),
            indicator_status={},
            colours=None,
            **counts,
        )
        return texts.overall_overview(len(plans), facts, [(self._plan_label(code), n) for code, n in late])

    def _indicator_statuses(self, indicators: Sequence[IndicatorView]) -> dict[str, int]:
        counted: Counter[str] = Counter()
        reports = self.ledger.reports.many((i.plan, i.code) for i in indicators)
        for indicator in indicators:
            report = reports.get((indicator.plan, indicator.code))
            value, as_of = (report.value, report.as_of) if report else (None, self.today)
            counted[assess(indicator, value, as_of).status] += 1
        return {status: counted[status] for status in texts.STATUS_MARKS}

    def _help(self, slots: Slots) -> Answer:
        return Answer("help", texts.HELP, slots)

    def _smalltalk(self, slots: Slots) -> Answer:
        return Answer("smalltalk", texts.THANKS if slots.smalltalk == "thanks" else texts.ACK, slots)

    def _unknown(self, slots: Slots) -> Answer:
        return Answer("unknown", texts.UNKNOWN, slots)


def fitted(answer: Answer) -> Answer:
    """Every reply within a chat platform's length: what does not fit goes to the pages 更多 shows."""
    if len(answer.text) <= texts.MAX_REPLY_CHARS:
        return answer
    lines, kept, size = answer.text.split("\n"), list[str](), 0
    for line in lines:
        if size + len(line) + 1 > texts.MAX_REPLY_CHARS - 100 and kept:
            break
        kept.append(line[: texts.MAX_REPLY_CHARS - 100])
        size += len(kept[-1]) + 1
    if isinstance(answer.rest, Pages):  # a paged list's first page is short; its further pages stay
        return replace(answer, text="\n".join(kept))
    rest = (*lines[len(kept) :], *answer.rest)
    return replace(answer, text="\n".join([*kept, texts.more_hint(len(rest))]), rest=rest)
