"""The manifest of shipped data files: name, size and sha256 of each file in ``data/``.

Runtime code: the datasets and the sample bank verify their files through here, and
``lessonkit data verify`` runs :func:`main`. Builders and ``lessonkit train`` record what
they wrote with :func:`update_manifest`.

``data/manifest.json`` is a dict keyed by file name (relative to ``data/``)::

    {"melodies.npz": {"sha256": "...", "bytes": 1234567, "built_by": "...", "updated": "..."}}

A builder calls :func:`update_manifest` after it writes a file; tests and lessons call
:func:`verify_manifest` to make sure the files on disk are the ones that were built.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os

from .errors import DataFileError
from .files import atomic_write_bytes

DATA_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "data"))
"""The repository's ``data/`` folder, where shipped files live."""
MANIFEST_NAME = "manifest.json"
REBUILD_HINT = "Rebuild the shipped data with `python -m lessonkit data build`."


def sha256_of(path, chunk_bytes: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk_bytes), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(data_dir=None) -> dict:
    """The manifest as a dict keyed by file name (empty if there is none yet)."""
    path = os.path.join(data_dir or DATA_DIR, MANIFEST_NAME)
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as err:
        raise DataFileError(f"{path} is not readable JSON ({err}). {REBUILD_HINT}") from None
    if not isinstance(manifest, dict):
        raise DataFileError(f"{path} should hold a dict keyed by file name. {REBUILD_HINT}")
    return manifest


def update_manifest(path, *, built_by: str = "", data_dir=None, **extra) -> dict:
    """Record (or refresh) one file's size and sha256 in ``data/manifest.json``.

    Other files' entries are kept as they are, so several builders share one manifest.

    Parameters
    ----------
    path : str or os.PathLike
        The file, inside ``data_dir``.
    built_by : str
        The command that rebuilds it, e.g. ``"python -m lessonkit data build"``; if
        empty, the entry's previous command is kept.
    data_dir : str, optional
        The data folder; defaults to the repository's ``data/``.
    **extra
        More JSON-able fields to store with the entry.

    Returns
    -------
    dict
        The file's new entry.
    """
    data_dir = os.path.abspath(data_dir or DATA_DIR)
    path = os.path.abspath(os.fspath(path))
    name = os.path.relpath(path, data_dir).replace(os.sep, "/")
    if name.startswith(".."):
        raise DataFileError(f"{path} is not inside the data folder {data_dir}.")
    manifest = read_manifest(data_dir)
    entry = {
        "sha256": sha256_of(path),
        "bytes": os.path.getsize(path),
        "built_by": built_by or manifest.get(name, {}).get("built_by", ""),
        "updated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **extra,
    }
    manifest[name] = entry
    text = json.dumps(dict(sorted(manifest.items())), indent=2, sort_keys=False) + "\n"
    atomic_write_bytes(os.path.join(data_dir, MANIFEST_NAME), text.encode("utf-8"))
    return entry


def verify_manifest(names=None, *, data_dir=None) -> dict:
    """Check that shipped files exist and match their recorded size and sha256.

    Parameters
    ----------
    names : iterable of str, optional
        File names to check; default all files in the manifest.
    data_dir : str, optional
        The data folder; defaults to the repository's ``data/``.

    Returns
    -------
    dict
        ``{name: sha256}`` of the files checked.

    Raises
    ------
    DataFileError
        If a file is not in the manifest, is missing, or its bytes differ.
    """
    data_dir = data_dir or DATA_DIR
    manifest = read_manifest(data_dir)
    names = list(manifest) if names is None else list(names)
    checked = {}
    for name in names:
        if name not in manifest:
            raise DataFileError(f"{name} is not listed in {os.path.join(data_dir, MANIFEST_NAME)}. {REBUILD_HINT}")
        path = os.path.join(data_dir, name)
        entry = manifest[name]
        hint = f"Rebuild it with `{entry['built_by']}`." if entry.get("built_by") else REBUILD_HINT
        if not os.path.exists(path):
            raise DataFileError(f"The data file {path} is missing. {hint}")
        size = os.path.getsize(path)
        if size != entry.get("bytes"):
            raise DataFileError(
                f"{path} has {size} bytes but the manifest says {entry.get('bytes')}: it is damaged or "
                f"from another build. {hint}"
            )
        digest = sha256_of(path)
        if digest != entry.get("sha256"):
            raise DataFileError(f"{path} does not match its sha256 in the manifest: it is damaged. {hint}")
        checked[name] = digest
    return checked


def main(argv=None) -> int:
    """``python -m lessonkit data verify [NAME ...]``: check data files against the manifest."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m lessonkit data verify",
                                     description="Check data/ files against data/manifest.json (size and sha256).")
    parser.add_argument("names", nargs="*", help="file names in data/ (default: every file in the manifest)")
    args = parser.parse_args(argv)
    checked = verify_manifest(args.names or None)  # raises DataFileError, which the CLI prints
    manifest = read_manifest()
    for name in checked:
        print(f"ok  {name:<18} {manifest[name]['bytes']:>11,} bytes  sha256 {checked[name][:16]}...")
    print(f"{len(checked)} file(s) match data/manifest.json")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
