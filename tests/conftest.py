"""Test-wide settings."""

from hypothesis import settings

# Property tests draw the same examples on every run, so CI is repeatable; run with
# `--hypothesis-seed=N` to explore other examples.
settings.register_profile("repeatable", derandomize=True)
settings.load_profile("repeatable")
