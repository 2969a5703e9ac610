"""Cold start: wall time from process start of `duban ask` to its printed reply, beside jieba's own start-up.

Each command runs --runs times as a fresh process against an initialised SQLite database (created in a
temporary directory first); prints min / median / max seconds for:
  - python -c pass                                  (the interpreter alone)
  - python -c "import jieba; jieba.initialize()"    (jieba's stock dictionary, cache warm after run 1)
  - duban ask 鼓楼专利授权量进度                      (the whole answer)

    .venv/bin/python benchmarks/cold_start.py [--runs 10] [--instructions]

Wall time on these shared 2-core machines varies by ±30 % from run to run; the ratio to jieba's start-up is
printed from the same run (paired). --instructions also runs each command once under `valgrind
--tool=callgrind` and prints instructions executed, which is repeatable and makes the comparison with jieba
independent of the machine's mood (slow: about three minutes).

The commands run with bytecode caching on, as an installed duban runs: these machines set
PYTHONDONTWRITEBYTECODE=1 for every process, and with it no `.pyc` is ever written, so every run would
compile duban's modules (and jieba's and SQLAlchemy's where pip did not compile them) from source again.
--as-is keeps the environment as it is, to see that case.
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


Timings = dict[str, list[tuple[float, float]]]  # label -> (wall, CPU) seconds per run


def timed(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> Timings:
    """Each command once per round, the rounds one after another: a slow minute slows all of them alike.
    CPU time (user + system, from the child's rusage) is kept beside wall time: it does not count the time
    the process waited for a core that another process on this shared machine held."""
    seconds: Timings = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            start = time.perf_counter()
            child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                raise SystemExit(f"{label} exited with {child.returncode}")
            seconds[label].append((wall, usage.ru_utime + usage.ru_stime))
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
    parser.add_argument("--as-is", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if it is set")
    args = parser.parse_args()
    python = sys.executable
    duban = str(Path(python).with_name("duban"))
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DUBAN_HOME": home, "TMPDIR": home}
        if not args.as_is:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([duban, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "import jieba; jieba.initialize()": [python, "-c", "import jieba; jieba.initialize()"],
            f"duban ask {QUESTION}": [duban, "ask", "--today", "2025-08-10", QUESTION],
        }
        for command in commands.values():  # one untimed run each: .pyc files and jieba's cache exist after it
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        header = f"{'command':<36} {'min':>7} {'median':>7} {'max':>7} {'CPU med':>8}"
        print(f"{header}  ({args.runs} runs, seconds)")
        walls: dict[str, float] = {}
        cpus: dict[str, float] = {}
        for label, runs in timed(commands, env, args.runs).items():
            wall = [w for w, _ in runs]
            walls[label] = statistics.median(wall)
            cpus[label] = statistics.median(c for _, c in runs)
            print(f"{label:<36} {min(wall):>7.3f} {walls[label]:>7.3f} {max(wall):>7.3f} {cpus[label]:>8.3f}")
        ask, jieba = f"duban ask {QUESTION}", "import jieba; jieba.initialize()"
        print(
            f"duban ask / jieba start-up, same run: wall {walls[ask] / walls[jieba]:.2f}×, "
            f"CPU {cpus[ask] / cpus[jieba]:.2f}× (medians)"
        )
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
