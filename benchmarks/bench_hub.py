"""A whole class on one hub: N simulated students log in at once, open lesson 02 and press Respond.

Run alone with ``python -m benchmarks hub`` (as root; it creates and removes its own users);
``make bench`` collects :func:`run`. Class sizes come from ``LESSONKIT_HUB_BENCH_N`` (default
``5,10``; add 20 where the machine has the memory and time).

Each simulated student does what a browser does, over the same HTTP and websocket API: logs in
through the hub's login form (PAM password), starts their server, starts a kernel, runs lesson
02's setup cell, loads the shipped neural duet model, builds the duet widget and presses
Respond (``widget.respond()``: the model's answer, its audio and its two plots) once for the
first answer and then ``PRESSES`` more times. Lesson 02's 60-second training cell is left out:
twenty students training at once on two cores measures only the queue.

Memory is each student's PSS (proportional set size: shared pages such as torch's libraries
split fairly between the processes that map them), read from /proc for the student's server
and kernel after the last press. The "alone" figures come from one student on the idle hub
first. Every figure depends on what else the machine was doing; the note column says the load.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import pathlib
import pwd
import shutil
import statistics
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
PRESSES = 5


def _lesson02_code() -> dict:
    nb = json.loads((ROOT / "notebooks/02_ai_duet.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    setup = code[0]
    call = next(c for c in code if c.startswith("call_text ="))
    call = call.split("\n", 1)[0]
    return {"setup": setup + "\n" + call + "\nfrom lessonkit.models.duet import load_pretrained\n"
                                          "neural = load_pretrained('neural')",
            "widget": "w = duet_widget(call=call_text)\nprint(len(w.respond()))",
            "press": "print(len(w.respond()))",
            "train": next(c for c in code if "train_model(" in c).split("\nprint", 1)[0]}


def _pss_kib(uid: int) -> dict:
    """PSS in KiB of the user's processes: {"kernel": ..., "server": ..., "all": ...}."""
    out = {"kernel": 0, "server": 0, "all": 0}
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            if os.stat(f"/proc/{e}").st_uid != uid:
                continue
            cmd = open(f"/proc/{e}/cmdline", "rb").read()
            pss = next(int(l.split()[1]) for l in open(f"/proc/{e}/smaps_rollup") if l.startswith("Pss:"))
        except (FileNotFoundError, ProcessLookupError, StopIteration, PermissionError):
            continue
        out["all"] += pss
        if b"ipykernel" in cmd:
            out["kernel"] += pss
        elif b"jupyterhub-singleuser" in cmd:
            out["server"] += pss
    return out


def _cpu_s(uid: int) -> float:
    """CPU seconds (user + system, with finished children) of the user's processes so far."""
    total = 0
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                if os.stat(f"/proc/{e}").st_uid == uid:
                    fields = open(f"/proc/{e}/stat").read().rsplit(")", 1)[1].split()
                    total += sum(int(x) for x in fields[11:15])   # utime stime cutime cstime
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total / os.sysconf("SC_CLK_TCK")


def _mem_available_kib() -> int:
    return int(next(l for l in open("/proc/meminfo") if l.startswith("MemAvailable")).split()[1])


def _p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))] if xs else float("nan")


def _student_session(hubclient, url, name, password, token, code, presses, train=False):
    """One student's whole visit; returns timings (s) or raises."""
    t0 = time.monotonic()
    if not hubclient.login_form(url, name, password):
        raise RuntimeError(f"{name}: login refused")
    s = hubclient.Student(url, name, token)
    s.spawn(timeout=600)
    t_server = time.monotonic() - t0
    k = s.kernel()
    try:
        for cell in ("setup", "widget"):
            r = k.execute(code[cell], timeout=900)
            if r["status"] != "ok":
                raise RuntimeError(f"{name}: {cell} cell failed: {r['error'] or r['status']}")
        first = time.monotonic() - t0
        uid = pwd.getpwnam(name).pw_uid
        cpu_first = _cpu_s(uid)
        lat = []
        for _ in range(presses):
            r = k.execute(code["press"], timeout=600)
            if r["status"] != "ok":
                raise RuntimeError(f"{name}: Respond failed: {r['error'] or r['status']}")
            lat.append(r["seconds"])
        pss = _pss_kib(pwd.getpwnam(name).pw_uid)
        out = {"server_s": t_server, "first_answer_s": first, "respond_s": lat, "pss": pss, "cpu_first_s": cpu_first,
               "cpu_press_s": (_cpu_s(uid) - cpu_first) / max(1, presses)}
        if train:   # lesson 02's heaviest cell: 60 s of training on the student's one core
            r = k.execute(code["train"], timeout=900)
            if r["status"] != "ok":
                raise RuntimeError(f"{name}: training cell failed: {r['error'] or r['status']}")
            out["pss_trained"] = _pss_kib(pwd.getpwnam(name).pw_uid)
        return out
    finally:
        k.close()


