"""One set of validators (lessonkit/errors.py): every public edge agrees on what a whole number is.

The rules (see the errors module docstring): 3.0 is a whole number (returned as int 3); 2.5,
"3", None and True are the wrong *type* (LessonkitTypeError); a number out of range is a
*value* error (LessonkitValueError, or the caller's subclass such as ModelError).
"""

import math

import numpy as np
import pytest

from lessonkit import Melody, Note
from lessonkit.errors import (LessonkitError, LessonkitTypeError, LessonkitValueError, MelodyError, ModelError,
                              expect_int, expect_number)
from lessonkit.models.base import check_seed, check_temperature
from lessonkit.models.responder import MAX_BARS, check_bars
from lessonkit.training import TrainConfig


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3), 3.0, np.float32(3.0)])
def test_expect_int_accepts_whole_numbers_and_returns_an_int(value):
    out = expect_int(value, "n")
    assert out == 3 and type(out) is int


@pytest.mark.parametrize("value", [2.5, "3", None, True, [3], float("nan"), float("inf"), np.float64(0.5)])
def test_expect_int_refuses_what_is_not_a_whole_number_as_a_type_error(value):
    with pytest.raises(LessonkitTypeError) as err:
        expect_int(value, "n", advice="a whole number such as 3")
    assert "is not a whole number: use a whole number such as 3" in str(err.value)
    assert str(err.value).startswith("n=")


def test_expect_int_range_errors_are_value_errors_with_the_callers_class():
    with pytest.raises(LessonkitValueError, match=r"n=0 is too small: use a whole number from 1 to 4\."):
        expect_int(0, "n", low=1, high=4)
    with pytest.raises(LessonkitValueError, match=r"n=5 is too large: use a whole number from 1 to 4\."):
        expect_int(5.0, "n", low=1, high=4)
    with pytest.raises(ModelError, match="Try again"):
        expect_int(-1, "n", low=0, error=ModelError, hint="Try again.")
    assert issubclass(ModelError, LessonkitValueError) and issubclass(MelodyError, LessonkitValueError)


@pytest.mark.parametrize("value, expected", [(1, 1.0), (0.5, 0.5), (np.float32(2.0), 2.0), (np.int16(3), 3.0)])
def test_expect_number_accepts_real_numbers(value, expected):
    out = expect_number(value, "x")
    assert out == expected and type(out) is float


def test_expect_number_type_and_value_errors():
    for bad in ("1", None, True):
        with pytest.raises(LessonkitTypeError, match="is not a number"):
            expect_number(bad, "x")
    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(LessonkitValueError, match="is out of range"):
            expect_number(bad, "x", low=0)
    with pytest.raises(LessonkitValueError, match="x=0 is out of range: use a number > 0"):
        expect_number(0, "x", positive=True)


# ----------------------------------------------------------------------------- every edge agrees


EDGES = {
    "check_seed": lambda v: check_seed(v),
    "check_bars": lambda v: check_bars(v),
    "TrainConfig(seed=)": lambda v: TrainConfig(seed=v).seed,
    "TrainConfig(max_steps=)": lambda v: TrainConfig(max_steps=v).max_steps,
    "Melody(length_steps=)": lambda v: Melody.parse("C4/4 D4/4").copy(length_steps=v).length_steps,
    "Note(onset_steps=)": lambda v: Note(60, v, 1).onset_steps,
    "Note(duration_steps=)": lambda v: Note(60, 0, v).duration_steps,
    "Melody.window": lambda v: Melody.parse("C4 D4 E4 F4").window(0, v).length_steps,
    "Melody.transpose": lambda v: int(Melody.parse("C4").transpose(v).pitches[0]) - 60,
}


@pytest.mark.parametrize("edge", EDGES)
def test_every_edge_reads_3_point_0_as_3(edge):
    assert EDGES[edge](3.0) == 3


@pytest.mark.parametrize("edge", EDGES)
@pytest.mark.parametrize("value", [2.5, "3", True, [3]])
def test_every_edge_calls_a_non_whole_number_a_type_error(edge, value):
    with pytest.raises(LessonkitTypeError):
        EDGES[edge](value)


def test_models_raise_model_errors_for_impossible_values_and_type_errors_for_wrong_types():
    with pytest.raises(ModelError, match="cannot be negative"):
        check_seed(-1)
    with pytest.raises(ModelError, match=f"1 to {MAX_BARS}"):
        check_bars(0)
    with pytest.raises(ModelError, match="temperature"):
        check_temperature(-0.5)
    with pytest.raises(ModelError):
        check_temperature(math.nan)
    with pytest.raises(LessonkitTypeError):
        check_temperature("hot")
    with pytest.raises(LessonkitTypeError):
        check_seed("0")
    assert check_temperature(0) == 0.0 and check_seed(np.int64(7)) == 7


def test_every_validator_error_is_a_lessonkit_error():
    for call in (lambda: expect_int("x", "n"), lambda: expect_int(-1, "n", low=0),
                 lambda: expect_number("x", "x"), lambda: check_bars(1000)):
        with pytest.raises(LessonkitError):
            call()
