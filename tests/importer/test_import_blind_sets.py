"""Every blind set on an imported plan runs end to end: the document imports and applies beside the seeds,
and every question gets a reply. Accuracy is a measurement (benchmarks/README.md: a set's first run is the
figure), not a threshold here: a set tuned until it passes would stop being blind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_blind import run  # noqa: E402

SETS = sorted((ROOT / "tests" / "golden").glob("import_blind*.yaml"))


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_an_imported_plans_blind_set_runs_and_every_question_is_answered(path: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    results = run(data, tmp_path)
    assert len(results) == sum(1 for q in data["questions"] if not q.get("unsure")) >= 30
    assert all(reply.strip() and "Traceback" not in reply for _, reply, _ in results)
