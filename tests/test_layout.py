"""The layout of lessonkit/, checked from the code's own imports (see docs/architecture.md).

* no import circle anywhere in the package (function-level imports count);
* imports run downwards through the layers of docs/architecture.md (:data:`LAYERS`);
* runtime modules never import ``lessonkit.builders`` (build-time code);
* no module over about 400 lines, no class over about 300.

The checker itself is tested on tiny fake packages, so each rule is shown to be able to fail.
"""

import ast
import pathlib
import textwrap

import pytest

from import_graph import find_cycles, forbidden_imports, import_graph, layer_violations

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "lessonkit"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 300
LAYERS = {
    # name under lessonkit/ (a module or a subpackage; "" for anything not listed): layer.
    # A module may import only from lower layers (within a subpackage, any order without circles).
    # Keep this table and the picture in docs/architecture.md the same.
    "errors": 0,
    "files": 1,
    "music": 2, "manifest": 2, "models.base": 2, "checks.core": 2,
    "analysis": 3, "instrument_files": 3, "training": 3, "models.responder": 3,
    "instruments": 4,
    "datasets": 5, "audio": 5,
    "models": 6,                      # every model family: rules, markov, melody_rnn, synth, loops, ...
    "transcribe": 6, "originality": 6,  # (sing, assistant branches) audio -> melody; distance to the corpus
    "plots": 7, "models.duet": 7, "train": 7,
    "values": 8, "capstone": 8, "latent": 8, "exchange": 8,  # (assistant, loops, sing branches) built on the models
    "widgets": 9, "checks": 9, "homework": 9,  # exercise checks may use anything below; only lessons import them
    "__main__": 10, "": 10,           # "": the package's __init__ and any module not listed yet
    "builders": 11,                   # maintainers' builds use the public library; nothing imports them
}
LONGER_ON_PURPOSE = {}
"""``{path relative to lessonkit/: why}`` for a module or class allowed past the limits (none today)."""


def _fake_package(tmp_path, files: dict) -> pathlib.Path:
    root = tmp_path / "fakepkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


# ----------------------------------------------------------------------------- the checker


def test_checker_finds_a_circle_made_by_a_function_level_import(tmp_path):
    root = _fake_package(tmp_path, {
        "models/__init__.py": "",
        "models/facade.py": "def load():\n    from .family import Family\n    return Family()\n",
        "models/family.py": "from .facade import load\nclass Family: ...\n",
        "music.py": "X = 1\n",
    })
    graph = import_graph(root)
    assert graph["fakepkg.models.facade"] == {"fakepkg.models.family": 2}
    assert find_cycles(graph) == [["fakepkg.models.facade", "fakepkg.models.family", "fakepkg.models.facade"]]


def test_checker_resolves_parent_imports_and_finds_a_longer_circle(tmp_path):
    root = _fake_package(tmp_path, {
        "a.py": "from .sub import b\n",
        "sub/__init__.py": "",
        "sub/b.py": "from ..c import thing\n",
        "c.py": "import fakepkg.a\nthing = 1\n",
    })
    graph = import_graph(root)
    assert graph["fakepkg.sub.b"] == {"fakepkg.c": 1}
    assert find_cycles(graph) == [["fakepkg.a", "fakepkg.sub.b", "fakepkg.c", "fakepkg.a"]]


def test_checker_passes_a_package_without_circles(tmp_path):
    root = _fake_package(tmp_path, {
        "base.py": "import numpy\n",
        "family.py": "from .base import x\nfrom . import base\n",
        "facade.py": "def load():\n    from . import family\n",
    })
    graph = import_graph(root)
    assert graph["fakepkg.family"] == {"fakepkg.base": 1}  # numpy is not ours: no edge
    assert find_cycles(graph) == []


def test_checker_finds_a_runtime_import_of_a_builder(tmp_path):
    root = _fake_package(tmp_path, {
        "builders/__init__.py": "",
        "builders/manifest.py": "from ..files import write\n",
        "files.py": "def write(): ...\n",
        "instruments.py": "def load():\n    from .builders.manifest import read\n",
    })
    bad = forbidden_imports(import_graph(root), "fakepkg.builders", "fakepkg.builders")
    assert bad == [("fakepkg.instruments", "fakepkg.builders.manifest", 2)]


def test_checker_finds_an_import_that_runs_upwards(tmp_path):
    root = _fake_package(tmp_path, {
        "errors.py": "",
        "music/__init__.py": "from .model import Note\n",
        "music/model.py": "from ..errors import E\nfrom .text import parse\n",   # inside a subpackage: allowed
        "music/text.py": "def parse():\n    from ..models.base import seed\n",  # music is below models: refused
        "models/__init__.py": "",
        "models/base.py": "from ..music import Note\n",
    })
    layers = {"errors": 0, "music": 1, "models": 2, "": 3}
    bad = layer_violations(import_graph(root), layers, "fakepkg")
    assert bad == [("fakepkg.music.text", 1, "fakepkg.models.base", 2, 2)]


# ----------------------------------------------------------------------------- lessonkit


def test_lessonkit_has_no_import_circle():
    cycles = find_cycles(import_graph(PACKAGE))
    assert cycles == [], "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_imports_run_down_the_layers():
    bad = layer_violations(import_graph(PACKAGE), LAYERS, "lessonkit")
    assert bad == [], "imports that run upwards (module layer -> target layer): " + "; ".join(
        f"{m} ({a}) line {line} -> {t} ({b})" for m, a, t, b, line in bad)


def test_runtime_modules_never_import_the_builders():
    bad = forbidden_imports(import_graph(PACKAGE), "lessonkit.builders", "lessonkit.builders")
    assert bad == [], "runtime modules import build-time code: " + "; ".join(
        f"{m} (line {line}) -> {t}" for m, t, line in bad)


def test_model_families_never_import_the_duet_facade():
    graph = import_graph(PACKAGE)
    families = [m for m in graph if m.startswith("lessonkit.models.") and m != "lessonkit.models.duet"]
    assert families and not [m for m in families if "lessonkit.models.duet" in graph[m]]


def test_modules_and_classes_stay_readable_in_one_sitting():
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        text = path.read_text(encoding="utf-8")
        n_lines = len(text.splitlines())
        if n_lines > MAX_MODULE_LINES and rel not in LONGER_ON_PURPOSE:
            too_long.append(f"{rel}: {n_lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_CLASS_LINES and f"{rel}:{node.name}" not in LONGER_ON_PURPOSE:
                    too_long.append(f"{rel}: class {node.name} {length} lines")
    assert too_long == [], "split these (or add them to LONGER_ON_PURPOSE with a reason): " + ", ".join(too_long)


@pytest.mark.parametrize("name", ["Melody", "Note", "HOLD", "REST", "VOCAB_SIZE", "note_name", "parse_note_name",
                                  "token_name", "seconds_to_steps", "STEPS_PER_BEAT", "DEFAULT_VELOCITY",
                                  "pad_to_bar", "midi_to_hz"])
def test_music_names_are_importable_from_the_package(name):
    import lessonkit.music

    assert hasattr(lessonkit.music, name)


def test_one_definition_of_the_small_helpers():
    from lessonkit import analysis, audio, music, training
    from lessonkit.models import base, duet
    from lessonkit.widgets import duet as duet_widget

    assert audio.midi_to_hz is analysis.midi_to_hz is music.midi_to_hz
    assert duet_widget.padded_call is music.pad_to_bar
    assert duet.check_seed is base.check_seed and duet.apply_temperature is base.apply_temperature
    assert training.save_checkpoint is base.save_weights and training.load_checkpoint is base.load_weights
