"""Prediction intervals of the forecast (from backtest ratios), the forecast plot's bands, and
staffing to a quantile of contacts."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecasts.forecast import forecast_history
from forecasts.intervals import BAND_COLUMNS, BAND_QUANTILES, Calibration, bands, calibrate
from forecasts.staffing import StaffingConfig, contacts_to_staff, staffing_requirements
from tests.test_forecast import make_history
from wfm_app.demand import history_forecast_figure, target_rows, targets_from_rows


def test_calibration_measures_the_level_error_beyond_poisson_per_time_of_day():
    forecasts = np.full((4, 7, 6), 400.0)
    day_error = np.array([0.9, 1.0, 1.1, 1.0, 0.95, 1.05, 1.0])  # level errors of whole days
    actuals = forecasts * day_error[None, :, None]
    actuals[:, :, 5] = np.nan  # never observed
    calibration = calibrate(forecasts, actuals)
    observed = forecasts[..., :5]
    expected_kappa = (((actuals[..., :5] - observed) ** 2 - observed).sum()) / (observed ** 2).sum()
    assert calibration.kappa == pytest.approx(expected_kappa)
    errors = (actuals[..., :5] - observed) / np.sqrt(observed + expected_kappa * observed ** 2)
    np.testing.assert_allclose(calibration.quantiles[2], np.quantile(errors, BAND_QUANTILES))  # slots 0-4 pooled
    np.testing.assert_allclose(calibration.quantiles[5], np.quantile(errors, BAND_QUANTILES))  # 3, 4 and 0, 1
    assert calibrate(forecasts[:1, :1, :2], actuals[:1, :1, :2]) is None  # too few to measure


def test_bands_contain_the_forecast_and_are_at_least_poisson():
    calibration = Calibration(kappa=0.0, quantiles=np.zeros((2, 4)))  # a calibration that saw no error at all
    limits = bands(np.array([[[3.0, 0.0]]]), calibration)[0, 0]
    np.testing.assert_allclose(limits[0], stats.poisson.ppf(BAND_QUANTILES, 3.0))  # counts are noisy anyway
    assert (limits[1] == 0).all()  # closed: no band
    biased = Calibration(kappa=0.01, quantiles=np.tile([0.5, 2.0, 0.2, 3.0], (1, 1)))  # actuals always above
    limits = bands(np.array([[[400.0]]]), biased)[0, 0, 0]
    poisson = stats.poisson.ppf(BAND_QUANTILES, 400.0)
    assert limits[0] == poisson[0] and limits[2] == poisson[2]  # the band still holds the forecast
    assert limits[1] == pytest.approx(400 + 2.0 * np.sqrt(400 + 0.01 * 400 ** 2))


def test_without_a_backtest_the_bands_are_poisson():
    limits = bands(np.array([[[0.0, 100.0]]]), None)[0, 0]
    assert (limits[0] == 0).all()  # closed: no band
    assert limits[1] == pytest.approx([87, 113, 81, 120])  # Poisson(100) 10/90/2.5/97.5 %


@pytest.fixture(scope="module")
def noisy_result():
    """Poisson counts around a known pattern: the 80 % band should cover about 80 %."""
    history = make_history(weeks=10, level=400.0)
    rng = np.random.default_rng(5)
    history["contacts"] = rng.poisson(history["contacts"]).astype(float)
    truth = make_history(weeks=12, level=400.0)
    later = truth[truth["interval_start"] >= pd.Timestamp("2024-03-11")].copy()
    later["contacts"] = rng.poisson(later["contacts"]).astype(float)
    result = forecast_history(history, "2024-03-11", weeks=2, methods=["slot_median_8", "level_profile"],
                              folds=6)
    return result, later


def test_forecast_bands_are_ordered_and_closed_slots_have_none(noisy_result):
    result, _ = noisy_result
    forecast = result.forecast
    lo95, lo80, hi80, hi95 = (forecast[column] for column in
                              ["contacts_lo95", "contacts_lo80", "contacts_hi80", "contacts_hi95"])
    assert (lo95 <= lo80).all() and (lo80 <= hi80).all() and (hi80 <= hi95).all()
    open_slots = forecast["contacts"] > 0
    assert (lo80 < forecast["contacts"])[open_slots].all() and (forecast["contacts"] < hi80)[open_slots].all()
    night = forecast["interval_start"].dt.hour < 8
    assert (forecast.loc[night, BAND_COLUMNS] == 0).all().all()


def test_the_80_percent_band_covers_about_80_percent(noisy_result):
    result, later = noisy_result
    joined = result.forecast.merge(later, on=["interval_start", "queue"], suffixes=("", "_actual"))
    open_hours = joined["contacts"] > 0
    inside80 = joined["contacts_actual"].between(joined["contacts_lo80"], joined["contacts_hi80"])[open_hours]
    inside95 = joined["contacts_actual"].between(joined["contacts_lo95"], joined["contacts_hi95"])[open_hours]
    assert 0.7 <= inside80.mean() <= 0.9
    assert inside95.mean() >= 0.88


@pytest.mark.parametrize(("level", "day_noise"), [(10.0, 0.0), (400.0, 0.08)])
def test_bands_cover_small_counts_and_day_level_errors(level, day_noise):
    """Small counts (about 8 an hour: Poisson noise dominates) and large ones whose whole days
    are off by 8 % at random (level errors dominate): both bands cover about what they say."""
    rng = np.random.default_rng(7)
    truth = make_history(weeks=24, level=level)
    day = truth["interval_start"].dt.normalize()
    day_factor = dict(zip(day.unique(), 1 + day_noise * rng.standard_normal(day.nunique())))
    truth["contacts"] = rng.poisson(truth["contacts"] * day.map(day_factor)).astype(float)
    start = pd.Timestamp("2024-05-20")  # the last 4 weeks are held out, one at a time
    inside = {80: [], 95: []}
    for week in range(4):
        training = truth[truth["interval_start"] < start + pd.Timedelta(weeks=week)].copy()
        training.attrs["interval_minutes"] = 60
        result = forecast_history(training, start + pd.Timedelta(weeks=week),
                                  methods=["slot_median_8", "level_profile"])
        joined = result.forecast.merge(truth, on=["interval_start", "queue"], suffixes=("", "_actual"))
        joined = joined[joined["contacts"] > 0]
        for band in inside:
            inside[band].append(joined["contacts_actual"].between(joined[f"contacts_lo{band}"],
                                                                  joined[f"contacts_hi{band}"]).mean())
    assert 0.72 <= np.mean(inside[80]) <= 0.88
    assert 0.9 <= np.mean(inside[95]) <= 0.985


def test_surges_months_back_still_widen_the_bands():
    """Four backtest weeks rarely hold a surge like the day after a holiday; the calibration looks
    back CALIBRATION_WEEKS weeks, so two surges 9 and 13 weeks ago widen the 95 % band."""
    rng = np.random.default_rng(3)
    history = make_history(weeks=20, level=400.0)
    history["contacts"] = rng.poisson(history["contacts"]).astype(float)
    surged = history.copy()
    for day in ("2024-02-13", "2024-03-12"):  # Tuesdays of weeks 7 and 11 of 20
        surged.loc[surged["interval_start"].dt.normalize() == pd.Timestamp(day), "contacts"] *= 1.4
    start = pd.Timestamp("2024-05-20")
    plain, wide = (forecast_history(h, start, methods=["level_profile"]).forecast for h in (history, surged))
    assert (wide["contacts_hi95"] - wide["contacts"]).sum() > 1.2 * (plain["contacts_hi95"] - plain["contacts"]).sum()


def test_special_days_scale_the_bands_too():
    special_days = pd.DataFrame({"date": [pd.Timestamp("2024-02-20")], "multiplier": [0.5], "label": ["x"]})
    plain = forecast_history(make_history(weeks=6, noise=0.1), "2024-02-19", methods=["level_profile"], folds=3)
    halved = forecast_history(make_history(weeks=6, noise=0.1), "2024-02-19", methods=["level_profile"], folds=3,
                              special_days=special_days)
    tuesday = plain.forecast["interval_start"].dt.normalize() == pd.Timestamp("2024-02-20")
    columns = ["contacts", *BAND_COLUMNS]
    np.testing.assert_allclose(halved.forecast.loc[tuesday, columns], plain.forecast.loc[tuesday, columns] * 0.5)


def test_the_forecast_plot_shows_both_bands(noisy_result):
    result, later = noisy_result
    figure = history_forecast_figure(later, result.forecast, "sales")
    names = [trace.name for trace in figure.data]
    assert "95 % interval" in names and "80 % interval" in names
    band = next(trace for trace in figure.data if trace.name == "80 % interval")
    assert band.fill == "tonexty"
    np.testing.assert_allclose(band.y, np.round(result.forecast["contacts_hi80"], 1))


# --- staffing to a quantile ----------------------------------------------------------------------


def quantile_forecast() -> pd.DataFrame:
    return pd.DataFrame({
        "interval_start": pd.date_range("2026-11-23 09:00", periods=2, freq="30min"),
        "queue": "voice", "contacts": [100.0, 0.0], "aht_seconds": 300.0,
        "contacts_lo80": [90.0, 0.0], "contacts_hi80": [120.0, 0.0],
        "contacts_lo95": [80.0, 0.0], "contacts_hi95": [130.0, 0.0],
    })


def test_quantile_contacts_follow_the_prediction_intervals():
    forecast = quantile_forecast()
    assert contacts_to_staff(forecast, None)[0] == 100.0
    assert contacts_to_staff(forecast, 0.5)[0] == pytest.approx(100.0)
    assert contacts_to_staff(forecast, 0.9)[0] == pytest.approx(120.0)
    assert contacts_to_staff(forecast, 0.975)[0] == pytest.approx(130.0)
    # 0.8: z = 0.8416 of the way 0 → 1.2816 (the 90 % point): 100 + 20 × 0.8416 / 1.2816
    assert contacts_to_staff(forecast, 0.8)[0] == pytest.approx(100 + 20 * 0.841621 / 1.281552, rel=1e-5)
    assert contacts_to_staff(forecast, 0.99)[0] > 130.0  # beyond the 97.5 % point: extrapolated
    assert contacts_to_staff(forecast, 0.8)[1] == 0.0  # closed stays closed
    # Without bands: the Poisson quantile of the mean.
    assert contacts_to_staff(forecast[["interval_start", "queue", "contacts"]], 0.9)[0] == 113.0


def test_staffing_to_a_quantile_needs_more_agents_and_keeps_the_mean_contacts():
    forecast = quantile_forecast()
    mean = staffing_requirements(forecast, StaffingConfig(), 30)
    config = StaffingConfig.model_validate({"default": {"quantile": 0.8}, "queues": {"voice": {}}})
    at_quantile = staffing_requirements(forecast, config, 30)
    assert at_quantile["required"].iloc[0] > mean["required"].iloc[0]
    assert at_quantile["contacts"].tolist() == mean["contacts"].tolist() == [100.0, 0.0]
    assert at_quantile["required"].iloc[1] == 0


@pytest.mark.parametrize("value", [0.4, 1.0])
def test_a_quantile_outside_half_to_99_percent_is_an_error(value):
    with pytest.raises(ValueError, match="quantile"):
        StaffingConfig.model_validate({"default": {"quantile": value}})


def test_the_app_targets_editor_carries_the_quantile():
    config = StaffingConfig.model_validate({"queues": {"voice": {"quantile": 0.8}, "chat": {}}})
    rows = target_rows(["voice", "chat"], dict(config.queues))
    assert rows["quantile"].iloc[0] == 0.8 and np.isnan(rows["quantile"].iloc[1])
    edited = targets_from_rows(rows)
    assert edited.target("voice").quantile == 0.8 and edited.target("chat").quantile is None
