# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 00 · Music as data
#
# In AI Duet you play a few notes and the computer plays an answer. Before a computer can *answer* a
# tune, it has to *read* one: to a machine, a melody is a list of numbers, and a sound is a much longer
# list of numbers. In this lesson you turn a real folk tune, collected by hand two hundred years ago,
# into the numbers that the models in the next lessons learn from; and you turn numbers back into sound.
#
# **Time:** about 60 minutes (25 minutes of guided work, 35 minutes of exercises).
#
# **Questions**
# - How can a tune be stored as numbers without losing anything we can hear?
# - What changes in those numbers when we play the tune higher, or faster?
# - What does a sound look like to a computer?
#
# **Learning objectives.** By the end you can:
# 1. write a melody in text, and read its pitches (MIDI numbers) and rhythm (16th-note steps);
# 2. transpose a melody and change its tempo, and say which numbers change;
# 3. save a melody as a MIDI file and explain what a MIDI file stores;
# 4. turn a melody into the *step tokens* a model reads, and back;
# 5. read a waveform and a spectrogram, and compute the frequency of a note.

# %% [markdown]
# ## Setup
# Run this cell first (Shift+Enter). It loads `lessonkit`, the small library of this course, and
# the field's own tools. Nothing here downloads anything.

# %%
import numpy as np
import matplotlib.pyplot as plt

from lessonkit import Melody, Note, note_name, parse_note_name
from lessonkit import audio, plots
from lessonkit.datasets import load_tunes, corpus_summary
from lessonkit.widgets import tune_explorer
from lessonkit.checks import lesson00 as check

# %% [markdown]
# ## 1. A melody you can type
# We write notes by name: a letter, an optional `#` (sharp) or `b` (flat), and an octave number.
# `C4` is middle C. A plain note lasts one beat (a quarter note, 4 steps of a 16th); after the name,
# `/2` halves it (an eighth), `/4` quarters it (a 16th), `*2` doubles it (a half note) and `*3/2`
# makes it one and a half beats; `r` is a rest, written the same way (`r/2` is half a beat of
# silence); `|` is a bar line, just for your eyes. Here is the start of *Twinkle, Twinkle*:

# %%
twinkle = Melody.parse("C4 C4 G4 G4 | A4 A4 G4*2 | F4 F4 E4 E4 | D4 D4 C4*2")
twinkle

# %%
plots.piano_roll(twinkle, title="Twinkle, Twinkle")
plt.show()
audio.play(twinkle)

# %% [markdown]
# In the **piano roll** time runs left to right (bars, with thin lines on every beat) and pitch
# goes up. Each coloured box is a note: where it starts, how long it lasts, how high it is. That is all
# a melody is, for a computer:

# %%
for note in twinkle[:4]:
    print(note)
print("pitches:  ", twinkle.pitches)
print("onsets:   ", twinkle.onsets_steps)
print("durations:", twinkle.durations_steps)

# %% [markdown]
# **Pitch** is a MIDI number: middle C is 60, and each step up the keyboard (a *semitone*, including
# the black keys) adds 1, so an octave is 12. **Time** is counted in *steps*: one step is a 16th
# note, so a beat is 4 steps and a bar of 4/4 is 16 steps.

# %%
print(parse_note_name("C4"), parse_note_name("C5"), parse_note_name("F#3"), parse_note_name("Bb4"))
print(note_name(60), note_name(61), note_name(72))

# %% [markdown]
# **Try it.** Change the text below into a tune you know (or invent one), run the cell, and listen.
# If you type something lessonkit cannot read, it tells you what it expected.

# %%
my_tune = Melody.parse("E4 D4 C4 D4 | E4 E4 E4*2 | D4 D4 D4*2 | E4 G4 G4*2")
plots.piano_roll(my_tune, title="my tune")
plt.show()
audio.play(my_tune)


# %% [markdown]
# ### Exercise 1 · Transpose (5 minutes)
# *Transposing* plays a tune higher or lower: every pitch moves by the same number of semitones,
# and the rhythm stays exactly as it was. Complete `transpose` so it returns a **new** `Melody`.
# Each note is a `Note(pitch, onset_steps, duration_steps)`; `melody.length_steps` is the total length.

