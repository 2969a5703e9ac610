"""The executable's entry point sets the garbage collector aside during start-up only."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from bot.cli.entry import started


def test_started_turns_collection_back_on_and_freezes_what_start_up_built() -> None:
    frozen_before = gc.get_freeze_count()
    gc.disable()  # as the entry point does
    try:
        started()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen_before
    finally:
        gc.unfreeze()
        gc.enable()


def test_started_leaves_a_process_that_never_set_collection_aside_alone() -> None:
    frozen_before = gc.get_freeze_count()
    started()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen_before


def test_a_command_run_through_the_entry_point_collects_as_usual(tmp_path: Path) -> None:
    """`duban ask` through the executable's entry: the command runs with collection on again."""
    probe = (
        "import gc, sys\n"
        "import bot.cli.chat as chat\n"
        "real = chat.ask_command\n"
        "def ask(args, db):\n"
        "    print('collecting' if gc.isenabled() else 'not collecting', gc.get_freeze_count() > 0)\n"
        "    return real(args, db)\n"
        "chat.ask_command = ask\n"
        "from bot.cli.entry import main\n"
        "sys.argv = ['duban', 'ask', '--today', '2025-08-10', '鼓楼专利授权量进度']\n"
        "raise SystemExit(main())\n"
    )
    env = {**os.environ, "DUBAN_HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "bot", "init"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "collecting True"
    assert "年专利授权量" in result.stdout
