"""Write the lesson notebooks from their sources (maintainers' tool, behind ``make notebooks``).

A lesson is authored as a jupytext percent-format file ``lessons/NN_name.py``: ``# %% [markdown]``
starts a markdown cell (each line a ``# `` comment), ``# %%`` a code cell. Jupyter opens the file
as a notebook when jupytext is installed (it is in the dev extras). This tool writes
``notebooks/NN_name.ipynb`` from every source, byte for byte the same on every run:

- outputs and execution counts cleared, no cell metadata;
- the notebook metadata is always the ``python3`` kernelspec (the course's .venv kernel) and
  ``language_info = {"name": "python"}``, whatever the source's header says;
- every cell id is derived from the cell's own type and text (the first 8 hex digits of a SHA-1;
  a cell identical to an earlier one gets ``-2``, ``-3``...), so inserting, deleting or moving a
  cell never changes the id of another one. Editing a cell gives it a new id.

Usage (from the repository root, with the .venv's Python)::

    python tools/notebooks.py              # write every notebooks/NN_name.ipynb that differs (and tidy sources)
    python tools/notebooks.py --check      # only list the notebooks that differ (exit 1 if any)
    python tools/notebooks.py --pull NN_name   # write lessons/NN_name.py FROM the notebook

``--pull`` is for a lesson edited in Jupyter's notebook view (``notebooks/NN_name.ipynb``): it
turns the notebook back into its source, replacing ``lessons/NN_name.py`` (git shows the change;
outputs are never copied into a source). tests/test_lesson_sources.py checks that every
committed notebook equals what its source generates.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import pathlib
import sys
import tempfile

import jupytext
import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# How a source is written by --pull: only the kernelspec in its header, no cell metadata. The same
# settings are pyproject.toml's [tool.jupytext], which jupytext's own CLI and Jupyter extension read.
SOURCE_FORMAT = {
    "extension": ".py",
    "format_name": "percent",
    "notebook_metadata_filter": "kernelspec,-all",
    "cell_metadata_filter": "-all",
}


def cell_id(cell_type: str, source: str, seen: dict) -> str:
    """A cell id from the cell's own content: stable when other cells are inserted or moved.

    ``seen`` counts ids already given in this notebook, so two identical cells get distinct ids
    (``abcd1234`` then ``abcd1234-2``).
    """
    base = hashlib.sha1(f"{cell_type}\n{source}".encode("utf-8")).hexdigest()[:8]
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


def notebook_from_source(text: str) -> nbformat.NotebookNode:
    """The lesson notebook (outputs cleared, stable ids) for the text of a percent-format source."""
    parsed = jupytext.reads(text, fmt="py:percent")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    seen: dict = {}
    for cell in parsed.cells:
        source = cell.source.strip("\n")
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(source)
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(source)
        else:
            new = nbformat.v4.new_raw_cell(source)
        new.id = cell_id(cell.cell_type, source, seen)
        nb.cells.append(new)
    nbformat.validate(nb)
    return nb


def render(source: pathlib.Path) -> str:
    """The exact text of the notebook generated from the source file ``source``."""
    return nbformat.writes(notebook_from_source(source.read_text(encoding="utf-8"))) + "\n"


def source_from_notebook(path) -> str:
    """The percent-format source text for a notebook file or node (outputs dropped): the inverse of ``render``."""
    nb = nbformat.read(path, as_version=4) if isinstance(path, (str, pathlib.Path)) else copy.deepcopy(path)
    nb.metadata = {"kernelspec": dict(KERNELSPEC)}
    for cell in nb.cells:
        cell.metadata = {}
        cell.source = cell.source.strip("\n")
    return jupytext.writes(nb, fmt=dict(SOURCE_FORMAT))


def sources() -> list[pathlib.Path]:
    return sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def notebook_for(source: pathlib.Path) -> pathlib.Path:
    return NOTEBOOKS / (source.stem + ".ipynb")


def orphans() -> list[pathlib.Path]:
    """Committed notebooks with no source in lessons/ (they would never be regenerated)."""
    names = {s.stem for s in sources()}
    return [p for p in sorted(NOTEBOOKS.glob("*.ipynb")) if p.stem not in names]


def stale() -> list[pathlib.Path]:
    """Notebooks missing or different from what their source generates."""
    out = []
    for source in sources():
        nb = notebook_for(source)
        if not nb.exists() or nb.read_text(encoding="utf-8") != render(source):
            out.append(nb)
    return out


def _atomic_write(path: pathlib.Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def canonical_source(text: str) -> str | None:
    """``text`` in the form --pull and Jupyter write (header, blank lines), or None if that would change a cell."""
    nb = notebook_from_source(text)
    canonical = source_from_notebook(nb)
    return canonical if notebook_from_source(canonical) == nb else None


def write_all() -> list[pathlib.Path]:
    """Tidy every source into its canonical form, write every notebook that differs; returns the files written.

    A source is only rewritten when the tidy form makes exactly the same notebook (a header
    jupytext added, blank lines between cells); its cells never change.
    """
    NOTEBOOKS.mkdir(exist_ok=True)
    written = []
    for source in sources():
        original = source.read_text(encoding="utf-8")
        canonical = canonical_source(original)
        if canonical is not None and canonical != original:
            _atomic_write(source, canonical)
            written.append(source)
        path, text = notebook_for(source), render(source)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            _atomic_write(path, text)
            written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write notebooks/NN_name.ipynb from lessons/NN_name.py.")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="only list notebooks that differ from their sources")
    group.add_argument("--pull", metavar="NN_name", help="write lessons/NN_name.py from notebooks/NN_name.ipynb")
    args = parser.parse_args(argv)
    rel = lambda p: p.relative_to(ROOT)  # noqa: E731

    if args.pull:
        name = pathlib.Path(args.pull).stem
        notebook = NOTEBOOKS / f"{name}.ipynb"
        if not notebook.exists():
            print(f"No notebook {rel(notebook)}; give a lesson name such as 00_music_as_data.", file=sys.stderr)
            return 2
        LESSONS.mkdir(exist_ok=True)
        target = LESSONS / f"{name}.py"
        _atomic_write(target, source_from_notebook(notebook))
        print(f"wrote {rel(target)} from {rel(notebook)}; now run `make notebooks` and review `git diff`.")
        return 0

    problems = [f"{rel(p)} has no source lessons/{p.stem}.py (write one, or delete the notebook)"
                for p in orphans()]
    if args.check:
        problems += [f"{rel(p)} differs from what lessons/{p.stem}.py generates" for p in stale()]
        print("\n".join(problems) if problems else "every notebook equals its source")
        return 1 if problems else 0
    for path in write_all():
        print(f"wrote {rel(path)}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
