# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 05 · AI as a musical assistant
#
# *"AI Music: A Fraud?"* The students in Hong Kong ended their session with three questions: **How can
# AI be used as a musical assistant? Could AI write a beautiful song? If an AI wrote a piece of music,
# what would it value?** In this lesson you collect evidence before you answer. You measure how much
# the course's models copy from the tunes they learned from, what they "prefer" and where those
# preferences come from, whether your ears can tell them from people, and then you compose a short
# piece with the models as your assistants, keeping a record of who made what.
#
# **Time:** about 60 minutes (35 minutes of guided work, 15 of exercises, 10 of discussion).
#
# **Questions**
# - Does an AI that learned from thousands of tunes just copy them?
# - What does a music model "value", and who decided that?
# - Can you hear the difference between a person's tune and a model's?
#
# **Learning objectives.** By the end you can:
# 1. measure how much of a melody is copied from a corpus (the longest run of intervals, its source
#    tune) and explain why we compare intervals rather than notes;
# 2. predict, then measure, how the temperature changes copying and how natural a model finds its output;
# 3. describe a model's preferences with numbers (leaps, rhythm, range, likelihood) and show that they
#    follow the collection it learned from;
# 4. run a blind listening test and pool a class's answers into one chart;
# 5. compose an 8-16 bar piece with the models as assistants (a loops-VAE variation and a neural-synth
#    sound included) and export it with a record of who made which part.

# %% [markdown]
# ## Setup
# Run this cell first (Shift+Enter). Everything the lesson needs ships with the course in `data/`.

# %%
import glob
import os
import shutil
import tempfile

import numpy as np
import matplotlib.pyplot as plt

from lessonkit import Melody, audio, originality, plots
from lessonkit.datasets import load_tunes, load_loops
from lessonkit.models import loops, synth
from lessonkit.models.duet import load_pretrained
from lessonkit.originality import intervals
from lessonkit import values
from lessonkit.widgets import originality_meter
from lessonkit.widgets.listening import listening_test, guessing_class
from lessonkit.widgets.class_results import plot_class_results
from lessonkit.capstone import Piece
from lessonkit.checks import lesson05 as check

# %% [markdown]
# ## 1. Does the AI copy?
# A model that learned from 9,950 folk tunes could simply play back pieces of them. To find out, we
# compare a melody with every training tune. But a copy moved to another key has different notes and
# is still a copy, so we compare **intervals**: the steps, in semitones, from each note to the next.

# %%
twinkle = Melody.parse("C4 C4 G4 G4 A4 A4 G4*2")
print("notes:    ", twinkle)
print("intervals:", intervals(twinkle))
print("a fifth up:", intervals(twinkle.transpose(7)), "(the same intervals)")

# %% [markdown]
# The **originality meter**, `originality(melody)`, finds the longest run of a melody's intervals that
# also appears, in the same order, inside one training tune, and names that tune. Here is a training
# tune moved up three semitones: the meter still finds all of it.

# %%
train = load_tunes("train")
tune = train[1234]
result = originality(tune.transpose(3))
print(result)


# %% [markdown]
# Runs of fewer than 5 intervals are not counted: any two folk tunes share a few steps of a scale.
# `fraction_found` is the share of the melody's 5-interval pieces found *anywhere* in the training tunes.
#
# ### Exercise 1 · The longest copied run, by hand (5 minutes)
# Write `longest_copied_run(melody, tune)`: both are lists of MIDI pitches. Return the number of
# intervals in the longest run of consecutive intervals of `melody` that also appears, consecutively,
# in `tune`. Try it on paper first: `[65, 67, 69, 70, 72]` against `[60, 62, 64, 65, 67, 65, 64]`.

# %%
def longest_copied_run(melody, tune):
    a = [later - earlier for earlier, later in zip(melody, melody[1:])]   # intervals of the melody
    b = [later - earlier for earlier, later in zip(tune, tune[1:])]       # intervals of the tune
    best = 0
    # YOUR CODE: try every start i in a and j in b, count how far they agree
    return best

