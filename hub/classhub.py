"""``make hub``: a whole class on one JupyterHub server (teachers' tooling).

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "5. A whole class").

Run as root on the class server, from the repository (the Makefile calls it)::

    python hub/classhub.py check   CLASS_FILE          # read the class list, change nothing
    python hub/classhub.py users   CLASS_FILE          # create the system users (once)
    python hub/classhub.py start   CLASS_FILE [--port]  # set up and start the hub (make hub)
    python hub/classhub.py status | stop | restart
    python hub/classhub.py release NAME | collect NAME  # nbgrader through the hub's exchange
    python hub/classhub.py teardown CLASS_FILE         # stop, remove the users this tool created

What it builds (all under the state folder, ``/srv/lessonkit-hub`` unless ``--state``):

- ``course/``: a git repository of ``notebooks/`` that every student's server pulls with
  nbgitpuller into ``~/lessons`` when it starts (a first copy, later updates that keep the
  student's edits);
- ``exchange/``: nbgrader's exchange folder (release -> fetch -> submit -> collect);
- ``jupyter/nbgrader_config.py``: the course id and exchange, seen by every student server;
- ``secret/`` (root only): the hub's database, cookie secret, API token, the students'
  passwords, the log and the list of the users and permission changes this tool made
  (``teardown`` undoes exactly those).

The shared installation (the venv, ``lessonkit/``, ``data/``) is the repository's own, used in
place: it is readable by students and writable only by root. The teacher-only folders
(``assignments/``, ``grading/``, git's history) are made root-only.

Every student is a real system user (``useradd``): JupyterHub's LocalProcessSpawner starts each
server as that user, so the kernel's file access is the operating system's, and one student
cannot read another's home (mode 700). Memory, CPU and process limits are cgroups (v1 or v2)
that the hub puts each server into before it drops root; where cgroups are not writable the
hub still runs and ``status`` says plainly that nothing is enforced.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_STATE = "/srv/lessonkit-hub"
COURSE_ID = "lessonkit"
MARKER = "lessonkit-hub student"       # the GECOS field of the users this tool creates
CGROUP_PARENT = "lessonkit-hub"
NAME_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")
# Names a class list may never use: system accounts and names that mean something to the hub.
RESERVED = {"root", "admin", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp",
            "proxy", "www-data", "backup", "list", "irc", "gnats", "nobody", "systemd-network", "jupyterhub",
            "hub", "user", "api", "services"}


class HubError(Exception):
    """A teacher's mistake or a machine problem, with what was wrong, what was expected and what to try."""


