"""The grader's parts: the JSON-only wire format, the sandboxed worker, hidden checks, scoring."""

import os
import textwrap

import numpy as np
import pytest

from lessonkit import Melody, Note
from lessonkit.checks import lesson00
from lessonkit.checks.core import Feedback
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


def _write_source(tmp_path, check_source):
    import nbformat

    nb = nbformat.v4.new_notebook()
    meta = lambda gid, **kw: {"nbgrader": {"grade_id": gid, "schema_version": 3, "grade": False, "solution": False,
                                           "locked": False, "task": False, **kw}}
    nb.cells = [
        nbformat.v4.new_code_cell("from lessonkit.checks import lesson00", metadata=meta("setup", locked=True)),
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


def test_the_grader_reads_function_exercise_and_hidden_inputs_from_the_check_cell(tmp_path):
    folder = _write_source(tmp_path, "lesson00.check_midi_to_hz(f)\n### BEGIN HIDDEN TESTS\n"
                                     "from lessonkit.homework import hidden_check\n"
                                     "hidden_check(f, lesson00.midi_to_hz_exercise, [(12,), (13,)], time_s=4)\n"
                                     "### END HIDDEN TESTS")
    task = load_assignment(folder).tasks[0]
    assert task.function == "f" and task.exercise is lesson00.midi_to_hz_exercise
    assert task.hidden_cases == [(12,), (13,)] and task.time_s == 4 and task.points == 1


# ----------------------------------------------------------------------------- the sandbox


def _run(answer, function="f", cases=((1,), (2,)), **kwargs):
    cells = [{"source": "import math", "label": "setup"}, {"source": textwrap.dedent(answer), "label": "answer"}]
    kwargs.setdefault("task_time_s", 3)
    kwargs.setdefault("statement_time_s", 3)
    return sandbox.run_job(cells, [{"function": function, "cases": list(cases)}], **kwargs)


def test_sandbox_returns_values_and_errors_per_input():
    run = _run("def f(x):\n    if x == 2:\n        raise ValueError('two')\n    return [x, (x,)]")
    assert run.results[0] == [("ok", [1, (1,)]), ("error", "ValueError: two")]


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
