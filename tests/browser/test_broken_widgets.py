"""A deliberately broken widget front end makes the checks fail (they are not blind).

JupyterLab is started with the ipywidgets front end (``@jupyter-widgets/jupyterlab-manager``)
disabled in the server's *own* config dir (never the ``.venv``'s), as if a school's install
had lost it; the fixture notebook is run, and :meth:`NotebookPage.find_problems` must report it.
"""

from __future__ import annotations

import pytest

from .notebook_page import NotebookPage
from .servers import ARTIFACTS, disable_lab_extension, fixture_notebooks, start_test_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDGETS_FRONT_END = "@jupyter-widgets/jupyterlab-manager"


@pytest.fixture(scope="module")
def broken_lab(browser, scratch):
    server = start_test_server("lab", scratch, "lab-without-widgets",
                               env_hook=lambda env: disable_lab_extension(env, WIDGETS_FRONT_END))
    try:
        yield server
    finally:
        server.stop()


def test_checker_reports_widgets_without_their_front_end(context, broken_lab):
    fixture = fixture_notebooks()[0]
    page = context.new_page()
    nb = NotebookPage(page, broken_lab, f"notebooks/{fixture.name}").open()
    disabled = page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent)"
                             ".disabledExtensions")
    assert WIDGETS_FRONT_END in disabled, f"the extension was not disabled: {disabled}"
    nb.run_all()
    problems = nb.find_problems(min_images=1, min_audio=1)
    nb.screenshot(ARTIFACTS / "broken-widgets.png")
    (ARTIFACTS / "broken-widgets.txt").write_text("\n".join(problems) + "\n")
    print("find_problems() with the widget front end disabled:\n  " + "\n  ".join(problems))
    assert problems, "the checker saw nothing wrong although no widget can render"
    assert any("widget" in p for p in problems), problems
    assert any("shown as text" in p or "rendered as a widget" in p for p in problems), problems
    assert any("audio player" in p for p in problems), problems
