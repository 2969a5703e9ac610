"""The parser's lexicon: catalog names and vocabulary as matchable terms, with a dedicated jieba tokenizer.

Built once at start-up from plain name records (the caller reads them from the store), so nlu itself never
touches a database. All terms are kept in "compact" form (see `compact`) so that punctuation, brackets and
spaces never decide a match.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import re
import sys
import types
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from typing import Any, Final, Literal, Protocol, overload

from nlu.normalize import normalize
from nlu.vocabulary import (
    ABBREVIATIONS,
    CITY_WIDE,
    CONTENT_FILLER,
    CUE_WORDS,
    DOCUMENT_FORMS,
    DOMAIN_WORDS,
    FILLER,
    NAME_AFFIXES,
    UNIT_KINDS_ALONE,
    UNIT_SHORTENINGS,
)


def _import_jieba() -> Any:
    """jieba, imported without pkg_resources and with its HMM model loaded only if someone uses it.

    jieba's _compat imports pkg_resources (deprecated; about 0.1 s here) only to find its stock dictionary,
    which duban never loads; when the import fails jieba falls back to a plain file path. The block is lifted
    again at once, so nothing else in the process is affected.

    jieba's package also imports `jieba.finalseg`, whose HMM emission table (prob_emit, a dict of 35,000
    entries) costs about a sixth of `duban ask`'s start-up; duban tokenizes with HMM=False and never needs it.
    A stand-in module loads the real one on first attribute access, so HMM still works for anyone who asks.
    """
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # None makes the import fail
    _defer_hmm_model()
    try:
        return importlib.import_module("jieba")
    finally:
        if blocked:
            del sys.modules["pkg_resources"]


class _DeferredModule(types.ModuleType):
    """A module that becomes the real one (found by spec) the first time one of its names is used."""

    def __init__(self, spec: ModuleSpec) -> None:
        super().__init__(spec.name)
        self.__dict__["_deferred_spec"] = spec

    def __getattr__(self, name: str) -> Any:
        spec: ModuleSpec = self.__dict__["_deferred_spec"]
        real = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = real
        assert spec.loader is not None
        spec.loader.exec_module(real)
        parent, _, child = spec.name.rpartition(".")
        setattr(sys.modules[parent], child, real)
        return getattr(real, name)


def _defer_hmm_model() -> None:
    if "jieba.finalseg" in sys.modules:
        return
    package = importlib.util.find_spec("jieba")
    if package is None or not package.submodule_search_locations:
        return
    spec = importlib.machinery.PathFinder.find_spec(
        "jieba.finalseg", list(package.submodule_search_locations)
    )
    if spec is not None:
        sys.modules["jieba.finalseg"] = _DeferredModule(spec)


jieba = _import_jieba()

EntryKind = Literal["indicator", "region", "unit", "plan", "task", "section", "cue", "filler"]
ENTITY_KINDS: frozenset[EntryKind] = frozenset({"indicator", "region", "unit", "plan", "task", "section"})
# Names a task gives in quotes ("检察护企·闽都行", "1188", "清风") are what people call the task by.
_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,16})[”\"」]")
_TERM_FREQ = 1000  # every term far outweighs an unknown single character (frequency 1)
_REGION_SUFFIXES = ("区", "市", "县")
# 的 goes too: "授权3件以上专利的企业" is "授权3件以上专利企业", and no name is told apart by a 的.
_NOT_MATCHABLE = re.compile(r"[^0-9a-z.%\u4e00-\u9fd5★]+|的")


# 任务11、12 · 11，12项: a list separator between two numbers keeps them two numbers (as 和 does) when the
# punctuation goes; dashes, slashes and dots stay as they are (2025-08-31, 22/26, 2025.8 are one value).
_NUMBER_LIST_SEPARATOR = re.compile(r"(?<=[0-9])[、，,；;\s]+(?=[0-9])")


def compact(text: str) -> str:
    """Normalised text without punctuation, spaces or 的: the form every term and question is matched in."""
    return _NOT_MATCHABLE.sub("", _NUMBER_LIST_SEPARATOR.sub("和", normalize(text)))


@dataclass(frozen=True)
class IndicatorName:
    key: str  # "plan:code"
    name: str
    region: str
    plan: str
    aliases: tuple[str, ...] = ()  # everyday names, data with the plan


@dataclass(frozen=True)
class UnitName:
    name: str
    aliases: tuple[str, ...]
    region: str


@dataclass(frozen=True)
class PlanName:
    code: str
    title: str
    region: str
    numbered: bool  # the document itself numbers the tasks (附件1 序号), so a bare "任务7" means this plan
    short_names: tuple[str, ...] = ()  # what people call it (示范区), data with the plan


@dataclass(frozen=True)
class TaskText:
    plan: str
    number: int
    text: str  # title and content
    section: str | None = None  # the list it stands in (四、重点工作), for plans with several


_SECTION_NUMBER = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]\s*")
_SECTION_HEAD = 4  # 示范县建设重点思路 is called by its head, 重点思路


def section_name(section: str) -> str:
    """四、重点工作 → 重点工作: the list's name without its number in the document."""
    return _SECTION_NUMBER.sub("", section).strip()


