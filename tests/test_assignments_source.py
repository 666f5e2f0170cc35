"""Assignment sources: the right size, points stated, and graded with the lessons' own checks (fast)."""

import importlib
import os

import pytest

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


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_graded_tasks_are_homework_tasks_whose_solution_stays_with_the_teacher(name):
    nn = name[:2]
    module = importlib.import_module(f"lessonkit.checks.homework{nn}")
    lesson = importlib.import_module(f"lessonkit.checks.lesson{nn}")
    a = load_assignment(os.path.join(SOURCE, name))
    for task in a.tasks:
        # the task's check ships with no reference; the teacher's reference comes from the hidden region
        assert any(task.exercise is e for e in module.TASKS.values()), task.function
        assert task.exercise.reference is None and task.reference.__module__ == "__lessonkit_source__"
        # new tasks: none is a lesson exercise, none is named after a function of the library
        assert task.function not in lesson.EXERCISES and task.exercise.name not in lesson.EXERCISES
        # graded on hidden inputs only, at least as many as the check shows, of the same kinds
        assert task.cases == task.hidden_cases and len(task.hidden_cases) >= len(task.exercise.cases)
        # the check's visible answers agree with the teacher's reference
        judge = task.exercise.with_reference(task.reference)
        feedback = judge.compare_all([("ok", v) for v in task.exercise.expected_values])
        assert feedback.passed, (task.function, feedback)


def test_no_graded_task_is_solved_by_a_public_function_of_the_same_name():
    import pkgutil

    import lessonkit
    from homework_examples import LOOKUP_SKIP

    names = set()
    for info in pkgutil.walk_packages(lessonkit.__path__, "lessonkit."):
        if not any(word in info.name for word in LOOKUP_SKIP):
            names.update(dir(importlib.import_module(info.name)))
    for name in ASSIGNMENTS:
        for task in load_assignment(os.path.join(SOURCE, name)).tasks:
            public = [n for n in names if not n.startswith(("_", "check")) and not n.endswith("_task")]
            assert not [n for n in public if task.function in n.lower()], task.function


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_teachers_version_runs_top_to_bottom_and_passes_its_hidden_checks(name, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(os.path.join(SOURCE, name, f"{name}.ipynb"), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and "hidden_check(" in c.source]
    assert checks and all("Right" in str(c.outputs) for c in checks)
