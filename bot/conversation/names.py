"""The catalog's names for the parser: derived by `nlu.lexicon` from the store's records, kept in the store's
name index (built when the catalog changes), and looked up per question.

A catalog of a few thousand terms is read whole into memory at start (a few milliseconds, and no query per
message); a national one (150,000 terms, 150,000 task wordings) is looked up by each question's own
characters, so that neither start-up nor memory grows with it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence

from nlu.lexicon import (
    NAME_RULES,
    CatalogNames,
    Entry,
    IndicatorName,
    MemoryNames,
    PlanName,
    TaskText,
    UnitName,
    WordingMatch,
    bigrams,
    compact,
    cores_of,
    masks_of,
    name_terms,
    section_key,
    sections_of,
    wording,
)
from store import name_index
from store.catalog_lookup import CatalogLookup, iter_catalog_rows
from store.db import Database
from store.locks import NAME_INDEX_LOCK, take_write_lock
from store.name_index import IndexMeta, IndexWriter

PRELOAD_TERMS = 30_000  # at most this many terms are held in memory whole
WORDING_CANDIDATES = 2_000  # wordings a quoted fragment is scored against, at most
TASKS_PER_WORDING = 8  # tasks of one wording carried to the parser (a choice shows no more)
HEADS_KEPT = 50_000  # heads (a term's first characters) whose terms are kept between questions


def build_name_index(db: Database) -> int:
    """Derive every name term, mask and task wording from the catalog and store them; the term count."""
    lookup = CatalogLookup(db)
    version, _ = name_index.catalog_version(db)
    aliases: dict[int, list[str]] = {}
    for batch in iter_catalog_rows(db, "aliases"):
        for unit_id, alias in batch:
            aliases.setdefault(int(unit_id), []).append(str(alias))  # type: ignore[call-overload]
    units = [
        UnitName(str(name), tuple(aliases.get(int(unit_id), ())), str(region))  # type: ignore[call-overload]
        for batch in iter_catalog_rows(db, "units")
        for unit_id, name, region in batch
    ]
    indicators = [
        IndicatorName(
            f"{plan}:{code}", str(name), str(region), str(plan), tuple(json.loads(str(aliases_json) or "[]"))
        )
        for batch in iter_catalog_rows(db, "indicators")
        for plan, code, name, region, aliases_json in batch
    ]
    task_ids: list[int] = []
    tasks: list[TaskText] = []
    sectioned: set[str] = set()
    for batch in iter_catalog_rows(db, "tasks"):
        for task_id, plan, number, title, content, section in batch:
            task_ids.append(int(task_id))  # type: ignore[call-overload]
            tasks.append(TaskText(str(plan), int(number), f"{title or ''}{content}", section))  # type: ignore[call-overload,arg-type]
            if title:
                sectioned.add(str(plan))
    plans = [
        PlanName(p.code, p.title, p.region, p.code not in sectioned, p.short_names)
        for p in lookup.plans.values()
    ]
    names = CatalogNames(tuple(indicators), tuple(units), tuple(plans), tuple(tasks))
    with db.engine.begin() as connection:
        take_write_lock(connection, NAME_INDEX_LOCK)  # two processes rebuilding at once would collide
        built = name_index.current_size(connection, NAME_RULES)
        if built is not None:  # another process built it meanwhile
            return built
        writer = IndexWriter(connection)
        seen: set[tuple[str, Entry]] = set()
        seen_order: list[tuple[str, Entry]] = []
        order: dict[str, None] = {}
        for term, entry in name_terms(names):
            if (term, entry) not in seen:
                seen.add((term, entry))
                seen_order.append((term, entry))
                order.setdefault(term, None)
                writer.term(term, entry.kind, entry.key)
        for core, entries in cores_of((term, (entry,)) for term, entry in _in_order(seen_order)).items():
            for entry in entries:
                writer.core(core, entry.key)
        lengths = set()
        for term in order:
            for mask in masks_of(term):
                writer.mask(mask, term)
                lengths.add(len(mask))
        wordings: dict[str, int] = {}
        uses: list[tuple[int, int, int]] = []
        pairs: dict[str, set[int]] = {}
        for seq, (task_id, task) in enumerate(zip(task_ids, tasks, strict=True)):
            text = wording(None, task.text)
            if text not in wordings:
                wordings[text] = len(wordings) + 1
                for pair in bigrams(text):
                    pairs.setdefault(pair, set()).add(wordings[text])
            uses.append((task_id, wordings[text], seq))
        writer.wordings(wordings, uses, pairs)
        writer.finish(version, len(order), lengths, sectioned, NAME_RULES)
    return len(order)


def _in_order(pairs: list[tuple[str, Entry]]) -> list[tuple[str, Entry]]:
    """(term, entry) grouped by term in first-seen order: how a lexicon lists a term's entries."""
    grouped: dict[str, list[Entry]] = {}
    for term, entry in pairs:
        grouped.setdefault(term, []).append(entry)
    return [(term, entry) for term, entries in grouped.items() for entry in entries]


