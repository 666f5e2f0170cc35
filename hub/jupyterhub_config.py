"""JupyterHub configuration of the class hub; read by ``jupyterhub -f`` when classhub.py starts it.

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "5. A whole class").

Everything class-specific comes from the settings file classhub.py writes
(``$LESSONKIT_HUB_SETTINGS``): the class list, ports, limits and folders.
"""

import json
import os
import sys

from jupyterhub.spawner import LocalProcessSpawner

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import classhub  # noqa: E402

c = get_config()  # noqa: F821
S = json.load(open(os.environ["LESSONKIT_HUB_SETTINGS"]))
P = classhub.paths(S["state"])
VENV_BIN = os.path.dirname(S["python"])

# ---- where the hub listens: the public port, and its own ports on loopback (stable across restarts)
c.JupyterHub.ip = S["ip"]
c.JupyterHub.port = S["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = S["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S['proxy_api_port']}"
# classhub.py runs the proxy itself, so restarting the hub keeps students' connections open.
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.auth_token = open(P["token"]).read().strip()
c.JupyterHub.db_url = f"sqlite:///{os.path.join(P['secret'], 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(P["secret"], "jupyterhub_cookie_secret")
# A hub restart keeps the students' servers (they reconnect); make hub-stop stops them itself.
c.JupyterHub.cleanup_servers = False

# ---- who may log in: the class list; the teacher is admin. Passwords are the system users' (PAM).
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(S["students"]) | set(S["teachers"])
c.Authenticator.admin_users = set(S["teachers"])

# ---- the services: our own admin token (classhub stop, the tests) and the idle culler
TOKEN = open(P["token"]).read().strip()
c.JupyterHub.services = [
    {"name": "classhub", "api_token": TOKEN},
    {"name": "idle-culler", "command": [os.path.join(VENV_BIN, "python"), "-m", "jupyterhub_idle_culler",
                                        f"--timeout={S['idle_timeout']}", "--cull-every=60"]},
]
c.JupyterHub.load_roles = [
    {"name": "classhub", "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users",
                                 "list:services", "read:services"],
     "services": ["classhub"]},
    {"name": "idle-culler", "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
     "services": ["idle-culler"]},
]


# ---- the spawner: each student's server runs as that student's system user, inside their cgroup
class ClassSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that first puts the server into the student's cgroup (memory, CPU, processes)."""

    _cg = {}

    async def start(self):
        self._cg = classhub.limits_prepare(self.user.name, S["mem_bytes"], S["cpu"])
        if self._cg["not"]:
            self.log.warning("limits NOT enforced for %s (%s): cgroups are not writable here",
                             self.user.name, ", ".join(self._cg["not"]))
        return await super().start()

    def make_preexec_fn(self, name):
        drop_root = super().make_preexec_fn(name)
        dirs = dict(self._cg.get("dirs", {}))

        def preexec():
            if dirs:
                classhub.limits_enter(dirs)   # still root here; the kernels it starts inherit the cgroup
            drop_root()

        return preexec


c.JupyterHub.spawner_class = ClassSpawner
c.Spawner.cmd = [S["python"], os.path.join(classhub.HERE, "user_start.py")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/lessons/00_music_as_data.ipynb"
c.Spawner.mem_limit = S["mem_bytes"]          # shown to the server (MEM_LIMIT); enforced by the cgroup above
c.Spawner.cpu_limit = S["cpu"]
c.Spawner.start_timeout = 300            # a whole class logging in at once on a small server
c.Spawner.http_timeout = 300
c.Spawner.env_keep = ["LANG", "LC_ALL", "TZ"]
c.Spawner.environment = {
    "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
    "PYTHONPATH": S["root"],                   # lessonkit from the shared course installation
    "JUPYTER_CONFIG_PATH": P["jupyter"],        # nbgrader's course id and exchange
    "LESSONKIT_COURSE_REPO": P["course"],       # what user_start.py pulls into ~/lessons
    "OMP_NUM_THREADS": str(max(1, int(S["cpu"]))),  # torch: as many threads as the student's CPU share
    "MKL_NUM_THREADS": str(max(1, int(S["cpu"]))),
    # The course repository belongs to root; this git config lets students' git read it.
    "GIT_CONFIG_GLOBAL": os.path.join(P["jupyter"], "gitconfig"),
}
