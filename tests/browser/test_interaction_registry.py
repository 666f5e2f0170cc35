"""Fast checks (no browser): every lesson registers an interaction, and the skip rules hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from .chromium import missing_browser_action
from .interactions import INTERACTIONS, NO_INTERACTION
from .servers import fixture_notebooks, lesson_notebooks

LESSONS = lesson_notebooks()


@pytest.mark.parametrize("notebook", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_has_an_interaction(notebook):
    if notebook.stem not in INTERACTIONS and notebook.stem not in NO_INTERACTION:
        pytest.fail(
            f"{notebook.name} has no browser interaction. Register one in tests/browser/interactions.py "
            f"with @interaction({notebook.stem!r}): move a slider, pick from a dropdown or press a button, "
            "and assert the plot or the sound changed. (Only if there is truly nothing to interact with, "
            "add it to NO_INTERACTION with the reason.)", pytrace=False)


def test_interactions_name_real_notebooks():
    names = {p.stem for p in LESSONS + fixture_notebooks()}
    stale = sorted(set(INTERACTIONS) - names)
    assert not stale, f"interactions registered for notebooks that do not exist: {stale}"


def test_no_interaction_entries_say_why():
    for name, reason in NO_INTERACTION.items():
        assert len(reason.strip()) > 10, f"NO_INTERACTION[{name!r}] needs a reason"
        assert name not in INTERACTIONS, f"{name} is both allowlisted and has an interaction"


def test_missing_chromium_skips_with_a_message_locally():
    kind, message = missing_browser_action(Path("/nonexistent/chromium"), env={})
    assert kind == "skip"
    assert "make browser-deps" in message


def test_missing_chromium_fails_on_ci():
    kind, message = missing_browser_action(Path("/nonexistent/chromium"), env={"CI": "true"})
    assert kind == "fail"
    assert "CI=true" in message
