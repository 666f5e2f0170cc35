"""A microphone recorder with a count-in: sing, hum or whistle a phrase into the notebook.

Lesson: notebooks/02_ai_duet.ipynb ("sing your call", optional)

One call builds it::

    rec = recorder(tempo_bpm=100, bars=2)   # press Record, hear 4 clicks, sing 2 bars
    rec.audio                              # float32 samples at 16 kHz once it has stopped

How it works: the browser asks for the microphone (``getUserMedia``), plays one bar of clicks
at ``tempo_bpm`` (the count-in), keeps the raw samples from the next downbeat on for ``bars``
bars (or until Stop), and sends them to the kernel as one binary message. The kernel resamples
them to 16 kHz; time 0 of ``audio`` is beat 1, so :func:`lessonkit.transcribe.transcribe` can
use ``start_s=0.0``.

Why not ipyaudio's Recorder
---------------------------
ipyaudio 0.1.32 (the package the course listed) records well, but its bundled JavaScript always
appends a "Buy me a coffee" button whose images load from img.shields.io and modelscope.cn;
no setting removes it. A classroom page must make no request outside the Jupyter server and
show no advertisement, so this recorder is ~150 lines on ``anywidget`` instead: its front end
is the string :data:`_ESM` below, served by the Jupyter server like every other widget.

Microphones and HTTPS
---------------------
Browsers give pages the microphone only in a *secure context*: ``http://localhost`` /
``127.0.0.1`` (``make lab``) or ``https://``. A school hub (JupyterHub, a shared server) must
therefore be served over HTTPS with a certificate the students' browsers trust; over plain
``http://`` to another machine the recorder says that the microphone is blocked. The browser
also asks each student once to allow the microphone for the page.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from ..errors import LessonkitError, expect_int

SR = 16000

_ESM = r"""
const MESSAGES = {
  insecure: "The browser blocks the microphone on this page: it is neither a secure (https) page nor on this computer (localhost). Ask your teacher to serve Jupyter over https, or run it on this computer.",
  NotAllowedError: "The microphone was not allowed. Click the camera/microphone icon in the address bar, allow the microphone for this page, and press Record again.",
  NotFoundError: "No microphone was found. Plug one in (or choose it in the system settings) and press Record again.",
  NotReadableError: "The microphone is busy or cannot be read (another program may be using it). Close that program and press Record again.",
};

