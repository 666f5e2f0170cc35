"""Every lesson runs top to bottom, headless, on a fresh kernel, with no error output.

Each notebook is copied to a temporary folder first, so files it writes (MIDI, WAV) never
land in the repository. The solutions shown in a lesson's "Show a solution" boxes are also
run through that lesson's own check, so a solution and its check can never disagree.
"""

import pathlib
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_errors(path, tmp_path):
    work = tmp_path / path.name
    shutil.copy(path, work)
    nb = nbformat.read(work, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                            allow_errors=True)
    client.execute()
    errors = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"cell {i}: {out['ename']}: {out['evalue']}\n{''.join(cell.source)[:200]}")
    assert not errors, "\n\n".join(errors)


def _with_solutions(nb):
    """The notebook with each exercise cell replaced by its shown solution plus the cell's check call.

    Returns the indices of the replaced cells.
    """
    replaced = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and "Show a solution" in cell.source:
            code = re.search(r"```python\n(.*?)```", cell.source, re.S).group(1)
            exercise = nb.cells[i - 1]
            call = re.search(r"^(check\w*\.check_\w+\(.*\))\s*$", exercise.source, re.M).group(1)
            exercise.source = code + "\n" + call
            replaced.append(i - 1)
    return replaced


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_solutions_shown_in_a_lesson_pass_its_checks(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    replaced = _with_solutions(nb)
    if not replaced:
        pytest.skip(f"{path.name} shows no solutions")
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                   allow_errors=True).execute()
    for i in replaced:
        html = " ".join(str(out.get("data", {}).get("text/html", "")) for out in nb.cells[i].outputs)
        errors = [out for out in nb.cells[i].outputs if out.output_type == "error"]
        assert 'data-passed="true"' in html and not errors, (
            f"{path.name}: the shown solution in cell {i} does not pass its check:\n{nb.cells[i].source}\n{nb.cells[i].outputs}")
