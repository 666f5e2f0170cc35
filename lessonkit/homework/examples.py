"""Example submissions: right, typical wrong, tampering and broken (for tests, benchmarks and teachers).

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "Trying the grader").

A teacher who writes a new assignment can check its grading the way the test suite does::

    from lessonkit.homework import examples
    examples.write_class("/tmp/class", "00_music_as_data")   # one folder per kind of submission
    # then: lessonkit homework grade /tmp/class --out /tmp/grades

Each submission is the released notebook (what students get) with some answer cells
replaced, cells added or removed, or the file damaged.
"""

from __future__ import annotations

import copy
import os
import shutil

import nbformat

from .assignment import SOLUTION_BEGIN, SOLUTION_END, cell_kind, find_source_notebook, nbgrader_meta

# ----------------------------------------------------------------------------- building submissions


def solutions(source_nb) -> dict:
    """``{answer grade_id: source}`` of the reference solution (the source notebook's answer cells)."""
    out = {}
    for cell in source_nb.cells:
        if cell_kind(cell) == "answer":
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in (SOLUTION_BEGIN, SOLUTION_END)]
            out[nbgrader_meta(cell)["grade_id"]] = "\n".join(lines)
    return out


def make_submission(release_nb, answers=None, *, after=None, append_cells=(), delete=()):
    """A copy of the released notebook with answers filled in.

    Parameters
    ----------
    release_nb : NotebookNode
        The student version.
    answers : dict
        ``{answer grade_id: source}`` (others stay blank).
    after : dict
        ``{grade_id: [source, ...]}``: code cells a student added after that cell.
    append_cells : sequence of str
        Code cells added at the end.
    delete : sequence of str
        grade_ids of cells the student deleted.
    """
    nb = copy.deepcopy(release_nb)
    answers, after = answers or {}, after or {}
    cells = []
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in delete:
            continue
        if gid in answers:
            cell.source = answers[gid]
        cells.append(cell)
        for extra in after.get(gid, []):
            cells.append(nbformat.v4.new_code_cell(extra))
    for extra in append_cells:
        cells.append(nbformat.v4.new_code_cell(extra))
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i}"
    nb.cells = cells
    return nb


# ----------------------------------------------------------------------------- assignment 00


def _kinds_00(ref):
    """The submissions for 00_music_as_data: name -> (expected score range, builder kwargs or a special)."""
    def with_(**changes):
        a = dict(ref)
        a.update(changes)
        return a

    blank = {}
    wrong_transpose_off_by_one = with_(transpose_answer=(
        "def transpose(melody, semitones):\n"
        "    notes = [Note(n.pitch + semitones + 1, n.onset_steps, n.duration_steps) for n in melody]\n"
        "    return Melody(notes, length_steps=melody.length_steps, meter=melody.meter)\n"))
    hard_coded = {
        "transpose_answer": "def transpose(melody, semitones):\n"
                            "    return Melody.parse('D4 D4 A4 A4 B4 B4 A4*2 G4 G4 F#4 F#4 E4 E4 D4*2')\n",
        "pitch_range_answer": "def pitch_range(melody):\n    return (60, 69)\n",
        "notes_per_bar_answer": "def notes_per_bar(melody):\n    return [7, 7]\n",
        "midi_to_hz_answer": "def midi_to_hz(pitch):\n    return {69: 440.0, 60: 261.6255653005986}.get(pitch, 440.0)\n",
        "sounding_fraction_answer": "def sounding_fraction(melody):\n    return 1.0\n",
    }
    typical_mistakes = with_(
        pitch_range_answer="def pitch_range(melody):\n    return (melody[0].pitch, melody[-1].pitch)\n",
        sounding_fraction_answer=("def sounding_fraction(melody):\n    tokens = melody.to_tokens()\n"
                                  "    return sum(1 for t in tokens if t < 128) / len(tokens)\n"),
    )
    return {
        "reference": ref,
        "blank": blank,
        "wrong_off_by_one": wrong_transpose_off_by_one,
        "wrong_hard_coded": hard_coded,
        "wrong_typical": typical_mistakes,
    }


