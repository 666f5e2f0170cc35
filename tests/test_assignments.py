"""Every assignment: released without secrets, and graded the way a teacher expects.

One class of example submissions per assignment (right, typical wrong, tampering, accidents,
broken files; see tests/homework_examples.py) is released and graded once per module and
shared by the tests. The nbgrader round trip (gradebook, formgrader, feedback, --force) runs
on assignment 00 only: the pipeline does not depend on the assignment.
"""

import csv
import os
import shutil

import nbformat
import pytest

from lessonkit.errors import LessonkitError
import homework_examples as examples  # tests/homework_examples.py
from lessonkit.homework.assignment import load_assignment, load_assignments
from lessonkit.homework.grade import grade_folder
from lessonkit.homework.release import find_leaks, main as release_main, repo_root, secret_lines

ROOT = repo_root()
SOURCE = os.path.join(ROOT, "assignments", "source")
ASSIGNMENTS = sorted(load_assignments(SOURCE))
EXPECTED = {name: examples.expected_scores(load_assignment(os.path.join(SOURCE, name))) for name in ASSIGNMENTS}
TASK_TIME_S = 3.0
pytestmark = pytest.mark.slow  # nbgrader's release takes ~25 s, grading the example classes ~45 s more


def _quiet(*args):
    pass


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A copy of assignments/source, released with nbgrader next to it (the repo's release folder is not touched)."""
    base = tmp_path_factory.mktemp("course")
    shutil.copytree(SOURCE, base / "source")
    assert release_main(["--source", str(base / "source"), "--out", str(base / "release")]) == 0
    return base


@pytest.fixture(scope="module")
def graded_class(released, tmp_path_factory):
    """Every assignment's example class in one folder, graded once without nbgrader."""
    folder = tmp_path_factory.mktemp("submitted")
    for name in ASSIGNMENTS:
        examples.write_class(str(folder), name, source_root=str(released / "source"),
                             release_root=str(released / "release"))
    out = tmp_path_factory.mktemp("grading")
    grades = grade_folder(str(folder), str(out), source=str(released / "source"), use_nbgrader=False,
                          task_time_s=TASK_TIME_S, log=_quiet)
    with open(out / "grades.csv") as f:
        rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(f)}
    return {"folder": folder, "out": out, "rows": rows, "grades": {(g.student, g.assignment): g for g in grades}}


def _score(graded_class, student, name):
    return float(graded_class["rows"][(student, name)]["auto_score"])


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
    nb.cells[3].source += "\n    return 12 * math.log2(f2_hz / f1_hz)"
    nbformat.write(nb, str(path))
    assert any("12 * math.log2(f2_hz / f1_hz)" in leak for leak in find_leaks(str(released / "source" / name), str(leaky)))


# ----------------------------------------------------------------------------- grading every assignment


@pytest.mark.parametrize("name,student", [(n, k) for n in ASSIGNMENTS for k in sorted(EXPECTED[n])])
def test_example_submissions_score_what_a_teacher_expects(graded_class, name, student):
    low, high = EXPECTED[name][student]
    score = _score(graded_class, student, name)
    assert low <= score <= high, (student, graded_class["grades"][(student, name)].tasks)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_reference_scores_full_marks_and_blank_scores_zero(graded_class, name):
    ref = graded_class["rows"][("reference", name)]
    assert ref["status"] == "graded" and ref["auto_score"] == ref["auto_max"] and float(ref["auto_max"]) >= 10
    assert ref["manual_pending"] == "1"  # its written answer waits for the teacher
    blank = graded_class["grades"][("blank", name)]
    assert [t.score for t in blank.tasks] == [0.0] * len(blank.tasks) and blank.written_pending == 0


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_tampering_scores_no_more_than_the_blank(graded_class, name):
    blank = _score(graded_class, "blank", name)
    tampering = [k for k in EXPECTED[name] if k.startswith("tamper_")]
    assert len(tampering) >= 6
    for student in tampering:
        assert _score(graded_class, student, name) <= blank, student


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_hard_coded_answers_lose_the_points_of_the_hidden_inputs(graded_class, name):
    for task in graded_class["grades"][("wrong_hard_coded", name)].tasks:
        assert task.score < 0.3 * task.points, task


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_infinite_loop_costs_only_its_task_within_the_time_limit(graded_class, name):
    g = graded_class["grades"][("accident_loop_in_function", name)]
    assert g.tasks[0].score == 0.0 and "TimeoutError" in g.tasks[0].hint
    assert all(t.score == t.points for t in g.tasks[1:])
    assert g.wall_s < TASK_TIME_S + 25


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_stray_exit_and_crashing_cells_keep_the_points_the_answers_earn(graded_class, name):
    full = graded_class["rows"][("reference", name)]["auto_max"]
    for student in ("accident_exit", "accident_os_exit", "accident_loop_in_cell"):
        assert graded_class["rows"][(student, name)]["auto_score"] == full, student
    assert "crash (skipped)" in graded_class["rows"][("accident_os_exit", name)]["notes"]


