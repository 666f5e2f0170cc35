"""A small client of the class hub for the tests and the load benchmark: what a student's browser does.

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "5. A whole class").

It logs in (the hub's login form), starts a student's server, and runs code in a kernel over
the same websocket JupyterLab uses. Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import json
import struct
import time
import uuid

import requests
import websocket


class Student:
    """One simulated student: a hub URL, their user name and an API token for their own server."""

    def __init__(self, base: str, name: str, token: str):
        assert base.startswith("http://127."), base
        self.base, self.name, self.token = base.rstrip("/"), name, token
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    # ---- the hub
    def spawn(self, timeout: float = 180.0) -> float:
        """Start the student's server (if it is not running) and wait until it answers; returns seconds."""
        t0 = time.monotonic()
        r = self.http.post(f"{self.base}/hub/api/users/{self.name}/server", timeout=30)
        if r.status_code not in (201, 202, 400):   # 400: already running
            raise RuntimeError(f"spawn {self.name}: {r.status_code} {r.text[:300]}")
        while time.monotonic() - t0 < timeout:
            u = self.http.get(f"{self.base}/hub/api/users/{self.name}", timeout=30).json()
            if u.get("server") and not u.get("pending"):
                r = self.http.get(f"{self.base}/user/{self.name}/api/status", timeout=30)
                if r.status_code == 200:
                    return time.monotonic() - t0
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}'s server did not start within {timeout:.0f} s")

    def stop(self, timeout: float = 60.0) -> None:
        self.http.delete(f"{self.base}/hub/api/users/{self.name}/server", timeout=30)
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            u = self.http.get(f"{self.base}/hub/api/users/{self.name}", timeout=30).json()
            if not u.get("server") and not u.get("pending"):
                return
            time.sleep(0.5)

    # ---- the student's server
    def api(self, method: str, path: str, **kw):
        r = self.http.request(method, f"{self.base}/user/{self.name}/api{path}", timeout=60, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def kernel(self) -> "Kernel":
        k = self.api("POST", "/kernels", json={"name": "python3"})
        return Kernel(self, k["id"])


class Kernel:
    """A kernel of a student's server, driven over its websocket."""

    def __init__(self, student: Student, kernel_id: str):
        self.student, self.id = student, kernel_id
        self.url = student.base.replace("http://", "ws://") + f"/user/{student.name}/api/kernels/{kernel_id}/channels"
        self.session = uuid.uuid4().hex
        self.ws = None
        self.reconnects = -1
        self._connect()

    def _connect(self) -> None:
        """(Re)open the kernel's websocket, as JupyterLab does after a pause or a dropped connection.

        The server pings idle websockets and closes those that never answer; this client only
        answers while it reads, so a connection left idle is reopened before the next cell.
        """
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:  # noqa: BLE001
                pass
        self.ws = websocket.create_connection(self.url, header=[f"Authorization: token {self.student.token}"],
                                              timeout=60)
        self.reconnects += 1
        self._last = time.monotonic()

    def execute(self, code: str, timeout: float = 300.0, wait: bool = True) -> dict:
        """Run ``code``; return ``{"status", "stdout", "error", "seconds"}`` (status "dead" if the kernel died)."""
        msg_id = uuid.uuid4().hex
        msg = {"header": {"msg_id": msg_id, "username": self.student.name, "session": self.session,
                          "msg_type": "execute_request", "version": "5.3", "date": ""},
               "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
               "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                           "allow_stdin": False, "stop_on_error": True}}
        if time.monotonic() - self._last > 10 or not self.ws.connected:
            self._connect()
        t0 = time.monotonic()
        self.ws.send(json.dumps(msg))
        out = {"status": None, "stdout": "", "error": None, "seconds": None, "msg_id": msg_id}
        if not wait:
            return out
        idle = replied = False
        while not (idle and replied):
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                raise TimeoutError(f"cell did not finish within {timeout:.0f} s: {code[:80]!r}")
            self.ws.settimeout(min(left, 60))
            try:
                raw = self.ws.recv()
                self._last = time.monotonic()
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketConnectionClosedException, ConnectionError):
                raw = ""
            if not raw:   # the connection closed under the cell
                out["status"] = "closed"
                break
            m = _decode(raw)
            ctype = m.get("msg_type") or m.get("header", {}).get("msg_type")
            if ctype == "status" and m["content"].get("execution_state") in ("restarting", "dead"):
                out["status"] = "dead"
                break
            if m.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if ctype == "stream":
                out["stdout"] += m["content"]["text"]
            elif ctype in ("execute_result", "display_data"):
                out["stdout"] += m["content"]["data"].get("text/plain", "")
            elif ctype == "error":
                out["error"] = f"{m['content']['ename']}: {m['content']['evalue']}"
            elif ctype == "status" and m["content"]["execution_state"] == "idle":
                idle = True
            elif ctype == "execute_reply":
                replied = True
                out["status"] = m["content"]["status"]
        out["seconds"] = time.monotonic() - t0
        return out

    def interrupt(self) -> None:
        self.student.api("POST", f"/kernels/{self.id}/interrupt")

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            try:
                self.student.api("DELETE", f"/kernels/{self.id}")
            except requests.RequestException:
                pass


def _decode(raw):
    """A kernel websocket message: JSON text, or Jupyter's binary frame (widget messages with buffers)."""
    if isinstance(raw, str):
        return json.loads(raw)
    nbufs = struct.unpack("!I", raw[:4])[0]
    offsets = struct.unpack(f"!{nbufs}I", raw[4:4 + 4 * nbufs])
    end = offsets[1] if nbufs > 1 else len(raw)
    return json.loads(raw[offsets[0]:end].decode("utf-8"))


def login_form(base: str, name: str, password: str) -> bool:
    """Log in through the hub's login page as a browser does; True if the hub accepted the password."""
    s = requests.Session()
    r = s.get(f"{base}/hub/login", timeout=30)
    xsrf = s.cookies.get("_xsrf", "")
    r = s.post(f"{base}/hub/login?next=", data={"username": name, "password": password, "_xsrf": xsrf},
               allow_redirects=False, timeout=60)
    return r.status_code == 302 and any(c.name.startswith("jupyterhub-session") or c.name == "jupyterhub-hub-login"
                                        for c in s.cookies)


def user_token(base: str, admin_token: str, name: str) -> str:
    """A token for ``name`` made with the hub's admin token (what logging in gives a browser)."""
    r = requests.post(f"{base}/hub/api/users/{name}/tokens", headers={"Authorization": f"token {admin_token}"},
                      json={"note": "lessonkit test", "expires_in": 3600}, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


def scratch_course(base, repo_root):
    """A course root for tests and benchmarks, laid out like the repository.

    The shared parts (``lessonkit``, ``data``, ``hub``, ``.venv``) are links to ``repo_root``;
    ``notebooks/`` is copied; ``assignments/`` is empty. make hub's permission changes (the
    teacher-only folders made root-only) then apply to the copy, never to the checkout.
    """
    import pathlib
    import shutil
    import subprocess

    base, repo_root = pathlib.Path(base), pathlib.Path(repo_root)
    root = base / "course"
    root.mkdir()
    for name in ("lessonkit", "data", "hub", ".venv"):
        (root / name).symlink_to(repo_root / name)
    shutil.copytree(repo_root / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("my_music", ".ipynb_*"))
    (root / "assignments").mkdir()
    subprocess.run(["chmod", "-R", "a+rX", str(root / "notebooks")], check=True)
    return root
