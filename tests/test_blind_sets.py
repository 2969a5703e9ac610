"""Every blind set runs end to end: its reports and completions load, and every turn gets a reply.

Accuracy on a blind set is a measurement (benchmarks/README.md: a set's first run is the figure), not a test
threshold: a set tuned until it passes would stop being blind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from golden.blind import load, run

SETS = sorted((Path(__file__).parent / "golden").glob("blind*.yaml"))


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_a_blind_set_runs_and_every_turn_is_answered(path: Path, tmp_path: Path) -> None:
    data = load(path)
    results = run(f"sqlite:///{tmp_path / 'blind.sqlite3'}", data)
    scored = sum(1 for c in data["conversations"] for t in c["turns"] if not t.get("unsure"))
    assert len(results) == scored >= 100
    assert all(r.reply.strip() for r in results)
    assert not any("Traceback" in r.reply for r in results)
