"""Example submissions: right, typical wrong, tampering and broken (test fixtures, also used by benchmarks).

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "Writing or changing an assignment").
Lives under tests/, not in the installed package: tests import it as ``homework_examples``
(pytest puts tests/ on the path); benchmarks/bench_grading.py loads it by file path.

A teacher who writes a new assignment can check its grading the way the test suite does (from
the repository root)::

    import sys; sys.path.insert(0, "tests")
    import homework_examples as examples
    examples.write_class("/tmp/class", "00_music_as_data")   # one folder per kind of submission
    # then: lessonkit homework grade /tmp/class --out /tmp/grades, and compare grades.csv with
    examples.expected_scores(load_assignment("assignments/source/00_music_as_data"))

Each submission is the released notebook (what students get) with some answer cells
replaced, cells added or removed, or the file damaged.
"""

from __future__ import annotations

import copy
import os
import shutil

import nbformat

from lessonkit.homework.assignment import SOLUTION_BEGIN, SOLUTION_END, cell_kind, find_source_notebook, nbgrader_meta

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


# ----------------------------------------------------------------------------- typical wrong answers

WRONG = {
    "00_music_as_data": {
        # transpose moves every note one semitone too far
        "wrong_off_by_one": {"transpose_answer": (
            "def transpose(melody, semitones):\n"
            "    notes = [Note(n.pitch + semitones + 1, n.onset_steps, n.duration_steps) for n in melody]\n"
            "    return Melody(notes, length_steps=melody.length_steps, meter=melody.meter)\n")},
        # the first/last note as the range; only note starts counted as sounding
        "wrong_typical": {
            "pitch_range_answer": "def pitch_range(melody):\n    return (melody[0].pitch, melody[-1].pitch)\n",
            "sounding_fraction_answer": ("def sounding_fraction(melody):\n    tokens = melody.to_tokens()\n"
                                         "    return sum(1 for t in tokens if t < 128) / len(tokens)\n")},
        # every function returns the answer to the notebook's first example
        "wrong_hard_coded": {
            "transpose_answer": "def transpose(melody, semitones):\n"
                                "    return Melody.parse('D4 D4 A4 A4 B4 B4 A4*2 G4 G4 F#4 F#4 E4 E4 D4*2')\n",
            "pitch_range_answer": "def pitch_range(melody):\n    return (60, 69)\n",
            "notes_per_bar_answer": "def notes_per_bar(melody):\n    return [7, 7]\n",
            "midi_to_hz_answer": "def midi_to_hz(pitch):\n    return {69: 440.0, 60: 261.6255653005986}.get(pitch, 440.0)\n",
            "sounding_fraction_answer": "def sounding_fraction(melody):\n    return 1.0\n"},
    },
    "01_rules_vs_examples": {
        # probabilities that do not sum to 1: the counts themselves
        "wrong_not_normalised": {"next_probs_answer": "def next_probs(counts, token):\n    return counts[token]\n"},
        # all tunes joined into one sequence; retrograde that reverses the rhythm too
        "wrong_typical": {
            "bigram_counts_answer": (
                "def bigram_counts(tunes):\n    counts = np.zeros((130, 130), dtype=int)\n"
                "    tokens = [t for tune in tunes for t in tune.to_tokens()]\n"
                "    for a, b in zip(tokens[:-1], tokens[1:]):\n        counts[a, b] += 1\n    return counts\n"),
            "retrograde_answer": ("def retrograde(call):\n"
                                  "    return Melody.from_tokens(call.to_tokens()[::-1])\n")},
        "wrong_hard_coded": {
            "retrograde_answer": "def retrograde(call):\n    return Melody.parse('E4 G4 E4 C4')\n",
            "bigram_counts_answer": ("def bigram_counts(tunes):\n"
                                     "    return lesson01.reference_bigram_counts(lesson01._tunes())\n"),
            "next_probs_answer": ("def next_probs(counts, token):\n    p = np.zeros(130)\n    p[128] = 0.6\n"
                                  "    p[62] = p[64] = 0.2\n    return p\n"),
            "greedy_answer_answer": "def greedy_answer(counts, start_token, n_steps):\n"
                                    "    return [128, 62, 60, 128, 62, 60][:n_steps]\n"},
    },
    "02_ai_duet": {
        # temperature applied but the probabilities no longer sum to 1
        "wrong_not_normalised": {"apply_temperature_answer": (
            "def apply_temperature(probs, temperature):\n"
            "    return np.asarray(probs, dtype=float) ** (1.0 / temperature)\n")},
        # bits instead of nats, and 0 * log 0 left in (nan)
        "wrong_typical": {
            "mean_nll_answer": "def mean_nll(probs_of_actual):\n    return float(np.mean(-np.log2(probs_of_actual)))\n",
            "entropy_nats_answer": ("def entropy_nats(probs):\n    p = np.asarray(probs, dtype=float)\n"
                                    "    return float(-np.sum(p * np.log(p)))\n")},
        "wrong_hard_coded": {
            "mean_nll_answer": "def mean_nll(probs_of_actual):\n    return 0.6931471805599453\n",
            "perplexity_answer": "def perplexity(nll):\n    return 1.0\n",
            "apply_temperature_answer": "def apply_temperature(probs, temperature):\n"
                                        "    return np.array([0.71, 0.25, 0.04, 0.0])\n",
            "entropy_nats_answer": "def entropy_nats(probs):\n    return 0.6931471805599453\n"},
    },
}
"""Typical wrong submissions per assignment: ``{assignment: {kind: {answer grade_id: source}}}``."""

