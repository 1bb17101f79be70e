"""A horizon of several weeks planned week by week, chained (`plan_in_turn`).

Over 28 days a group's pricing model is four times the size of a week's and takes 0.4–1.2 s on a
busy core, so column generation over the whole horizon gets one or two rounds in its time. Planned
in turn, each week is a one-week solve (the engine's proven case) with the weeks before it as its
previous roster, so rest, runs of days and nights and the rest after nights cross each boundary as
they do after a published week, and the nights and weekends carried so far make each week give them
to whoever carried fewer (`engine.shares`). The horizon's own rules become rules of each week:

- a full weekend off (`min_full_weekends_off`) is given as time off on the weekend's days to every
  agent who still owes as many as there are weeks left, and the weekends the team may still work are
  shared out evenly over the weeks left within each contract's agents of the same skills and nights
  (`rotations`): each weekend, only those with the most weekends still free to work (fewest carried
  first) may work it, as many as that share, those with a short week (time off, or a night whose rest
  runs into it) first and all of them even beyond the share (giving more than the share left the last
  weekend too few: 17 of 68 agents, 4 % short). An agent who would owe every weekend left next
  week if it worked this one may work no night of the week's last two days after which its contract's
  minimum no longer fits in next week (`nights_without_room`): after a Sunday night the rest after nights
  leaves three shifts before a weekend off, too few for a full-time contract, enough for a part-time one;
- nights rotate: an agent who has worked `NIGHT_LEAD` nights more than the fewest of the night agents
  who could take its nights (the previous roster's counted) takes no shift in the night window that
  week (time off on it), the most loaded first and at most half of the night agents, so that the
  others still cover the nights;
- a week's solve plans blocks of at most `PLANNED_NIGHT_BLOCK` nights (`Scenario.night_block`), the nights'
  rests and caps being sized for them: with the rules' 4, the sample's first weeks took their nights in
  long blocks and left the week before the last none for its weekend's chat nights (0.98 % short on
  seed 11, 0.58 with blocks of 2). The horizon's polish plans with the rules' blocks;
- no night agent works more than its share of the nights so far (`night_caps`, a hard cap of the
  week's solve): the night agents' mean after the week, rounded up, one more before the last two weeks;
  resting alone let agents not yet rested take a block of nights too many in the last weeks (spread 3–4
  on the sample, 2 with the caps);
- agents skilled for several night queues take their nights on the queue whose nights fall on fewest
  agents, where the others' own agents can carry theirs (`night_queues`): free to take either, they
  spent the nights their caps allowed on the queue others could have taken;
- and the night agents more than a night behind the mean keep a weekend for the last week, whose
  solve lifts every night agent not resting to within NIGHT_SPREAD of the most any may end with
  (`night_floors`, hard);
- with `contract_hours: horizon`, each week's contract range is what the horizon's total still allows
  once the other weeks are given none or `max_week_hours`.

The bound on short staffing (`short_bound_units`) is the shift mix's, week by week: a week's mix
with no requirement on the first hours that the week before can reach is a relaxation of any
roster's shifts of that week over the week's other hours, so the weeks' bounds add up. (The bound a
week's own solve proves is not one of the horizon's: it takes the weeks before as fixed.) With
`contract_hours: horizon` a week's hours are not its contract's, and the mix spans the horizon.

A cyclic horizon (no previous roster) plans its first week after a stand-in for its last Saturday and
Sunday nights (`wrap_lead_in`: night agents of small contracts, as many as Monday's first hours ask);
their weekend turns wait for the last weekend, so that the last week, planned with the first as the
roster that follows it (`Scenario.next_roster`), finds them free for those nights and the wrap from the
last Sunday into the first Monday keeps every rule. (Planned as a week that repeats, the first week left its
Monday's first hours to its own Sunday-night agents, who then owed the last weekend off: nobody was free
for the last weekend's nights, 0.6 points of short staffing on the sample.) Where the horizon is too
short for them to work both its first and last weekends, the first week is planned as one that repeats.
After the weeks, the horizon is polished as a whole (`solve.planned_in_turn`): its steps see the weeks'
edges, which no week's solve could change.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from typing import Callable

import math

import pandas as pd

from scheduler.engine.blocks import has_blocks
from scheduler.engine.columns import PLANNED_NIGHT_BLOCK
from scheduler.engine.data import RosterData, agent_day_limit
from scheduler.engine.mix import build_mix_model, lp_relaxation
from scheduler.engine.run import Run, now
from scheduler.engine.shares import contract
from scheduler.engine.whole_team import WHOLE_MODEL_AGENTS
from scheduler.fairness import night_agents, nights, previous_shifts, weekends_worked
from scheduler.roster import ROSTER_COLUMNS, RosterShift, shifts_from_roster
from scheduler.availability import can_take, within_window
from scheduler.scenario import DAY_NAMES, MINUTES_PER_DAY, MINUTES_PER_WEEK, Agent, Scenario, TimeOff
from scheduler.shifts import ShiftType, enumerate_shift_types, is_night, weekend_touched

WEEKEND_OWED = "a full weekend off the horizon still owes"
NIGHTS_AHEAD = "more nights worked than the night agents' fewest"
NIGHT_LEAD = 3  # nights ahead of the least loaded night agent that rest a week from nights
NIGHT_CAP_ROOM = 1  # nights above the running fair share a week before the last two may bring an agent to
NIGHT_SPREAD = 2  # the most nights the last week leaves between the most and the least loaded night agent
NIGHT_CAP_MARGIN = 1.25  # the caps leave room for this many times the week's expected nights

SolveWeek = Callable[[Scenario, Run], "object"]  # `solve.solve_in`: a RosterResult


def plans_in_turn(data: RosterData) -> bool:
    """Whether the horizon is planned week by week: several weeks of a center too large for the whole-team
    model, without a baseline, absences or queue blocks (whose stages see the whole horizon)."""
    scenario = data.scenario
    return (data.weeks > 1 and len(data.agents) > WHOLE_MODEL_AGENTS and scenario.baseline is None
            and not scenario.absences and not has_blocks(data))


def plan_in_turn(scenario: Scenario, run: Run, seconds: float, solve_week: SolveWeek) -> pd.DataFrame | None:
    """The horizon's roster, its weeks planned in turn in `seconds` shared evenly among the weeks left
    (None when a week got none). A week that found no plan in time for some agent (a starved machine)
    is tried once more with twice its share, taken from the weeks after it; one still without a roster
    (the turns may leave an agent no valid week, which the diagnosis may not find in time) once more
    without its night floors, then without any turns."""
    weeks = scenario.config.weeks
    planned: list[pd.DataFrame] = []
    ends = run.elapsed() + seconds
    lead_in = wrap_lead_in(scenario)
    wrap = Counter() if lead_in is None else Counter(lead_in["agent_id"])
    kept_to = night_queues(scenario)
    for week in range(weeks):
        follows = shifted(planned[0], weeks) if scenario.cyclic and week == weeks - 1 else None
        after = replace(scenario, previous_roster=lead_in) if week == 0 and lead_in is not None else scenario

        def attempt(turns: bool, times: float = 1.0, floors: bool = True):
            share = (ends - run.elapsed()) / (weeks - week)
            seconds = max(1.0, min(times * share, ends - run.elapsed()), share)
            sub = week_scenario(after, week, planned, follows, turns, wrap, kept_to)
            sub = sub if floors else replace(sub, night_floors={})
            return solve_week(sub, Run(seconds, run.workers, run.seed, week_progress(run, week)))

        result = attempt(turns=True)
        if result.status == "UNKNOWN":
            result = attempt(turns=True, times=2.0)
        if result.status not in ("OPTIMAL", "FEASIBLE") and week == weeks - 1:  # an agent without room for its floor
            result = attempt(turns=True, floors=False)
        if result.status not in ("OPTIMAL", "FEASIBLE"):  # the turns may leave an agent too few days
            result = attempt(turns=False)
        if result.status not in ("OPTIMAL", "FEASIBLE"):
            return None
        planned.append(result.roster)
    return pd.concat(planned, ignore_index=True)


def short_bound_units(data: RosterData, deadline: float = math.inf) -> int:
    """A proven lower bound on the horizon's short staffing, in units (see the module); the weeks whose
    mix would begin after `deadline` (a `now()` instant) count none, which is still a bound."""
    scenario = data.scenario
    if scenario.config.rules.contract_hours == "horizon":
        return math.ceil(lp_relaxation(build_mix_model(data).model)[0] - 1e-6)
    hours = 0.0
    for week in range(data.weeks):
        if now() >= deadline:
            break
        config = scenario.config.model_copy(update={
            "week_start": scenario.config.week_start + dt.timedelta(weeks=week), "weeks": 1})
        # an empty previous roster: the week does not wrap, and nothing runs into it
        alone = RosterData.build(replace(scenario, config=config, previous_roster=pd.DataFrame(columns=ROSTER_COLUMNS)))
        reachable = {t - alone.week.count for facts in alone.shifts for t in facts.covered if t >= alone.week.count}
        alone.required = {key: 0 if key[1] in reachable else units for key, units in alone.required.items()}
        hours += math.ceil(lp_relaxation(build_mix_model(alone).model)[0] - 1e-6) * alone.unit_hours
    return math.floor(hours / data.unit_hours + 1e-6)


def week_progress(run: Run, week: int):
    """The run's progress, told which week an event is of (the week's own end is not the run's)."""
    if run.progress is None:
        return None

    def report(event: dict) -> None:
        if event["stage"] != "done":
            run.report({**event, "stage": f"week {week + 1}: {event['stage']}"})
    return report


