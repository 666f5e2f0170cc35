# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 02 · AI Duet
#
# *"When you play a sequence of notes, the computer goes to the neural net and plays a possible
# response."* That is how the students in Hong Kong were told AI Duet works. In this lesson you open
# that neural net: you play a duet with one, watch what it expects at every step, train your own for
# one minute, and measure whether it really learned more than the counting models of lesson 01.
#
# **Time:** about 60 minutes (35 minutes of guided work, 25 minutes of exercises), and 10 more for the
# optional "sing your call" part at the end.
#
# **Questions**
# - What does a neural network *do* with the notes you play?
# - How can we tell whether one model knows folk music better than another?
# - What is the "temperature" knob, and why do music apps have one?
#
# **Learning objectives.** By the end you can:
# 1. describe how a recurrent network reads a melody step by step and gives a probability to every
#    possible next step;
# 2. train a small melody model for a minute and read its loss curve (train vs. valid, early stopping);
# 3. compute the negative log-likelihood and perplexity of held-out tunes, and use them to compare
#    rules, a Markov model and a neural network;
# 4. predict, then test, what the temperature does to the answers.

# %% [markdown]
# ## Setup
# Run this cell first (Shift+Enter). Nothing here downloads anything: the trained network ships with
# the course in `data/duet_neural.safetensors`.

# %%
import math
import numpy as np
import matplotlib.pyplot as plt

from lessonkit import Melody
from lessonkit import audio, plots
from lessonkit.datasets import load_tunes
from lessonkit.models import duet, melody_rnn
from lessonkit.models.duet import load_pretrained
from lessonkit.widgets.duet import duet_widget, padded_call
from lessonkit.checks import lesson02 as check

# %% [markdown]
# ## 1. Play a duet
# Play a phrase on the keyboard (each key adds a note of the length you choose; `rest` adds a
# silence) or type one, then press **Respond**. Your call is blue, the answer orange, and the player
# plays them back to back. Switch the responder between the neural net, the Markov model and the
# rules of lesson 01. (Give the Markov model two different calls that both end on a long note: the
# answers may come out the same. Section 4 explains why.)

# %%
call_text = "D4/2 E4/2 F#4/2 G4/2 A4 D5 | B4/2 A4/2 G4/2 F#4/2 E4/2 F#4/2 G4/2 E4/2"
duet_widget(call=call_text)

# %% [markdown]
# The lower plot is the point of this lesson. For every step of the answer, each row is one possible
# next token (a pitch, `HOLD` or `REST`) and the darker the square, the more probable the net found
# it. The orange dots are what it actually played, **drawn at random** with those probabilities.
# This is "the computer goes to the neural net": at every 16th note, it asks the net what could come
# next, and rolls the dice.

# %% [markdown]
# ## 2. Inside the neural net
# The network is a **GRU**, a kind of recurrent neural network. It reads one step at a time: the
# token just played, and where the next step falls in the bar (beat 1? an off-beat?). It keeps a
# *memory* of 256 numbers that it updates at each step, and from that memory it scores all 130
# possible next tokens. Training adjusts its ~300,000 weights so that the scores of the tokens that
# really came next in the folk tunes go up.
#
# How to read the printout below: `Embedding(131, 64)` turns each token into 64 numbers; there are
# 131 rows for 130 tokens because one extra "a tune starts here" token begins every tune.
# `Embedding(32, 16)` does the same for where the step falls in the bar (32 places). `GRU(80, 256)` is the
# memory (64 + 16 = 80 numbers in, 256 kept). `Dropout(p=0.2)` switches off a random 20% of the
# memory's numbers at every training step, so the net cannot lean on any single one; it is switched
# off when the net plays. `Linear(in_features=256, out_features=130)` scores the 130 tokens.

# %%
neural = load_pretrained("neural")
print(neural)
print(neural.model)
print("trained:", neural.info)

# %%
call = Melody.parse(call_text)
answer, probs = neural.generate(call, bars=2, temperature=1.0, seed=0)
print("probs:", probs.shape, "= (steps of the answer, possible tokens)")
fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), layout="constrained")
plots.piano_roll(padded_call(call), answer, ax=top)
plots.probability_heatmap(probs, ax=bottom, chosen=answer.to_tokens())
plt.show()
audio.play(padded_call(call).then(answer))

# %% [markdown]
# **Ask yourself.** Where in the bar is the net most sure (one dark square), and where does it hesitate
# between several notes? On which steps is `HOLD` the favourite?

