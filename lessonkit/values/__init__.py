"""What does a model value? Its preferences, made visible with numbers.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

A melody model has no opinions, but it has *preferences*: the notes, leaps and rhythms it gives
high probability to. They come from what it was fed. This module measures them:

* :func:`style_profile` sums up a set of melodies in a few numbers (how big the leaps are, how
  many notes a bar, how wide the range): compare a model's output with the corpus;
* :func:`interval_distribution` / :func:`total_variation`: the share of each interval, and how far
  two such distributions are apart (0 = identical, 1 = nothing in common);
* :func:`likelihood_table`: how surprised a model is by a real tune, by its own output and by a
  random melody (NLL, nats per step): what it finds "natural";
* **steering**: the same network fine-tuned on one collection only, O'Neill's Irish dance tunes
  (``"oneill"``) or the German songs of the Essen collection (``"german"``)
  (:func:`load_steered`, shipped in ``data/duet_<collection>.safetensors``, made by
  ``python -m lessonkit train duet-collection --collection oneill``). Ask both the same calls and
  :func:`style_profile` shows their answers following what each was fed.

Fine-tuning starts from the shipped duet network (``data/duet_neural.safetensors``) and trains it
a few hundred more steps on one collection's train tunes (:func:`fine_tune`), so it keeps what it
knows about melodies in general and shifts its preferences towards that collection.
"""

from .profiles import (MAX_INTERVAL, StyleProfile, answers, interval_distribution, likelihood_table, opening_calls,
                       pitch_class_distribution, random_melody, style_profile, total_variation)
from .steering import (COLLECTIONS, collection_tunes, fine_tune, in_collection, load_steered, main, steered_path)

__all__ = ["MAX_INTERVAL", "StyleProfile", "answers", "interval_distribution", "likelihood_table", "opening_calls",
           "pitch_class_distribution", "random_melody", "style_profile", "total_variation", "COLLECTIONS",
           "collection_tunes", "fine_tune", "in_collection", "load_steered", "main", "steered_path"]