# %%
def transpose(melody, semitones):
    new_notes = []
    for note in melody:
        # YOUR CODE: append a Note with the pitch moved by `semitones`, same onset and duration
        new_notes.append(Note(note.pitch, note.onset_steps, note.duration_steps))
    return Melody(new_notes, length_steps=melody.length_steps,
                  meter=melody.meter, tempo_bpm=melody.tempo_bpm)

check.check_transpose(transpose)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def transpose(melody, semitones):
#     new_notes = []
#     for note in melody:
#         new_notes.append(Note(note.pitch + semitones, note.onset_steps, note.duration_steps))
#     return Melody(new_notes, length_steps=melody.length_steps,
#                   meter=melody.meter, tempo_bpm=melody.tempo_bpm)
# ```
# </details>

# %% [markdown]
# The library has the same operation as a method, `melody.transpose(semitones)`; from now on we use
# that one. Which numbers changed, and which stayed the same? Why does that sound like "the same tune"?

# %% [markdown]
# <details><summary>Our answer (think first!)</summary>
#
# Only the pitches changed, all by the same amount; onsets and durations stayed. We hear a tune by
# its *intervals* (the steps from note to note) and its rhythm, and transposing keeps both, so it is
# still the same tune, just higher or lower. This is why the models of lesson 02 can learn from tunes
# in every key.
# </details>

# %% [markdown]
# ## 2. A real tune from the folk corpus
# The models in this course learn from *examples*: over twelve thousand folk tunes that ship inside
# `music21` (German and Chinese songs from the Essen collection; Irish and Scottish dance tunes from
# O'Neill's, Ryan's and Aird's books). They were turned into melodies once, and saved in `data/`.
# A *meter* such as 2/4 says how many beats a bar has (2) and which note is one beat (a quarter, 4).
# Below we pick an Irish dance tune by its title, *The Rakes of Mallow*; each tune's `meta` says where
# it came from.

# %%
tunes = load_tunes()
summary = corpus_summary()
print(len(tunes), "tunes,", summary["notes"], "notes")
print("collections:", summary["per_collection"])
print("most common meters:", list(summary["per_meter"].items())[:5])

# %%
tune = next(t for t in tunes if t.meta["title"] == "The Rakes Of Mallow")
print(tune.meta)
tune

# %%
first_bars = tune.window(0, tune.pickup_steps + 4 * tune.steps_per_bar)   # the first 4 bars
plots.piano_roll(first_bars)
plt.show()
audio.play(tune)

# %% [markdown]
# ### Play with it
# Pick a tune and an instrument, then move the sliders: **tempo** changes how many beats are played
# per minute, **transpose** moves the tune up or down. Watch what changes in the piano roll, and listen.

# %%
import random

some_tunes = random.Random(0).sample(tunes, 40)   # 40 tunes, the same 40 every time (seed 0)
tune_explorer(some_tunes)

# %% [markdown]
# **Ask yourself:** which slider changes the *picture* of the piano roll, and which only changes the
# *sound*? Why? (Hint: the piano roll counts time in steps, not in seconds.)

# %% [markdown]
# <details><summary>Our answer (think first!)</summary>
#
# Transpose moves the boxes up or down. Tempo changes nothing in the picture, because the piano roll
# counts time in steps (16ths), and a melody is the same number of steps at any tempo: only the
# seconds per step change (`melody.seconds_per_step`). The instrument changes only the sound, too:
# the notes are the same numbers, played with different recordings.
# </details>

# %% [markdown]
# ### Exercise 2 · Steps and seconds (3 minutes)
# A melody keeps its steps at any tempo. At `tempo_bpm` beats per minute, one beat lasts `60 / tempo_bpm`
# seconds, and a beat is 4 steps. How many seconds does `twinkle` last at 90 bpm? Compute it from
# `twinkle.length_steps` (don't use `duration_s`, which would give the answer away).

# %%
seconds = 0.0   # YOUR CODE: use twinkle.length_steps and the tempo 90
check.check_duration_s(seconds, twinkle, tempo_bpm=90)


# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# seconds = twinkle.length_steps * 60 / (90 * 4)   # 64 steps of 60/360 s each: 10.67 s
# ```
# </details>

# %% [markdown]
# ### Exercise 3 · Measure a melody (10 minutes)
# Two measurements that musicians use all the time:
# - the **pitch range**: the lowest and highest MIDI pitch, as a tuple `(low, high)`;
# - the **notes per bar**: how many notes *start* in each bar. A bar is `melody.steps_per_bar` steps
#   long (16 in 4/4, 12 in 6/8), bar `k` covers steps `k * steps_per_bar` up to the next bar, and the
#   last bar may be only partly filled. (The test melodies start right on a bar line, with no upbeat.)

