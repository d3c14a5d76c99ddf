"""`python -m harvest_tui.sandbox`: the standalone sandbox, as `harvest-tui sandbox`."""

from harvest_tui.sandbox.cli import main

raise SystemExit(main())
