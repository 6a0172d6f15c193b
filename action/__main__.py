"""``python -m action``: the container's entry point."""

from __future__ import annotations

from action._main import main

raise SystemExit(main())
