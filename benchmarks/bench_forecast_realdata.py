"""Benchmark the forecasting methods on real call volumes (fpp2 ``calls``, a North American bank).

The data and how they become a history table: ``forecasts/bank_calls.py``.

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
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script from anywhere

from forecasts.backtest import backtest, chosen_methods, wape  # noqa: E402
from forecasts.bank_calls import (  # noqa: E402
    DATA_ENV, DEFAULT_DATA, INTERVAL_MINUTES, QUEUE, before, data_path, held_out_weeks, load_bank_history,
)
from forecasts.forecast import forecast_history  # noqa: E402
from forecasts.methods import METHODS, SeasonalNaive  # noqa: E402


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
