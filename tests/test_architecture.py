"""The arrows between the packages (pyproject.toml's import-linter contracts) hold, and a broken one fails
`lint-imports` naming the offending import; only the transports import a chat platform library."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "nlu", "store", "schedules", "seeds")
PLATFORM_LIBRARIES = ("telegram", "slack_bolt", "slack_sdk")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"import-linter is a dev dependency; {LINT_IMPORTS} is missing")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold(project_copy: Path) -> None:
    result = _lint_imports(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "named"),
    [
        (
            "bot/conversation/texts.py",
            "from bot.transports import telegram_transport",
            "bot.conversation.texts -> bot.transports.telegram_transport",
        ),
        ("bot/conversation/core.py", "import bot.cli.settings", "bot.conversation.core -> bot.cli.settings"),
        ("nlu/parser.py", "import store.db", "nlu.parser -> store.db"),
        ("store/ledger.py", "import nlu.normalize", "store.ledger -> nlu.normalize"),
        ("schedules/plan.py", "import bot.conversation.texts", "schedules.plan -> bot.conversation.texts"),
        ("bot/cli/catalog.py", "import telegram", "bot.cli.catalog -> telegram"),
    ],
)
def test_a_broken_arrow_fails_naming_the_import(
    project_copy: Path, module: str, bad_import: str, named: str
) -> None:
    path = project_copy / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{bad_import}  # noqa\n", encoding="utf-8")
    result = _lint_imports(project_copy)
    assert result.returncode != 0
    assert named in result.stdout


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_transports_import_a_platform_library() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if not path.is_relative_to(ROOT / "bot" / "transports")
        and _imported_top_levels(path) & set(PLATFORM_LIBRARIES)
    ]
    assert offenders == []


def test_no_module_shadows_a_library() -> None:
    shadowing = {f"{name}.py" for name in (*PLATFORM_LIBRARIES, "jieba", "sqlmodel", "apscheduler")}
    found = [
        str(p.relative_to(ROOT))
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*.py")
        if p.name in shadowing
    ]
    assert found == []


def test_every_package_says_what_it_owns() -> None:
    packages = [p.parent for pkg in PACKAGES for p in (ROOT / pkg).rglob("__init__.py")]
    undocumented = [
        str(p.relative_to(ROOT))
        for p in packages
        if "migrations" not in p.parts
        and "data" not in p.parts
        and not ast.get_docstring(ast.parse((p / "__init__.py").read_text(encoding="utf-8")))
    ]
    assert undocumented == []
