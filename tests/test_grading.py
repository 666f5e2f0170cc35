"""The grader's parts: the JSON-only wire format, the sandboxed worker, hidden checks, scoring."""

import math
import os
import textwrap

import numpy as np
import pytest

from lessonkit import Melody, Note
from lessonkit.checks import homework00, lesson00
from lessonkit.checks.core import Feedback
from lessonkit.errors import LessonkitError
from lessonkit.homework.grading import hidden_check, score_task
from lessonkit.homework import sandbox, wire
from lessonkit.homework.assignment import AssignmentError, Task, load_assignment

TWINKLE = Melody.parse("C4 C4 G4 G4 A4 A4 G4*2")


# ----------------------------------------------------------------------------- wire


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("inf"), "C4", [1, [2, 3]], (1, "a"), {1: "x", (2, 3): [4]}, {1, 2}, frozenset({"a"}),
    np.arange(6, dtype=np.int32).reshape(2, 3), np.array([0.5, 1.5]), Note(60, 0, 4), TWINKLE,
])
def test_wire_round_trip_gives_an_equal_value(value):
    back = wire.loads(wire.dumps(value))
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    else:
        assert back == value and type(back) is type(value)


def test_wire_turns_numpy_scalars_into_python_numbers():
    assert wire.loads(wire.dumps((np.int64(3), np.float32(0.5), np.bool_(True)))) == (3, 0.5, True)


def test_wire_brings_back_a_plain_melody_from_a_rigged_subclass():
    class AlwaysEqual(Melody):
        def __eq__(self, other):
            return True

    rigged = AlwaysEqual(list(TWINKLE), length_steps=TWINKLE.length_steps)
    back = wire.loads(wire.dumps(rigged))
    assert type(back) is Melody
    assert back != TWINKLE.transpose(2)


@pytest.mark.parametrize("value", [object(), lambda: 1, iter([1]), np.array(["a"]), b"bytes"])
def test_wire_refuses_values_it_cannot_send(value):
    with pytest.raises(wire.WireError):
        wire.dumps(value)


@pytest.mark.parametrize("text", [
    '{"a": 1}',                                                          # an object without a tag
    '{"$t": "pickle", "v": "gASV"}',                                     # unknown tag
    '{"$t": "ndarray", "dtype": "object", "shape": [1], "v": [1]}',      # dtype not allowed
    '{"$t": "ndarray", "dtype": "int64", "shape": [3], "v": [1]}',       # shape does not match
    '{"$t": "Melody", "pitches": [60, 62], "onsets_steps": [0, 1], "durations_steps": [4, 4], '
    '"velocities": [90, 90], "length_steps": 8, "tempo_bpm": 120, "meter": "4/4", "pickup_steps": 0}',  # overlap
    '{"$t": "set", "v": [[1]]}',                                         # unhashable member
    "[" * 5000 + "]" * 5000,                                             # absurdly deep
    "not json",
])
def test_wire_rejects_malformed_data(text):
    with pytest.raises(wire.WireError):
        wire.loads(text)


# ----------------------------------------------------------------------------- hidden_check and scoring


def test_hidden_check_passes_the_reference_and_raises_for_a_wrong_function():
    cases = [(Melody.parse("D4 E4 F#4"), -3)]
    feedback = hidden_check(lesson00.reference_transpose, lesson00.transpose_exercise, cases)
    assert feedback.passed and feedback.n_cases == len(lesson00.transpose_exercise.cases) + 1
    with pytest.raises(AssertionError):
        hidden_check(lambda m, s: m.transpose(s + 1), lesson00.transpose_exercise, cases)


def test_score_shares_points_among_inputs_and_uses_the_lessons_hints():
    task = Task("t", 3.0, "transpose", lesson00.transpose_exercise, [(TWINKLE, 5)])
    right = [("ok", lesson00.reference_transpose(*c)) for c in task.cases]
    assert score_task(task, right).score == 3.0
    half = [r if i % 2 else ("error", "ValueError: no") for i, r in enumerate(right)]
    graded = score_task(task, half)
    assert graded.n_right == len(task.cases) // 2 and graded.score == pytest.approx(3.0 * graded.n_right / len(task.cases), abs=0.01)
    off = [("ok", c[0].transpose(c[1] + 1)) for c in task.cases]
    graded = score_task(task, off)
    assert graded.score == 0.0 and "semitones" in graded.hint


