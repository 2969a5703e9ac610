"""Plan documents with the seeds: the text cut into passages with their section, stored and re-applied
idempotently; the plan's short names, schedule and indicators' everyday names are data, not parser code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from seeds.apply import apply_seeds
from seeds.document import split_passages
from seeds.loader import SeedError, default_data_dir, load_catalog
from store.catalog_queries import list_indicators, list_plans, plan_passages
from store.db import Database

ROOT = Path(__file__).resolve().parents[1]
SEED_DOCS = ROOT / "seeds" / "data" / "docs"
SHARED_SEED_DOCS = ROOT.parent / "shared" / "seed-docs"


def test_documents_are_verbatim_copies_of_the_originals() -> None:
    if not SHARED_SEED_DOCS.exists():
        pytest.skip(f"originals not beside the checkout: {SHARED_SEED_DOCS}")
    for copy in SEED_DOCS.glob("*.txt"):
        assert copy.read_bytes() == (SHARED_SEED_DOCS / copy.name).read_bytes(), copy.name


def test_sections_follow_the_numbering_ladder(fuzhou_doc: str) -> None:
    passages = split_passages(fuzhou_doc)
    by_start = {p.text[:12]: p for p in passages}
    lianjiang = next(p for p in passages if p.text.startswith("1. 完善知识产权保护法规政策"))
    assert (lianjiang.path, lianjiang.heading) == ("三（二）1", "完善知识产权保护法规政策")
    acceptance = next(p for p in passages if "验收评审" in p.text)
    assert acceptance.path == "五（三）"
    row = next(p for p in passages if p.path == "附件1 序号7")
    assert "数据知识产权试点" in row.text and "长乐区人民政府" in row.text
    # 附件 2 has no "附件 2" line of its own: its title, listed under 附件：, opens it.
    # A title alone on its line opens the paragraph it heads.
    note = next(p for p in passages if "\n该指标为福州市首创，拟建设 26 个" in p.text)
    assert note.path == "附件2 一"
    assert by_start  # every passage has text
    assert all(p.text.strip() and "**" not in p.text for p in passages)


def test_paths_of_the_gulou_document(gulou_doc: str) -> None:
    passages = split_passages(gulou_doc)
    first_focus = next(p for p in passages if p.text.startswith("（一）以“知创福建”"))
    assert first_focus.path == "二（一）"
    work_five = [p for p in passages if p.path == "四（五）"]
    assert any("金牛山互联网产业园" in p.text for p in work_five)
    validity = next(p for p in passages if "有效期至" in p.text)
    assert validity.path == "五（三）"


def test_a_long_paragraph_is_cut_at_sentence_ends() -> None:
    long = "一、总则\n" + "这是一句话。" * 400
    pieces = [p for p in split_passages(long) if p.path == "一" and p.text != "一、总则"]
    assert len(pieces) > 1 and all(len(p.text) <= 1200 and p.text.endswith("。") for p in pieces)


def test_passages_and_plan_data_are_stored_and_reapplied_unchanged(db: Database) -> None:
    passages = plan_passages(db)
    assert {p.plan for p in passages} == {"fuzhou-protection", "gulou-strong-county"}
    assert any(p.path == "四（二）" and "纺织工业互联网" in p.text for p in passages)
    plans = {p.code: p for p in list_plans(db)}
    city = plans["fuzhou-protection"]
    assert "示范区" in city.short_names
    assert [m.period for m in city.schedule] == ["2024年3~7月", "2024年8月~2026年1月", "2026年2月"]
    assert "先行所" in next(i for i in list_indicators(db) if i.code == "1" and i.plan == city.code).aliases
    report = apply_seeds(db)
    assert report.created == 0 and report.updated == 0
    assert plan_passages(db) == passages


def test_a_changed_document_replaces_its_passages(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(default_data_dir(), folder)
    database = Database(f"sqlite:///{tmp_path / 'd.db'}")
    try:
        apply_seeds(database, folder)
        doc = folder / "docs" / "000_12104225aee16fef.txt"
        doc.write_text(doc.read_text(encoding="utf-8").replace("金牛山互联网产业园", "某产业园"), "utf-8")
        report = apply_seeds(database, folder)
        assert report.updated == 1
        texts = [p.text for p in plan_passages(database) if p.plan == "gulou-strong-county"]
        assert any("某产业园" in t for t in texts) and not any("金牛山互联网产业园" in t for t in texts)
    finally:
        database.dispose()


def test_a_missing_document_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(default_data_dir(), folder)
    (folder / "docs" / "000_12104225aee16fef.txt").unlink()
    with pytest.raises(SeedError) as caught:
        load_catalog(folder)
    assert "gulou_strong_county.yaml" in str(caught.value) and "document" in str(caught.value)


def test_the_parser_vocabulary_names_nothing_of_these_plans() -> None:
    """Issue 16: what belongs to a plan is data with the plan, so a new plan needs no code change."""
    vocabulary = (Path(__file__).resolve().parents[1] / "nlu" / "vocabulary.py").read_text(encoding="utf-8")
    catalog = load_catalog()
    names = [i.name for i in catalog.indicators] + [p.title for p in catalog.plans]
    names += [u.name for u in catalog.units] + [a for i in catalog.indicators for a in i.aliases]
    names += [a for u in catalog.units for a in u.aliases] + [s for p in catalog.plans for s in p.short_names]
    quoted = set(re.findall(r'"([^"]+)"', vocabulary))
    assert not [n for n in names if n in quoted]
