"""`python -m service.cli`, the same as the `netflix-proxy` console script."""

from __future__ import annotations

from service.cli.main import main

raise SystemExit(main())
