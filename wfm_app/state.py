"""Every `st.session_state` key of the app, in one place.

Pages and widgets use these names only, so that a key cannot be misspelt in one page and silently
start a second, empty piece of state. Widget keys are listed too: Streamlit keeps a keyed widget's
value in the session state under that key.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

# Login (wfm_app/login.py). Only the session token is kept: who is logged in is read from the store on
# every run, so nothing else in the session state can make anyone a scheduler.
LOGIN_TOKEN = "login.token"
LOGIN_MESSAGE = "login.message"  # why the last session ended (expired, closed), shown above the form
LOGIN_FORM = "login.form"
LOGIN_USERNAME = "login.username"
LOGIN_PASSWORD = "login.password"
LOGIN_SUBMIT = "login.submit"
CHANGE_FORM = "login.change_form"
CHANGE_USERNAME = "login.change_username"  # who must choose their own password (never their password)
CHANGE_OLD = "login.change_old"
CHANGE_NEW = "login.change_new"
CHANGE_AGAIN = "login.change_again"
CHANGE_SUBMIT = "login.change_submit"
FIRST_LOGINS = "login.first_logins"  # the demo users' one-time passwords, for the session shown them
LOGOUT = "login.logout"

# Sidebar (app.py)
CENTER = "center"  # the center the pages work on
SCENARIO_ID = "scenario_id"  # the store's scenario (a week of the center) the pages work on

# Centers
NEW_CENTER_SOURCE = "centers.source"  # files or sample
NEW_CENTER_NAME = "centers.name"
UPLOAD_AGENTS = "centers.agents"
UPLOAD_TIME_OFF = "centers.time_off"
UPLOAD_HISTORY = "centers.history"
UPLOAD_SETTINGS = "centers.settings"
CREATE_CENTER = "centers.create"
CENTER_CREATED = "centers.created"  # the center created by the last click, for a message after the rerun
NEXT_CENTER = "centers.next"  # the center the sidebar chooses on its next run (one just created)
DELETE_CENTER = "centers.delete"
DELETE_CONFIRM = "centers.delete_confirm"

# Forecast and staffing
HISTORY_SOURCE = "forecast.history_source"  # sample, stored or upload
HISTORY_UPLOAD = "forecast.history_upload"
FORECAST_METHODS = "forecast.methods"
FORECAST_TIME_LIMIT = "forecast.time_limit"
SPECIAL_DAYS_BASE = "forecast.special_days_base"  # the table the special-days editor starts from
SPECIAL_DAYS_EDITOR = "forecast.special_days_editor"
TARGETS_BASE = "forecast.targets_base"  # the table the service-target editor starts from
TARGETS_EDITOR = "forecast.targets_editor"
FORECAST = "forecast.result"  # ForecastResult of the last run
FORECAST_HISTORY = "forecast.history"  # the history that run used
FORECAST_SOURCE = "forecast.source"  # (source, label) of that history, e.g. ("sample", "the sample center")
RUN_FORECAST = "forecast.run"
SAVE_REQUIREMENTS = "forecast.save"

# Planning calendar
PLAN_WHICH = "calendar.which"  # the next week, or a Monday picked
PLAN_DAY = "calendar.day"
PLAN_METHODS = "calendar.methods"
PLAN_TIME_LIMIT = "calendar.forecast_time_limit"  # seconds for the forecasts of the weeks planned at once
PLAN_NOTES = "calendar.plan_notes"  # the notes of the last planning click's forecasts, shown after the rerun
PLAN_WEEK = "calendar.plan"
FORECAST_WEEK = "calendar.forecast_week"
PLAN_COUNT = "calendar.count"  # weeks to plan in a row
HORIZON_FIRST = "calendar.horizon_first"
HORIZON_WEEKS = "calendar.horizon_weeks"
HORIZON_TIME_LIMIT = "calendar.horizon_time_limit"
HORIZON_GENERATE = "calendar.horizon_generate"
HORIZON_DRAFTS = "calendar.horizon_drafts"  # the draft versions of the horizon rostered last, one per week
HORIZON_PUBLISH = "calendar.horizon_publish"
HORIZON_DONE = "calendar.horizon_done"  # what the last horizon click did, for a message after the rerun
PLANNED = "calendar.planned"  # the week planned by the last click, for a message after the rerun
NEXT_WEEK = "calendar.next_week"  # the scenario the sidebar chooses on its next run (a week just planned)

# Demand overrides
OVERRIDE_QUEUE = "overrides.queue"
OVERRIDE_DAY = "overrides.day"
OVERRIDE_FROM = "overrides.from"
OVERRIDE_TO = "overrides.to"
OVERRIDE_PERCENT = "overrides.percent"
OVERRIDE_NOTE = "overrides.note"
OVERRIDE_ADD = "overrides.add"
OVERRIDE_PICK = "overrides.pick"
OVERRIDE_REMOVE = "overrides.remove"
OVERRIDE_DONE = "overrides.done"  # what the last click did, for a message after the rerun

# Re-plan and absences
ABSENT_AGENT = "replan.absent_agent"
ABSENT_FROM_DAY = "replan.absent_from_day"
ABSENT_FROM_TIME = "replan.absent_from_time"
ABSENT_TO_DAY = "replan.absent_to_day"
ABSENT_TO_TIME = "replan.absent_to_time"
ABSENT_REASON = "replan.absent_reason"
MARK_ABSENT = "replan.mark_absent"
REPLAN_DAY = "replan.day"
REPLAN_TIME = "replan.time"
REPLAN_TIME_LIMIT = "replan.time_limit"
REPLAN_RUN = "replan.run"
REPLAN = "replan.result"  # (scenario id, Replan) of the last re-plan, not saved yet
REPLAN_SAVE = "replan.save"
REPLAN_PUBLISH = "replan.publish"
REPLAN_DONE = "replan.done"  # what the last click did, for a message after the rerun

# Actuals and accuracy
UPLOAD_ACTUALS = "actuals.upload"
ADD_ACTUALS = "actuals.add"
ACTUALS_ADDED = "actuals.added"  # the intervals the last upload added, for a message after the rerun
ACCURACY_WEEK = "actuals.week"
ACCURACY_QUEUE = "actuals.queue"

# Rules
AGENTS_BASE = "rules.agents_base"
AGENTS_EDITOR = "rules.agents_editor"
TIME_OFF_BASE = "rules.time_off_base"
TIME_OFF_EDITOR = "rules.time_off_editor"
TEMPLATES_BASE = "rules.templates_base"
TEMPLATES_EDITOR = "rules.templates_editor"
BREAKS_BASE = "rules.breaks_base"
BREAKS_EDITOR = "rules.breaks_editor"
RULES_FORM = "rules.work_rules_form"
WEIGHTS_FORM = "rules.weights_form"
RULES_SCENARIO = "rules.scenario"  # the scenario the *_BASE tables were loaded for
RULES_PROBLEMS = "rules.problems"  # {section: [Problem, ...]} of the last refused change
RULES_SAVED = "rules.saved"  # the section saved by the last change, for a message after the rerun
RELOAD_RULES = "rules.reload"

# Roster
TIME_LIMIT = "roster.time_limit"
GENERATE = "roster.generate"
ROSTER = "roster.table"  # the working roster (DataFrame in the roster format)
ROSTER_SCENARIO = "roster.scenario"  # the scenario id the working roster belongs to
ROSTER_REVISION = "roster.revision"  # bumped on every change of the working roster
ROSTER_RESULT = "roster.result"  # RosterResult of the last generation (None after loading a version)
ROSTER_ORIGIN = "roster.origin"  # id of the stored version the working roster was loaded or saved as
ROSTER_SAVED = "roster.saved"  # the working roster equals its stored version
ROSTER_VIEW = "roster.view"  # coverage, summary and violations derived from the working roster
ROSTER_UNDO = "roster.undo"  # earlier working rosters, for undoing hand edits
ROSTER_PROGRESS = "roster.progress"  # solver progress events of the last generation
GANTT_QUEUES = "roster.gantt_queues"
EDIT_AGENT = "roster.edit_agent"
EDIT_TARGET = "roster.edit_target"  # the (agent, day) the shift pickers were filled for
EDIT_DAY = "roster.edit_day"
EDIT_REMOVE = "roster.edit_remove"
EDIT_START = "roster.edit_start"
EDIT_LENGTH = "roster.edit_length"
EDIT_QUEUE = "roster.edit_queue"
EDIT_APPLY = "roster.edit_apply"
EDIT_UNDO = "roster.edit_undo"
EDIT_MESSAGE = "roster.edit_message"  # what the last hand edit did and what the checker said
SAVE_DRAFT = "roster.save_draft"
PUBLISH = "roster.publish"
PUBLISH_ANYWAY = "roster.publish_anyway"
LOAD_VERSION = "roster.load_version"
LOAD_VERSION_BUTTON = "roster.load_version_button"
COMPARE_A = "roster.compare_a"
COMPARE_B = "roster.compare_b"
ICS_AGENT = "roster.ics_agent"
SIMULATE = "roster.simulate"
SIMULATE_REPLICATIONS = "roster.simulate_replications"
SIMULATION = "roster.simulation"  # (roster revision, SimulationResult) of the last simulation

# My shifts
SEEN_BEFORE = "my_shifts.seen_before"  # {scenario id: (version seen before this session's view, version shown)}

# Audit trail
AUDIT_ACTIONS = "audit.actions"


def get(key: str, default: Any = None) -> Any:
    """The value under `key`, or `default` when the session has none yet."""
    return st.session_state.get(key, default)


def pop(key: str, default: Any = None) -> Any:
    """The value under `key`, forgotten."""
    return st.session_state.pop(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def drop(*keys: str) -> None:
    """Forget these keys (e.g. an editor's edits, so it starts again from its base table)."""
    for key in keys:
        st.session_state.pop(key, None)
