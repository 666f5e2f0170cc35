"""The project's set-up files agree with each other, and notebooks are committed clean."""

import json
import pathlib
import re
import subprocess

try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _pyproject_runtime():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {re.split(r"[=<>~!]", d)[0].strip().lower().replace("_", "-"): d.replace(" ", "") for d in deps}


def _environment_pip():
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.\-]+)\s*==\s*(\S+)\s*$", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = f"{m.group(1)}=={m.group(2)}"
    return pins


def test_environment_yml_and_pyproject_pin_the_same_packages():
    runtime, env = _pyproject_runtime(), _environment_pip()
    assert set(runtime) == set(env), f"only in pyproject: {set(runtime) - set(env)}; only in environment.yml: {set(env) - set(runtime)}"
    for name in runtime:
        assert runtime[name].split("==")[1] == env[name].split("==")[1], name


def test_every_runtime_dependency_is_pinned_exactly_and_torch_is_2_13_0():
    runtime = _pyproject_runtime()
    assert all("==" in spec for spec in runtime.values()), runtime
    assert runtime["torch"] == "torch==2.13.0"


def test_ci_runs_make_test_and_readme_gives_the_two_commands():
    assert "make test" in (ROOT / ".ci/run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


def test_make_lab_allows_root_and_opens_lesson_00():
    out = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "notebooks/00_music_as_data.ipynb" in out
    import os

    if os.geteuid() == 0:
        assert "--allow-root" in out


def test_make_refuses_a_too_old_python_with_a_clear_message(tmp_path):
    fake = tmp_path / "python2"
    fake.write_text("#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 'Python 2.7.18'; exit 0; fi\nexit 1\n")
    fake.chmod(0o755)
    out = subprocess.run(["make", "-f", str(ROOT / "Makefile"), f"VENV={tmp_path}/venv", f"PYTHON={fake}",
                          f"{tmp_path}/venv/bin/python"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode != 0
    assert "needs Python 3.10 or newer" in out.stdout + out.stderr



def _extras():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]


def test_teacher_extra_is_nbgrader_only_and_the_dev_extras_include_it_with_the_same_pin():
    extras = _extras()
    assert [d.split("==")[0] for d in extras["teacher"]] == ["nbgrader"]
    assert set(extras["teacher"]) <= set(extras["dev"]), (extras["teacher"], extras["dev"])


def _dry_run(tmp_path, *targets):
    venv = tmp_path / "venv"
    out = subprocess.run(["make", "-n", "-B", "-f", str(ROOT / "Makefile"), f"VENV={venv}", *targets],
                         cwd=ROOT, capture_output=True, text=True)
    return out.stdout + out.stderr


def test_make_release_and_grade_install_the_teacher_extra_not_the_test_tools(tmp_path):
    for target in (["release"], ["grade", "SUBMISSIONS=x"]):
        out = _dry_run(tmp_path, *target)
        assert "-e '.[teacher]'" in out and "[dev]" not in out, out
    out = _dry_run(tmp_path, "test")
    assert "-e '.[dev]'" in out, out

def test_notebooks_are_committed_with_outputs_cleared():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
        assert not dirty, f"{path.name}: cells {dirty} keep outputs; clear them before committing"


def test_every_lesson_follows_the_template():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text())
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        for heading in ("Learning objectives", "Key points", "Discussion", "Time:"):
            assert heading.lower() in text.lower(), f"{path.name} lacks '{heading}'"
        code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        assert "import" in code[0], f"{path.name}: the first code cell should be the setup cell"
        checks = [c for c in code if re.search(r"check\w*\.check_\w+\(", c)]
        assert len(checks) >= 2, f"{path.name}: needs at least two exercises with checks"
        assert not any("import *" in c for c in code), path.name
