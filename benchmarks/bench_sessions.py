"""Many logged-in agents viewing My shifts while a scheduler publishes: response times and errors.

Starts `streamlit run app.py` on a fresh data folder (the sample center and its demo users, as on a
newcomer's first start), gives 20 agents a login, and opens one headless Chromium page per agent
(Debian's Chromium through Playwright, one browser, a context per agent: separate sessions). Each agent
logs in once, then reruns My shifts `--views` times (Streamlit's `r` shortcut), each view timed from
the key press until the app's script run ends. The sessions run at once (Playwright's async API),
their first page loads `--ramp` seconds apart. The browser runs on the same machine as the server, so
on 2 cores the times include Chromium's own rendering work: they bound the server's from above.
Meanwhile one scheduler publishes `--publishes` new versions through the store, acting as their user
as the app does. Everything is bounded: a view that
takes longer than `--view-timeout` counts as an error, and the whole run stops after `--max-seconds`.

    python3 -m benchmarks.bench_sessions [--sessions 20] [--views 10] [--publishes 5]

Reports p50/p95/max of the view times and of the logins, the errors, and whether every publication
was kept (no lost write) and the agents' last view showed the last version.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from playwright.async_api import async_playwright

from scheduler.solve import solve_roster
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until_healthy
from wfm.storage import Store

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"
SOLVE_SECONDS = 15  # the first roster: any valid one will do
RUNS = """() => {  // count the app's finished script runs
  window.__wfmRuns = 0;
  const app = document.querySelector('[data-test-script-state]');
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'notRunning') window.__wfmRuns += 1;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


@dataclass
class Results:
    logins: list[float] = field(default_factory=list)
    views: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, value) -> None:
        with self.lock:
            getattr(self, kind).append(value)


def start_server(data_dir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "WFM_DATA_DIR": str(data_dir)}
    env.pop("WFM_DATABASE_URL", None)
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, server)
    return server, url


def prepare(data_dir: Path, sessions: int) -> tuple[list[str], int]:
    """Agent logins and a published first version (solved here, untimed); returns (usernames, version id)."""
    with Store(data_dir) as store:
        scenario = store.list_scenarios()[0]
        agents = store.load_agents(scenario.id)[:sessions]
        existing = {user.username for user in store.list_users()}
        for agent in agents:
            if f"bench-{agent.agent_id}" not in existing:
                store.add_user(f"bench-{agent.agent_id}", PASSWORD, role="agent", agent_id=agent.agent_id)
        store.set_password("scheduler", PASSWORD)
        result = solve_roster(store.to_scenario(scenario.id), time_limit=SOLVE_SECONDS, workers=1)
        version_id = store.save_roster(scenario.id, result.roster, "scheduler")
        store.publish(version_id, "scheduler")
    return [f"bench-{agent.agent_id}" for agent in agents], version_id


def publish_meanwhile(data_dir: Path, first_version: int, count: int, every: float, stop: threading.Event,
                      results: Results) -> list[int]:
    """The scheduler publishes `count` edited versions, `every` seconds apart, as the app would."""
    published = []
    with Store(data_dir) as store:
        scheduler = store.authenticate("scheduler", PASSWORD)
        with store.acting_as(scheduler):
            roster = store.load_roster(first_version)
            version_id = first_version
            for _ in range(count):
                if stop.wait(every):
                    break
                try:
                    version_id = store.save_roster_edit(version_id, roster, "scheduler")
                    published.append(store.publish(version_id, "scheduler").number)
                except Exception as error:  # a refused or busy save is what this measures
                    results.add("errors", f"publish: {error}")
    return published


