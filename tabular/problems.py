"""Located problems: what is wrong with an input, and where (file, row, column).

Every bad input raises `InputError(problems)`, so the command line and the app can show each
problem without a traceback. Rows are numbered as a spreadsheet shows them (header = row 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd

# Enough to fix a batch of mistakes in one go without burying the user.
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    row: int | None = None  # 1-based data row number as a spreadsheet shows it (header is row 1)
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class InputError(ValueError):
    """Bad input: carries one or more located problems."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ProblemList:
    """Collects located problems so that one load reports many mistakes, not just the first."""

    def __init__(self, file: str):
        self.file = file
        self._problems: list[Problem] = []

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self._problems.append(Problem(message, self.file, None if row is None else int(row), column))

    def extend(self, problems: list[Problem]) -> None:
        self._problems.extend(problems)

    def add_cells(
        self,
        column: str,
        rows: np.ndarray,
        mask: pd.Series,
        values: pd.Series,
        describe: Callable[[Any], str],
    ) -> None:
        """Add one problem per row where ``mask`` holds, at most MAX_PROBLEMS per call.

        ``rows``, ``mask`` and ``values`` are aligned; ``describe(value)`` writes the message.
        """
        flagged = np.asarray(mask, dtype=bool)
        if not flagged.any():
            return
        picked = zip(rows[flagged], values.to_numpy(dtype=object)[flagged])
        for row, value in islice(picked, MAX_PROBLEMS):
            self.add(describe(value), row, column)

    def __bool__(self) -> bool:
        return bool(self._problems)

    def raise_if_any(self) -> None:
        """Raise InputError with the problems in row order (file-level ones first)."""
        if not self._problems:
            return
        ordered = sorted(self._problems, key=lambda p: -1 if p.row is None else p.row)
        shown = ordered[:MAX_PROBLEMS]
        if len(ordered) > MAX_PROBLEMS:
            shown.append(Problem("more problems not shown; fix these and load the file again", self.file))
        raise InputError(shown)
