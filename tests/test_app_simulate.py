"""The roster page's simulation: the button runs it on the shown roster and the figure sets the simulated
service level (band and line) against Erlang's, per queue."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scheduler.evaluate import coverage_table
from scheduler.simulate import SimulationSettings, simulate_roster
from tests.test_app import (  # noqa: F401 - tiny and tiny_roster are fixtures
    TIMEOUT,
    build_tiny_store,
    open_app,
    plotly_figures,
    put_roster,
    tiny,
    tiny_roster,
)
from wfm import plots
from wfm.storage import Store
from wfm_app import state


def test_simulate_on_the_roster_page_draws_simulated_against_expected(tiny, tiny_roster):
    at = put_roster(open_app(page="roster"), tiny_roster)
    assert not any(trace.get("name") == "simulated" for figure in plotly_figures(at) for trace in figure["data"])
    at.selectbox(key=state.SIMULATE_REPLICATIONS).set_value(20)
    at.button(key=state.SIMULATE).click().run(timeout=TIMEOUT)
    assert not at.exception, [error.value for error in at.exception]
    figure = next(figure for figure in plotly_figures(at)
                  if any(trace.get("name") == "simulated" for trace in figure["data"]))
    names = {trace["name"] for trace in figure["data"]}
    assert {"simulated", "95 % interval", "expected (Erlang)"} <= names
    assert at.session_state[state.SIMULATION][1].replications == 20
    assert any("The week over 20 replications" in caption.value for caption in at.caption)


def test_the_figure_has_a_band_and_a_line_per_queue(tiny_roster, tmp_path: Path):
    scenario_id = build_tiny_store(tmp_path)
    with Store(tmp_path) as store:
        scenario = store.to_scenario(scenario_id)
    result = simulate_roster(tiny_roster, scenario, SimulationSettings(replications=3))
    figure = plots.simulated_service_figure(result.intervals, coverage_table(tiny_roster, scenario))
    filled = [trace for trace in figure.data if trace.fill == "tonexty"]
    assert len(filled) == 2  # voice and chat
    assert all(pd.Series(trace.y).notna().all() for trace in filled)
