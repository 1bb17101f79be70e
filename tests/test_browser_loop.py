"""The planner's whole loop in a real browser (`streamlit run app.py`, Debian's Chromium through Playwright),
with the test's own small files: create a center from uploads, forecast, roster two weeks as one horizon,
publish, upload a week of actuals and see its accuracy, roll forward, mark an absence and re-plan, publish,
and see the changed shift as that agent. Any exception on a page or traceback in the server's log fails it.

The planning calendar's picture is taken on the way; it replaces `docs/screenshot-calendar.png` only when
WFM_UPDATE_SCREENSHOT=1.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from forecasts.methods import METHODS
from wfm.storage import Store
from tests.test_browser import (  # noqa: F401  (app_url and page are fixtures)
    PASSWORD, SOLVE_WAIT_MS, STEP_WAIT_MS, app_url, log_in_as, log_out, page, screenshot_on_failure)
from tests.test_centers import AGENTS, SETTINGS, TIME_OFF, history_csv

ROOT = Path(__file__).resolve().parents[1]
DOCS_SCREENSHOT = ROOT / "docs" / "screenshot-calendar.png"
CENTER = "Loop"
SECOND_WEEK = dt.date(2026, 11, 30)
ACTUALS = history_csv(weeks=1, last_day=dt.date(2026, 11, 29))  # the week of 23 Nov as it happened


def test_the_planners_whole_loop(app_url, page, tmp_path):
    screenshot = DOCS_SCREENSHOT if os.environ.get("WFM_UPDATE_SCREENSHOT") == "1" else tmp_path / "calendar.png"
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        whole_loop(page, *app_url, screenshot)
    log = (tmp_path / "streamlit.log").read_text()
    assert "Traceback" not in log, log


def no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").first.inner_text()


def go_to(page, link: str, heading: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    page.get_by_role("heading", name=heading).first.wait_for(timeout=STEP_WAIT_MS)


def settle(page) -> None:
    """Wait until the app has finished its run: a click while it reruns may be lost on a busy machine."""
    page.wait_for_timeout(500)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=SOLVE_WAIT_MS)


def click_and_see(page, button: str, text: str, wait: int = STEP_WAIT_MS) -> None:
    settle(page)
    page.get_by_role("button", name=button).click()
    page.get_by_text(text).first.wait_for(timeout=wait)
    no_exception(page)


def choose(page, label: str, option: str, where=None) -> None:
    """An option of a selectbox (in `where`, default the page)."""
    settle(page)
    (where or page).get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(1000)  # the rerun


def choose_week(page, week: dt.date) -> None:
    choose(page, "Week", f"Week of {week:%a %d %b %Y}", page.get_by_test_id("stSidebar"))


def only_fast_forecasts(page) -> None:
    """The planning calendar forecasts with seasonal naive only: the test is about the loop, not the methods."""
    methods = page.get_by_test_id("stMultiSelect")
    for method in METHODS:
        if method != "seasonal_naive":
            methods.get_by_label(f"Remove {method}").dispatch_event("click")  # the chip's button is clipped
            methods.get_by_label(method, exact=True).wait_for(state="detached", timeout=STEP_WAIT_MS)


def agent_on_monday(data_dir: Path) -> tuple[str, str]:
    """(id, name) of an agent working on the horizon's second Monday in the published roster."""
    with Store(data_dir) as store:
        week = next(info for info in store.list_scenarios(CENTER) if info.week_start == SECOND_WEEK)
        roster = store.load_roster(store.latest_published(week.id).id)
    monday = roster[roster["start"].dt.date == SECOND_WEEK].iloc[0]
    return str(monday["agent_id"]), str(monday["name"])


def log_in_as_agent(page, url: str, data_dir: Path, agent_id: str) -> None:
    username = f"loop-{agent_id}"
    with Store(data_dir) as store:
        if username not in {user.username for user in store.list_users()}:
            store.add_user(username, PASSWORD, role="agent", center=CENTER, agent_id=agent_id)
    log_in_as(page, url, data_dir, username)
    page.get_by_role("heading", name="My shifts").wait_for(timeout=STEP_WAIT_MS)
    choose_week(page, SECOND_WEEK)