# %% [markdown]
# ## 3. Train your own for one minute
# The shipped network trained for about 10 minutes (5,000 steps). Yours gets one minute.
# `melody_rnn.train_model` trains a fresh network on the training tunes. Every 50 steps it measures the
# loss on the *valid* tunes (never trained on), draws both curves, and keeps the weights with the best
# valid loss (*early stopping*). The loss is the average surprise per step, `-ln p` in nats, as in
# lesson 01's table (0 for a sure thing, 0.69 for a coin flip, 4.87 for a blind guess among 130
# tokens); section 4 looks at it closely. Watch it fall.
# It stops after 60 seconds.

# %%
train = load_tunes("train")
valid = load_tunes("valid")
my_model, history = melody_rnn.train_model(train, valid, seconds=60, seed=0)
print(f"yours:   {history.n_steps} steps in {history.seconds:.0f} s; "
      f"best valid loss {history.best_valid_loss:.3f} nats/step")
shipped = neural.info
print(f"shipped: {shipped.get('steps')} steps in {shipped.get('seconds', 0):.0f} s; "
      f"best valid loss {shipped.get('best_valid_loss', float('nan')):.3f} nats/step")

# %%
history.plot()
plt.show()
print(my_model.respond(call, seed=0))


# %% [markdown]
# **Ask yourself.** The train curve is measured on batches the net is learning from, the valid curve on
# tunes it never saw. What would it mean if the train loss kept falling while the valid loss went up?
# How much did the extra 9 minutes of training buy the shipped net?
#
# <details><summary>Our answer</summary>
#
# Train loss falling while valid loss rises would mean the net is memorising its training tunes
# instead of learning the style (*overfitting*): early stopping keeps the weights from before that.
# **Why is the valid loss below the train loss at first?** Two reasons. The train loss is measured
# with dropout on (20% of the memory switched off, which makes the net worse on purpose) and is
# averaged over the last 50 steps, while the net was still worse; the valid loss is measured with
# dropout off, by the net as it is at that moment. **Why two "valid" numbers in `neural.info`?**
# `best_valid_loss` (0.87) is the training curve's measure: short 64-step windows cut from the
# valid tunes, each starting with no memory of what came before. `valid_nll` (0.84) scores every
# valid tune whole, from its first note, so the net has more context and is less surprised. Lower
# is better for both; only compare numbers measured the same way.
# </details>

# %% [markdown]
# ## 4. Which model knows folk music best?
# Give a model a tune it has never seen, and ask at every step: *what probability did you give to the
# token that actually came next?* A good model is rarely surprised. We measure surprise as `-ln p`
# (in *nats*): `p = 1` is no surprise (0 nats), `p = 1/2` is 0.69 nats, `p = 1/130` (a blind guess
# among all tokens) is 4.87 nats. The average over all steps is the **negative log-likelihood**, NLL.
#
# ### Exercise 1 · Average surprise (5 minutes)
# Write `mean_nll(probs_of_actual)`: given the probabilities a model gave to the tokens that actually
# came, return the mean of `-ln p`. Use `np.log`.

# %%
def mean_nll(probs_of_actual):
    p = np.asarray(probs_of_actual)
    return 0.0          # YOUR CODE

check.check_mean_nll(mean_nll)


# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def mean_nll(probs_of_actual):
#     p = np.asarray(probs_of_actual)
#     return float(np.mean(-np.log(p)))
# ```
# </details>
#
# ### Exercise 2 · Perplexity (3 minutes)
# An NLL is easier to feel as a **perplexity**, `e ** nll`: the model is as unsure as if it chose among
# that many equally likely tokens. A blind guess has perplexity 130. Write `perplexity(nll)`.

# %%
def perplexity(nll):
    return nll          # YOUR CODE

check.check_perplexity(perplexity)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def perplexity(nll):
#     return math.exp(nll)
# ```
# </details>
#
# Every responder has `.nll(tunes)`. Here are all of them on every fourth **test** tune (about 300
# tunes no model has seen, not even to choose when to stop). Rules give no probabilities at all, so
# they get the score of a blind guess: 4.87 nats, perplexity 130.

# %%
if check.check_perplexity(perplexity).passed:
    to_perplexity = perplexity
    print("(perplexities computed with YOUR perplexity function)")
else:
    to_perplexity = math.exp
    print("(your perplexity does not pass its check yet, so this table uses math.exp instead)")
test = load_tunes("test")[::4]
contenders = {"rules": load_pretrained("rules"), "Markov (best order)": load_pretrained("markov"),
              "neural (shipped)": neural, "neural (yours, 60 s)": my_model}
for name, model in contenders.items():
    nll = model.nll(test)
    print(f"{name:22s} {nll:.3f} nats/step   perplexity {to_perplexity(nll):6.2f}")

