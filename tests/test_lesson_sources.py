"""The committed notebooks are exactly what their jupytext sources in lessons/ generate.

A lesson is edited in ``lessons/NN_name.py``; ``make notebooks`` (tools/notebooks.py) writes
``notebooks/NN_name.ipynb``. If a notebook was edited in Jupyter instead, or a source was changed
without regenerating, the first test here says which file and what to run.
"""

import importlib.util
import json
import pathlib

try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("lesson_notebooks_tool", ROOT / "tools" / "notebooks.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

SOURCES = tool.sources()

SOURCE = '''# %% [markdown]
# # A lesson
# Some text.

# %%
x = 1

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# x = 2
# ```
# </details>

# %%
print(x)
'''


def test_every_lesson_has_a_source_and_every_source_a_notebook():
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    sources = {p.stem for p in SOURCES}
    assert len(sources) >= 3
    assert notebooks - sources == set(), (
        f"notebooks without a source in lessons/: {sorted(notebooks - sources)}; "
        "write lessons/NN_name.py (python tools/notebooks.py --pull NN_name turns the notebook into one)")
    assert sources - notebooks == set(), (
        f"sources without a notebook: {sorted(sources - notebooks)}; run `make notebooks` and commit the result")


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_committed_notebook_equals_what_its_source_generates(source):
    committed = tool.notebook_for(source).read_text(encoding="utf-8")
    assert committed == tool.render(source), (
        f"notebooks/{source.stem}.ipynb is not what lessons/{source.name} generates. If you changed the "
        "source, run `make notebooks` and commit both. If you edited the notebook in Jupyter, run "
        f"`python tools/notebooks.py --pull {source.stem}` to carry the edit into the source, then `make notebooks`.")


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_generated_notebook_has_no_outputs_and_the_course_kernel(source):
    nb = json.loads(tool.render(source))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    ids = [c["id"] for c in nb["cells"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_pulling_an_unedited_notebook_gives_back_its_source(source):
    assert tool.source_from_notebook(tool.notebook_for(source)) == source.read_text(encoding="utf-8"), (
        f"lessons/{source.name} is not in the form jupytext writes (header, blank lines): run `make notebooks`")


def test_tidying_a_source_rewrites_its_header_but_never_its_cells():
    messy = "# ---\n# jupyter:\n#   jupytext:\n#     text_representation:\n#       format_name: percent\n# ---\n\n" + SOURCE
    tidy = tool.canonical_source(messy)
    assert tidy.startswith("# ---\n# jupyter:\n#   kernelspec:") and "text_representation" not in tidy
    assert tool.notebook_from_source(tidy) == tool.notebook_from_source(messy)
    assert tool.canonical_source(tidy) == tidy


def test_cells_become_markdown_and_code_with_the_solution_fence_intact():
    nb = tool.notebook_from_source(SOURCE)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "markdown", "code"]
    assert nb.cells[0].source == "# A lesson\nSome text."
    assert nb.cells[1].source == "x = 1"
    assert "```python\nx = 2\n```" in nb.cells[2].source


def test_inserting_a_cell_keeps_every_other_cell_id():
    before = tool.notebook_from_source(SOURCE)
    inserted = SOURCE.replace("# %%\nx = 1\n", "# %%\nx = 1\n\n# %% [markdown]\n# A new note.\n\n# %%\ny = 3\n")
    after = tool.notebook_from_source(inserted)
    assert len(after.cells) == len(before.cells) + 2
    new_ids = {c.source: c.id for c in after.cells}
    assert all(new_ids[c.source] == c.id for c in before.cells)


def test_identical_cells_get_distinct_ids():
    nb = tool.notebook_from_source("# %%\nx = 1\n\n# %%\nx = 1\n\n# %% [markdown]\n# x = 1\n")
    ids = [c.id for c in nb.cells]
    assert ids[1] == ids[0] + "-2" and len(set(ids)) == 3


def test_jupyters_jupytext_writes_sources_the_way_the_tool_does():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["jupytext"]
    assert config["notebook_metadata_filter"] == tool.SOURCE_FORMAT["notebook_metadata_filter"]
    assert config["cell_metadata_filter"] == tool.SOURCE_FORMAT["cell_metadata_filter"]


def test_jupytext_command_line_turns_a_notebook_into_its_source(tmp_path, capsys):
    from jupytext.cli import jupytext as jupytext_cli

    source = SOURCES[0]
    out = tmp_path / source.name
    jupytext_cli(["--to", "py:percent", "-o", str(out), str(tool.notebook_for(source))])
    assert out.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