def test_bars_counted_from_1_lose_exactly_the_busiest_bar_task_with_a_hint(graded_class):
    g = graded_class["grades"][("wrong_off_by_one", "00_music_as_data")]
    scores = {t.function: t.score for t in g.tasks}
    assert scores == {"stretch": 3.0, "widest_leap": 2.0, "busiest_bar": 0.0, "semitones_between": 2.0,
                      "longest_rest": 3.0}
    assert "numbered from 0" in {t.function: t for t in g.tasks}["busiest_bar"].hint


def test_probabilities_added_or_not_renormalised_lose_that_task_with_a_hint(graded_class):
    g = graded_class["grades"][("wrong_not_normalised", "01_rules_vs_examples")]
    task = {t.function: t for t in g.tasks}["sequence_probability"]
    assert task.score <= 0.25 * task.points and "multiply" in task.hint
    g = graded_class["grades"][("wrong_not_normalised", "02_ai_duet")]
    task = {t.function: t for t in g.tasks}["top_k"]
    assert task.score <= 0.25 * task.points and "sum" in task.hint


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_answers_looked_up_in_the_installed_library_score_no_more_than_the_blank(graded_class, name):
    """Every answer cell of the released notebook replaced by a lookup of lessonkit (references, same-named
    functions, the visible inputs' answers) earns nothing: no graded task's solution ships to students."""
    blank = _score(graded_class, "blank", name)
    assert _score(graded_class, "lookup_library", name) <= blank
    g = graded_class["grades"][("lookup_library", name)]
    assert not [n for n in g.notes if "timeout" in n or "crash" in n]  # the lookups ran, and found nothing that helps


def test_the_lookup_finds_a_solution_where_the_library_ships_one():
    """The lookup is a real attack: on a lesson exercise (whose solution the lesson shows) it finds the reference."""
    from lessonkit.checks import lesson00

    namespace = {}
    exec(examples.lookup_answer("transpose"), namespace)
    melody, semitones = lesson00.transpose_exercise.cases[1]
    assert namespace["transpose"](melody, semitones) == lesson00.reference_transpose(melody, semitones)


def test_broken_submissions_are_reported_and_the_rest_graded(graded_class):
    rows = graded_class["rows"]
    a = "00_music_as_data"
    assert rows[("not_a_notebook", a)]["status"] == "unreadable"
    assert "not a readable notebook" in rows[("not_a_notebook", a)]["notes"]
    assert rows[("only_a_pdf", a)]["status"] == "missing" and "homework.pdf" in rows[("only_a_pdf", a)]["notes"]
    assert "old format v3" in rows[("old_format_v3", a)]["notes"]
    assert "renamed" in rows[("renamed_notebook", a)]["notes"]
    assert "notes.txt" in rows[("extra_files", a)]["notes"]
    assert "deleted" in rows[("accident_deleted_cell", a)]["notes"]
    # a student who handed in only some assignments gets a "missing" row for the others
    assert rows[("accident_crash_in_function", "01_rules_vs_examples")]["status"] == "missing"
    students = os.listdir(graded_class["folder"])
    assert len(rows) == len(students) * len(ASSIGNMENTS)


