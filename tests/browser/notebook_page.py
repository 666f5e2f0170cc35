"""Drive one notebook in JupyterLab or Notebook 7 through Chromium, and say what a student would see.

:class:`NotebookPage` opens a notebook, runs all cells, and checks the page
(:meth:`NotebookPage.find_problems` returns a list of plain sentences, empty when all is
well). It also has the few gestures lesson interactions need (pick from a dropdown, move a
slider, click a button) and fingerprints of plots and players to tell whether they changed.

Both front ends are JupyterLab applications; the test servers start them with
``expose_app_in_browser`` so ``window.jupyterapp`` gives the notebook model (cells,
execution counts, outputs) next to the DOM a student sees.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tests skip (not error) when playwright is missing
    from playwright.sync_api import Locator, Page

# ---------------------------------------------------------------------------- network

ALLOWED_SCHEMES = ("data:", "blob:")


@dataclass
class NetworkLog:
    """Every request and websocket a browser context opened.

    Anything not on the Jupyter server (``http://127.0.0.1:PORT``, ``ws://127.0.0.1:PORT``)
    and not ``data:`` or ``blob:`` is a request a classroom without internet would see
    fail, or one that sends a student's browser to a third party.
    """

    urls: list[str] = field(default_factory=list)

    def attach(self, context) -> "NetworkLog":
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("page", lambda page: page.on("websocket", lambda ws: self.urls.append(ws.url)))
        return self

    def outside(self, port: int) -> list[str]:
        allowed = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", *ALLOWED_SCHEMES)
        return sorted({u for u in self.urls if not u.startswith(allowed)})


# ---------------------------------------------------------------------------- page scripts

_PANEL_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  const candidates = [app.shell.currentWidget];
  for (const w of app.shell.widgets('main')) candidates.push(w);
  return candidates.find(w => w && w.context && w.context.path === path && w.content && w.content.widgets) || null;
}
"""

STATE_JS = """
(path) => {
  const panel = (%s)(path);
  if (!panel || !panel.context.isReady) return null;
  const session = panel.sessionContext.session;
  const kernel = session && session.kernel;
  const cells = panel.content.widgets.map((w, i) => {
    const m = w.model;
    const cell = {index: i, type: m.type, source: m.sharedModel.getSource(), count: null, outputs: []};
    if (m.type === 'code') {
      cell.count = m.executionCount;
      for (let j = 0; j < m.outputs.length; j++) {
        const o = m.outputs.get(j).toJSON();
        cell.outputs.push({type: o.output_type, mimes: Object.keys(o.data || {}),
                           ename: o.ename || null, evalue: o.evalue || null});
      }
    }
    return cell;
  });
  return {kernel: kernel ? kernel.status : null, kernelName: kernel ? kernel.name : null, cells};
}
""" % _PANEL_JS

# Problems visible in the page, cell by cell. Returns a list of sentences.
DOM_PROBLEMS_JS = """
(path) => {
  const panel = (%s)(path);
  if (!panel) return ['the notebook ' + path + ' is not open'];
  const problems = [];
  const reprRe = /^\\s*[A-Z][A-Za-z]*\\((children|value|options|description|layout|outputs|index|min|max|_dom_classes|orientation|format|placeholder)=/;
  panel.content.widgets.forEach((w, i) => {
    const m = w.model;
    if (m.type !== 'code') return;
    const src = m.sharedModel.getSource();
    const where = 'cell ' + (i + 1) + ' (' + JSON.stringify(src.split('\\n')[0].slice(0, 60)) + ')';
    const outs = Array.from(w.node.querySelectorAll('.jp-OutputArea-output'));
    for (const o of outs) {
      const text = o.textContent || '';  // not innerText: it is empty for cells scrolled out of view
      const mime = o.dataset.mimeType || '';
      if (mime === 'application/vnd.jupyter.stderr' && /Traceback|Error/.test(text))
        problems.push(where + ' shows an error: ' + text.trim().split('\\n').slice(-1)[0].slice(0, 200));
      else if (mime === 'application/vnd.jupyter.stderr' && /\\w*Warning:/.test(text))
        problems.push(where + ' shows a warning (a pink box a student cannot act on): '
                      + text.trim().replace(/\\s+/g, ' ').slice(0, 200));
      if (/Loading widget/.test(text))
        problems.push(where + ': a widget is still "Loading widget..."');
      if (/Error displaying widget/.test(text))
        problems.push(where + ': "Error displaying widget" (' + text.trim().slice(0, 120) + ')');
      if (mime === 'text/plain' && reprRe.test(text))
        problems.push(where + ': a widget is shown as text, not as a widget: ' + JSON.stringify(text.trim().slice(0, 80))
                      + ' (is the ipywidgets front end, @jupyter-widgets/jupyterlab-manager, installed and enabled?)');
      if (/^<Figure size \\d+x\\d+ with \\d+ Axes>$/m.test(text) && !o.querySelector('img'))
        problems.push(where + ': a plot is printed as text (' + text.trim().slice(0, 60) + ') instead of drawn');
    }
    // compare with the model: each widget and image output must be rendered
    let nWidgets = 0, nImages = 0;
    for (let j = 0; j < m.outputs.length; j++) {
      const data = m.outputs.get(j).toJSON().data || {};
      if ('application/vnd.jupyter.widget-view+json' in data) nWidgets += 1;
      else if ('image/png' in data || 'image/jpeg' in data || 'image/svg+xml' in data) nImages += 1;
    }
    const renderedWidgets = outs.filter(o => o.querySelector(':scope > .jupyter-widgets, .jupyter-widgets')).length;
    if (renderedWidgets < nWidgets)
      problems.push(where + ': ' + nWidgets + ' widget output(s) but only ' + renderedWidgets + ' rendered as a widget');
    const renderedImages = outs.filter(o => o.matches('.jp-RenderedImage, .jp-RenderedSVG') && o.querySelector('img, svg')).length;
    if (renderedImages < nImages)
      problems.push(where + ': ' + nImages + ' plot(s) in the outputs but only ' + renderedImages + ' shown');
    for (const img of w.node.querySelectorAll('.jp-OutputArea-output img')) {
      if (!img.complete || img.naturalWidth === 0)
        problems.push(where + ': an image did not load (' + (img.src || '').slice(0, 40) + '...)');
    }
    // no visible widget label, button text or readout may be cut off ("temperat...", "C...")
    const texts = '.widget-label, .widget-label-basic, .widget-readout, .widget-button, .jupyter-button, '
                  + '.widget-inline-hbox > label, .widget-toggle-button';
    for (const el of w.node.querySelectorAll('.jp-OutputArea-output ' + texts.split(', ').join(', .jp-OutputArea-output '))) {
      const text = (el.textContent || el.value || '').trim();
      if (!text || el.getClientRects().length === 0) continue;  // empty, or not displayed
      if (el.scrollWidth > el.clientWidth + 1)
        problems.push(where + ': the widget text ' + JSON.stringify(text.slice(0, 40)) + ' is cut off (it needs '
                      + el.scrollWidth + ' px, its box is ' + el.clientWidth + ' px): widen it or shorten it');
    }
  });
  return problems;
}
""" % _PANEL_JS

# For every <audio> in the notebook: its src, how many bytes it holds, a digest, the duration.
AUDIO_JS = """
async (path) => {
  const panel = (%s)(path);
  if (!panel) return [];
  const hex = buf => Array.from(new Uint8Array(buf)).map(b => b.toString(16).padStart(2, '0')).join('');
  const result = [];
  for (const a of panel.content.node.querySelectorAll('audio')) {
    const cell = panel.content.widgets.findIndex(w => w.node.contains(a)) + 1;
    // hidden players (display: none, e.g. one a widget keeps for later) are not what a student sees
    const visible = a.checkVisibility ? a.checkVisibility({visibilityProperty: true}) : a.offsetParent !== null;
    const item = {src: a.src || '', cell, visible, bytes: 0, digest: '', duration: null, error: null};
    if (item.src) {
      try {
        const buf = await (await fetch(item.src)).arrayBuffer();
        item.bytes = buf.byteLength;
        item.digest = hex(await crypto.subtle.digest('SHA-256', buf));
      } catch (e) { item.error = 'could not read its data: ' + e; }
      if (a.readyState < 1 && !a.error) {
        await new Promise(resolve => {
          const done = () => resolve();
          a.addEventListener('loadedmetadata', done, {once: true});
          a.addEventListener('error', done, {once: true});
          if (a.preload === 'none') a.load();
          setTimeout(done, 5000);
        });
      }
      item.duration = Number.isFinite(a.duration) ? a.duration : null;
      if (a.error) item.error = 'the browser cannot play it (MediaError ' + a.error.code + ')';
    }
    result.push(item);
  }
  return result;
}
""" % _PANEL_JS

IMAGES_JS = """
async (path) => {
  const panel = (%s)(path);
  if (!panel) return [];
  const hex = buf => Array.from(new Uint8Array(buf)).map(b => b.toString(16).padStart(2, '0')).join('');
  const out = [];
  for (const img of panel.content.node.querySelectorAll('.jp-OutputArea-output img')) {
    const digest = hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(img.src)));
    out.push({digest, width: img.naturalWidth, height: img.naturalHeight});
  }
  return out;
}
""" % _PANEL_JS


class NotebookProblem(AssertionError):
    """Raised when a notebook does not reach the state a student needs."""


@dataclass
class NotebookPage:
    """One notebook open in a Chromium page.

    Parameters
    ----------
    page : playwright Page
    server : servers.JupyterServer
    path : str
        The notebook's path relative to the server root, e.g. ``notebooks/00_music_as_data.ipynb``.
    app : {"lab", "notebook"}
        JupyterLab (``/lab/tree/...``) or Notebook 7 (``/notebooks/...``).
    """

    page: Page
    server: object
    path: str
    app: str = "lab"

    # ------------------------------------------------------------------ open and run
    def open(self, timeout_s: float = 90.0) -> "NotebookPage":
        # ?reset: a fresh Lab workspace, not the tabs an earlier test left open on this server
        route = {"lab": f"lab/tree/{self.path}?reset", "notebook": f"notebooks/{self.path}"}[self.app]
        self.page.goto(self.server.url(route), wait_until="domcontentloaded")
        self.wait_until(lambda: (self.state() or {}).get("kernel") == "idle", timeout_s,
                        "the notebook to load and its kernel to start")
        return self

    def state(self) -> dict | None:
        return self.page.evaluate(STATE_JS, self.path)

    def run_all(self, timeout_s: float = 300.0) -> dict:
        """Run every cell (the ``notebook:run-all-cells`` command, as Run ▸ Run All Cells does).

        Waits until the kernel is idle and every code cell has an execution count, or a cell
        raised (later cells then never run); returns the final :meth:`state`.
        """
        self.page.evaluate(
            """(path) => { const app = window.jupyterapp;
                 const panel = (%s)(path);
                 app.shell.activateById(panel.id);
                 app.commands.execute('notebook:run-all-cells'); }""" % _PANEL_JS, self.path)
        return self.wait_idle(timeout_s, what="all cells to run")

    def wait_idle(self, timeout_s: float = 120.0, what: str = "the kernel to be idle") -> dict:
        """Wait until the kernel is idle and every cell ran (or one raised), twice in a row."""
        last = {}
        calm = 0

        def settled() -> bool:
            nonlocal calm, last
            last = self.state() or {}
            cells = [c for c in last.get("cells", []) if c["type"] == "code" and c["source"].strip()]
            raised = any(o["type"] == "error" for c in cells for o in c["outputs"])
            done = last.get("kernel") == "idle" and (raised or all(c["count"] is not None for c in cells))
            calm = calm + 1 if done else 0
            return calm >= 3

        self.wait_until(settled, timeout_s, what, interval_s=0.3)
        self.settle_widgets()
        return last

    def settle_widgets(self, timeout_s: float = 20.0) -> None:
        """Give widget views time to render ("Loading widget..." goes away); never fails."""
        try:
            self.page.wait_for_function(
                "(path) => { const panel = (%s)(path);"
                " return panel && !/Loading widget/.test(panel.content.node.textContent); }" % _PANEL_JS,
                arg=self.path, timeout=timeout_s * 1000)
        except Exception:
            pass
        self.page.wait_for_timeout(300)

    def wait_until(self, predicate, timeout_s: float, what: str, interval_s: float = 0.25):
        deadline = time.monotonic() + timeout_s
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise NotebookProblem(f"gave up after {timeout_s:.0f} s waiting for {what} in {self.path}")
            self.page.wait_for_timeout(interval_s * 1000)

    # ------------------------------------------------------------------ what a student sees
    def find_problems(self, *, min_images: int = 0, min_audio: int = 0) -> list[str]:
        """Everything wrong a student would see, as sentences; ``[]`` when all is well.

        Checks: every code cell ran (has an execution count); no cell raised or shows a
        traceback or a warning on stderr; no widget is left "Loading widget...", shows "Error displaying widget" or
        is shown as its text repr (``VBox(children=...``); every widget and plot output in the
        notebook model is rendered in the page and every image loaded; no visible widget label,
        button text or readout is cut off (its ``scrollWidth`` exceeds its ``clientWidth``); every visible ``<audio>``
        player holds sound the browser can play; at least ``min_images`` plots and ``min_audio`` players.
        """
        problems = []
        state = self.state()
        if state is None:
            return [f"{self.path} is not open in the page"]
        for c in state["cells"]:
            if c["type"] != "code" or not c["source"].strip():
                continue
            where = f"cell {c['index'] + 1} ({c['source'].splitlines()[0][:60]!r})"
            for o in c["outputs"]:
                if o["type"] == "error":
                    problems.append(f"{where} raised {o['ename']}: {o['evalue']}")
            if c["count"] is None:
                problems.append(f"{where} was not run (no execution count)")
        if state["kernel"] != "idle":
            problems.append(f"the kernel is {state['kernel']!r}, not idle")
        raised = {c["index"] + 1 for c in state["cells"] if any(o["type"] == "error" for o in c["outputs"])}
        for p in self.page.evaluate(DOM_PROBLEMS_JS, self.path):
            cell = re.match(r"cell (\d+) ", p)
            if cell and int(cell.group(1)) in raised and " shows an error: " in p:
                continue  # the traceback of an error already reported from the notebook model
            problems.append(p)
        images = self.images()
        players = self.audio()
        if len(images) < min_images:
            problems.append(f"expected at least {min_images} plot(s), the page shows {len(images)}")
        shown = [a for a in players if a["visible"]]
        if len(shown) < min_audio:
            problems.append(f"expected at least {min_audio} audio player(s), the page shows {len(shown)}")
        for i, a in enumerate(players, 1):
            if not a["visible"]:
                continue
            i = f"{i} (in cell {a['cell']})"
            if not a["src"].startswith(("blob:", "data:")):
                problems.append(f"audio player {i} has no sound loaded (src={a['src'][:60]!r})")
            elif a["bytes"] == 0:
                problems.append(f"audio player {i} is empty (0 bytes): a student sees a player that cannot "
                                "play; show it only once there is sound, or give it a moment of silence")
            elif a["error"]:
                problems.append(f"audio player {i}: {a['error']}")
            elif a["bytes"] <= 44 or not a["duration"]:
                problems.append(f"audio player {i} holds no sound ({a['bytes']} bytes, duration {a['duration']})")
        return problems

    def images(self) -> list[dict]:
        """Every image in the outputs (plots, also inside Output widgets): digest and size."""
        return self.page.evaluate(IMAGES_JS, self.path)

    def image_bytes(self) -> list[bytes]:
        """The PNG (or other) bytes of every output image, in the order of :meth:`images`."""
        import base64

        srcs = self.page.evaluate("(path) => { const panel = (%s)(path);"
                                  " return Array.from(panel.content.node.querySelectorAll('.jp-OutputArea-output img'))"
                                  ".map(i => i.src); }" % _PANEL_JS, self.path)
        return [base64.b64decode(s.split(",", 1)[1]) if s.startswith("data:") and ";base64," in s else b""
                for s in srcs]

    def audio(self) -> list[dict]:
        """Every audio player: ``src``, ``bytes``, ``digest`` of its data and ``duration`` in s."""
        return self.page.evaluate(AUDIO_JS, self.path)

    def text(self) -> str:
        """All the text of the notebook (sources and outputs), scrolled into view or not."""
        return self.page.evaluate("(path) => { const panel = (%s)(path);"
                                  " return panel ? panel.content.node.textContent : ''; }" % _PANEL_JS, self.path)

    # ------------------------------------------------------------------ screenshots
    def screenshot(self, path: Path, max_height: int = 30000) -> Path:
        """A picture of the whole notebook, top to bottom, as a student scrolls through it.

        The notebook scrolls inside JupyterLab's fixed-size window, so the browser window is
        made as tall as the notebook for the shot (capped at ``max_height`` px) and restored.
        Cells out of view have estimated heights until they are shown, so the height is
        measured again after each resize until it stops growing.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        scroller = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer").first
        measure = """e => { e.scrollTop = 0;
            const cells = e.querySelectorAll('.jp-Cell');
            const last = cells.length ? cells[cells.length - 1] : null;
            // down to the last cell (Lab pads the end so the last cell can scroll to the top)
            const bottom = last ? last.getBoundingClientRect().bottom - e.getBoundingClientRect().top + 40
                                : e.scrollHeight;
            return Math.ceil(Math.min(e.scrollHeight, bottom) - e.clientHeight); }"""
        height = size["height"]
        try:
            for _ in range(6):
                extra = scroller.evaluate(measure)
                if extra <= 2 or height >= max_height:
                    break
                height = int(min(max_height, height + extra))
                self.page.set_viewport_size({"width": size["width"], "height": height})
                self.page.wait_for_timeout(600)
            self.page.wait_for_timeout(300)
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)
        return path

    # ------------------------------------------------------------------ gestures
    def widget(self, description: str) -> Locator:
        """The widget whose label reads ``description`` (exactly; case-sensitive)."""
        label = self.page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
        found = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jupyter-widgets.widget-inline-hbox",
                                  has=label)
        if found.count() == 0:
            labels = self.page.locator("label.widget-label").all_inner_texts()
            raise NotebookProblem(f"no widget labelled {description!r} in {self.path}; labels on the page: {labels}")
        return found.first

    def select(self, description: str, label: str | None = None, *, index: int | None = None) -> str:
        """Pick an option of a dropdown by its text or index; returns the text picked."""
        select = self.widget(description).locator("select")
        select.scroll_into_view_if_needed()
        if index is not None:
            select.select_option(index=index)
        else:
            select.select_option(label=label)
        return select.evaluate("s => s.options[s.selectedIndex].textContent")

    def slider_value(self, description: str) -> str:
        """The slider's readout as text, with the typographic minus (U+2212) made a plain ``-``."""
        return self.widget(description).locator(".widget-readout").text_content().strip().replace("\u2212", "-")

    def press_slider(self, description: str, key: str = "ArrowRight", times: int = 1) -> str:
        """Focus the slider's handle and press a key (ArrowRight/Left, PageUp, Home...); returns the new readout."""
        handle = self.widget(description).locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(times):
            handle.press(key)
        return self.slider_value(description)

    def drag_slider(self, description: str, fraction: float) -> str:
        """Drag the slider's handle with the mouse to ``fraction`` (0..1) of its track; returns the readout."""
        w = self.widget(description)
        handle, track = self._settled_boxes(w.locator(".noUi-handle").first, w.locator(".noUi-base").first)
        y = handle["y"] + handle["height"] / 2
        self.page.mouse.move(handle["x"] + handle["width"] / 2, y)
        self.page.mouse.down()
        self.page.mouse.move(track["x"] + fraction * track["width"], y, steps=8)
        self.page.mouse.up()
        return self.slider_value(description)

    def _settled_boxes(self, *locators, timeout_s: float = 10.0):
        """Scroll the first locator into view and wait until none of them moves any more.

        Cells scrolled into view get their real height only then, so what was just scrolled
        to can still move; a mouse gesture at a stale position would land in another cell.
        """
        locators[0].scroll_into_view_if_needed()
        deadline = time.monotonic() + timeout_s
        boxes = None
        while time.monotonic() < deadline:
            now = [loc.bounding_box() for loc in locators]
            if now == boxes and all(b is not None and 0 <= b["y"] < self.page.viewport_size["height"] for b in now):
                return now
            if boxes is not None and now != boxes:
                locators[0].scroll_into_view_if_needed()
            boxes = now
            self.page.wait_for_timeout(200)
        raise NotebookProblem(f"{locators[0]} kept moving; cannot point the mouse at it")

    def type_slider(self, description: str, value) -> str:
        """Type a value into the slider's readout and press Enter; returns the readout."""
        readout = self.widget(description).locator(".widget-readout")
        readout.scroll_into_view_if_needed()
        readout.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.type(str(value))
        self.page.keyboard.press("Enter")
        return self.slider_value(description)

    def click_button(self, text: str) -> None:
        button = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) button.jupyter-button",
                                   has_text=text).first
        button.scroll_into_view_if_needed()
        button.click()

    def wait_for_change(self, fingerprint, before, timeout_s: float = 60.0, what: str = "the output to change"):
        """Poll ``fingerprint()`` until it differs from ``before``, then until it is stable; return it.

        Stable means: unchanged, with the kernel idle, for ``quiet_s`` (one gesture can queue
        more than one update, and the kernel is briefly idle between them).
        """
        self.wait_until(lambda: fingerprint() != before, timeout_s, what, interval_s=0.3)
        return self.wait_stable(fingerprint, timeout_s=timeout_s, what=what)

    def wait_stable(self, fingerprint, quiet_s: float = 1.2, timeout_s: float = 60.0, what: str = "the page to settle"):
        """Wait until ``fingerprint()`` stays the same, with the kernel idle, for ``quiet_s``; return it."""
        last = {"value": object(), "since": time.monotonic()}

        def quiet():
            now = fingerprint()
            idle = (self.state() or {}).get("kernel") == "idle"
            if now != last["value"] or not idle:
                last.update(value=now, since=time.monotonic())
                return False
            return time.monotonic() - last["since"] >= quiet_s

        self.wait_until(quiet, timeout_s, what, interval_s=0.3)
        self.settle_widgets(timeout_s=10)
        return fingerprint()