def ensure_name_index(db: Database) -> IndexMeta:
    """The index as of the catalog now, built first if the catalog changed since (or it was never built)."""
    version, built = name_index.catalog_version(db)
    meta = name_index.index_meta(db)
    if meta is None or built != version or meta.rules != NAME_RULES:  # catalog or derivation changed
        build_name_index(db)
        meta = name_index.index_meta(db)
    assert meta is not None
    return meta


class StoredNames:
    """The NameIndex the parser asks (see nlu.lexicon.NameIndex), answered from the store's index."""

    def __init__(self, db: Database, lookup: CatalogLookup, meta: IndexMeta) -> None:
        self.db = db
        self.size = meta.size
        self.masked_lengths = meta.masked_lengths
        self.numbered_plans = tuple(code for code in lookup.plans if code not in meta.sectioned_plans)
        self.plan_regions = {code: plan.region for code, plan in lookup.plans.items()}
        self.plan_titles = {code: compact(plan.title) for code, plan in lookup.plans.items()}
        self.memory: MemoryNames | None = self._preload() if meta.size <= PRELOAD_TERMS else None
        self._heads: OrderedDict[str, tuple[tuple[int, str, str, str], ...]] = OrderedDict()
        self._wordings: OrderedDict[tuple[frozenset[str], int], list[WordingMatch]] = OrderedDict()
        self._indicator_terms: tuple[str, ...] | None = None  # read on the first word looked up (商标)

    def _preload(self) -> MemoryNames:
        memory = MemoryNames()
        with self.db.engine.connect() as connection:
            terms = [(term, Entry(kind, key)) for _, term, kind, key in name_index.all_terms(connection)]  # type: ignore[arg-type]
            masks = name_index.all_masks(connection)
            rows = name_index.all_wording_rows(connection)
            section_keys = dict.fromkeys(e.key for _, e in terms if e.kind == "section")
            sections = {
                key: name_index.section_numbers(connection, *key.split(":", 1)) for key in section_keys
            }
        memory.load(
            terms,
            sections=sections,
            numbered=self.numbered_plans,
            plan_regions=self.plan_regions,
            plan_titles=self.plan_titles,
            wordings=[WordingMatch(r.text, r.tasks, r.count) for r in rows],
            masks=masks,
        )
        return memory

    def terms_in(self, text: str) -> dict[str, tuple[Entry, ...]]:
        if self.memory is not None:
            return self.memory.terms_in(text)
        heads = {text[i : i + n] for i in range(len(text)) for n in range(1, name_index.HEAD + 1)}
        rows = sorted(row for head in heads for row in self._by_head(heads, head) if row[1] in text)
        found: dict[str, list[Entry]] = {}
        for _, term, kind, key in rows:
            found.setdefault(term, []).append(Entry(kind, key))  # type: ignore[arg-type]
        return {term: tuple(entries) for term, entries in found.items()}

    def _by_head(self, heads: set[str], head: str) -> tuple[tuple[int, str, str, str], ...]:
        """The terms under one head; every head of the text not yet known is read in one query. Kept as plain
        strings: thousands of entry objects held between questions made the garbage collector pause."""
        if head not in self._heads:
            missing = [h for h in heads if h not in self._heads]
            with self.db.engine.connect() as connection:
                rows = name_index.terms_by_head(connection, missing)
            grouped: dict[str, list[tuple[int, str, str, str]]] = {h: [] for h in missing}
            for row in rows:
                grouped[name_index.head(row[1])].append(row)
            self._heads.update((h, tuple(found)) for h, found in grouped.items())
            while len(self._heads) > HEADS_KEPT:
                self._heads.popitem(last=False)
        self._heads.move_to_end(head)
        return self._heads[head]

    def known(self, terms: Sequence[str]) -> set[str]:
        if self.memory is not None:
            return self.memory.known(terms)
        wanted = set(terms)
        with self.db.engine.connect() as connection:
            rows = name_index.terms_by_head(connection, {name_index.head(t) for t in wanted})
        return {term for _, term, _, _ in rows if term in wanted}

    def masked(self, masks: Sequence[str]) -> dict[str, tuple[str, ...]]:
        if self.memory is not None:
            return self.memory.masked(masks)
        with self.db.engine.connect() as connection:
            rows = name_index.masked_terms(connection, masks)
        found: dict[str, list[str]] = {}
        for mask, term in rows:
            found.setdefault(mask, []).append(term)
        return {mask: tuple(terms) for mask, terms in found.items()}

    def wordings(self, pairs: frozenset[str], min_shared: int) -> Sequence[WordingMatch]:
        if self.memory is not None:
            return self.memory.wordings(pairs, min_shared)
        key = (pairs, min_shared)
        if key not in self._wordings:  # a message's fragment is matched twice (near-verbatim, then loosely)
            self._wordings[key] = self._read_wordings(pairs, min_shared)
            if len(self._wordings) > 64:
                self._wordings.popitem(last=False)
        return self._wordings[key]

    def _read_wordings(self, pairs: frozenset[str], min_shared: int) -> list[WordingMatch]:
        with self.db.engine.connect() as connection:
            counts = name_index.pair_counts(connection, pairs)
            # A wording holding min_shared of the pairs misses at most len - min_shared of them, so it holds
            # one of the len - min_shared + 1 rarest: only their postings need reading.
            rarest = sorted(pairs, key=lambda p: (counts.get(p, 0), p))[: len(pairs) - min_shared + 1]
            if not any(counts.get(p) for p in rarest):
                return []
            ids = name_index.wordings_with(connection, rarest, WORDING_CANDIDATES)
            texts = name_index.wording_texts(connection, ids)
            good = [i for i, text in texts.items() if len(pairs & bigrams(text)) >= min_shared]
            rows = name_index.wording_rows(connection, good, TASKS_PER_WORDING)
        return [WordingMatch(r.text, r.tasks, r.count) for r in rows]

    def cores_in(self, text: str) -> dict[str, tuple[Entry, ...]]:
        if self.memory is not None:
            return self.memory.cores_in(text)
        heads = {text[i : i + n] for i in range(len(text)) for n in range(1, name_index.HEAD + 1)}
        with self.db.engine.connect() as connection:
            rows = name_index.cores_by_head(connection, heads)
        found: dict[str, list[Entry]] = {}
        for _, core, key in rows:
            if core in text:
                found.setdefault(core, []).append(Entry("indicator", key))
        return {core: tuple(entries) for core, entries in found.items()}

    def indicators_naming(self, word: str, limit: int) -> tuple[str, ...]:
        if self.memory is not None:
            return self.memory.indicators_naming(word, limit)
        if self._indicator_terms is None:  # distinct names are few beside the plans that share them
            with self.db.engine.connect() as connection:
                self._indicator_terms = tuple(name_index.distinct_terms(connection, "indicator"))
        terms = [term for term in self._indicator_terms if word in term]
        if not terms:
            return ()
        with self.db.engine.connect() as connection:
            return name_index.keys_of_terms(connection, "indicator", terms, limit)

    def tasks_using(self, word: str, limit: int) -> list[tuple[str, int]]:
        if self.memory is not None:
            return self.memory.tasks_using(word, limit)
        pairs = bigrams(word)
        with self.db.engine.connect() as connection:
            counts = name_index.pair_counts(connection, pairs)
            if not pairs or len(counts) < len(pairs):
                return []
            rarest = min(pairs, key=lambda p: (counts[p], p))
            ids = name_index.wordings_with(connection, [rarest], WORDING_CANDIDATES)
            texts = name_index.wording_texts(connection, ids)
            rows = name_index.wording_rows(connection, [i for i, t in texts.items() if word in t], limit)
        found = sorted((seq, plan, number) for row in rows for plan, number, seq in row.tasks)
        return [(plan, number) for _, plan, number in found[:limit]]

    def section_items(self, key: str) -> tuple[int, ...] | None:
        if self.memory is not None:
            return self.memory.section_items(key)
        with self.db.engine.connect() as connection:
            if not name_index.has_key(connection, "section", key):
                return None
            return name_index.section_numbers(connection, *key.split(":", 1))


__all__ = ["StoredNames", "build_name_index", "ensure_name_index", "section_key", "sections_of"]
