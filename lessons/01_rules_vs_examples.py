# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 01 · Rules vs. examples
#
# At a school in Hong Kong, students played a duet with a computer, AI Duet: they played a few notes
# and the computer answered. Their teachers explained the trick: *unlike other software, where the
# computer receives a set of rules, AI Duet is played lots of example melodies, so that over time it
# understands the relationship between notes and timings.* In this lesson you build both kinds of
# computer musician. First one that follows **rules** you write; then one that learns from
# **examples**, by counting what follows what in thousands of folk tunes.
#
# **Time:** about 50 minutes (30 minutes of guided work, 20 minutes of exercises).
#
# **Questions**
# - What can a musician made of rules do, and what can it never do?
# - What can a computer learn just by counting, and where does counting run out?
#
# **Learning objectives.** By the end you can:
# 1. write a rule that answers a phrase (an *inversion*) and plug it into a duet;
# 2. count note transitions in thousands of tunes (a *bigram table*) and read the table;
# 3. turn counts into next-step probabilities and sample an answer from them;
# 4. explain why a Markov model that remembers more steps needs *smoothing*, and measure how much
#    remembering more helps by testing it on tunes it has never seen.

# %% [markdown]
# ## Setup
# Run this cell first (Shift+Enter). Nothing here downloads anything.

# %%
import numpy as np
import matplotlib.pyplot as plt

from lessonkit import Melody, note_name, HOLD, REST
from lessonkit import audio, plots
from lessonkit.datasets import load_tunes
from lessonkit.models import rules
from lessonkit.models.markov import MarkovModel, transition_counts
from lessonkit.widgets.duet import duet_widget, padded_call
from lessonkit.checks import lesson01 as check


# %% [markdown]
# ## 1. A computer given rules
# The simplest answer to a phrase is to play it back: an **echo**. A *rule* is a function that takes
# the call (a `Melody`) and returns the answer. Here is the echo rule, exactly as it is written in
# `lessonkit.models.rules`:

# %%
def echo(call):
    return call

call_text = "C4 E4 G4 E4 | D4/2 E4/2 F4/2 D4/2 E4/2 F4/2 G4"
call = Melody.parse(call_text)
answer = echo(call)
plots.piano_roll(call, answer, title="call and echo")
plt.show()
audio.play(call.then(answer))

# %% [markdown]
# Musicians have used a few rules for centuries: play the phrase a step higher (a *sequence*), upside
# down (an *inversion*), backwards (a *retrograde*), or a fifth higher (an *answer on the dominant*,
# how a fugue answers its subject). Our dominant rule is a *tonal* answer: every note goes a fifth
# (7 semitones) higher, except the last one, which goes home to the call's first note (here the G4
# at the end becomes C5, +5 instead of +7: compare the call and the answer printed below).
# `rules.RULES` has them, and `RuleResponder` turns any rule into a duet partner with the same
# `respond(...)` as every model in this course:

# %%
print(list(rules.RULES))
partner = rules.RuleResponder("answer on the dominant")
answer = partner.respond(call, bars=2)
print("call:  ", call)
print("answer:", answer)
audio.play(padded_call(call).then(answer))

# %% [markdown]
# **Try it.** Play your own call on the keyboard below (or type it), pick a rule, and press
# **Respond**. The lower plot shows what the rule "expected" at each step of its answer: a rule is
# always 100 % sure, so there is exactly one black square per step. (The rules ignore the
# *temperature* slider; lesson 02 explains what it does to the models that learn.)

# %%
rule_partners = {name: rules.RuleResponder(name) for name in rules.RULES}
duet_widget(rule_partners, call=call_text)


# %% [markdown]
# ### Exercise 1 · An inversion rule (5 minutes)
# Write the rule `invert(call)`: keep the rhythm, and mirror every pitch around the **first** note,
# so a step up becomes a step down. If the call starts on C4 (60) and goes up to E4 (64, four semitones
# higher), the answer goes down to G#3 (56, four semitones lower).
#
# `call.pitches` is a numpy array of MIDI numbers; `call.copy(pitches=new_pitches)` makes a melody
# with the same rhythm and new pitches.

# %%
def invert(call):
    first = call.pitches[0]
    new_pitches = call.pitches          # YOUR CODE: mirror each pitch around `first`
    return call.copy(pitches=new_pitches)

check.check_invert(invert)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def invert(call):
#     first = call.pitches[0]
#     return call.copy(pitches=2 * first - call.pitches)
# ```
# </details>
#
# Now your rule is a duet partner:

# %%
mine = rules.RuleResponder(invert)
answer = mine.respond(call, bars=2)
plots.piano_roll(padded_call(call), answer, title="call and its inversion")
plt.show()

# %% [markdown]
# **Ask yourself.** Play the same call twice: does a rule ever surprise you? Could a rule tell an
# Irish jig from a German lullaby? How many rules would you need to write to answer *like a folk
# musician*?

