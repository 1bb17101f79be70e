"""Bad settings files (scenario.yaml / .toml, staffing targets): text encodings, repeated keys, two
settings files, values that are not what they look like (NaN, numbers as dates, yes/no as numbers),
absurd sizes, and the wording of every such message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from tabular import InputError
from forecasts.settings import validation_problems
from forecasts.staffing import QueueTarget, load_staffing_config
from scheduler.io import load_scenario, read_config, write_scenario
from scheduler.scenario import Agent, ScenarioConfig, TimeOff
from tests.test_io import agents, requirements

SCENARIO = """\
week_start: 2026-11-23
interval_minutes: 60
queues:
  voice: {}
  chat:
    answer_seconds: 60
    concurrency: 2
demand:
  requirements: requirements.csv
"""

TARGETS = """\
default:
  service_level: 0.8
queues:
  voice:
    answer_seconds: 20
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A valid scenario folder whose scenario.yaml the test rewrites."""
    return write_scenario(tmp_path / "scenario", {"week_start": "2026-11-23", "interval_minutes": 60,
                                                  "queues": {"voice": {}, "chat": {"concurrency": 2}},
                                                  "demand": {"requirements": "requirements.csv"}},
                          agents(), files={"requirements.csv": requirements()})


def problems(call, *args) -> list:
    with pytest.raises(InputError) as caught:
        call(*args)
    return caught.value.problems


def config_problems(folder: Path, text: str | bytes) -> list:
    path = folder / "scenario.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return problems(read_config, folder)


def target_problems(tmp_path: Path, text: str | bytes) -> list:
    path = tmp_path / "targets.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return problems(load_staffing_config, path)


def messages(found: list) -> str:
    return "\n".join(str(problem) for problem in found)


# --- 1. encodings -------------------------------------------------------------------------------


def test_windows_1252_settings_load(folder: Path, tmp_path: Path):
    template = "  - {name: Frühdienst é, earliest_start: 06:00, latest_start: 08:00}\n"
    (folder / "scenario.yaml").write_bytes((SCENARIO + "shift_templates:\n" + template).encode("cp1252"))
    assert read_config(folder).shift_templates[0].name == "Frühdienst é"

    path = tmp_path / "targets.yaml"
    path.write_bytes((TARGETS + "  café:\n    answer_seconds: 30\n").encode("cp1252"))
    assert load_staffing_config(path).target("café").answer_seconds == 30


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_settings_with_a_byte_order_mark_load(folder: Path, encoding: str):
    (folder / "scenario.yaml").write_bytes(SCENARIO.replace("chat", "chät").encode(encoding))
    assert set(read_config(folder).queues) == {"voice", "chät"}


def test_undecodable_or_binary_settings_are_located(folder: Path, tmp_path: Path):
    found = config_problems(folder, SCENARIO.encode() + b"# \x81\n")
    assert "scenario.yaml" in found[0].file and "line 10" in found[0].message and "UTF-8" in found[0].message
    found = target_problems(tmp_path, b"\x00\x01binary")
    assert "targets.yaml" in found[0].file and "not a text file" in found[0].message


# --- 2. a key given twice -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "addition, key, lines",
    [
        ("interval_minutes: 30\n", "interval_minutes", (2, 10)),
        ("rules:\n  min_rest_hours: 11\n  max_consecutive_days: 5\n  min_rest_hours: 12\n", "min_rest_hours", (11, 13)),
    ],
)
def test_scenario_key_given_twice(folder: Path, addition: str, key: str, lines: tuple[int, int]):
    [problem] = config_problems(folder, SCENARIO + addition)
    assert problem.file.endswith("scenario.yaml")
    assert f"key '{key}' is given twice (lines {lines[0]} and {lines[1]})" in problem.message


def test_target_key_given_twice_even_in_a_queue(tmp_path: Path):
    [problem] = target_problems(tmp_path, TARGETS + "    answer_seconds: 30\n")
    assert "key 'answer_seconds' is given twice (lines 5 and 6)" in problem.message
    [problem] = target_problems(tmp_path, TARGETS + "  voice:\n    shrinkage: 0.2\n")
    assert "key 'voice' is given twice (lines 4 and 6)" in problem.message


def test_yaml_merge_keys_may_still_be_overridden(tmp_path: Path):
    path = tmp_path / "targets.yaml"
    path.write_text("default: &base\n  answer_seconds: 20\nqueues:\n  voice:\n    <<: *base\n    answer_seconds: 30\n")
    assert load_staffing_config(path).target("voice").answer_seconds == 30


def test_toml_key_given_twice(folder: Path):
    (folder / "scenario.yaml").unlink()
    (folder / "scenario.toml").write_text('week_start = 2026-11-23\nweek_start = 2026-11-30\n'
                                          '[demand]\nrequirements = "requirements.csv"\n')
    [problem] = problems(read_config, folder)
    assert problem.file.endswith("scenario.toml") and "not valid TOML" in problem.message


# --- 3. two settings files ----------------------------------------------------------------------


@pytest.mark.parametrize("other", ["scenario.toml", "scenario.yml"])
def test_two_settings_files_are_refused(folder: Path, other: str):
    (folder / other).write_text("anything")
    [problem] = problems(load_scenario, folder)
    assert "scenario.yaml" in problem.message and other in problem.message
    assert problem.file == str(folder)


# --- 4. values that are not what they look like --------------------------------------------------


@pytest.mark.parametrize(
    "addition, column",
    [
        ("rules:\n  min_rest_hours: .nan\n", "rules.min_rest_hours"),
        ("weights:\n  over_hour: .inf\n", "weights.over_hour"),
        ("rules:\n  night_min_hours: -.inf\n", "rules.night_min_hours"),
        ("solver:\n  time_limit_seconds: .nan\n", "solver.time_limit_seconds"),
        ("shift_templates:\n  - {name: d, earliest_start: 06:00, latest_start: 08:00, lengths_hours: [.nan]}\n",
         "shift_templates.0.lengths_hours.0"),
    ],
)
def test_nan_and_infinity_are_not_numbers(folder: Path, addition: str, column: str):
    found = config_problems(folder, SCENARIO + addition)
    assert [problem.column for problem in found] == [column]
    assert "is not a number" in found[0].message and "finite" in found[0].message


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_nan_service_level_of_a_queue_is_not_a_number(folder: Path, tmp_path: Path, value: str):
    [problem] = config_problems(folder, SCENARIO.replace("voice: {}", f"voice: {{service_level: {value}}}"))
    assert problem.column == "queues.voice.service_level"
    assert problem.message.startswith("queues → voice → service level is not a number")
    found = target_problems(tmp_path, TARGETS.replace("0.8", value))  # the default and the queue inheriting it
    assert {problem.column for problem in found} == {"default.service_level", "queues.voice.service_level"}
    assert all("is not a number" in problem.message for problem in found)


@pytest.mark.parametrize("value", ["NaN", "inf", "-inf"])
def test_nan_hours_in_agents_csv_are_not_numbers(folder: Path, value: str):
    text = (folder / "agents.csv").read_text().replace("A1,Anna Berg,voice,30,40", f"A1,Anna Berg,voice,30,{value}")
    (folder / "agents.csv").write_text(text)
    [problem] = problems(load_scenario, folder)
    assert (problem.row, problem.column) == (2, "max_hours")
    assert "is not a number" in problem.message and "84" not in problem.message


@pytest.mark.parametrize("value", ["20261123", "1763942400", "1763942400.0", "true"])
def test_week_start_must_be_a_date(folder: Path, value: str):
    # 1763942400 s after 1970 is Monday 2025-11-24: pydantic would read it as that date.
    [problem] = config_problems(folder, SCENARIO.replace("2026-11-23", value))
    assert problem.column == "week_start"
    assert f"{value} is not a date".lower() in problem.message.lower() and "YYYY-MM-DD" in problem.message


@pytest.mark.parametrize(
    "text, column, words",
    [
        ("2026-11-23 00:00", "week_start", None),  # a midnight date-time is that date
        ("2026-11-24", "week_start", "is a Tuesday"),
        ("2026-11-23 08:00", "week_start", "must be a date, written YYYY-MM-DD"),
    ],
)
def test_week_start_written_as_date_time(folder: Path, text: str, column: str, words: str | None):
    settings = SCENARIO.replace("2026-11-23", text)
    if words is None:
        (folder / "scenario.yaml").write_text(settings)
        assert read_config(folder).week_start == dt.date(2026, 11, 23)
        return
    [problem] = config_problems(folder, settings)
    assert problem.column == column and words in problem.message


@pytest.mark.parametrize(
    "addition, column, words",
    [
        ("shift_templates:\n  - {name: d, earliest_start: 8, latest_start: 10:00}\n",
         "shift_templates.0.earliest_start", "8 is not a time of day; write it as HH:MM"),
        ("rules:\n  night_start: 1320\n", "rules.night_start", "1320 is not a time of day"),
        ("rules:\n  max_consecutive_days: yes\n", "rules.max_consecutive_days", "is yes/no, not a number"),
        ("weights:\n  preference: false\n", "weights.preference", "is yes/no, not a number"),
        ("shift_templates:\n  - {name: d, earliest_start: 06:00, latest_start: 10:00, lengths_hours: [8, true]}\n",
         "shift_templates.0.lengths_hours", "is yes/no, not a number"),
        ("breaks:\n  - {name: b, minutes: 15, paid: 0, earliest_offset_minutes: 60, latest_offset_minutes: 90}\n",
         "breaks.0.paid", "is a number; give yes or no"),
    ],
)
def test_numbers_dates_times_and_yes_no_are_not_mixed_up(folder: Path, addition: str, column: str, words: str):
    found = config_problems(folder, SCENARIO + addition)
    assert [(problem.column, words in problem.message) for problem in found] == [(column, True)], found


def test_numbers_as_date_times_and_yes_no_in_agent_rows():
    with pytest.raises(ValidationError) as caught:
        TimeOff(agent_id="A1", start=1763942400, end=dt.datetime(2026, 11, 24))
    assert "is not a date and time" in messages(validation_problems(caught.value))
    with pytest.raises(ValidationError) as caught:
        Agent(agent_id="A1", name="Ann", skills=["voice"], min_hours=0, max_hours=40, night_ok=2)
    assert "is a number; give yes or no" in messages(validation_problems(caught.value))


# --- 5. absurd sizes, in a planner's words -------------------------------------------------------


@pytest.mark.parametrize(
    "addition, column, words",
    [
        ("    min_agents: 1000000000\n", "queues.chat.min_agents", "queues → chat → min agents must be at most 1,000"),
        ("    answer_seconds: 1e9\n", "queues.chat.answer_seconds", "must be at most 86,400"),
        ("    patience_seconds: 1e9\n", "queues.chat.patience_seconds", "must be at most 86,400"),
        ("    max_asa_seconds: 1e9\n", "queues.chat.max_asa_seconds", "must be at most 86,400"),
    ],
)
def test_absurd_queue_targets(folder: Path, tmp_path: Path, addition: str, column: str, words: str):
    found = config_problems(folder, SCENARIO.replace("    answer_seconds: 60\n", addition))
    assert [(problem.column, words in problem.message) for problem in found] == [(column, True)], found
    [problem] = target_problems(tmp_path, TARGETS.replace("    answer_seconds: 20\n", addition))
    assert problem.column == column.replace("chat", "voice") and words.split(" → ")[-1] in problem.message


@pytest.mark.parametrize(
    "addition, column, words",
    [
        ("rules:\n  max_consecutive_days: 0\n", "rules.max_consecutive_days",
         "rules → max consecutive days must be at least 1"),
        ("rules:\n  night_min_hours: 1000\n", "rules.night_min_hours", "must be at most 24"),
        ("weights:\n  short_hour: 1e15\n", "weights.short_hour", "must be at most 1,000,000"),
        ("solver:\n  seed: 99999999999\n", "solver.seed", "must be at most 2,147,483,647"),
        ("solver:\n  time_limit_seconds: 1e9\n", "solver.time_limit_seconds", "must be at most 3,600"),
        ("solver:\n  workers: 2.5\n", "solver.workers", "solver → workers must be a whole number"),
        ("breaks:\n  - {name: b, minutes: 15, earliest_offset_minutes: 60, latest_offset_minutes: 100000}\n",
         "breaks.0.latest_offset_minutes", "breaks 1 → latest offset minutes must be at most 1,440"),
        ("breaks:\n  - {name: b, minutes: 15, max_shift_hours: 1e9, earliest_offset_minutes: 0,"
         " latest_offset_minutes: 10}\n", "breaks.0.max_shift_hours", "must be at most 168"),
        ("rules:\n  min_days_off: 9\n", "rules.min_days_off", "must be at most 7"),
        ("shift_templates:\n  - {name: d}\n", "shift_templates.0.earliest_start",
         "shift templates 1 → earliest start is missing"),
    ],
)
def test_absurd_settings_in_planner_words(folder: Path, addition: str, column: str, words: str):
    found = config_problems(folder, SCENARIO + addition)
    assert (column, True) in [(problem.column, words in problem.message) for problem in found], found
    assert not any("Input should" in problem.message or "Value error" in problem.message for problem in found)


def test_a_huge_minimum_staffing_is_refused_before_any_solve(folder: Path):
    config = SCENARIO.replace("voice: {}", "voice: {min_agents: 1000000000}")
    (folder / "scenario.yaml").write_text(config)
    [problem] = problems(load_scenario, folder)
    assert problem.column == "queues.voice.min_agents"


def test_every_schema_speaks_the_planners_words():
    cases = [(QueueTarget, {"shrinkage": 1}), (ScenarioConfig, {"demand": {"requirements": "r.csv"}}),
             (Agent, {"agent_id": "A1", "name": "", "skills": [], "min_hours": -1, "max_hours": "x"})]
    for model, values in cases:
        with pytest.raises(ValidationError) as caught:
            model.model_validate(values)
        for problem in validation_problems(caught.value):
            assert "Input should" not in problem.message and "should have" not in problem.message, problem
            assert not problem.message.startswith("Value error"), problem


def test_word_choices_are_read_whatever_their_case_or_spaces():
    from forecasts.staffing import QueueTarget
    from scheduler.scenario import WorkRules

    assert QueueTarget.model_validate({"kind": " Deferred", "response_hours": 24}).kind == "deferred"
    rules = WorkRules.model_validate({"weekend_days": ["Sat", "SUN"], "contract_hours": "Horizon"})
    assert (rules.weekend_days, rules.contract_hours) == (("sat", "sun"), "horizon")
    with pytest.raises(ValueError, match="'realtime' or 'deferred'"):
        QueueTarget.model_validate({"kind": "email"})
