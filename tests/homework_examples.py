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
        # bars counted from 1 instead of 0
        "wrong_off_by_one": {"busiest_bar_answer": (
            "def busiest_bar(melody):\n"
            "    spb = melody.steps_per_bar\n"
            "    counts = [0] * (-(-melody.length_steps // spb))\n"
            "    for note in melody:\n        counts[note.onset_steps // spb] += 1\n"
            "    return counts.index(max(counts)) + 1\n")},
        # leaps measured with their sign (a leap down is missed); every REST step counted, not the longest run
        "wrong_typical": {
            "widest_leap_answer": ("def widest_leap(melody):\n    p = [n.pitch for n in melody]\n"
                                   "    return max([b - a for a, b in zip(p[:-1], p[1:])], default=0)\n"),
            "longest_rest_answer": "def longest_rest(tokens):\n    return sum(1 for t in tokens if t == REST)\n"},
        # every function returns the answer to the notebook's first example
        "wrong_hard_coded": {
            "stretch_answer": "def stretch(melody, factor):\n"
                              "    return Melody.parse('C4*2 C4*2 G4*2 G4*2 | A4*2 A4*2 G4*4')\n",
            "widest_leap_answer": "def widest_leap(melody):\n    return 7\n",
            "busiest_bar_answer": "def busiest_bar(melody):\n    return 1\n",
            "semitones_between_answer": "def semitones_between(f1_hz, f2_hz):\n    return 12.0\n",
            "longest_rest_answer": "def longest_rest(tokens):\n    return 3\n"},
    },
    "01_rules_vs_examples": {
        # probabilities added instead of multiplied
        "wrong_not_normalised": {"sequence_probability_answer": (
            "def sequence_probability(probs, tokens):\n"
            "    return float(sum(probs[a, b] for a, b in zip(tokens[:-1], tokens[1:])))\n")},
        # all tunes joined into one sequence; the copy of the sequence starts where the last note ends
        "wrong_typical": {
            "pair_next_counts_answer": (
                "def pair_next_counts(tunes, a, b):\n    counts = np.zeros(130, dtype=int)\n"
                "    t = [x for tune in tunes for x in tune.to_tokens()]\n"
                "    for x, y, z in zip(t[:-2], t[1:-1], t[2:]):\n"
                "        if x == a and y == b:\n            counts[z] += 1\n    return counts\n"),
            "answer_with_sequence_answer": (
                "def answer_with_sequence(call, semitones):\n"
                "    end = call[-1].onset_steps + call[-1].duration_steps\n"
                "    copy = [Note(n.pitch + semitones, n.onset_steps + end, n.duration_steps) for n in call]\n"
                "    return Melody(list(call) + copy, meter=call.meter)\n")},
        "wrong_hard_coded": {
            "answer_with_sequence_answer": "def answer_with_sequence(call, semitones):\n"
                                           "    return Melody.parse('C4 E4 G4 E4 | D4 F#4 A4 F#4')\n",
            "pair_next_counts_answer": ("def pair_next_counts(tunes, a, b):\n    counts = np.zeros(130, dtype=int)\n"
                                        "    counts[64] = 4\n    return counts\n"),
            "sequence_probability_answer": "def sequence_probability(probs, tokens):\n    return 0.0015\n",
            "greedy_answer_answer": "def greedy_answer(counts, start_token, n_steps):\n"
                                    "    return [128, 62, 60, 128, 62, 60][:n_steps]\n"},
    },
    "02_ai_duet": {
        # top-k without dividing by the sum of the kept probabilities
        "wrong_not_normalised": {"top_k_answer": (
            "def top_k(probs, k):\n    p = np.asarray(probs, dtype=float)\n"
            "    keep = np.argsort(-p, kind='stable')[:k]\n    out = np.zeros_like(p)\n"
            "    out[keep] = p[keep]\n    return out\n")},
        # bits instead of nats, and 0 * log 0 left in (nan)
        "wrong_typical": {
            "tune_nll_answer": ("def tune_nll(probs, tokens):\n"
                                "    return float(np.mean([-np.log2(probs[a, b]) for a, b in zip(tokens[:-1], tokens[1:])]))\n"),
            "entropy_nats_answer": ("def entropy_nats(probs):\n    p = np.asarray(probs, dtype=float)\n"
                                    "    return float(-np.sum(p * np.log(p)))\n")},
        "wrong_hard_coded": {
            "tune_nll_answer": "def tune_nll(probs, tokens):\n    return 0.9780057513570365\n",
            "perplexity_from_probs_answer": "def perplexity_from_probs(probs_of_actual):\n    return 2.0\n",
            "top_k_answer": "def top_k(probs, k):\n    return np.array([0.0, 2 / 3, 0.0, 1 / 3])\n",
            "entropy_nats_answer": "def entropy_nats(probs):\n    return 0.6931471805599453\n"},
    },
    "03_neural_synthesizer": {
        # x and y swapped in the pad's weights
        "wrong_swapped": {"bilinear_weights_answer": (
            "def bilinear_weights(x, y):\n    return [(1 - x) * (1 - y), (1 - x) * y, x * (1 - y), x * y]\n")},
        # 10 log10 of an amplitude; only rising curves counted
        "wrong_typical": {
            "rms_db_blocks_answer": ("def rms_db_blocks(audio, block):\n    audio = np.asarray(audio, dtype=float)\n"
                                     "    n = len(audio) // block\n"
                                     "    rms = np.sqrt(np.mean(audio[:n * block].reshape(n, block) ** 2, axis=1))\n"
                                     "    return 10 * np.log10(np.maximum(rms, 1e-5))\n"),
            "monotone_fraction_answer": ("def monotone_fraction(curves):\n"
                                         "    return sum(bool(np.all(np.diff(c) > 0)) for c in curves) / len(curves)\n")},
        "wrong_hard_coded": {
            "bilinear_weights_answer": "def bilinear_weights(x, y):\n    return [1.0, 0.0, 0.0, 0.0]\n",
            "rms_db_blocks_answer": "def rms_db_blocks(audio, block):\n    return [-6.020599913, -20.0]\n",
            "monotone_fraction_answer": "def monotone_fraction(curves):\n    return 2 / 3\n",
            "median_cents_error_answer": "def median_cents_error(f0s_hz, pitch):\n    return 0.0\n"},
    },
    "04_latent_loops": {
        # the allowance taken off the batch's mean KL instead of each loop's
        "wrong_not_normalised": {"free_bits_penalty_answer": (
            "def free_bits_penalty(kl, free_bits, beta):\n"
            "    return float(beta * max(float(np.mean(kl)) - free_bits, 0.0))\n")},
        # the city-block distance; the HOLD steps counted without the note's first step
        "wrong_typical": {
            "nearest_loop_answer": ("def nearest_loop(code, codes):\n"
                                    "    return int(np.argmin(np.abs(np.asarray(codes) - code).sum(axis=1)))\n"),
            "longest_notes_answer": ("def longest_notes(path):\n    out = []\n"
                                     "    for row in np.asarray(path):\n        best = run = 0\n"
                                     "        for t in row:\n            run = run + 1 if t == HOLD else 0\n"
                                     "            best = max(best, run)\n        out.append(best)\n"
                                     "    return out\n")},
        "wrong_hard_coded": {
            "nearest_loop_answer": "def nearest_loop(code, codes):\n    return 1\n",
            "longest_notes_answer": "def longest_notes(path):\n    return [5]\n",
            "kl_to_prior_answer": "def kl_to_prior(mu, logvar):\n    return 2.5\n",
            "free_bits_penalty_answer": "def free_bits_penalty(kl, free_bits, beta):\n    return 0.2\n"},
    },
}
"""Typical wrong submissions per assignment: ``{assignment: {kind: {answer grade_id: source}}}``."""