EXPECTED_WRONG = {
    # autograded points a teacher expects, (lowest, highest)
    "00_music_as_data": {"wrong_off_by_one": (10.0, 10.0),   # transpose 0 of 3, the rest right
                         "wrong_typical": (8.0, 11.0),       # most of range and all of sounding fraction lost
                         "wrong_hard_coded": (0.0, 3.5)},    # only the notebook's first example of each task
    "01_rules_vs_examples": {"wrong_not_normalised": (9.0, 9.25),  # next_probs: right only where a row sums to 1
                             "wrong_typical": (5.0, 8.0),
                             "wrong_hard_coded": (0.0, 3.0)},
    "02_ai_duet": {"wrong_not_normalised": (7.0, 7.6),      # only T = 1 inputs come out right
                   "wrong_typical": (7.0, 7.6),              # mean_nll lost; entropy wrong (nan) where p = 0
                   "wrong_hard_coded": (0.0, 2.5)},
}

# ----------------------------------------------------------------------------- tampering

TAMPER = {
    # An IPython input transformer that blanks every later cell (check cells included): in a
    # kernel, nbgrader's autograde then runs no test at all and gives full points.
    "tamper_input_transformer": (
        "ip = get_ipython()\n"
        "ip.input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n"),
    # math.isclose and numpy's comparisons patched to say "equal".
    "tamper_isclose": (
        "import math, numpy\n"
        "math.isclose = lambda *a, **k: True\n"
        "numpy.isclose = lambda *a, **k: True\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.array_equal = lambda *a, **k: True\n"),
    # Every check function, the comparison, Feedback and assert replaced; Melody equal to anything.
    "tamper_checks": (
        "import builtins, sys, lessonkit, lessonkit.checks.core as core\n"
        "from lessonkit.checks import Feedback\n"
        "for m in list(sys.modules.values()):\n"
        "    if getattr(m, '__name__', '').startswith('lessonkit.checks'):\n"
        "        for name in dir(m):\n"
        "            if name.startswith('check'):\n"
        "                setattr(m, name, lambda *a, **k: Feedback(True, 'all right', '', 1, 1))\n"
        "core.Exercise.compare_all = lambda self, results, cases=None: Feedback(True, 'ok', '', 99, 99)\n"
        "core.Exercise.compare_one = lambda self, *a: None\n"
        "core.Feedback.__bool__ = lambda self: True\n"
        "lessonkit.Melody.__eq__ = lambda self, other: True\n"
        "builtins.AssertionError = type('Never', (Exception,), {})\n"),
    # Prints what a passing check prints, and a number (nbgrader reads a number as partial credit).
    "tamper_print_pass": (
        "print('✅ Right: works on all 10 test inputs.')\n"
        "print(3.0)\n"),
    # The grader's own encoder and worker patched from inside the answer.
    "tamper_grader_modules": (
        "import sys\n"
        "for name, m in list(sys.modules.items()):\n"
        "    if name.startswith('lessonkit.homework'):\n"
        "        for attr in ('encode', 'score_task', 'compare_all'):\n"
        "            if hasattr(m, attr):\n"
        "                setattr(m, attr, lambda *a, **k: 1.0)\n"),
    # Writes forged grader messages ("this input gave the right answer") on every file
    # descriptor; its functions stay blank.
    "tamper_forged_messages": (
        "import os, json\n"
        "msgs = [{'e': 'ready'}]\n"
        "for t in range(6):\n"
        "    for k in range(20):\n"
        "        msgs += [{'e': 'call', 't': t, 'k': k}, {'e': 'case', 't': t, 'k': k, 'r': ['ok', 1.0]}]\n"
        "fake = ''.join(json.dumps(m) + '\\n' for m in msgs + [{'e': 'end'}])\n"
        "for fd in range(3, 30):\n"
        "    try:\n        os.write(fd, fake.encode())\n    except OSError:\n        pass\n"),
}
"""Tampering code a student might put in an answer cell (the functions themselves stay blank)."""

