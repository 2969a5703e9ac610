"""The parser's lexicon: catalog names and vocabulary as matchable terms, with a dedicated jieba tokenizer.

Built once at start-up from plain name records (the caller reads them from the store), so nlu itself never
touches a database. All terms are kept in "compact" form (see `compact`) so that punctuation, brackets and
spaces never decide a match.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import io
import re
import sys
import types
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from typing import Any, Literal

from nlu.normalize import normalize
from nlu.vocabulary import (
    ABBREVIATIONS,
    CITY_WIDE,
    CONTENT_FILLER,
    CUE_WORDS,
    DOMAIN_WORDS,
    FILLER,
    NAME_AFFIXES,
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


def compact(text: str) -> str:
    """Normalised text without punctuation, spaces or 的: the form every term and question is matched in."""
    return _NOT_MATCHABLE.sub("", normalize(text))


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


class Lexicon:
    """Terms → entries, an index for one-character typos, task texts, and a tokenizer over the terms."""

    def __init__(self, names: CatalogNames) -> None:
        self.terms: dict[str, tuple[Entry, ...]] = _collect_terms(names)
        self.masked: dict[str, tuple[str, ...]] = _mask_index(
            term for term, entries in self.terms.items() if any(e.kind in ENTITY_KINDS for e in entries)
        )
        self.masked_lengths: tuple[int, ...] = tuple(sorted({len(m) for m in self.masked}, reverse=True))
        self.tasks: tuple[IndexedTask, ...] = tuple(_index_task(task) for task in names.tasks)
        self.numbered_plans: tuple[str, ...] = tuple(p.code for p in names.plans if p.numbered)
        self.plan_regions: dict[str, str] = {p.code: p.region for p in names.plans}
        self.indicator_names: dict[str, IndicatorName] = {i.key: i for i in names.indicators}
        self.sections: dict[str, tuple[int, ...]] = _sections(names.tasks)
        self.indicator_cores: dict[str, tuple[Entry, ...]] = _cores(self.terms)
        self.tokenizer: Any = _tokenizer(self.terms)

    def phrases(self, text: str) -> list[str]:
        """The runs of the message between its question words and filler (谁负责, 请问, 什么时候): the
        phrases it is about, 福州知识产权法院 in 福州知识产权法院什么时候设立."""
        runs: list[str] = [""]
        for word, _, _ in self.tokenize(compact(text)):
            entries = self.terms.get(word, ())
            if entries and word not in CONTENT_FILLER and all(e.kind in ("cue", "filler") for e in entries):
                runs.append("")
            else:
                runs[-1] += word
        return [run for run in runs if run]

    def tokenize(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(word, start, end) over compact text; words not in the lexicon come out one character each."""
        for word, start, end in self.tokenizer.tokenize(text, HMM=False):
            yield str(word), int(start), int(end)


CORE_MIN = 5  # a name shorter than this without the field's word is too vague to find inside a question


def without_domain_words(text: str) -> str:
    for word in DOMAIN_WORDS:
        text = text.replace(word, "")
    return text


def _cores(terms: dict[str, tuple[Entry, ...]]) -> dict[str, tuple[Entry, ...]]:
    """Indicator names without the field's word, longest first, to find a name that adds or drops it."""
    found: dict[str, list[Entry]] = defaultdict(list)
    for term, entries in terms.items():
        core = without_domain_words(term)
        for entry in entries:
            if entry.kind == "indicator" and len(core) >= CORE_MIN and entry not in found[core]:
                found[core].append(entry)
    return {core: tuple(found[core]) for core in sorted(found, key=len, reverse=True)}


def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


_SEARCH_RUN = re.compile(r"[\u4e00-\u9fd5]+|[0-9a-z.%]+")


def with_full_forms(text: str) -> str:
    """The text followed by the full form of each abbreviation in it (非遗 → 非物质文化遗产), for search: a
    document may use either."""
    full = [long for short, long in ABBREVIATIONS.items() if short in text]
    return " ".join([text, *full])


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


def _collect_terms(names: CatalogNames) -> dict[str, tuple[Entry, ...]]:
    found: dict[str, list[Entry]] = defaultdict(list)
    for term, entry in _all_terms(names):
        key = compact(term)
        if len(key) >= 1 and entry not in found[key]:
            found[key].append(entry)
    return {term: tuple(entries) for term, entries in found.items()}


def _all_terms(names: CatalogNames) -> Iterator[tuple[str, Entry]]:
    yield from _indicator_terms(names.indicators)
    yield from _region_terms(names)
    for task in names.tasks:
        for quoted in _QUOTED.findall(task.text):
            if not (quoted.isdigit() and len(quoted) < 4):  # "426" and "315" are dates, not names
                yield quoted, Entry("task", f"{task.plan}:{task.number}")
    for key in _sections(names.tasks):
        name = section_name(key.split(":", 1)[1])
        for term in dict.fromkeys((name, name[-_SECTION_HEAD:])):
            yield term, Entry("section", key)
    for unit in names.units:
        for term in (unit.name, *unit.aliases):
            yield term, Entry("unit", unit.name)
    for plan in names.plans:
        for term in (plan.title, _without_city(plan.title), plan.code, *plan.short_names):
            yield term, Entry("plan", plan.code)
    for cue, words in CUE_WORDS.items():
        for word in words:
            yield word, Entry("cue", cue)
    for word in FILLER:
        yield word, Entry("filler", word)


def _sections(tasks: Iterable[TaskText]) -> dict[str, tuple[int, ...]]:
    """Each titled list of a plan whose work items stand in several lists, with its items in order."""
    found: dict[str, list[int]] = defaultdict(list)
    for task in sorted(tasks, key=lambda t: (t.plan, t.number)):
        if task.section:
            found[section_key(task.plan, task.section)].append(task.number)
    plans = [key.split(":", 1)[0] for key in found]
    return {key: tuple(numbers) for key, numbers in found.items() if plans.count(key.split(":", 1)[0]) > 1}


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


def _mask_index(terms: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each term of three or more characters under every one-character mask ("市检?院" → 市检察院)."""
    index: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        if len(term) < 3:
            continue
        for i in range(len(term)):
            index[term[:i] + "?" + term[i + 1 :]].append(term)
    return {mask: tuple(found) for mask, found in index.items()}


def _index_task(task: TaskText) -> IndexedTask:
    text = compact(task.text)
    return IndexedTask(task.plan, task.number, text, bigrams(text))


def _tokenizer(terms: Iterable[str]) -> Any:
    """A jieba Tokenizer of its own over the lexicon's terms only; jieba's global state is never touched.

    The stock dictionary (350 000 words, the bulk of jieba's start-up time) is not loaded: questions are
    matched against catalog names and cue words, and anything else may as well fall apart into characters.
    """
    tokenizer = jieba.Tokenizer()
    lines = "".join(f"{term} {_TERM_FREQ}\n" for term in terms if " " not in term)
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(lines.encode("utf-8")))
    tokenizer.initialized = True  # the prefix dictionary above replaces initialize()'s load of the stock one
    return tokenizer
