"""Benchmark the forecasting methods on real call volumes (fpp2 ``calls``, a North American bank).

The data and how they become a history table: ``forecasts/bank_calls.py``.

The last ``--held-out`` weeks (default 8) are cut into hold-outs of ``--horizon`` weeks (default 1).
For each hold-out, ``forecast_history`` runs on everything before it: its backtest (4 folds on the
training weeks only, no peeking) chooses a method or combination, which forecasts the whole
hold-out (``auto``); every method is also fitted on the same training weeks to show its own
error, combinations with the members and weights that backtest gave them. Printed: the WAPE of
each method per hold-out, ``auto`` against seasonal naive, how often the actual contacts fell
inside ``auto``'s 80 % and 95 % prediction intervals, and how long ``forecast_history`` took.
With ``--explain``, where each hold-out's error is: per day, ``auto``'s and seasonal naive's WAPE,
their day total against the actual, and their WAPE with each day's total made exact (what is left is
the intraday shape and noise); and each method's backtest WAPE before the hold-out beside its WAPE on it.

    python benchmarks/bench_forecast_realdata.py [--data PATH] [--held-out 8] [--interval 30] [--horizon 1]
    python benchmarks/bench_forecast_realdata.py --interval 15 --horizon 2   # the 15-minute target
    python benchmarks/bench_forecast_realdata.py --interval 15 --horizon 2 --explain

The data path defaults to ``$WFM_CALLS_CSV`` or ``../shared/data/callvolume/calls_fpp2_5min.csv``
relative to the repository root.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script from anywhere

from forecasts.backtest import wape  # noqa: E402
from forecasts.bank_calls import (  # noqa: E402
    DATA_ENV, DEFAULT_DATA, INTERVAL_MINUTES, before, data_path, held_out_weeks, load_bank_history,
)
from forecasts.forecast import forecast_history  # noqa: E402
from forecasts.methods import COMBINATIONS, METHOD_NAMES, METHODS, SeasonalNaive, combination, make_method  # noqa: E402
from forecasts.methods import monday_of, split_queues  # noqa: E402

BACKTEST_FOLDS = 4


def hold_out(history: pd.DataFrame, start: pd.Timestamp,
             weeks: int) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    """WAPE of every method and of ``auto`` on ``weeks`` weeks from ``start``, all fitted before
    ``start``; plus ``auto``'s choice, its run time and the coverage of its 80 % / 95 % bands.
    Also where the error is: ``day_breakdown`` of ``auto`` and seasonal naive, and each method's
    backtest WAPE (``backtest``) beside its WAPE on the hold-out (``held_out``)."""
    training = before(history, start)
    clock = time.perf_counter()
    result = forecast_history(training, start, weeks=weeks, folds=BACKTEST_FOLDS)
    seconds = time.perf_counter() - clock
    end = start + pd.Timedelta(weeks=weeks)
    actual = history.set_index("interval_start")["contacts"]
    forecast = result.forecast.set_index("interval_start")
    seen = actual.reindex(forecast.index).to_numpy()
    row = {"auto": wape(seen, forecast["contacts"].to_numpy()), "auto chose": forecast["method"].iloc[0],
           "auto seconds": seconds}
    observed = ~np.isnan(seen)
    for level in (80, 95):
        inside = (seen >= forecast[f"contacts_lo{level}"]) & (seen <= forecast[f"contacts_hi{level}"])
        row[f"in {level} %"] = float(inside[observed].mean())

    minutes = result.interval_minutes
    queue = split_queues(training, ["bank"], minutes, monday_of(training["interval_start"].max()))[0]
    target = split_queues(history[history["interval_start"] < end], ["bank"], minutes,
                          monday_of(end - pd.Timedelta(days=1)))[0].contacts[-weeks:]
    skipped = (start - monday_of(training["interval_start"].max())).days // 7 - 1
    scores = result.accuracy.set_index("method")["wape"]
    base_scores = {name: scores[name] for name in METHODS}
    predicted = {}
    for name in METHOD_NAMES:
        method = combination(name, base_scores) if name in COMBINATIONS else make_method(name)
        predicted[name] = method.fit(queue.contacts, queue.first_monday).predict(skipped + weeks)[skipped:]
        row[name] = wape(target, predicted[name])
    days = day_breakdown(start, target, {"auto": predicted[row["auto chose"]],
                                         "naive": predicted[SeasonalNaive.name]})
    methods = pd.DataFrame({"backtest": scores.reindex(METHOD_NAMES), "held_out": pd.Series(row)[list(METHOD_NAMES)]})
    return row, days, methods.astype(float)


def exact_day_totals(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """``forecast`` ``(weeks, 7, P)`` scaled day by day to the ``actual`` total of the intervals
    observed that day: its intraday shape with every day's level right."""
    observed = np.where(np.isnan(actual), 0.0, forecast).sum(axis=2, keepdims=True)
    totals = np.nansum(actual, axis=2, keepdims=True)
    return forecast * np.divide(totals, observed, out=np.ones_like(totals), where=observed > 0)