TAMPER_ONLY = {
    "00_music_as_data": {
        # A Melody subclass that claims to equal anything, returned as the answer.
        "tamper_melody_subclass": {"transpose_answer": (
            "class AlwaysEqual(Melody):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    def __ne__(self, other):\n        return False\n"
            "def transpose(melody, semitones):\n"
            "    return AlwaysEqual(list(melody), length_steps=melody.length_steps)\n")},
    },
}


# ----------------------------------------------------------------------------- accidents


def _accidents(assignment, ref):
    """Right answers with accidents around them (they must keep the points the answers earn)."""
    ids = assignment.answer_ids
    funcs = [t.function for t in assignment.tasks]
    out = {}
    a = dict(ref)
    a[ids[0]] = ref[ids[0]] + "\nexit()\n"
    a[ids[1]] = ref[ids[1]] + "\nimport sys\nsys.exit(1)\n"
    out["accident_exit"] = {"answers": a, "append_cells": ["1 / 0", "raise SystemExit"]}
    a = dict(ref)
    a[ids[2]] = ref[ids[2]] + "\nimport os\nos._exit(0)\n"
    a[ids[3]] = "import os\nos._exit(3)\n" + ref[ids[3]]
    out["accident_os_exit"] = {"answers": a}
    a = dict(ref)
    a[ids[-1]] = ref[ids[-1]] + "\nwhile True:\n    pass\n"
    out["accident_loop_in_cell"] = {"answers": a}
    a = dict(ref)
    a[ids[0]] = f"def {funcs[0]}(*args):\n    while True:\n        pass\n"
    out["accident_loop_in_function"] = {"answers": a}
    out["accident_deleted_cell"] = {"answers": ref, "delete": [ids[1]]}
    if assignment.name == "00_music_as_data":
        a = dict(ref)
        a["midi_to_hz_answer"] = ("import os\ndef midi_to_hz(pitch):\n    if pitch == 60:\n        os._exit(1)\n"
                                  "    return 440.0 * 2 ** ((pitch - 69) / 12)\n")
        out["accident_crash_in_function"] = {"answers": a}
        out["accident_added_helper_cell"] = {
            "answers": {**ref, "midi_to_hz_answer": "def midi_to_hz(pitch):\n    return helper(pitch)\n"},
            "after": {"midi_to_hz_answer": ["def helper(pitch):\n    return 440.0 * 2 ** ((pitch - 69) / 12)"]}}
        out["accident_magic_and_display"] = {"answers": {**ref, "pitch_range_answer": (
            "%matplotlib inline\n!ls\n" + ref["pitch_range_answer"] + "\ndisplay(pitch_range(twinkle))\n")}}
    return out