# %% [markdown]
# **Ask yourself.** How many times smaller is the neural net's perplexity than the blind guess? Than
# the Markov model's? The net sees the position in the bar and keeps a memory of the whole call; the
# Markov model sees only the last few tokens. Which of these do you think helps most?
#
# ### What can a Markov model see?
# The Markov model here has order 8: it looks at the last **7 tokens**, less than half a bar. If your
# call ends on a long note, those 7 tokens are all `HOLD`: the model cannot tell *which* note is
# held, nor anything you played before it. Two different calls ending on the same long note then get
# the same answer (and at a low temperature it may hold one note for bars). Our call above ends on
# short notes on purpose. See for yourself:

# %%
markov = contenders["Markov (best order)"]
two_calls = ["D4 F#4 A4 D5 | C#5/2 B4/2 A4/2 G4/2 E4*2", "G4 F#4 E4 D4 | A4/2 B4/2 C#5/2 D5/2 E4*2"]
for text in two_calls:
    other = Melody.parse(text)
    print("call:", text)
    print("   last 7 tokens:", other.to_tokens()[-7:])
    print("   Markov:", markov.respond(other, bars=1, seed=0))
    print("   neural:", neural.respond(other, bars=1, seed=0))

# %% [markdown]
# **Ask yourself.** Did the two calls get the same Markov answer? Did the neural net, which keeps a
# memory of the whole call, answer them differently? An n-gram only "sees" its last n - 1 tokens:
# everything before that is forgotten.

# %% [markdown]
# ## 5. The temperature knob
# Before drawing each token, the probabilities can be reshaped by a **temperature** `T`: every
# probability is raised to the power `1 / T`, then they are made to add up to 1 again.
#
# ### Exercise 3 · Predict first (2 minutes)
# Before you try it: which statement fits an answer at temperature **0.1**, and which at **2.0**?

# %%
for letter, statement in check.TEMPERATURE_CHOICES.items():
    print(letter, statement)

# %%
prediction = dict(at_0_1="?", at_2_0="?")   # YOUR ANSWER: a letter for each temperature
check.note_temperature_prediction(**prediction)

# %% [markdown]
# Now test your prediction. Listen to both answers (nothing is graded yet):

# %%
runs = {t: neural.generate(call, bars=2, temperature=t, seed=0) for t in (0.1, 1.0, 2.0)}
cold, hot = runs[0.1][0], runs[2.0][0]
print("T = 0.1:", cold)
print("T = 2.0:", hot)
audio.play_side_by_side({"T = 0.1": padded_call(call).then(cold),
                         "T = 2.0": padded_call(call).then(hot)})

# %% [markdown]
# Which statement fits what you heard? Now check the prediction you wrote down above:

# %%
check.check_temperature_prediction(**prediction)


# %% [markdown]
# ### Exercise 4 · Apply a temperature (5 minutes)
# Write `apply_temperature(probs, temperature)`: raise each probability to the power `1 / temperature`,
# then divide by the sum.

# %%
def apply_temperature(probs, temperature):
    p = np.asarray(probs, dtype=float)
    return p            # YOUR CODE

check.check_apply_temperature(apply_temperature)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def apply_temperature(probs, temperature):
#     p = np.asarray(probs, dtype=float) ** (1 / temperature)
#     return p / p.sum()
# ```
# </details>
#
# Here is what it does to the net's probabilities for the answers above (and one at T = 1), with the
# dots showing what was played. All three panels show the same pitch rows, so you can compare them.

# %%
if check.check_apply_temperature(apply_temperature).passed:
    reshape = apply_temperature
    print("(the panels use YOUR apply_temperature)")
else:
    reshape = duet.apply_temperature
    print("(your apply_temperature does not pass its check yet, so the panels use lessonkit's own)")
played = np.concatenate([answer_t.pitches for answer_t, _ in runs.values()])
same_rows = (int(played.min()) - 2, int(played.max()) + 2)   # one pitch range for all three panels
fig, axes = plt.subplots(1, 3, figsize=(13, 3.5), layout="constrained")
for ax, (t, (answer_t, probs_t)) in zip(axes, runs.items()):
    reshaped = np.array([reshape(row, t) for row in probs_t])
    plots.probability_heatmap(reshaped, ax=ax, chosen=answer_t.to_tokens(), title=f"T = {t}",
                              pitch_limits=same_rows)
plt.show()

# %% [markdown]
# **Try it.** Back in the duet: set the temperature to 0 (always the most likely token) and ask for 8
# bars, once from the neural net and once from the Markov model. Which one gets stuck holding one
# note, and which one keeps moving? (Hint: once the Markov model has held a note for 7 steps, all it
# sees is `HOLD`, and at temperature 0 it always plays its favourite token after `HOLD`s: another
# `HOLD`. The net remembers the whole call and where it is in the bar.) Then find the temperature
# you like best.

