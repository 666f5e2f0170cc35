"""``lessonkit homework grade`` (``make grade SUBMISSIONS=dir``): grade a folder of submissions.

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "Collect and grade").

``dir`` holds one folder per student in nbgrader's submitted layout,
``dir/<student>/<assignment>/<notebook>.ipynb``. For every student and assignment found this
writes, under the output folder (``grading/`` by default, git-ignored):

* ``grades.csv``: one row per student and assignment, sorted, no timestamps (grading the same
  folder twice gives the same file): ``student, assignment, score, max_score, auto_score,
  auto_max, written_score, written_max, manual_pending, status, notes``;
* ``grades_by_task.csv``: one row per task, with the number of inputs right and the hint;
* ``feedback/<student>/index.html``: what each task got and why, and nbgrader's annotated
  notebook next to it (``feedback/<student>/<assignment>/<notebook>.html``);
* ``course/``: the nbgrader course (gradebook, autograded notebooks) for the formgrader.

It refuses to replace an existing gradebook, CSV or feedback unless given ``--force``
(``make grade ... FORCE=1``); with ``--force`` the written-answer scores a teacher already
entered in the formgrader are kept.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import os
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from ..errors import LessonkitError
from ..files import atomic_write_bytes
from . import grading
from .assignment import load_assignments, read_submission
from .release import repo_root

CSV_COLUMNS = ["student", "assignment", "score", "max_score", "auto_score", "auto_max", "written_score", "written_max",
               "manual_pending", "status", "notes"]
TASK_COLUMNS = ["student", "assignment", "task", "function", "points", "score", "inputs_right", "inputs", "hint"]
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def discover(submissions: str, assignments: dict):
    """``(pairs, warnings)``: the (student, assignment) pairs to grade, and what was odd about the folder."""
    warnings, students = [], []
    for entry in sorted(os.listdir(submissions)):
        path = os.path.join(submissions, entry)
        if entry.startswith("."):
            continue
        if not os.path.isdir(path):
            warnings.append(f"{entry}: not a student folder (a file at the top level); ignored")
            continue
        students.append(entry)
    found = set()
    for student in students:
        for sub in sorted(os.listdir(os.path.join(submissions, student))):
            if sub.startswith("."):
                continue
            if sub in assignments:
                found.add(sub)
            else:
                warnings.append(f"{student}/{sub}: not an assignment name ({', '.join(assignments)}); ignored")
    if not found:
        raise LessonkitError(
            f"No submissions found in {submissions!r}. Expected {submissions}/<student>/<assignment>/<notebook>.ipynb "
            f"with <assignment> one of: {', '.join(assignments)}."
        )
    pairs = [(s, a) for s in students for a in sorted(found)]
    return pairs, warnings


def _snapshot(paths) -> str:
    """A fingerprint of the course's code and sources (to catch a submission that rewrote them)."""
    h = hashlib.sha256()
    for root in paths:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".ipynb")):
                    p = os.path.join(folder, name)
                    try:
                        st = os.stat(p)
                    except OSError:
                        continue
                    h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def grade_folder(submissions, out, *, source=None, force=False, jobs=2, task_time_s=grading.TASK_TIME_S,
                 use_nbgrader=True, isolation="auto", only=None, log=print):
    """Grade every submission under ``submissions`` into ``out``; return the list of SubmissionGrade."""
    root = repo_root()
    source = source or os.path.join(root, "assignments", "source")
    if not os.path.isdir(submissions):
        raise LessonkitError(f"There is no folder {submissions!r}. Pass the folder of submissions: "
                             "make grade SUBMISSIONS=path/to/submitted")
    existing = [p for p in ("grades.csv", "grades_by_task.csv", "feedback", os.path.join("course", "gradebook.db"))
                if os.path.exists(os.path.join(out, p))]
    if existing and not force:
        raise LessonkitError(
            f"{out} already holds grades from an earlier run ({', '.join(existing)}); lessonkit never replaces a "
            "gradebook or feedback without being asked. To grade again (written-answer scores entered in the "
            "formgrader are kept), run: make grade SUBMISSIONS=... FORCE=1  (or lessonkit homework grade ... --force), "
            "or choose another folder with --out."
        )
    assignments = load_assignments(source)
    if only:
        assignments = {k: v for k, v in assignments.items() if k in only}
    pairs, warnings = discover(submissions, assignments)
    for w in warnings:
        log(f"warning: {w}")
    watched = [os.path.dirname(os.path.dirname(os.path.abspath(grading.__file__))), source]  # all of lessonkit/
    before = _snapshot(watched)
    t0 = time.monotonic()

    def one(pair):
        student, name = pair
        assignment = assignments[name]
        sub = read_submission(os.path.join(submissions, student, name), assignment)
        try:
            g = grading.grade_submission(assignment, sub, student=student, task_time_s=task_time_s,
                                         isolation=isolation)
        except Exception as err:  # a fault of the grader itself: report it, grade the others
            g = grading.SubmissionGrade(student, name, "error", auto_max=assignment.auto_max,
                                        written_max=assignment.written_max,
                                        notes=[f"the grader failed on this submission ({type(err).__name__}: "
                                               f"{err}); grade it again or by hand"])
            sub.status = "error"
        if not _SAFE_ID.match(student):
            g.notes.append("student folder name has unusual characters; not added to the nbgrader gradebook")
        return g, sub

    with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        graded = list(pool.map(one, pairs))
    isolated = all(g.isolated for g, _ in graded if g.status == "graded")
    if not isolated and _snapshot(watched) != before:  # isolated workers cannot write there at all
        raise LessonkitError(
            "The course's code or assignment sources changed while submissions were being graded. A submission may "
            "have written to them: the grades of this run cannot be trusted. Restore the files (git status / git "
            "diff), then grade again where submissions cannot write (a container, another user).")
    grades = [g for g, _ in graded]
    log(f"graded {len(grades)} submissions in {time.monotonic() - t0:.1f} s "
        f"({'isolated: no network, read-only files' if any(g.isolated for g in grades) else 'not isolated'})")

    os.makedirs(out, exist_ok=True)
    if use_nbgrader:
        _nbgrader_steps(out, source, assignments, graded, force, log)
    _write_outputs(out, grades, assignments)
    return grades