# ---------------------------------------------------------------- the class list
def read_class(path: str) -> dict:
    """Read a class list: one user name a line, the teacher's line ends with ``admin``.

    Parameters
    ----------
    path : str
        A plain text file. ``#`` starts a comment; blank lines are ignored. Names are Linux
        user names: lower-case letters, digits, ``_`` and ``-``, starting with a letter or ``_``,
        at most 31 characters.

    Returns
    -------
    dict
        ``{"teachers": [names], "students": [names]}`` in file order.

    Raises
    ------
    HubError
        The file is missing or empty, a name is invalid, reserved or listed twice, or no
        teacher is marked. Every problem is listed with its line number.
    """
    if not os.path.isfile(path):
        raise HubError(f"The class list {path!r} does not exist. Write one user name a line (the teacher's line "
                       f"ends with 'admin'), e.g. copy hub/class.example.txt, and pass it as CLASS=path.")
    teachers, students, problems, seen = [], [], [], {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            words = line.split()
            name, role = words[0], words[1:]
            if role not in ([], ["admin"]):
                problems.append(f"line {number}: {line!r}: after the name only the word 'admin' may follow")
                continue
            if not NAME_RE.match(name):
                problems.append(f"line {number}: {name!r} is not a Linux user name (use lower-case letters, digits, "
                                f"'_' and '-', start with a letter, at most 31 characters; e.g. {_suggest(name)!r})")
                continue
            if name in RESERVED:
                problems.append(f"line {number}: {name!r} is a system or reserved name; choose another")
                continue
            if name in seen:
                problems.append(f"line {number}: {name!r} is listed twice (first on line {seen[name]})")
                continue
            seen[name] = number
            (teachers if role else students).append(name)
    if not problems and not teachers:
        problems.append("no teacher: end the teacher's line with the word 'admin' (e.g. 'msmith admin')")
    if not problems and not students:
        problems.append("no students are listed")
    if problems:
        raise HubError(f"The class list {path!r} has problems; nothing was changed:\n  " + "\n  ".join(problems))
    return {"teachers": teachers, "students": students}


def _suggest(name: str) -> str:
    s = re.sub(r"[^a-z0-9_-]", "", name.lower().replace(" ", "_").replace(".", "_"))
    if not s or not re.match(r"[a-z_]", s[0]):
        s = "s_" + s
    return s[:31]


def class_users(klass: dict) -> list:
    return klass["teachers"] + klass["students"]


# ---------------------------------------------------------------- state
def paths(state: str) -> dict:
    secret = os.path.join(state, "secret")
    return {"state": state, "secret": secret, "course": os.path.join(state, "course"),
            "exchange": os.path.join(state, "exchange"), "jupyter": os.path.join(state, "jupyter"),
            "settings": os.path.join(secret, "hub.json"), "pid": os.path.join(secret, "jupyterhub.pid"),
            "log": os.path.join(secret, "jupyterhub.log"), "made": os.path.join(secret, "made.json"),
            "passwords": os.path.join(secret, "passwords.txt"), "token": os.path.join(secret, "api_token")}


def _load(path: str, default):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def _save(path: str, data) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def _write_secret(path: str, text: str) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def _require_root() -> None:
    if os.geteuid() != 0:
        raise HubError("The class hub starts every student's server as that student's own system user, which only "
                       "root can do. Run it as root (sudo make hub CLASS=...).")


# ---------------------------------------------------------------- users
def _user(name: str):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def ensure_users(klass: dict, state: str) -> list:
    """Create the class's system users that do not exist yet; return the names created.

    A name that already belongs to an account this tool did not create (a real person's or a
    system account) is refused before anything is created. If creating one user fails, the
    users created in this call are removed again.
    """
    _require_root()
    p = paths(state)
    foreign = []
    for name in class_users(klass):
        u = _user(name)
        if u is not None and (MARKER not in u.pw_gecos) and u.pw_uid < 1000:
            foreign.append(f"{name!r} (uid {u.pw_uid}, a system account)")
        elif u is not None and MARKER not in u.pw_gecos:
            foreign.append(f"{name!r} (uid {u.pw_uid}, an account this tool did not create)")
    if foreign:
        raise HubError("The class list names accounts that already exist on this machine and were not made for the "
                       "class: " + ", ".join(foreign) + ". Give those students other names (e.g. add the class: "
                       "'9b_anna'); nothing was changed.")
    _make_state_dirs(p)
    made = _load(p["made"], {"users": [], "modes": {}})
    passwords = _read_passwords(p)
    created = []
    try:
        for name in class_users(klass):
            if _user(name) is not None:
                continue
            _run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", MARKER, name],
                 f"could not create the user {name!r}")
            created.append(name)
            os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
            password = secrets.token_urlsafe(9)
            _run(["chpasswd"], f"could not set {name!r}'s password", stdin=f"{name}:{password}\n")
            passwords[name] = password
    except HubError:
        for name in created:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
            passwords.pop(name, None)
        raise
    made["users"] = sorted(set(made["users"]) | set(created))
    _save(p["made"], made)
    _write_secret(p["passwords"], "".join(f"{n} {pw}\n" for n, pw in sorted(passwords.items())))
    return created


def _read_passwords(p: dict) -> dict:
    out = {}
    if os.path.exists(p["passwords"]):
        for line in open(p["passwords"]):
            if line.strip():
                n, pw = line.split(None, 1)
                out[n] = pw.strip()
    return out


def check_users_exist(klass: dict) -> None:
    missing = [n for n in class_users(klass) if _user(n) is None]
    if missing:
        raise HubError(f"These class members have no system user yet: {', '.join(missing)}. Create them with "
                       f"'make hub-users CLASS=...' (it prints where their passwords are), then run make hub again.")
    foreign = [n for n in class_users(klass) if MARKER not in _user(n).pw_gecos]
    if foreign:
        raise HubError(f"These names belong to accounts that were not made for the class: {', '.join(foreign)}. "
                       f"Rename them in the class list; nothing was started.")


def _run(cmd, what, stdin=None, **kw):
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise HubError(f"{what}: {' '.join(cmd[:3])} said: {(r.stderr or r.stdout).strip()[-600:]}")
    return r


# ---------------------------------------------------------------- the shared installation
def venv_python(root: str = ROOT) -> str:
    return os.path.join(root, ".venv", "bin", "python")


