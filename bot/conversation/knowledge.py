"""What the bot knows: the catalog as views and a lexicon built from it, plus the ledgers' current state.

The catalog changes only when seeds are applied, so it is read once; the ledgers change with every report,
so their state is re-read whenever the store says something new was recorded (one cheap query per message).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.conversation.passages import PassageIndex
from nlu.lexicon import CatalogNames, IndicatorName, Lexicon, PlanName, TaskText, UnitName
from store.catalog_queries import load_catalog_views, plan_passages
from store.db import Database
from store.ledger import ReportView, TaskStatusView, latest_reports, ledger_version, task_statuses
from store.members import MemberView, list_members
from store.views import IndicatorView, PlanView, TaskView, UnitView


def indicator_key(indicator: IndicatorView) -> str:
    return f"{indicator.plan}:{indicator.code}"


@dataclass(frozen=True)
class Catalog:
    plans: dict[str, PlanView]
    units: dict[str, UnitView]
    tasks: dict[tuple[str, int], TaskView]
    indicators: dict[str, IndicatorView]  # by "plan:code"

    @classmethod
    def load(cls, db: Database) -> Catalog:
        views = load_catalog_views(db)
        return cls(
            plans={p.code: p for p in views.plans},
            units={u.name: u for u in views.units},
            tasks={(t.plan, t.number): t for t in views.tasks},
            indicators={indicator_key(i): i for i in views.indicators},
        )

    def names(self) -> CatalogNames:
        # The city plan's 附件1 numbers its tasks 1-42 and gives them no titles; the Gulou draft titles its
        # work items and numbers them only within sections, so "任务7" can only mean a plan of untitled tasks.
        sectioned = {t.plan for t in self.tasks.values() if t.title}
        return CatalogNames(
            indicators=tuple(
                IndicatorName(key, i.name, i.region, i.plan, i.aliases) for key, i in self.indicators.items()
            ),
            units=tuple(UnitName(u.name, u.aliases, u.region) for u in self.units.values()),
            plans=tuple(
                PlanName(p.code, p.title, p.region, p.code not in sectioned, p.short_names)
                for p in self.plans.values()
            ),
            tasks=tuple(
                TaskText(t.plan, t.number, f"{t.title or ''}{t.content}", t.section)
                for t in self.tasks.values()
            ),
        )


@dataclass
class LedgerState:
    version: tuple[int, int, int] = (-1, -1, -1)
    reports: dict[tuple[str, str], ReportView] = field(default_factory=dict)
    statuses: dict[tuple[str, int], TaskStatusView] = field(default_factory=dict)
    members: dict[tuple[str, str], MemberView] = field(default_factory=dict)  # by (platform, user id)


class Knowledge:
    """The catalog, its lexicon and the ledgers' state for one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.catalog = Catalog.load(db)
        self.lexicon = Lexicon(self.catalog.names())
        self._ledger = LedgerState()
        self._passages: PassageIndex | None = None

    def passages(self) -> PassageIndex:
        """The plans' text, indexed on first use (most messages never search it)."""
        if self._passages is None:
            self._passages = PassageIndex(plan_passages(self.db))
        return self._passages

    def ledger(self) -> LedgerState:
        """The ledgers as of now; re-read only when a row was added since the last look."""
        version = ledger_version(self.db)
        if version != self._ledger.version:
            members = {(m.platform, m.user_id): m for m in list_members(self.db)}
            self._ledger = LedgerState(version, latest_reports(self.db), task_statuses(self.db), members)
        return self._ledger
