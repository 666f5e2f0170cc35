"""The same smoke test in Jupyter Notebook 7 (``jupyter notebook``), which many schools use."""

from __future__ import annotations

import pytest

from .interactions import INTERACTIONS
from .servers import fixture_notebooks, lesson_notebooks
from .test_lessons_in_lab import assert_no_outside_requests, run_and_check

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every lesson, as in Lab: what a student sees (no cut-off label, every widget and plot) must hold
# in both front ends; the fixture proves the machinery.
NOTEBOOKS = [*lesson_notebooks(), *fixture_notebooks()]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_renders_and_responds_in_notebook7(context, notebook_server, notebook):
    nb = run_and_check(context, notebook_server, notebook, app="notebook", shot_suffix=".notebook7")
    INTERACTIONS[notebook.stem](nb)
    problems = nb.find_problems(min_images=1, min_audio=1)
    assert not problems, "after the interaction:\n  " + "\n  ".join(problems)
    assert_no_outside_requests(context, notebook_server)


@pytest.mark.xfail(strict=True, reason=(
    "Notebook 7.6.5 binds ArrowRight/ArrowLeft in command mode to 'notebook:move-cursor-heading-"
    "below-or-expand' with the selector '.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus', "
    "which matches a focused ipywidgets slider handle, so the key never reaches the slider "
    "(JupyterLab 4.6.6 lets it through). Strict: when an upgrade fixes it, this XPASSes and fails, "
    "so remove the mark then."))
def test_arrow_keys_move_a_slider_in_notebook7(context, notebook_server):
    from .test_lessons_in_lab import arrow_keys_move_the_fixture_slider

    arrow_keys_move_the_fixture_slider(context, notebook_server, "notebook")