def blocked_dirs(path: str) -> list:
    """The folders above ``path`` (through symlinks) that other users cannot pass through (no o+x)."""
    out, seen = [], set()
    todo = [os.path.abspath(path)]
    while todo:
        p = todo.pop()
        parts = p.split(os.sep)
        for i in range(1, len(parts) + 1):
            d = os.sep.join(parts[:i]) or os.sep
            if d in seen:
                continue
            seen.add(d)
            try:
                st = os.lstat(d)
            except FileNotFoundError:
                break
            if stat.S_ISLNK(st.st_mode):
                todo.append(os.path.join(os.path.dirname(d), os.readlink(d)))
                break
            if stat.S_ISDIR(st.st_mode) and not st.st_mode & stat.S_IXOTH:
                out.append(d)
    return sorted(set(out))


def interpreter_paths(root: str) -> list:
    py = venv_python(root)
    r = subprocess.run([py, "-c", "import sys, os; print(os.path.realpath(sys.executable)); print(sys.base_prefix)"],
                       capture_output=True, text=True)
    return [py, os.path.join(root, "lessonkit"), os.path.join(root, "data"), os.path.join(root, "hub")] + r.stdout.split()


def prepare_shared(root: str, state: str, grant_traverse: bool) -> None:
    """Make the shared installation usable and read-only for students; hide the teacher's folders."""
    p = paths(state)
    made = _load(p["made"], {"users": [], "modes": {}})
    blocked = sorted({d for path in interpreter_paths(root) for d in blocked_dirs(path)})
    if blocked and not grant_traverse:
        raise HubError("Students could not run the course's Python: these folders on its path let no other user "
                       f"pass through: {', '.join(blocked)} (the venv's Python lives there). Either rebuild .venv from "
                       "a system Python (make clean-venv; make dev PYTHON=/usr/bin/python3), or let the hub add "
                       "pass-through only (o+x: no listing, no reading) to exactly those folders with "
                       "make hub HUB_GRANT_TRAVERSE=1 (make hub-teardown puts the old modes back). Nothing was started.")
    for d in blocked:
        mode = stat.S_IMODE(os.stat(d).st_mode)
        made["modes"].setdefault(d, mode)
        os.chmod(d, mode | stat.S_IXOTH)
    # Teacher-only folders: solutions, hidden tests, grades and git's history of them.
    private = [os.path.join(root, "assignments"), os.path.join(root, "grading")]
    git = subprocess.run(["git", "-C", root, "rev-parse", "--path-format=absolute", "--git-common-dir"],
                         capture_output=True, text=True)
    if git.returncode == 0 and git.stdout.strip():
        private.append(git.stdout.strip())
    for d in private:
        if os.path.isdir(d):
            mode = stat.S_IMODE(os.stat(d).st_mode)
            if mode & 0o077:
                made["modes"].setdefault(d, mode)
                os.chmod(d, mode & 0o700)
    _save(p["made"], made)
    writable = [d for d in (os.path.join(root, ".venv"), os.path.join(root, "data"), os.path.join(root, "lessonkit"))
                if os.path.exists(d) and os.stat(os.path.realpath(d)).st_mode & (stat.S_IWOTH)]
    if writable:
        raise HubError(f"The shared installation must not be writable by students, but these are: {writable}. "
                       "Run chmod -R o-w on them, then make hub again.")


def _make_state_dirs(p: dict) -> None:
    os.makedirs(p["state"], mode=0o755, exist_ok=True)
    os.chmod(p["state"], 0o755)
    os.makedirs(p["secret"], mode=0o700, exist_ok=True)
    os.chmod(p["secret"], 0o700)


def publish_course(root: str, state: str) -> str:
    """Copy ``notebooks/`` into the course repository students pull from; commit if it changed.

    Returns the commit id. Students' servers run nbgitpuller on it when they start: the first
    time it clones into ``~/lessons``; later it merges the teacher's changes and keeps every
    file the student changed (nbgitpuller's rule: the student's version wins a conflict, and a
    file the student deleted comes back).
    """
    p = paths(state)
    course = p["course"]
    git = ["git", "-c", "safe.directory=*", "-c", "user.name=lessonkit hub", "-c", "user.email=hub@localhost",
           "-C", course]
    if not os.path.isdir(os.path.join(course, ".git")):
        os.makedirs(course, exist_ok=True)
        _run(["git", "init", "-q", "-b", "main", course], "could not make the course repository")
    for name in os.listdir(course):
        if name != ".git":
            full = os.path.join(course, name)
            shutil.rmtree(full) if os.path.isdir(full) and not os.path.islink(full) else os.remove(full)
    src = os.path.join(root, "notebooks")
    for name in sorted(os.listdir(src)):
        if name.endswith(".ipynb"):
            shutil.copy2(os.path.join(src, name), os.path.join(course, name))
    _run(git + ["add", "-A"], "could not stage the course notebooks")
    if subprocess.run(git + ["diff", "--cached", "--quiet"]).returncode != 0:
        _run(git + ["commit", "-q", "-m", f"course update {time.strftime('%Y-%m-%d %H:%M')}"],
             "could not commit the course notebooks")
    subprocess.run(["chmod", "-R", "a+rX,go-w", course], check=True)
    return _run(git + ["rev-parse", "HEAD"], "no course commit").stdout.strip()


