"""What the bot knows: the catalog (plans in memory, the rest looked up by key), the lexicon over the store's
name index, and the ledgers' current state.

Nothing here grows with the catalog: a unit, task or indicator is read when a question names it (and kept,
bounded), lists are counted and paged by the database. The ledgers change with every report; their state is
looked up per subject and cached until the store says something new was recorded (one cheap query per
message), so a report never makes the next question re-read the whole ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from bot.conversation.names import StoredNames, ensure_name_index
from bot.conversation.passages import PassageIndex
from nlu.lexicon import Lexicon
from store.catalog_lookup import CatalogLookup
from store.catalog_queries import leader_tasks, plan_passages
from store.db import Database
from store.evidence_files import EvidenceFiles
from store.ledger import ReportView, TaskStatusView, ledger_version, reports_for
from store.members import MemberView, list_members
from store.name_index import catalog_version
from store.task_state import fill_missing_task_states, statuses_for
from store.views import IndicatorView, PlanView, TaskView, UnitView

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
MEMO_SIZE = 2_000  # lists remembered per state of the ledgers


def indicator_key(indicator: IndicatorView) -> str:
    return f"{indicator.plan}:{indicator.code}"


class Lookup(Generic[K, V]):
    """A read-only map whose values are loaded when asked for (several at once with `many`)."""

    def __init__(self, load: Callable[[list[K]], dict[K, V]]) -> None:
        self._load = load

    def many(self, keys: Iterable[K]) -> dict[K, V]:
        return self._load(list(dict.fromkeys(keys)))

    def get(self, key: K, default: V | None = None) -> V | None:
        return self._load([key]).get(key, default)

    def __getitem__(self, key: K) -> V:
        found = self._load([key])
        if key not in found:
            raise KeyError(key)
        return found[key]

    def __contains__(self, key: object) -> bool:
        return key in self._load([key])  # type: ignore[list-item]


class CachedLookup(Lookup[K, V]):
    """A Lookup that remembers what it loaded (for one state of the ledgers)."""

    def __init__(self, load: Callable[[list[K]], dict[K, V]]) -> None:
        super().__init__(self._cached)
        self._source = load
        self._known: dict[K, V | None] = {}

    def _cached(self, keys: list[K]) -> dict[K, V]:
        missing = [k for k in keys if k not in self._known]
        if missing:
            loaded = self._source(missing)
            self._known.update((k, loaded.get(k)) for k in missing)
        return {k: v for k in keys if (v := self._known[k]) is not None}


@dataclass(frozen=True)
class Catalog:
    """Plans by code in memory; units, tasks and indicators looked up by name, (plan, number), "plan:code"."""

    lookup: CatalogLookup
    plans: dict[str, PlanView]
    units: Lookup[str, UnitView]
    tasks: Lookup[tuple[str, int], TaskView]
    indicators: Lookup[str, IndicatorView]

    @classmethod
    def load(cls, db: Database) -> Catalog:
        lookup = CatalogLookup(db)
        return cls(
            lookup=lookup,
            plans=lookup.plans,
            units=Lookup(lookup.units),
            tasks=Lookup(lookup.tasks),
            indicators=Lookup(lookup.indicators),
        )

    def with_delays(self, statuses: Lookup[tuple[str, int], TaskStatusView]) -> Catalog:
        """The catalog with each approved delay's date as the task's deadline: every answer follows it."""

        def load(keys: list[tuple[str, int]]) -> dict[tuple[str, int], TaskView]:
            found = self.tasks.many(keys)
            moved = statuses.many(k for k in found)
            return {
                k: replace(t, deadline=s.deadline) if (s := moved.get(k)) and s.deadline is not None else t
                for k, t in found.items()
            }

        return replace(self, tasks=Lookup(load))


@dataclass
class LedgerState:
    """The ledgers as of one version: latest reports, task statuses and members, each read when asked."""

    version: tuple[int, int, int] = (-1, -1, -1)
    reports: Lookup[tuple[str, str], ReportView] = field(default_factory=lambda: Lookup(lambda keys: {}))
    statuses: Lookup[tuple[str, int], TaskStatusView] = field(default_factory=lambda: Lookup(lambda keys: {}))
    members: Lookup[tuple[str, str], MemberView] = field(default_factory=lambda: Lookup(lambda keys: {}))
    # what units holding an indicator together reported each, also where no standing value follows
    breakdowns: Lookup[tuple[str, str], ReportView] = field(default_factory=lambda: Lookup(lambda keys: {}))

    memo: dict[Hashable, Any] = field(default_factory=dict)  # lists already counted in this state

    @classmethod
    def read(cls, db: Database, version: tuple[int, int, int]) -> LedgerState:
        roster: list[dict[tuple[str, str], MemberView]] = []

        def members(keys: list[tuple[str, str]]) -> dict[tuple[str, str], MemberView]:
            if not roster:  # people, not the catalog: read whole, once per state
                roster.append({(m.platform, m.user_id): m for m in list_members(db)})
            return {k: roster[0][k] for k in keys if k in roster[0]}

        every: CachedLookup[tuple[str, str], ReportView] = CachedLookup(lambda keys: reports_for(db, keys))
        return cls(
            version,
            Lookup(lambda keys: {k: v for k, v in every.many(keys).items() if v.standing}),
            CachedLookup(lambda keys: statuses_for(db, keys)),
            Lookup(members),
            breakdowns=every,
        )

    def remembered(self, key: Hashable, compute: Callable[[], V]) -> V:
        """A list's figures as of this state of the ledgers: the same question asked again reads nothing."""
        if key not in self.memo:
            if len(self.memo) >= MEMO_SIZE:
                self.memo.pop(next(iter(self.memo)))
            self.memo[key] = compute()
        return self.memo[key]  # type: ignore[no-any-return]


class Knowledge:
    """The catalog, its lexicon and the ledgers' state for one database."""

    def __init__(
        self, db: Database, *, evidence: EvidenceFiles | None = None, imports: Path | None = None
    ) -> None:
        self.db = db
        self.evidence = evidence  # where 佐证材料 are kept; None: files sent in chat are not accepted
        self.imports = imports  # where plan documents sent in chat and their drafts go; None: not accepted
        self.reload_catalog()

    def reload_catalog(self) -> None:
        """Read the catalog and its names afresh: at start, after a plan was loaded in chat, and when another
        process (another bot, `duban plans apply`) changed the catalog."""
        self._catalog_version = catalog_version(self.db)[0]
        meta = ensure_name_index(self.db)
        fill_missing_task_states(self.db)
        self.catalog = Catalog.load(self.db)
        self.lexicon = Lexicon(StoredNames(self.db, self.catalog.lookup, meta))
        self.leaders = leader_tasks(self.db)  # 责任领导 → their tasks (imported plans name them)
        self._passages: PassageIndex | None = None
        # lists remembered per ledger state were counted over the old catalog (a withdrawn task, a moved
        # deadline): read afresh
        self._ledger = LedgerState()

    def passages(self) -> PassageIndex:
        """The plans' text, indexed on first use (most messages never search it)."""
        if self._passages is None:
            self._passages = PassageIndex(plan_passages(self.db))
        return self._passages

    def ledger(self) -> LedgerState:
        """The ledgers as of now: the same state (and what it has read) until a row is added; the catalog
        read again first if it changed since (a plan loaded by another process is answered at once)."""
        if catalog_version(self.db)[0] != self._catalog_version:
            self.reload_catalog()
        version = ledger_version(self.db)
        if version != self._ledger.version:
            self._ledger = LedgerState.read(self.db, version)
        return self._ledger
