"""Requirements from a forecast and per-queue targets, and the staffing config file."""

import numpy as np
import pandas as pd
import pytest

from forecasts import erlang
from forecasts.staffing import (
    QueueTarget,
    StaffingConfig,
    expected_service,
    gross_up,
    load_staffing_config,
    rostered_service_level,
    staffing_requirements,
)
from tabular import InputError


def forecast_rows(queue: str, contacts: list[float], aht: float) -> pd.DataFrame:
    starts = pd.date_range("2026-11-23 08:00", periods=len(contacts), freq="30min")
    return pd.DataFrame(
        {"interval_start": starts, "queue": queue, "contacts": contacts, "aht_seconds": aht}
    )


def test_worked_example_voice_queue():
    """100 contacts in 30 min at 180 s, 80/20, 30 % shrinkage: 14 on the phones, 20 to schedule."""
    config = StaffingConfig(default=QueueTarget(service_level=0.8, answer_seconds=20, max_occupancy=1.0, shrinkage=0.3))
    table = staffing_requirements(forecast_rows("voice", [100.0], 180.0), config, interval_minutes=30)
    row = table.iloc[0]
    assert row["required"] == 20
    assert row["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert row["asa_seconds"] == pytest.approx(7.84, abs=5e-3)
    assert row["occupancy"] == pytest.approx(10 / 14)


def test_a_fractional_number_of_agents_reads_between_its_whole_neighbours():
    levels = [erlang.service_level(2.0, agents, 300.0, 20.0) for agents in (2, 3)]
    level = expected_service(np.array([2.0]), np.array([2.8]), np.array([300.0]), QueueTarget())["service_level"]
    assert level.iloc[0] == pytest.approx(0.2 * levels[0] + 0.8 * levels[1])


def test_rostered_service_without_shrinkage_is_erlang_on_the_shares_worked():
    # 2.5 agents: two all interval, one on a 15-minute break of a 30-minute one
    target = QueueTarget(shrinkage=0.0)
    level = rostered_service_level(np.array([1.5]), np.array([2.5]), np.array([300.0]), target, 1800.0)
    assert level[0] == pytest.approx(np.mean([erlang.service_level(1.5, agents, 300.0, 20.0) for agents in (2, 3)]))


def test_rostered_service_counts_shrinkage_as_a_fraction_not_floored():
    # 4 scheduled at 30 % shrinkage are 2.8 on the phones, not 2
    target = QueueTarget(shrinkage=0.3)
    level = rostered_service_level(np.array([1.5]), np.array([4.0]), np.array([300.0]), target, 1800.0)
    assert level[0] > erlang.service_level(1.5, 2, 300.0, 20.0) + 0.1
    assert level[0] < erlang.service_level(1.5, 4, 300.0, 20.0)


def test_one_agent_at_30_percent_shrinkage_leaves_the_phones_empty_30_percent_of_the_time():
    target = QueueTarget(shrinkage=0.3)
    level = rostered_service_level(np.array([1e-4, 0.0]), np.array([1.0, 0.0]), np.array([300.0, 300.0]), target, 1800.0)
    assert level[0] == pytest.approx(0.7, abs=1e-3)
    assert level[1] == 1.0  # no contacts: nobody waits


def test_the_spread_of_agents_on_the_phones_costs_service_where_erlang_is_concave():
    # 14 scheduled at 7 Erlangs: 9.8 on the phones and 0.75 of an agent finishing contacts going off
    target = QueueTarget(shrinkage=0.3)
    steady = QueueTarget(shrinkage=0.0)
    varying = rostered_service_level(np.array([7.0]), np.array([14.0]), np.array([300.0]), target, 1800.0)[0]
    taking = 9.8 + 14 * 0.3 * (7 / 9.8) * 300 / (300 + 900)
    at_mean = expected_service(np.array([7.0]), np.array([taking]), np.array([300.0]), steady)["service_level"].iloc[0]
    floored = expected_service(np.array([7.0]), np.array([9.0]), np.array([300.0]), steady)["service_level"].iloc[0]
    assert floored < varying < at_mean
    # over a longer interval the average number on the phones varies less
    longer = rostered_service_level(np.array([7.0]), np.array([14.0]), np.array([300.0]), target, 3600.0)[0]
    assert varying < longer < at_mean


def test_more_agents_never_lower_the_rostered_service_level():
    target = QueueTarget(shrinkage=0.3, concurrency=2, patience_seconds=180)
    scheduled = np.arange(0, 30, 0.25)
    level = rostered_service_level(np.full(len(scheduled), 8.0), scheduled, np.full(len(scheduled), 600.0), target, 1800.0)
    assert np.all(np.diff(level) >= -1e-12)
    assert level[0] == 0.0


def test_gross_up_is_exact_at_round_numbers():
    assert list(gross_up(np.array([14, 7, 0, 1]), 0.3)) == [20, 10, 0, 2]


def test_zero_contacts_need_nobody_unless_minimum_staffing():
    quiet = forecast_rows("voice", [0.0, 0.2], 300.0)
    plain = staffing_requirements(quiet, StaffingConfig(queues={"voice": {"shrinkage": 0.0}}), 30)
    assert list(plain["required"]) == [0, 1]
    assert plain["service_level"].iloc[0] == 1.0
    staffed = staffing_requirements(quiet, StaffingConfig(queues={"voice": {"min_agents": 2, "shrinkage": 0.0}}), 30)
    assert list(staffed["required"]) == [2, 2]


def test_chat_concurrency_divides_slots_among_agents():
    """Each chat is a server; one agent works `concurrency` of them at once."""
    single = StaffingConfig(queues={"chat": {"concurrency": 1, "shrinkage": 0.0, "max_occupancy": 1.0}})
    double = StaffingConfig(queues={"chat": {"concurrency": 2, "shrinkage": 0.0, "max_occupancy": 1.0}})
    rows = forecast_rows("chat", [60.0], 600.0)
    slots = staffing_requirements(rows, single, 30)["required"].iloc[0]
    agents = staffing_requirements(rows, double, 30)["required"].iloc[0]
    assert agents == int(np.ceil(slots / 2))
    assert agents < slots


def test_patience_switches_to_erlang_a_and_reports_abandonment():
    config = StaffingConfig(queues={"voice": {"patience_seconds": 120, "shrinkage": 0.0, "max_occupancy": 1.0}})
    table = staffing_requirements(forecast_rows("voice", [100.0], 180.0), config, 30)
    row = table.iloc[0]
    expected = erlang.erlang_a_required_agents(10.0, 180.0, 0.8, 20, 120)
    assert row["required"] == int(expected)
    assert 0 <= row["abandon_rate"] < 0.1
    assert row["service_level"] >= 0.8


def test_queue_settings_inherit_the_default():
    config = StaffingConfig.model_validate(
        {"default": {"shrinkage": 0.25, "answer_seconds": 30}, "queues": {"chat": {"answer_seconds": 60}}}
    )
    assert config.target("chat").shrinkage == 0.25
    assert config.target("chat").answer_seconds == 60
    assert config.target("voice").answer_seconds == 30


def test_each_queue_uses_its_own_target():
    config = StaffingConfig(
        queues={"fast": {"answer_seconds": 10, "shrinkage": 0}, "slow": {"answer_seconds": 120, "shrinkage": 0}}
    )
    rows = pd.concat([forecast_rows("fast", [100.0], 180.0), forecast_rows("slow", [100.0], 180.0)])
    table = staffing_requirements(rows, config, 30).set_index("queue")
    assert table.loc["fast", "required"] > table.loc["slow", "required"]


def test_config_file_rejects_unknown_keys(tmp_path):
    path = tmp_path / "staffing.yaml"
    path.write_text("queues:\n  voice:\n    service_levle: 0.8\n")
    with pytest.raises(InputError) as caught:
        load_staffing_config(path)
    message = str(caught.value)
    assert "staffing.yaml" in message
    assert "queues.voice.service_levle" in message
    assert "unknown key" in message


def test_config_file_rejects_out_of_range_values(tmp_path):
    path = tmp_path / "staffing.yaml"
    path.write_text("default:\n  service_level: 1.5\n  shrinkage: -0.1\n")
    with pytest.raises(InputError) as caught:
        load_staffing_config(path)
    fields = {problem.column for problem in caught.value.problems}
    assert fields == {"default.service_level", "default.shrinkage"}


def test_config_file_missing_or_not_yaml(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_staffing_config(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("queues: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_staffing_config(bad)


def test_config_file_that_never_ends_is_refused():
    with pytest.raises(InputError, match="not a regular file"):
        load_staffing_config("/dev/zero")
# --- the staffing maths never tracebacks ---------------------------------------------------------


@pytest.mark.parametrize(
    "contacts, aht, column, words",
    [
        (1e308, 300.0, "contacts", "agents' worth of work"),
        (1e12, 300.0, "contacts", "agents' worth of work"),
        (100.0, 1e308, "contacts", "agents' worth of work"),
        (np.nan, 300.0, "contacts", "is not a number of contacts"),
        (np.inf, 300.0, "contacts", "is not a number of contacts"),
        (-5.0, 300.0, "contacts", "is not a number of contacts"),
        (100.0, np.inf, "aht_seconds", "is not a handle time"),
        (100.0, np.nan, "aht_seconds", "is not a handle time"),
        (100.0, 0.0, "aht_seconds", "is not a handle time"),
    ],
)
@pytest.mark.parametrize("patience", [None, 180.0])
def test_unstaffable_intervals_are_named(contacts, aht, column, words, patience):
    rows = forecast_rows("chat", [10.0, contacts, 10.0], 300.0)
    rows["aht_seconds"] = [300.0, aht, 300.0]
    config = StaffingConfig(queues={"chat": QueueTarget(patience_seconds=patience)})
    with pytest.raises(InputError) as caught:
        staffing_requirements(rows, config, 30, "forecast.csv")
    [problem] = caught.value.problems
    assert (problem.file, problem.column) == ("forecast.csv", column)
    assert problem.message.startswith("queue 'chat', interval 2026-11-23 08:30: ") and words in problem.message


def test_a_very_busy_queue_is_still_staffed():
    rows = forecast_rows("voice", [60_000.0] * 48, 1_500.0)  # 50,000 agents' worth of work an interval
    table = staffing_requirements(rows, StaffingConfig(), 30)
    assert (table["required"] > 50_000).all()


def test_a_failure_inside_the_maths_names_the_queue_and_interval(monkeypatch):
    def failing(traffic, *args, **kwargs):
        if np.any(np.asarray(traffic) > 5):
            raise ArithmeticError("no agent count meets the target")
        return np.ones_like(np.asarray(traffic))

    monkeypatch.setattr(erlang, "required_agents", failing)
    rows = forecast_rows("voice", [10.0, 20.0, 500.0, 10.0], 300.0)
    with pytest.raises(InputError) as caught:
        staffing_requirements(rows, StaffingConfig(), 30)
    [problem] = caught.value.problems
    assert problem.message.startswith("queue 'voice', interval 2026-11-23 09:00: cannot be staffed")
    assert "no agent count meets the target" in problem.message


def test_staffing_overview_has_no_service_level_without_contacts():
    from forecasts.staffing import staffing_overview

    forecast = pd.DataFrame({"interval_start": pd.to_datetime(["2026-11-23 08:00", "2026-11-23 08:30"] * 2),
                             "queue": ["voice", "voice", "email", "email"], "contacts": [30.0, 10.0, 0.0, 0.0],
                             "aht_seconds": [300.0, 300.0, 300.0, 300.0]})
    requirements = staffing_requirements(forecast, StaffingConfig(), 30)
    overview = staffing_overview(requirements).set_index("queue")
    voice = requirements[requirements["queue"] == "voice"]
    expected = (voice["service_level"] * voice["contacts"]).sum() / 40
    assert overview.loc["voice", "service level"] == pytest.approx(expected)
    assert overview.loc["voice", "contacts"] == 40 and overview.loc["voice", "peak agents"] == voice["required"].max()
    assert overview.loc["voice", "agent-hours"] == pytest.approx(voice["required"].sum() / 2)
    assert np.isnan(overview.loc["email", "service level"])  # nobody waits: neither 0 % nor 100 %
    assert staffing_overview(requirements.iloc[:0]).empty