# %% [markdown]
# ## 2. A computer given examples
# Instead of writing rules, we give the computer **examples**: thousands of folk tunes from Germany,
# China, Ireland and Scotland. A model reads each tune as *step tokens*, one per 16th note: the pitch
# where a note starts, `HOLD` (128) while it sounds on, `REST` (129) in silence. Pitch *and* timing
# in one list.

# %%
train = load_tunes("train")
valid = load_tunes("valid")
print(len(train), "tunes to learn from,", len(valid), "kept aside to test on")
tune = next(t for t in train if t.meta["title"] == "Die Stiefmutter")   # a German folk song
print(tune.meta["title"], "|", tune)
print(tune.to_tokens()[:24])


# %% [markdown]
# The simplest thing to learn from examples: **which token follows which**. Count every neighbouring
# pair `(a, b)` in every tune into a table, `counts[a, b]`. This is a *bigram table*.
#
# ### Exercise 2 · Count the transitions (10 minutes)
# Write `bigram_counts(tunes)`: a table of shape `(130, 130)` where `counts[a, b]` is how often token `b`
# came right after token `a`. Count pairs **within** each tune (the end of one tune does not lead into
# the next).

# %%
def bigram_counts(tunes):
    counts = np.zeros((130, 130), dtype=int)
    for tune in tunes:
        tokens = tune.to_tokens()
        # YOUR CODE: add 1 to counts[a, b] for each neighbouring pair (a, b) of tokens
    return counts

check.check_bigram_counts(bigram_counts)

# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def bigram_counts(tunes):
#     counts = np.zeros((130, 130), dtype=int)
#     for tune in tunes:
#         tokens = tune.to_tokens()
#         for a, b in zip(tokens[:-1], tokens[1:]):
#             counts[a, b] += 1
#     return counts
# ```
# </details>
#
# `lessonkit.models.markov.transition_counts` does the same, faster; we use it on every training tune:

# %%
counts = transition_counts(train)
print(f"{counts.sum():,} transitions counted")
shown = list(range(60, 80)) + [HOLD, REST]
names = [note_name(p) for p in shown[:-2]] + ["HOLD", "REST"]
fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
ax.imshow(np.log1p(counts[np.ix_(shown, shown)]), cmap="Greys")
ax.set_xticks(range(len(shown)), names, rotation=90)
ax.set_yticks(range(len(shown)), names)
ax.set_xlabel("next token b")
ax.set_ylabel("token a")
ax.set_title("how often b follows a (darker = more often; log scale)")
plt.show()


# %% [markdown]
# (*Log scale*: the shade grows with how many times *more* often a pair came, not how many more. Without
# it the `HOLD` column, counted hundreds of thousands of times, would leave every other square white.)
#
# **Ask yourself.** Why is the `HOLD` column so dark? Find the row of D5: which notes follow it most
# often, and are they near it or far away? What does that say about how folk melodies move?

# %% [markdown]
# ### Exercise 3 · From counts to probabilities (5 minutes)
# To answer, the model needs the **probability** of each next token after the current one. Write
# `next_probs(counts, token)`: the row of the table for `token`, divided so it adds up to 1.

# %%
def next_probs(counts, token):
    row = counts[token]
    return row          # YOUR CODE: make the row add up to 1

check.check_next_probs(next_probs)


# %% [markdown]
# <details><summary>Show a solution (try first!)</summary>
#
# ```python
# def next_probs(counts, token):
#     row = counts[token]
#     return row / row.sum()
# ```
# </details>
#
# Now the computer can **play from examples**: start from the last token of the call, draw the next
# token with these probabilities, then the next, and so on. `rng.choice` draws a token; the `seed`
# makes the draw repeatable.

# %%
def bigram_answer(call, n_steps=32, seed=0):
    rng = np.random.default_rng(seed)
    token = call.to_tokens()[-1]
    out = []
    for _ in range(n_steps):
        row = counts[token]
        if row.sum() == 0:       # a token never followed by anything: start again from a rest
            row = counts[REST]
        token = rng.choice(130, p=row / row.sum())    # what your next_probs does
        out.append(token)
    return Melody.from_tokens(out)   # a HOLD at the very start is read as a rest

answer = bigram_answer(call, seed=1)
print(answer)
plots.piano_roll(call, answer, title="a bigram model answers")
plt.show()
audio.play(call.then(answer))

# %% [markdown]
# **Ask yourself.** Change the seed a few times. The rhythm sounds plausible; does the melody? A
# bigram model remembers only **one** step: after a `HOLD` it has forgotten which note is holding.
# That is why our call ends on a short note: a call that ends on a long note leaves the model nothing
# but `HOLD` to start from, whatever you played before it.