def section_key(plan: str, section: str) -> str:
    return f"{plan}:{section}"


@dataclass(frozen=True)
class CatalogNames:
    """Everything the lexicon needs to know about the catalog."""

    indicators: tuple[IndicatorName, ...]
    units: tuple[UnitName, ...]
    plans: tuple[PlanName, ...]
    tasks: tuple[TaskText, ...]


@dataclass(frozen=True)
class Entry:
    kind: EntryKind
    key: str


@dataclass(frozen=True)
class IndexedTask:
    plan: str
    number: int
    text: str  # compact
    bigrams: frozenset[str]


@dataclass(frozen=True)
class WordingMatch:
    """A distinct task wording (compact) and the tasks that use it, the first few in catalog order."""

    text: str
    tasks: tuple[tuple[str, int, int], ...]  # (plan, number, catalog position)
    count: int  # tasks using this wording


class NameIndex(Protocol):
    """The catalog's names and task wording as the parser looks them up, answered by whoever holds them (the
    store's index, through `bot`), so that nlu needs neither the database nor every name in memory."""

    size: int  # distinct name terms
    masked_lengths: tuple[int, ...]  # lengths of the terms that have masks, longest first
    numbered_plans: tuple[str, ...]  # plans whose document numbers the tasks (附件1 序号): "任务7" is theirs
    plan_regions: dict[str, str]
    plan_titles: dict[str, str]  # each plan's title, compact: a place's plan is also called by its words

    def terms_in(self, text: str) -> dict[str, tuple[Entry, ...]]:
        """Every name term occurring in the compact text, with its entries in derivation order."""
        ...

    def masked(self, masks: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The terms each mask (one character replaced by ?) stands for, in derivation order."""
        ...

    def known(self, terms: Sequence[str]) -> set[str]:
        """Which of these are name terms, exactly."""
        ...

    def wordings(self, pairs: frozenset[str], min_shared: int) -> Sequence[WordingMatch]:
        """Wordings holding at least min_shared of the pairs (any that may, when too many to tell)."""
        ...

    def section_items(self, key: str) -> tuple[int, ...] | None:
        """The work items of one of a plan's titled lists ("plan:四、重点工作"), in order."""
        ...

    def cores_in(self, text: str) -> dict[str, tuple[Entry, ...]]:
        """Indicator names without the field's word (`cores_of`) occurring in text, in derivation order."""
        ...

    def tasks_using(self, word: str, limit: int) -> list[tuple[str, int]]:
        """The first tasks (plan, number), in catalog order, whose wording contains the word."""
        ...

    def indicators_naming(self, word: str, limit: int) -> tuple[str, ...]:
        """The first indicator keys, in derivation order, one of whose name terms contains the word."""
        ...


class Lexicon:
    """The language's terms (cue words, filler) in memory; the catalog's names looked up per question through
    a NameIndex; a jieba tokenizer over both, built for each text from the terms the text contains."""

    def __init__(self, names: NameIndex | CatalogNames) -> None:
        self.names: NameIndex = names if not isinstance(names, CatalogNames) else MemoryNames(names)
        self.language: dict[str, tuple[Entry, ...]] = _collect(_language_terms())
        self.numbered_plans: tuple[str, ...] = self.names.numbered_plans
        self.plan_regions: dict[str, str] = self.names.plan_regions
        self.plan_region_set: frozenset[str] = frozenset(self.plan_regions.values())
        by_region: dict[str, list[str]] = defaultdict(list)
        for code, region in self.plan_regions.items():
            by_region[region].append(code)
        self.region_plans: dict[str, tuple[str, ...]] = {r: tuple(c) for r, c in by_region.items()}
        self.plan_titles: dict[str, str] = self.names.plan_titles
        self.masked_lengths: tuple[int, ...] = self.names.masked_lengths
        self.sections = _Sections(self.names)
        # jieba weighs a word by its share of all terms' frequency: the same total a dictionary of every name
        # and word would have, so the cut does not depend on how many names a question happens to contain.
        named = self.names.known(list(self.language))  # language words that are also names
        self.total = _TERM_FREQ * (self.names.size + sum(1 for t in self.language if t not in named))
        self._language_freq = _prefix_freq(self.language)
        self.tokenizer: Any = _tokenizer(self._language_freq, self.total)
        self._found: OrderedDict[str, dict[str, tuple[Entry, ...]]] = OrderedDict()

    def names_in(self, text: str) -> dict[str, tuple[Entry, ...]]:
        """The catalog's names in the compact text (remembered for the last few texts)."""
        found = self._found.get(text)
        if found is None:
            found = self.names.terms_in(text)
            self._found[text] = found
            if len(self._found) > _REMEMBERED_TEXTS:
                self._found.popitem(last=False)
        return found

    def entries_in(self, text: str) -> dict[str, tuple[Entry, ...]]:
        """Every term in the compact text, names and language words, with its entries (names first)."""
        found = dict(self.names_in(text))
        freq, seen = self._language_freq, set()  # every prefix of a language word: each walk stops early
        for start in range(len(text)):
            end = start + 1
            while end <= len(text) and text[start:end] in freq:
                word = text[start:end]
                if word in self.language and word not in seen:
                    seen.add(word)
                    found[word] = found.get(word, ()) + self.language[word]
                end += 1
        return found

    def entries(self, term: str) -> tuple[Entry, ...]:
        """The entries of one term (a name, a language word, or both; () when it is neither)."""
        return self.names_in(term).get(term, ()) + self.language.get(term, ())

    def is_term(self, word: str) -> bool:
        return word in self.language or word in self.names_in(word)

    def without_plan_names(self, text: str) -> str:
        """The compact text without the names of plans it holds (闽侯营商环境攻坚方案里标准地出让是谁牵头的
        → 里标准地出让是谁牵头的): what a passage must quote to answer it, the plan's title being in every
        one of that plan's openings. The text itself when nothing else is left."""
        text = compact(text)
        names = sorted(
            (term for term, entries in self.names_in(text).items() if any(e.kind == "plan" for e in entries)),
            key=len,
            reverse=True,
        )
        rest = text
        for name in names:
            rest = rest.replace(name, "")
        return rest or text

    def phrases(self, text: str) -> list[str]:
        """The runs of the message between its question words and filler (谁负责, 请问, 什么时候): the
        phrases it is about, 福州知识产权法院 in 福州知识产权法院什么时候设立."""
        runs: list[str] = [""]
        text = compact(text)
        found = self.entries_in(text)
        for word, _, _ in self.tokenize(text):
            entries = found.get(word, ())
            if entries and word not in CONTENT_FILLER and all(e.kind in ("cue", "filler") for e in entries):
                runs.append("")
            else:
                runs[-1] += word
        return [run for run in runs if run]

    def tokenize(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(word, start, end) over compact text; words not in the lexicon come out one character each.

        The dictionary is the language's words plus the names this text contains: every term that could
        start at any place in the text is there, so the cut is the one a dictionary of every name would give.
        """
        freq = dict(self._language_freq)
        for term in self.names_in(text):
            for end in range(1, len(term)):
                freq.setdefault(term[:end], 0)
            freq[term] = _TERM_FREQ
        tokenizer = _tokenizer(freq, self.total)
        for word, start, end in tokenizer.tokenize(text, HMM=False):
            yield str(word), int(start), int(end)


class _Sections:
    """Each titled list of a plan whose work items stand in several lists, by key, looked up when named."""

    def __init__(self, names: NameIndex) -> None:
        self.names = names
        self.known: dict[str, tuple[int, ...] | None] = {}

    @overload
    def get(self, key: str) -> tuple[int, ...] | None: ...
    @overload
    def get(self, key: str, default: tuple[int, ...]) -> tuple[int, ...]: ...
    def get(self, key: str, default: tuple[int, ...] | None = None) -> tuple[int, ...] | None:
        if key not in self.known:
            self.known[key] = self.names.section_items(key)
        found = self.known[key]
        return default if found is None else found


class MemoryNames:
    """A NameIndex held in memory, from name records or from rows an index stored (small catalogs, tests)."""

    def __init__(self, names: CatalogNames | None = None) -> None:
        self.entries: dict[str, tuple[Entry, ...]] = {}
        self.masks: dict[str, tuple[str, ...]] = {}
        self.wording_list: list[WordingMatch] = []
        self.sections: dict[str, tuple[int, ...]] = {}
        self.numbered_plans: tuple[str, ...] = ()
        self.plan_regions: dict[str, str] = {}
        self.plan_titles: dict[str, str] = {}
        if names is not None:
            self.load(
                name_terms(names),
                sections=sections_of(names.tasks),
                numbered=tuple(p.code for p in names.plans if p.numbered),
                plan_regions={p.code: p.region for p in names.plans},
                plan_titles={p.code: compact(p.title) for p in names.plans},
                wordings=_wordings(names.tasks),
            )

    def load(
        self,
        terms: Iterable[tuple[str, Entry]],
        *,
        sections: dict[str, tuple[int, ...]],
        numbered: tuple[str, ...],
        plan_regions: dict[str, str],
        wordings: Sequence[WordingMatch],
        plan_titles: dict[str, str] | None = None,
        masks: Iterable[tuple[str, str]] | None = None,
    ) -> None:
        found: dict[str, list[Entry]] = defaultdict(list)
        for term, entry in terms:
            if entry not in found[term]:
                found[term].append(entry)
        self.entries = {term: tuple(entries) for term, entries in found.items()}
        self.prefixes = {term[:end] for term in self.entries for end in range(1, len(term) + 1)}
        grouped: dict[str, list[str]] = defaultdict(list)
        for mask, term in masks if masks is not None else ((m, t) for t in self.entries for m in masks_of(t)):
            grouped[mask].append(term)
        self.masks = {mask: tuple(terms) for mask, terms in grouped.items()}
        self.masked_lengths = tuple(sorted({len(m) for m in self.masks}, reverse=True))
        self.size = len(self.entries)
        self.cores = cores_of(self.entries.items())
        self.sections, self.numbered_plans, self.plan_regions = sections, numbered, plan_regions
        self.plan_titles = plan_titles or {}
        self.wording_list = list(wordings)
        self.pairs: dict[str, list[int]] = defaultdict(list)
        for i, wording in enumerate(self.wording_list):
            for pair in bigrams(wording.text):
                self.pairs[pair].append(i)

    def terms_in(self, text: str) -> dict[str, tuple[Entry, ...]]:
        found: dict[str, tuple[Entry, ...]] = {}
        for start in range(len(text)):
            end = start + 1
            while end <= len(text) and text[start:end] in self.prefixes:
                entries = self.entries.get(text[start:end])
                if entries:
                    found[text[start:end]] = entries
                end += 1
        return found

    def masked(self, masks: Sequence[str]) -> dict[str, tuple[str, ...]]:
        return {mask: self.masks[mask] for mask in masks if mask in self.masks}

    def known(self, terms: Sequence[str]) -> set[str]:
        return {term for term in terms if term in self.entries}

    def wordings(self, pairs: frozenset[str], min_shared: int) -> Sequence[WordingMatch]:
        counts: dict[int, int] = defaultdict(int)
        for pair in pairs:
            for i in self.pairs.get(pair, ()):
                counts[i] += 1
        return [self.wording_list[i] for i in sorted(counts) if counts[i] >= min_shared]

    def section_items(self, key: str) -> tuple[int, ...] | None:
        return self.sections.get(key)

    def cores_in(self, text: str) -> dict[str, tuple[Entry, ...]]:
        return {core: entries for core, entries in self.cores.items() if core in text}

    def indicators_naming(self, word: str, limit: int) -> tuple[str, ...]:
        keys = (
            e.key
            for term, entries in self.entries.items()
            if word in term
            for e in entries
            if e.kind == "indicator"
        )
        return tuple(dict.fromkeys(keys))[:limit]

    def tasks_using(self, word: str, limit: int) -> list[tuple[str, int]]:
        found = sorted(
            (seq, plan, number) for w in self.wording_list if word in w.text for plan, number, seq in w.tasks
        )
        return [(plan, number) for _, plan, number in found[:limit]]


def masks_of(term: str) -> list[str]:
    """The masks a typo lookup could meet: a question's piece is all CJK, so a term is masked only where
    every other character is CJK (at each place if it is all CJK, at its one other character if not)."""
    if len(term) < 3:
        return []
    other = [i for i, ch in enumerate(term) if not _CJK_CHAR.fullmatch(ch)]
    places = range(len(term)) if not other else other if len(other) == 1 else []
    return [term[:i] + "?" + term[i + 1 :] for i in places]


_CJK_CHAR = re.compile(r"[\u4e00-\u9fd5]")
_REMEMBERED_TEXTS = 16  # a message's own texts (its clauses, what commands cut off): names found are objects


def name_terms(names: CatalogNames) -> Iterator[tuple[str, Entry]]:
    """Every name term (compact) with its entry, in the order entries are listed: indicators, regions, the
    names tasks quote, a plan's titled lists, units, plans."""
    for term, entry in _all_terms(names):
        key = compact(term)
        if key:
            yield key, entry


def wording(title: str | None, content: str) -> str:
    """A task's wording as fragments are matched against it (compact title and content)."""
    return compact(f"{title or ''}{content}")


def _wordings(tasks: Iterable[TaskText]) -> list[WordingMatch]:
    grouped: dict[str, list[tuple[str, int, int]]] = {}
    for seq, task in enumerate(tasks):
        grouped.setdefault(compact(task.text), []).append((task.plan, task.number, seq))
    return [WordingMatch(text, tuple(found), len(found)) for text, found in grouped.items()]


def _collect(terms: Iterable[tuple[str, Entry]]) -> dict[str, tuple[Entry, ...]]:
    found: dict[str, list[Entry]] = defaultdict(list)
    for term, entry in terms:
        key = compact(term)
        if len(key) >= 1 and entry not in found[key]:
            found[key].append(entry)
    return {term: tuple(entries) for term, entries in found.items()}


def _language_terms() -> Iterator[tuple[str, Entry]]:
    for cue, words in CUE_WORDS.items():
        for word in words:
            yield word, Entry("cue", cue)
    for word in FILLER:
        yield word, Entry("filler", word)


def _prefix_freq(terms: Iterable[str]) -> dict[str, int]:
    freq: dict[str, int] = {}
    for term in terms:
        for end in range(1, len(term)):
            freq.setdefault(term[:end], 0)
        freq[term] = _TERM_FREQ
    return freq


CORE_MIN = 5  # a name shorter than this without the field's word is too vague to find inside a question


def without_domain_words(text: str) -> str:
    for word in DOMAIN_WORDS:
        text = text.replace(word, "")
    return text


def cores_of(terms: Iterable[tuple[str, tuple[Entry, ...]]]) -> dict[str, tuple[Entry, ...]]:
    """Indicator names without the field's word, to find a name that adds or drops it; in derivation order
    (the parser tries the longest first)."""
    found: dict[str, list[Entry]] = defaultdict(list)
    for term, entries in terms:
        core = without_domain_words(term)
        for entry in entries:
            if entry.kind == "indicator" and len(core) >= CORE_MIN and entry not in found[core]:
                found[core].append(entry)
    return {core: tuple(entries) for core, entries in found.items()}


def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


_SEARCH_RUN = re.compile(r"[\u4e00-\u9fd5]+|[0-9a-z.%]+")


def with_full_forms(text: str) -> str:
    """The text followed by the full form of each abbreviation in it (非遗 → 非物质文化遗产), for search: a
    document may use either."""
    full = [long for short, long in (*ABBREVIATIONS.items(), *DOCUMENT_FORMS.items()) if short in text]
    return " ".join([text, *full])


_ASKING: Final[tuple[str, ...]] = tuple(
    sorted(
        {w for cue in ("where", "who", "when", "what", "roster", "count", "person") for w in CUE_WORDS[cue]},
        key=len,
        reverse=True,
    )
)


def without_asking_words(text: str) -> str:
    """The text without the words that ask (设在哪, 谁负责, 什么时候): what it asks about. Some of them
    occur in plans' text too (设在区市场监督管理局), where they would count as a match."""
    for word in _ASKING:
        if len(word) > 1:
            text = text.replace(word, " ")
    return text


def expanded(text: str) -> str:
    """The text with each abbreviation written out in place (连江地标示范区 → 连江地理标志示范区)."""
    for short, long in ABBREVIATIONS.items():
        if short in text and long not in text:
            text = text.replace(short, long)
    return text


def search_terms(text: str, *, width: int = 2) -> list[str]:
    """Terms for full-text search of Chinese: character pairs (width 3: triples) of each run of characters,
    a lone character as itself, numbers and Latin words whole. They need no dictionary, so a plan's own
    words (闽都文化, 元洪功能区) are found without anyone listing them."""
    terms: list[str] = []
    for run in _SEARCH_RUN.findall(compact(text)):
        if run[0] < "\u4e00" or len(run) < width:
            terms.extend([run] if width == 2 or len(run) == 1 else [])
        else:
            terms.extend(run[i : i + width] for i in range(len(run) - width + 1))
    return terms


def _all_terms(names: CatalogNames) -> Iterator[tuple[str, Entry]]:
    yield from _indicator_terms(names.indicators)
    yield from _region_terms(names)
    for task in names.tasks:
        for quoted in _QUOTED.findall(task.text):
            if not (quoted.isdigit() and len(quoted) < 4):  # "426" and "315" are dates, not names
                yield quoted, Entry("task", f"{task.plan}:{task.number}")
    for key in sections_of(names.tasks):
        name = section_name(key.split(":", 1)[1])
        for term in dict.fromkeys((name, name[-_SECTION_HEAD:])):
            yield term, Entry("section", key)
    yield from _unit_terms(names.units)
    for plan in names.plans:
        for term in (plan.title, _without_city(plan.title), plan.code, *plan.short_names):
            yield term, Entry("plan", plan.code)


# The version of how names are derived (aliases, short forms, cores); a stored name index built under another
# version is rebuilt, since the same catalog then yields other terms. Bump with any change to the derivation.
NAME_RULES = "2026-12-07.1"


def _unit_terms(units: Sequence[UnitName]) -> Iterator[tuple[str, Entry]]:
    """Units by name and alias; a city bureau also without its 市 (数据局 is the 市数据局), people in the city
    drop it, unless that leaves another unit's name or a name two units would share. A district's bureau is
    also called as its own documents call it (区财政局, 晋安财政局, 仓山区法院): several districts' bureaus
    may share such a name, which the question's place or plan then tells apart (the parser's work)."""
    explicit = {term for unit in units for term in (unit.name, *unit.aliases)}
    stripped: dict[str, list[str]] = defaultdict(list)
    for unit in units:
        for term in (unit.name, *unit.aliases):
            yield term, Entry("unit", unit.name)
            if term.startswith(CITY_PREFIX) and len(term) - len(CITY_PREFIX) >= MIN_STRIPPED_UNIT:
                stripped[term[len(CITY_PREFIX) :]].append(unit.name)
    for term, owners in stripped.items():
        if term not in explicit and len(set(owners)) == 1:
            yield term, Entry("unit", owners[0])
    for unit in units:  # 区市场监管局 may be one district's alias and another's name in its own documents
        for term in local_unit_names(unit.name, unit.region):
            yield term, Entry("unit", unit.name)


def local_unit_names(name: str, region: str) -> tuple[str, ...]:
    """晋安区财政局 → 区财政局, 晋安财政局; 仓山区人民法院 → also 区法院, 仓山区法院, 仓山法院: a
    district's own unit said as the district's documents say it, without the district or with its short
    name."""
    if not (region.endswith(_REGION_SUFFIXES) and name.startswith(region)) or region == name:
        return ()
    rest = name[len(region) :]
    if len(rest) < MIN_LOCAL_REST or rest in UNIT_KINDS_ALONE:
        return ()
    rests = dict.fromkeys(
        [rest, *(rest.replace(long, short) for long, short in UNIT_SHORTENINGS if long in rest)]
    )
    short = region[:-1]
    found = [region[-1] + r for r in rests]
    found += [short + r for r in rests if len(short) >= 2]
    found += [region + r for r in rests if r != rest]
    return tuple(dict.fromkeys(found))


MIN_LOCAL_REST = 2  # 区财政局 · 区法院: the bureau's own word after the district


CITY_PREFIX = "市"
MIN_STRIPPED_UNIT = 3  # 数据局 and longer: 市局 alone would be no name


def sections_of(tasks: Iterable[TaskText]) -> dict[str, tuple[int, ...]]:
    """Each titled list of a plan whose work items stand in several lists, with its items in order."""
    found: dict[str, list[int]] = defaultdict(list)
    for task in sorted(tasks, key=lambda t: (t.plan, t.number)):
        if task.section:
            found[section_key(task.plan, task.section)].append(task.number)
    lists = Counter(key.split(":", 1)[0] for key in found)
    return {key: tuple(numbers) for key, numbers in found.items() if lists[key.split(":", 1)[0]] > 1}


def _without_city(title: str) -> str:
    """福州市鼓楼区…方案 is also called 鼓楼区…方案: people drop the city they are in."""
    city_end = title.find("市")
    return title[city_end + 1 :] if 0 < city_end <= 3 and len(title) - city_end > 8 else title


def _indicator_terms(indicators: Iterable[IndicatorName]) -> Iterator[tuple[str, Entry]]:
    for indicator in indicators:
        entry = Entry("indicator", indicator.key)
        yield indicator.name, entry
        for alias in (*indicator.aliases, *derived_names(indicator.name)):
            yield alias, entry


def derived_names(name: str) -> tuple[str, ...]:
    """Shorter names people use for an indicator, derived from its full name by the language's habits:
    the verb that opens a target (建成/培育…) and the measure word that closes it (数量/量) are dropped,
    as is a leading 知识产权 that nearly every name shares."""
    found: list[str] = []
    stems = [name]
    for prefix in NAME_AFFIXES["prefix"]:
        stems += [s[len(prefix) :] for s in stems if s.startswith(prefix) and len(s) - len(prefix) >= 3]
    for suffix in NAME_AFFIXES["suffix"]:
        stems += [s[: -len(suffix)] for s in stems if s.endswith(suffix) and len(s) - len(suffix) >= 3]
    for stem in stems[1:]:
        if stem not in found:
            found.append(stem)
    return tuple(found)


def _region_terms(names: CatalogNames) -> Iterator[tuple[str, Entry]]:
    regions = {u.region for u in names.units} | {p.region for p in names.plans}
    for region in sorted(regions):
        entry = Entry("region", region)
        yield region, entry
        short = region[:-1] if region.endswith(_REGION_SUFFIXES) else region
        if len(short) >= 2:
            yield short, entry
    cities = sorted({p.region for p in names.plans if p.region.endswith("市")})
    if len(cities) == 1:  # 全市, 市里: the one city whose plans these are
        for word in CITY_WIDE:
            yield word, Entry("region", cities[0])


def _tokenizer(freq: dict[str, int], total: int) -> Any:
    """A jieba Tokenizer of its own over the given prefix dictionary; jieba's global state is never touched.

    The stock dictionary (350 000 words, the bulk of jieba's start-up time) is not loaded: questions are
    matched against catalog names and cue words, and anything else may as well fall apart into characters.
    """
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = freq, total
    tokenizer.initialized = True  # the prefix dictionary above replaces initialize()'s load of the stock one
    return tokenizer