check.check_longest_copied_run(longest_copied_run)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def longest_copied_run(melody, tune):
#     a = [later - earlier for earlier, later in zip(melody, melody[1:])]
#     b = [later - earlier for earlier, later in zip(tune, tune[1:])]
#     best = 0
#     for i in range(len(a)):
#         for j in range(len(b)):
#             k = 0
#             while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
#                 k += 1
#             best = max(best, k)
#     return best
# ```
# `lessonkit.originality` does the same, but against 9,950 tunes at once: it cuts every tune into
# 5-interval pieces once, sorts them, and looks each piece of your melody up (a few milliseconds).
# </details>

# %% [markdown]
# ### Try it: a model's answer, measured
# The widget asks a model to answer a call and marks the **longest run copied** from a training tune
# (red band), with the tune it comes from. Change the model, the temperature and the seed. When does
# it copy a lot? Does the Markov model copy more than the neural net?

# %%
call_text = "D4/2 E4/2 F#4/2 G4/2 A4 D5 | B4/2 A4/2 G4/2 F#4/2 E4/2 F#4/2 G4/2 E4/2"
originality_meter(call_text, model="neural", temperature=1.0)

# %% [markdown]
# ## 2. Copying and the temperature knob
# Shared runs of 8 or 9 notes are common even between real tunes: folk musicians share phrases too. So one
# answer tells us little; we need many. We let each model answer the opening two bars of 30 **test**
# tunes (tunes no model learned from) and compare with what the real tunes played next.
#
# **Predict first.** In lesson 02 you saw what the temperature does to the next-note probabilities.
# How will it change copying? Pick a letter.

# %%
for letter, text in check.COPY_CHOICES.items():
    print(letter, text)

# %%
my_prediction = "b"      # your letter
check.check_copy_prediction(my_prediction)

# %%
test = load_tunes("test")
calls, real_next = [], []
for t in test:
    start = t.pickup_steps % 16
    if t.meter == "4/4" and t.length_steps >= start + 96 and len(calls) < 30:
        calls.append(t.window(start, start + 32))          # the call: 2 bars
        real_next.append(t.window(start + 32, start + 96))  # what the real tune played next: 4 bars
neural = load_pretrained("neural")
markov = load_pretrained("markov")
print(len(calls), "calls; the real continuations have",
      int(np.median([len(m) for m in real_next])), "notes (median)")


# %% [markdown]
# ### Exercise 2 · One number for many answers (3 minutes)
# `originality` returns a result for each melody. Write `median_copy_length(results)`: the median of
# their `longest_run_intervals`. (Why the median and not the mean? One answer that copies 40 intervals
# should not decide the verdict for the other 29.)

# %%
def median_copy_length(results):
    return 0.0          # YOUR CODE

check.check_median_copy_length(median_copy_length)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def median_copy_length(results):
#     return float(np.median([r.longest_run_intervals for r in results]))
# ```
# </details>

# %%
mine_works = check.check_median_copy_length(median_copy_length).passed   # does Exercise 2 work yet?
if not mine_works:
    print("Exercise 2 is not solved yet: this part uses the course's own median until it is.")

def measure(melodies):
    results = [originality(m) for m in melodies]
    if mine_works:
        return float(median_copy_length(results))
    return float(np.median([r.longest_run_intervals for r in results]))

temperatures = [0.25, 0.5, 1.0, 1.5, 2.0]
neural_answers = {T: values.answers(neural, calls, bars=4, temperature=T, seed=0) for T in temperatures}
markov_answers = values.answers(markov, calls, bars=4, temperature=1.0, seed=0)
copy_neural = [measure(neural_answers[T]) for T in temperatures]
copy_markov = measure(markov_answers)
copy_real = measure(real_next)

