"""The product around the two engines: the `wfm` command (`cli`), the bundled sample center as a
scenario folder (`demo`), Plotly figures (`plots`) and the store the app keeps its centers in
(`storage`). It may import `forecasts` and `scheduler`; they never import it."""