TAMPER_00 = {
    # An IPython input transformer that blanks every later cell (check cells included): in a
    # kernel, nbgrader's autograde then runs no test at all and gives full points.
    "tamper_input_transformer": {
        "transpose_answer": (
            "def transpose(melody, semitones):\n    return melody\n"
            "ip = get_ipython()\n"
            "ip.input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n"),
    },
    # math.isclose and numpy's comparisons patched to say "equal", plus wrong answers.
    "tamper_isclose": {
        "midi_to_hz_answer": (
            "import math, numpy\n"
            "math.isclose = lambda *a, **k: True\n"
            "numpy.isclose = lambda *a, **k: True\n"
            "numpy.allclose = lambda *a, **k: True\n"
            "numpy.array_equal = lambda *a, **k: True\n"
            "def midi_to_hz(pitch):\n    return 1.0\n"),
        "sounding_fraction_answer": "def sounding_fraction(melody):\n    return 0.123\n",
    },
    # The checks, the comparison and assert replaced; lessonkit's Melody made equal to anything.
    "tamper_checks": {
        "transpose_answer": (
            "import lessonkit, lessonkit.checks.core as core\n"
            "from lessonkit.checks import Feedback\n"
            "for m in (lesson00, homework00):\n"
            "    for name in dir(m):\n"
            "        if name.startswith('check_'):\n"
            "            setattr(m, name, lambda *a, **k: Feedback(True, 'all right', '', 1, 1))\n"
            "core.Exercise.compare_all = lambda self, results, cases=None: Feedback(True, 'ok', '', 99, 99)\n"
            "core.Exercise.compare_one = lambda self, *a: None\n"
            "lessonkit.Melody.__eq__ = lambda self, other: True\n"
            "import builtins\n"
            "builtins.AssertionError = type('Never', (Exception,), {})\n"
            "def transpose(melody, semitones):\n    return melody\n"),
    },
    # A Melody subclass that claims to equal anything, returned as the answer.
    "tamper_melody_subclass": {
        "transpose_answer": (
            "class AlwaysEqual(Melody):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    def __ne__(self, other):\n        return False\n"
            "def transpose(melody, semitones):\n"
            "    return AlwaysEqual(list(melody), length_steps=melody.length_steps)\n"),
    },
    # Prints what a passing check prints, and a number (nbgrader reads a number as partial credit).
    "tamper_print_pass": {
        "pitch_range_answer": (
            "print('✅ Right: pitch_range(melody) works on all 10 test inputs.')\n"
            "def pitch_range(melody):\n    print(2.0)\n    return 2.0\n"),
    },
    # Writes forged grader messages ("this input gave the right answer") on every file
    # descriptor, then ends the process early; its own functions are wrong.
    "tamper_forged_messages": {
        "notes_per_bar_answer": (
            "import os, json\n"
            "msgs = [{'e': 'ready'}]\n"
            "for t in range(5):\n"
            "    for k in range(20):\n"
            "        msgs += [{'e': 'call', 't': t, 'k': k}, {'e': 'case', 't': t, 'k': k, 'r': ['ok', 1.0]}]\n"
            "fake = ''.join(json.dumps(m) + '\\n' for m in msgs + [{'e': 'end'}])\n"
            "for fd in range(3, 30):\n"
            "    try:\n        os.write(fd, fake.encode())\n    except OSError:\n        pass\n"
            "def notes_per_bar(melody):\n    return [0]\n"),
    },
}


def _specials_00(ref):
    """Submissions that are right but have accidents in them: they must get full autograded points."""
    with_exit = dict(ref)
    with_exit["transpose_answer"] = ref["transpose_answer"] + "\nexit()\n"
    with_exit["pitch_range_answer"] = ref["pitch_range_answer"] + "\nimport sys\nsys.exit(1)\n"
    with_os_exit = dict(ref)
    with_os_exit["notes_per_bar_answer"] = ref["notes_per_bar_answer"] + "\nimport os\nos._exit(0)\n"
    with_os_exit["midi_to_hz_answer"] = "import os\nos._exit(3)\n" + ref["midi_to_hz_answer"]
    loop_in_cell = dict(ref)
    loop_in_cell["sounding_fraction_answer"] = ref["sounding_fraction_answer"] + "\nwhile True:\n    pass\n"
    loop_in_function = dict(ref)
    loop_in_function["notes_per_bar_answer"] = "def notes_per_bar(melody):\n    while True:\n        pass\n"
    crash_in_function = dict(ref)
    crash_in_function["midi_to_hz_answer"] = ("import os\ndef midi_to_hz(pitch):\n"
                                              "    if pitch == 60:\n        os._exit(1)\n"
                                              "    return 440.0 * 2 ** ((pitch - 69) / 12)\n")
    return {
        "accident_exit": {"answers": with_exit, "append_cells": ["1 / 0", "raise SystemExit"]},
        "accident_os_exit": {"answers": with_os_exit},
        "accident_loop_in_cell": {"answers": loop_in_cell},
        "accident_loop_in_function": {"answers": loop_in_function},
        "accident_crash_in_function": {"answers": crash_in_function},
        "accident_deleted_cell": {"answers": ref, "delete": ["pitch_range_answer"]},
        "accident_added_helper_cell": {"answers": {**ref, "midi_to_hz_answer": "def midi_to_hz(pitch):\n"
                                                                             "    return helper(pitch)\n"},
                                       "after": {"midi_to_hz_answer": ["def helper(pitch):\n"
                                                                       "    return 440.0 * 2 ** ((pitch - 69) / 12)"]}},
        "accident_magic_and_display": {"answers": {**ref, "pitch_range_answer": "%matplotlib inline\n!ls\n"
                                                   + ref["pitch_range_answer"] + "\ndisplay(pitch_range(twinkle))\n"}},
    }


