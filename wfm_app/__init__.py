"""Helpers of the Streamlit app (`app.py`, `pages/`): state keys, settings, store access, tables and figures.

Nothing here decides a roster or a forecast: that is `forecasts` and `scheduler`. These modules turn
widget values into the packages' inputs and the packages' outputs into things a page can show.
"""
