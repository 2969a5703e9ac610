"""`python -m bot` is the same as `duban`."""

from bot.cli.entry import main

raise SystemExit(main())