def _write_source(tmp_path, check_source, setup="from lessonkit.checks import lesson00"):
    import nbformat

    nb = nbformat.v4.new_notebook()
    meta = lambda gid, **kw: {"nbgrader": {"grade_id": gid, "schema_version": 3, "grade": False, "solution": False,
                                           "locked": False, "task": False, **kw}}
    nb.cells = [
        nbformat.v4.new_code_cell(setup, metadata=meta("setup", locked=True)),
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION",
                                  metadata=meta("answer", solution=True)),
        nbformat.v4.new_code_cell(check_source, metadata=meta("check", grade=True, locked=True, points=1)),
    ]
    folder = tmp_path / "99_test"
    folder.mkdir()
    nbformat.write(nb, str(folder / "99_test.ipynb"))
    return str(folder)


def test_a_check_cell_without_hidden_check_cannot_be_released(tmp_path):
    folder = _write_source(tmp_path, "assert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(2) == 2\n### END HIDDEN TESTS")
    with pytest.raises(AssignmentError, match="hidden_check"):
        load_assignment(folder)


def test_the_grader_reads_function_task_reference_and_hidden_inputs_from_the_check_cell(tmp_path):
    folder = _write_source(tmp_path, "homework00.check_semitones_between(f)\n### BEGIN HIDDEN TESTS\n"
                                     "from lessonkit.homework import hidden_check\n"
                                     "def ref(a, b):\n    return 12 * math.log2(b / a)\n"
                                     "hidden_check(f, homework00.semitones_between_task, [(100.0, 200.0), (1.0, 3.0)], "
                                     "reference=ref, time_s=4)\n"
                                     "### END HIDDEN TESTS", setup="import math\nfrom lessonkit.checks import homework00")
    task = load_assignment(folder).tasks[0]
    assert task.function == "f" and task.exercise is homework00.semitones_between_task
    assert task.hidden_cases == [(100.0, 200.0), (1.0, 3.0)] and task.time_s == 4 and task.points == 1
    assert task.cases == task.hidden_cases  # the visible inputs' answers ship to students: only hidden ones earn points
    assert task.reference(100.0, 200.0) == 12.0 and task.reference.__module__ == "__lessonkit_source__"


@pytest.mark.parametrize("call,words", [
    # the lesson exercise's reference, or any reference from the installed package, ships to every student
    ("hidden_check(f, lesson00.midi_to_hz_exercise, [(12,), (13,)])", "no reference="),
    ("hidden_check(f, lesson00.midi_to_hz_exercise, [(12,)], reference=lesson00.reference_midi_to_hz)",
     "from the lessonkit package"),
    ("def ref(p):\n    return 440.0 * 2 ** ((p - 69) / 12)\n"
     "hidden_check(f, lesson00.midi_to_hz_exercise, [(12,)], reference=ref)", "ships in the lessonkit package"),
])
def test_a_graded_task_whose_reference_ships_to_students_cannot_be_released(tmp_path, call, words):
    folder = _write_source(tmp_path, "lesson00.check_midi_to_hz(f)\n### BEGIN HIDDEN TESTS\n"
                                     f"from lessonkit.homework import hidden_check\n{call}\n### END HIDDEN TESTS")
    with pytest.raises(AssignmentError, match=words) as err:
        load_assignment(folder)
    assert "reference=your_function" in str(err.value)  # the message says the fix


def test_a_homework_task_knows_only_its_visible_answers_and_needs_the_teachers_reference():
    task = homework00.semitones_between_task
    assert task.reference is None and task.expected() == task.expected_values
    with pytest.raises(LessonkitError, match="reference="):
        task.expected([(1.0, 2.0)])
    assert task.with_reference(lambda a, b: 12 * math.log2(b / a)).expected([(1.0, 2.0)]) == [12.0]
    feedback = hidden_check(lambda a, b: 12 * math.log2(b / a), task, [(1.0, 2.0), (3.0, 4.0)],
                            reference=lambda a, b: 12 * math.log2(b / a))
    assert feedback.passed and feedback.n_cases == 2


# ----------------------------------------------------------------------------- the sandbox


def _run(answer, function="f", cases=((1,), (2,)), **kwargs):
    cells = [{"source": "import math", "label": "setup"}, {"source": textwrap.dedent(answer), "label": "answer"}]
    kwargs.setdefault("task_time_s", 3)
    kwargs.setdefault("statement_time_s", 3)
    return sandbox.run_job(cells, [{"function": function, "cases": list(cases)}], **kwargs)