# %%
fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
ax.plot(temperatures, copy_neural, "o-", label="neural net", color=plots.RESPONSE_COLOUR)
ax.plot([1.0], [copy_markov], "s", markersize=9, label="Markov model (T = 1)", color="#7b3fb5")
ax.axhline(copy_real, color=plots.CALL_COLOUR, lw=2, label="real tunes (held out)")
ax.set_xlabel("temperature")
ax.set_ylabel("longest copied run\n(intervals, median of 30)")
ax.set_title("Copying against temperature")
ax.legend()
plt.show()

# %% [markdown]
# Copying is only half of the trade. How natural does the net find its own answers at each temperature?
# The NLL (lesson 02: mean surprise per step, lower = more natural to the model) tells us.

# %%
for T in temperatures:
    print(f"T = {T:<4}  copied run (median) {copy_neural[temperatures.index(T)]:4.1f} intervals   "
          f"the net's surprise at its own answers {neural.nll(neural_answers[T]):.2f} nats/step")
print(f"real continuations: copied run {copy_real:.1f};  the net's surprise at them {neural.nll(real_next):.2f} nats/step")

# %% [markdown]
# **Ask yourself.** At which temperature do the net's answers copy about as much as real tunes do, and
# how surprised is it there compared with the real tunes? What is the temperature knob trading?

# %% [markdown]
# <details><summary>Our answer</summary>
#
# Up to T = 1 the net's answers copy about as much as the real continuations (when we ran it: a
# median run of 8 intervals for both); above 1 the copies get shorter (6.5 at T = 1.5 and 2). The
# surprise shows the other half of the trade: at T = 0.25 the net finds its own answers far less
# surprising (0.41 nats/step) than the real tunes (0.72): too safe to be like real music; at T = 2
# far more (2.9): it is making things up that it itself finds implausible. At T = 1 it is closest
# (0.75). The knob trades *memorising* (safe, familiar, copied) against *inventing* (new, but less and
# less like the music it learned). Medians move in whole intervals, so the curve comes in steps, and
# your numbers may differ a little with the seed and the calls; the direction does not.
# </details>

# %% [markdown]
# **And the loops VAE?** The VAE of lesson 04 does not answer a call: it samples whole 2-bar loops from
# its latent space. Compare its samples with real 2-bar loops that no model learned from (not with the
# 4-bar answers above: a shorter melody can only share a shorter run).

# %%
vae = loops.load_pretrained("vae")
vae_loops = [Melody.from_tokens(t) for t in vae.sample(30, temperature=1.0, seed=0)]
real_loops = [Melody.from_tokens(t) for t in load_loops("test")[:30]]
print(f"loops VAE samples:       copied run {measure(vae_loops):.1f} intervals (median of 30)")
print(f"real 2-bar loops (test): copied run {measure(real_loops):.1f} intervals (median of 30)")

# %% [markdown]
# When we ran it, both medians were 5 intervals: sampled from its prior, the VAE shares runs with the
# corpus about as much as real loops do, no more. It generalises rather than memorises.

# %% [markdown]
# ## 3. What does the model value?
# A model has no opinions, but it has **preferences**: what it gives high probability to. Here are
# the intervals it plays, next to the intervals of the real tunes. (A step of 1-2 semitones is a
# *step*; 5 or more is a *leap*.)

# %%
steps = np.arange(-12, 13)
fig, ax = plt.subplots(figsize=(9, 3.2), layout="constrained")
for name, group, style in (("real tunes", real_next, "o-"), ("neural, T=1", neural_answers[1.0], "s--"),
                           ("neural, T=0.25", neural_answers[0.25], "^:")):
    ax.plot(steps, values.interval_distribution(group), style, label=name)
ax.set_xlabel("interval (semitones; negative = down)")
ax.set_ylabel("share")
ax.set_xticks(steps[::2])
ax.legend()
plt.show()