def prepare_exchange(root: str, state: str) -> None:
    p = paths(state)
    os.makedirs(p["exchange"], exist_ok=True)
    os.chmod(p["exchange"], 0o777)
    os.makedirs(p["jupyter"], exist_ok=True)
    os.chmod(p["jupyter"], 0o755)
    with open(os.path.join(p["jupyter"], "nbgrader_config.py"), "w") as f:
        f.write("# Written by make hub: the course and exchange every student server uses.\n"
                "c = get_config()  # noqa: F821\n"
                f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
                f"c.Exchange.root = {p['exchange']!r}\n")
    os.chmod(os.path.join(p["jupyter"], "nbgrader_config.py"), 0o644)
    # Students see nbgrader's Assignments tab (fetch, validate, submit), never the teacher's tools.
    with open(os.path.join(p["jupyter"], "jupyter_server_config.json"), "w") as f:
        json.dump({"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False,
                                                         "nbgrader.server_extensions.course_list": False}}}, f, indent=1)
    os.makedirs(os.path.join(p["jupyter"], "labconfig"), exist_ok=True)
    with open(os.path.join(p["jupyter"], "labconfig", "page_config.json"), "w") as f:
        json.dump({"disabledExtensions": {"@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:course-list": True,
                                          "@jupyter/nbgrader:create-assignment": True}}, f, indent=1)
    subprocess.run(["chmod", "-R", "a+rX", p["jupyter"]], check=True)
    # Students' git (nbgitpuller) must trust the root-owned course repository. Only a global or
    # system setting can say so, and git drops command-line settings for a local clone, so the
    # students' servers use this file as their global git config (it includes ~/.gitconfig).
    with open(os.path.join(p["jupyter"], "gitconfig"), "w") as f:
        f.write(f"[safe]\n\tdirectory = {p['course']}\n\tdirectory = {p['course']}/.git\n"
                "[include]\n\tpath = ~/.gitconfig\n")
    os.chmod(os.path.join(p["jupyter"], "gitconfig"), 0o644)