def test_sandbox_returns_values_and_errors_per_input():
    run = _run("def f(x):\n    if x == 2:\n        raise ValueError('two')\n    return [x, (x,)]")
    assert run.results[0] == [("ok", [1, (1,)]), ("error", "ValueError: two | in your line: raise ValueError('two')")]


def test_a_statement_that_raises_is_reported_and_the_next_ones_still_run():
    run = _run("1 / 0\nexit()\nimport sys\nsys.exit(3)\ndef f(x):\n    return x * 2")
    assert run.results[0] == [("ok", 2), ("ok", 4)]
    kinds = [i.message.split(":")[0] for i in run.issues]
    assert kinds == ["ZeroDivisionError", "SystemExit", "SystemExit"]


def test_os_exit_after_a_correct_function_costs_nothing():
    run = _run("import os\ndef f(x):\n    return x + 1\nos._exit(0)")
    assert run.results[0] == [("ok", 2), ("ok", 3)]
    assert run.restarts == 1 and run.issues[0].kind == "crash"


def test_an_infinite_loop_in_a_cell_is_skipped_after_the_statement_limit():
    run = _run("def f(x):\n    return x\nwhile True:\n    pass", statement_time_s=1.5)
    assert run.results[0] == [("ok", 1), ("ok", 2)] and run.issues[0].kind == "timeout"


def test_an_infinite_loop_in_a_function_costs_only_its_task():
    cells = [{"source": "def slow(x):\n    while True:\n        pass\ndef fast(x):\n    return -x", "label": "answer"}]
    tasks = [{"function": "slow", "cases": [(1,), (2,)]}, {"function": "fast", "cases": [(1,), (2,)]}]
    run = sandbox.run_job(cells, tasks, task_time_s=1.5, statement_time_s=3)
    assert [s for s, _ in run.results[0]] == ["error", "error"] and "TimeoutError" in run.results[0][0][1]
    assert run.results[1] == [("ok", -1), ("ok", -2)]
    assert run.wall_s < 15


def test_a_call_that_ends_the_process_fails_alone():
    run = _run("import os\ndef f(x):\n    if x == 1:\n        os._exit(1)\n    return x", cases=[(1,), (2,), (3,)])
    assert run.results[0][0][0] == "error" and run.results[0][1:] == [("ok", 2), ("ok", 3)]


def test_patching_the_worker_or_comparisons_changes_nothing_the_grader_sees():
    run = _run("import math, numpy\nmath.isclose = lambda *a, **k: True\n"
               "import lessonkit.homework.wire as w\nw.encode = lambda v: 440.0\n"
               "def f(x):\n    return 1.0")
    # the patched encoder is the student's own problem: the grader only sees data and judges it
    assert all(r[0] == "ok" for r in run.results[0])
    feedback = lesson00.midi_to_hz_exercise.compare_all(run.results[0], [(69,), (60,)])
    assert feedback.n_right <= 1


def test_forged_grader_messages_are_caught():
    forged = ("import os, json\n"
              "msgs = [{'e': 'call', 't': 0, 'k': 1}, {'e': 'case', 't': 0, 'k': 1, 'r': ['ok', 99]}, {'e': 'end'}]\n"
              "data = ''.join(json.dumps(m) + '\\n' for m in msgs).encode()\n"
              "for fd in range(3, 20):\n"
              "    try:\n        os.write(fd, data)\n    except OSError:\n        pass\n"
              "def f(x):\n    return x")
    run = _run(forged)
    assert ("ok", 99) not in run.results[0]
    assert any(i.kind == "tampered" for i in run.issues)


def test_an_unreadable_return_value_is_an_error_not_a_crash():
    run = _run("def f(x):\n    return object()")
    assert run.results[0][0][0] == "error" and "cannot be graded" in run.results[0][0][1]


