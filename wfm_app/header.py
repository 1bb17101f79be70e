"""The head of a page about the chosen center: its title, what it shows, and what the last click did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from wfm_app import context, state
from wfm_app.text import md


def center_header(title: str, about: str, done_key: str, done: Callable[[Any], str]) -> str:
    """Title, `**center**: about`, and `done(value)` as a success message when the last click left a value
    under `done_key` (it is shown once); returns the center."""
    center = context.center()
    st.title(title)
    st.caption(f"**{md(center)}**: {about}")
    value = state.pop(done_key)
    if value:
        st.success(done(value), icon=":material/check_circle:")
    return center