def shifted(roster: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """The roster `weeks` weeks later."""
    later = dt.timedelta(weeks=weeks)
    return roster.assign(start=roster["start"] + later, end=roster["end"] + later)


def week_scenario(scenario: Scenario, week: int, planned: list[pd.DataFrame], follows: pd.DataFrame | None,
                  turns: bool = True, wrap: Counter | None = None,
                  kept_to: dict[str, frozenset[str]] | None = None) -> Scenario:
    """Week `week` of the horizon as a one-week scenario: the weeks planned before it join the previous
    roster, the horizon's rules become this week's (see the module; `wrap`: the agents of `wrap_lead_in`;
    `kept_to`: the horizon's `night_queues`); without `turns`, only the weekends owed are given, not the
    weekends' turns, the nights' rests nor the night queues."""
    config = scenario.config
    rules = config.rules.model_copy(update={"min_full_weekends_off": 0, "contract_hours": "week"})
    sub_config = config.model_copy(update={
        "week_start": config.week_start + dt.timedelta(weeks=week), "weeks": 1, "rules": rules})
    before = [frame for frame in [scenario.previous_roster, *planned] if frame is not None]
    shifts = shifts_from_roster(pd.concat(planned, ignore_index=True), scenario) if planned else []
    worked_so_far = [*previous_shifts(scenario), *shifts]
    carried = weekends_worked(worked_so_far, config.rules)
    nights_so_far = nights(worked_so_far, config.rules)
    last = week == config.weeks - 1
    # the wrap's agents will work the last weekend's nights (the first week counted their stand-in for them)
    wrap = wrap or Counter()
    wrap_agents = frozenset(wrap)
    owed_wrap = wrap if 0 < week and not last else Counter()
    paid = Counter()
    for shift in shifts:
        paid[shift.agent_id] += shift.paid_minutes(config) / 60
    spared = wrap | Counter(free_for_the_wrap(scenario, follows)) if last else Counter()
    caps = night_caps(scenario, week, nights_so_far + owed_wrap, sum(nights(shifts, config.rules).values()),
                      spared) if turns else {}
    time_off = weekends_owed(scenario, week, shifts, carried, short_weeks(scenario, week, worked_so_far), turns,
                             wrap_agents, nights_behind(scenario, nights_so_far) if turns else frozenset())
    time_off += nights_rested(scenario, week, nights_so_far, wrap_agents if last else frozenset()) if turns else ()
    resting = {leave.agent_id for leave in time_off} | on_leave(scenario, week)
    return replace(
        scenario,
        config=sub_config,
        agents=tuple(week_contract(scenario, agent, week, paid[agent.agent_id]) for agent in scenario.agents),
        time_off=scenario.time_off + time_off,
        previous_roster=pd.concat(before, ignore_index=True) if before else None,
        next_roster=follows,
        night_caps=caps,
        night_floors=night_floors(nights_so_far, caps, spared, resting) if last else {},
        night_block=PLANNED_NIGHT_BLOCK,
        night_queues=(kept_to or {}) if turns else {},
    )


def weekends_owed(scenario: Scenario, week: int, shifts: list[RosterShift], carried: Counter,
                  short_week: set[str], turns: bool = True, wrap: frozenset[str] = frozenset(),
                  behind: frozenset[str] = frozenset()) -> tuple[TimeOff, ...]:
    """Time off on the week's weekend days for every agent who, after the weeks planned, still owes as
    many full weekends off as there are weeks left (this one included) or whose turn it is not
    (`weekend_turn`), and for every agent who would owe that many next week if it worked this weekend:
    on the nights of the week's last two days its contract has no room after (`nights_without_room`), or,
    with time off next week (and a full week this one), on the whole weekend. The `wrap` agents take
    their turns last, but in the last week first; the night agents `behind` (`nights_behind`) keep a
    weekend for the last week too, whose nights lift them (`night_floors`: an agent with its weekend off
    and a full-time contract has no room for a night and its rest)."""
    config = scenario.config
    worked = weekends_worked(shifts, config.rules)
    monday = scenario.week_start + dt.timedelta(weeks=week)
    weekend = [(monday + dt.timedelta(days=DAY_NAMES.index(name)), dt.timedelta(days=1))
               for name in config.rules.weekend_days]
    left = config.weeks - week
    owed = {agent.agent_id: config.full_weekends_off - (week - worked[agent.agent_id]) for agent in scenario.agents}
    able = set(weekend_agents(scenario))
    may_work = {agent_id for agent_id in able if owed[agent_id] < left}
    if turns:
        may_work = set()
        first, later = (short_week | wrap, frozenset()) if left == 1 else (short_week, wrap | behind)
        for team in rotations(scenario, able):
            may_work.update(weekend_turn({agent_id: owed[agent_id] for agent_id in team}, left, carried, first, later))
    leave_next = on_leave(scenario, week + 1)
    agents = {agent.agent_id: agent for agent in scenario.agents}
    saturday = week * MINUTES_PER_WEEK + 5 * MINUTES_PER_DAY  # from this weekend's nights to next Friday's shifts
    types = [shift for shift in enumerate_shift_types(config) if saturday <= shift.start < saturday + MINUTES_PER_WEEK]
    off = []
    for agent_id, owes in owed.items():
        at_risk = owes > 0 and owes >= left - 1
        # with leave next week the whole weekend, unless this week is short already: then its weekend
        # days are what the contract needs (a Sunday night's rest, leave next Monday, a weekend off:
        # three days left for 32 h, the 300-agent horizon's week 2)
        if agent_id not in may_work or (at_risk and agent_id in leave_next and agent_id not in short_week):
            off += [TimeOff(agent_id=agent_id, start=start, end=start + length, reason=WEEKEND_OWED)
                    for start, length in weekend]
        elif at_risk:
            barred = nights_without_room(scenario, agents[agent_id], week, types)
            off += [TimeOff(agent_id=agent_id, start=start, end=start + length, reason=WEEKEND_OWED)
                    for start, length in night_windows(scenario, week, barred)]
    return tuple(off)


def nights_without_room(scenario: Scenario, agent: Agent, week: int, types: list[ShiftType]) -> list[int]:
    """The days of the week's last two (5, 6) after whose night (the latest of the shift `types` the agent
    may work that night) and the rest after it the agent no longer has days enough next week, before a
    full weekend off, for its contract's minimum hours (the longest shift it may work on each such day,
    as many days as it may work). After a Sunday night three days are left, too few for the sample's
    full-time 36 h but enough for its part-timers'; after a Saturday night four. (Barring both nights to
    every agent owing the next weekend left the sample's third weekend's nights to the few who owed
    none: that week planned at 1.56 % short, its Sunday night 41 units short.)"""
    rules = scenario.config.rules
    mine = [shift for shift in types if can_take(agent, shift)]
    monday = (week + 1) * MINUTES_PER_WEEK
    saturday = monday + 5 * MINUTES_PER_DAY

    def has_room(day: int) -> bool:
        nights_then = [shift.end for shift in mine
                       if shift.day == 7 * week + day and is_night(shift.start, shift.end, rules)]
        if not nights_then:
            return True
        free_from = max(max(nights_then) + round(rules.rest_after_nights_hours * 60), monday)
        longest: dict[int, int] = {}
        for shift in mine:
            if free_from <= shift.start and shift.end <= saturday:
                longest[shift.day] = max(longest.get(shift.day, 0), scenario.config.paid_minutes(shift.length))
        return sum(sorted(longest.values(), reverse=True)[:agent_day_limit(agent, rules)]) >= agent.min_hours * 60

    return [day for day in (5, 6) if not has_room(day)]


def short_weeks(scenario: Scenario, week: int, shifts: list[RosterShift]) -> set[str]:
    """The agents with fewer days to work this week than others: time off in it, or a last shift that
    runs into it or is a night whose rest does."""
    return running_into(shifts, week * MINUTES_PER_WEEK, scenario.config.rules) | on_leave(scenario, week)


def running_into(shifts: list[RosterShift], start: int, rules) -> set[str]:
    """The agents whose last shift before `start` runs past it or is a night whose rest does."""
    rest = rules.rest_after_nights_hours * 60
    last: dict[str, RosterShift] = {}
    for shift in shifts:
        if shift.start < start and (shift.agent_id not in last or shift.end > last[shift.agent_id].end):
            last[shift.agent_id] = shift
    return {agent_id for agent_id, shift in last.items()
            if shift.end > start or (is_night(shift.start, shift.end, rules) and shift.end + rest > start)}


def wrap_lead_in(scenario: Scenario) -> pd.DataFrame | None:
    """A cyclic horizon's stand-in for its last Saturday and Sunday nights, to plan its first week after:
    per queue, as many night agents skilled for it as Monday's first hours ask of it (the queues with the
    fewest such agents first, the smallest contracts first: a rest on Monday and Tuesday costs them the
    fewest hours), each on the Sunday night shift of that queue that covers the most of those hours and
    on the Saturday night before it (`saturday_before`). The first week
    keeps their rest and runs; their weekend turns wait for the last weekend (`weekend_turn`), whose
    week, planned before the first, has them free to work that night. (Counted over all queues, the
    sample's stand-ins were voice agents but one, and its last Sunday night went one chat agent short.)
    None when the horizon is not cyclic, has no night shift, or is too short for them to work its
    first and last weekends besides its full weekends off (the first week is then planned as a week
    that repeats)."""
    config = scenario.config
    if not scenario.cyclic or config.full_weekends_off > config.weeks - 2 or scenario.requirements is None:
        return None
    monday = pd.Timestamp(scenario.week_start)
    nights = [shift for shift in enumerate_shift_types(config)
              if shift.day in (5, 6) and is_night(shift.start, shift.end, config.rules)]
    if not any(shift.day == 6 for shift in nights):
        return None
    early = config.rules.night_end.hour * 60 + config.rules.night_end.minute  # Monday's night hours
    asked = scenario.requirements[(scenario.requirements["interval_start"] >= monday)
                                  & (scenario.requirements["interval_start"] < monday + pd.Timedelta(minutes=early))]
    needed = {queue: math.ceil(rows["required"].max()) for queue, rows in asked.groupby("queue")}
    away = on_leave(scenario, 0) | on_leave(scenario, config.weeks - 1)
    agents = sorted((agent for agent in night_agents(scenario) if agent.agent_id not in away),
                    key=lambda agent: (agent.max_hours, agent.agent_id))
    rows = []
    for queue in sorted(needed, key=lambda queue: (sum(queue in agent.skills for agent in agents), queue)):
        for agent in [agent for agent in agents if queue in agent.skills][:needed[queue]]:
            if (sunday := sunday_night(agent, queue, nights, early)) is not None:
                worked = [saturday_before(agent, queue, sunday, nights), sunday]
                rows += [week_before(agent, queue, shift, monday) for shift in worked if shift is not None]
                agents.remove(agent)
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS) if rows else None


