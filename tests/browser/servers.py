"""Start and stop Jupyter servers (JupyterLab, Notebook 7, ``make lab``) for the browser tests.

Every server runs from the project's ``.venv`` on a free loopback port with a random token,
in its own process group, with its logs in ``tests/browser/artifacts/logs/``. It is always
stopped: ``stop()`` ends the server, every kernel it started (kernels run in sessions of
their own, so killing the server's group alone would leave them behind), and then the group.

The lessons run from a *scratch copy* of the repository (:func:`make_scratch_root`): its
``notebooks/`` is a real copy, every other top-level entry is a symlink to the repository,
so a lesson finds ``../data`` exactly as in ``make lab`` while the committed notebooks (kept
with outputs cleared) and the tree shared with other engineers are never written to.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOGS = ARTIFACTS / "logs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def lesson_notebooks() -> list[Path]:
    """Every lesson, ``notebooks/*.ipynb``, found anew at each test collection."""
    return sorted((REPO / "notebooks").glob("*.ipynb"))


def fixture_notebooks() -> list[Path]:
    """The test-only notebooks in ``tests/browser/fixtures/`` (copied next to the lessons)."""
    return sorted(FIXTURES.glob("*.ipynb"))


# Settings that keep a test server from phoning home (the news feed and the update check
# are fetched by the *server*, and pop up toasts over the screenshots).
QUIET_LAB = [
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]


# Lab/Notebook user settings for the test servers (their own settings dir, see isolated_jupyter_env).
# fetchNews=false: no "Would you like to get notified about official Jupyter news?" toast
# over every screenshot, and no request for the feed.
TEST_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false"}',
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_scratch_root(parent: Path, extra_notebooks: list[Path] = ()) -> Path:
    """A server root that looks like the repository but where notebooks are copies.

    ``notebooks/`` is copied (plus ``extra_notebooks``, e.g. test fixtures); every other
    top-level entry (``data``, ``lessonkit``, ...) is a symlink, so relative paths in a
    lesson resolve as they do in the real tree. Hidden entries (``.git``, ``.venv``) are left out.
    """
    root = Path(tempfile.mkdtemp(prefix="root-", dir=parent))
    for entry in REPO.iterdir():
        if entry.name.startswith(".") or entry.name == "notebooks":
            continue
        (root / entry.name).symlink_to(entry)
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for nb in extra_notebooks:
        shutil.copy2(nb, root / "notebooks" / nb.name)
    return root


# Variables of the test process that must not reach the server and its kernels: pytest's own,
# and MPLBACKEND=Agg (set by tests/conftest.py), which would make every plot in a lesson vanish.
LEAKY_ENV_PREFIXES = ("MPLBACKEND", "PYTEST_", "PYTHONPATH", "JUPYTER_", "JPY_", "IPYTHONDIR", "VIRTUAL_ENV")


def isolated_jupyter_env(home: Path) -> dict:
    """Environment for a server that sees only the project's ``.venv``.

    The test process's environment minus :data:`LEAKY_ENV_PREFIXES`, with ``PYTHONPATH`` set to
    the repository under test (so its ``lessonkit`` is the one the kernels import).
    ``PATH`` starts with ``.venv/bin`` (the kernel spec says ``python``); Jupyter's user-level
    config, data, runtime, Lab settings and workspaces all point into ``home``, so a
    kernel spec or extension setting in the real ``~/.jupyter`` or ``~/.local`` can neither
    change which Python runs the lessons nor leak from one test server to the next.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(LEAKY_ENV_PREFIXES)}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(REPO / ".venv"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        BROWSER="true",  # if anything tries to open a browser, run `true` instead
        PYTHONUNBUFFERED="1",
        # kernels import THIS checkout's lessonkit: a worktree that shares another checkout's .venv
        # would otherwise test the copy its editable install points at
        PYTHONPATH=str(REPO),
    )
    for key in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    return env


def disable_lab_extension(env: dict, name: str) -> Path:
    """Disable a front-end extension for servers started with ``env`` only.

    Writes ``labconfig/page_config.json`` in the env's own ``JUPYTER_CONFIG_DIR`` (what
    ``jupyter labextension disable --level=user`` writes), never the ``.venv``'s config.
    """
    path = Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig" / "page_config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    config = json.loads(path.read_text()) if path.exists() else {}
    config.setdefault("disabledExtensions", {})[name] = True
    path.write_text(json.dumps(config, indent=2))
    return path


@dataclass
class JupyterServer:
    """A running Jupyter server; ``url(path)`` gives a page address with the token."""

    name: str
    proc: subprocess.Popen
    base_url: str
    token: str
    root: Path
    log_path: Path
    _log_file: object = field(repr=False, default=None)

    def url(self, path: str = "") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{sep}token={self.token}"

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def api(self, path: str, method: str = "GET", timeout: float = 10.0):
        """Call the REST API (``/api/...``); returns the decoded JSON."""
        req = urllib.request.Request(
            f"{self.base_url}/{path.lstrip('/')}", method=method,
            headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session and kernel, so one test's kernels do not eat the next one's CPU."""
        try:
            for session in self.api("api/sessions"):
                self.api(f"api/sessions/{session['id']}", method="DELETE")
            for kernel in self.api("api/kernels"):
                self.api(f"api/kernels/{kernel['id']}", method="DELETE")
        except (urllib.error.URLError, OSError):
            pass

    def log_tail(self, n_chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n_chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        stop_process_tree(self.proc)
        if self._log_file is not None:
            self._log_file.close()


def stop_process_tree(proc: subprocess.Popen, grace_s: float = 8.0) -> None:
    """End a process started with ``start_new_session=True``, its group and all descendants.

    SIGTERM first (Jupyter then shuts its kernels down cleanly), SIGKILL for whatever is
    still alive after ``grace_s``. Kernels live in sessions of their own, so they are found
    by walking the process tree before anything is signalled.
    """
    if proc.poll() is not None and not _alive_group(proc.pid):
        return
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    _signal_group(proc.pid, signal.SIGTERM)
    for p in family:
        _signal(p, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    _, alive = psutil.wait_procs(family, timeout=2.0)
    _signal_group(proc.pid, signal.SIGKILL)
    for p in alive:
        _signal(p, signal.SIGKILL)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - the kernel would have to ignore SIGKILL
        pass


def _alive_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _signal_group(pgid: int, sig) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal(p: psutil.Process, sig) -> None:
    try:
        p.send_signal(sig)
    except psutil.NoSuchProcess:
        pass


def wait_until_answers(base_url: str, token: str, proc: subprocess.Popen, timeout_s: float,
                       log_path: Path) -> None:
    """Poll ``/api/status`` until the server answers 200 (or fail with its log)."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Jupyter server exited with code {proc.returncode}; its log:\n"
                               + log_path.read_text(errors="replace")[-4000:])
        try:
            req = urllib.request.Request(f"{base_url}/api/status",
                                         headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as err:
            last = err
        time.sleep(0.25)
    raise RuntimeError(f"the Jupyter server did not answer within {timeout_s:.0f} s ({last}); its log:\n"
                       + log_path.read_text(errors="replace")[-4000:])


def start_jupyter(app: str, root: Path, home: Path, *, name: str, env: dict | None = None,
                  extra_args: list[str] = (), timeout_s: float = 90.0) -> JupyterServer:
    """Start ``jupyter lab`` or ``jupyter notebook`` from ``.venv`` and wait until it answers.

    Parameters
    ----------
    app : {"lab", "notebook"}
    root : Path
        The server's root directory (``--ServerApp.root_dir``).
    home : Path
        Where its isolated Jupyter config/data/runtime dirs go (see :func:`isolated_jupyter_env`).
    name : str
        Used for the log file name, ``artifacts/logs/<name>-server.log``.
    """
    env = env or isolated_jupyter_env(home)
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{name}-server.log"
    app_class = {"lab": "LabApp", "notebook": "JupyterNotebookApp"}[app]
    for attempt in range(3):  # a port picked free can be taken before the server binds it
        port, token = free_port(), secrets.token_hex(24)
        cmd = [
            str(VENV_BIN / "jupyter"), app,
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.log_level=INFO",
            f"--{app_class}.expose_app_in_browser=True",
            *QUIET_LAB,
            *extra_args,
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        log_file = open(log_path, "a")
        log_file.write(f"\n==== {' '.join(cmd).replace(token, '<token>')}\n")
        log_file.flush()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdin=subprocess.DEVNULL,
                                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_until_answers(base_url, token, proc, timeout_s, log_path)
        except RuntimeError:
            stop_process_tree(proc)
            log_file.close()
            if attempt == 2 or "already in use" not in log_path.read_text(errors="replace")[-2000:]:
                raise
            continue
        return JupyterServer(name, proc, base_url, token, root, log_path, log_file)
    raise AssertionError("unreachable")


URL_RE = re.compile(r"(http://(?:127\.0\.0\.1|localhost):(\d+)/\S*?\?token=([0-9a-f]+))")


def start_make_target(target: str, port: int, home: Path, *, name: str,
                      timeout_s: float = 180.0) -> tuple[subprocess.Popen, str, Path]:
    """Run ``make <target> PORT=<port>`` as a student would and return the URL it prints.

    Instead of a real browser, ``BROWSER`` is a tiny script that writes the address Jupyter
    asks it to open into ``home/opened-urls.txt`` (see :func:`opened_urls`); Lab's workspace
    files go to ``home`` instead of the real ``~/.jupyter``. Returns (process, the printed
    URL with its token, log path); the caller stops the process with :func:`stop_process_tree`.
    """
    LOGS.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{name}.log"
    recorder = home / "record-url"
    recorder.write_text(f'#!/bin/sh\necho "$1" >> "{home / "opened-urls.txt"}"\n')
    recorder.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(LEAKY_ENV_PREFIXES)}
    env.update(BROWSER=f"{recorder} %s",
               JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    log_file = open(log_path, "w")
    proc = subprocess.Popen(["make", "--no-print-directory", target, f"PORT={port}"], cwd=REPO, env=env,
                            stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log_file.close()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        match = URL_RE.search(log_path.read_text(errors="replace"))
        if match:
            return proc, match.group(1), log_path
        if proc.poll() is not None:
            break
        time.sleep(0.25)
    stop_process_tree(proc)
    raise AssertionError(f"`make {target}` printed no URL with a token within {timeout_s:.0f} s; its output:\n"
                         + log_path.read_text(errors="replace")[-4000:])


def opened_urls(home: Path, timeout_s: float = 15.0) -> list[str]:
    """The addresses Jupyter asked the (recording) browser to open, following its redirect files.

    Jupyter opens a local ``jpserver-...-open.html`` that redirects to the real page; the
    redirect target is returned in its place.
    """
    record = home / "opened-urls.txt"
    deadline = time.monotonic() + timeout_s
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    urls = []
    for url in (record.read_text().split() if record.exists() else []):
        if url.startswith("file://"):
            html = Path(url[len("file://"):]).read_text()
            found = re.search(r'http-equiv="refresh" content="\d+;url=([^"]+)"', html)
            url = found.group(1) if found else url
        urls.append(url)
    return urls


def write_lab_settings(env: dict, settings: dict = TEST_LAB_SETTINGS) -> None:
    """Write user settings into the env's own ``JUPYTERLAB_SETTINGS_DIR``."""
    base = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    for rel, text in settings.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def start_test_server(app: str, scratch: Path, name: str, *, env_hook=None):
    """Start ``app`` on a scratch copy of the repository (plus the fixture notebooks).

    ``env_hook(env)`` may change the server's isolated environment first (e.g. disable an extension).
    """
    root = make_scratch_root(scratch, extra_notebooks=fixture_notebooks())
    home = scratch / f"home-{name}"
    env = isolated_jupyter_env(home)
    write_lab_settings(env)
    if env_hook is not None:
        env_hook(env)
    return start_jupyter(app, root, home, name=name, env=env)