# %%
random_tunes = [values.random_melody(4, seed=i) for i in range(30)]
for name, model, own in (("neural", neural, neural_answers[1.0]), ("Markov", markov, markov_answers)):
    table = values.likelihood_table(model, real=real_next, generated=own, random=random_tunes)
    print(f"{name:7} surprise (nats/step):  real {table['real']:.2f}   its own answers {table['generated']:.2f}   "
          f"random notes {table['random']:.2f}")

# %% [markdown]
# **Ask yourself.** Which does each model find most natural: its own answers, real tunes, or random
# notes? What does that say about what it "values"?

# %% [markdown]
# <details><summary>Our answer</summary>
#
# Random notes are about three times as surprising to both models as real tunes (when we ran it:
# 2.4 against 0.72 nats/step for the net, 2.6 against 0.90 for the Markov model). Real tunes are as
# natural to them as their own answers at T = 1, or more (the net: 0.72 against 0.75; the Markov
# model: 0.90 against 1.27): sampling at T = 1 plays about as surprisingly as the music it learned,
# and at low temperatures (section 2) its answers are much *less* surprising than real music. Its
# "values" are the habits of the tunes it was fed: small steps more than leaps, notes of the key,
# rhythms that fit the bar. It does not value them *for* anything: they are simply what was common.
# </details>

# %% [markdown]
# ### Steering: who decides what the model values?
# *"Why would it choose to write about one thing over another?"* Let us change what it was fed. The
# same network was trained 400 steps more on one collection only: Irish dance tunes from
# O'Neill's *Music of Ireland* (1903), or the German songs of the Essen collection (see
# `data/README.md`; made with `python -m lessonkit train duet-collection`). We ask both the same 30
# calls and sum up each set of answers in a few numbers: notes per bar, the shares of short notes (an
# eighth or less), repeated notes, steps (1-2 semitones) and leaps (5 or more), and the range in semitones.

# %%
oneill, german = values.load_steered("oneill"), values.load_steered("german")
answers_by = {"steered by O'Neill": values.answers(oneill, calls, bars=4, seed=0),
              "steered by German songs": values.answers(german, calls, bars=4, seed=0)}
profiles = {"O'Neill's tunes (corpus)": values.style_profile(values.collection_tunes("oneill", "test")),
            "German songs (corpus)": values.style_profile(values.collection_tunes("german", "test"))}
profiles.update({name: values.style_profile(a) for name, a in answers_by.items()})
columns = {"notes_per_bar": "notes/bar", "short_note_share": "short notes", "repeat_share": "repeats",
           "step_share": "steps", "leap_share": "leaps", "range_semitones": "range"}
print(f"{'':26}" + "".join(f"{label:>12}" for label in columns.values()))
for name, p in profiles.items():
    print(f"{name:26}" + "".join(f"{p.as_dict()[c]:>12}" for c in columns))


# %% [markdown]
# ### Exercise 3 · How leapy? (5 minutes)
# Write `leap_share(melodies, min_semitones)`: `melodies` is a list of pitch lists. Take the intervals of
# each melody (`np.diff`), pool them, and return the share (0..1) whose size (up or down) is at least
# `min_semitones`. Then use it to compare the two steered models' answers below.

# %%
def leap_share(melodies, min_semitones):
    return 0.0          # YOUR CODE

check.check_leap_share(leap_share)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def leap_share(melodies, min_semitones):
#     ivals = np.concatenate([np.diff(m) for m in melodies])
#     return float(np.mean(np.abs(ivals) >= min_semitones))
# ```
# </details>

# %%
for name, group in answers_by.items():
    print(f"{name:25} leaps of 5+ semitones: {leap_share([m.pitches for m in group], 5):.1%} "
          f"(lessonkit's style_profile says {values.style_profile(group).leap_share:.1%})")

# %% [markdown]
# **Ask yourself.** The two steered models heard exactly the same calls. Do their answers differ in the
# direction of the collections they were fed (leaps, notes per bar, short notes)? Who decided what
# each model "values"?