def _nbgrader_steps(out, source, assignments, graded, force, log):
    from . import nbgrader_steps

    course = os.path.join(out, "course")
    log_path = os.path.join(out, "nbgrader.log")
    by_assignment = {}
    for g, sub in graded:
        by_assignment.setdefault(g.assignment, []).append((g, sub))
    for name, items in sorted(by_assignment.items()):
        assignment = assignments[name]
        ok = [(g, sub) for g, sub in items if sub.status == "ok" and _SAFE_ID.match(g.student)]
        try:
            nbgrader_steps.prepare_course(course, os.path.join(source, name), name, log_path=log_path)
            for step in ("submitted", "autograded", "feedback"):
                for student_dir in sorted(os.listdir(os.path.join(course, step))) if os.path.isdir(
                        os.path.join(course, step)) else []:
                    shutil.rmtree(os.path.join(course, step, student_dir, name), ignore_errors=True)
            for g, sub in list(ok):
                try:
                    nbgrader_steps.write_submission(course, g.student, name, assignment.notebook, sub.notebook)
                except Exception as err:  # e.g. a notebook nbformat will not write back: CSV row is still right
                    ok.remove((g, sub))
                    g.notes.append(f"not added to the nbgrader gradebook ({type(err).__name__})")
            results = {g.student: {t.grade_id: {"score": t.score, "text": _task_text(t)} for t in g.tasks}
                       for g, _ in ok}
            students = [g.student for g, _ in ok]
            failed = nbgrader_steps.autograde(course, name, students, results, log_path=log_path) if students else set()
            failed |= nbgrader_steps.generate_feedback(course, name, [s for s in students if s not in failed],
                                                       log_path=log_path) if students else set()
            written = nbgrader_steps.read_written_scores(course, name, assignment.notebook, students,
                                                         [t.grade_id for t in assignment.written])
        except Exception as err:  # nbgrader trouble must not cost the class its grades
            log(f"warning: nbgrader steps for {name} failed ({type(err).__name__}: {err}); grades.csv is still "
                f"complete, but the formgrader and the annotated notebooks are missing. Details: {log_path}")
            continue
        for g, _ in ok:
            if g.student in failed:
                g.notes.append("nbgrader could not process this notebook (see grading/nbgrader.log)")
            scores = written.get(g.student, {})
            for t in assignment.written:
                if t.grade_id in g.written_scores:
                    continue  # blank answer: 0, nothing to grade
                if scores.get(t.grade_id) is not None:
                    g.written_scores[t.grade_id] = scores[t.grade_id]
            g.written_pending = sum(1 for t in assignment.written if t.grade_id not in g.written_scores)


