"""Every lesson runs top to bottom, headless, on a fresh kernel, with no error output.

Each notebook is copied to a temporary folder first, so files it writes (MIDI, WAV) never
land in the repository. The solutions shown in a lesson's "Show a solution" boxes are also
run through that lesson's own check, so a solution and its check can never disagree.
"""

import json
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


def _solutions(path):
    """(check call, solution code) for each exercise with a 'Show a solution' box."""
    cells = json.loads(path.read_text())["cells"]
    pairs = []
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "Show a solution" in source:
            code = re.search(r"```python\n(.*?)```", source, re.S).group(1)
            previous = "".join(cells[i - 1]["source"])
            call = re.search(r"^(check\w*\.check_\w+\(\w+\))", previous, re.M).group(1)
            pairs.append((call, code))
    return pairs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_solutions_shown_in_a_lesson_pass_its_checks(path):
    cells = json.loads(path.read_text())["cells"]
    setup = next("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    pairs = _solutions(path)
    if not pairs:
        pytest.skip(f"{path.name} shows no solutions")
    namespace = {}
    exec(setup, namespace)
    for call, code in pairs:
        exec("import math\n" + code, namespace)
        feedback = eval(call, namespace)
        assert feedback.passed, f"{path.name}: the shown solution for {call} fails its check: {feedback}"