def test_grades_csv_has_the_columns_a_teacher_needs_sorted(graded_class):
    with open(graded_class["out"] / "grades.csv") as f:
        reader = csv.reader(f)
        header = next(reader)
        keys = [(r[0], r[1]) for r in reader]
    for column in ("student", "assignment", "score", "max_score", "manual_pending"):
        assert column in header
    assert keys == sorted(keys)
    assert (graded_class["out"] / "feedback" / "wrong_typical" / "index.html").read_text().count("Hint:") >= 3


def test_grading_refuses_to_overwrite_earlier_grades_without_force(graded_class):
    with pytest.raises(LessonkitError, match="FORCE=1"):
        grade_folder(str(graded_class["folder"]), str(graded_class["out"]), use_nbgrader=False, log=_quiet)


def test_grading_the_same_folder_twice_gives_identical_csvs(graded_class, released, tmp_path):
    subset = tmp_path / "subset"
    for student in ("reference", "wrong_typical", "accident_crash_in_function", "accident_os_exit",
                    "tamper_forged_messages", "not_a_notebook", "wrong_hard_coded"):
        shutil.copytree(graded_class["folder"] / student, subset / student)
    outs = [tmp_path / "first", tmp_path / "second"]
    for out in outs:
        grade_folder(str(subset), str(out), source=str(released / "source"), use_nbgrader=False,
                     task_time_s=TASK_TIME_S, log=_quiet)
    for name in ("grades.csv", "grades_by_task.csv"):
        first = (outs[0] / name).read_bytes()
        assert first == (outs[1] / name).read_bytes()
        assert len(first.splitlines()) > len(ASSIGNMENTS) * 5


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
                                                log=_quiet)}
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
        grade_folder(str(folder), str(out), source=source, log=_quiet)
    assert (out / "grades.csv").read_bytes() == before

    # The teacher grades the written answer in the formgrader; grading again with --force keeps it.
    with Gradebook(db) as gb:
        grade = gb.find_grade("hold_written", "00_music_as_data", "00_music_as_data", "reference")
        grade.manual_score = 1.5
        gb.db.commit()
    grade_folder(str(folder), str(out), source=source, force=True, task_time_s=TASK_TIME_S, log=_quiet)
    with open(out / "grades.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert rows["reference"]["written_score"] == "1.50" and rows["reference"]["manual_pending"] == "0"
    assert rows["reference"]["score"] == "14.50"
    assert rows["not_a_notebook"]["status"] == "unreadable"


# ----------------------------------------------------------------------------- the teacher's commands


def test_grade_command_prints_where_it_wrote(released, tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "submitted"
    examples.write_class(str(folder), source_root=str(released / "source"), release_root=str(released / "release"),
                         kinds={"reference", "not_a_notebook"})
    out = tmp_path / "grades"
    cmd = [sys.executable, "-m", "lessonkit", "homework", "grade", str(folder), "--out", str(out),
           "--source", str(released / "source"), "--no-nbgrader"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert str(out / "grades.csv") in done.stdout and str(out / "feedback") in done.stdout
    assert "not_a_notebook/00_music_as_data: unreadable" in done.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 1 and "FORCE=1" in again.stderr


def test_make_grade_without_a_folder_says_how_to_call_it():
    import subprocess

    done = subprocess.run(["make", "-s", "-o", ".venv/.installed-dev", "grade"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode != 0 and "make grade SUBMISSIONS=" in done.stdout + done.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_in_the_students_kernel_the_checks_say_right_for_the_reference_and_not_yet_for_the_blank(released, name):
    from nbclient import NotebookClient

    from lessonkit.homework.assignment import cell_kind

    source_nb = nbformat.read(str(released / "source" / name / f"{name}.ipynb"), as_version=4)
    release_nb = nbformat.read(str(released / "release" / name / f"{name}.ipynb"), as_version=4)
    for answers, word, allow_errors in ((examples.solutions(source_nb), "Right", False), ({}, "Not yet", True)):
        nb = examples.make_submission(release_nb, answers)
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=allow_errors).execute()
        checks = [c for c in nb.cells if cell_kind(c) == "check"]
        assert len(checks) >= 3
        for cell in checks:
            assert word in str(cell.outputs) and "Traceback" not in str(cell.outputs), cell.source