def _one_class(n: int, code: dict) -> list:
    sys.path.insert(0, str(ROOT / "hub"))
    import classhub
    import hubclient

    base = pathlib.Path(tempfile.mkdtemp(prefix="lessonkit-hubbench-", dir="/tmp"))
    os.chmod(base, 0o755)
    tag = uuid.uuid4().hex[:5]
    teacher, names = f"lkb{tag}t", [f"lkb{tag}s{i:02d}" for i in range(n)]
    klass = base / "class.txt"
    klass.write_text(f"{teacher} admin\n" + "".join(f"{x}\n" for x in names))
    state = str(base / "state")
    root = hubclient.scratch_course(base, ROOT)
    rows = []
    load0 = os.getloadavg()
    try:
        classhub.ensure_users(classhub.read_class(str(klass)), state)
        port = classhub.free_port()
        mem_before = _mem_available_kib()
        classhub.start(str(klass), root=str(root), state=state, port=port, mem="3G", cpu=1.0, grant_traverse=True,
                       idle_timeout=7200)
        url = f"http://127.0.0.1:{port}"
        admin = open(classhub.paths(state)["token"]).read().strip()
        pw = dict(line.split() for line in open(classhub.paths(state)["passwords"]))
        tokens = {x: hubclient.user_token(url, admin, x) for x in names}
        # alone: the first student, on an otherwise idle hub
        alone = _student_session(hubclient, url, names[0], pw[names[0]], tokens[names[0]], code, 2 * PRESSES, train=True)
        hubclient.Student(url, names[0], tokens[names[0]]).stop()
        # the whole class at once
        t0 = time.monotonic()
        results, failures = {}, []
        with cf.ThreadPoolExecutor(max_workers=n) as pool:
            futs = {pool.submit(_student_session, hubclient, url, x, pw[x], tokens[x], code, PRESSES): x for x in names}
            for f in cf.as_completed(futs):
                try:
                    results[futs[f]] = f.result()
                except Exception as e:  # noqa: BLE001  (a failure is a figure here)
                    failures.append(f"{futs[f]}: {e}")
        wall = time.monotonic() - t0
        mem_after = _mem_available_kib()
        load1 = os.getloadavg()
        note = (f"{n} students at once; load average {load0[0]:.1f} before, {load1[0]:.1f} after "
                f"(machine shared with other work); {os.cpu_count()} cores")
        kern = [r["pss"]["kernel"] / 1024 for r in results.values()]
        per = [r["pss"]["all"] / 1024 for r in results.values()]
        firsts = [r["first_answer_s"] for r in results.values()]
        lat = [x for r in results.values() for x in r["respond_s"]]
        pre = f"N={n}: "
        rows += [
            {"benchmark": pre + "failures", "value": len(failures), "unit": "students", "target": "0",
             "note": "; ".join(failures)[:300] or note},
            {"benchmark": pre + "kernel memory per student, median", "value": statistics.median(kern) if kern else None,
             "unit": "MiB PSS", "target": "", "note": "lesson 02 kernel after the duet model answered"},
            {"benchmark": pre + "kernel memory per student, max", "value": max(kern) if kern else None,
             "unit": "MiB PSS", "target": "", "note": ""},
            {"benchmark": pre + "server + kernel per student, median", "value": statistics.median(per) if per else None,
             "unit": "MiB PSS", "target": "", "note": "all the student's processes"},
            {"benchmark": pre + "total memory used by the class", "value": (mem_before - mem_after) / 1024,
             "unit": "MiB", "target": "", "note": "drop of MemAvailable from before the hub to after the class; "
                                                  "includes the hub and proxy; other work on the machine moves it"},
            {"benchmark": pre + "login to first answer, median", "value": statistics.median(firsts) if firsts else None,
             "unit": "s", "target": "", "note": "log in, start server, kernel, setup cell, load model, first Respond"},
            {"benchmark": pre + "login to first answer, max", "value": max(firsts) if firsts else None, "unit": "s",
             "target": "", "note": f"the whole class was served in {wall:.0f} s"},
            {"benchmark": pre + "Respond p95 under load", "value": _p95(lat), "unit": "s", "target": "",
             "note": f"{len(lat)} presses, all students pressing"},
            {"benchmark": pre + "Respond p95 alone", "value": _p95(alone["respond_s"]), "unit": "s", "target": "",
             "note": f"one student, {len(alone['respond_s'])} presses; login to first answer alone "
                     f"{alone['first_answer_s']:.0f} s, kernel {alone['pss']['kernel'] / 1024:.0f} MiB PSS"},
            {"benchmark": pre + "CPU per student, login to first answer", "unit": "CPU s", "target": "",
             "value": statistics.median([r["cpu_first_s"] for r in results.values()]) if results else None,
             "note": f"median; alone {alone['cpu_first_s']:.1f} CPU s (server start, kernel, imports, model, first answer)"},
            {"benchmark": pre + "CPU per Respond", "unit": "CPU s", "target": "",
             "value": statistics.median([r["cpu_press_s"] for r in results.values()]) if results else None,
             "note": f"median over students; alone {alone['cpu_press_s']:.2f} CPU s (answer, audio, two plots)"},
            {"benchmark": pre + "kernel memory after lesson 02's training cell", "unit": "MiB PSS", "target": "",
             "value": alone["pss_trained"]["kernel"] / 1024,
             "note": "one student, measured alone: train_model(seconds=60) on top of the duet; the class above "
                     "did not train (20 trainings at once on 2 cores would only measure the queue)"},
        ]
    finally:
        classhub.teardown(None, state)
        shutil.rmtree(base, ignore_errors=True)
    return rows


