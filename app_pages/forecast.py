"""Forecast and staffing (scheduler): history in, the week's required agents per interval out, saved as demand."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from forecasts.forecast import ForecastResult, forecast_history
from forecasts.history import read_history
from forecasts.methods import METHOD_NAMES
from forecasts.sample import sample_history, sample_special_days
from forecasts.staffing import StaffingConfig, staffing_overview
from tabular import InputError
from wfm import plots
from wfm.storage import NotFound
from wfm_app import context, demand, overrides, problems, state, tables
from wfm_app.text import md

SOURCES = {"sample": "Sample center", "stored": "Stored history", "upload": "Upload a CSV"}


@st.cache_data(show_spinner="Generating the sample history…")
def cached_sample_history() -> pd.DataFrame:
    return sample_history()


@st.cache_data(show_spinner="Reading the history…")
def cached_upload(content: bytes, name: str) -> pd.DataFrame:
    return read_history(content, name)  # an InputError is raised again on every run, never cached


def history_source() -> str:
    choice = st.segmented_control("History", list(SOURCES), format_func=SOURCES.get, key=state.HISTORY_SOURCE,
                                  default="sample")
    return choice or "sample"  # clicking the chosen option again deselects it


def history_input(source: str, center: str) -> tuple[pd.DataFrame, str] | None:
    """The history to forecast and a label saying where it came from; None (problems shown) when there is none."""
    if source == "upload":
        upload = st.file_uploader("Interval history (CSV: interval_start, queue, contacts, aht_seconds)",
                                  type=["csv", "txt"], key=state.HISTORY_UPLOAD)
        if upload is None:
            st.info("Choose a CSV file to forecast from.")
            return None
        try:
            return cached_upload(upload.getvalue(), upload.name), upload.name
        except InputError as error:
            problems.show(error, f"{md(upload.name)} cannot be used; nothing was saved")
            return None
    if source == "stored":
        try:
            return context.store().load_history(center), "the stored history"
        except NotFound:
            st.info("No history is stored for this center yet: save a forecast from an uploaded file first.")
            return None
    return cached_sample_history(), "the sample center"


def special_days_input(source: str) -> pd.DataFrame | None:
    """The special-days editor (the sample's days for the sample history); None when it has problems."""
    if state.get(state.SPECIAL_DAYS_BASE, (None,))[0] != source:
        base = demand.special_days_rows(sample_special_days()) if source == "sample" else demand.special_days_rows(
            pd.DataFrame({"date": pd.to_datetime([]), "multiplier": [], "label": []}))
        state.put(state.SPECIAL_DAYS_BASE, (source, base))
        state.drop(state.SPECIAL_DAYS_EDITOR)
    edited = tables.data_editor(
        state.get(state.SPECIAL_DAYS_BASE)[1], key=state.SPECIAL_DAYS_EDITOR, num_rows="dynamic", hide_index=True,
        column_config={
            "date": st.column_config.DateColumn("date", format="YYYY-MM-DD", required=True),
            "effect": st.column_config.TextColumn("effect", help="multiplier of normal volume (0.8), or closed"),
            "label": st.column_config.TextColumn("label"),
        },
    )
    try:
        return demand.special_days_from_rows(edited)
    except InputError as error:
        problems.show(error, "Special days have problems; the forecast waits for them")
        return None


def targets_input(queues: list[str], targets: dict) -> StaffingConfig | None:
    """The service-target editor, one row per queue; None when a value is out of range."""
    if state.get(state.TARGETS_BASE, (None,))[0] != tuple(queues):
        state.put(state.TARGETS_BASE, (tuple(queues), demand.target_rows(queues, targets)))
        state.drop(state.TARGETS_EDITOR)
    column_config = {
        "kind": st.column_config.SelectboxColumn("kind", options=["realtime", "deferred"], required=True,
                                                 help="realtime: phone, chat (Erlang per interval); deferred: "
                                                      "email, social, back office (answered within hours)"),
        "service_level": st.column_config.NumberColumn("service level", format="%.2f", step=0.01,
                                                       help="share answered within answer_seconds (deferred: "
                                                            "within the response time)"),
        "answer_seconds": st.column_config.NumberColumn("answer within (s)"),
        "max_occupancy": st.column_config.NumberColumn("max occupancy", format="%.2f", step=0.01),
        "shrinkage": st.column_config.NumberColumn("shrinkage", format="%.2f", step=0.01,
                                                   help="share of paid time off the phones"),
        "concurrency": st.column_config.NumberColumn("concurrency", help="contacts at once (chat)"),
        "patience_seconds": st.column_config.NumberColumn("patience (s)", help="set it for Erlang A"),
        "max_asa_seconds": st.column_config.NumberColumn("max ASA (s)"),
        "min_agents": st.column_config.NumberColumn("min agents"),
        "quantile": st.column_config.NumberColumn("staff to quantile", format="%.2f", step=0.05,
                                                  help="0.5–0.99: staff to this quantile of contacts "
                                                       "(empty: the forecast)"),
        "max_abandon": st.column_config.NumberColumn("max abandon", format="%.2f", step=0.01,
                                                     help="Erlang A: the share who may hang up waiting"),
        "response_hours": st.column_config.NumberColumn("response within (h)", help="deferred queues"),
        "open_hours": st.column_config.TextColumn("open hours", help="deferred: when agents may work it, "
                                                                     "e.g. 08:00-20:00 (empty: any time)"),
    }
    edited = tables.data_editor(state.get(state.TARGETS_BASE)[1], key=state.TARGETS_EDITOR, hide_index=True,
                                disabled=["queue"], column_config=column_config)
    try:
        return demand.targets_from_rows(edited)
    except InputError as error:
        problems.show(error, "Service targets have problems", tables.labels(column_config))
        return None


def run_forecast(history: pd.DataFrame, source: str, label: str, special_days: pd.DataFrame, methods: list[str],
                 week) -> None:
    """Forecast the scenario's week with live progress; keep the result in the session."""
    began = time.monotonic()
    with st.status(f"Forecasting the week of {week:%d %b %Y} from {md(label)}…", expanded=True) as status:
        bar = st.progress(0.0, text="starting")

        def progress(step: int, total: int, message: str) -> None:
            bar.progress(step / total if total else 1.0, text=f"{message} · {step} of {total} fits")

        try:
            result = forecast_history(history, start=week, weeks=1, special_days=special_days, methods=methods,
                                      progress=progress)
        except InputError as error:
            status.update(label="The forecast could not run", state="error")
            problems.show(error, "The forecast could not run")
            return
        status.update(label=f"Forecast done in {time.monotonic() - began:.0f} s", state="complete", expanded=False)
    state.put(state.FORECAST, result)
    state.put(state.FORECAST_HISTORY, history)
    state.put(state.FORECAST_SOURCE, (source, label))


def show_forecast(result: ForecastResult, history: pd.DataFrame) -> None:
    for note in result.notes:
        st.info(md(note), icon=":material/info:")
    queues = list(dict.fromkeys(result.forecast["queue"]))
    week_overrides = overrides.week_overrides(context.store(), context.scenario_id())
    for tab, queue in zip(st.tabs([md(queue) for queue in queues]), queues):
        chart = overrides.mark(demand.history_forecast_figure(history, result.forecast, queue), week_overrides, queue)
        tab.plotly_chart(chart, key=f"forecast-{queue}")
    st.subheader("Backtest: WAPE per method and queue")
    st.caption("Mean weighted absolute percentage error over the held-out weeks; ✓ marks the method used.")
    tables.show(demand.accuracy_table(result.accuracy))


def show_requirements(requirements: pd.DataFrame, minutes: int) -> None:
    tables.show(staffing_overview(requirements, minutes), column_config={
        "agent-hours": st.column_config.NumberColumn(format="%.1f"),
        "service level": st.column_config.NumberColumn(format="percent", help="empty: the queue has no contacts")})
    queues = list(dict.fromkeys(requirements["queue"]))
    for tab, queue in zip(st.tabs([md(queue) for queue in queues]), queues):
        tab.plotly_chart(plots.requirement_heatmap(requirements, queue), key=f"heatmap-{queue}")


def save_requirements(result: ForecastResult, requirements: pd.DataFrame, targets: StaffingConfig,
                      history: pd.DataFrame, source: str, label: str) -> None:
    """Targets into the scenario, then history, forecast and requirements: all saved, or nothing."""
    store, scenario_id, by = context.store(), context.scenario_id(), context.user()
    config = context.scenario_config()
    queues = {**config.queues, **targets.queues}  # keep queues this history lacks: agents may serve them
    try:
        with store.transaction():
            store.save_scenario_config(scenario_id, {**config.model_dump(), "queues": queues})
            if source == "upload":  # the sample can be generated again, a stored history is stored
                store.save_history(store.scenario_info(scenario_id).center, history, name=label, by=by)
            store.save_forecast(scenario_id, result.forecast, by=by)
            store.save_requirements(scenario_id, requirements, by=by)
    except InputError as error:
        problems.show(error)
        return
    st.success(f"Saved as the demand of the week of {config.week_start:%d %b %Y}; the roster page uses it now.",
               icon=":material/check_circle:")


st.title("Forecast and staffing")
config = context.scenario_config()
week = config.week_start
st.caption(f"Forecast the week of {week:%A %d %B %Y} from an interval history, size it with Erlang per "
           "queue and save it as the week's demand for the roster.")

source = history_source()
picked = history_input(source, context.store().scenario_info(context.scenario_id()).center)
if picked is None:
    st.stop()
history, label = picked
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Special days")
    st.caption("Multiplies a whole day's forecast (0.8 = 80 %, closed = 0); left out of the history's profiles.")
    special_days = special_days_input(source)
with right:
    st.subheader("Methods")
    methods = st.multiselect("Methods to backtest", list(METHOD_NAMES), default=list(METHOD_NAMES),
                             key=state.FORECAST_METHODS,
                             help="Each is scored on held-out weeks; the lowest WAPE per queue is used.")
    ready = special_days is not None and bool(methods)
    run = st.button("Run forecast", type="primary", key=state.RUN_FORECAST, disabled=not ready,
                    icon=":material/play_arrow:")
if run:
    run_forecast(history, source, label, special_days, methods, week)

result = state.get(state.FORECAST)
if result is None:
    st.info("Run the forecast to see it, the methods' backtest and the requirement.")
    st.stop()
forecast_source, forecast_label = state.get(state.FORECAST_SOURCE)
if forecast_label != label:
    st.warning(f"This forecast comes from {md(forecast_label)}; run it again for {md(label)}.")
st.header("Forecast")
show_forecast(result, state.get(state.FORECAST_HISTORY))

st.header("Staffing requirement")
st.subheader("Service targets")
st.caption("Per queue; the requirement is the agents to schedule per interval (grossed up for shrinkage).")
forecast_queues = list(dict.fromkeys(result.forecast["queue"].astype(str)))
targets = targets_input(forecast_queues, dict(config.queues))
if targets is None:
    st.stop()
week_overrides = overrides.week_overrides(context.store(), context.scenario_id())
if week_overrides:
    st.caption(f"With the week's {len(week_overrides)} demand override(s) applied (page Demand overrides).")
requirements = overrides.requirement(result.forecast, week_overrides, targets)
show_requirements(requirements, result.interval_minutes)
if st.button("Save as the week's demand", type="primary", key=state.SAVE_REQUIREMENTS, icon=":material/save:"):
    save_requirements(result, requirements, targets, state.get(state.FORECAST_HISTORY), forecast_source, forecast_label)