def sunday_night(agent: Agent, queue: str, nights: list[ShiftType], early: int) -> ShiftType | None:
    """Of the first weekend's `nights`, the Sunday night shift of `queue` the agent may work that covers
    the most of Monday's first `early` minutes (None when its window holds none)."""
    fits = [shift for shift in nights if shift.day == 6 and queue in shift.queues
            and within_window(agent, shift.start, shift.end)]
    if not fits:
        return None
    return max(fits, key=lambda shift: (min(shift.end - MINUTES_PER_WEEK, early), -shift.end, -shift.length))


def saturday_before(agent: Agent, queue: str, sunday: ShiftType, nights: list[ShiftType]) -> ShiftType | None:
    """The Saturday night shift a day before `sunday`, of the same length, where the agent may work it on
    `queue`: two nights in a block rest as long as one, so the first week loses nothing by it, and the
    last week finds its Saturday night's agents free too (with the Sunday night alone, the sample's first
    Monday took every other chat night agent, and its last Saturday night's chat went empty)."""
    return next((shift for shift in nights
                 if (shift.start, shift.length) == (sunday.start - MINUTES_PER_DAY, sunday.length)
                 and queue in shift.queues and within_window(agent, shift.start, shift.end)), None)


def week_before(agent: Agent, queue: str, shift: ShiftType, monday: pd.Timestamp) -> dict:
    """The roster row of the agent on `shift` (of the horizon's first week) a week earlier, before `monday`."""
    start = monday + pd.Timedelta(minutes=shift.start - MINUTES_PER_WEEK)
    return {"agent_id": agent.agent_id, "name": agent.name, "queue": queue, "activity": "work",
            "start": start, "end": start + pd.Timedelta(minutes=shift.length)}


