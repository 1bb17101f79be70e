"""Benchmark the forecasting methods on real call volumes (fpp2 ``calls``, a North American bank).

The data: 5-minute call counts, weekdays 07:00–21:05, 164 days of 2003 with a few weekday
holidays absent (see ``shared/data/callvolume/README.md``). They are summed to 30-minute
intervals; the lone 21:00–21:05 interval is **dropped** (about 0.3 % of the calls), because
folding it into 20:30–21:00 would inflate that slot's shape by a sixth with calls that arrive
after the 21:00 close. AHT is not in the data: a constant 300 s is used (it does not affect
contacts WAPE).

For each of the last ``--held-out`` weeks (default 8) every method is fitted on everything before
that week and forecasts it (the rolling-origin backtest with 8 folds). Separately, the per-queue
backtest on the training part only (the weeks before the held-out ones, 4 folds) picks a method,
and ``auto`` shows what ``forecast_history`` delivers when it re-runs that choice before every
held-out week. The summary line compares the chosen method with seasonal naive on the held-out
weeks.

    python benchmarks/bench_forecast_realdata.py [--data PATH] [--held-out 8]

The data path defaults to ``$WFM_CALLS_CSV`` or ``../shared/data/callvolume/calls_fpp2_5min.csv``
relative to the repository root.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from forecasts.backtest import backtest, chosen_methods, wape  # noqa: E402
from forecasts.forecast import forecast_history  # noqa: E402
from forecasts.methods import METHODS, SeasonalNaive  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "callvolume" / "calls_fpp2_5min.csv"
DATA_ENV = "WFM_CALLS_CSV"
INTERVAL_MINUTES = 30
CLOSING = "21:00"  # 5-minute intervals starting at or after this are dropped
AHT_SECONDS = 300.0
QUEUE = "bank"


def data_path(argument: str | None = None) -> Path:
    """The CSV to read: the argument, else ``$WFM_CALLS_CSV``, else the shared data folder."""
    return Path(argument or os.environ.get(DATA_ENV) or DEFAULT_DATA)


def load_bank_history(path: Path, interval_minutes: int = INTERVAL_MINUTES) -> pd.DataFrame:
    """The 5-minute CSV as a history frame of ``interval_minutes`` (30, or 15/60) intervals
    (history contract, one queue ``bank``).

    Raises FileNotFoundError with a hint when the file is absent.
    """
    if not path.is_file():
        raise FileNotFoundError(f"call volume CSV not found at {path}; pass --data PATH or set {DATA_ENV}")
    raw = pd.read_csv(path, dtype={"interval_start": str})
    raw = raw[raw["interval_start"] < CLOSING]
    starts = pd.to_datetime(raw["date"] + " " + raw["interval_start"]).dt.floor(f"{interval_minutes}min")
    contacts = raw.groupby(starts)["calls"].sum().astype(float)
    history = pd.DataFrame({
        "interval_start": contacts.index.values,
        "queue": QUEUE,
        "contacts": contacts.to_numpy(),
        "aht_seconds": AHT_SECONDS,
    })
    history.attrs["interval_minutes"] = interval_minutes
    return history


def held_out_weeks(history: pd.DataFrame, count: int) -> list[pd.Timestamp]:
    """Mondays of the last ``count`` weeks with data."""
    mondays = history["interval_start"].dt.normalize()
    mondays = mondays - pd.to_timedelta(mondays.dt.dayofweek, unit="D")
    return sorted(mondays.unique())[-count:]


def before(history: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The rows before ``day``, keeping ``attrs`` (interval length)."""
    part = history[history["interval_start"] < day].reset_index(drop=True)
    part.attrs = dict(history.attrs)
    return part


def auto_wapes(history: pd.DataFrame, weeks: list[pd.Timestamp]) -> tuple[list[float], list[str]]:
    """WAPE and chosen method of ``forecast_history`` (backtest + choice + forecast) on each week,
    fitted on everything before that week."""
    errors, chosen = [], []
    for week in weeks:
        result = forecast_history(before(history, week), week)
        actual = history.set_index("interval_start")["contacts"]
        forecast = result.forecast.set_index("interval_start")["contacts"]
        errors.append(wape(actual.reindex(forecast.index).to_numpy(), forecast.to_numpy()))
        chosen.append(result.forecast["method"].iloc[0])
    return errors, chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help=f"5-minute calls CSV (default ${DATA_ENV} or {DEFAULT_DATA})")
    parser.add_argument("--held-out", type=int, default=8, help="weeks held out at the end (default 8)")
    args = parser.parse_args(argv)
    try:
        history = load_bank_history(data_path(args.data))
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    weeks = held_out_weeks(history, args.held_out)
    first, last = history["interval_start"].min(), history["interval_start"].max()
    print(f"{len(history)} intervals of {INTERVAL_MINUTES} min, {first:%Y-%m-%d} to {last:%Y-%m-%d}; "
          f"held out: {len(weeks)} weeks from {weeks[0]:%Y-%m-%d}")

    clock = time.perf_counter()
    folds, _ = backtest(history, folds=len(weeks))
    per_week = folds.pivot(index="fold_start", columns="method", values="wape")[list(METHODS)]
    print(f"every method, fitted before each held-out week: {time.perf_counter() - clock:.1f} s")

    clock = time.perf_counter()
    _, summary = backtest(before(history, weeks[0]), folds=4)
    chosen = chosen_methods(summary)[QUEUE]
    print(f"backtest on the training part only (4 folds): {time.perf_counter() - clock:.1f} s")
    print(summary.to_string(index=False, float_format="{:.4f}".format))

    clock = time.perf_counter()
    per_week["auto"], auto_choice = auto_wapes(history, weeks)
    print(f"auto (forecast_history before each week): {time.perf_counter() - clock:.1f} s")

    table = per_week.copy()
    table.index = table.index.strftime("%Y-%m-%d")
    table["auto chose"] = auto_choice
    table.loc["mean"] = per_week.mean().to_dict() | {"auto chose": ""}
    print("\nheld-out WAPE per week (fitted on everything before the week)")
    print(table.to_string(float_format="{:.4f}".format))

    naive = per_week[SeasonalNaive.name].mean()
    verdict = "beats" if per_week[chosen].mean() < naive else "does NOT beat"
    print(f"\nchosen on training backtest: {chosen}; held-out mean WAPE {per_week[chosen].mean():.4f} "
          f"{verdict} seasonal_naive {naive:.4f}; auto {per_week['auto'].mean():.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