EXPECTED_WRONG = {
    # autograded points a teacher expects, (lowest, highest); only the hidden inputs earn points
    "00_music_as_data": {"wrong_off_by_one": (10.0, 10.0),   # busiest_bar 0 of 3, the rest right
                         "wrong_typical": (10.0, 11.0),      # about half of widest_leap and of longest_rest lost
                         "wrong_hard_coded": (0.0, 2.5)},    # only hidden inputs that happen to share an answer
    "01_rules_vs_examples": {"wrong_not_normalised": (9.0, 9.5),   # sequence_probability: right only for 1 token
                             "wrong_typical": (9.0, 10.5),         # calls ending in a rest; pairs across tunes
                             "wrong_hard_coded": (0.0, 1.0)},
    "02_ai_duet": {"wrong_not_normalised": (7.0, 7.6),      # top_k right only when the k kept tokens sum to 1
                   "wrong_typical": (7.0, 7.6),              # tune_nll lost; entropy wrong (nan) where p = 0
                   "wrong_hard_coded": (0.0, 1.0)},
    "03_neural_synthesizer": {"wrong_swapped": (8.5, 8.5),     # bilinear right only where x == y (1 of 6 hidden)
                              "wrong_typical": (6.19, 6.21),   # rms lost; monotone right where no curve falls (2 of 5)
                              "wrong_hard_coded": (0.4, 0.4)},  # only 880 Hz = MIDI 81 has a 0-cent answer (1 of 5)
    "04_latent_loops": {"wrong_not_normalised": (8.0, 8.0),    # free_bits_penalty right on 2 of 6 hidden batches
                        "wrong_typical": (6.0, 8.0),           # nearest_loop where L1 and L2 disagree; longest_notes
                        "wrong_hard_coded": (0.0, 1.0)},
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
        "tamper_melody_subclass": {"stretch_answer": (
            "class AlwaysEqual(Melody):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    def __ne__(self, other):\n        return False\n"
            "def stretch(melody, factor):\n"
            "    return AlwaysEqual(list(melody), length_steps=melody.length_steps)\n")},
    },
}


