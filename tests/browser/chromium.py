"""Which browser the tests drive, with which flags, and what to do when it is missing.

Debian's Chromium at ``/usr/bin/chromium`` (``make browser-deps`` installs it through apt);
Playwright's Python package only drives it and never downloads a browser of its own.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google's servers (and floods a closed network).
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-default-browser-check",
]


def missing_browser_action(chromium: Path = CHROMIUM, env=None) -> tuple[str, str] | None:
    """What to do when the browser tests cannot run: ``None``, or ``("skip"|"fail", message)``.

    CI (``CI=true``) must never skip them silently, so there a missing browser fails.
    """
    env = os.environ if env is None else env
    reason = None
    if not chromium.exists():
        reason = (f"Chromium not found at {chromium}: the browser tests need Debian's Chromium. "
                  "Install it with `make browser-deps` (as root, where apt works) or "
                  "`apt-get install chromium chromium-driver`.")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is missing; run `make dev` (pip install -e '.[dev]')."
    if reason is None:
        return None
    if env.get("CI", "").lower() == "true":
        return "fail", f"CI=true and the browser tests cannot run: {reason}"
    return "skip", reason
