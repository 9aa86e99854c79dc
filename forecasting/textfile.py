"""Reading a hand-edited text file (YAML or CSV) with a clear error for each way it fails."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError, Problem


def read_text(path: Path, name: str, kind: str) -> str:
    """The file's text; missing, unreadable, binary or non-UTF-8 files are input errors.

    ``name`` is how the file is shown in messages, ``kind`` what it should be ("YAML").
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(Problem(name, None, None, "file not found")) from None
    except IsADirectoryError:
        raise InputError(
            Problem(name, None, None, f"is a folder, expected a {kind} file")
        ) from None
    except OSError as e:
        raise InputError(Problem(name, None, None, f"cannot be read ({e.strerror})")) from None
    if b"\x00" in raw:
        raise InputError(Problem(name, None, None, f"is a binary file, not {kind} text"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(Problem(name, None, None, f"is not UTF-8 text (byte {e.start})")) from None
