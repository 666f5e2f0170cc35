# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 03 · The Neural Synthesizer
#
# *"The encoder network transforms a sound into a compressed representation, and the decoder network
# converts it back into sound, so that the system is trained to reproduce sound as similar as possible
# to the real sound."* That is how Google's NSynth team described their Neural Synthesizer, which
# could "interpolate between pairs of instruments to make new sounds". In this lesson you open a small
# one: you squeeze a flute note into a handful of numbers, listen to what comes back, shrink the
# squeeze until it breaks, and then mix instruments, once inside the network and once by simply
# adding recordings, and hear why the two are not the same.
#
# **Time:** about 60 minutes (35 minutes of guided work, 25 minutes of exercises).
#
# **Questions**
# - What does it mean to *compress* a sound, and what is lost?
# - How can a network play a note it never heard?
# - Why is mixing two instruments inside a network different from playing them together?
#
# **Learning objectives.** By the end you can:
# 1. count the numbers going into and out of an autoencoder and compute its compression ratio;
# 2. describe what the encoder, the code and the decoder do, and what a harmonic-plus-noise
#    synthesizer is;
# 3. predict and hear what a smaller bottleneck loses;
# 4. measure how a morph's brightness moves from instrument A to B, and find where it is halfway;
# 5. explain why a crossfade sounds like two instruments and a latent morph like one new one.

# %% [markdown]
# ## Setup
# Run this cell first (Shift+Enter). Nothing is downloaded: the instrument notes and the trained
# synthesizers ship with the course in `data/`.

# %%
import numpy as np
import matplotlib.pyplot as plt
import torch

from lessonkit import Melody
from lessonkit import analysis, audio, plots
from lessonkit.datasets import load_instrument_notes
from lessonkit.models import ddsp, synth
from lessonkit.widgets.synth import morph_widget, synth_pad
from lessonkit.checks import lesson03 as check

# %% [markdown]
# ## 1. A note is a lot of numbers
# Our instrument set has 14 instruments, each recorded at 37 pitches and two loudnesses. Every note
# lasts 1.5 seconds at 16,000 samples a second. Here is a flute playing middle C (MIDI pitch 60).

# %%
flute = synth.get_note("flute", 60)
print(flute.shape, flute.dtype, "->", flute.size, "numbers for 1.5 s of sound")
fig, (ax_w, ax_s) = plt.subplots(1, 2, figsize=(11, 3), layout="constrained")
plots.waveform(flute, ax=ax_w, title="flute, C4: waveform")
plots.spectrogram(flute, ax=ax_s, title="flute, C4: spectrogram")
plt.show()
audio.play(flute, label="flute C4")

# %% [markdown]
# 24,000 numbers. But look at the spectrogram: a few bright horizontal lines (the **harmonics**, at
# 1, 2, 3, ... times the pitch's frequency) that swell and fade together, and a little haze (breath
# noise). Most of those 24,000 numbers are predictable from a few facts about the note. An
# **autoencoder** learns to keep only those facts.
#
# ## 2. Encoder, code, decoder
# * The **encoder** reads the note's spectrogram and writes a **timbre code**: 16 numbers for the
#   whole note, saying what kind of instrument it sounds like.
# * The **decoder** sets the knobs of a synthesizer every 16 ms: how loud each of 60 harmonics is,
#   and how loud the noise is in 65 frequency bands. It has two parts. From the **code** alone it
#   reads how much of each harmonic and each noise band this instrument has, for the whole note:
#   that is what makes a flute sound like a flute. A small network moves the knobs as the note
#   swells and fades. It looks at one moment (16 ms) at a time and sees only the **pitch**, how loud
#   the note is at that moment, and how much louder or softer than the moment before. Those levels
#   come from the note's **loudness curve** (how loud it is every 16 ms: 94 numbers).
# * Training plays thousands of notes through both and nudges the weights until what comes out sounds
#   like what went in (the *spectral distance* between the two, below, gets small).

# %%
model = synth.load_pretrained(code_size=16)
print(model)
code = model.encode(flute, pitch=60)     # the label; why the code says 60.08: section 4
print(code)
rebuilt = model.decode(code)
audio.play_side_by_side({"original flute": flute, "rebuilt from the code": rebuilt})

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3), layout="constrained")
plots.spectrogram(flute, ax=axes[0], title="original")
plots.spectrogram(rebuilt, ax=axes[1], title="rebuilt by the decoder")
plt.show()
distance = ddsp.spectral_distance(torch.from_numpy(rebuilt), torch.from_numpy(flute))
print(f"spectral distance original vs rebuilt: {float(distance):.3f} (0 = the same)")

