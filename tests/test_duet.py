"""The duet responders: rules, Markov model and GRU behind one interface; bad input."""

import math

import numpy as np
import pytest
import torch

from lessonkit import Melody
from lessonkit.errors import LessonkitError, LessonkitTypeError, MelodyError, ModelError
from lessonkit.models import duet, markov, melody_rnn, rules
from lessonkit.training import TrainConfig

TUNES_TEXT = [
    "C4 D4 E4 C4 | C4 D4 E4 C4 | E4 F4 G4*2 | E4 F4 G4*2",
    "G4/2 A4/2 G4/2 F4/2 E4 C4 | G4/2 A4/2 G4/2 F4/2 E4 C4 | C4 G3 C4*2 | C4 G3 C4*2",
    "E4 E4 F4 G4 | G4 F4 E4 D4 | C4 C4 D4 E4 | E4*3/2 D4/2 D4*2",
    "C4 C4 G4 G4 | A4 A4 G4*2 | F4 F4 E4 E4 | D4 D4 C4*2",
    "D4/2 E4/2 F#4/2 G4/2 A4 r | B4/2 A4/2 G4/2 F#4/2 E4 r | D4*4",
]


def corpus():
    tunes = []
    for shift in (-2, 0, 2, 5):
        tunes += [Melody.parse(t).transpose(shift) for t in TUNES_TEXT]
    return tunes


@pytest.fixture(scope="module")
def markov_model():
    return markov.MarkovModel(3).fit(corpus())


@pytest.fixture(scope="module")
def neural_model():
    config = melody_rnn.Config(hidden=32, token_dim=16, position_dim=4, seq_len=32, batch_size=8)
    responder, _ = melody_rnn.train_model(corpus(), corpus()[:5], config,
                                          TrainConfig(max_steps=40, max_seconds=None, progress=False, threads=1))
    return responder


@pytest.fixture(params=["rules", "markov", "neural"])
def responder(request, markov_model, neural_model):
    return {"rules": rules.RuleResponder(), "markov": markov_model, "neural": neural_model}[request.param]


CALL = Melody.parse("C4 E4 G4 E4 | D4/2 E4/2 F4/2 D4/2 C4*2")


# ----------------------------------------------------------------------------- the interface


def test_answer_has_the_asked_length_and_starts_with_a_note(responder):
    for bars in (1, 2, 4):
        answer = responder.respond(CALL, bars=bars, seed=1)
        assert answer.length_steps == 16 * bars
        assert answer.onsets_steps[0] == 0


def test_answer_follows_the_meter_of_the_call(responder):
    waltz = Melody.parse("C4 E4 G4 | C5*3", meter="3/4")
    answer = responder.respond(waltz, bars=2)
    assert answer.length_steps == 24 and answer.meter == "3/4"


def test_same_seed_same_answer_and_seeds_differ(responder):
    a = responder.respond(CALL, seed=3)
    assert a == responder.respond(CALL, seed=3)
    if responder.kind != "rules":
        answers = {str(responder.respond(CALL, seed=s, temperature=1.5)) for s in range(6)}
        assert len(answers) > 1


def test_temperature_zero_is_greedy_and_ignores_the_seed(responder):
    assert responder.respond(CALL, temperature=0, seed=0) == responder.respond(CALL, temperature=0, seed=99)


def test_generate_returns_one_distribution_per_answer_step(responder):
    answer, probs = responder.generate(CALL, bars=2)
    assert probs.shape == (32, 130)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-6)


def test_nll_is_positive_and_learned_models_beat_a_uniform_guess(responder):
    nll = responder.nll(corpus())
    assert nll > 0
    if responder.kind == "rules":
        assert nll == pytest.approx(math.log(130))
    else:
        assert nll < math.log(130) / 2


def test_answers_in_the_register_and_key_of_the_call(markov_model, neural_model):
    for model in (markov_model, neural_model):
        for shift in (-24, 1, 6, 24):
            call = CALL.transpose(shift)
            answer = model.respond(call, temperature=0.3)
            assert abs(np.median(answer.pitches) - np.median(call.pitches)) <= 9
            moved = answer.meta["transposed_by"]
            assert low_high_inside(call.pitches + moved, model.pitch_range)