# ---------------------------------------------------------------- ports and processes
def port_free(port: int, host: str = "127.0.0.1") -> bool:
    s = socket.socket()
    try:
        s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def hub_pid(state: str):
    """The running hub's pid, or None (a stale pid file is ignored)."""
    try:
        pid = int(open(paths(state)["pid"]).read().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        cmdline = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
    except FileNotFoundError:
        return None
    return pid if any(b"jupyterhub" in part for part in cmdline) else None


def api(settings: dict, token: str, method: str, path: str, body=None, timeout=30):
    url = f"http://127.0.0.1:{settings['port']}/hub/api{path}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        text = r.read()
        return json.loads(text) if text else None


def start(klass_path: str, *, root: str = ROOT, state: str = DEFAULT_STATE, port: int = 8000, ip: str = "127.0.0.1",
          mem: str = "2G", cpu: float = 1.0, idle_timeout: int = 3600, grant_traverse: bool = False,
          wait: float = 120.0) -> dict:
    """Set up everything and start the hub in the background; return its settings.

    Checks come first (class list, users, port, shared installation); nothing is started or
    written unless they all pass. Run twice, the second call reports the running hub and
    changes nothing.
    """
    _require_root()
    klass = read_class(klass_path)
    p = paths(state)
    pid = hub_pid(state)
    if pid:
        s = _load(p["settings"], {})
        raise AlreadyRunning(f"The class hub is already running (pid {pid}) at http://{s.get('ip')}:{s.get('port')}/ ; "
                             "nothing was changed. Stop it with make hub-stop, or restart it (students keep their "
                             "servers) with make hub-restart.")
    if proxy_pid(state) is None and not port_free(port, ip if ip != "0.0.0.0" else ""):
        raise HubError(f"Port {port} is already in use on {ip}, so the hub cannot listen there; nothing was started. "
                       f"Choose another: make hub HUB_PORT={port + 1} (or stop what uses it: ss -ltnp 'sport = :{port}').")
    check_users_exist(klass)
    old = _load(p["settings"], {})
    chp = os.path.join(root, "hub", "node_modules", ".bin", "configurable-http-proxy")
    if not os.path.exists(chp):
        raise HubError(f"configurable-http-proxy is not installed ({chp}). make hub installs it with npm ci in hub/; "
                       "install Node.js 20+ and npm, then run make hub again.")
    mem_bytes = parse_size(mem)
    _make_state_dirs(p)
    prepare_shared(root, state, grant_traverse)
    publish_course(root, state)
    prepare_exchange(root, state)
    if not os.path.exists(p["token"]):
        _write_secret(p["token"], secrets.token_hex(32))
    # The hub's own ports stay the same across restarts: running servers keep talking to them.
    settings = {"root": root, "state": state, "ip": ip, "port": port, "teachers": klass["teachers"],
                "students": klass["students"], "mem_bytes": mem_bytes, "cpu": cpu, "idle_timeout": idle_timeout,
                "hub_port": old.get("hub_port") or free_port(), "proxy_api_port": old.get("proxy_api_port") or free_port(),
                "chp": chp, "python": venv_python(root), "class_file": os.path.abspath(klass_path)}
    _save(p["settings"], settings)
    _launch(settings)
    _wait_up(settings, wait)
    return settings


class AlreadyRunning(HubError):
    """make hub while the hub runs: not a failure, nothing changed."""


def proxy_pid(state: str):
    """The pid of the class's proxy if it runs (it outlives hub restarts), else None."""
    try:
        pid = int(open(os.path.join(paths(state)["secret"], "proxy.pid")).read().strip())
        return pid if b"configurable-http-proxy" in open(f"/proc/{pid}/cmdline", "rb").read() else None
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def _launch_proxy(settings: dict) -> None:
    """Start configurable-http-proxy on its own, so a hub restart never cuts students' connections."""
    p = paths(settings["state"])
    if proxy_pid(settings["state"]):
        return
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CONFIGPROXY_AUTH_TOKEN": open(p["token"]).read().strip()}
    log = open(os.path.join(p["secret"], "proxy.log"), "ab")
    proc = subprocess.Popen([settings["chp"], "--ip", settings["ip"], "--port", str(settings["port"]),
                             "--api-ip", "127.0.0.1", "--api-port", str(settings["proxy_api_port"]),
                             "--error-target", f"http://127.0.0.1:{settings['hub_port']}/hub/error",
                             "--log-level", "warn"], cwd=p["secret"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    _write_secret(os.path.join(p["secret"], "proxy.pid"), str(proc.pid))


def _launch(settings: dict) -> None:
    p = paths(settings["state"])
    _launch_proxy(settings)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "HOME", "TZ")}
    env.update({"LESSONKIT_HUB_SETTINGS": p["settings"], "PYTHONPATH": settings["root"],
                "PATH": f"{os.path.dirname(settings['python'])}:{env.get('PATH', '/usr/bin:/bin')}"})
    log = open(p["log"], "ab")
    os.chmod(p["log"], 0o600)
    proc = subprocess.Popen([os.path.join(os.path.dirname(settings["python"]), "jupyterhub"), "-f",
                             os.path.join(HERE, "jupyterhub_config.py")], cwd=p["secret"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    _write_secret(p["pid"], str(proc.pid))
    _LAUNCHED[settings["state"]] = proc


_LAUNCHED = {}


def _wait_up(settings: dict, wait: float) -> None:
    p = paths(settings["state"])
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        proc = _LAUNCHED.get(settings["state"])
        code = proc.poll() if proc is not None else (None if hub_pid(settings["state"]) else "?")
        if code is not None:
            time.sleep(0.5)
            tail = open(p["log"], errors="replace").read()[-1500:]
            _kill_proxy(p)
            raise HubError(f"The hub stopped while starting (exit status {code}); nothing was left running. "
                           f"The end of its log ({p['log']}):\n{tail}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{settings['port']}/hub/api/", timeout=3).read()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    stop(settings["state"], servers=True)
    raise HubError(f"The hub did not answer within {wait:.0f} s, so it was stopped again. See its log: {p['log']}")


def stop(state: str = DEFAULT_STATE, servers: bool = True, wait: float = 30.0) -> str:
    """Stop the hub (and, with ``servers``, every class member's server and kernel)."""
    p = paths(state)
    settings = _load(p["settings"], {})
    pid = hub_pid(state)
    said = []
    if pid and servers:
        token = open(p["token"]).read().strip()
        try:
            for u in api(settings, token, "GET", "/users"):
                if u.get("server") or u.get("pending"):
                    try:
                        api(settings, token, "DELETE", f"/users/{u['name']}/server")
                    except urllib.error.HTTPError:
                        pass
        except (urllib.error.URLError, OSError):
            pass
    if pid:
        os.killpg(pid, signal.SIGTERM) if _is_group_leader(pid) else os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait
        while hub_pid(state) and time.monotonic() < deadline:
            time.sleep(0.2)
        if hub_pid(state):
            os.kill(pid, signal.SIGKILL)
        said.append(f"hub (pid {pid}) stopped")
    if servers:
        _kill_proxy(p)
        n = kill_user_processes(settings.get("teachers", []) + settings.get("students", []))
        if n:
            said.append(f"{n} leftover student processes ended")
    try:
        os.remove(p["pid"])
    except FileNotFoundError:
        pass
    return "; ".join(said) or "the hub was not running"


def _is_group_leader(pid: int) -> bool:
    try:
        return os.getpgid(pid) == pid
    except ProcessLookupError:
        return False


def _kill_proxy(p: dict) -> None:
    pid = proxy_pid(p["state"])
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if proxy_pid(p["state"]) is None:
                break
            time.sleep(0.1)


def kill_user_processes(names) -> int:
    """End every process owned by the given class users (by uid, never by name)."""
    uids = {u.pw_uid for u in map(_user, names) if u is not None and MARKER in u.pw_gecos}
    killed = 0
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid in uids:
                        os.kill(int(entry), sig)
                        killed += sig == signal.SIGTERM
                except (FileNotFoundError, ProcessLookupError):
                    pass
        if sig == signal.SIGTERM and killed:
            time.sleep(1.0)
    return killed


def teardown(klass_path: str | None, state: str = DEFAULT_STATE, remove_state: bool = False) -> list:
    """Stop everything; remove the users this tool created (all, or those in the class list); undo chmods."""
    _require_root()
    p = paths(state)
    said = [stop(state)]
    made = _load(p["made"], {"users": [], "modes": {}})
    names = made["users"] if klass_path is None else [n for n in class_users(read_class(klass_path)) if n in made["users"]]
    kill_user_processes(names)
    for name in names:
        u = _user(name)
        if u is not None and MARKER in u.pw_gecos:
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        limits_remove(name)
    made["users"] = [n for n in made["users"] if n not in names]
    said.append(f"removed users: {', '.join(names) or 'none'}")
    if not made["users"]:
        for d, mode in made["modes"].items():
            if os.path.exists(d):
                os.chmod(d, mode)
        said.append(f"restored modes of {len(made['modes'])} folders")
        limits_remove_parent()
        made["modes"] = {}
    if os.path.isdir(p["secret"]):
        _save(p["made"], made)
    if remove_state and not made["users"]:
        shutil.rmtree(state, ignore_errors=True)
    return said


# ---------------------------------------------------------------- limits (cgroups)
def parse_size(text) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(text), re.I)
    if not m:
        raise HubError(f"Cannot read the memory limit {text!r}; write it like 2G, 1500M or 4096M.")
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " "))