EXPECTED_00 = {
    # name: (lowest, highest) autograded score out of 13 that a teacher expects
    "reference": (13.0, 13.0),
    "blank": (0.0, 0.0),
    "wrong_off_by_one": (10.0, 10.0),        # transpose 0 of 3, the rest right
    "wrong_hard_coded": (0.0, 3.5),          # only the visible example of each task (about a tenth of the inputs)
    "wrong_typical": (8.0, 11.0),            # first/last note as the range; only note starts as sounding
    "accident_exit": (13.0, 13.0),
    "accident_os_exit": (13.0, 13.0),
    "accident_loop_in_cell": (13.0, 13.0),
    "accident_loop_in_function": (10.0, 10.0),   # that task only
    "accident_crash_in_function": (12.8, 12.9),  # one of 12 inputs of midi_to_hz crashed; the others count
    "accident_deleted_cell": (11.0, 11.0),       # pitch_range's answer cell is gone
    "accident_added_helper_cell": (11.0, 11.0),  # cells students add are not run: midi_to_hz fails
    "accident_magic_and_display": (13.0, 13.0),
    "old_format_v3": (13.0, 13.0),
    "renamed_notebook": (13.0, 13.0),
    "extra_files": (13.0, 13.0),
}
"""What a teacher expects each example of 00 to score (autograded points, out of 13)."""


WRITTEN = {
    "00_music_as_data": {
        "hold_written": "Twinkle starts `60 HOLD HOLD HOLD 60 HOLD HOLD HOLD`: two C4s, each a quarter note. "
                        "Without HOLD every step would just say 60, and a model could not tell two quarter notes "
                        "from one half note, so it would not know where a new note starts.",
    },
}
"""A student's written answer per assignment (for the manual-grading part of the workflow)."""


def write_class(folder, assignment="00_music_as_data", *, source_root=None, release_root=None, kinds=None):
    """Write one student folder per example kind: ``folder/<kind>/<assignment>/<notebook>.ipynb``.

    Also writes ``not_a_notebook`` (a PDF-like file with the notebook's name),
    ``only_a_pdf`` (no notebook at all), ``old_format_v3``, ``renamed_notebook`` and
    ``extra_files``. Returns the list of student names written.
    """
    from .release import repo_root

    root = repo_root()
    source_root = source_root or os.path.join(root, "assignments", "source")
    release_root = release_root or os.path.join(root, "assignments", "release")
    source_nb = nbformat.read(find_source_notebook(os.path.join(source_root, assignment)), as_version=4)
    release_path = find_source_notebook(os.path.join(release_root, assignment))
    release_nb = nbformat.read(release_path, as_version=4)
    stem = os.path.splitext(os.path.basename(release_path))[0]
    ref = solutions(source_nb)
    ref.update(WRITTEN.get(assignment, {}))
    if assignment != "00_music_as_data":
        raise ValueError(f"no example submissions for {assignment!r} yet")
    plain = _kinds_00(ref)
    plain.update({k: {**v} for k, v in TAMPER_00.items()})
    specials = _specials_00(ref)
    written = []

    def put(student, nb=None, raw=None, name=None):
        d = os.path.join(folder, student, assignment)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name or stem + ".ipynb")
        if raw is not None:
            with open(path, "wb") as f:
                f.write(raw)
        else:
            nbformat.write(nb, path)
        written.append(student)
        return d

    for kind, answers in plain.items():
        if kinds is None or kind in kinds:
            put(kind, make_submission(release_nb, answers))
    for kind, spec in specials.items():
        if kinds is None or kind in kinds:
            put(kind, make_submission(release_nb, spec.get("answers"), after=spec.get("after"),
                                      append_cells=spec.get("append_cells", ()), delete=spec.get("delete", ())))
    extra = {
        "old_format_v3": lambda: put("old_format_v3", raw=nbformat.writes(
            nbformat.convert(make_submission(release_nb, ref), 3), version=3).encode()),
        "renamed_notebook": lambda: put("renamed_notebook", make_submission(release_nb, ref),
                                        name=f"{stem} (1).ipynb"),
        "extra_files": lambda: (shutil.copyfile(release_path, os.path.join(
            put("extra_files", make_submission(release_nb, ref)), "notes.txt"))),
        "not_a_notebook": lambda: put("not_a_notebook", raw=b"%PDF-1.4 this is not a notebook"),
        "only_a_pdf": lambda: put("only_a_pdf", raw=b"%PDF-1.4", name="homework.pdf"),
    }
    for kind, fn in extra.items():
        if kinds is None or kind in kinds:
            fn()
    return sorted(set(written))


def write_typical_class(folder, n=30, assignment="00_music_as_data", **kwargs):
    """``n`` students as a real class might hand in: mostly right, some typical mistakes, one blank."""
    mix = ["reference", "reference", "wrong_typical", "reference", "wrong_off_by_one", "accident_exit",
           "reference", "wrong_hard_coded", "reference", "blank"]
    tmp = os.path.join(folder, ".kinds")
    write_class(tmp, assignment, kinds=set(mix), **kwargs)
    names = []
    for i in range(n):
        kind = mix[i % len(mix)]
        student = f"student{i + 1:02d}"
        shutil.copytree(os.path.join(tmp, kind), os.path.join(folder, student))
        names.append(student)
    shutil.rmtree(tmp)
    return names