async def agent_session(browser, url: str, username: str, delay: float, views: int, view_timeout_ms: float,
                        deadline: float, results: Results) -> None:
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(view_timeout_ms)
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=view_timeout_ms)
        await page.get_by_label("Username").fill(username)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        started = time.perf_counter()
        await page.get_by_role("button", name="Log in").click()
        await page.get_by_text("published version").wait_for(timeout=view_timeout_ms)
        results.add("logins", time.perf_counter() - started)
        await page.evaluate(RUNS)
        for _ in range(views):
            if time.monotonic() > deadline:
                break
            runs = await page.evaluate("window.__wfmRuns")
            started = time.perf_counter()
            await page.locator("body").press("r")
            await page.wait_for_function(f"window.__wfmRuns > {runs}", timeout=view_timeout_ms)
            results.add("views", time.perf_counter() - started)
            if await page.get_by_test_id("stException").count() or await page.get_by_label("Password").count():
                results.add("errors", f"{username}: the view shows an error or the login form")
        results.add("last_seen", await page.get_by_text("published version").inner_text())
    except Exception as error:  # a timeout or a crash of this session: counted, the others go on
        results.add("errors", f"{username}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    p50, p95 = np.percentile(values, [50, 95])
    return f"n={len(values)}  p50 {p50:.2f} s  p95 {p95:.2f} s  max {max(values):.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--views", type=int, default=10, help="reruns of My shifts per agent")
    parser.add_argument("--ramp", type=float, default=1.0, help="seconds between two agents' first page loads")
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--publish-every", type=float, default=5.0, help="seconds between publications")
    parser.add_argument("--view-timeout", type=float, default=60.0, help="seconds before a view is an error")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="the whole run's bound")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wfm-bench-sessions-") as folder:
        data_dir, log = Path(folder) / "data", Path(folder) / "streamlit.log"
        server, url = start_server(data_dir, log)
        results = Results()
        try:
            published, wall = asyncio.run(run(args, url, data_dir, results))
            return report(results, published, data_dir, wall)
        finally:
            server.terminate()
            server.wait(timeout=20)


async def run(args: argparse.Namespace, url: str, data_dir: Path, results: Results) -> tuple[list[int], float]:
    """The agents' sessions, all at once, while the scheduler publishes; returns (published numbers, wall s)."""
    stop = threading.Event()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        first = await browser.new_page()
        await first.goto(url)  # the first start: the sample center and the demo users
        await first.get_by_role("heading", name="Log in to wfm").wait_for(timeout=args.max_seconds * 1000)
        await first.close()
        usernames, first_version = prepare(data_dir, args.sessions)
        print(f"{len(usernames)} agent sessions, {args.views} views each; the scheduler publishes {args.publishes} "
              f"times, every {args.publish_every:g} s", flush=True)
        deadline = time.monotonic() + args.max_seconds
        published: list[int] = []
        publisher = threading.Thread(target=lambda: published.extend(publish_meanwhile(
            data_dir, first_version, args.publishes, args.publish_every, stop, results)))
        started = time.perf_counter()
        publisher.start()
        await asyncio.gather(*(agent_session(browser, url, username, number * args.ramp, args.views,
                                             args.view_timeout * 1000, deadline, results)
                               for number, username in enumerate(usernames)))
        stop.set()
        publisher.join()
        wall = time.perf_counter() - started
        await browser.close()
    return published, wall


def report(results: Results, published: list[int], data_dir: Path, wall: float) -> int:
    with Store(data_dir) as store:
        versions = store.list_versions(store.list_scenarios()[0].id)
    kept = [version.number for version in versions if version.published]
    lost = sorted(set(published) - set(kept))
    print(f"wall {wall:.0f} s")
    print(f"login → My shifts: {percentiles(results.logins)}")
    print(f"My shifts rerun:   {percentiles(results.views)}")
    print(f"publications: {len(published)} made, {len(kept) - 1} kept besides the first, lost: {lost or 'none'}")
    newest = f"version {max(kept)}"
    print(f"agents whose last view showed {newest}: {sum(newest in seen for seen in results.last_seen)} "
          f"of {len(results.last_seen)}")
    print(f"errors: {len(results.errors)}")
    for error in results.errors[:10]:
        print(f"  {error}")
    return 1 if results.errors or lost else 0


if __name__ == "__main__":
    sys.exit(main())