def cgroup_kind() -> str | None:
    """'v2', 'v1' or None: which cgroups this machine lets root create (tested by making one)."""
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        base = "/sys/fs/cgroup"
        try:
            os.makedirs(os.path.join(base, CGROUP_PARENT), exist_ok=True)
            ctl = open(os.path.join(base, CGROUP_PARENT, "cgroup.controllers")).read().split()
            if "memory" in ctl and "cpu" in ctl:
                return "v2"
        except OSError:
            return None
        return None
    try:
        for c in ("memory", "cpu", "pids"):
            os.makedirs(f"/sys/fs/cgroup/{c}/{CGROUP_PARENT}", exist_ok=True)
        return "v1"
    except OSError:
        return None


def _cg_dirs(name: str) -> dict:
    if cgroup_kind() == "v2":
        d = f"/sys/fs/cgroup/{CGROUP_PARENT}/{name}"
        return {"memory": d, "cpu": d, "pids": d}
    return {c: f"/sys/fs/cgroup/{c}/{CGROUP_PARENT}/{name}" for c in ("memory", "cpu", "pids")}


def limits_prepare(name: str, mem_bytes: int, cpu: float, pids: int = 1024) -> dict:
    """Create (or update) ``name``'s cgroup with its memory, CPU and process limits.

    Returns ``{"enforced": [...], "not": [...]}``, what this machine really enforces.
    """
    kind = cgroup_kind()
    if kind is None:
        return {"enforced": [], "not": ["memory", "cpu", "processes"], "dirs": {}}
    dirs = _cg_dirs(name)
    period = 100000
    try:
        if kind == "v2":
            parent = os.path.dirname(dirs["memory"])
            with open(os.path.join(parent, "cgroup.subtree_control"), "w") as f:
                f.write("+memory +cpu +pids")
            os.makedirs(dirs["memory"], exist_ok=True)
            _w(dirs["memory"], "memory.max", mem_bytes)
            _w(dirs["memory"], "memory.swap.max", 0, optional=True)
            _w(dirs["cpu"], "cpu.max", f"{int(cpu * period)} {period}")
            _w(dirs["pids"], "pids.max", pids)
        else:
            for d in dirs.values():
                os.makedirs(d, exist_ok=True)
            _w(dirs["memory"], "memory.limit_in_bytes", mem_bytes)
            _w(dirs["memory"], "memory.memsw.limit_in_bytes", mem_bytes, optional=True)
            _w(dirs["cpu"], "cpu.cfs_period_us", period)
            _w(dirs["cpu"], "cpu.cfs_quota_us", int(cpu * period))
            _w(dirs["pids"], "pids.max", pids)
    except OSError as e:
        return {"enforced": [], "not": ["memory", "cpu", "processes"], "dirs": {}, "why": str(e)}
    return {"enforced": ["memory", "cpu", "processes"], "not": [], "dirs": dirs}


