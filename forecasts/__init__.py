"""Demand side of the workforce planner: history, forecasts, Erlang staffing, requirements."""
