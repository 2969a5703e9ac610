"""`python -m bot` is the same as `duban`."""

from bot.cli import main

raise SystemExit(main())