def _w(d, f, value, optional=False):
    try:
        with open(os.path.join(d, f), "w") as fh:
            fh.write(str(value))
    except OSError:
        if not optional:
            raise


def limits_enter(dirs: dict) -> None:
    """Move the calling process into the cgroups (called in the child, before it drops root)."""
    pid = str(os.getpid())
    for d in set(dirs.values()):
        with open(os.path.join(d, "cgroup.procs"), "w") as f:
            f.write(pid)


def memory_used(name: str) -> int | None:
    """Bytes the student's cgroup uses now (None without cgroups)."""
    d = _cg_dirs(name)["memory"]
    for f in ("memory.current", "memory.usage_in_bytes"):
        try:
            return int(open(os.path.join(d, f)).read())
        except (FileNotFoundError, ValueError):
            continue
    return None


def memory_peak(name: str) -> int | None:
    d = _cg_dirs(name)["memory"]
    for f in ("memory.peak", "memory.max_usage_in_bytes"):
        try:
            return int(open(os.path.join(d, f)).read())
        except (FileNotFoundError, ValueError, OSError):
            continue
    return None


def oom_kills(name: str) -> int | None:
    """How many processes the kernel's OOM killer ended inside the student's memory limit."""
    d = _cg_dirs(name)["memory"]
    for f in ("memory.events", "memory.oom_control"):
        try:
            for line in open(os.path.join(d, f)):
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
        except (FileNotFoundError, OSError):
            continue
    return None


def limits_remove_parent() -> None:
    """Remove the class's parent cgroups once no student cgroup is left in them."""
    for d in (f"/sys/fs/cgroup/{CGROUP_PARENT}",) + tuple(f"/sys/fs/cgroup/{c}/{CGROUP_PARENT}" for c in ("memory", "cpu", "pids")):
        try:
            os.rmdir(d)
        except OSError:   # absent, or still holding a student's cgroup
            pass


def limits_remove(name: str) -> None:
    if cgroup_kind() is None:
        return
    for d in set(_cg_dirs(name).values()):
        if os.path.isdir(d):
            try:
                os.rmdir(d)
            except OSError:
                pass


# ---------------------------------------------------------------- nbgrader on the hub
def _teacher_env(state: str, root: str) -> dict:
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = paths(state)["jupyter"]
    env["PYTHONPATH"] = root
    env["PATH"] = f"{os.path.dirname(venv_python(root))}:{env.get('PATH', '/usr/bin:/bin')}"   # nbgrader calls alembic
    return env


def release(assignment: str, state: str = DEFAULT_STATE, root: str = ROOT) -> str:
    """Put ``assignments/release/NAME`` (from make release) into the exchange for students to fetch."""
    _require_root()
    src = os.path.join(root, "assignments", "release", assignment)
    if not os.path.isdir(src):
        raise HubError(f"{src} does not exist. Run make release first (it writes the student versions), and give the "
                       f"assignment's folder name, one of: {', '.join(sorted(os.listdir(os.path.join(root, 'assignments', 'source'))))}.")
    r = _run([os.path.join(os.path.dirname(venv_python(root)), "nbgrader"), "release_assignment", assignment,
              "--force", f"--CourseDirectory.root={os.path.join(root, 'assignments')}"],
             f"nbgrader could not release {assignment!r}", cwd=os.path.join(root, "assignments"),
             env=_teacher_env(state, root))
    return r.stdout + r.stderr


