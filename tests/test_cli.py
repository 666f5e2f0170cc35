"""The lessonkit command line lists its commands and fails clearly on unknown ones."""

import subprocess
import sys


def _run(*args):
    return subprocess.run([sys.executable, "-m", "lessonkit", *args], capture_output=True, text=True)


def test_help_lists_the_data_commands():
    out = _run("--help")
    assert out.returncode == 0
    assert "data build" in out.stdout and "data build-instruments" in out.stdout


def test_unknown_command_exits_2_with_usage():
    out = _run("data", "explode")
    assert out.returncode == 2
    assert "unknown command 'data explode'" in out.stderr and "usage:" in out.stderr


def test_train_synth_is_a_command_with_its_options(capsys):
    import pytest

    from lessonkit.__main__ import main

    with pytest.raises(SystemExit) as done:
        main(["train", "synth", "--help"])
    assert done.value.code == 0
    assert "--code-sizes" in capsys.readouterr().out