def _task_text(t) -> str:
    head = f"lessonkit grader: {t.n_right} of {t.n_cases} inputs right (visible and hidden) -> {_fmt(t.score)} of " \
           f"{t.points:g} points."
    return head + (f"\n{t.message}" if t.message else "") + (f"\nHint: {t.hint}" if t.hint else "")


def _csv_bytes(columns, rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _write_outputs(out, grades, assignments):
    grades = sorted(grades, key=lambda g: (g.student, g.assignment))
    rows, task_rows = [], []
    for g in grades:
        if g.status != "graded":
            g.written_pending = 0
        notes = "; ".join(dict.fromkeys(grading.clean_text(n, 200) for n in g.notes))
        rows.append([g.student, g.assignment, _fmt(g.score), _fmt(g.max_score), _fmt(g.auto_score), _fmt(g.auto_max),
                     _fmt(g.written_score), _fmt(g.written_max), str(g.written_pending), g.status, notes])
        for t in g.tasks:
            task_rows.append([g.student, g.assignment, t.grade_id, t.function, f"{t.points:g}", _fmt(t.score),
                              str(t.n_right), str(t.n_cases), t.hint])
    atomic_write_bytes(os.path.join(out, "grades.csv"), _csv_bytes(CSV_COLUMNS, rows))
    atomic_write_bytes(os.path.join(out, "grades_by_task.csv"), _csv_bytes(TASK_COLUMNS, task_rows))
    by_student = {}
    for g in grades:
        by_student.setdefault(g.student, []).append(g)
    feedback = os.path.join(out, "feedback")
    course_feedback = os.path.join(out, "course", "feedback")
    for student, items in by_student.items():
        folder = os.path.join(feedback, _safe_path(student))
        os.makedirs(folder, exist_ok=True)
        links = {}
        for g in items:
            src = os.path.join(course_feedback, student, g.assignment)
            if os.path.isdir(src):
                dest = os.path.join(folder, g.assignment)
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(src, dest)
                links[g.assignment] = sorted(os.path.join(g.assignment, f) for f in os.listdir(dest)
                                             if f.endswith(".html"))
        atomic_write_bytes(os.path.join(folder, "index.html"), _feedback_html(student, items, links).encode("utf-8"))


def _safe_path(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", name) or "_"


def _feedback_html(student, grades, links) -> str:
    e = html.escape
    parts = [f"<!doctype html><meta charset='utf-8'><title>Homework feedback: {e(student)}</title>",
             "<style>body{font-family:sans-serif;max-width:52em;margin:2em auto}td,th{padding:4px 8px;"
             "border-bottom:1px solid #ddd;text-align:left;vertical-align:top}.ok{color:#1a7f37}.no{color:#b35900}"
             "</style>", f"<h1>Homework feedback for {e(student)}</h1>"]
    for g in grades:
        parts.append(f"<h2>{e(g.assignment)}: {_fmt(g.score)} of {_fmt(g.max_score)} points</h2>")
        if g.status != "graded":
            parts.append(f"<p class='no'><b>Not graded ({e(g.status)}):</b> {e('; '.join(g.notes))}</p>")
            continue
        parts.append("<table><tr><th>task</th><th>points</th><th>inputs right</th><th>what the grader found</th></tr>")
        for t in g.tasks:
            cls = "ok" if t.n_right == t.n_cases else "no"
            text = e(t.message) + (f"<br><i>Hint:</i> {e(t.hint)}" if t.hint else "")
            parts.append(f"<tr><td>{e(t.title or t.function)}</td><td>{_fmt(t.score)} / {t.points:g}</td>"
                         f"<td class='{cls}'>{t.n_right} / {t.n_cases}</td><td>{text}</td></tr>")
        parts.append("</table>")
        if g.written_max:
            state = (f"{_fmt(g.written_score)} of {_fmt(g.written_max)} points" if not g.written_pending
                     else "not graded yet by your teacher")
            parts.append(f"<p>Written answer: {state}.</p>")
        if g.issues:
            parts.append("<p>While running your answers the grader noticed:</p><ul>"
                         + "".join(f"<li>{e(i)}</li>" for i in g.issues[:20]) + "</ul>")
        other = [n for n in g.notes if "(skipped)" not in n]
        if other:
            parts.append("<p>Notes: " + e("; ".join(other)) + "</p>")
        for link in links.get(g.assignment, []):
            parts.append(f"<p><a href='{e(link)}'>Your notebook with the grader's comments</a></p>")
    parts.append("<p><small>Each task's points are shared among its test inputs: the examples in your notebook "
                 "and more inputs you had not seen.</small></p>")
    return "\n".join(parts) + "\n"


def main(argv=None) -> int:
    root = repo_root()
    parser = argparse.ArgumentParser(prog="lessonkit homework grade",
                                     description="Grade a folder of submissions: SUBMISSIONS/<student>/<assignment>/"
                                                 "<notebook>.ipynb.")
    parser.add_argument("submissions", help="the folder of submissions (nbgrader's submitted layout)")
    parser.add_argument("--out", default=os.path.join(root, "grading"), help="where grades go (default: grading/)")
    parser.add_argument("--source", default=os.path.join(root, "assignments", "source"))
    parser.add_argument("--assignment", action="append", help="grade only this assignment (repeatable)")
    parser.add_argument("--force", action="store_true",
                        help="replace grades and feedback of an earlier run (written-answer scores are kept)")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at the same time (default 2)")
    parser.add_argument("--task-time", type=float, default=grading.TASK_TIME_S,
                        help=f"seconds each task's calls may take (default {grading.TASK_TIME_S:g})")
    parser.add_argument("--no-nbgrader", action="store_true",
                        help="only the CSV files and the summary feedback (no gradebook, formgrader or notebook feedback)")
    parser.add_argument("--isolation", choices=["auto", "none"], default="auto",
                        help="auto: no network and read-only files for submissions where Linux allows it")
    args = parser.parse_args(argv)
    grades = grade_folder(args.submissions, args.out, source=args.source, force=args.force, jobs=args.jobs,
                          task_time_s=args.task_time, use_nbgrader=not args.no_nbgrader, isolation=args.isolation,
                          only=args.assignment)
    pending = sum(g.written_pending for g in grades)
    problems = [g for g in grades if g.status != "graded"]
    print(f"wrote {os.path.join(args.out, 'grades.csv')} ({len(grades)} rows) and "
          f"{os.path.join(args.out, 'grades_by_task.csv')}")
    print(f"wrote feedback for each student in {os.path.join(args.out, 'feedback')}/<student>/index.html")
    for g in problems:
        print(f"  {g.student}/{g.assignment}: {g.status} ({'; '.join(g.notes)})")
    if pending and not args.no_nbgrader:
        course = os.path.join(args.out, "course")
        print(f"{pending} written answers need grading by hand: cd {course} && jupyter lab, then Nbgrader > "
              "Formgrader > Manual Grading; afterwards run the same make grade command with FORCE=1.")
    sys.stdout.flush()
    return 0
