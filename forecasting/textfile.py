"""Reading a hand-edited text file (YAML or CSV) with a clear error for each way it fails.

Every file the tool reads goes through :func:`read_text`: only a regular file is opened
(a FIFO would block for ever, ``/dev/zero`` never ends, a folder or a device is not a text
file), no more than :data:`MAX_TEXT_BYTES` is read, and the text must be UTF-8 (with or
without the byte-order mark Excel and Notepad write) free of control characters.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from .errors import InputError, Problem

# The largest assumption file of the bundled set is 15 KB and a daily history of 30 years is
# about 250 KB; 2 MiB is several times any real input, yet small enough that a file of that
# size is read and parsed in about a second rather than exhausting memory.
MAX_TEXT_BYTES = 2 * 1024 * 1024

# Characters that neither a workbook cell (openpyxl's ILLEGAL_CHARACTERS_RE) nor a terminal
# should receive from a file: C0 controls other than tab, line feed and carriage return,
# DEL and the C1 controls (an ESC or CSI starts a terminal escape sequence).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")

_KIND = (
    (stat.S_ISDIR, "is a folder"),
    (stat.S_ISFIFO, "is a pipe (FIFO)"),
    (stat.S_ISCHR, "is a character device"),
    (stat.S_ISBLK, "is a block device"),
    (stat.S_ISSOCK, "is a socket"),
)


def read_bytes(path: Path, name: str, kind: str) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_TEXT_BYTES`; anything else (missing,
    unreadable, a folder, pipe or device, a symbolic-link loop, too large) is an input error.
    """

    def refuse(message: str) -> InputError:
        return InputError(Problem(name, None, None, message))

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise refuse("file not found") from None
    except IsADirectoryError:
        raise refuse(f"is a folder, expected a {kind} file") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise refuse("symbolic links loop: the file cannot be reached") from None
        raise refuse(f"cannot be read ({e.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = next((w for test, w in _KIND if test(st.st_mode)), "is not a regular file")
            raise refuse(f"{what}, expected a {kind} file")
        if st.st_size > MAX_TEXT_BYTES:
            raise refuse(_too_large(st.st_size, kind))
        chunks, total = [], 0
        while total <= MAX_TEXT_BYTES:  # the file may grow while it is read
            chunk = os.read(fd, MAX_TEXT_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_TEXT_BYTES:
            raise refuse(_too_large(total, kind))
        return b"".join(chunks)
    except OSError as e:
        raise refuse(f"cannot be read ({e.strerror})") from None
    finally:
        os.close(fd)


def _too_large(size: int, kind: str) -> str:
    return (
        f"is {size:,} bytes, larger than the {MAX_TEXT_BYTES:,} bytes a {kind} input may be "
        "(is it the right file?)"
    )


def read_text(path: Path, name: str, kind: str) -> str:
    """The file's text; missing, unreadable, special, oversized, binary or non-UTF-8 files and
    text with control characters are input errors naming the file (and line).

    ``name`` is how the file is shown in messages, ``kind`` what it should be ("YAML").
    """
    raw = read_bytes(path, name, kind)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            Problem(name, None, None, 'is UTF-16 text (Excel\'s "Unicode text"); save it as UTF-8')
        )
    if b"\x00" in raw:
        raise InputError(Problem(name, None, None, f"is a binary file, not {kind} text"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise InputError(Problem(name, line, None, f"is not UTF-8 text (byte {e.start})")) from None
    bad = CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(
            Problem(
                name,
                line,
                None,
                f"contains the control character U+{ord(bad.group()):04X}; "
                "remove it (a workbook cannot hold it)",
            )
        )
    return text
