"""Unit cells split into names and resolved against the catalog's units; an unknown name stays itself."""

from __future__ import annotations

import pytest

from seeds.importer.units import KnownUnit, UnitDirectory, guess_level, split_unit_names
from seeds.loader import load_catalog


@pytest.fixture(scope="module")
def known() -> list[KnownUnit]:
    return [
        KnownUnit(u.name, u.aliases, u.region, u.kind, u.kind == "collective") for u in load_catalog().units
    ]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("市政府办公厅、市市场监管局(知识产权局)", ["市政府办公厅", "市市场监管局（知识产权局）"]),
        ("市市场监管局 (知识产权局)", ["市市场监管局（知识产权局）"]),
        ("市财政局，各县(市)区人民政府、高新区管委会", ["市财政局", "各县（市）区人民政府", "高新区管委会"]),
        (
            "市市场监管局，各县（市）区 人民政府、高新区 管委会",
            ["市市场监管局", "各县（市）区人民政府", "高新区管委会"],
        ),
        (
            "市市场监管局、市司法局，各 县（市）区人民政府",
            ["市市场监管局", "市司法局", "各县（市）区人民政府"],
        ),
        ("市教育局 市科技局", ["市教育局", "市科技局"]),
        ("区财政局\n区税务局", ["区财政局", "区税务局"]),
        ("各县(市)区人\n民政府", ["各县（市）区人民政府"]),
        ("区发改局区统计局", ["区发改局", "区统计局"]),
        ("区商务局；区市场监管局。", ["区商务局", "区市场监管局"]),
        ("市委宣传部（市版权局，含分支）", ["市委宣传部（市版权局，含分支）"]),
    ],
)
def test_split_unit_names(cell: str, names: list[str]) -> None:
    assert split_unit_names(cell) == names


def test_exact_alias_and_bracket_forms_resolve_to_one_unit(known: list[KnownUnit]) -> None:
    directory = UnitDirectory(known, region="福州市")
    for written in ("市市场监管局（知识产权局）", "市市场监管局(知识产权局)", "市市场监管局", "市监局"):
        assert directory.resolve(written).name == "市市场监管局（知识产权局）"
    collective = directory.resolve("各县(市)区人民政府")
    assert collective.known is not None and collective.known.is_collective


def test_region_relative_short_forms(known: list[KnownUnit]) -> None:
    gulou = UnitDirectory(known, region="鼓楼区")
    assert gulou.resolve("区市场监督管理局（知识产权局）").name == "鼓楼区市场监督管理局（知识产权局）"
    # Another district's 区市场监管局 is not 鼓楼's, whatever the alias list says.
    cangshan = UnitDirectory(known, region="仓山区").resolve("区市场监管局")
    assert cangshan.known is None and cangshan.new is not None


def test_unknown_name_is_a_new_unit_with_a_suggestion_never_a_match(known: list[KnownUnit]) -> None:
    resolved = UnitDirectory(known, region="福州市").resolve("沧山区人民政府")
    assert resolved.known is None
    assert resolved.new is not None and resolved.new.name == "沧山区人民政府"
    assert "仓山区人民政府" in resolved.near


@pytest.mark.parametrize(
    ("name", "region", "level"),
    [
        ("市文旅局", None, "市"),
        ("区发改局", None, "县区"),
        ("各乡镇人民政府", None, "乡镇"),
        ("街道办事处", None, "乡镇"),
        ("立山区教育局", "立山区", "县区"),
        ("招商工作部", None, "other"),
    ],
)
def test_level_guessed_from_the_prefix(name: str, region: str | None, level: str) -> None:
    assert guess_level(name, region) == level