def low_high_inside(pitches, pitch_range):
    return pitch_range[0] <= pitches.min() and pitches.max() <= pitch_range[1]


def test_model_probabilities_match_between_generation_and_scoring(neural_model):
    call = Melody.parse("C4 D4 E4 F4")
    answer, probs = neural_model.generate(call, bars=1, seed=2)
    shift = answer.meta["transposed_by"]
    tokens = np.concatenate([call.to_tokens(), answer.to_tokens()])
    shifted = np.where(tokens < 128, tokens + shift, tokens)
    logp = neural_model._log_softmax([(shifted, 16, 0)])[0]
    expected = np.exp(logp[16:])
    expected = duet._unshift_probs(expected, shift)
    assert np.allclose(probs, expected, atol=1e-5)


def test_accuracy_is_a_share(markov_model, neural_model):
    for model in (markov_model, neural_model):
        assert 0 < model.accuracy(corpus()[:3]) <= 1


def test_call_can_be_text_or_tokens(markov_model):
    assert markov_model.respond("C4 E4 G4 E4", seed=0) == markov_model.respond(Melody.parse("C4 E4 G4 E4"), seed=0)
    tokens = Melody.parse("C4 E4 G4 E4").to_tokens()
    assert markov_model.respond(list(tokens), seed=0) == markov_model.respond(tokens, seed=0)


def test_a_long_call_is_cut_to_its_last_bars(markov_model):
    long_call = Melody.parse(" ".join(["C4 D4 E4 F4"] * 100))
    assert markov_model.respond(long_call).length_steps == 32


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call", ["", "   ", [], np.array([], dtype=int)])
def test_empty_call_is_a_clear_error(responder, call):
    with pytest.raises(ModelError, match="empty"):
        responder.respond(call)


def test_call_of_only_rests_is_a_clear_error(responder):
    with pytest.raises(ModelError, match="only rests"):
        responder.respond([129, 129, 128, 129])
    with pytest.raises(MelodyError, match="no notes"):
        responder.respond("r r r")


def test_pitch_outside_midi_is_a_clear_error(responder):
    with pytest.raises(MelodyError):
        responder.respond([60, 200, 129])
    with pytest.raises(LessonkitError):
        responder.respond("C11")


def test_pitches_outside_the_models_range_are_moved_in_and_back(markov_model, neural_model):
    very_low = Melody.parse("C0 D0 E0 C0")
    very_high = Melody.parse("C9 D9 E9 G9")
    for model in (markov_model, neural_model):
        low = model.respond(very_low, temperature=0.5)
        assert low.pitches.max() < 40
        high = model.respond(very_high, temperature=0.5)
        assert high.pitches.min() > 100 and high.pitches.max() <= 127


def test_call_wider_than_the_model_is_a_clear_error(markov_model):
    with pytest.raises(ModelError, match="spans"):
        markov_model.respond("C1 C8")


@pytest.mark.parametrize("temperature", [-0.5, -1, float("nan"), float("inf")])
def test_bad_temperature_is_a_clear_error(responder, temperature):
    with pytest.raises(ModelError, match="temperature"):
        responder.respond(CALL, temperature=temperature)


@pytest.mark.parametrize("bars", [0, -1, 10_000])
def test_bad_length_is_a_clear_error(responder, bars):
    with pytest.raises(ModelError, match="bars"):
        responder.respond(CALL, bars=bars)


@pytest.mark.parametrize("bars", [2.5, "2", True])
def test_length_must_be_a_whole_number(responder, bars):
    with pytest.raises(LessonkitTypeError):
        responder.respond(CALL, bars=bars)


def test_nll_of_nothing_is_a_clear_error(responder):
    with pytest.raises(ModelError, match="no melodies"):
        responder.nll([])


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ModelError, match="rules"):
        duet.load_pretrained("transformer")