# %% [markdown]
# The decoder does not write samples itself: it drives a **harmonic-plus-noise synthesizer** (the
# idea of DDSP, *Differentiable Digital Signal Processing*). Here is the harmonic part by hand: three
# sine waves at 262, 524 and 786 Hz, with amplitudes of your choice. Change the three numbers in
# `shares` and run the cell again: the pitch stays, the colour of the sound changes.

# %%
frames = synth.N_FRAMES
shares = torch.tensor([0.6, 0.3, 0.1])                      # how loud harmonics 1, 2, 3 are
f0 = torch.tensor([261.6])                                   # C4, one note
loudness = torch.full((1, frames), 0.3)                      # the overall amplitude
tone = ddsp.harmonic_synth(f0, loudness, shares.expand(1, frames, 3), synth.N_SAMPLES)[0].numpy()
audio.play(tone, label="three harmonics")


# %% [markdown]
# **Ask yourself.** The code has 16 numbers, but the decoder gets more than the code. What else does
# it need to rebuild the note? Is it fair to say the note was squeezed into 16 numbers?
#
# <details><summary>Our answer</summary>
#
# It also needs the pitch (1 number) and the loudness curve (94 numbers). Those are measured, not
# learned, but they are still numbers the decoder must be given, so an honest count is
# 16 + 94 + 1 = 111 numbers. The 16 learned numbers only carry the *timbre*: what kind of instrument.
# </details>

# %% [markdown]
# ### Exercise 1 · Compression ratio (5 minutes)
# Write `compression_ratio(n_samples, code)`: how many times fewer numbers the code holds than the
# sound. A code has `code.timbre` (an array), `code.loudness_db` (an array) and `code.pitch` (one
# number); count every number the decoder needs.

# %%
def compression_ratio(n_samples, code):
    return 0.0          # YOUR CODE

check.check_compression_ratio(compression_ratio)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def compression_ratio(n_samples, code):
#     numbers = len(code.timbre) + len(code.loudness_db) + 1   # timbre, loudness curve, pitch
#     return n_samples / numbers
# ```
# </details>

# %%
print(f"flute note: {flute.size} samples -> {code.size} numbers: "
      f"{flute.size / code.size:.0f} times fewer; the timbre alone is {code.timbre.size} numbers")

# %% [markdown]
# ## 3. Shrink the bottleneck
# Four synthesizers were trained with codes of 16, 8, 4 and 2 numbers. Listen to the same flute note
# through each, and watch the distance grow. Which details go first?

# %%
sizes = [16, 8, 4, 2]
models = {k: synth.load_pretrained(code_size=k) for k in sizes}
guitar = synth.get_note("guitar", 60)
for name, note in {"flute": flute, "guitar": guitar}.items():
    rebuilt_by = {f"{k} numbers": models[k].reconstruct(note, 60) for k in sizes}
    dists = {k: float(ddsp.spectral_distance(torch.from_numpy(a), torch.from_numpy(note)))
             for k, a in rebuilt_by.items()}
    print(name, " ".join(f"{k}: {d:.3f}" for k, d in dists.items()))
    audio.play_side_by_side({"original " + name: note, **rebuilt_by})

# %% [markdown]
# **Ask yourself.** With only 2 numbers for all 14 instruments, what can the code still say? What
# must the decoder do when two different instruments get nearly the same 2 numbers?
#
# <details><summary>Our answer</summary>
#
# Two numbers can place an instrument on a map (bright or dull, plucked or blown), but not tell 14
# instruments apart in detail. Instruments that land close together get nearly the same code, so the
# decoder can only play something in between them: the rebuilt note sounds like a "family average".
# The pitch and the loudness curve still come through, because they do not pass the bottleneck.
# </details>
#
# ## 4. Notes it never heard
# Every instrument has a few pitches that were kept out of training (the *test* split). Can the
# synthesizer play them? And if we don't even tell it the pitch, can it measure the pitch from the
# sound with the YIN pitch tracker (as lesson 00's tuner did) and still play in tune?

# %%
test = load_instrument_notes("test").select(velocity=112)
rows = []
for i in range(0, len(test), 9):
    note, pitch, name = test.audio[i], int(test.pitches[i]), test.meta[i]["instrument"]
    heard = synth.measure_pitch(note)                       # YIN, from the sound alone
    rebuilt_yin = model.reconstruct(note, pitch=None)       # pitch=None: measure it
    off = analysis.cents_off(analysis.estimate_pitch(rebuilt_yin, start_s=0.1, stop_s=0.9), pitch)
    rows.append((name, pitch, heard, off))
    print(f"{name:14s} pitch {pitch}  YIN hears {heard:6.2f}  rebuilt: {off:+6.1f} cents from the label")

