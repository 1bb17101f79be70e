"""How much input one load may take: read in one place, from the environment, with defaults generous
for real contact centers (a large center's year of 15-minute history for 50 queues is about
1.8 million rows and 90 MB).

    WFM_MAX_INPUT_MB   bytes of one input file, in megabytes (default 200)
    WFM_MAX_ROWS       data rows of one table (default 2,000,000)
    WFM_MAX_AGENTS     rows of agents.csv (default 20,000)

A file or table over a limit is refused with a message naming it and the limit; raise the variable
to load it anyway.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .problems import InputError, Problem


@dataclass(frozen=True)
class Limit:
    variable: str
    default: int
    unit: str

    def value(self) -> int:
        """The limit in force: the environment variable when it holds a positive whole number."""
        text = os.environ.get(self.variable, "").strip()
        if not text:
            return self.default
        if not text.isdigit() or int(text) == 0:
            raise InputError(Problem(f"{self.variable}={text!r} is not a positive whole number of {self.unit}"))
        return int(text)

    def described(self) -> str:
        return f"{self.value():,} {self.unit} ({self.variable})"


MAX_INPUT_MB = Limit("WFM_MAX_INPUT_MB", 200, "MB")
MAX_ROWS = Limit("WFM_MAX_ROWS", 2_000_000, "rows")
MAX_AGENTS = Limit("WFM_MAX_AGENTS", 20_000, "agents")


def max_input_bytes() -> int:
    return MAX_INPUT_MB.value() * 1_000_000