# %% [markdown]
# <details><summary>Our answer</summary>
#
# Look at the table: the O'Neill tunes are dance music, busy with short notes (about 6 notes a bar),
# while the German songs are sung, one syllable a note: fewer, longer notes, and many more repeated
# notes. The two fine-tuned models answered the same calls, and their answers moved the same way as
# their collections (when we ran it: 4.8 against 3.9 notes a bar, 46 % against 31 % short notes,
# 11 % against 17 % repeated notes), though less far than the collections themselves (400
# steps of extra training shift habits, they do not replace them). The model chose nothing: the people who chose
# its training tunes did. That is the evidence for the third question: an AI "values" what its data
# makers put in front of it.
# </details>

# %% [markdown]
# ## 4. Human or AI? A blind listening test
# Eight clips of two bars, all on the same instrument, at the same tempo and loudness: four are real
# folk tunes from the test split, four are answers of the Markov model and the neural net. Listen to
# each, choose **human** or **AI**, then press **Reveal answers**. (Everyone who uses `seed=0` gets the
# same clips in the same order, so a class can pool its answers.)

# %%
listening = listening_test(seed=0)
listening

# %% [markdown]
# After revealing, save your answers for the class chart: put your name in, run the cell. The file is
# never overwritten: use another name if it exists.

# %%
my_name = "student"
if listening.revealed:
    print("saved", listening.save_answers(f"listening_{my_name}.csv", student=my_name))
else:
    print("Answer the clips and press Reveal answers first, then run this cell again.")

# %% [markdown]
# **The whole class.** The teacher collects everyone's CSV file in one folder and pools them into one
# chart: how often each kind of clip was called "AI". Here we pool a pretend class of 20 students who
# only flip a coin for every clip: that is the score to beat. (Your own file joins them if you saved it.)

# %%
folder = tempfile.mkdtemp(prefix="class_answers_")
guessing_class(folder, listening, n_students=20, seed=1)
for mine in glob.glob("listening_*.csv"):
    shutil.copy(mine, folder)
plot_class_results(folder)
plt.show()

# %% [markdown]
# **Ask yourself.** If a class scores about 50 %, what does that say about the models? About the clips
# (two bars, one instrument)? Would you trust a test with longer clips more?

# %% [markdown]
# <details><summary>Our answer</summary>
#
# About 50 % means the class could not tell: for two bars of folk melody, the models are convincing.
# But the test is kind to them: short clips hide the thing models are worst at (a whole tune with a
# plan: a return of the opening, a cadence at the end), and one clean instrument hides everything a
# performer adds. Longer clips, or whole pieces, are a harder and fairer test.
# </details>

# %% [markdown]
# ## 5. Capstone: you compose, the models assist
# You write the opening, ask the models for ideas, choose, change, and decide the sound. The `Piece`
# keeps a record of which part came from you and which from which model. Change the motif to your own!

# %%
piece = Piece("D4 F#4 A4 F#4 | G4*2 E4*2", tempo_bpm=100)      # your motif: 2 bars of 4/4
options = piece.continuations(n=3, model="neural", bars=2, temperature=1.0, seed=0)
fig, axes = plt.subplots(1, 3, figsize=(12, 2.8), layout="constrained")
for k, (option, ax) in enumerate(zip(options, axes)):
    plots.piano_roll(piece.melody, option, ax=ax, title=f"option {k}")
plt.show()
audio.play_side_by_side({f"option {k}": piece.melody.then(o) for k, o in enumerate(options)})

# %% [markdown]
# Pick one (change `choice`), then add your own part, for example the chosen idea a tone lower (a
# *sequence*), then ask the Markov model or a steered model for more.

# %%
choice = 1
piece.add(options[choice], source="neural", how=f"continuation option {choice} of 3, T=1.0, seed 0")
piece.add(options[choice].transpose(-2), source="student", how="my sequence of it, a tone lower")
more = piece.continuations(n=2, model=values.load_steered("oneill"), bars=2, seed=5)
piece.add(more[0], source="neural steered by O'Neill", how="continuation option 0 of 2, seed 5")

