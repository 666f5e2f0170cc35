"""Write a lesson notebook from a plain-text outline (maintainers' tool).

The outline is a Python list of ("md" | "code", text) pairs; the notebook is written with
outputs cleared, the .venv kernel spec ("python3") and a stable cell id per cell.
Usage: ``python tools/nbwrite.py outline.py notebooks/NN_name.ipynb``
"""

import hashlib
import runpy
import sys

import nbformat


def write(cells, path):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, text) in enumerate(cells):
        text = text.strip("\n")
        cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        cell.id = hashlib.sha1(f"{i}:{text[:40]}".encode()).hexdigest()[:8]
        nb.cells.append(cell)
    nbformat.validate(nb)
    nbformat.write(nb, path)


if __name__ == "__main__":
    write(runpy.run_path(sys.argv[1])["CELLS"], sys.argv[2])