def expected_scores(assignment) -> dict:
    """``{kind: (lowest, highest)}`` autograded points a teacher expects for each example of ``assignment``."""
    full = assignment.auto_max
    pts = [t.points for t in assignment.tasks]
    out = {"reference": (full, full), "blank": (0.0, 0.0)}
    out.update({k: (0.0, 0.0) for k in TAMPER})
    out.update({k: (0.0, 0.0) for k in TAMPER_ONLY.get(assignment.name, {})})
    for k in ("accident_exit", "accident_os_exit", "accident_loop_in_cell", "old_format_v3", "renamed_notebook",
              "extra_files"):
        out[k] = (full, full)
    out["accident_loop_in_function"] = (full - pts[0], full - pts[0])     # that task only
    out["accident_deleted_cell"] = (full - pts[1], full - pts[1])         # the deleted answer's task only
    out["not_a_notebook"] = out["only_a_pdf"] = (0.0, 0.0)
    if assignment.name == "00_music_as_data":
        out["accident_crash_in_function"] = (12.8, 12.9)   # one of 12 inputs of midi_to_hz crashed; the rest count
        out["accident_added_helper_cell"] = (11.0, 11.0)   # cells students add are not run: midi_to_hz fails
        out["accident_magic_and_display"] = (full, full)
    out.update(EXPECTED_WRONG.get(assignment.name, {}))
    return out


WRITTEN = {
    "00_music_as_data": {
        "hold_written": "Twinkle starts `60 HOLD HOLD HOLD 60 HOLD HOLD HOLD`: two C4s, each a quarter note. "
                        "Without HOLD every step would just say 60, and a model could not tell two quarter notes "
                        "from one half note, so it would not know where a new note starts.",
    },
    "01_rules_vs_examples": {
        "rules_vs_examples_written": "My rule answers any call and keeps its rhythm, but it can only use the "
                                     "call's own notes. The table plays notes that are not in the call (it "
                                     "learned them from the tunes) but greedily it repeats the same loop.",
    },
    "02_ai_duet": {
        "temperature_written": "At T = 0.1 HOLD gets 1.000 and the entropy is 0, so it always holds: boring. At "
                               "T = 2 HOLD falls to 0.376 and C5 rises to 0.072, entropy 1.47 instead of 1.18, "
                               "so odd leaps come more often and it wanders.",
    },
}
"""A student's written answer per assignment (for the manual-grading part of the workflow)."""


def write_class(folder, assignment="00_music_as_data", *, source_root=None, release_root=None, kinds=None):
    """Write one student folder per example kind: ``folder/<kind>/<assignment>/<notebook>.ipynb``.

    The kinds are the keys of :func:`expected_scores`: ``reference``, ``blank``, typical wrong
    answers, tampering, accidents, and broken files (``not_a_notebook``: a PDF with the
    notebook's name; ``only_a_pdf``: no notebook; ``old_format_v3``; ``renamed_notebook``;
    ``extra_files``). Returns the list of student names written.
    """
    from lessonkit.homework.assignment import load_assignment
    from lessonkit.homework.release import repo_root

    root = repo_root()
    source_root = source_root or os.path.join(root, "assignments", "source")
    release_root = release_root or os.path.join(root, "assignments", "release")
    spec = load_assignment(os.path.join(source_root, assignment))
    source_nb = nbformat.read(find_source_notebook(os.path.join(source_root, assignment)), as_version=4)
    release_path = find_source_notebook(os.path.join(release_root, assignment))
    release_nb = nbformat.read(release_path, as_version=4)
    stem = os.path.splitext(os.path.basename(release_path))[0]
    blank = {c.metadata["nbgrader"]["grade_id"]: c.source for c in release_nb.cells if cell_kind(c) == "answer"}
    ref = solutions(source_nb)
    ref.update(WRITTEN.get(assignment, {}))
    plain = {"reference": ref, "blank": {}}
    plain.update({k: {**ref, **v} for k, v in WRONG.get(assignment, {}).items()})
    first = spec.answer_ids[0]
    plain.update({k: {first: code + "\n" + blank[first]} for k, code in TAMPER.items()})
    plain.update(TAMPER_ONLY.get(assignment, {}))
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
    for kind, acc in _accidents(spec, ref).items():
        if kinds is None or kind in kinds:
            put(kind, make_submission(release_nb, acc.get("answers"), after=acc.get("after"),
                                      append_cells=acc.get("append_cells", ()), delete=acc.get("delete", ())))
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
    mix = ["reference", "reference", "wrong_typical", "reference", list(WRONG[assignment])[0], "accident_exit",
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
