"""Generate a roster with live progress.

CP-SAT calls the progress callback from its own worker threads, where Streamlit elements cannot be
updated (they belong to the script's thread). So the solver runs in a thread of its own, its callback
only queues events, and the script's thread drains the queue and redraws the progress bar.
If the page is left mid-solve, Streamlit stops the script's thread; the solver thread runs out its
time limit and its result is dropped (CP-SAT cannot be interrupted from Python once it is solving).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from scheduler.engine.run import progress_line
from scheduler.scenario import Scenario
from scheduler.solve import RosterResult, solve_roster
from wfm_app.text import count

POLL_SECONDS = 0.25
Solve = Callable[..., RosterResult]


@dataclass
class _Run:
    events: queue.Queue = field(default_factory=queue.Queue)
    result: RosterResult | None = None
    error: BaseException | None = None

    def solve(self, scenario: Scenario, time_limit: float, workers: int, solve: Solve) -> None:
        try:
            self.result = solve(scenario, time_limit=time_limit, workers=workers, progress=self.events.put)
        except BaseException as error:  # handed to the script's thread, which raises it there
            self.error = error


def progress_text(event: dict | None, seconds: float, time_limit: float) -> str:
    clock = f"{seconds:.0f} of {time_limit:.0f} s"
    if event is None:
        return f"Building the model · {clock}"
    return f"{progress_line(event)} · {clock}"


def generate(scenario: Scenario, time_limit: float, workers: int,
             solve: Solve = solve_roster) -> tuple[RosterResult, list[dict]]:
    """Solve (a new roster, or e.g. a re-plan: `solve(scenario, time_limit=, workers=, progress=)`) with a progress
    bar and a line per improving solution; returns the result and the events."""
    run = _Run()
    worker = threading.Thread(target=run.solve, args=(scenario, time_limit, workers, solve), name="wfm-solver",
                              daemon=True)
    began = time.monotonic()
    events: list[dict] = []
    with st.status(f"Generating a roster for {len(scenario.agents)} agents ({time_limit:.0f} s limit)…",
                   expanded=True) as status:
        bar = st.progress(0.0, text=progress_text(None, 0, time_limit))
        worker.start()
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            events += _drain(run.events)
            seconds = time.monotonic() - began
            # The last stages may run a little past the limit: hold the bar just short of full meanwhile.
            bar.progress(min(seconds / time_limit, 0.99), text=progress_text(events[-1] if events else None,
                                                                             seconds, time_limit))
        events += _drain(run.events)
        if run.error is not None:
            status.update(label="The solver stopped with an error", state="error")
            raise run.error
        result = run.result
        bar.progress(1.0, text=progress_text(events[-1] if events else None, result.wall_seconds, time_limit))
        failed = result.roster.empty
        status.update(label=f"{'No roster' if failed else 'Roster'}: {result.status.lower()} after "
                            f"{result.wall_seconds:.0f} s, {count(len(events), 'improving solution')}",
                      state="error" if failed else "complete", expanded=failed)
    return result, events


def _drain(events: queue.Queue) -> list[dict]:
    drained = []
    while not events.empty():
        drained.append(events.get_nowait())
    return drained
