"""Cold start: wall time from process start of `duban ask` to its printed reply, beside jieba's own start-up.

Each command runs --runs times as a fresh process against an initialised SQLite database (created in a
temporary directory first); prints min / median / max seconds for:
  - python -c pass                                  (the interpreter alone)
  - python -c "import jieba; jieba.initialize()"    (jieba's stock dictionary, cache warm after run 1)
  - duban ask 鼓楼专利授权量进度                      (the whole answer)

    .venv/bin/python benchmarks/cold_start.py [--runs 10] [--instructions]

Wall time on these shared 2-core machines varies by ±30 % from run to run; --instructions also runs each
command once under `valgrind --tool=callgrind` and prints instructions executed, which is repeatable and
makes the comparison with jieba independent of the machine's mood (slow: about three minutes).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "鼓楼专利授权量进度"


def timed(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    seconds: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    return seconds


def instructions(command: list[str], env: dict[str, str]) -> int:
    """Instructions one run executes, counted by callgrind."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    collected = re.search(r"Collected : (\d+)", result.stderr)
    if collected is None:
        raise SystemExit(f"callgrind printed no count for {command}")
    return int(collected.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--instructions", action="store_true", help="also count instructions with callgrind")
    args = parser.parse_args()
    python = sys.executable
    duban = str(Path(python).with_name("duban"))
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DUBAN_HOME": home, "TMPDIR": home}
        subprocess.run([duban, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "import jieba; jieba.initialize()": [python, "-c", "import jieba; jieba.initialize()"],
            f"duban ask {QUESTION}": [duban, "ask", "--today", "2025-08-10", QUESTION],
        }
        for command in commands.values():  # one untimed run each: .pyc files and jieba's cache exist after it
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"{'command':<36} {'min':>7} {'median':>7} {'max':>7}  ({args.runs} runs, seconds)")
        for label, command in commands.items():
            seconds = timed(command, env, args.runs)
            print(f"{label:<36} {min(seconds):>7.3f} {statistics.median(seconds):>7.3f} {max(seconds):>7.3f}")
        if args.instructions:
            # The command names the console script; under valgrind it must be run by the interpreter.
            counts = {
                label: instructions(command if command[0] == python else [python, *command], env)
                for label, command in commands.items()
            }
            jieba_count = counts["import jieba; jieba.initialize()"]
            print(f"\n{'command':<36} {'instructions':>15} {'vs jieba':>9}")
            for label, count in counts.items():
                print(f"{label:<36} {count:>15,} {count / jieba_count:>9.0%}")


if __name__ == "__main__":
    main()
