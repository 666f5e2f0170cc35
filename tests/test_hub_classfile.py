"""make hub's checks on bad input: the class list, a port in use, unknown users, a second start.

Fast: nothing here starts a hub. The checks must fail with a clear message before anything is
created (no state folder, no user).
"""

import os
import pathlib
import pwd
import socket
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hub"))

import classhub  # noqa: E402


def _class(tmp_path, text):
    p = tmp_path / "class.txt"
    p.write_text(text)
    return str(p)


def test_a_good_class_list_gives_teachers_and_students_in_order(tmp_path):
    k = classhub.read_class(_class(tmp_path, "# 9b\nmsmith admin\n\nanna   # first row\nben\nchloe_2\n"))
    assert k == {"teachers": ["msmith"], "students": ["anna", "ben", "chloe_2"]}


@pytest.mark.parametrize("text, said", [
    ("msmith admin\nanna\nben\nanna\n", "line 4: 'anna' is listed twice (first on line 2)"),
    ("msmith admin\nAnna Müller\n", "after the name only the word 'admin' may follow"),
    ("msmith admin\nAnna.M\n", "'Anna.M' is not a Linux user name"),
    ("msmith admin\n2ben\n", "e.g. 's_2ben'"),
    ("msmith admin\nroot\n", "'root' is a system or reserved name"),
    ("anna\nben\n", "no teacher"),
    ("msmith admin\n", "no students"),
    ("msmith teacher\nanna\n", "only the word 'admin'"),
])
def test_a_bad_class_list_names_every_problem_with_its_line(tmp_path, text, said):
    with pytest.raises(classhub.HubError) as e:
        classhub.read_class(_class(tmp_path, text))
    assert said in str(e.value)
    assert "nothing was changed" in str(e.value)


def test_a_missing_class_file_says_how_to_write_one(tmp_path):
    with pytest.raises(classhub.HubError, match="one user name a line"):
        classhub.read_class(str(tmp_path / "nope.txt"))


def test_all_problems_are_listed_at_once(tmp_path):
    with pytest.raises(classhub.HubError) as e:
        classhub.read_class(_class(tmp_path, "t admin\nanna\nanna\nB!\n"))
    assert "line 3" in str(e.value) and "line 4" in str(e.value)


def test_memory_limits_are_read_like_2G_and_bad_ones_explained():
    assert classhub.parse_size("2G") == 2 * 2**30
    assert classhub.parse_size("1500M") == 1500 * 2**20
    with pytest.raises(classhub.HubError, match="like 2G"):
        classhub.parse_size("two gigs")


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="make hub runs as root")


@needs_root
def test_a_port_in_use_is_refused_before_anything_is_created(tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    state = tmp_path / "state"
    try:
        with pytest.raises(classhub.HubError, match=f"Port {port} is already in use.*HUB_PORT={port + 1}"):
            classhub.start(_class(tmp_path, "lkzz_t admin\nlkzz_a\n"), state=str(state), port=port)
    finally:
        busy.close()
    assert not state.exists()


@needs_root
def test_students_without_a_system_user_are_named_and_nothing_is_started(tmp_path):
    state = tmp_path / "state"
    with pytest.raises(classhub.HubError, match="lkzz_a.*make hub-users"):
        classhub.start(_class(tmp_path, "lkzz_t admin\nlkzz_a\n"), state=str(state), port=classhub.free_port())
    assert not state.exists()


@needs_root
def test_an_existing_account_not_made_for_the_class_is_never_adopted(tmp_path):
    other = next(u.pw_name for u in pwd.getpwall()
                 if classhub.NAME_RE.match(u.pw_name) and u.pw_name not in classhub.RESERVED
                 and classhub.MARKER not in u.pw_gecos)
    state = tmp_path / "state"
    with pytest.raises(classhub.HubError, match=f"'{other}'.*nothing was changed"):
        classhub.ensure_users(classhub.read_class(_class(tmp_path, f"lkzz_t admin\n{other}\n")), str(state))
    assert classhub._user("lkzz_t") is None and not state.exists()


def test_the_make_targets_refuse_to_run_without_a_class_list():
    import subprocess

    out = subprocess.run(["make", "-s", "hub", f"STAMP_RUN=", f"STAMP_HUB="], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode != 0 and "make hub CLASS=" in out.stdout + out.stderr
