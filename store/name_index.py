"""The lookup index of the catalog's names and task wording, kept in the database.

The parser asks which of the catalog's names occur in a question, which names a one-character typo could
stand for, and which tasks a question quotes. At national scale (50,000 units, 150,000 tasks) holding all of
that in every process cost gigabytes and half a minute at start-up, so the terms are derived once — when the
catalog changes (`duban init`) — and stored here, and a question looks up only what its own characters can
match. The terms themselves are derived by the language side (`nlu.lexicon`, through `bot`); this module only
stores them and answers lookups, returning plain rows.

- name_term: every name term (compact form) with the entry it denotes, in derivation order (id); `head`, its
  first HEAD characters, is what a question's substrings are looked up by;
- name_mask: each CJK term under each one-character mask (市检?院), for typos;
- wording / task_wording / wording_pair: each distinct task wording, the tasks that use it (in catalog order,
  `seq`), and its character pairs with how many wordings hold each (`wording_pair_count`);
- index_version: which catalog version the index was built from, and what the parser needs at start.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from store.db import Database
from store.models import (
    IndexVersion,
    NameCore,
    NameMask,
    NameTerm,
    Plan,
    Task,
    TaskWording,
    Wording,
    WordingPair,
    WordingPairCount,
)

HEAD = 6  # characters of a term its lookup key holds: 第00528号 is one unit's, not ten thousand's
CHUNK = 5_000
CATALOG = "catalog"  # bumped whenever seeds change the catalog
NAMES = "names"  # the catalog version the name index was built from

_term: Table = NameTerm.__table__  # type: ignore[attr-defined]
_mask: Table = NameMask.__table__  # type: ignore[attr-defined]
_core: Table = NameCore.__table__  # type: ignore[attr-defined]
_wording: Table = Wording.__table__  # type: ignore[attr-defined]
_task_wording: Table = TaskWording.__table__  # type: ignore[attr-defined]
_pair: Table = WordingPair.__table__  # type: ignore[attr-defined]
_pair_count: Table = WordingPairCount.__table__  # type: ignore[attr-defined]
_version: Table = IndexVersion.__table__  # type: ignore[attr-defined]
_task: Table = Task.__table__  # type: ignore[attr-defined]
_plan: Table = Plan.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class TermRow:
    term: str
    kind: str
    key: str


@dataclass(frozen=True)
class WordingRow:
    """A distinct task wording (compact) with its character pairs and the tasks that use it."""

    id: int
    text: str
    tasks: tuple[tuple[str, int, int], ...]  # (plan code, number, seq) in catalog order
    count: int  # tasks using it


@dataclass(frozen=True)
class IndexMeta:
    version: int
    size: int  # distinct terms
    masked_lengths: tuple[int, ...]
    sectioned_plans: frozenset[str]  # plans whose work items have titles (numbered within sections)
    rules: str = ""  # the version of the rules that derived the terms; other rules, other terms


def head(term: str) -> str:
    return term[:HEAD]


def catalog_version(db: Database) -> tuple[int, int | None]:
    """(the catalog's version, the version the name index was built from or None)."""
    with db.engine.connect() as connection:
        rows = dict(connection.execute(select(_version.c.name, _version.c.version)).all())
    return int(rows.get(CATALOG, 0)), rows.get(NAMES)


def bump_catalog_version(connection: Connection) -> None:
    """The catalog changed: the name index must be rebuilt before it is used."""
    current = connection.execute(select(_version.c.version).where(_version.c.name == CATALOG)).scalar()
    if current is None:
        connection.execute(insert(_version), [{"name": CATALOG, "version": 1, "meta": "{}"}])
    else:
        connection.execute(update(_version).where(_version.c.name == CATALOG).values(version=current + 1))


def index_meta(db: Database) -> IndexMeta | None:
    with db.engine.connect() as connection:
        row = connection.execute(select(_version).where(_version.c.name == NAMES)).first()
    if row is None:
        return None
    meta = json.loads(row.meta)
    return IndexMeta(
        int(row.version),
        int(meta["size"]),
        tuple(meta["masked_lengths"]),
        frozenset(meta["sectioned_plans"]),
        str(meta.get("rules", "")),
    )


def current_size(connection: Connection, rules: str) -> int | None:
    """The index's term count if, as this transaction sees it, it was built from the catalog as it is now
    under these rules (another process built it while this one was deriving its terms); else None."""
    rows = {r.name: r for r in connection.execute(select(_version))}
    built, catalog = rows.get(NAMES), rows.get(CATALOG)
    if built is None or built.version != (catalog.version if catalog else 0):
        return None
    meta = json.loads(built.meta)
    return int(meta["size"]) if meta.get("rules") == rules else None


class IndexWriter:
    """Replaces the whole index in one transaction; rows are written in chunks as they are produced. Open it
    holding NAME_INDEX_LOCK (store.locks), after checking `current_size`: two builds at once would collide."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.terms: list[dict[str, object]] = []
        self.masks: list[dict[str, object]] = []
        self.next_term = 0
        self.next_mask = 0
        self.cores: list[dict[str, object]] = []
        self.next_core = 0
        for table in (_pair_count, _pair, _task_wording, _wording, _mask, _core, _term):
            connection.execute(delete(table))

    def term(self, term: str, kind: str, key: str) -> None:
        self.next_term += 1
        self.terms.append({"id": self.next_term, "term": term, "head": head(term), "kind": kind, "key": key})
        if len(self.terms) >= CHUNK:
            self.flush()

    def mask(self, mask: str, term: str) -> None:
        self.next_mask += 1
        self.masks.append({"id": self.next_mask, "mask": mask, "term": term})
        if len(self.masks) >= CHUNK:
            self.flush()

    def core(self, core: str, key: str) -> None:
        self.next_core += 1
        self.cores.append({"id": self.next_core, "core": core, "head": head(core), "key": key})
        if len(self.cores) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for table, rows in ((_term, self.terms), (_mask, self.masks), (_core, self.cores)):
            if rows:
                self.connection.execute(insert(table), rows)
                rows.clear()

    def wordings(
        self, wordings: dict[str, int], uses: Sequence[tuple[int, int, int]], pairs: dict[str, set[int]]
    ) -> None:
        """wordings: text -> id; uses: (task id, wording id, seq); pairs: pair -> wording ids."""
        rows = [{"id": i, "text": t} for t, i in wordings.items()]
        for start in range(0, len(rows), CHUNK):
            self.connection.execute(insert(_wording), rows[start : start + CHUNK])
        links = [{"task_id": t, "wording_id": w, "seq": s} for t, w, s in uses]
        for start in range(0, len(links), CHUNK):
            self.connection.execute(insert(_task_wording), links[start : start + CHUNK])
        postings = [{"pair": p, "wording_id": w} for p, ids in pairs.items() for w in sorted(ids)]
        for start in range(0, len(postings), CHUNK):
            self.connection.execute(insert(_pair), postings[start : start + CHUNK])
        counts = [{"pair": p, "wordings": len(ids)} for p, ids in pairs.items()]
        for start in range(0, len(counts), CHUNK):
            self.connection.execute(insert(_pair_count), counts[start : start + CHUNK])

    def finish(
        self,
        version: int,
        size: int,
        masked_lengths: Iterable[int],
        sectioned: Iterable[str],
        rules: str = "",
    ) -> None:
        self.flush()
        meta = json.dumps(
            {"size": size, "masked_lengths": sorted(set(masked_lengths), reverse=True),
             "sectioned_plans": sorted(set(sectioned)), "rules": rules},
            ensure_ascii=False,
        )  # fmt: skip
        self.connection.execute(delete(_version).where(_version.c.name == NAMES))
        self.connection.execute(insert(_version), [{"name": NAMES, "version": version, "meta": meta}])


def terms_by_head(connection: Connection, heads: Collection[str]) -> list[tuple[int, str, str, str]]:
    """(id, term, kind, key) of every term whose head is one of these, in derivation order."""
    found: list[tuple[int, str, str, str]] = []
    wanted = list(heads)
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(_term.c.id, _term.c.term, _term.c.kind, _term.c.key).where(
                _term.c.head.in_(wanted[start : start + 500])
            )
        )
        found.extend((int(i), str(t), str(k), str(e)) for i, t, k, e in rows)
    found.sort()
    return found


def cores_by_head(connection: Connection, heads: Collection[str]) -> list[tuple[int, str, str]]:
    """(id, core, indicator key) of every core whose head is one of these, in derivation order."""
    found: list[tuple[int, str, str]] = []
    wanted = list(heads)
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(_core.c.id, _core.c.core, _core.c.key).where(_core.c.head.in_(wanted[start : start + 500]))
        )
        found.extend((int(i), str(c), str(k)) for i, c, k in rows)
    found.sort()
    return found


def distinct_terms(connection: Connection, kind: str) -> list[str]:
    """Every distinct term of this kind (indicator names: a few per distinct indicator name, not per plan)."""
    rows = connection.execute(select(_term.c.term).where(_term.c.kind == kind).distinct())
    return [str(term) for (term,) in rows]


def keys_of_terms(connection: Connection, kind: str, terms: Collection[str], limit: int) -> tuple[str, ...]:
    """The first keys of this kind, in derivation order, that these terms denote (looked up by head)."""
    wanted = list(terms)
    rows = connection.execute(
        select(_term.c.key, func.min(_term.c.id).label("first"))
        .where(_term.c.head.in_({head(t) for t in wanted}), _term.c.term.in_(wanted), _term.c.kind == kind)
        .group_by(_term.c.key)
        .order_by("first")
        .limit(limit)
    )
    return tuple(str(key) for key, _ in rows)


def all_terms(connection: Connection) -> list[tuple[int, str, str, str]]:
    rows = connection.execute(
        select(_term.c.id, _term.c.term, _term.c.kind, _term.c.key).order_by(_term.c.id)
    )
    return [(int(i), str(t), str(k), str(e)) for i, t, k, e in rows]


def masked_terms(connection: Connection, masks: Collection[str]) -> list[tuple[str, str]]:
    """(mask, term) for these masks, in derivation order."""
    found: list[tuple[int, str, str]] = []
    wanted = list(masks)
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(_mask.c.id, _mask.c.mask, _mask.c.term).where(
                _mask.c.mask.in_(wanted[start : start + 500])
            )
        )
        found.extend((int(i), str(m), str(t)) for i, m, t in rows)
    return [(m, t) for _, m, t in sorted(found)]


def all_masks(connection: Connection) -> list[tuple[str, str]]:
    return [
        (str(m), str(t))
        for m, t in connection.execute(select(_mask.c.mask, _mask.c.term).order_by(_mask.c.id))
    ]


def count_terms(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(_term)).scalar_one())


def pair_counts(connection: Connection, pairs: Collection[str]) -> dict[str, int]:
    rows = connection.execute(
        select(_pair_count.c.pair, _pair_count.c.wordings).where(_pair_count.c.pair.in_(list(pairs)))
    )
    return {str(p): int(n) for p, n in rows}


def wordings_with(connection: Connection, pairs: Collection[str], cap: int) -> list[int]:
    """Ids of the wordings holding any of these pairs, at most cap of them (lowest ids first)."""
    rows = connection.execute(
        select(_pair.c.wording_id)
        .where(_pair.c.pair.in_(list(pairs)))
        .distinct()
        .order_by(_pair.c.wording_id)
        .limit(cap)
    )
    return [int(i) for i in rows.scalars()]


def wording_rows(connection: Connection, ids: Collection[int], per_wording: int) -> list[WordingRow]:
    """The wordings with their first tasks in catalog order (how many tasks use each is not counted)."""
    if not ids:
        return []
    texts: dict[int, str] = dict(
        connection.execute(select(_wording.c.id, _wording.c.text).where(_wording.c.id.in_(list(ids)))).all()
    )
    found = []
    for wording_id in sorted(
        texts
    ):  # one indexed LIMIT each: a window over every use costs more (PostgreSQL)
        rows = connection.execute(
            select(_task_wording.c.seq, _plan.c.code, _task.c.number)
            .join(_task, _task.c.id == _task_wording.c.task_id)
            .join(_plan, _plan.c.id == _task.c.plan_id)
            .where(_task_wording.c.wording_id == wording_id)
            .order_by(_task_wording.c.seq)
            .limit(per_wording)
        ).all()
        tasks = tuple((str(code), int(number), int(seq)) for seq, code, number in rows)
        found.append(WordingRow(wording_id, texts[wording_id], tasks, len(tasks)))
    return found


def all_wording_rows(connection: Connection) -> list[WordingRow]:
    """Every wording with all its tasks in catalog order (for a catalog small enough to hold)."""
    texts: dict[int, str] = dict(connection.execute(select(_wording.c.id, _wording.c.text)).all())
    tasks: dict[int, list[tuple[str, int, int]]] = {i: [] for i in texts}
    for wording_id, seq, code, number in connection.execute(
        select(_task_wording.c.wording_id, _task_wording.c.seq, _plan.c.code, _task.c.number)
        .join(_task, _task.c.id == _task_wording.c.task_id)
        .join(_plan, _plan.c.id == _task.c.plan_id)
        .order_by(_task_wording.c.wording_id, _task_wording.c.seq)
    ):
        tasks[int(wording_id)].append((str(code), int(number), int(seq)))
    return [WordingRow(i, texts[i], tuple(tasks[i]), len(tasks[i])) for i in sorted(texts)]


def all_wording_ids(connection: Connection) -> list[int]:
    return [int(i) for i in connection.execute(select(_wording.c.id).order_by(_wording.c.id)).scalars()]


def section_numbers(connection: Connection, plan: str, section: str) -> tuple[int, ...]:
    rows = connection.execute(
        select(_task.c.number)
        .join(_plan, _plan.c.id == _task.c.plan_id)
        .where(_plan.c.code == plan, _task.c.section == section)
        .order_by(_task.c.number)
    )
    return tuple(int(n) for n in rows.scalars())


def has_key(connection: Connection, kind: str, key: str) -> bool:
    row = connection.execute(
        select(_term.c.id).where(_term.c.kind == kind, _term.c.key == key).limit(1)
    ).first()
    return row is not None


def wording_texts(connection: Connection, ids: Collection[int]) -> dict[int, str]:
    rows = connection.execute(select(_wording.c.id, _wording.c.text).where(_wording.c.id.in_(list(ids))))
    return {int(i): str(t) for i, t in rows}