def test_the_worker_gets_a_fresh_process_with_no_network_and_read_only_files():
    if not sandbox.isolation_available():
        pytest.skip("unshare with user namespaces is not available here")
    repo_file = os.path.abspath(__file__)
    run = _run(f"""
        import os, socket
        def f(x):
            out = []
            try:
                open({repo_file!r}, 'a').close(); out.append('wrote')
            except OSError:
                out.append('read-only')
            try:
                socket.create_connection(('1.1.1.1', 80), timeout=1); out.append('net')
            except OSError:
                out.append('no-net')
            out.append(os.getpid() < 10)
            return out
        """, cases=[(1,)])
    assert run.isolated and run.results[0] == [("ok", ["read-only", "no-net", True])]


def test_killing_every_process_it_can_see_only_ends_the_worker():
    if not sandbox.isolation_available():
        pytest.skip("without a PID namespace this would kill the test run itself")
    run = _run("import os, signal\ndef f(x):\n    return x\nos.kill(-1, signal.SIGKILL)\nos.kill(os.getppid() or 1, 9)")
    assert run.results[0] == [("ok", 1), ("ok", 2)]


def test_feedback_fraction_matches_the_grade_fraction():
    fb = Feedback(False, "", "", 3, 4)
    assert fb.fraction == 0.75


def test_a_memory_hog_fails_alone_under_the_memory_limit():
    run = _run("hog = bytearray(3 * 2**30)\ndef f(x):\n    return bytearray(3 * 2**30) if x == 2 else x",
               memory_bytes=2 * 2**30)
    assert run.results[0][0] == ("ok", 1) and run.results[0][1][0] == "error" and "MemoryError" in run.results[0][1][1]
    assert "MemoryError" in run.issues[0].message


def test_an_assignments_data_files_are_next_to_the_answers(tmp_path):
    data = tmp_path / "tune.txt"
    data.write_text("C4 D4 E4")
    cells = [{"source": "from lessonkit import Melody\ntune = Melody.parse(open('tune.txt').read())", "label": "setup"},
             {"source": "def f(x):\n    return len(tune) + x", "label": "answer"}]
    run = sandbox.run_job(cells, [{"function": "f", "cases": [(1,)]}], files={"tune.txt": str(data)})
    assert run.results[0] == [("ok", 4)]


@pytest.mark.slow
def test_isolation_works_for_a_checkout_and_a_venv_under_tmp(tmp_path):
    """A fresh /tmp would hide a checkout or venv that lives in /tmp: the sandbox must still run them, isolated."""
    import json
    import shutil
    import site
    import subprocess
    import sys

    if not str(tmp_path).startswith("/tmp/"):
        pytest.skip("pytest's tmp_path is not under /tmp here")
    if not sandbox._namespaces_work():
        pytest.skip("unshare with user namespaces is not available here")
    clone = tmp_path / "clone"
    shutil.copytree(os.path.join(sandbox.PACKAGE_ROOT, "lessonkit"), clone / "lessonkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", str(venv)],
                   check=True)
    python = venv / "bin" / "python"
    venv_site = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                               capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(venv_site, "shared-packages.pth"), "w") as f:  # numpy etc. from this test's venv
        f.write("\n".join(site.getsitepackages()) + "\n")
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(clone)!r})
        from lessonkit.homework import sandbox
        answer = '''
        import os, lessonkit
        def f(x):
            out = [os.path.dirname(os.path.dirname(lessonkit.__file__))]
            try:
                open(lessonkit.__file__, 'a').close(); out.append('wrote')
            except OSError:
                out.append('read-only')
            open('scratch.txt', 'w').write('ok')
            out.append(open('scratch.txt').read())
            out.append(os.getpid() < 10)
            return out
        '''
        cells = [{{"source": "import math", "label": "setup"}}, {{"source": answer, "label": "answer"}}]
        run = sandbox.run_job(cells, [{{"function": "f", "cases": [(1,)]}}], task_time_s=20, statement_time_s=20)
        print(json.dumps({{"scratch": sandbox.needs_scratch_mount(), "isolated": run.isolated,
                           "results": run.results, "issues": [i.message for i in run.issues]}}))
        """)
    done = subprocess.run([str(python), "-I", "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["scratch"] and out["isolated"], out
    assert out["results"] == [[["ok", [str(clone), "read-only", "ok", True]]]], out


def test_a_crash_in_the_graders_worker_brings_back_the_students_line_for_the_hint():
    run = _run("def f(x):\n    counts = [0, 0]\n    return counts[round(x / 2) + 1]")
    status, text = run.results[0][1]
    assert status == "error" and text.startswith("IndexError") and "in your line: return counts[round(x / 2) + 1]" in text