# %% [markdown]
# **Vary a part in the latent space** (the loops VAE of lesson 04). The cell below encodes part 1 (the
# idea you chose) to a code and moves that code along the VAE's *note density* direction: the three
# piano rolls and clips are fewer notes (`-0.5`), the VAE's own copy (`0`) and more notes (`1`). Try
# `attribute="pitch_height"` or `"rests"`, other amounts, or `piece.blend(0, 1)` for the path between
# your motif and part 1.

# %%
variants = piece.variations(1, attribute="note_density", amounts=(-0.5, 0, 1))
fig, axes = plt.subplots(1, 3, figsize=(12, 2.8), layout="constrained")
for amount, variant, ax in zip((-0.5, 0, 1), variants, axes):
    plots.piano_roll(variant, ax=ax, title=f"note density {amount:+}")
plt.show()
audio.play_side_by_side({f"note density {a:+}": v for a, v in zip((-0.5, 0, 1), variants)})

# %% [markdown]
# Keep the variation you like (change `pick`), finish with your ending and read the record.

# %%
pick = 2
piece.add(variants[pick], source="loops VAE", how=f"variation of part 1, note density {(-0.5, 0, 1)[pick]:+}")
piece.add(Melody.parse("E4 F#4 G4 E4 | D4*8"), source="student", how="my ending")
print(piece)
for row in piece.record():
    print(row)

# %% [markdown]
# Choose the sound: an instrument of the set, or a new one made by the neural synthesizer of lesson 03,
# a mix of two instruments in its latent space (change the names and the weights). Then save the piece:
# a MIDI file (open it in any music program), a WAV file and a small JSON record of who made what.
# Nothing is overwritten: if the files exist, choose a new name (or pass `overwrite=True`).

# %%
neural_synth = synth.load_pretrained()
codes = [neural_synth.encode(synth.get_note(name, 60)) for name in ("flute", "guitar")]
my_sound = synth.MixedInstrument(neural_synth, neural_synth.mix(codes, [0.6, 0.4]),
                                 name="neural synth: 60% flute + 40% guitar")
audio.play_side_by_side({"flute": piece.render("flute"), my_sound.name: piece.render(sound=my_sound.render)})
plots.piano_roll(piece.melody, title="my piece")
plt.show()

# %%
name = "my_piece"
if os.path.exists(name + ".mid"):
    print(f"{name}.mid exists already: change the name to keep both.")
else:
    print(piece.export(name, sound=my_sound.render, sound_name=my_sound.name))

# %% [markdown]
# ## Key points
# - The originality meter compares **intervals**, so a copy in another key is still found. Real folk
#   tunes share runs of about 8 intervals (the median) with other tunes too: a short shared run is music, not theft.
# - **Temperature trades copying against nonsense**: low temperatures replay the training tunes'
#   favourite paths; high ones make up things the model itself finds implausible.
# - A model's "values" are the habits of its training data, measurable as intervals, rhythms, range and
#   likelihood, and **steerable by choosing what it learns from**.
# - In short clips people often cannot tell the models from real tunes; that says as much about the test
#   as about the models.
# - Used as an assistant, a model offers ideas; the composer chooses, changes and keeps the record.
#
# ## Discussion: the seed's three questions, with your evidence
# Answer each with a number you measured today.
# 1. **How can AI be used as a musical assistant?** Look at your piece's record: what share of its bars
#    came from you, and which model ideas did you keep or change? Would the piece exist without you?
# 2. **Could AI write a beautiful song?** Use your listening-test score (and the class's chart) and the
#    copy lengths in section 2: could people tell? What did the models copy, and what did they make up?
# 3. **If an AI wrote a piece, what would it value?** Use the steering table: what changed when the same
#    network learned from O'Neill's dance tunes instead of German songs? Who chose that?
