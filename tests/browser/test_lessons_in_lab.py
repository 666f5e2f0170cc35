"""Every lesson, opened and run in JupyterLab in headless Chromium, as a student meets it.

For each notebook in ``notebooks/`` (and the fixture in ``fixtures/``): open it, Run All,
wait for the kernel; then no errors, every widget rendered as a widget, every plot drawn,
every player holding sound, a full-page screenshot in ``artifacts/<notebook>.png``; then
the lesson's registered interaction (``interactions.py``), and not one request outside the
Jupyter server.
"""

from __future__ import annotations

import re

import pytest

from .interactions import INTERACTIONS
from .notebook_page import NotebookPage
from .servers import ARTIFACTS, REPO, fixture_notebooks, lesson_notebooks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = lesson_notebooks() + fixture_notebooks()


def run_and_check(context, server, notebook, app="lab", shot_suffix=""):
    """Open ``notebooks/<notebook.name>`` in ``app``, run all, assert a student sees no problem."""
    page = context.new_page()
    nb = NotebookPage(page, server, f"notebooks/{notebook.name}", app=app).open()
    nb.run_all()
    problems = nb.find_problems(min_images=1, min_audio=1)
    nb.screenshot(ARTIFACTS / f"{notebook.stem}{shot_suffix}.png")
    assert not problems, f"{notebook.name} in {app}:\n  " + "\n  ".join(problems)
    return nb


def assert_no_outside_requests(context, server):
    urls = context.network.urls
    assert any(u.startswith(f"ws://127.0.0.1:{server.port}/") for u in urls), \
        "the request log saw no kernel websocket: is the recording working?"
    outside = context.network.outside(server.port)
    assert not outside, f"the page made requests outside the Jupyter server: {outside}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_renders_and_responds_in_lab(context, lab_server, notebook):
    nb = run_and_check(context, lab_server, notebook)
    act = INTERACTIONS.get(notebook.stem)
    if act is not None:
        act(nb)
        problems = nb.find_problems(min_images=1, min_audio=1)
        nb.screenshot(ARTIFACTS / f"{notebook.stem}.after-interaction.png")
        assert not problems, f"after the interaction {act.__name__}:\n  " + "\n  ".join(problems)
    assert_no_outside_requests(context, lab_server)


def test_kernel_is_the_project_venv_with_lessonkit(context, lab_server):
    """The kernel the server starts is ``.venv``'s Python, where lessonkit is importable."""
    fixture = fixture_notebooks()[0]
    page = context.new_page()
    nb = NotebookPage(page, lab_server, f"notebooks/{fixture.name}").open()
    nb.run_all()
    assert not nb.find_problems()
    printed = re.search(r"kernel python: (/\S+)", nb.text())
    assert printed, "the fixture's first cell did not print the kernel's sys.executable"
    executable = printed.group(1)
    assert executable.startswith(str(REPO / ".venv" / "bin" / "python")), executable


def arrow_keys_move_the_fixture_slider(context, server, app):
    """Focus the fixture's slider handle, press ArrowRight twice; the value, plot and sound follow."""
    from .interactions import outputs, wait_both_change

    fixture = fixture_notebooks()[0]
    nb = NotebookPage(context.new_page(), server, f"notebooks/{fixture.name}", app=app).open()
    nb.run_all()
    before = outputs(nb)
    value = nb.press_slider("Transpose", "ArrowRight", times=2)
    assert value == "2", f"ArrowRight twice on the focused slider should give 2, the readout says {value!r}"
    wait_both_change(nb, before, "the plot and sound to follow the arrow keys")


def test_arrow_keys_move_a_slider_in_lab(context, lab_server):
    """Students who use the keyboard (or a screen reader) can move a slider."""
    arrow_keys_move_the_fixture_slider(context, lab_server, "lab")
