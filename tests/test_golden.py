"""The golden set of questions meets its accuracy targets (the figures themselves: tests/golden/evaluate.py)."""

from __future__ import annotations

from pathlib import Path

from golden.evaluate import TARGET_OVERALL, TARGET_PER_INTENT, accuracy, evaluate, load_golden, report

from nlu.intents import INTENT_NAMES


def test_golden_set_accuracy(tmp_path: Path) -> None:
    golden = load_golden()
    turns = evaluate(f"sqlite:///{tmp_path / 'golden.sqlite3'}", golden)
    overall, per_intent = accuracy(turns)
    assert len(turns) >= 300
    assert overall >= TARGET_OVERALL, report(turns, show_failures=True)
    for _intent, (passed, total) in per_intent.items():
        assert passed / total >= TARGET_PER_INTENT, report(turns, show_failures=True)


def test_golden_set_covers_every_intent() -> None:
    expected = {turn["intent"] for c in load_golden()["conversations"] for turn in c["turns"]}
    assert expected == set(INTENT_NAMES) - {"choose"}  # a numbered reply is scored as what it resolves to