def day_breakdown(start: pd.Timestamp, actual: np.ndarray, forecasts: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per observed day of the hold-out ``actual`` ``(weeks, 7, P)`` from ``start``: its
    contacts and, per forecast, the WAPE that day, the forecast day total / actual (``level``) and
    the WAPE with the day's total exact (``exact level``); last a row for the whole hold-out."""
    exact = {name: exact_day_totals(actual, forecast) for name, forecast in forecasts.items()}
    rows = {}
    for week, weekday in np.ndindex(actual.shape[:2]):
        seen = actual[week, weekday]
        if np.isnan(seen).all():
            continue
        day = start + pd.Timedelta(days=7 * week + weekday)
        rows[f"{day:%a %Y-%m-%d}"] = _day_row(seen, {name: (forecast[week, weekday], exact[name][week, weekday])
                                                     for name, forecast in forecasts.items()})
    rows["whole hold-out"] = _day_row(actual, {name: (forecast, exact[name]) for name, forecast in forecasts.items()})
    return pd.DataFrame.from_dict(rows, orient="index")


def _day_row(actual: np.ndarray, forecasts: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    observed = ~np.isnan(actual)
    row = {"contacts": float(actual[observed].sum())}
    for name, (forecast, exact) in forecasts.items():
        row[f"{name} WAPE"] = wape(actual, forecast)
        row[f"{name} level"] = float(forecast[observed].sum()) / row["contacts"]
        row[f"{name} exact level"] = wape(actual, exact)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help=f"5-minute calls CSV (default ${DATA_ENV} or {DEFAULT_DATA})")
    parser.add_argument("--held-out", type=int, default=8, help="weeks held out at the end (default 8)")
    parser.add_argument("--interval", type=int, default=INTERVAL_MINUTES, choices=(15, 30, 60),
                        help=f"interval minutes (default {INTERVAL_MINUTES})")
    parser.add_argument("--horizon", type=int, default=1, help="weeks per hold-out, forecast at once (default 1)")
    parser.add_argument("--explain", action="store_true",
                        help="per hold-out: the error per day, level against intraday shape, and each method's "
                             "backtest WAPE beside its held-out WAPE")
    args = parser.parse_args(argv)
    try:
        history = load_bank_history(data_path(args.data), args.interval)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    weeks = held_out_weeks(history, args.held_out)
    starts = weeks[::args.horizon]
    first, last = history["interval_start"].min(), history["interval_start"].max()
    print(f"{len(history)} intervals of {args.interval} min, {first:%Y-%m-%d} to {last:%Y-%m-%d}; "
          f"{len(starts)} hold-outs of {args.horizon} week(s) from {weeks[0]:%Y-%m-%d}")

    clock = time.perf_counter()
    results = {f"{start:%Y-%m-%d}": hold_out(history, start, args.horizon) for start in starts}
    print(f"forecast_history and every method before each hold-out: {time.perf_counter() - clock:.1f} s")
    table = pd.DataFrame.from_dict({start: row for start, (row, _, _) in results.items()}, orient="index")
    table["auto / naive"] = table["auto"] / table[SeasonalNaive.name]
    numeric = table.drop(columns="auto chose")
    table.loc["mean"] = numeric.mean().to_dict() | {"auto chose": ""}
    pd.set_option("display.width", 250)
    print("\nheld-out WAPE per hold-out (fitted on everything before it)")
    print(table[[*METHOD_NAMES, "auto", "auto chose"]].to_string(float_format="{:.4f}".format))
    print("\nauto: against seasonal naive, and the share of actual intervals inside its bands")
    print(table[["auto", SeasonalNaive.name, "auto / naive", "in 80 %", "in 95 %"]]
          .to_string(float_format="{:.4f}".format))
    print(f"\nforecast_history per hold-out: median {table['auto seconds'].iloc[:-1].median():.1f} s "
          f"(backtest, intervals and forecast)")
    if args.explain:
        for start, (_, days, methods) in results.items():
            print(f"\nhold-out from {start}: per day (level = forecast day total / actual)")
            print(days.to_string(float_format="{:.4f}".format))
            print(f"\nhold-out from {start}: each method's backtest WAPE before it and its WAPE on it")
            print(methods.sort_values("backtest").to_string(float_format="{:.4f}".format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