def whole_loop(page, url: str, data_dir: Path, screenshot: Path) -> None:
    log_in_as(page, url, data_dir, "scheduler")

    # A center from the planner's own files.
    go_to(page, "Centers", "Create a center")
    name = page.get_by_label("Center name")
    name.fill(CENTER)
    name.press("Enter")
    uploaders = page.get_by_test_id("stFileUploader").locator("input[type='file']")
    for index, (file_name, content) in enumerate([("agents.csv", AGENTS), ("history.csv", history_csv()),
                                                  ("time_off.csv", TIME_OFF), ("scenario.yaml", SETTINGS)]):
        uploaders.nth(index).set_input_files({"name": file_name, "mimeType": "text/plain", "buffer": content})
        page.wait_for_timeout(1000)
    page.get_by_text("3 agents, 1 time-off entries").wait_for(timeout=STEP_WAIT_MS)
    click_and_see(page, "Create the center", f"Center {CENTER} created")

    # Forecast its first week, plan the next, roster both as one horizon and publish them.
    go_to(page, "Planning calendar", "Planning calendar")
    only_fast_forecasts(page)
    click_and_see(page, "Forecast its demand from the history", "The week of 23 Nov 2026 has its demand",
                  SOLVE_WAIT_MS)
    click_and_see(page, "Plan the week of 30 Nov 2026", "The week of 30 Nov 2026 has its demand", SOLVE_WAIT_MS)
    limit = page.get_by_label("Time limit (seconds)")
    limit.fill("10")
    limit.press("Enter")
    page.wait_for_timeout(1000)
    click_and_see(page, "Roster 2 weeks as one", "Drafts saved for the 2 weeks from 23 Nov 2026", SOLVE_WAIT_MS)
    click_and_see(page, "Publish the 2 weeks", "Published the 2 weeks")

    # The agent looks at their week once (version 1).
    agent_id, agent_name = agent_on_monday(data_dir)
    log_out(page)
    log_in_as_agent(page, url, data_dir, agent_id)
    page.get_by_text(re.compile(r"^Week of Monday 30 November 2026, published version 1")).wait_for(
        timeout=STEP_WAIT_MS)
    no_exception(page)
    log_out(page)

    # A week of actuals, and its accuracy.
    log_in_as(page, url, data_dir, "scheduler")
    go_to(page, "Actuals and accuracy", "Actuals and accuracy")
    page.get_by_test_id("stFileUploader").locator("input[type='file']").set_input_files(
        {"name": "actuals.csv", "mimeType": "text/csv", "buffer": ACTUALS})
    click_and_see(page, "Add to the history", "actual intervals joined the history")
    page.get_by_text("Forecast accuracy").wait_for(timeout=STEP_WAIT_MS)
    assert page.get_by_text("No planned week has both").count() == 0
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=STEP_WAIT_MS)

    # Roll forward: the next week carries the published one in.
    go_to(page, "Planning calendar", "Planning calendar")
    click_and_see(page, "Plan the week of 07 Dec 2026", "The week of 07 Dec 2026 has its demand", SOLVE_WAIT_MS)
    page.wait_for_timeout(1500)
    screenshot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(screenshot))

    # The agent is absent on Monday of the second week: re-plan that week and publish it again.
    choose_week(page, SECOND_WEEK)
    go_to(page, "Re-plan and absences", "Re-plan and absences")
    choose(page, "Agent", f"{agent_name} ({agent_id})")
    click_and_see(page, "Mark absent", f"{agent_name} is absent from Mon 30 Nov 00:00")
    limit = page.get_by_label("Time limit (seconds)")
    limit.fill("10")
    limit.press("Enter")
    page.wait_for_timeout(1000)
    click_and_see(page, "Re-plan from Mon 30 Nov 00:00", "Changes against the published roster", SOLVE_WAIT_MS)
    changes = re.compile(r"re-planned from Mon 30 Nov 00:00: \d+ shift changes?")
    page.get_by_text(changes).wait_for(timeout=STEP_WAIT_MS)
    page.get_by_test_id("stDataFrame").first.wait_for(timeout=STEP_WAIT_MS)  # the changes, agent by agent
    click_and_see(page, "Publish as a new version", "Saved as version 2, published")
    log_out(page)

    # The agent sees the changed shift and the absence.
    log_in_as_agent(page, url, data_dir, agent_id)
    page.get_by_text(re.compile(r"published version 2")).wait_for(timeout=STEP_WAIT_MS)
    changed = page.get_by_test_id("stAlertContentWarning").filter(has_text="Changed since you last looked")
    changed.wait_for(timeout=STEP_WAIT_MS)
    assert "version 1 → 2" in changed.inner_text() and "Mon off" in changed.inner_text()
    assert page.get_by_text("Sick").count() >= 1
    no_exception(page)