# %% [markdown]
# Look at what YIN hears: most recordings are within a few cents of their label, but not all.
# FluidR3's choir sings its F#3 (54) about 31 cents flat. The synthesizer plays exact multiples of
# the f0 it is given, so a pitch 30 cents off is 30 cents off at every harmonic: at the tenth
# harmonic of F#3 (1.85 kHz) that is 32 Hz, a different place in the spectrum. So
# `model.encode(note, pitch)` takes the label as a guide and keeps the recording's own pitch when
# YIN finds one within half a semitone of it (`synth.tuned_pitch`); that is why the flute's code
# in section 1 said 60.08. `model.decode(code, pitch)` still plays any exact pitch you ask for.
# Below, the distance drops only a little: the choir's pitch also wavers during the note, and our
# synthesizer holds one pitch per note.

# %%
choir = test.select(instrument="choir", pitch=54).audio[0]
print(f"labelled 54, the choir sings {synth.tuned_pitch(choir, 54):.2f}")
versions = {"rebuilt at its own pitch": model.reconstruct(choir, 54),
            "rebuilt at exactly 54": model.decode(model.encode(choir, 54), 54)}
for name, rebuilt_choir in versions.items():
    d = ddsp.spectral_distance(torch.from_numpy(rebuilt_choir), torch.from_numpy(choir))
    print(f"{name:25s} spectral distance {float(d):.3f}")
audio.play_side_by_side({"choir 54 (never heard)": choir, **versions})

# %% [markdown]
# **Ask yourself.** The decoder is told the pitch. Why can it still play a pitch it never saw in
# training, and what would go wrong if the pitch tracker made an octave mistake?
#
# <details><summary>Our answer</summary>
#
# The synthesizer makes harmonics at exactly f0, 2 f0, 3 f0 ... for *any* f0, so the network only
# has to choose how loud each harmonic is, and that changes slowly from one pitch to the next; the
# neighbouring pitches it did hear are enough. An octave mistake would make it play the right timbre
# at the wrong pitch, 1200 cents off: that is why a pitch tracker is checked against labels first.
# </details>
#
# ## 5. Morph or crossfade?
# Now mix two instruments. A **latent morph** mixes their *codes* (and loudness curves) and decodes
# one note: `alpha = 0` is A, `1` is B. A **crossfade** just adds the two recordings,
# `(1 - alpha) * A + alpha * B`. Move alpha, switch the kind of mix, change the instruments and the
# bottleneck, and listen.

# %%
morph_widget("flute", "guitar", pitch=60, alpha=0.5)

# %% [markdown]
# How bright a sound is can be measured: the **spectral centroid** is the "centre of mass" of its
# spectrum, in Hz (lesson 00). `synth.sustain_centroid` averages it over the held part of the note
# (0.1 to 0.9 s). Here it is along alpha, for the morph and for the crossfade.

# %%
alphas = np.linspace(0, 1, 5)
trumpet = synth.get_note("trumpet", 60)
morph_c = [synth.sustain_centroid(model.morph(flute, trumpet, 60, a)) for a in alphas]
fade_c = [synth.sustain_centroid(synth.crossfade(flute, trumpet, a)) for a in alphas]
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.plot(alphas, morph_c, "o-", label="latent morph")
ax.plot(alphas, fade_c, "s--", label="audio crossfade")
ax.set_xlabel("alpha (0 = flute, 1 = trumpet)")
ax.set_ylabel("brightness (Hz)")
ax.legend()
plt.show()
print("morph:", np.round(morph_c))


# %% [markdown]
# ### Exercise 2 · Where is the morph halfway? (8 minutes)
# Write `halfway_alpha(alphas, centroids)`: the alpha at which the brightness is halfway between
# its value at the first alpha and at the last. It will usually fall *between* two measured alphas:
# draw a straight line between the two measurements on either side and read off where it crosses.

# %%
def halfway_alpha(alphas, centroids):
    return 0.5          # YOUR CODE

check.check_halfway_alpha(halfway_alpha)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def halfway_alpha(alphas, centroids):
#     a, c = np.asarray(alphas, float), np.asarray(centroids, float)
#     target = (c[0] + c[-1]) / 2
#     for i in range(len(c) - 1):
#         if c[i] == target:
#             return float(a[i])
#         if (c[i] - target) * (c[i + 1] - target) < 0:
#             return float(a[i] + (a[i + 1] - a[i]) * (target - c[i]) / (c[i + 1] - c[i]))
#     return float(a[-1])
# ```
# </details>

