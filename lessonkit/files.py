"""Safe file writing: never overwrite a student's file unless asked; never leave half a file.

Every lessonkit function that writes a file (WAV, MIDI, checkpoints, data) goes through here.
"""

import os

from .errors import FileExistsLessonkitError, LessonkitError


def refuse_overwrite(path, overwrite: bool) -> str:
    """Raise unless ``path`` is free (or ``overwrite`` is True) and its folder exists.

    Returns
    -------
    str
        ``path`` as a string.
    """
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise FileExistsLessonkitError(
            f"{path!r} already exists, and lessonkit never overwrites your files without asking. "
            "Choose another name, or pass overwrite=True to replace it."
        )
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise LessonkitError(f"The folder {folder!r} does not exist. Create it first, or choose another path.")
    return path


def atomic_write_bytes(path, data: bytes) -> str:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A crash or a full disk leaves either the old file or the new one, never half of one.
    """
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
