"""`make lab`, exactly as a student types it, serves lesson 00 and opens it in the browser."""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
from pathlib import Path

import pytest

from .servers import ARTIFACTS, REPO, free_port, opened_urls, start_make_target, stop_process_tree

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON_00 = REPO / "notebooks" / "00_music_as_data.ipynb"


@pytest.fixture(scope="module")
def make_lab(browser):
    """``make lab PORT=<free>`` running; yields (printed URL, home with the opened-URL record, log)."""
    if not LESSON_00.exists():
        pytest.fail(f"{LESSON_00} is missing; `make lab` opens it")
    home = Path(tempfile.mkdtemp(prefix="lessonkit-make-lab-"))
    checkpoints = REPO / "notebooks" / ".ipynb_checkpoints"
    had_checkpoints = checkpoints.exists()
    proc, url, log = start_make_target("lab", free_port(), home, name="make-lab")
    try:
        yield url.replace("//localhost:", "//127.0.0.1:"), home, log
    finally:
        stop_process_tree(proc)
        shutil.rmtree(home, ignore_errors=True)
        if not had_checkpoints:  # JupyterLab makes a checkpoint of every notebook it opens
            shutil.rmtree(checkpoints, ignore_errors=True)


def _open(context, url):
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    return page


def _assert_lesson_00_open(page):
    tabs = page.locator(".jp-MainAreaWidget .lm-TabBar-tabLabel, .lm-DockPanel-tabBar .lm-TabBar-tabLabel")
    assert "00_music_as_data.ipynb" in tabs.all_inner_texts()
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook > .jp-Cell, "
                         ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-viewport > .jp-Cell")
    import nbformat

    from playwright.sync_api import expect

    n_cells = len(nbformat.read(LESSON_00, as_version=4).cells)
    try:  # Lab adds the cells of a long notebook a few at a time
        expect(cells).to_have_count(n_cells, timeout=30_000)
    except AssertionError:
        raise AssertionError(f"lesson 00 has {n_cells} cells, the page shows {cells.count()}") from None
    assert "Lesson 00" in page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.inner_text()
    # the kernel it starts is ready (the status bar says "Python 3 (ipykernel) | Idle")
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=60_000)


def test_make_lab_prints_a_working_url_and_opens_lesson_00(make_lab, context):
    url, home, _ = make_lab
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
    opened = opened_urls(home)
    assert opened, "make lab asked no browser to open anything"
    assert opened[-1].split("?")[0].endswith("/00_music_as_data.ipynb"), opened
    page = _open(context, opened[-1].replace("//localhost:", "//127.0.0.1:"))
    _assert_lesson_00_open(page)
    page.screenshot(path=str(ARTIFACTS / "make-lab.png"))
    port = int(url.split(":")[2].split("/")[0])
    outside = context.network.outside(port)
    assert not outside, f"the page made requests outside the Jupyter server: {outside}"


def test_the_printed_url_opens_lesson_00(make_lab, context):
    url, _, _ = make_lab
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.locator(".jp-LabShell").first.wait_for(timeout=60_000)
    try:
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=20_000)
    except Exception:
        pass
    _assert_lesson_00_open(page)
    page.screenshot(path=str(ARTIFACTS / "make-lab-printed-url.png"))


def test_opening_lesson_00_never_saved_it(make_lab):
    """Only opening, never running: the committed notebook (outputs cleared) is not written."""
    _, _, log = make_lab
    saved = [line for line in log.read_text(errors="replace").splitlines() if "Saving file at" in line]
    assert not saved, f"opening lesson 00 through `make lab` wrote to the committed notebook: {saved}"