def test_rules_responder_ignores_temperature_and_seed():
    r = rules.RuleResponder("echo")
    assert r.respond(CALL, temperature=0.1, seed=1) == r.respond(CALL, temperature=2.0, seed=7)


# ----------------------------------------------------------------------------- rules


def test_echo_plays_the_call_back():
    call = Melody.parse("C4 D4 E4 F4 | G4*4")
    assert rules.RuleResponder("echo").respond(call, bars=2) == call


def test_invert_mirrors_around_the_first_note():
    inverted = rules.invert(Melody.parse("C4 E4 G4 D4"))
    assert list(inverted.pitches) == [60, 56, 53, 58]


def test_retrograde_reverses_notes_and_rhythm():
    back = rules.retrograde(Melody.parse("C4*2 D4 E4"))
    assert str(back) == "E4 D4 C4*2"


def test_answer_on_the_dominant_moves_a_fifth_and_goes_home():
    answer = rules.answer_on_dominant(Melody.parse("C4 D4 E4 G4"))
    assert list(answer.pitches[:3]) == [67, 69, 71] and answer.pitches[-1] % 12 == 0


def test_rules_keep_pitches_in_midi_range():
    high = Melody.parse("G9 F9 E9 D9")
    for rule in rules.RULES.values():
        out = rule(high)
        assert out.pitches.max() <= 127 and out.pitches.min() >= 0


def test_a_student_can_add_a_rule():
    def up_an_octave(call):
        return call.transpose(12)

    r = rules.RuleResponder(up_an_octave)
    assert list(r.respond("C4 E4 G4 C5", bars=1).pitches) == [72, 76, 79, 84]
    assert r.name == "up_an_octave"


def test_a_broken_rule_gives_a_clear_error():
    with pytest.raises(LessonkitTypeError, match="must return a Melody"):
        rules.RuleResponder(lambda call: [60, 62]).respond(CALL)
    with pytest.raises(ModelError, match="failed"):
        rules.RuleResponder(lambda call: 1 / 0).respond(CALL)
    with pytest.raises(ModelError, match="no rule called"):
        rules.RuleResponder("sing backwards")


def test_short_rule_answers_are_padded_with_rests():
    answer = rules.RuleResponder("echo").respond("C4 D4", bars=2)
    assert answer.length_steps == 32 and len(answer) == 2


# ----------------------------------------------------------------------------- Markov


def test_transition_counts_count_each_pair():
    counts = markov.transition_counts([Melody.parse("C4/4 D4/4 C4/4 D4/4")])
    assert counts[60, 62] == 2 and counts[62, 60] == 1 and counts.sum() == 3


@pytest.mark.parametrize("order", [1, 2, 4, 8])
def test_kneser_ney_probabilities_sum_to_one(order):
    model = markov.MarkovModel(order).fit(corpus())
    for context in ([], [60, 128], [60, 128, 128, 128, 62], [5, 6, 7, 8, 9, 10, 11]):
        p = model.prob(np.column_stack([np.tile(_ctx(context, order), (130, 1)), np.arange(130)]))
        assert p.sum() == pytest.approx(1.0, abs=1e-9)
        assert p.min() > 0


def _ctx(context, order):
    padded = np.concatenate([np.full(order - 1, duet.BOS), np.asarray(context, dtype=np.int64)])
    return padded[len(padded) - (order - 1):] if order > 1 else padded[:0]


def test_higher_orders_fit_the_training_tunes_better():
    tunes = corpus()
    nlls = [markov.MarkovModel(k).fit(tunes).nll(tunes) for k in (1, 2, 4, 6)]
    assert nlls == sorted(nlls, reverse=True)


def test_best_order_is_chosen_on_valid():
    tunes = corpus()
    model, scores = markov.fit_best_order(tunes[:15], tunes[15:], orders=range(1, 5))
    assert model.order == min(scores, key=scores.get)


def test_bad_order_is_a_clear_error():
    with pytest.raises(ModelError):
        markov.MarkovModel(0)
    with pytest.raises(ModelError):
        markov.MarkovModel(9)
    with pytest.raises(ModelError, match="fit"):
        markov.MarkovModel(2).respond(CALL)