# ----------------------------------------------------------------------------- accidents


def _accidents(assignment, ref):
    """Right answers with accidents around them (they must keep the points the answers earn)."""
    funcs = [t.function for t in assignment.tasks]
    ids = [f"{f}_answer" for f in funcs]  # the answer cells of the graded tasks, in order
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
        a["semitones_between_answer"] = ("import os, math\ndef semitones_between(f1_hz, f2_hz):\n"
                                         "    if f2_hz == 220.0:\n        os._exit(1)\n"
                                         "    return 12 * math.log2(f2_hz / f1_hz)\n")
        out["accident_crash_in_function"] = {"answers": a}
        out["accident_added_helper_cell"] = {
            "answers": {**ref, "semitones_between_answer": ("def semitones_between(f1_hz, f2_hz):\n"
                                                            "    return helper(f1_hz, f2_hz)\n")},
            "after": {"semitones_between_answer": ["def helper(a, b):\n    return 12 * math.log2(b / a)"]}}
        out["accident_magic_and_display"] = {"answers": {**ref, "widest_leap_answer": (
            "%matplotlib inline\n!ls\n" + ref["widest_leap_answer"] + "\ndisplay(widest_leap(twinkle))\n")}}
    return out


def expected_scores(assignment) -> dict:
    """``{kind: (lowest, highest)}`` autograded points a teacher expects for each example of ``assignment``."""
    full = assignment.auto_max
    pts = [t.points for t in assignment.tasks]
    out = {"reference": (full, full), "blank": (0.0, 0.0)}
    out.update({k: (0.0, 0.0) for k in TAMPER})
    out.update({k: (0.0, 0.0) for k in TAMPER_ONLY.get(assignment.name, {})})
    out["lookup_library"] = (0.0, 0.0)  # answers looked up in the installed package earn nothing
    for k in ("accident_exit", "accident_os_exit", "accident_loop_in_cell", "old_format_v3", "renamed_notebook",
              "extra_files"):
        out[k] = (full, full)
    out["accident_loop_in_function"] = (full - pts[0], full - pts[0])     # that task only
    out["accident_deleted_cell"] = (full - pts[1], full - pts[1])         # the deleted answer's task only
    out["not_a_notebook"] = out["only_a_pdf"] = (0.0, 0.0)
    if assignment.name == "00_music_as_data":
        out["accident_crash_in_function"] = (12.71, 12.72)  # one of 7 inputs of semitones_between crashed; the rest count
        out["accident_added_helper_cell"] = (11.0, 11.0)   # cells students add are not run: semitones_between fails
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
    "03_neural_synthesizer": {
        "morph_written": "Both curves go up from the flute to the trumpet, but at 0.5 the crossfade is a flute and a "
                         "trumpet at once, and the morph is one note in between. It is new like a mixed colour: "
                         "made only from what the network learned from the recordings.",
    },
    "04_latent_loops": {
        "holes_written": "The AE's random samples surprise the melody net by 1.6 nats per step against 1.05 for real "
                         "loops, and only 0.92 of their notes are in key: its codes are scattered, so a prior code "
                         "lands where no real loop was encoded (a hole). The VAE's KL term pulls codes to N(0, 1), "
                         "so its samples are less surprising (1.4) and more in key (0.94).",
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
    plain["lookup_library"] = {f"{t.function}_answer": lookup_answer(t.function) for t in spec.tasks}
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


# ----------------------------------------------------------------------------- answers looked up in the library

LOOKUP_SKIP = ("widgets", "duet", "melody_rnn", "training", "builders", "homework", "__main__")
"""Modules the lookup does not import (slow: torch, ipywidgets, nbformat); none holds a check or a homework task."""


def lookup_answer(function: str) -> str:
    """An answer cell that defines ``function`` by looking up an answer in the installed lessonkit.

    What a student who reads the library would try first: an exercise or task with the same
    name and its ``.reference``; any function whose name contains the task's (``reference_<name>``,
    ``<name>``, private helpers), tried in turn until one returns without an error; and the
    expected answers of the check's visible inputs, when the arguments are one of them. Used to
    show that the installed package holds nothing that earns points (see
    ``tests/test_assignments.py``).
    """
    return f'''import importlib, pkgutil
import lessonkit

def _lookup_candidates(name):
    modules = []
    for info in pkgutil.walk_packages(lessonkit.__path__, "lessonkit."):
        if any(word in info.name for word in {LOOKUP_SKIP!r}):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except Exception:
            pass
    functions, tables = [], []
    for module in modules:
        for attr in dir(module):
            obj = getattr(module, attr, None)
            if getattr(obj, "name", None) == name and hasattr(obj, "cases"):
                if callable(getattr(obj, "reference", None)):
                    functions.append(obj.reference)
                values = getattr(obj, "expected_values", None)
                if values is not None:
                    tables.append((list(obj.cases), list(values)))
            elif callable(obj) and not isinstance(obj, type) and name in attr.lower() \\
                    and not attr.lower().startswith("check"):
                functions.append(obj)
    return functions, tables

_found_{function} = _lookup_candidates({function!r})

def {function}(*args):
    functions, tables = _found_{function}
    for cases, values in tables:
        for case, value in zip(cases, values):
            try:
                if len(case) == len(args) and all(a is b or repr(a) == repr(b) for a, b in zip(case, args)):
                    return value
            except Exception:
                pass
    for candidate in functions:
        try:
            return candidate(*args)
        except Exception:
            pass
    return None
'''


# ----------------------------------------------------------------------------- homework 05 (lesson 05's engineer)

WRONG["05_ai_as_musical_assistant"] = {
    # n-grams of pitches instead of intervals: a copy in another key is missed
    "wrong_pitches": {"ngram_fraction_answer": (
        "def ngram_fraction(melody, corpus, n):\n"
        "    grams = lambda p: [tuple(p[i:i + n]) for i in range(len(p) - n + 1)]\n"
        "    mine = grams(melody)\n"
        "    known = {g for t in corpus for g in grams(t)}\n"
        "    return sum(g in known for g in mine) / len(mine) if mine else 0.0\n")},
    # a run's last note left out; fooled counted over all clips instead of the AI's
    "wrong_typical": {
        "copied_notes_answer": (
            "def copied_notes(melody, corpus, n):\n"
            "    def grams(p):\n"
            "        iv = [b - a for a, b in zip(p, p[1:])]\n"
            "        return [tuple(iv[i:i + n]) for i in range(len(iv) - n + 1)]\n"
            "    known = {g for t in corpus for g in grams(t)}\n"
            "    mask = [False] * len(melody)\n"
            "    for i, g in enumerate(grams(melody)):\n"
            "        if g in known:\n"
            "            for k in range(i, i + n):\n"
            "                mask[k] = True\n"
            "    return mask\n"),
        "fooled_share_answer": (
            "def fooled_share(answers, truths):\n"
            "    return sum(a == 'human' and t == 'AI' for a, t in zip(answers, truths)) / len(answers)\n")},
    "wrong_hard_coded": {
        "ngram_fraction_answer": "def ngram_fraction(melody, corpus, n):\n    return 0.75\n",
        "copied_notes_answer": "def copied_notes(melody, corpus, n):\n    return [False, True, True, True, True, False]\n",
        "fooled_share_answer": "def fooled_share(answers, truths):\n    return 0.5\n"},
}
WRITTEN["05_ai_as_musical_assistant"] = {
    "written_answer": "Question 3: at temperature 0.5, 94 % of the net's 5-interval runs were already in the "
                      "training tunes, at 1.5 only 41 %. So it values what its tunes did most; the people who "
                      "chose the tunes decided that.",
}
EXPECTED_WRONG["05_ai_as_musical_assistant"] = {
    "wrong_pitches": (7.7, 7.8),      # ngram_fraction right only where no transposition is involved (2 of 8)
    "wrong_typical": (6.0, 6.2),      # copied_notes 2 of 7, fooled_share 3 of 6, closest_style 5 of 8 (hidden inputs)
    "wrong_hard_coded": (0.0, 1.0),   # the notebook's first examples earn nothing; a lucky hidden input or two
}
WRONG["05_ai_as_musical_assistant"]["wrong_typical"]["closest_style_answer"] = (
    "def closest_style(profile, profiles):\n"  # absolute differences: notes per bar outweighs every share
    "    return min(profiles, key=lambda n: sum(abs(profile[k] - profiles[n][k]) for k in profiles[n]))\n")
WRONG["05_ai_as_musical_assistant"]["wrong_hard_coded"]["closest_style_answer"] = (
    "def closest_style(profile, profiles):\n    return 'Scottish airs'\n")