function click(ctx, when, accent) {
  // a short burst of filtered noise: a woodblock, not a pitch, so it is never heard as a note
  const n = Math.floor(ctx.sampleRate * 0.03);
  const buf = ctx.createBuffer(1, n, ctx.sampleRate);
  const d = buf.getChannelData(0);
  for (let i = 0; i < n; i++) d[i] = (Math.random() * 2 - 1) * Math.exp(-i / (n / 6));
  const src = ctx.createBufferSource();
  src.buffer = buf;
  const gain = ctx.createGain();
  gain.gain.value = accent ? 0.9 : 0.5;
  src.connect(gain).connect(ctx.destination);
  src.start(when);
}

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "lessonkit-recorder";
  const button = document.createElement("button");
  button.className = "lessonkit-record jupyter-button";
  const status = document.createElement("span");
  status.className = "lessonkit-recorder-status";
  status.style.marginLeft = "0.6em";
  box.append(button, status);
  el.appendChild(box);

  let ctx = null, stream = null, node = null, chunks = [], keep = false, timer = null;

  function show() {
    const state = model.get("state");
    button.textContent = state === "recording" || state === "count-in" ? "■ Stop" : "● Record";
    const text = { idle: "press Record, wait for the 4 clicks, then sing",
                   "count-in": "listen: 1, 2, 3, 4 ...", recording: "sing now!",
                   sending: "sending ...", done: model.get("message") || "recorded",
                   error: model.get("message") }[state] || state;
    status.textContent = text;
    status.style.color = state === "error" ? "#b00020" : "";
  }

  function finish(send) {
    if (timer) clearTimeout(timer);
    timer = null;
    if (node) node.disconnect();
    if (stream) stream.getTracks().forEach((t) => t.stop());
    const rate = ctx ? ctx.sampleRate : 48000;
    if (ctx) ctx.close();
    ctx = stream = node = null;
    if (!send) return;
    let n = 0;
    for (const c of chunks) n += c.length;
    const all = new Float32Array(n);
    let k = 0;
    for (const c of chunks) { all.set(c, k); k += c.length; }
    chunks = [];
    model.set("state", "sending");
    model.save_changes();
    model.send({ type: "audio", rate: rate, n: n }, undefined, [all.buffer]);
  }

  function fail(name, detail) {
    finish(false);
    model.set("message", MESSAGES[name] || ("The microphone could not start (" + name + ": " + detail + ")."));
    model.set("state", "error");
    model.save_changes();
  }

  async function start() {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      fail("insecure", "");
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    } catch (err) {
      fail(err.name, err.message);
      return;
    }
    ctx = new AudioContext();
    await ctx.resume();
    const beat = 60 / model.get("tempo_bpm");
    const beats = model.get("beats_per_bar");
    const t0 = ctx.currentTime + 0.15;
    // the singer follows the clicks as heard (output latency) and is heard late (input latency)
    const lag = (ctx.outputLatency || 0) + (ctx.baseLatency || 0);
    const downbeat = (model.get("count_in") ? t0 + beats * beat : t0) + lag;
    if (model.get("count_in")) for (let b = 0; b < beats; b++) click(ctx, t0 + b * beat, b === 0);
    const source = ctx.createMediaStreamSource(stream);
    node = ctx.createScriptProcessor(2048, 1, 1);
    const mute = ctx.createGain();
    mute.gain.value = 0;
    chunks = [];
    keep = true;
    node.onaudioprocess = (e) => {
      if (!keep) return;
      const data = e.inputBuffer.getChannelData(0);
      // playbackTime is when this block's *output* plays; its input was captured one block earlier
      const first = e.playbackTime - data.length / ctx.sampleRate;
      const skip = Math.max(0, Math.round((downbeat - first) * ctx.sampleRate));
      if (skip < data.length) chunks.push(new Float32Array(data.subarray(skip)));
    };
    source.connect(node);
    node.connect(mute).connect(ctx.destination);
    model.set("state", model.get("count_in") ? "count-in" : "recording");
    model.save_changes();
    const wait = (downbeat - ctx.currentTime) * 1000;
    timer = setTimeout(() => {
      model.set("state", "recording");
      model.save_changes();
      timer = setTimeout(() => { keep = false; finish(true); }, model.get("record_s") * 1000 + 250);
    }, Math.max(0, wait));
  }

  button.addEventListener("click", () => {
    const state = model.get("state");
    if (state === "recording" || state === "count-in") { keep = false; finish(state === "recording"); if (state === "count-in") { model.set("state", "idle"); model.save_changes(); } }
    else start();
  });
  model.on("change:state", show);
  model.on("change:message", show);
  show();
  return () => finish(false);
}
export default { render };
"""


class Recorder(anywidget.AnyWidget):
    """The microphone recorder (an ``anywidget.AnyWidget``). Build it with :func:`recorder`.

    Attributes
    ----------
    audio : np.ndarray, shape=(n_samples,), float32, or None
        The last recording, mono at 16 kHz; time 0 is the downbeat after the count-in.
    tempo_bpm : int
        Count-in tempo, beats per minute (synced with the browser).
    record_s : float
        How long a recording lasts after the count-in, in seconds.
    state : str
        ``"idle"``, ``"count-in"``, ``"recording"``, ``"sending"``, ``"done"`` or ``"error"``.
    message : str
        What went wrong (no microphone, permission refused, insecure page, a bad recording).
    """

    _esm = _ESM
    tempo_bpm = traitlets.Int(100).tag(sync=True)
    beats_per_bar = traitlets.Int(4).tag(sync=True)
    count_in = traitlets.Bool(True).tag(sync=True)
    record_s = traitlets.Float(5.0).tag(sync=True)
    state = traitlets.Unicode("idle").tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.audio = None
        self._callbacks = []
        self.on_msg(self._receive)

    def on_recorded(self, callback) -> None:
        """Call ``callback(audio)`` after each recording (audio as in :attr:`audio`)."""
        self._callbacks.append(callback)

    def _receive(self, _widget, content, buffers) -> None:
        if not isinstance(content, dict) or content.get("type") != "audio" or not buffers:
            return
        try:
            self.receive(np.frombuffer(bytes(buffers[0]), dtype=np.float32), int(content.get("rate", SR)))
        except Exception as err:  # never let a bad message reach the kernel's error output
            self.message, self.state = f"The recording could not be read ({type(err).__name__}: {err}).", "error"

    def receive(self, samples: np.ndarray, rate: int) -> np.ndarray:
        """Take raw samples from the browser: resample to 16 kHz, store, call the callbacks.

        Parameters
        ----------
        samples : np.ndarray, shape=(n_samples,), float32
            Mono samples at ``rate``.
        rate : int
            The browser's sample rate (44,100 or 48,000 Hz, usually).

        Returns
        -------
        np.ndarray
            The recording at 16 kHz (also in :attr:`audio`).
        """
        audio = to_16k(samples, rate)
        self.audio = audio
        self.message = f"recorded {len(audio) / SR:.1f} s"
        self.state = "done"
        for callback in self._callbacks:
            callback(audio)
        return audio


def to_16k(samples, rate: int) -> np.ndarray:
    """Mono float32 samples at ``rate`` Hz -> float32 at 16,000 Hz (polyphase resampling)."""
    from scipy.signal import resample_poly

    samples = np.asarray(samples, dtype=np.float32)
    rate = expect_int(rate, "rate", low=8000, high=384000)
    if samples.ndim != 1:
        raise LessonkitError(f"Recorded samples must be mono, shape (n,), not {samples.shape}.")
    if rate == SR or samples.size == 0:
        return samples.copy()
    g = int(np.gcd(rate, SR))
    return resample_poly(samples, SR // g, rate // g).astype(np.float32)


def recorder(*, tempo_bpm: int = 100, bars: int = 2, beats_per_bar: int = 4, count_in: bool = True) -> Recorder:
    """A microphone recorder: press Record, hear one bar of clicks, sing ``bars`` bars.

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    tempo_bpm : int
        Count-in tempo in beats per minute (40-200).
    bars : int
        How many bars are recorded after the count-in (1-8); Stop ends earlier.
    beats_per_bar : int
        Clicks in the count-in (4 for 4/4).
    count_in : bool
        Play the clicks (default). Without them, recording starts at once.

    Returns
    -------
    Recorder
        Display it by leaving it last in a cell; ``rec.audio`` holds the last recording.
    """
    tempo_bpm = expect_int(tempo_bpm, "tempo_bpm", low=40, high=200)
    bars = expect_int(bars, "bars", low=1, high=8)
    beats_per_bar = expect_int(beats_per_bar, "beats_per_bar", low=2, high=12)
    return Recorder(tempo_bpm=tempo_bpm, beats_per_bar=beats_per_bar, count_in=bool(count_in),
                    record_s=bars * beats_per_bar * 60.0 / tempo_bpm)


__all__ = ["recorder", "Recorder", "to_16k"]