# %%
if check.check_halfway_alpha(halfway_alpha).passed:
    find_half = halfway_alpha
    print("(computed with YOUR halfway_alpha)")
else:
    find_half = check.reference_halfway_alpha
    print("(your halfway_alpha does not pass its check yet, so lessonkit's own is used)")
print(f"flute -> trumpet is halfway in brightness at alpha = {find_half(alphas, morph_c):.2f} (morph), "
      f"{find_half(alphas, fade_c):.2f} (crossfade)")

# %% [markdown]
# ### Exercise 3 · Why does the crossfade sound like two instruments? (5 minutes)
# Listen to both mixes at alpha = 0.5 and compare their spectrograms in the widget above. Which
# statement explains it? Answer with a letter.

# %%
for letter, text in check.CROSSFADE_CHOICES.items():
    print(f"{letter}) {text}")

# %%
answer = "?"        # YOUR ANSWER: a letter
check.check_crossfade_answer(answer)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# answer = "a"
# ```
# </details>

# %% [markdown]
# ## 6. Your own instrument: the four-corner pad
# NSynth Super, the hardware version of the Neural Synthesizer, has a square pad with an instrument at
# each corner. Wherever you touch it, the four codes are mixed by how close you are to each corner,
# and a new instrument plays. Press points of the pad below.

# %%
pad = synth_pad(["flute", "trumpet", "organ", "guitar"], pitch=60)
pad

# %% [markdown]
# Found a sound you like? The pad keeps it as an instrument (`pad.instrument`) that plays any pitch
# and length. Here is lesson 00's tune on it (press another point and run this cell again).

# %%
tune = Melody.parse("C4 C4 G4 G4 | A4 A4 G4*2 | F4 F4 E4 E4 | D4 D4 C4*2")
print(pad.instrument, "at", pad.point)
audio.play(audio.render(tune, instrument=pad.instrument), label="lesson 00's tune on your instrument")

# %% [markdown]
# ## 7. (Optional) Train your own
# The shipped synthesizer trained for 10,000 steps: about 13 minutes on the two processor cores.
# With `TRAIN_NOW = True`, this cell trains a fresh
# one for 3 minutes and prints its distance on the valid notes next to the shipped one's (a teacher
# can run it while explaining section 2).

# %%
TRAIN_NOW = False
print("shipped model:", {k: model.meta.get(k) for k in ("steps", "cpu_seconds", "valid_distance")})
if TRAIN_NOW:
    from lessonkit.models import synth_train
    from lessonkit.training import TrainConfig

    mine, history = synth_train.train_model(train_config=TrainConfig(max_seconds=180, seed=0, patience=None))
    history.plot()
    plt.show()
    print(f"yours: {history.n_steps} steps, valid distance {history.best_valid_loss:.3f}")

# %% [markdown]
# ## Key points
# - An **autoencoder** squeezes its input through a **bottleneck** (the code) and is trained to
#   rebuild the input from it. Count *every* number the decoder needs: here 16 learned timbre numbers
#   plus a measured loudness curve and pitch, about 200 times fewer numbers than the 24,000 samples.
# - Our decoder drives a **harmonic-plus-noise synthesizer**, so pitch is exact and the network only
#   learns the timbre: it can play pitches it never heard, and the pitch can come from a pitch
#   tracker (YIN) instead of a label.
# - A **smaller bottleneck** keeps less: with 2 numbers, instruments blur into family averages.
# - A **latent morph** decodes *one* new sound between two instruments. The code sets every knob by
#   a straight-line rule, so halfway between two codes each knob's setting from the code is halfway
#   too, and for about 9 instrument pairs in 10 the brightness moves steadily from A to B (a few
#   still dip). A **crossfade** adds two recordings, so you hear both instruments at once.
#
# ## Discussion
# - NSynth Super's makers called its sounds "new". Are they? Who made them: the engineers, the
#   instrument makers whose sounds were recorded, or the player who chose the point on the pad?
# - Our code keeps 16 numbers for timbre but 94 for loudness. Design a code that keeps fewer numbers
#   for loudness. What would you lose?
# - Our decoder looks at one 16 ms moment at a time. We also tried one that hears the whole loudness
#   curve at once. It could learn to tell a piano from an organ by *how the note fades*, and then a
#   mixed loudness curve made it play some third instrument, so its morphs went one way less often.
#   What does that say about what a network learns from the inputs you give it?