def on_leave(scenario: Scenario, week: int) -> set[str]:
    """The agents with time off in the week."""
    start = week * MINUTES_PER_WEEK
    return {leave.agent_id for leave in scenario.time_off
            if scenario.minutes(leave.start) < start + MINUTES_PER_WEEK and scenario.minutes(leave.end) > start}


def nights_rested(scenario: Scenario, week: int, worked: Counter, spared: frozenset[str] = frozenset()) -> tuple[TimeOff, ...]:
    """Time off on every night window of the week for the night agents `NIGHT_LEAD` or more nights ahead
    of the least loaded who could take their nights (`night_relief`), the most loaded first, at most half
    of them (`spared` never)."""
    agents = night_agents(scenario)
    if not agents:
        return ()
    relief = night_relief(scenario, agents, worked)
    ahead = sorted((agent.agent_id for agent in agents
                    if worked[agent.agent_id] >= relief[agent.agent_id] + NIGHT_LEAD and agent.agent_id not in spared),
                   key=lambda agent_id: (-worked[agent_id], agent_id))[:len(agents) // 2]
    return tuple(TimeOff(agent_id=agent_id, start=start, end=start + length, reason=NIGHTS_AHEAD)
                 for agent_id in ahead for start, length in night_windows(scenario, week, range(-1, 7)))


def night_caps(scenario: Scenario, week: int, worked: Counter, planned: int,
               spared: Counter | None = None) -> dict[str, int]:
    """Per night agent, the most nights it may work this week, less its own so far: the night agents'
    mean after it (their nights so far, carried ones counted, and this week's as many as the weeks
    planned averaged) rounded up, NIGHT_CAP_ROOM more before the last two weeks (the weeks after even it
    out; in the week before the last, the room let the sample's chat night agents reach the most before
    its last weekend, whose chat nights then went short), but no more than the mean expected at the
    horizon's end rounded up (nights worked are never given back); at least as
    many as `spared` gives (agent → the nights of the last weekend it may work: the wrap's stand-ins theirs,
    one for the agents the first week leaves free for the last Sunday night, which its Monday needs). The first
    week, with no week planned to expect its nights from, expects those its requirements ask."""
    agents = night_agents(scenario)
    if not agents:
        return {}
    expected = planned / week if week else nights_asked(scenario, week)
    so_far = sum(worked[agent.agent_id] for agent in agents)
    after, at_end = ((so_far + expected * weeks) / len(agents) for weeks in (1, scenario.config.weeks - week))
    room = NIGHT_CAP_ROOM if week < scenario.config.weeks - 2 else 0
    share = min(math.ceil(after - 1e-9) + room, math.ceil(at_end - 1e-9))
    while sum(max(0, share - worked[agent.agent_id]) for agent in agents) < NIGHT_CAP_MARGIN * expected:
        share += 1
    spared = spared or Counter()
    return {agent.agent_id: max(spared[agent.agent_id], share - worked[agent.agent_id]) for agent in agents}


def night_floors(worked: Counter, caps: dict[str, int], spared: Counter, resting: set[str]) -> dict[str, int]:
    """Per night agent not `resting` (time off in the week, its weekend's included), the fewest nights it
    must work in the week: as many as bring it within NIGHT_SPREAD of the most a night agent may end
    with (its nights so far and its cap, the `spared` not counted: their nights are the wrap's). Its
    band in the week's fair shares left the sample's agent furthest behind at 1 night of 4, even priced
    ten times over."""
    top = max((worked[agent_id] + cap for agent_id, cap in caps.items() if agent_id not in spared), default=0)
    floors = {agent_id: min(cap, top - NIGHT_SPREAD - worked[agent_id])
              for agent_id, cap in caps.items() if agent_id not in resting}
    return {agent_id: floor for agent_id, floor in floors.items() if floor > 0}


def nights_behind(scenario: Scenario, worked: Counter) -> frozenset[str]:
    """The night agents more than a night behind the night agents' mean so far."""
    agents = night_agents(scenario)
    mean = sum(worked[agent.agent_id] for agent in agents) / len(agents) if agents else 0.0
    return frozenset(agent.agent_id for agent in agents if worked[agent.agent_id] < mean - 1)


def night_queues(scenario: Scenario) -> dict[str, frozenset[str]]:
    """Per night agent skilled for several night queues, the queues it takes nights on in the weeks
    planned in turn, where that differs from its skills: a queue leaves those agents to the queues whose
    nights fall on fewest agents (the horizon's nights asked per night agent skilled for it) when its own
    agents alone then carry no more per head than that. (Free to take either, the sample's chat and voice
    agents spent a fifth of their nights on voice, which the caps then held from the chat nights of the
    last weekend: seed 15's 4 weeks 0.89 % short, 0.49 % kept to chat.)"""
    if scenario.requirements is None:
        return {}
    agents = night_agents(scenario)
    queues = night_shift_queues(scenario)
    asked = {queue: sum(nights_asked(scenario, week, queue) for week in range(scenario.config.weeks))
             for queue in queues}
    skilled = {queue: [agent for agent in agents if queue in agent.skills] for queue in queues}
    load = {queue: asked[queue] / len(skilled[queue]) for queue in queues if skilled[queue]}
    most = max(load.values(), default=0.0)
    mine = {agent.agent_id: [queue for queue in agent.skills if queue in load] for agent in agents}
    left: dict[str, set[str]] = {}
    for queue, per_head in load.items():
        leaving = [agent.agent_id for agent in skilled[queue] if per_head < max(load[q] for q in mine[agent.agent_id])]
        staying = len(skilled[queue]) - len(leaving)
        if leaving and staying and asked[queue] / staying <= most:
            for agent_id in leaving:
                left.setdefault(agent_id, set()).add(queue)
    return {agent_id: frozenset(mine[agent_id]) - queues_left for agent_id, queues_left in left.items()}


def night_shift_queues(scenario: Scenario) -> set[str]:
    """The queues of the templates' night shifts."""
    config = scenario.config
    return {queue for shift in enumerate_shift_types(config) if is_night(shift.start, shift.end, config.rules)
            for queue in shift.queues}


def nights_asked(scenario: Scenario, week: int, queue: str | None = None) -> float:
    """The nights the week's requirements ask (of `queue`, or of all): the agent-hours they ask in its
    night windows over a window's length (fewer than the roster works: night shifts also cover the
    evening and morning)."""
    table = scenario.requirements
    table = table if queue is None else table[table["queue"] == queue]
    asked = 0.0
    for start, length in night_windows(scenario, week, range(7)):
        inside = (table["interval_start"] >= start) & (table["interval_start"] < start + length)
        asked += table.loc[inside, "required"].sum() * scenario.config.interval_minutes / (length.total_seconds() / 60)
    return float(asked)


def free_for_the_wrap(scenario: Scenario, follows: pd.DataFrame | None) -> frozenset[str]:
    """The agents whose shifts in the roster that follows (a cyclic horizon's first week, after its last)
    leave them free for the last Sunday night and the rest after it (none without one): on the sample,
    such agents worked that night, the first week's Monday's first hours, besides the wrap's own."""
    if follows is None:
        return frozenset()
    rules = scenario.config.rules
    rested = scenario.config.weeks * MINUTES_PER_WEEK + (rules.night_end.hour + rules.rest_after_nights_hours) * 60
    busy = {shift.agent_id for shift in shifts_from_roster(follows, scenario, "next roster") if shift.start < rested}
    return frozenset(agent.agent_id for agent in scenario.agents) - busy


def night_relief(scenario: Scenario, agents: list[Agent], worked: Counter) -> dict[str, int]:
    """Per night agent, the fewest nights worked by the agents who could take its nights on every queue
    it may work them on: the most, over those queues, of the fewest of the agents skilled for each.
    (Against the fewest of all, chat agents rested for voice-only ones far behind, who could not take
    a chat night: the last week's chat nights went short.)"""
    fewest = {queue: min((worked[agent.agent_id] for agent in agents if queue in agent.skills), default=0)
              for queue in night_shift_queues(scenario)}
    return {agent.agent_id: max((fewest[queue] for queue in agent.skills if queue in fewest), default=0)
            for agent in agents}


def night_windows(scenario: Scenario, week: int, days) -> list[tuple[dt.datetime, dt.timedelta]]:
    """(start, length) of the night windows (`night_start`–`night_end`) opening on these days of the week
    (−1: the Sunday before, whose night runs into Monday)."""
    rules = scenario.config.rules
    monday = scenario.week_start + dt.timedelta(weeks=week)
    opens = dt.timedelta(hours=rules.night_start.hour, minutes=rules.night_start.minute)
    closes = dt.timedelta(hours=rules.night_end.hour, minutes=rules.night_end.minute)
    length = closes - opens + (dt.timedelta(days=1) if closes <= opens else dt.timedelta())
    return [(monday + dt.timedelta(days=day) + opens, length) for day in days]


def weekend_agents(scenario: Scenario) -> list[str]:
    """The agents whose skills and daily window let them work a shift of a weekend (the others would only
    take a turn from those who can)."""
    rules = scenario.config.rules
    weekend = [shift for shift in enumerate_shift_types(scenario.config)
               if weekend_touched(shift.start, shift.end, rules) == 0]
    return [agent.agent_id for agent in scenario.agents if any(can_take(agent, shift) for shift in weekend)]


def rotations(scenario: Scenario, among: set[str]) -> list[list[str]]:
    """The agents (of `among`) by contract, skills and nights: weekends rotate within a contract, as
    fairness measures them, and within its agents of the same skills and nights, so that each weekend
    gets its share of every queue's night agents (rotated by contract alone, the sample's last weekend
    was left 5 of its 19 chat night agents, and its chat nights empty)."""
    nightly = {agent.agent_id for agent in night_agents(scenario)}
    teams: dict[tuple, list[str]] = {}
    for agent in scenario.agents:
        if agent.agent_id in among:
            key = (contract(agent), frozenset(agent.skills), agent.agent_id in nightly)
            teams.setdefault(key, []).append(agent.agent_id)
    return list(teams.values())


def weekend_turn(owed: dict[str, int], left: int, carried: Counter, first: set[str],
                 last: frozenset[str] = frozenset()) -> list[str]:
    """The agents who may work this weekend (of `owed`, those who can): of those owing fewer full weekends
    off than there are weeks left, this weekend's share of the weekends they may still work, the agents
    with the most of them (and the fewest weekends carried) first, those in `last` after the others; but
    the agents in `first` (a short week, `short_weeks`) before them, all of them even beyond the share:
    time off, or the rest after a Sunday night, with a weekend off would leave too few days for a
    full-time contract. Only the share works the weekend otherwise: giving more a turn now leaves the
    horizon's last weekend too few. The agents in `last` keep one weekend they may work for the last
    (in a small team, taking turns after the others did not: two turns in its first two weekends left
    the sample's chat stand-in for the last Sunday night owing the last weekend off), but count in the
    share (not counted, the weekend before the last was left 4 agents fewer than the others)."""
    free = {agent_id: left - owes for agent_id, owes in owed.items() if owes < left}
    share = round(sum(free.values()) / left)
    ranked = sorted((agent_id for agent_id in free if agent_id not in last or free[agent_id] > 1),
                    key=lambda agent_id: (agent_id not in first, agent_id in last, -free[agent_id],
                                          carried[agent_id], agent_id))
    return ranked[:max(share, len(first & set(ranked)))]


def week_contract(scenario: Scenario, agent: Agent, week: int, paid: float) -> Agent:
    """The agent with this week's contract range: its own with `contract_hours: week`; with `horizon`, what
    the horizon's total still allows after the `paid` hours of the weeks planned, the weeks after this
    one given none or `max_week_hours`."""
    config = scenario.config
    if config.rules.contract_hours != "horizon":
        return agent
    cap, later = config.rules.max_week_hours, config.weeks - week - 1
    low = max(0.0, agent.min_hours * config.weeks - paid - later * cap)
    high = min(cap, agent.max_hours * config.weeks - paid)
    return agent.model_copy(update={"min_hours": low, "max_hours": max(low, high)})
