"""The ``lessonkit`` command line: build data, train models, release and grade homework.

Run ``python -m lessonkit --help`` (or ``lessonkit --help`` once installed). Each command is a
function ``(argv) -> exit code`` named below as ``"module"`` (its ``main``) or ``"module:function"``,
so this file stays a short table. ``train FAMILY`` commands all live in :mod:`lessonkit.train`.
"""

import importlib
import sys

from .errors import LessonkitError

COMMANDS = {
    # (group, name): ("module" or "module:function", "what it does")
    ("data", "build"): ("lessonkit.builders.corpus", "parse the music21 folk corpus into data/ (maintainers)"),
    ("data", "build-instruments"): ("lessonkit.builders.render_instruments",
                                    "render the instrument notes with FluidSynth into data/ (maintainers)"),
    ("data", "verify"): ("lessonkit.manifest", "check data/ against data/manifest.json"),
    ("homework", "release"): ("lessonkit.homework.release", "make the student versions in assignments/release (teachers)"),
    ("homework", "grade"): ("lessonkit.homework.grade", "grade a folder of submissions into grading/ (teachers)"),
    ("train", "duet"): ("lessonkit.train:duet", "choose the Markov order and train the duet GRU into data/"),
}


def usage() -> str:
    lines = ["usage: lessonkit GROUP COMMAND [options]", "", "commands:"]
    for (group, name), (_, what) in COMMANDS.items():
        lines.append(f"  {group} {name:<20} {what}")
    lines.append("")
    lines.append("Add --help after a command for its options.")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    key = (argv[0], argv[1])
    if key not in COMMANDS:
        print(f"lessonkit: unknown command {' '.join(key)!r}.\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, _, function = COMMANDS[key][0].partition(":")
    command = getattr(importlib.import_module(module_name), function or "main")
    try:
        return int(command(argv[2:]) or 0)
    except LessonkitError as err:
        print(f"lessonkit: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
