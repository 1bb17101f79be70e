"""What each soft rule costs, defined once: Σ weight × measure over the rule's measures.

The models price a rule with it (in integer units, `SoftRule.scaled`; short staffing in Erlang
tiers of the same weights, `engine.pricing`), and `scheduler.evaluate` scores any roster with it
from its own measures, so the two can be compared rule by rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from scheduler.scenario import Weights

COST_SCALE = 10  # objective coefficients are cost units × 10, rounded


@dataclass(frozen=True)
class SoftRule:
    """A soft rule: its cost is Σ weight × measure over its measures."""

    name: str  # key of RosterResult.costs
    label: str  # as summary.json names it
    unit: str  # of its first measure, the amount summary.json reports
    measures: tuple[str, ...]  # keys of RosterResult.terms (and of the evaluation's measures)
    weights: Callable[[Weights], tuple[float, ...]]  # one per measure

    def cost(self, weights: Weights, amounts: dict[str, float]) -> float:
        return sum(weight * amounts[measure] for weight, measure in zip(self.weights(weights), self.measures))

    def scaled(self, weights: Weights, amounts: dict[str, float]) -> int:
        """The cost in the models' integer units (COST_SCALE per cost unit)."""
        return round(self.cost(weights, amounts) * COST_SCALE)

    def unit_price(self, weights: Weights) -> int:
        """What the models charge, in integer units, for one unit of the rule's (first) measure."""
        return self.scaled(weights, {measure: float(i == 0) for i, measure in enumerate(self.measures)})


SOFT_RULES: tuple[SoftRule, ...] = (
    SoftRule("short", "short staffing", "agent-hours", ("short_hours", "lost_contacts"),
             lambda w: (w.short_hour, w.short_contact)),
    SoftRule("over", "over staffing", "agent-hours", ("over_hours",), lambda w: (w.over_hour,)),
    SoftRule("night_spread", "night spread", "nights", ("night_spread",), lambda w: (w.night_spread,)),
    SoftRule("weekend_spread", "weekend spread", "days", ("weekend_spread",), lambda w: (w.weekend_spread,)),
    SoftRule("preference", "preferences", "shifts", ("preference_misses",), lambda w: (w.preference,)),
    SoftRule("change", "changes from the baseline", "shifts", ("changes",), lambda w: (w.change,)),
)
SOFT = {rule.name: rule for rule in SOFT_RULES}