# %% [markdown]
# ## 3. Remembering more: the Markov model
# A **Markov model of order n** looks at the last `n - 1` tokens. It knows much more, but long
# contexts are rare: most 7-token contexts of a new melody never appeared in the examples at all.
# *Smoothing* fixes that: the model mixes in what shorter contexts say, in proportion to how much it
# trusts the long one. (`MarkovModel` uses a recipe called *Kneser-Ney* smoothing, after the two
# people who found it: it keeps back a little probability from every count it has seen and shares it
# out by what shorter contexts say, trusting most the notes that have followed many different
# contexts. Read `lessonkit/models/markov.py`: the counting and the smoothing are a few dozen lines.)
# The model also moves your call into the keys it knows best, answers there, and moves the answer
# back to your key. The duet below tells you when it did: *"it thought in a key +7 semitones away,
# then moved back"* means it moved your call 7 semitones up, answered there, and moved its answer 7
# semitones down again, so you hear it in your key.
#
# Counting takes a few seconds per model:

# %%
markovs = {f"Markov, order {n}": MarkovModel(n).fit(train) for n in (2, 4, 7)}
for name, model in markovs.items():
    print(name, "|", model.respond(call, bars=2, seed=0))

# %% [markdown]
# **Try it.** Compare the three orders in the duet below, and the rules too. Change the seed to hear
# other answers. Which order sounds most like a folk tune? Which one starts to *copy* whole bars?

# %%
duet_widget({**markovs, "rule: answer on the dominant": rules.RuleResponder()}, call=call_text)

# %% [markdown]
# ### How much does remembering more help?
# We cannot judge by ear alone. We measure how **surprised** each model is by tunes it has never seen
# (the *valid* tunes). For each step we take the probability `p` the model gave to the token that
# really came next, and turn it into a *surprise* with the natural logarithm: `-ln p`.
#
# **Logarithms in plain words.** `ln` answers "how many times do I multiply to get there?", so it
# turns *chances* into *amounts of surprise* that add up. A sure thing (`p = 1`) is no surprise at
# all; every time the chance halves, the surprise grows by the same 0.69; a blind guess among the 130
# tokens is 4.87. The unit is called a **nat** (from *natural* logarithm). The cell below prints the
# table. We average the surprise over all steps: *nats per step*, lower is better (lesson 02 uses it
# again).

# %%
for p, name in [(1, "1 (sure)"), (1 / 2, "1/2"), (1 / 4, "1/4"), (1 / 130, "1/130 (a blind guess)")]:
    print(f"p = {name:22s} surprise -ln p = {-np.log(p):.2f} nats")

# %% [markdown]
# A model that remembers too little is often surprised; one that remembers a lot has seen few
# examples of each long context, and needs smoothing to cope. `MarkovModel` goes up to order 8.

# %%
few_valid = valid[::4]
orders = [1, 2, 3, 4, 5, 6, 7, 8]
surprise = [MarkovModel(n).fit(train).nll(few_valid) for n in orders]
plt.figure(figsize=(5, 3), layout="constrained")
plt.plot(orders, surprise, "o-")
plt.xlabel("order (tokens looked at, plus 1)")
plt.ylabel("nats per step on valid tunes")
plt.title("how surprised each Markov model is by new tunes")
plt.show()
best = orders[int(np.argmin(surprise))]
print("least surprised at order", best, "(the largest order tried)" if best == orders[-1] else "")
for n, before, after in zip(orders[1:], surprise, surprise[1:]):
    print(f"order {n - 1} -> {n}: {before - after:+.3f} nats per step")

# %% [markdown]
# **Ask yourself.** Where is the curve flat, and where does it drop? Read the gains printed under the
# plot: they do not shrink evenly. Some extra steps of memory help a lot (often the one that lets the
# model see a whole beat of 4 steps), others hardly at all. Smoothing is why the curve does not shoot
# back up for long orders: an unseen long context falls back on what shorter ones say. Without
# smoothing, an unseen context would get probability 0, an infinite surprise.

# %% [markdown]
# ## Key points
# - A **rule-based** musician does exactly what its rules say: predictable, explainable, never
#   surprising, and blind to style unless someone writes the style down as rules.
# - A musician that **learns from examples** counts what follows what: the *bigram table* is the
#   simplest such model, and its rows become next-step **probabilities** to draw an answer from.
# - Step tokens put **pitch and timing** in one sequence, so counting learns both.
# - A **Markov model** of higher order remembers more, but needs **smoothing**; how much each extra
#   step of memory helps is measured on tunes it has **never seen**. It still sees only its last few
#   tokens: after a long note, nothing but `HOLD`.
#
# ## Discussion
# 1. The Hong Kong students were told AI Duet *is not given rules*. Is that entirely true? Which
#    choices in this lesson (tokens, steps, order, smoothing) were rules that a person wrote?
# 2. A Markov model of high order sometimes plays whole bars of a training tune. Is that learning,
#    or copying? How could you tell?
# 3. Which would you rather play a duet with: the rule, or the Markov model? Why?
#
# **Next:** in lesson 02 you train a small **neural network** on the same tunes and compare it with
# these counting models, by ear and by numbers.