# %%
duet_widget({"neural (shipped)": neural, "neural (yours)": my_model, "Markov": markov},
            call=call_text, temperature=0.8)

# %% [markdown]
# ## 6. Optional: sing your call
# *(10 minutes; no microphone needed for the exercise.)* AI Duet listens to a keyboard. Can the
# computer listen to your **voice**? A recording is only a list of numbers, so the notes have to be
# found in it first, in three steps:
# 1. **pitch curve:** every 8 ms, YIN (lesson 03 opens it) measures how high the sound is;
# 2. **notes:** where the curve stays at one height, that is one note; a jump that stays is a new note;
# 3. **grid:** a one-bar count-in gives the tempo, so each note is rounded to the 16th-note steps the
#    duet models read.
#
# Here is a singer with some vibrato (the small quick wobble), at 100 beats per minute. Listen, then
# look at the curve alone.

# %%
from lessonkit.checks import lesson02_sing as check_sing
from lessonkit.transcribe import track_notes, transcribe

sung = check_sing.sung_example()
audio.play(sung)
plots.pitch_curve(track_notes(sung), found=False)
plt.show()

# %% [markdown]
# ### Exercise 5 · Be the transcriber (5 minutes)
# Write the notes you see as text, like `"C4 D4 E4*2"`. One beat lasts 0.6 s at 100 bpm: a
# one-beat note has no suffix, `*2` lasts two beats. Read each note at the middle of its wobble.

# %%
my_notes = "C4 C4 C4 C4"     # YOUR ANSWER: the notes of the curve above
check_sing.check_sung_notes(my_notes)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# my_notes = "D4 F4 A4 G4 | F4*2 E4*2"
# ```
# </details>
#
# Now lessonkit does the same: the grey curve, the notes it found (outlined) and the notes on the grid
# (blue). Did it agree with you? (Its last note may come out a little long: the voice rings on after
# the singer stops, and the computer cannot tell the echo from the note.)

# %%
heard = transcribe(sung, tempo_bpm=100, start_s=0.3)     # beat 1 of the count-in fell at 0.3 s
print(heard)
plots.pitch_curve(heard)
plt.show()

# %% [markdown]
# **Ask yourself:** rounding every 8 ms frame to the nearest note, without step 2, would be simpler.
# What would it make of the vibrato?
#
# <details><summary>Our answer</summary>
#
# The wobble crosses the border between two notes several times a second, so frame-by-frame rounding
# turns one sung note into a flurry of short notes. On our test set of 100 sung phrases with vibrato
# it finds only about 1 note in 4 correctly; with step 2 about 93 in 100
# (`benchmarks/RESULTS.md`, section *transcribe*).
# </details>
#
# **Try it** (if your computer has a microphone): in the duet below, press **● Record**, wait for the
# four clicks, and sing two bars on "loo". Your notes appear in the text box: fix a wrong one by
# typing, then press **Respond**. You can also bring a MIDI file as the call, and **Save MIDI + WAV**
# takes the duet home to a music program. (The browser asks once to use the microphone; at school it
# works when Jupyter runs on your computer or over https.)

# %%
duet_widget(call="D4 F4 A4 G4 | F4*2 E4*2", sing=True)

# %% [markdown]
# ## Key points
# - A **neural melody model** reads the call one step at a time, keeps a memory, and gives a
#   **probability to every possible next step** (pitch and timing together); the answer is drawn
#   from those probabilities, step by step.
# - **Training** nudges the weights so that the real next tokens of thousands of tunes get higher
#   probability; the **valid** loss tells us when to stop.
# - **NLL** (average surprise, nats per step) and **perplexity** (`e ** NLL`) on tunes no model has
#   seen compare models fairly: lower is better. Rules give no probabilities, so they get the score
#   of a blind guess (perplexity 130).
# - A **Markov model** sees only its last few tokens: after a long note, only `HOLD`s. The neural net
#   keeps a memory of the whole call.
# - **Temperature** reshapes the probabilities: low is safe and repetitive, high is surprising and
#   eventually random.
# - *(Optional part)* To answer a **voice**, the computer first turns sound into notes: a pitch curve,
#   notes where the curve stays put (vibrato is not a new note), and a grid from the count-in.
#
# ## Discussion
# 1. The answer depends on a roll of the dice. Is it still *the computer's* answer? Whose music is it:
#    yours, the net's, or the folk musicians' whose tunes it learned from?
# 2. The net answers in the style of German, Chinese, Irish and Scottish folk tunes. What would it
#    play if you trained it on your favourite band? What would it never be able to play?
# 3. If a model has a lower NLL, is it a better *musician*? What else would you want to measure?
#
# **Coming next:** lesson 03 (not ready yet), where a different network learns to compress and
# rebuild **sounds**, and lets you morph a flute into a guitar.
