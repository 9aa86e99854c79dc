"""The financial-year axis: April to March, ``2019-20`` in files, ``2019/20`` in workbooks."""

from __future__ import annotations

import re

_FY = re.compile(r"^(\d{4})-(\d{2})$")


def parse_year(label: str) -> int:
    """Return the starting calendar year of a financial year label such as ``2019-20``.

    Raises ValueError when the label is not a financial year (the second part must be
    the year after the first, so ``2019-21`` is rejected).
    """
    m = _FY.match(str(label))
    if not m:
        raise ValueError(f"'{label}' is not a financial year like 2019-20")
    start, end = int(m.group(1)), int(m.group(2))
    if (start + 1) % 100 != end:
        raise ValueError(f"'{label}' is not a financial year: {start + 1} should follow {start}")
    return start


def is_year(key: object) -> bool:
    """Whether ``key`` is a financial year label such as ``2019-20``."""
    try:
        parse_year(str(key))
        return True
    except ValueError:
        return False


# The last year a financial-year label (9998-99) or a workbook date can carry.
LAST_YEAR = 9998


def year_label(start: int) -> str:
    """``2019`` -> ``2019-20``."""
    return f"{start}-{(start + 1) % 100:02d}"


def year_end(label: str) -> str:
    """``2019-20`` -> ``31 March 2020``, the date a year's closing balance is struck."""
    return f"31 March {parse_year(label) + 1}"


def workbook_label(label: str) -> str:
    """``2019-20`` -> ``2019/20`` as workbooks show it."""
    return label.replace("-", "/")


class Timeline:
    """The base (actual) year followed by ``horizon`` forecast years."""

    def __init__(self, base_year: str, horizon: int):
        self.base_start = parse_year(base_year)
        self.horizon = horizon
        self.labels: list[str] = [year_label(self.base_start + i) for i in range(horizon + 1)]

    @property
    def base_year(self) -> str:
        return self.labels[0]

    def index(self, label: str) -> int:
        """Column of a year on the axis; ValueError when it is outside the horizon."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise ValueError(
                f"year {label} is outside the timeline {self.labels[0]} to {self.labels[-1]}"
            ) from None

    def __len__(self) -> int:
        return len(self.labels)
