"""Fixtures for the browser tests: one headless Chromium per session, Jupyter servers per module.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``make browser-deps``); Playwright is
only the driver and never downloads a browser. Without Chromium these tests skip with a
message, except under CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .chromium import CHROMIUM, CHROMIUM_ARGS, missing_browser_action
from .servers import ARTIFACTS, start_test_server

@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) for the whole session; Playwright gives it a fresh profile."""
    action = missing_browser_action()
    if action is not None:
        kind, message = action
        (pytest.fail if kind == "fail" else pytest.skip)(message)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    for stale in ARTIFACTS.glob("FAILED-*.png"):  # from an earlier run; this run makes its own
        stale.unlink()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser, request):
    """A fresh browser context (cookies, storage) per test, recording every request it makes.

    ``context.network`` is a :class:`NetworkLog`. When the test fails, a screenshot of every
    open page is saved as ``artifacts/FAILED-<test>.png``.
    """
    from .notebook_page import NetworkLog

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    ctx.set_default_timeout(30_000)
    ctx.network = NetworkLog().attach(ctx)
    yield ctx
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for i, page in enumerate(ctx.pages):
            name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in request.node.name)
            try:
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}-{i}.png"))
            except Exception:
                pass
    ctx.close()


@pytest.fixture(autouse=True)
def _shutdown_kernels_after_each_test(request):
    """Stop the kernels a test started on a module's shared server, once the test is over."""
    yield
    for name in ("lab_server", "notebook_server", "broken_lab"):
        if name in request.fixturenames:
            request.getfixturevalue(name).shutdown_kernels()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def scratch():
    """A temporary directory for one module's server root and Jupyter home; removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="lessonkit-browser-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def lab_server(browser, scratch):
    """JupyterLab from ``.venv`` on a free loopback port, serving copies of the notebooks."""
    server = start_test_server("lab", scratch, "lab")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def notebook_server(browser, scratch):
    """Jupyter Notebook 7 (``jupyter notebook``) from ``.venv``, serving copies of the notebooks."""
    server = start_test_server("notebook", scratch, "notebook7")
    try:
        yield server
    finally:
        server.stop()
