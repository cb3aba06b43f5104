"""`python -m bot` runs the same command line as `claimwatch`."""

from bot.cli import main

raise SystemExit(main())