# ----------------------------------------------------------------------------- GRU


def test_gru_shapes():
    model = melody_rnn.MelodyRNN(melody_rnn.Config(hidden=8, token_dim=4, position_dim=2))
    logits, state = model(torch.zeros(3, 5, dtype=torch.long), torch.arange(5).repeat(3, 1))
    assert logits.shape == (3, 5, 130) and state.shape == (1, 3, 8)


def test_saved_model_loads_with_the_same_answers(neural_model, tmp_path):
    path = neural_model.save(tmp_path / "duet.safetensors")
    loaded = melody_rnn.NeuralResponder.load(path)
    assert loaded.respond(CALL, seed=4) == neural_model.respond(CALL, seed=4)
    assert loaded.nll(corpus()) == pytest.approx(neural_model.nll(corpus()), rel=1e-9)
    assert loaded.pitch_range == neural_model.pitch_range


def test_encode_aligns_previous_target_and_position():
    previous, target, position = melody_rnn.encode([Melody.parse("C4 D4/2", meter="4/4")])
    assert list(previous[:2]) == [duet.BOS, 60] and list(target[:5]) == [60, 128, 128, 128, 62]
    assert list(position) == [0, 1, 2, 3, 4, 5]


def test_missing_shipped_weights_say_how_to_rebuild(monkeypatch, tmp_path):
    from lessonkit.errors import DataFileError

    monkeypatch.setattr(melody_rnn, "DEFAULT_WEIGHTS", str(tmp_path / "gone.safetensors"))
    with pytest.raises(DataFileError, match="train duet"):
        melody_rnn.load_pretrained()


@pytest.mark.slow
def test_shipped_responders_answer_and_beat_the_ngram():
    from lessonkit.datasets import load_tunes

    test = load_tunes("test")[::8]
    neural, markov_model = duet.load_pretrained("neural"), duet.load_pretrained("markov")
    assert neural.nll(test) < 0.85 * markov_model.nll(test)
    for model in (neural, markov_model, duet.load_pretrained("rules")):
        answer = model.respond(CALL, bars=2, seed=0)
        assert answer.length_steps == 32 and answer == model.respond(CALL, bars=2, seed=0)


def test_cli_train_duet_writes_both_files(tmp_path, monkeypatch):
    import lessonkit.datasets as datasets

    monkeypatch.setattr(datasets, "load_tunes", lambda split: corpus()[:12] if split == "train" else corpus()[12:])
    from lessonkit.train import duet as train_duet

    assert train_duet(["--steps", "3", "--out", str(tmp_path), "--threads", "1"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["duet_markov.json", "duet_neural.safetensors"]
    loaded = melody_rnn.load_pretrained(str(tmp_path / "duet_neural.safetensors"))
    assert loaded.info["steps"] == 3 and "test_nll" in loaded.info
    with pytest.raises(LessonkitError, match="already exists"):
        train_duet(["--steps", "3", "--out", str(tmp_path)])


def test_numpy_step_matches_the_torch_gru(neural_model):
    model = neural_model.model
    previous, position = torch.tensor([[duet.BOS, 60, 128, 62]]), torch.tensor([[0, 1, 2, 3]])
    with torch.no_grad():
        logits, _ = model(previous, position)
        _, memory = model(previous[:, :3], position[:, :3])
    step_logits, _ = neural_model.step(62, 3, memory[0, 0].numpy())
    assert np.allclose(step_logits, logits[0, 3].numpy(), atol=1e-5)


def test_same_seed_trains_the_same_weights():
    config = melody_rnn.Config(hidden=16, token_dim=8, position_dim=4, seq_len=16, batch_size=4)
    runs = [melody_rnn.train_model(corpus(), corpus()[:5], config, TrainConfig(
        max_steps=10, max_seconds=None, seed=seed, progress=False, threads=1))[0] for seed in (7, 7, 8)]
    weights = [r.model.head.weight.detach() for r in runs]
    assert torch.equal(weights[0], weights[1]) and not torch.equal(weights[0], weights[2])
