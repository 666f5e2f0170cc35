"""Start one student's Jupyter server: first pull the course notebooks into ~/lessons.

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "5. A whole class").

Runs as the student (the hub has already dropped root). nbgitpuller clones the course
repository the first time; later it merges the teacher's updates and keeps every notebook the
student changed. A failed pull never stops the student from working: the server starts anyway.
"""

import os
import subprocess
import sys

repo = os.environ.get("LESSONKIT_COURSE_REPO")
if repo:
    target = os.path.join(os.path.expanduser("~"), "lessons")
    bindir = os.path.dirname(sys.executable)
    try:
        r = subprocess.run([os.path.join(bindir, "gitpuller"), repo, "main", target], capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0:
            print(f"[lessonkit] could not update ~/lessons (your files are untouched): {r.stderr[-800:]}",
                  file=sys.stderr)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"[lessonkit] could not update ~/lessons (your files are untouched): {e}", file=sys.stderr)
os.execv(os.path.join(os.path.dirname(sys.executable), "jupyterhub-singleuser"),
         ["jupyterhub-singleuser"] + sys.argv[1:])