def _earlier_rows(sizes) -> list:
    """Rows of class sizes measured in an earlier run and not measured now (kept, marked as earlier)."""
    import re

    path = ROOT / "benchmarks/RESULTS.md"
    text = path.read_text() if path.exists() else ""
    m = re.search(r"(?ms)^## hub\n\n_run on ([^,]+),.*?(?=^## |\Z)", text)
    if not m:
        return []
    rows = []
    for line in m.group(0).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        size = re.match(r"N=(\d+):", cells[0]) if len(cells) == 5 else None
        if size and int(size.group(1)) not in sizes:
            note = cells[4] if cells[4].startswith("earlier run") else f"earlier run ({m.group(1)}): {cells[4]}"
            rows.append({"benchmark": cells[0], "value": cells[1], "unit": cells[2], "target": cells[3], "note": note})
    return rows


def run() -> list:
    """Rows of ``{"benchmark", "value", "unit", "target", "note"}``."""
    if os.geteuid() != 0 or not (ROOT / "hub/node_modules/.bin/configurable-http-proxy").exists():
        return [{"benchmark": "skipped", "note": "needs root and make hub-deps (it creates system users)"}]
    code = _lesson02_code()
    sizes = [int(x) for x in os.environ.get("LESSONKIT_HUB_BENCH_N", "5,10").split(",") if x.strip()]
    rows = _earlier_rows(sizes)
    for n in sizes:
        print(f"[bench hub] N={n} ...", flush=True)
        try:
            rows += _one_class(n, code)
        except Exception as e:  # noqa: BLE001  (one class size failing must not lose the others' figures)
            rows.append({"benchmark": f"N={n}: FAILED", "value": None, "note": f"{type(e).__name__}: {e}"[:300]})
        for r in rows[-12:]:
            print(f"    {r['benchmark']}: {r['value']} {r.get('unit', '')}  {r.get('note', '')}", flush=True)
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for row in run():
        print(row)
