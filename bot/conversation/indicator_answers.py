"""Answers about indicators: progress, target and baseline, who is responsible, the list of a plan."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

from bot.conversation import texts
from bot.conversation.answer_base import Answer, AnswerBase, Option
from bot.conversation.knowledge import indicator_key
from bot.conversation.passages import sentence_asked
from bot.conversation.progress import assess, expected_by
from nlu.intents import IntentName, Slots
from nlu.lexicon import compact
from store.ledger import ReportView
from store.views import IndicatorView


class IndicatorAnswers(AnswerBase):
    def _indicator_progress(self, slots: Slots) -> Answer:
        if self._asks_a_past_year(slots) and "progress" not in slots.aspects:
            return self._indicator_target(slots)
        year = self._past_year_asked(slots)

        with_baseline = "baseline" in slots.aspects

        def render(indicator: IndicatorView) -> str:
            # 结案率现在多少，23年是多少: now, and the year asked as far as the plan states it
            text = self._progress_text(indicator)
            if with_baseline and "基线：" not in text:  # 还差多少，基数多少: both
                text += "\n" + texts.baseline_line(self._indicator_facts(indicator))
            if "explain" in slots.aspects and indicator.note:  # 数据以什么为准: the 指标说明 as well
                text += "\n" + texts.note_line(indicator.note)
            return text if year is None else f"{text}\n{self._year_line(indicator, year)}"

        return self._with_indicator("indicator_progress", slots, render)

    def _year_line(self, indicator: IndicatorView, year: int) -> str:
        if indicator.baseline is not None and indicator.baseline_year == year:
            return texts.baseline_of_year(year, texts.quantity(indicator.baseline, indicator.unit_of_measure))
        return texts.not_stated(f"{year}年的数据")

    def _indicator_target(self, slots: Slots) -> Answer:
        year = self._past_year_asked(slots)
        full_note = "explain" in slots.aspects

        def render(indicator: IndicatorView) -> str:
            text = self._target_text(indicator, full_note=full_note)
            if year is not None and indicator.baseline_year != year:
                text += "\n" + texts.not_stated(f"{year}年的数据")
            return text

        return self._with_indicator("indicator_target", slots, render)

    def _past_year_asked(self, slots: Slots) -> int | None:
        if slots.window is None or not self._asks_a_past_year(slots):
            return None
        return slots.window.year_from(self.today.year)

    def _asks_a_past_year(self, slots: Slots) -> bool:
        """有效注册商标23年底多少: a year before this one asks for the figure then, which only the baseline
        (2023年末) can give; a deadline window is something else."""
        window = slots.window
        return (
            window is not None
            and window.kind in ("in_year", "in_month")
            and window.year_from(self.today.year) < self.today.year
        )

    def _with_indicator(
        self, intent: IntentName, slots: Slots, render: Callable[[IndicatorView], str]
    ) -> Answer:
        if not slots.indicators:
            return Answer(intent, texts.NEED_SUBJECT, slots)
        if len(slots.indicators) > _MANY:  # 专利授权量 in 2,500 plans: narrowed before any is read
            narrowed = self._narrowed(intent, slots)
            if isinstance(narrowed, Answer):
                return narrowed
            candidates = narrowed
        else:
            found = self.catalog.indicators.many(slots.indicators)
            candidates = [found[k] for k in slots.indicators if k in found]
        if slots.regions:
            in_region = [i for i in candidates if i.region in slots.regions]
            if not in_region:
                return self._outside_region(intent, slots, candidates, render)
            candidates = in_region
        hinted = [i for i in candidates if i.region in slots.hint_regions]
        if len(candidates) > 1 and hinted:
            candidates = hinted
        targeted = [i for i in candidates if i.target in _numbers(self.question)]
        if len(candidates) > 1 and len(targeted) == 1:
            candidates = targeted  # 质押融资达到135亿还差多少: only one of them aims at 135
        if slots.keyword and 1 < len(candidates) <= KEYWORD_ANSWERS:
            # 商标的指标完成得怎么样: every indicator the word names, not a choice among them
            text = "\n\n".join(render(i) for i in candidates)
            # 示范区那个 next picks one of them, as it would a numbered choice
            options = tuple(
                Option(
                    f"【{i.region}】{i.name}",
                    intent,
                    replace(slots, regions=(i.region,), indicators=(indicator_key(i),), keyword=None),
                )
                for i in candidates
            )
            every = replace(slots, indicators=tuple(indicator_key(i) for i in candidates))
            return Answer(intent, text, every, options=options)
        if len(candidates) > 1:
            return self._indicator_choice(intent, slots, candidates)
        answered = candidates[0]
        text = render(answered)
        noted = sentence_asked(self.question, answered.note, (answered.name, *answered.aliases))
        if noted and noted not in text:  # 先行所要覆盖几个县市区: the 指标说明 says 13 个县（市）区
            text += "\n" + texts.note_excerpt(noted)
        counted = slots.counted
        if counted and not any(counted in compact(n) for n in (answered.name, *answered.aliases)):
            # 每个先行所要配几个专职人员: the indicator counts 先行所, not what was asked
            text = f"{texts.not_stated(f'{counted}的数量')}{texts.KIN_INDICATOR}\n\n{text}"
        elif slots.qualified and slots.qualified[0] not in compact(answered.name):
            # 仲裁联络点 answered by 公安知识产权企业联络点 would be a near miss passed off as the answer
            text = f"{texts.not_stated(f'“{slots.qualified[1]}”')}{texts.KIN_INDICATOR}\n\n{text}"
        return Answer(intent, text, replace(slots, regions=(answered.region,)))

    def _narrowed(self, intent: IntentName, slots: Slots) -> list[IndicatorView] | Answer:
        """Of a name many plans share, those of the regions asked (or talked about); with none named, a
        choice of the first few and how to narrow it down, read without the rest."""
        keys = slots.indicators
        for regions in (slots.regions, () if slots.regions else slots.hint_regions):
            local = self._in_regions(keys, regions) if regions else []
            if local:
                return local
        if slots.regions or _numbers(self.question):
            found = self.catalog.indicators.many(keys)
            return [found[k] for k in keys if k in found]
        first = self.catalog.indicators.many(keys[: texts.MAX_OPTIONS])
        return self._indicator_choice(intent, slots, [first[k] for k in keys if k in first], len(keys))

    def _in_regions(self, keys: Sequence[str], regions: Sequence[str]) -> list[IndicatorView]:
        order = {key: i for i, key in enumerate(keys)}
        found = [
            i for i in self.catalog.lookup.indicators_in_regions(regions) if f"{i.plan}:{i.code}" in order
        ]
        return sorted(found, key=lambda i: order[f"{i.plan}:{i.code}"])

    def _outside_region(
        self,
        intent: IntentName,
        slots: Slots,
        candidates: Sequence[IndicatorView],
        render: Callable[[IndicatorView], str],
    ) -> Answer:
        """An indicator asked of a region whose plan lacks it: said so, with the region's own kin if it
        has one, or the region's part in the city's indicator."""
        region = slots.regions[0]
        text = texts.no_indicator_in_region(
            region, [i.name for i in candidates], [i.region for i in candidates]
        )
        kin = self._kin(candidates, slots.regions)
        if len(kin) == 1:
            # 那鼓楼呢 after the city's 质押融资: 鼓楼's 专利质押贷款额度, said to be another indicator.
            key = f"{kin[0].plan}:{kin[0].code}"
            subject = replace(slots, indicators=(key,), regions=(kin[0].region,))
            return Answer(intent, f"{text}\n{texts.KIN_INDICATOR}\n\n{render(kin[0])}", subject)
        if len(candidates) == 1 and self._shares(candidates[0], region):
            # 仓山区要建几个先行所: a member of the collective that holds the city's indicator
            subject = replace(slots, regions=(candidates[0].region,))
            return Answer(intent, f"{texts.no_district_share(region)}\n\n{render(candidates[0])}", subject)
        return Answer(intent, text, slots)

    def _shares(self, indicator: IndicatorView, region: str) -> bool:
        return any(u.region == region for u in self.catalog.units.many(indicator.units).values())

    def _kin(self, indicators: Sequence[IndicatorView], regions: Sequence[str]) -> list[IndicatorView]:
        """Indicators of the regions asked that go by one of the same everyday names."""
        names = {a for i in indicators for a in i.aliases}
        if not names:
            return []
        return [i for i in self.catalog.lookup.indicators_in_regions(regions) if names & set(i.aliases)]

    def _indicator_choice(
        self, intent: IntentName, slots: Slots, candidates: Sequence[IndicatorView], total: int = 0
    ) -> Answer:
        shown = candidates[: texts.MAX_OPTIONS]
        labels = [f"【{i.region}】{i.name}" for i in shown]
        alike = len(set(labels)) < len(labels)  # several plans of one region: the plan tells them apart
        if alike:
            titles = [self.catalog.plans[i.plan].title for i in shown]
            labels = [f"{label}（{title}）" for label, title in zip(labels, titles, strict=True)]
        options = tuple(
            Option(
                label, intent, replace(slots, regions=(i.region,), indicators=self._chosen(slots, i, alike))
            )
            for label, i in zip(labels, shown, strict=True)
        )
        text = texts.choose([o.label for o in options], max(total, len(candidates)))
        return Answer(intent, text, slots, options=options)

    @staticmethod
    def _chosen(slots: Slots, indicator: IndicatorView, alike: bool) -> tuple[str, ...]:
        """What choosing an option pins down: the region, or where regions repeat, the indicator itself."""
        return (f"{indicator.plan}:{indicator.code}",) if alike else slots.indicators

    def _progress_text(self, indicator: IndicatorView) -> str:
        facts = self._indicator_facts(indicator)
        report = self.ledger.reports.get((indicator.plan, indicator.code))
        as_of = report.as_of if report else self.today
        progress = assess(indicator, report.value if report else None, as_of)
        expected = (
            expected_by(indicator, as_of)
            if indicator.period_kind in ("per_year", "yearly_average", "level")
            else None
        )
        status = texts.STATUS_MARKS[progress.status]
        if progress.status == "at_risk" and indicator.due is not None and as_of > indicator.due:
            status = texts.PAST_DUE_MARK
        if report is not None and report.summed and report.missing:
            status = texts.INCOMPLETE_SUM  # two districts of fourteen: a part, not the city's standing
        text = texts.indicator_progress(
            facts,
            self.today,
            (
                (texts.SUMMED_VALUE if report.summed else "")
                + texts.quantity(report.value, indicator.unit_of_measure),
                report.as_of,
                texts.SUMMED_PARTS if report.summed else texts.reporter(report.reporter, report.unit),
            )
            if report
            else None,
            progress.percent_of_target,
            self._gap(indicator, report.value) if report else None,
            (texts.expected_quantity(expected, indicator.unit_of_measure), as_of)
            if expected is not None
            else None,
            status,
        )
        return text + self._breakdown(indicator, self.ledger.breakdowns.get((indicator.plan, indicator.code)))

    def _breakdown(self, indicator: IndicatorView, report: ReportView | None) -> str:
        """仓山 2 个、鼓楼 3 个: each unit's own part of an indicator held together, and who has not yet."""
        if report is None or not report.parts:
            return ""
        parts = [
            (p.unit or "", texts.quantity(p.value, indicator.unit_of_measure), p.as_of) for p in report.parts
        ]
        lines = [texts.parts_line(parts)]
        if report.missing:
            lines.append(texts.missing_line(report.missing))
        return "\n" + "\n".join(lines)

    def _gap(self, indicator: IndicatorView, value: Decimal) -> str:
        """还差多少: what is missing to the target, or that it is reached."""
        ceiling = indicator.comparator in texts.CEILINGS
        missing = value - indicator.target if ceiling else indicator.target - value
        reached = missing < 0 or (missing == 0 and indicator.comparator not in (">", "<"))
        return texts.gap_text(None if reached else missing, indicator.unit_of_measure, indicator.comparator)

    def _target_text(self, indicator: IndicatorView, *, full_note: bool = False) -> str:
        return texts.indicator_target(self._indicator_facts(indicator), self.today, full_note=full_note)

    def _indicator_units_text(self, indicator: IndicatorView) -> str:
        return texts.indicator_responsible(
            self._indicator_facts(indicator), self._collective_sizes(indicator.assigned)
        )

    def _indicator_facts(self, indicator: IndicatorView) -> texts.IndicatorFacts:
        baseline_unit = indicator.baseline_unit or indicator.unit_of_measure
        return texts.IndicatorFacts(
            name=indicator.name,
            region=indicator.region,
            plan_title=self.catalog.plans[indicator.plan].title,
            code=indicator.code,
            target=texts.target_text(
                indicator.comparator, indicator.target, indicator.unit_of_measure, indicator.period_kind
            ),
            due=indicator.due,
            baseline=texts.quantity(indicator.baseline, baseline_unit)
            if indicator.baseline is not None
            else None,
            baseline_year=indicator.baseline_year,
            units=indicator.assigned,
            note=indicator.note,
        )

    def _indicator_list(self, slots: Slots) -> Answer:
        """A plan's indicators, or a unit's (我们单位的指标), with their progress when asked."""
        named = set(slots.indicators)  # 跟商标有关的指标: those the word names, in their plans
        # the heading says what picked them: one word (与“商标”有关的), else the names asked (问到的)
        picked_by = (slots.keyword if len(slots.indicator_groups) == 1 else "") if named else None
        if named:
            codes = {key.split(":", 1)[0] for key in named}
            if slots.regions:  # 鼓楼跟商标有关的指标: of that place's plans only
                codes &= {
                    p.code for r in slots.regions for p in self.catalog.lookup.plans_by_region.get(r, ())
                }
            if slots.plans:  # …then 示范区那个: of the plan named
                codes &= set(slots.plans)
            left = [key for key in slots.indicators if key.split(":", 1)[0] in codes]
            if (slots.plans or slots.regions) and len(left) == 1 and not slots.listing:
                # 商标的指标 → 示范区那个: the place picks one of those listed, which is what is asked about
                return self._indicator_progress(replace(slots, indicators=(left[0],), indicator_groups=()))
            slots = replace(slots, plans=tuple(c for c in self.catalog.plans if c in codes), regions=())
        plans = self._plans_in(slots) or list(self.catalog.plans.values())
        members = self._members_of(slots.units)
        if not members and len(plans) > texts.MAX_PLANS_LISTED:
            plans = plans[: texts.MAX_PLANS_LISTED]
            omitted = len(self._plans_in(slots) or self.catalog.plans) - len(plans)
        else:
            omitted = 0
        held = self.catalog.lookup.indicators_of_units(slots.units) if members else None
        of_plans = self.catalog.lookup.indicators_of_plans([p.code for p in plans]) if not members else []
        lines: list[str] = []
        for plan in plans:
            indicators = [
                i
                for i in (held if held is not None else of_plans)
                if i.plan == plan.code
                and (not members or members & {*i.units, *i.assigned})
                and (slots.baseline_is is None or i.baseline == Decimal(slots.baseline_is))
                and (not named or indicator_key(i) in named)
            ]
            if slots.baseline_is is not None and not indicators:
                continue  # 基数是0的指标: a plan with none has nothing to list
            if members and not indicators:
                continue
            lines.append(
                texts.indicator_list_heading(
                    plan.title,
                    plan.region,
                    len(indicators),
                    "、".join(slots.units),
                    slots.baseline_is,
                    picked_by,
                )
            )
            # a unit's own indicators (我院指标) say where they stand: that is what its staff ask for
            with_progress = "progress" in slots.aspects or bool(members)
            lines.extend(self._indicator_row(n, i, with_progress) for n, i in enumerate(indicators, 1))
        if not lines and slots.baseline_is is not None:
            return Answer("indicator_list", texts.no_baseline_of(slots.baseline_is), slots)
        if not lines:
            return Answer("indicator_list", texts.no_indicators("、".join(slots.units)), slots)
        if omitted:
            lines.append(texts.too_many_plans(omitted + len(plans), len(plans)))
        return self._paged("indicator_list", slots, [lines[0]], lines[1:])

    def _members_of(self, units: Sequence[str]) -> set[str]:
        found = self.catalog.units.many(units)
        return {m for name in units for m in (name, *(found[name].members if name in found else ()))}

    def _indicator_row(self, n: int, indicator: IndicatorView, with_progress: bool) -> str:
        target = texts.target_text(
            indicator.comparator, indicator.target, indicator.unit_of_measure, indicator.period_kind
        )
        if not with_progress:
            return texts.indicator_line(n, indicator.name, target)
        report = self.ledger.reports.get((indicator.plan, indicator.code))
        progress = assess(indicator, report.value if report else None, report.as_of if report else self.today)
        latest = (texts.quantity(report.value, indicator.unit_of_measure), report.as_of) if report else None
        # with nothing reported, where it started (基线 95%（2023年）), as the single answer says it
        baseline = None if report else texts.baseline_short(self._indicator_facts(indicator))
        return texts.indicator_progress_line(
            n,
            indicator.name,
            target,
            latest,
            progress.percent_of_target,
            texts.STATUS_MARKS[progress.status],
            baseline,
        )


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MANY = 50  # candidates beyond which an indicator name is narrowed down before its views are read


def _numbers(text: str) -> set[Decimal]:
    return {Decimal(n) for n in _NUMBER.findall(text)}


KEYWORD_ANSWERS = 3  # indicators a word names that are answered together; more are offered as a choice
