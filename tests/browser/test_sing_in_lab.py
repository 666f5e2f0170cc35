"""Sing the call in JupyterLab: Chromium's fake microphone plays a rendered phrase into the recorder.

Chromium is started with ``--use-fake-device-for-media-stream --use-fake-ui-for-media-stream
--use-file-for-fake-audio-capture=<wav>``: the microphone "hears" a phrase rendered by
:func:`lessonkit.transcribe.perform` (silence for the count-in, then the phrase). The test
presses Record in the duet widget (``duet_widget(..., sing=True)``), waits for the call to
appear in the text box, checks it has the phrase's notes, presses Respond and waits for the
answer; the page must make no request outside the Jupyter server.
"""

from __future__ import annotations

import numpy as np
import pytest

from .chromium import CHROMIUM, CHROMIUM_ARGS
from .notebook_page import NetworkLog, NotebookPage
from .servers import ARTIFACTS, isolated_jupyter_env, make_scratch_root, start_jupyter, write_lab_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHRASE = "E4 G4 A4 G4 | C5*2 A4*2"
TEMPO = 100
FIXTURE = "sing_the_call.ipynb"


def _fixture_notebook(path):
    import nbformat

    cells = [
        nbformat.v4.new_markdown_cell("# Sing the call (browser test fixture)"),
        # the kernel's cwd is notebooks/; the scratch root links this checkout's lessonkit there
        nbformat.v4.new_code_cell("import pathlib, sys\nsys.path.insert(0, str(pathlib.Path.cwd().parent))\n"
                                  "from lessonkit.models.rules import RuleResponder\n"
                                  "from lessonkit.widgets.duet import duet_widget"),
        nbformat.v4.new_code_cell(f"w = duet_widget({{'echo': RuleResponder('echo')}}, call='C4', sing=True, "
                                  f"respond=False)\nw.call_input.tempo.value = {TEMPO}\nw"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def _fake_microphone_wav(path):
    import soundfile as sf
    from scipy.signal import resample_poly

    from lessonkit import Melody
    from lessonkit.transcribe import perform

    audio, _ = perform(Melody.parse(PHRASE, tempo_bpm=TEMPO), "flute", seed=0)
    count_in_s = 0.15 + 4 * 60 / TEMPO                      # the recorder's lead time and one bar of clicks
    tail = np.zeros(3 * 16000, np.float32)
    signal = np.concatenate([np.zeros(int(count_in_s * 16000), np.float32), audio, tail])
    sf.write(str(path), resample_poly(signal, 3, 1).astype(np.float32), 48000, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def sing_setup(browser, scratch):
    """``(servers, mic_browser)``: ``servers(app)`` starts JupyterLab or Notebook 7 once, on demand."""
    wav = _fake_microphone_wav(scratch / "fake-microphone.wav")
    root = make_scratch_root(scratch, extra_notebooks=[_fixture_notebook(scratch / FIXTURE)])
    started = {}

    def servers(app):
        if app not in started:
            home = scratch / f"home-sing-{app}"
            env = isolated_jupyter_env(home)
            write_lab_settings(env)
            started[app] = start_jupyter(app, root, home, name=f"sing-{app}", env=env)
        return started[app]

    mic_browser = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                              f"--use-file-for-fake-audio-capture={wav}", "--autoplay-policy=no-user-gesture-required"])
    try:
        yield servers, mic_browser
    finally:
        mic_browser.close()
        for server in started.values():
            server.shutdown_kernels()
            server.stop()


@pytest.mark.parametrize("app", ["lab", "notebook"])
def test_a_sung_phrase_becomes_the_call_and_respond_answers_it(sing_setup, app):
    from lessonkit import Melody

    servers, mic_browser = sing_setup
    server = servers(app)
    context = mic_browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    context.set_default_timeout(30_000)
    context.grant_permissions(["microphone"], origin=server.base_url)
    network = NetworkLog().attach(context)
    page = context.new_page()
    try:
        nb = NotebookPage(page, server, f"notebooks/{FIXTURE}", app=app).open()
        nb.run_all()
        assert not nb.find_problems(), nb.find_problems()
        call_box = nb.widget("your call").locator("input")
        assert call_box.input_value() == "C4"
        record = page.locator("button.lessonkit-record")
        record.scroll_into_view_if_needed()
        record.click()
        nb.wait_until(lambda: call_box.input_value() != "C4", 40.0, "the sung call to reach the text box")
        status = page.locator(".lessonkit-call-input").inner_text()
        problems = nb.find_problems(min_images=1, min_audio=1)   # the pitch curve and the notes' player
        assert not problems, problems
        sung = Melody.parse(call_box.input_value())
        sang = Melody.parse(PHRASE)
        assert sung.pitches.tolist() == sang.pitches.tolist(), (call_box.input_value(), status)
        # on the grid too (within one 16th: the browser's audio timing is not exact)
        assert np.abs(sung.onsets_steps - sang.onsets_steps).max() <= 1, (call_box.input_value(), status)
        nb.click_button("Respond")
        nb.wait_until(lambda: "answered with" in page.locator(".lessonkit-duet").inner_text(), 40.0,
                      "the answer to the sung call")
        nb.screenshot(ARTIFACTS / f"sing-the-call-{app}.png")
        server.shutdown_kernels()
        outside = network.outside(server.port)
        assert not outside, f"the page made requests outside the Jupyter server: {outside}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"FAILED-sing-the-call-{app}.png"))
        raise
    finally:
        context.close()


def test_a_refused_microphone_is_explained_in_the_widget(browser, sing_setup):
    """Without the fake consent UI, headless Chromium refuses the microphone: the widget says what to do."""
    servers, _ = sing_setup
    server = servers("lab")
    refusing = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream"])
    context = refusing.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        nb = NotebookPage(page, server, f"notebooks/{FIXTURE}").open()
        nb.run_all()
        page.locator("button.lessonkit-record").click()
        panel = page.locator(".lessonkit-call-input")
        nb.wait_until(lambda: "microphone" in page.locator(".lessonkit-recorder-status").inner_text(), 30.0,
                      "the recorder to report the refused microphone")
        status = page.locator(".lessonkit-recorder-status").inner_text()
        assert "not allowed" in status or "No microphone" in status, status
        assert "not allowed" in panel.inner_text() or "No microphone" in panel.inner_text()
        assert not nb.find_problems(), nb.find_problems()       # nothing crashed the kernel
    finally:
        context.close()
        refusing.close()
