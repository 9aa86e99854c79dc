"""Input errors that name the file, line and field a finance officer must fix."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Control characters (C0 other than tab and newline, DEL, C1): a message echoing a file name,
# key or value must not carry a terminal escape sequence, so these are shown escaped.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), safe for a terminal."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], str(text))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        return printable(text)


class InputError(Exception):
    """Bad input: the run stops, nothing is written, and the CLI exits with code 2."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM): unwind, cleaning up, like Ctrl-C does."""
