"""`python -m bot` is the same as `duban`."""

from bot.cli.main import main

raise SystemExit(main())
