"""The `duban` executable's entry point, kept apart from `bot.cli.main` so that it can set the garbage
collector aside before anything heavy is imported.

Start-up (SQLAlchemy, SQLModel's tables, the lexicon, the command's module) allocates a few hundred thousand
objects, all of which live until the process ends; the cyclic collector runs dozens of times over them while
they are being built and frees nothing — about a tenth of `duban ask`'s start-up. The collector is therefore
off until the command's module is loaded; `started()` then freezes what start-up built (no later collection
walks it again) and turns collection back on for the command's own work, so a long `duban run` collects
as usual. Code that calls `bot.cli.main.main` itself (the tests) never turns collection off, and `started()`
leaves such a process alone.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from bot.cli.main import main as run_command

    return run_command()


def started() -> None:
    """Called once the command's module is imported: start-up is over."""
    if gc.isenabled():
        return  # not started through `main` above: nothing was set aside
    gc.freeze()
    gc.enable()
