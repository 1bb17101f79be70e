"""User text (names, queues, file names) placed in Markdown or Plotly labels: shown as typed, never as markup.

Streamlit renders Markdown in `st.markdown`, captions, alerts, toasts, tab and metric labels and help
tooltips: an agent named `[x](http://e.com)` would otherwise become a link, `![i](…)` an image, and a
bare `http://…` or `:red[…]` would be linked or coloured. Every ASCII punctuation character gets a
backslash (CommonMark's escape, shown as the character itself), and line breaks become spaces.
Streamlit also turns URLs and e-mail addresses in the text into links after the escapes are read, so
an invisible word joiner follows every `.`, `:` and `@`: `http://e.com` stays text.
Plotly renders a few HTML tags (`<a href>`, `<b>`) in titles, names and hover text: those get entities.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import string
from zoneinfo import ZoneInfo

import pandas as pd

_PUNCTUATION = re.compile(f"([{re.escape(string.punctuation)}])")
_LINE_BREAKS = re.compile(r"[\r\n]+")
_LINK_PARTS = re.compile(r"(\\[.:@])")
WORD_JOINER = "\u2060"


def md(value: object) -> str:
    """`value` as Markdown that shows its text literally."""
    escaped = _PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)))
    return _LINK_PARTS.sub(rf"\1{WORD_JOINER}", escaped)


def plot_text(value: object) -> str:
    """`value` for a Plotly title, trace name or hover text, which render `<a href=…>` and other tags."""
    return html.escape(str(value), quote=False)


def join_words(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def count(number: int, noun: str) -> str:
    """`1 rule violation`, `2 rule violations`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def local_moment(stored: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A moment the store keeps (naive UTC) as the viewer's wall clock, naive again for tables."""
    return stored.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)


def local_moments(stored: pd.Series, zone: dt.tzinfo) -> pd.Series:
    """A column of stored moments (naive UTC) as the viewer's wall clock."""
    return pd.to_datetime(stored).dt.tz_localize("UTC").dt.tz_convert(zone).dt.tz_localize(None)


def zone_name(zone: dt.tzinfo) -> str:
    return zone.key if isinstance(zone, ZoneInfo) else "UTC"
