"""The page check finds a cut-off widget label (it is not blind), in JupyterLab and Notebook 7.

Every lesson runs through :meth:`NotebookPage.find_problems`, which reports any visible widget
label, button text or readout whose text does not fit its box (``scrollWidth > clientWidth``):
a student alone cannot guess what "temperat..." or "C..." means. Here a notebook with such a
label on purpose (written into the server's scratch copy only) must be reported.
"""

from __future__ import annotations

import nbformat
import pytest

from .notebook_page import NotebookPage
from .servers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CUT = ("import ipywidgets as widgets\n"
       "widgets.HBox([widgets.FloatSlider(description='a description far too long for its box'),\n"
       "              widgets.Button(description='a button label that cannot fit', layout=widgets.Layout(width='70px')),\n"
       "              widgets.Button(description='fits', layout=widgets.Layout(width='auto'))])")


def _write_fixture(server) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CUT)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(server.root / "notebooks" / "cut_labels.ipynb"))
    return "notebooks/cut_labels.ipynb"


@pytest.mark.parametrize("app", ["lab", "notebook7"])
def test_checker_reports_a_cut_off_label_and_button(context, request, app):
    server = request.getfixturevalue("lab_server" if app == "lab" else "notebook_server")
    page = context.new_page()
    nb = NotebookPage(page, server, _write_fixture(server), app="lab" if app == "lab" else "notebook").open()
    nb.run_all()
    problems = nb.find_problems()
    nb.screenshot(ARTIFACTS / f"cut-labels.{app}.png")
    cut = [p for p in problems if "is cut off" in p]
    assert any("a description far too" in p for p in cut), problems
    assert any("a button label that" in p for p in cut), problems
    assert not any('"fits"' in p for p in cut), problems