# %%
def pitch_range(melody):
    # YOUR CODE: return (lowest pitch, highest pitch)
    return (0, 0)

check.check_pitch_range(pitch_range)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def pitch_range(melody):
#     return (min(melody.pitches), max(melody.pitches))
# ```
# </details>

# %%
import math

def notes_per_bar(melody):
    n_bars = math.ceil(melody.length_steps / melody.steps_per_bar)
    counts = [0] * n_bars
    # YOUR CODE: for each note, add 1 to the count of the bar where it starts
    return counts

check.check_notes_per_bar(notes_per_bar)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# import math
#
# def notes_per_bar(melody):
#     n_bars = math.ceil(melody.length_steps / melody.steps_per_bar)
#     counts = [0] * n_bars
#     for note in melody:
#         counts[note.onset_steps // melody.steps_per_bar] += 1
#     return counts
# ```
# </details>

# %% [markdown]
# ## 3. Saving music: MIDI files
# A **MIDI file** stores exactly what we have: which key, when, for how long, how hard. No sound at
# all: the player chooses the instrument. Any music program can open it. Lessonkit never overwrites
# a file you already have unless you say `overwrite=True`.

# %%
import os
os.makedirs("my_music", exist_ok=True)
path = twinkle.write_midi("my_music/twinkle.mid", overwrite=True)
print("saved", path, os.path.getsize(path), "bytes")
Melody.read_midi(path)

# %% [markdown]
# ## 4. How a model reads a melody: step tokens
# A neural network reads one number per time step. We use one **token** per 16th-note step:
# the MIDI pitch when a note starts, `128` (**HOLD**) while it keeps sounding, `129` (**REST**) in
# silence. This is the encoding of Google Magenta's melody models, and the one our models use.

# %%
from lessonkit.music import HOLD, REST, token_name

short = Melody.parse("C4 D4/2 r/2 E4/4 F4*3/4", velocity=120)   # played loudly
tokens = short.to_tokens()
print(tokens)
print([token_name(t) for t in tokens])

# %%
back = Melody.from_tokens(tokens)
print("same pitches and rhythm:", back.pitches.tolist() == short.pitches.tolist()
      and back.onsets_steps.tolist() == short.onsets_steps.tolist())
print("velocities before:", short.velocities, " after:", back.velocities)

# %% [markdown]
# ### Exercise 4 · Tokens by hand (3 minutes)
# Write the tokens of `"C4/2 r/2 D4"` (an eighth note C4, an eighth rest, a quarter note D4) as a list,
# without calling `to_tokens`. Remember: one token per 16th-note step.

# %%
my_tokens = []   # YOUR CODE, e.g. [60, ...]
check.check_tokens(my_tokens)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# my_tokens = [60, HOLD, REST, REST, 62, HOLD, HOLD, HOLD]   # HOLD is 128, REST is 129
# ```
# </details>

# %% [markdown]
# **Ask yourself:** the tokens list is longer than the list of notes. Why? And which information
# about the melody is *not* in the tokens? (Look at what `Note` stores.)

# %% [markdown]
# <details><summary>Our answer (think first!)</summary>
#
# There is one token per *step*, not per note: a note of 4 steps takes 4 tokens (its pitch, then 3
# HOLDs), and silence takes tokens too. The velocity (how hard each note is played) is not in the
# tokens: after the round trip every note comes back at the default velocity. Tempo is not in them
# either: tokens count steps, not seconds.
# </details>

# %% [markdown]
# ## 5. What a sound looks like
# To make sound, the computer plays each note on an instrument and adds them up. The result is a
# **waveform**: 16,000 numbers per second (the sample rate `audio.SR`), each between -1 and 1.

# %%
sound = audio.render(twinkle)
print(sound.shape, sound.dtype, "=", round(len(sound) / audio.SR, 2), "seconds")
fig, axes = plt.subplots(2, 1, figsize=(10, 5.5), layout="constrained")
plots.waveform(sound, ax=axes[0], title="waveform: the sound pressure over time")
plots.spectrogram(sound, ax=axes[1], kind="linear", max_hz=4000,
                  title="spectrogram: how strong each frequency is, over time")
plt.show()

