"""Supply side of the workforce planner: scenarios, the CP-SAT roster model, checks and exports."""
