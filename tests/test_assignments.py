"""Every assignment: released without secrets, and graded the way a teacher expects.

One class of example submissions (right, typical wrong, tampering, accidents, broken files;
see lessonkit/homework/examples.py) is released and graded once per module and shared by
the tests. The nbgrader round trip (gradebook, formgrader, feedback, --force) is slow.
"""

import csv
import os
import shutil

import nbformat
import pytest

from lessonkit.errors import LessonkitError
from lessonkit.homework import examples
from lessonkit.homework.assignment import load_assignments
from lessonkit.homework.grade import grade_folder
from lessonkit.homework.release import find_leaks, main as release_main, repo_root, secret_lines

ROOT = repo_root()
SOURCE = os.path.join(ROOT, "assignments", "source")
ASSIGNMENTS = sorted(load_assignments(SOURCE))
TASK_TIME_S = 3.0
pytestmark = pytest.mark.slow  # nbgrader's release alone takes ~20 s; the class takes ~15 s more


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A copy of assignments/source, released with nbgrader next to it (the repo's release folder is not touched)."""
    base = tmp_path_factory.mktemp("course")
    shutil.copytree(SOURCE, base / "source")
    assert release_main(["--source", str(base / "source"), "--out", str(base / "release")]) == 0
    return base


@pytest.fixture(scope="module")
def graded_class(released, tmp_path_factory):
    """Example class of 00, graded without nbgrader: {student: row of grades.csv}."""
    folder = tmp_path_factory.mktemp("submitted")
    examples.write_class(str(folder), "00_music_as_data", source_root=str(released / "source"),
                         release_root=str(released / "release"))
    out = tmp_path_factory.mktemp("grading")
    grades = grade_folder(str(folder), str(out), source=str(released / "source"), use_nbgrader=False,
                          task_time_s=TASK_TIME_S, log=lambda *a: None)
    with open(out / "grades.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    return {"folder": folder, "out": out, "rows": rows, "grades": {g.student: g for g in grades}}


# ----------------------------------------------------------------------------- release


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_contains_no_solution_or_hidden_test_text(released, name):
    source_nb = nbformat.read(str(released / "source" / name / f"{name}.ipynb"), as_version=4)
    secrets = [line for cell in source_nb.cells for line in secret_lines(cell.source)]
    assert len(secrets) >= 10  # the search has something to look for
    text = ""
    for path in (released / "release" / name).rglob("*"):
        if path.is_file():
            text += path.read_text(errors="replace")
    for secret in secrets:
        assert secret not in text
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "hidden_check", "Model answer"):
        assert marker not in text
    assert find_leaks(str(released / "source" / name), str(released / "release" / name)) == []


def test_the_leak_search_finds_a_solution_line_left_in_a_release(released, tmp_path):
    name = "00_music_as_data"
    leaky = tmp_path / name
    shutil.copytree(released / "release" / name, leaky)
    path = leaky / f"{name}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[3].source += "\n    return sounding / len(tokens)"
    nbformat.write(nb, str(path))
    assert any("sounding / len(tokens)" in leak for leak in find_leaks(str(released / "source" / name), str(leaky)))


# ----------------------------------------------------------------------------- grading 00


@pytest.mark.parametrize("student,expected", sorted(examples.EXPECTED_00.items()))
def test_example_submissions_score_what_a_teacher_expects(graded_class, student, expected):
    row = graded_class["rows"][student]
    low, high = expected
    assert low <= float(row["auto_score"]) <= high, (student, row, graded_class["grades"][student].tasks)


def test_reference_solution_scores_full_marks(graded_class):
    row = graded_class["rows"]["reference"]
    assert row["status"] == "graded" and row["auto_score"] == row["auto_max"] == "13.00"
    assert row["max_score"] == "15.00" and row["manual_pending"] == "1"  # the written answer waits for the teacher


def test_released_blank_scores_zero_on_every_task(graded_class):
    g = graded_class["grades"]["blank"]
    assert [t.score for t in g.tasks] == [0.0] * 5 and g.written_pending == 0


@pytest.mark.parametrize("student", sorted(examples.TAMPER_00))
def test_tampering_scores_no_more_than_the_blank(graded_class, student):
    blank = float(graded_class["rows"]["blank"]["auto_score"])
    assert float(graded_class["rows"][student]["auto_score"]) <= blank


def test_hard_coded_answers_lose_the_points_of_the_hidden_inputs(graded_class):
    g = graded_class["grades"]["wrong_hard_coded"]
    for task in g.tasks:
        assert task.n_right <= 2 and task.score < 0.25 * task.points


def test_off_by_one_transposition_loses_exactly_the_transpose_task_with_a_hint(graded_class):
    g = graded_class["grades"]["wrong_off_by_one"]
    scores = {t.function: t.score for t in g.tasks}
    assert scores == {"transpose": 0.0, "pitch_range": 2.0, "notes_per_bar": 3.0, "midi_to_hz": 2.0,
                      "sounding_fraction": 3.0}
    assert "semitones" in g.tasks[0].hint


def test_infinite_loop_costs_only_its_task_within_the_time_limit(graded_class):
    g = graded_class["grades"]["accident_loop_in_function"]
    scores = {t.function: t.score for t in g.tasks}
    assert scores["notes_per_bar"] == 0.0 and sum(scores.values()) == 10.0
    assert g.wall_s < TASK_TIME_S + 20


def test_stray_exit_and_crashing_cells_keep_the_points_the_answers_earn(graded_class):
    for student in ("accident_exit", "accident_os_exit", "accident_loop_in_cell"):
        assert graded_class["rows"][student]["auto_score"] == "13.00"
    assert "crash (skipped)" in graded_class["rows"]["accident_os_exit"]["notes"]


def test_broken_submissions_are_reported_and_the_rest_graded(graded_class):
    rows = graded_class["rows"]
    assert rows["not_a_notebook"]["status"] == "unreadable" and "not a readable notebook" in rows["not_a_notebook"]["notes"]
    assert rows["only_a_pdf"]["status"] == "missing" and "homework.pdf" in rows["only_a_pdf"]["notes"]
    assert "old format v3" in rows["old_format_v3"]["notes"]
    assert "renamed" in rows["renamed_notebook"]["notes"]
    assert "notes.txt" in rows["extra_files"]["notes"]
    assert "deleted" in rows["accident_deleted_cell"]["notes"]
    assert len(rows) == len(os.listdir(graded_class["folder"]))


def test_grades_csv_has_the_columns_a_teacher_needs_sorted(graded_class):
    with open(graded_class["out"] / "grades.csv") as f:
        reader = csv.reader(f)
        header = next(reader)
        students = [r[0] for r in reader]
    for column in ("student", "assignment", "score", "max_score", "manual_pending"):
        assert column in header
    assert students == sorted(students)
    assert (graded_class["out"] / "feedback" / "wrong_typical" / "index.html").read_text().count("Hint:") >= 1


def test_grading_refuses_to_overwrite_earlier_grades_without_force(graded_class):
    with pytest.raises(LessonkitError, match="FORCE=1"):
        grade_folder(str(graded_class["folder"]), str(graded_class["out"]), use_nbgrader=False, log=lambda *a: None)


def test_grading_the_same_folder_twice_gives_identical_csvs(graded_class, released, tmp_path):
    again = tmp_path / "again"
    grade_folder(str(graded_class["folder"]), str(again), source=str(released / "source"), use_nbgrader=False,
                 task_time_s=TASK_TIME_S, log=lambda *a: None)
    for name in ("grades.csv", "grades_by_task.csv"):
        assert (again / name).read_bytes() == (graded_class["out"] / name).read_bytes()


# ----------------------------------------------------------------------------- nbgrader round trip


def test_gradebook_formgrader_feedback_and_force_keep_the_teachers_written_scores(released, tmp_path):
    from nbgrader.api import Gradebook

    folder = tmp_path / "submitted"
    kinds = {"reference", "blank", "wrong_typical", "tamper_print_pass", "not_a_notebook"}
    examples.write_class(str(folder), source_root=str(released / "source"), release_root=str(released / "release"),
                         kinds=kinds)
    out = tmp_path / "grading"
    source = str(released / "source")
    first = {g.student: g for g in grade_folder(str(folder), str(out), source=source, task_time_s=TASK_TIME_S,
                                                log=lambda *a: None)}
    db = f"sqlite:///{out / 'course' / 'gradebook.db'}"
    with Gradebook(db) as gb:
        for student in ("reference", "blank", "wrong_typical", "tamper_print_pass"):
            stored = {g.name: g.auto_score for g in gb.find_submission("00_music_as_data", student).notebooks[0].grades}
            for task in first[student].tasks:
                assert stored[task.grade_id] == pytest.approx(task.score)
        written = gb.find_grade("hold_written", "00_music_as_data", "00_music_as_data", "reference")
        assert written.needs_manual_grade and written.manual_score is None  # waiting in the formgrader
        blank_written = gb.find_grade("hold_written", "00_music_as_data", "00_music_as_data", "blank")
        assert not blank_written.needs_manual_grade
    feedback = out / "feedback" / "reference" / "00_music_as_data" / "00_music_as_data.html"
    assert feedback.exists() and "hidden_check" not in feedback.read_text()
    assert (out / "course" / "nbgrader_config.py").exists()

    # Without --force nothing is replaced.
    before = (out / "grades.csv").read_bytes()
    with pytest.raises(LessonkitError, match="FORCE=1"):
        grade_folder(str(folder), str(out), source=source, log=lambda *a: None)
    assert (out / "grades.csv").read_bytes() == before

    # The teacher grades the written answer in the formgrader; grading again with --force keeps it.
    with Gradebook(db) as gb:
        grade = gb.find_grade("hold_written", "00_music_as_data", "00_music_as_data", "reference")
        grade.manual_score = 1.5
        gb.db.commit()
    grade_folder(str(folder), str(out), source=source, force=True, task_time_s=TASK_TIME_S, log=lambda *a: None)
    with open(out / "grades.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert rows["reference"]["written_score"] == "1.50" and rows["reference"]["manual_pending"] == "0"
    assert rows["reference"]["score"] == "14.50"
    assert rows["not_a_notebook"]["status"] == "unreadable"