def collect(assignment: str, state: str = DEFAULT_STATE, root: str = ROOT) -> str:
    """Copy every student's latest submission of NAME to ``assignments/submitted/<student>/NAME``."""
    _require_root()
    r = _run([os.path.join(os.path.dirname(venv_python(root)), "nbgrader"), "collect", assignment, "--update",
              f"--CourseDirectory.root={os.path.join(root, 'assignments')}"],
             f"nbgrader could not collect {assignment!r}", cwd=os.path.join(root, "assignments"),
             env=_teacher_env(state, root))
    return r.stdout + r.stderr


# ---------------------------------------------------------------- command line
def status(state: str = DEFAULT_STATE) -> str:
    p = paths(state)
    s = _load(p["settings"], {})
    pid = hub_pid(state)
    kind = cgroup_kind() if os.geteuid() == 0 else None
    lines = [f"hub: {'running (pid %d) at http://%s:%s/' % (pid, s.get('ip'), s.get('port')) if pid else 'not running'}",
             f"state folder: {state}",
             f"limits per student: memory {s.get('mem_bytes', 0) / 2**30:.2g} GiB, {s.get('cpu')} CPU, 1024 processes: "
             + (f"ENFORCED by cgroups {kind}" if kind else "NOT enforced (cgroups are not writable here)"),
             f"idle servers stopped after {s.get('idle_timeout')} s (jupyterhub-idle-culler)"]
    if os.path.exists(p["passwords"]):
        lines.append(f"students' passwords (root only): {p['passwords']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="classhub", description=__doc__.split("\n\n")[0])
    ap.add_argument("--state", default=os.environ.get("HUB_STATE", DEFAULT_STATE))
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("check", "users", "teardown"):
        sp = sub.add_parser(name)
        sp.add_argument("class_file", nargs="?" if name == "teardown" else None)
    sp = sub.add_parser("start")
    sp.add_argument("class_file")
    sp.add_argument("--port", type=int, default=8000)
    sp.add_argument("--ip", default="127.0.0.1")
    sp.add_argument("--mem", default="2G")
    sp.add_argument("--cpu", type=float, default=1.0)
    sp.add_argument("--idle-timeout", type=int, default=3600)
    sp.add_argument("--grant-traverse", action="store_true")
    for name in ("stop", "status", "restart"):
        sub.add_parser(name)
    for name in ("release", "collect"):
        sub.add_parser(name).add_argument("assignment")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "check":
            k = read_class(a.class_file)
            print(f"class list OK: teacher(s) {', '.join(k['teachers'])}; {len(k['students'])} students")
        elif a.cmd == "users":
            k = read_class(a.class_file)
            made = ensure_users(k, a.state)
            print(f"created {len(made)} users ({', '.join(made) or 'all existed'}); passwords (root only): "
                  f"{paths(a.state)['passwords']}")
        elif a.cmd == "start":
            s = start(a.class_file, state=a.state, port=a.port, ip=a.ip, mem=a.mem, cpu=a.cpu,
                      idle_timeout=a.idle_timeout, grant_traverse=a.grant_traverse)
            print(f"The class hub runs at http://{s['ip']}:{s['port']}/ (students log in with their user name and the "
                  f"password in {paths(a.state)['passwords']}).")
            print(status(a.state))
            print("Stop it with: make hub-stop")
        elif a.cmd == "stop":
            print(stop(a.state))
        elif a.cmd == "restart":
            s = _load(paths(a.state)["settings"], None)
            if not s:
                raise HubError("The hub was never started here; start it with make hub CLASS=...")
            publish_course(s["root"], a.state)    # students get notebook changes at their next start
            print(stop(a.state, servers=False))
            _launch(s)
            _wait_up(s, 120)
            print(f"hub restarted at http://{s['ip']}:{s['port']}/ ; students' servers kept running")
        elif a.cmd == "status":
            print(status(a.state))
        elif a.cmd == "release":
            print(release(a.assignment, a.state))
        elif a.cmd == "collect":
            print(collect(a.assignment, a.state))
            print(f"Now grade them: make grade SUBMISSIONS={os.path.join(ROOT, 'assignments', 'submitted')}")
        elif a.cmd == "teardown":
            print("\n".join(teardown(a.class_file, a.state)))
    except AlreadyRunning as e:
        print(e)
        return 0
    except HubError as e:
        print(f"make hub: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