# %% [markdown]
# (The sound is a little longer than the 8 seconds of the melody: the last note rings on for a moment
# after its key is let go, as on a real instrument.)
#
# The **spectrogram** shows each note as a stack of bright lines: the lowest line is the note's
# **frequency** (how many times per second the wave repeats, in Hz), and the lines above it are its
# *harmonics* at 2×, 3×, 4× that frequency. Their strengths give an instrument its colour (*timbre*);
# lesson 03 builds a neural network that learns exactly that.
#
# The colour bar is in **dB** (decibels), the loudness scale of sound engineers: 0 dB is the loudest
# spot of the picture, and every 10 dB further down is 10 times weaker (-20 dB is 100 times weaker,
# -60 dB a million times). That is why faint harmonics still show: brighter means louder.
#
# ### Two instruments, one note
# The same note, C4, on a flute and on a trumpet. Same pitch, so the same lowest line; but look at how
# strong the harmonics above it are, and listen.

# %%
c4 = Melody.parse("C4*4")
flute, trumpet = audio.render(c4, "flute"), audio.render(c4, "trumpet")
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), layout="constrained")
plots.spectrogram(flute, ax=axes[0], kind="linear", max_hz=4000, title="flute, C4")
plots.spectrogram(trumpet, ax=axes[1], kind="linear", max_hz=4000, title="trumpet, C4")
plt.show()
audio.play_side_by_side({"flute": flute, "trumpet": trumpet})

# %% [markdown]
# **Ask yourself:** which instrument has more bright lines high up? Which one sounds brighter?
# The *spectral centroid* puts a number on it: the average frequency, weighted by loudness.

# %%
from lessonkit import analysis

for name, sound in [("flute", flute), ("trumpet", trumpet)]:
    print(f"{name:8s} brightness (spectral centroid): {analysis.spectral_centroid(sound).mean():.0f} Hz")


# %% [markdown]
# <details><summary>Our answer (think first!)</summary>
#
# The trumpet. Both show the same evenly spaced lines (the harmonics of C4, about 262 Hz apart), but
# the flute's lines fade quickly as they go up, while the trumpet's stay strong far up: its
# spectral centroid is about twice the flute's. Strong high harmonics sound bright and brassy; weak
# ones sound soft and pure. This pattern, not the pitch, is what tells
# instruments apart, and it is what the neural synthesizer of lesson 03 learns to compress.
# </details>

# %% [markdown]
# ### Exercise 5 · From pitch to frequency (10 minutes)
# `A4` (MIDI 69) is tuned to 440 Hz. Going up an octave (12 semitones) doubles the frequency, and each
# semitone multiplies it by the same amount. Write `midi_to_hz(pitch)`. (In Python, "2 to the power
# x" is `2 ** x`, and x may be a fraction: `2 ** 0.5` is about 1.414.)

# %%
def midi_to_hz(pitch):
    # YOUR CODE
    return 440.0

check.check_midi_to_hz(midi_to_hz)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def midi_to_hz(pitch):
#     return 440.0 * 2 ** ((pitch - 69) / 12)
# ```
# </details>

# %%
for name in ["A3", "A4", "A5", "C4"]:
    print(name, round(float(audio.midi_to_hz(parse_note_name(name))), 1), "Hz")

# %% [markdown]
# ## Key points
# - A melody is a list of notes; a note is a **pitch** (MIDI number, 60 = middle C, +12 per octave),
#   an **onset** and a **duration** (in 16th-note **steps**), and a velocity.
# - Transposing adds the same number to every pitch; changing the tempo changes only the seconds per step.
# - A **MIDI file** stores notes, not sound. **Step tokens** (pitch / HOLD / REST, one per 16th) are how
#   our models read melodies.
# - A sound is a **waveform** of 16,000 samples per second; a **spectrogram** shows its frequencies
#   over time, and each note's harmonics give an instrument its colour.
#
# ## Discussion
# 1. AI Duet learned from thousands of example melodies. Our corpus is folk tunes from Germany,
#    China, Ireland and Scotland. What kind of answers do you expect from a model trained only on these?
# 2. The step tokens throw away velocity (how hard each note is played). What might a model trained
#    on them never learn to do?
# 3. A MIDI file of a song is a few kilobytes; the sound of the same song is megabytes. Which would you
#    rather train a model on, and why?
#
# **Next:** in lesson 01 you write a computer that answers your tune with *rules*, then one that
# learns from *examples*.
