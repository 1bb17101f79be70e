"""The rule table is whole: every hard rule has its checker, its way into the engine, its words
for the diagnosis and its test; every soft rule's cost is its weights times its measures."""

from __future__ import annotations

import dataclasses

import pandas as pd
from ortools.sat.python import cp_model

import tests.test_model_rules as model_rule_tests
from scheduler import check
from scheduler.costs import SOFT_RULES
from scheduler.engine.data import RosterData
from scheduler.engine.hard_rules import AgentShifts, new_works
from scheduler.rules import HARD_RULES, PHRASES, rule_phrase
from scheduler.scenario import Weights
from tests.test_model_rules import agent, demand, scenario


def test_every_checker_is_a_rule_of_the_table_under_its_own_name():
    assert [rule.check for rule in HARD_RULES] == list(check.SHIFT_RULES + check.AGENT_RULES)
    assert [rule.name for rule in HARD_RULES] == [rule.check.__name__ for rule in HARD_RULES]
    assert len({rule.name for rule in HARD_RULES}) == len(HARD_RULES)


def test_every_rule_is_kept_by_the_engine_and_shown_by_a_test():
    for rule in HARD_RULES:
        assert (rule.adds is None) != (rule.kept_by is None), rule.name
        assert callable(getattr(model_rule_tests, rule.test, None)), f"{rule.name}: no test {rule.test}"


def test_every_constraint_the_model_adds_has_words_and_belongs_to_its_rule():
    # Last week's Sunday night, a day cap, nights (a floor on them too) and contract hours averaged over
    # two weeks: every constraint of the table shows up.
    previous = pd.DataFrame([{"agent_id": "a1", "name": "A1", "queue": "voice", "activity": "work",
                              "start": pd.Timestamp("2026-11-29 22:00"), "end": pd.Timestamp("2026-11-30 06:00")}])
    case = scenario([agent(min_hours=8, max_days=4)], demand(range(14), 0, 24), previous=previous, weeks=2,
                    min_days_off=2, max_nights_per_week=1, contract_hours="horizon")
    case = dataclasses.replace(case, night_floors={"a1": 1})
    data = RosterData.build(case)
    guarded: dict[str, set[str]] = {}
    for rule in HARD_RULES:
        if rule.adds is None:
            assert not rule.phrases, rule.name
            continue
        model = cp_model.CpModel()
        names: set[str] = set()
        works = new_works(model, data, case.agents[0], data.eligible["a1"])
        rule.adds(model, data, case.agents[0], AgentShifts.of(data, works),
                  lambda name, day=None: names.add(name) or [])
        guarded[rule.name] = names
        assert names == set(rule.phrases), rule.name
    assert set(PHRASES) == {name for names in guarded.values() for name in names}
    for name in PHRASES:
        assert rule_phrase(data, case.agents[0], name, 2)


def test_a_soft_rules_cost_is_its_weights_times_its_measures():
    weights = Weights(short_hour=3, short_contact=5, over_hour=7, night_spread=11, weekend_spread=13, preference=17,
                      change=19)
    measures = {"short_hours": 2.0, "lost_contacts": 4.0, "over_hours": 1.5, "night_spread": 3.0,
                "weekend_spread": 1.0, "preference_misses": 6.0, "changes": 2.0}
    costs = {rule.name: rule.cost(weights, measures) for rule in SOFT_RULES}
    assert costs == {"short": 3 * 2 + 5 * 4, "over": 7 * 1.5, "night_spread": 11 * 3, "weekend_spread": 13,
                     "preference": 17 * 6, "change": 19 * 2}
    assert [rule.unit_price(weights) for rule in SOFT_RULES] == [30, 70, 110, 130, 170, 190]
