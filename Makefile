# lessonkit: two commands set everything up on a fresh machine.
#   make lab    install (once) and open lesson 00 in JupyterLab
#   make test   install (once, with the dev extras) and run every test
# Other targets are for teachers and maintainers; `make help` lists them.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8888
# Jupyter refuses to run as root unless told; CI and many containers run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
STAMP_TEACHER := $(VENV)/.installed-teacher
LESSON0 := notebooks/00_music_as_data.ipynb
# JupyterLab settings for a classroom: never fetch Jupyter news or check for updates (no requests
# outside the server, no pop-up asking students about it).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: help lab lab-settings notebook notebooks test test-fast test-browser browser-deps bench venv teacher dev data clean-venv release grade

help:
	@echo "make lab        install and open lesson 00 in JupyterLab (prints the URL with its token)"
	@echo "make notebook   the same in Jupyter Notebook 7"
	@echo "make test       install the dev extras and run every test (notebooks and browser included)"
	@echo "make test-fast  only the fast unit tests"
	@echo "make test-browser  only the browser tests (JupyterLab in headless Chromium)"
	@echo "make bench      run benchmarks/ and write benchmarks/RESULTS.md"
	@echo "make release    make the student versions of the homework (teachers)"
	@echo "make grade SUBMISSIONS=dir   grade a folder of submissions (teachers)"
	@echo "make notebooks  write notebooks/NN_name.ipynb from the lesson sources lessons/NN_name.py"

# ---------------------------------------------------------------- installation
$(BIN)/python:
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else 1)' || { \
	  echo "lessonkit needs Python 3.10 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install a newer Python, then run again with: make lab PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes (idempotent and quick on a second run).
$(STAMP_RUN): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@$(MAKE) --no-print-directory lab-settings
	@touch $@

# The teacher extra (nbgrader) is all `make release` / `make grade` need; the dev extras include it.
$(STAMP_TEACHER): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[teacher]'
	@$(MAKE) --no-print-directory lab-settings
	@touch $@ $(STAMP_RUN)

$(STAMP_DEV): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@$(MAKE) --no-print-directory lab-settings
	@touch $@ $(STAMP_RUN) $(STAMP_TEACHER)

lab-settings:
	@mkdir -p $(dir $(LAB_OVERRIDES))
	@printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(LAB_OVERRIDES)

venv: $(STAMP_RUN)
teacher: $(STAMP_TEACHER)
dev: $(STAMP_DEV)

# ---------------------------------------------------------------- students
lab: $(STAMP_RUN)
	@echo "Opening lesson 00 in JupyterLab. Copy the URL with the token below into your browser."
	$(BIN)/jupyter lab $(ROOT_FLAG) --port=$(PORT) --ServerApp.port_retries=50 \
	  --LabApp.default_url=/lab/tree/$(LESSON0) $(LESSON0)

notebook: $(STAMP_RUN)
	$(BIN)/jupyter notebook $(ROOT_FLAG) --port=$(PORT) --ServerApp.port_retries=50 \
	  --JupyterNotebookApp.default_url=/notebooks/$(LESSON0) $(LESSON0)

# ---------------------------------------------------------------- tests
# Chromium (Debian's) is installed through apt when it is missing and apt is available;
# tests/browser skips with a clear message otherwise (CI sets CI=true, and then it never skips).
# The emoji font makes the screenshots show the checks' ✅/❌/💡 as students' browsers do.
browser-deps:
	@if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; } \
	    && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's Chromium (and an emoji font) for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-color-emoji >/dev/null) \
	    || echo "Could not install Chromium through apt; browser tests will skip."; \
	fi

test: $(STAMP_DEV) browser-deps
	$(BIN)/python -m pytest -q

test-fast: $(STAMP_DEV)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

test-browser: $(STAMP_DEV) browser-deps
	$(BIN)/python -m pytest -q tests/browser

bench: $(STAMP_DEV)
	$(BIN)/python -m benchmarks

# ---------------------------------------------------------------- teachers (homework: the teacher extra, nbgrader only)
release: $(STAMP_TEACHER)
	$(BIN)/python -m lessonkit homework release

# make grade SUBMISSIONS=dir [FORCE=1]: dir/<student>/<assignment>/<notebook>.ipynb -> grading/
grade: $(STAMP_TEACHER)
	@if [ -z "$(SUBMISSIONS)" ]; then echo "Say which folder to grade: make grade SUBMISSIONS=path/to/submitted"; exit 2; fi
	$(BIN)/python -m lessonkit homework grade "$(SUBMISSIONS)" $(if $(FORCE),--force,)

# ---------------------------------------------------------------- maintainers
# Lessons are authored in lessons/NN_name.py (jupytext percent format); this writes the notebooks
# (outputs cleared, stable cell ids). tests/test_lesson_sources.py checks they are committed equal.
notebooks: $(STAMP_DEV)
	$(BIN)/python tools/notebooks.py

data: $(STAMP_DEV)
	$(BIN)/python -m lessonkit data build

clean-venv:
	rm -rf $(VENV)
