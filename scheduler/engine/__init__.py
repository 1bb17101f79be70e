"""The roster engine: from a scenario to the week's roster, in the order it runs.

1. `data`: the scenario as numbers: shift types and what the rules ask of them, who may work
   what, the requirement per (queue, interval); `pricing`: the Erlang price of each missing agent.
2. `mix`: stage 1, the shift mix (counts per shift type and queue) and its linear relaxation, the
   lower bound on short staffing; its shifts are the agents' candidate shifts.
3. `columns`: stage 2, valid weeks per group of alike agents by column generation, and a dive
   to whole weeks: the first roster.
4. `whole_team`: for small centers, one exact CP-SAT model of every agent, hinted with that roster.
5. `breaks`: stage 3, every break placed inside its window to protect coverage.
6. `polish`: after the break pass, a few agents re-planned on one day at a time with the time left, the rest
   held, where that lowers the roster's cost (short staffing first) without widening a spread.
7. `result`: the score by rule and the roster table.

The models share `coverage` (coverage rows over counts per shift type, breaks per offset),
`hard_rules` (one agent's hard rules as CP-SAT constraints, tied to their checker and words by
`scheduler.rules`) and `soft_rules` (the other soft rules' terms, priced by `scheduler.costs`);
`run` holds the clock and the CP-SAT settings; `diagnose` says why no roster exists.
The front door is `scheduler.solve.solve_roster`.
"""
