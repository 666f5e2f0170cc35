"""Shared test set-up: plots draw off-screen, and tests never touch the user's Jupyter config."""

import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")
