"""Pydantic schema of the seed files; every record carries its source (document and section)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

Text = Annotated[str, Field(min_length=1)]
UnitKind = Literal[
    "department",
    "court",
    "procuratorate",
    "police",
    "customs",
    "university",
    "committee",
    "government",
    "other",
]
Comparator = Literal[">", ">=", "<=", "<", "="]
PeriodKind = Literal["per_year", "yearly_average", "level", "growth_rate", "share"]
# How a document states a deadline (seeds/importer/deadlines.py reads them); the date kept with it is the
# day a reminder counts to: a month's, a year's, a half's or a quarter's last day; a start's first day.
DeadlineKind = Literal["date", "month", "year", "half", "quarter", "ongoing", "recurring", "start", "none"]
ONGOING = "长期推进"
NO_DEADLINE = "无"
_MONTH = re.compile(r"^(\d{4})\.(\d{1,2})$")


def _exact_number(value: Any) -> Decimal:
    """Numbers must be written as strings or integers: a YAML float has already lost digits."""
    if isinstance(value, bool | float):
        raise ValueError('数值须写成带引号的字符串（如 "37.66"），避免浮点误差')
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"不是有效数值：{value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"不是有效数值：{value!r}")
    return number


ExactNumber = Annotated[Decimal, BeforeValidator(_exact_number)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Record):
    doc: Text
    section: Text


class UnitRecord(Record):
    name: Text
    kind: UnitKind
    region: Text
    aliases: list[Text] = []
    source: Source


class CollectiveRecord(Record):
    name: Text
    region: Text
    aliases: list[Text] = []
    members: list[Text] = Field(min_length=2)
    source: Source


class UnitsFile(Record):
    units: list[UnitRecord]
    collectives: list[CollectiveRecord] = []


class ReminderSettings(Record):
    """A plan's reminder policy (working days); every field optional, the rest keep the defaults."""

    lead_workdays: list[Annotated[int, Field(ge=1, le=120)]] | None = Field(default=None, min_length=1)
    overdue_every_workdays: Annotated[int, Field(ge=1, le=60)] | None = None
    check_in_month_workday: Annotated[int, Field(ge=1, le=15)] | None = None
    data_request_workday: Annotated[int, Field(ge=1, le=20)] | None = None


class Milestone(Record):
    """One stage of the plan's schedule (五、进度安排), its period as written and as dates."""

    period: Text  # as the document writes it: 2024年3~7月
    start: date
    end: date
    work: Text

    @model_validator(mode="after")
    def _ordered(self) -> Milestone:
        if self.end < self.start:
            raise ValueError("end 早于 start")
        return self


class PlanRecord(Record):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Text
    region: Text
    issuer: Text | None = None
    doc_number: Text | None = None
    status: Text
    issued_on: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    supervising_unit: Text
    reminders: ReminderSettings | None = None  # this plan's own lead times; absent: the defaults
    short_names: list[Text] = []  # what people call the plan (示范区, 鼓楼方案)
    schedule: list[Milestone] = []
    document: Text | None = None  # the full text, a file in seeds/data/docs/, cut into passages on load
    # When the document names no unit per item and the transcription assigns one, how: said with every
    # answer about who is responsible, so an interpretation is never passed off as the text.
    assignment_note: Text | None = None
    # When the document states no 有效期 and valid_from/valid_to are inferred (from its 进度安排), how:
    # said with the validity, so an inference is never passed off as the text.
    validity_note: Text | None = None
    source: Source


class IndicatorRecord(Record):
    code: Text
    name: Text
    region: Text
    unit_of_measure: Text
    comparator: Comparator
    target: ExactNumber
    period_kind: PeriodKind
    baseline: ExactNumber | None = None
    baseline_year: int | None = Field(default=None, ge=1949, le=2100)
    baseline_unit: Text | None = None
    units: list[Text] = Field(min_length=1)
    due: date | None = None
    note: str = ""
    aliases: list[Text] = []  # everyday names (先行所, 质押融资)
    # How often the units report its figure (按月报送 · 每季度统计): data is asked for after each period;
    # absent: after each quarter, as for every indicator before.
    report_rule: Literal["monthly", "quarterly", "half-yearly", "yearly"] | None = None
    source: Source

    @model_validator(mode="after")
    def _baseline_has_year(self) -> IndicatorRecord:
        if (self.baseline is None) != (self.baseline_year is None):
            raise ValueError("baseline 与 baseline_year 须同时给出或同时省略")
        return self


class TaskRecord(Record):
    number: int = Field(ge=1)
    title: Text | None = None
    section: Text | None = None
    content: Text
    featured: bool
    units: list[Text] = Field(min_length=1)  # every responsible unit in written order, the lead first
    # Those of units that cooperate (配合单位 / 协同配合单位), written after the leads; empty in a hand
    # transcription, where the first unit leads and the list does not say more.
    co_units: list[Text] = []
    # How many of units lead, where the document names several 主要责任单位 and no co-units (a co_units
    # list says it otherwise); absent: one, or all but the co_units.
    lead_units: int | None = Field(default=None, ge=1)
    leader: Text | None = None  # 责任领导, as the document names them
    deadline: date | str = NO_DEADLINE
    deadline_text: Text | None = None  # the document's own words (全年, 每季度, 8月底前) when not plain
    deadline_kind: DeadlineKind | None = None  # None: read from deadline (a date, 2025.8, 长期推进)
    deadline_rule: Literal["monthly", "quarterly", "half-yearly", "yearly"] | None = None  # a recurring one
    source: Source

    @model_validator(mode="after")
    def _co_units_follow_the_leads(self) -> TaskRecord:
        leads = len(self.units) - len(self.co_units)
        if self.co_units and (leads < 1 or self.units[leads:] != self.co_units):
            raise ValueError("co_units 须是 units 末尾的那几个单位（牵头单位在前，配合单位在后）")
        if self.lead_units is not None and self.lead_units > (leads if self.co_units else len(self.units)):
            raise ValueError("lead_units 超过了 units 中牵头单位的个数")
        return self

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline_form(cls, value: Any) -> date | str:
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise ValueError('时限须写成带引号的 "2025.8"、"2025-06-30" 或 "长期推进"')
        if value in (ONGOING, NO_DEADLINE) or _MONTH.match(value) or re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            return value
        raise ValueError(f'无法识别的时限：{value!r}（应为 "2025.8"、"2025-06-30"、"长期推进" 或 "无"）')


class ReviewNote(Record):
    where: Text
    what: Text


class PlanFile(Record):
    """One plan document; natural-key uniqueness is checked by the loader, which can name the line. An
    imported plan brings the units it names that the store did not know (reviewed by the office first)."""

    plan: PlanRecord
    units: list[UnitRecord] = []
    collectives: list[CollectiveRecord] = []
    review: list[ReviewNote] = []  # what the import could not read or had to propose: for the office to check
    indicators: list[IndicatorRecord] = []
    tasks: list[TaskRecord] = []
