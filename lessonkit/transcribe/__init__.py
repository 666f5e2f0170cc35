"""From a sung, hummed or whistled recording to a :class:`~lessonkit.music.Melody`.

Lesson: notebooks/02_ai_duet.ipynb ("sing your call", optional)

Four steps, each one a thing a student can look at:

1. **Pitch track.** The course's YIN (:func:`lessonkit.analysis.f0_yin`) every 8 ms, then a
   loudness gate (frames more than ``gate_db`` below the loudest frame are unvoiced) and a
   running median over 5 frames (40 ms) that removes single-frame octave jumps.
   *Why YIN and not pYIN?* pYIN keeps many candidate periods per frame and picks a path through
   them with a hidden Markov model; it helps most on breathy or very low voices, but it is a
   few hundred lines of probability a student has not met. We keep YIN, the estimator the
   course already opens and reads, and borrow only pYIN's simplest idea, a best path through
   whole notes (step 2); on our measurement set (``benchmarks/bench_transcribe.py``) that
   reaches the targets.
2. **Notes.** A note is a run of voiced frames (dropouts of up to 24 ms where the sound goes on
   are closed). Inside a run, the notes are the most likely path through whole semitones
   (a Viterbi search, the note layer of pYIN): changing note costs ``switch_cost``, so vibrato
   of up to about +-60 cents never splits a note, while a real step to another note does. A
   note sung again on one breath is cut where the loudness dips ``repeat_db`` below both
   sides. Pieces shorter than ``min_note_s`` join their neighbour (an attack, a glide); a note
   an octave away from its phrase is folded back (YIN heard a sub-harmonic). A note starts
   where its sound starts rising (before its pitch is clear) and ends where it falls 12 dB
   below its usual level; its pitch is the median of its frames.
3. **Tempo and grid.** Guessing a tempo from a few notes is ambiguous (the same phrase fits
   60 and 120 beats per minute), so the tempo comes from the **count-in**: the recorder clicks
   one bar at ``tempo_bpm`` and keeps the samples from the next downbeat on, so time 0 of the
   recording is beat 1 (``start_s=0.0``). Nobody sings exactly in time, so the grid is then
   *fitted*: the tempo may move by up to 8 % and the downbeat by up to half a step, to
   whatever puts the sung onsets closest to 16th-note lines. Without a count-in
   (``start_s=None``) the first note starts the grid.
4. **Quantize.** Onsets and ends are rounded to that grid (at least one step per note).

Files: ``notes.py`` (checks, pitch track, notes: :func:`track_notes`, the naive baseline),
``grid.py`` (:func:`fit_grid`, :func:`quantize`, :func:`transcribe`), ``perform.py`` (test
phrases). :func:`track_notes` does steps 1-2 (notes in seconds, what the benchmark scores);
:func:`transcribe` does all four; :func:`lessonkit.plots.pitch_curve` draws the track with the
notes it became.

What is left out on purpose: polyphony (chords), lyrics-aware segmentation, and tempo
estimation without a count-in.
"""

from .grid import fit_grid, quantize, transcribe
from .notes import (CLIP_LEVEL, HOP, MAX_RECORDING_S, MIN_RECORDING_S, NoteTrack, RecordingError, check_recording,
                    naive_notes, track_notes)
from .perform import perform

__all__ = ["transcribe", "track_notes", "perform", "quantize", "fit_grid", "check_recording", "naive_notes", "NoteTrack",
           "RecordingError", "HOP", "MAX_RECORDING_S", "MIN_RECORDING_S", "CLIP_LEVEL"]
