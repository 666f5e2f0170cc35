"""deploy/: the parts of "past one machine" that can be checked without Docker or Kubernetes.

The students' image recipe's postBuild is run on a scratch copy of the repository (it must
remove every solution and refuse to finish if one is left); the Helm values are read as YAML
and must agree with make hub's pins and limits. Building the image and installing the chart
are NOT tested here (no Docker engine, no cluster): see deploy/README.md.
"""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
POSTBUILD = ROOT / "deploy/image/postBuild"


def _repo_copy(tmp_path):
    repo = tmp_path / "repo"
    for name in ("assignments", "notebooks", "lessonkit"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "grading").mkdir()
    (repo / "grading" / "grades.csv").write_text("anna,10\n")
    (repo / ".git").mkdir()
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return repo


def _postbuild(repo):
    env = dict(os.environ, REPO_DIR=str(repo), PATH=f"{ROOT / '.venv/bin'}:{os.environ['PATH']}")
    return subprocess.run(["bash", str(POSTBUILD)], cwd=repo, env=env, capture_output=True, text=True)


def test_postbuild_removes_solutions_grades_and_history_and_keeps_the_lessons(tmp_path):
    repo = _repo_copy(tmp_path)
    assert list((repo / "assignments/source").glob("*/*.ipynb"))
    r = _postbuild(repo)
    assert r.returncode == 0, r.stderr
    assert not (repo / "assignments/source").exists()
    assert not (repo / "grading").exists() and not (repo / ".git").exists()
    assert sorted(p.name for p in (repo / "notebooks").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert (repo / "lessonkit/__init__.py").exists()


def test_postbuild_fails_the_build_when_a_solution_is_left_anywhere(tmp_path):
    repo = _repo_copy(tmp_path)
    stray = next((ROOT / "assignments/source").glob("*/*.ipynb"))
    shutil.copy(stray, repo / "notebooks" / "oops_copy.ipynb")
    r = _postbuild(repo)
    assert r.returncode != 0
    assert "oops_copy.ipynb" in r.stdout and "must not ship them" in r.stderr


def test_helm_values_match_make_hub_pins_and_limits():
    yaml = pytest.importorskip("yaml")
    values = yaml.safe_load((ROOT / "deploy/z2jh-values.yaml").read_text())
    su = values["singleuser"]
    make = (ROOT / "Makefile").read_text()
    assert su["memory"]["limit"] == re.search(r"^HUB_MEM \?= (\S+)", make, re.M).group(1)
    assert float(su["cpu"]["limit"]) == float(re.search(r"^HUB_CPU \?= (\S+)", make, re.M).group(1))
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == int(re.search(r"^HUB_IDLE \?= (\S+)", make, re.M).group(1))
    assert "gitpuller" in su["lifecycleHooks"]["postStart"]["exec"]["command"]
    pyproject = (ROOT / "pyproject.toml").read_text()
    for pin in re.findall(r"'((?:jupyterhub|nbgitpuller)==[\d.]+)'", POSTBUILD.read_text()):
        assert f'"{pin}"' in pyproject, f"postBuild pins {pin}, the hub extra does not"
