"""Assignment sources: the right size, points stated, and graded with the lessons' own checks (fast)."""

import importlib
import os

import pytest

from lessonkit.checks import homework00, lesson00
from lessonkit.homework.assignment import load_assignment, load_assignments
from lessonkit.homework.release import repo_root

SOURCE = os.path.join(repo_root(), "assignments", "source")
ASSIGNMENTS = sorted(load_assignments(SOURCE))


def test_there_is_an_assignment_for_lesson_00():
    assert "00_music_as_data" in ASSIGNMENTS


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_assignment_has_3_to_6_tasks_and_a_written_answer_with_points_stated(name):
    a = load_assignment(os.path.join(SOURCE, name))
    assert 3 <= len(a.tasks) <= 6 and len(a.written) >= 1
    for task in a.tasks + a.written:
        assert f"{task.points:g} point" in task.title


def test_visible_checks_are_the_lessons_own_exercises():
    a = load_assignment(os.path.join(SOURCE, "00_music_as_data"))
    by_function = {t.function: t.exercise for t in a.tasks}
    assert by_function["transpose"] is lesson00.transpose_exercise
    assert by_function["pitch_range"] is lesson00.pitch_range_exercise
    assert by_function["notes_per_bar"] is lesson00.notes_per_bar_exercise
    assert by_function["midi_to_hz"] is lesson00.midi_to_hz_exercise
    assert by_function["sounding_fraction"] is homework00.sounding_fraction_exercise
    for task in a.tasks:  # hidden inputs add to the visible ones, which are graded too
        assert task.cases[: len(task.exercise.cases)] == list(task.exercise.cases)
        assert len(task.hidden_cases) >= len(task.exercise.cases)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_task_is_graded_with_the_lessons_or_the_homeworks_own_exercise(name):
    nn = name[:2]
    known = []
    for module in (f"lessonkit.checks.lesson{nn}", f"lessonkit.checks.homework{nn}"):
        known += list(importlib.import_module(module).EXERCISES.values())
    a = load_assignment(os.path.join(SOURCE, name))
    for task in a.tasks:
        assert any(task.exercise is e for e in known), task.function
        assert task.cases[: len(task.exercise.cases)] == list(task.exercise.cases)


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_teachers_version_runs_top_to_bottom_and_passes_its_hidden_checks(name, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(os.path.join(SOURCE, name, f"{name}.ipynb"), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and "hidden_check(" in c.source]
    assert checks and all("Right" in str(c.outputs) for c in checks)
