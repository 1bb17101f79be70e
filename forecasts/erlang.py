"""Erlang B, C and A staffing formulas for contact-center queues, vectorized with numpy.

Units: traffic in Erlangs (contacts × AHT / interval length), times in seconds, probabilities,
service levels and occupancies as fractions of 1, agents as head counts. Every function
broadcasts its arguments like a numpy ufunc: scalars in give numpy scalars out, arrays in
give arrays out. Agent counts need not be integers: a fractional count follows the usual
continuous extension of the formulas through the incomplete gamma function.

Conventions
-----------
* Erlang C (M/M/n, contacts never give up): with agents ≤ traffic the queue is unstable and
  grows without bound, so P(wait) = 1, service level = 0, ASA = inf, occupancy = 1.
* Zero traffic: nothing arrives, so nothing waits, is blocked or abandons: P(wait) =
  P(blocked) = 0, service level = 1, ASA = 0, occupancy = 0, for any number of agents
  including 0. More generally occupancy reads 0/0 as 0.
* Erlang A (M/M/n+M, contacts abandon after an exponential patience) is stable for every
  n ≥ 0, including n ≤ traffic.

Numerics
--------
No factorials or powers are formed. Everything rests on two ratios, kept in log space:

    R(n, A) = P(Poisson(A) < n) / P(Poisson(A) = n) = Σ_{k<n} n!/k! · A^(k−n)
    M(s, y) = Σ_{k≥0} y^k / ((s+1)(s+2)…(s+k))     (Kummer's 1F1(1; s+1; y))

Erlang B is 1 / (1 + R) and Erlang C is 1 / (1 + (1 − A/n)·R); Erlang A adds M, the
relative weight of the queue states. Both come from scipy's regularized incomplete gamma
functions, with a continued fraction or a power series in the far tails where those
underflow. Probabilities agree with a high-precision mpmath reference to 1e-9 absolute
(see tests/test_erlang.py) for traffic up to 5,000 Erlangs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit, gammainc, gammaincc, gammaln, xlogy

__all__ = [
    "traffic",
    "erlang_b",
    "erlang_c",
    "service_level",
    "asa",
    "occupancy",
    "required_agents",
    "erlang_a_wait_probability",
    "erlang_a_abandon_rate",
    "erlang_a_service_level",
    "erlang_a_average_wait",
    "erlang_a_occupancy",
    "erlang_a_required_agents",
]

# Incomplete-gamma values below this are too close to underflow to divide by safely; the tail
# expansions take over (they converge fast exactly there, far from the distribution's centre).
_TAIL_FLOOR = 1e-250
_EPS = np.finfo(float).eps
# n / (1 − shrinkage) that is an integer in exact arithmetic can land a few ulps above it
# (14 / 0.7 = 20.000000000000004); treat anything this close as the integer.
_GROSS_UP_RTOL = 1e-9
# No queue needs more agents than this; a search that goes past it has met a numerical fault.
_MAX_AGENTS = 2**31


# --------------------------------------------------------------------------- inputs and outputs


def _checked(name, value, low=0.0, high=np.inf, *, low_open=False, high_closed=False):
    """`value` as a float array, or ValueError unless every element lies in the interval."""
    x = np.asarray(value, dtype=float)
    ok = (x > low if low_open else x >= low) & (x <= high if high_closed else x < high)
    if not np.all(ok):  # NaN fails every comparison, so it lands here too
        interval = f"{'(' if low_open else '['}{low}, {high}{']' if high_closed else ')'}"
        raise ValueError(f"{name} must be in {interval}; got {x[~ok].flat[0]!r}")
    return x


def _traffic(value):
    return _checked("traffic", value)


def _agents(value):
    return _checked("agents", value)


def _aht(value):
    return _checked("aht_seconds", value, low_open=True)


def _answer(value):
    return _checked("answer_seconds", value)


def _patience(value):
    return _checked("patience_seconds", value, low_open=True)


def _staffing_limits(target, max_occupancy, shrinkage):
    return (
        _checked("target", target, 0.0, 1.0, low_open=True),
        _checked("max_occupancy", max_occupancy, 0.0, 1.0, low_open=True, high_closed=True),
        _checked("shrinkage", shrinkage, 0.0, 1.0),
    )


def _out(x):
    """0-d arrays become numpy scalars; other arrays pass through."""
    return np.asarray(x)[()]


def _masked(mask, base, func, *arrays):
    """`base` with func(*arrays[mask]) written where mask holds.

    Keeps the edge cases (zero traffic, unstable queues) away from the numerics, which would
    otherwise divide by zero there only for the result to be thrown away.
    """
    out = np.array(np.broadcast_to(base, mask.shape), dtype=float)
    out[mask] = func(*(x[mask] for x in arrays))
    return out


# --------------------------------------------------------------------------- the two ratios


def _log_poisson_pmf(n, a):
    """log P(Poisson(a) = n), continuous in n."""
    return xlogy(n, a) - a - gammaln(n + 1)


def _log_poisson_ratio(n, a):
    """log R(n, a), R = P(Poisson(a) < n) / P(Poisson(a) = n); −inf at n = 0, +inf at a = 0 < n."""
    below = gammaincc(n, a)  # P(Poisson(a) ≤ n − 1) for integer n
    with np.errstate(divide="ignore"):
        log_r = np.log(below) - _log_poisson_pmf(n, a)
    far_tail = (below < _TAIL_FLOOR) & (n > 0)
    log_r[far_tail] = np.log(n[far_tail] * _upper_gamma_fraction(n[far_tail], a[far_tail]))
    return log_r


def _upper_gamma_fraction(s, z):
    """Γ(s, z) · e^z · z^(−s) by Legendre's continued fraction (modified Lentz).

    Used only where Γ(s, z) underflows, i.e. z far above s, where the fraction converges in a
    few dozen terms. R(n, a) is n times this.
    """
    tiny = 1e-300
    b = z + 1.0 - s
    d = 1.0 / b
    c = np.full_like(b, 1.0 / tiny)
    h = d
    i = 0
    while True:
        i += 1
        an = -i * (i - s)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        step = d * c
        h = h * step
        if np.all(np.abs(step - 1.0) < _EPS):
            return h


def _log_kummer(s, y):
    """log M(s, y) = log Σ_{k≥0} y^k / ((s+1)…(s+k)) for s > 0, y ≥ 0.

    M is P(Gamma(s) < y) divided by the Poisson-like density y^s e^(−y) / Γ(s+1).
    """
    below = gammainc(s, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_m = np.log(below) - (xlogy(s, y) - y - gammaln(s + 1))
    far_tail = below < _TAIL_FLOOR
    log_m[far_tail] = np.log(_kummer_series(s[far_tail], y[far_tail]))
    return log_m


def _kummer_series(s, y):
    """M(s, y) summed term by term; used only for y far below s, where terms shrink geometrically."""
    term = np.ones_like(y)
    total = np.ones_like(y)
    k = 0
    while np.any(term > _EPS * total):
        k += 1
        term = term * y / (s + k)
        total = total + term
    return total


def _log_kummer_excess(s, y):
    """log(M(s, y) − 1), computed without the cancellation of subtracting 1.

    M(s, y) − 1 = y / (s + 1) · M(s + 1, y).
    """
    with np.errstate(divide="ignore"):
        return np.log(y) - np.log1p(s) + _log_kummer(s + 1.0, y)


# --------------------------------------------------------------------------- Erlang B and C


def traffic(contacts, aht_seconds, interval_seconds):
    """Offered load in Erlangs: contacts × AHT (s) / interval length (s)."""
    contacts = _checked("contacts", contacts)
    return _out(contacts * _aht(aht_seconds) / _checked("interval_seconds", interval_seconds, low_open=True))


def erlang_b(traffic, agents):
    """Probability that a contact is blocked when `agents` serve `traffic` Erlangs with no queue."""
    a, n = np.broadcast_arrays(_traffic(traffic), _agents(agents))
    return _out(_masked(a > 0, 0.0, _erlang_b_offered, a, n))


def _erlang_b_offered(a, n):
    return expit(-_log_poisson_ratio(n, a))


def erlang_c(traffic, agents):
    """Probability that a contact waits (M/M/n): 1 when agents ≤ traffic > 0, 0 when traffic = 0."""
    a, n = np.broadcast_arrays(_traffic(traffic), _agents(agents))
    return _out(_masked(n > a, _unstable(a, 1.0, 0.0), _erlang_c_stable, a, n))


def _unstable(a, offered, idle):
    """What a measure reads where the queue cannot be stable: `offered` if traffic > 0, else `idle`."""
    return np.where(a > 0, offered, idle)


def _erlang_c_stable(a, n):
    with np.errstate(over="ignore"):  # R overflows only where C is below 1e-300 anyway
        return _erlang_c_from_ratio(a, n, np.exp(_log_poisson_ratio(n, a)))


def _erlang_c_from_ratio(a, n, r):
    """Erlang C from R(n, a): n·B / (n − a(1 − B)) with B = 1 / (1 + R), rearranged to avoid cancellation."""
    return 1.0 / (1.0 + (1.0 - a / n) * r)


def service_level(traffic, agents, aht_seconds, answer_seconds):
    """Share of contacts answered within `answer_seconds`: 1 − C·exp(−(n − A)·t / AHT).

    0 when agents ≤ traffic > 0; 1 when traffic = 0.
    """
    a, n, aht, t = np.broadcast_arrays(_traffic(traffic), _agents(agents), _aht(aht_seconds), _answer(answer_seconds))
    return _out(_masked(n > a, _unstable(a, 0.0, 1.0), _service_level_stable, a, n, aht, t))


def _service_level_stable(a, n, aht, t):
    return _service_level_from_c(a, n, _erlang_c_stable(a, n), aht, t)


def _service_level_from_c(a, n, c, aht, t):
    # The wait of a delayed contact is exponential with rate (n − A) / AHT.
    return 1.0 - c * np.exp(-(n - a) * t / aht)


def asa(traffic, agents, aht_seconds):
    """Average speed of answer in seconds: C·AHT / (n − A). inf when agents ≤ traffic > 0; 0 when traffic = 0."""
    a, n, aht = np.broadcast_arrays(_traffic(traffic), _agents(agents), _aht(aht_seconds))
    return _out(_masked(n > a, _unstable(a, np.inf, 0.0), _asa_stable, a, n, aht))


def _asa_stable(a, n, aht):
    return _asa_from_c(a, n, _erlang_c_stable(a, n), aht)


def _asa_from_c(a, n, c, aht):
    return c * aht / (n - a)


def occupancy(traffic, agents):
    """Share of agent time spent handling contacts: A / n, capped at 1 (0/0 reads 0)."""
    a, n = np.broadcast_arrays(_traffic(traffic), _agents(agents))
    return _out(np.minimum(_ratio_or_zero(a, n), 1.0))


def _ratio_or_zero(load, n):
    """load / n, with 0/0 read as 0 and load/0 as inf."""
    return np.divide(load, n, out=np.where(load > 0, np.inf, 0.0), where=n > 0)


def required_agents(
    traffic,
    aht_seconds,
    target,
    answer_seconds,
    max_occupancy=1.0,
    shrinkage=0.0,
    max_asa=None,
):
    """Agents to roster so that `target` of contacts are answered within `answer_seconds` (Erlang C).

    The net count is the smallest integer n > traffic with service level ≥ target,
    occupancy A/n ≤ max_occupancy and, when given, ASA ≤ max_asa (seconds). It is then grossed
    up for shrinkage (share of paid time away from the phones, in [0, 1)) as
    ceil(n / (1 − shrinkage)), where a quotient within 1e-9 (relative) of an integer counts as
    that integer. Zero traffic needs 0 agents. `target` is in (0, 1), `max_occupancy` in (0, 1].
    Returns int64 (array or scalar).
    """
    a = _traffic(traffic)
    aht = _aht(aht_seconds)
    target, max_occ, shrink = _staffing_limits(target, max_occupancy, shrinkage)
    t = _answer(answer_seconds)
    asa_cap = np.inf if max_asa is None else _checked("max_asa", max_asa, low_open=True, high_closed=True)
    a, aht, target, t, max_occ, shrink, asa_cap = np.broadcast_arrays(a, aht, target, t, max_occ, shrink, asa_cap)
    net = _erlang_c_net_agents(*(x.ravel() for x in (a, aht, target, t, max_occ, asa_cap)))
    return _out(_gross_up(net, shrink.ravel()).reshape(a.shape))


def _erlang_c_net_agents(a, aht, target, t, max_occ, asa_cap):
    """Smallest stable agent count meeting every target, per element of the flat inputs.

    Every target only gets easier as n grows, so we step n up from floor(A) + 1 for all
    elements at once until each is satisfied. R(n, A) costs one incomplete gamma at the
    start; after that Erlang B's forward recurrence R(n + 1) = (n + 1)(1 + R(n)) / A, which is
    numerically stable, gives each step for a few flops. On a year of intervals that is about
    three times faster than a bisection, whose every probe at an arbitrary n needs a fresh
    incomplete gamma.
    """
    net = np.zeros(a.shape, dtype=np.int64)
    todo = np.flatnonzero(a > 0)
    a, aht, target, t, max_occ, asa_cap = (x[todo] for x in (a, aht, target, t, max_occ, asa_cap))
    n = np.floor(a) + 1.0
    with np.errstate(over="ignore"):
        r = np.exp(_log_poisson_ratio(n, a))
    done = np.zeros(todo.size, dtype=bool)
    while todo.size:
        c = _erlang_c_from_ratio(a, n, r)
        ok = (
            (_service_level_from_c(a, n, c, aht, t) >= target)
            & (a / n <= max_occ)
            & (_asa_from_c(a, n, c, aht) <= asa_cap)
        )
        first = ok & ~done
        net[todo[first]] = n[first]
        done |= ok
        # Dropping finished elements copies every array, so wait until it frees a fair share of the work.
        if 4 * np.count_nonzero(done) >= done.size:
            keep = ~done
            todo, a, aht, target, t, max_occ, asa_cap, n, r, done = (
                x[keep] for x in (todo, a, aht, target, t, max_occ, asa_cap, n, r, done)
            )
        with np.errstate(over="ignore"):
            r = (n + 1.0) * (1.0 + r) / a
        n = n + 1.0
    return net


def _gross_up(net, shrinkage):
    """ceil(net / (1 − shrinkage)) as int64, forgiving rounding just above an integer."""
    return np.ceil(net / (1.0 - shrinkage) * (1.0 - _GROSS_UP_RTOL)).astype(np.int64)


# --------------------------------------------------------------------------- Erlang A
#
# M/M/n+M: Poisson arrivals, exponential handling with mean AHT, exponential patience with
# mean `patience_seconds`; a contact still queued when its patience runs out abandons.
# With x = n·patience/AHT and y = A·patience/AHT (Mandelbaum & Zeltyn, "The M/M/n+G queue:
# summary of performance measures"; Garnett, Mandelbaum & Reiman 2002):
#   P(wait)                 = M / (R + M),        M = M(x, y)
#   P(answered | waited)    = (n / A)·(M − 1) / M
#   density of the offered wait V of an arriving contact on t > 0:
#                             n/AHT · π_n · exp(y(1 − e^(−t/patience)) − n·t/AHT),
# and a contact whose offered wait is V is answered iff its patience exceeds V.


class _Queue(NamedTuple):
    """Quantities shared by the Erlang A measures (for traffic > 0)."""

    p_wait: np.ndarray
    answered_if_waited: np.ndarray
    x: np.ndarray  # n·patience/AHT
    y: np.ndarray  # A·patience/AHT


def _erlang_a_queue(a, n, aht, patience):
    x = n * patience / aht
    y = a * patience / aht
    log_excess = _log_kummer_excess(x, y)
    log_m = np.logaddexp(0.0, log_excess)
    p_wait = expit(log_m - _log_poisson_ratio(n, a))
    # in logs: n / A overflows for subnormal traffic
    with np.errstate(divide="ignore"):
        answered_if_waited = np.exp(np.minimum(np.log(n) - np.log(a) + log_excess - log_m, 0.0))
    return _Queue(p_wait, answered_if_waited, x, y)


def _erlang_a_abandon(q: _Queue):
    return q.p_wait * (1.0 - q.answered_if_waited)


def _erlang_a_answered_within(t, patience, q: _Queue):
    """Share of offered contacts answered within t seconds (abandoned ones count as not answered).

    A contact that waits is answered within t with probability ∫_0^t f_V(s)·e^(−s/patience) ds;
    substituting v = y·e^(−s/patience) turns that into
    P(answered | waited) · (1 − P(x + 1, z) / P(x + 1, y)),   z = y·e^(−t/patience),
    with P the regularized lower incomplete gamma function.
    """
    late = _lower_gamma_ratio(q.x + 1.0, q.y, t / patience)
    return 1.0 - q.p_wait * (1.0 - q.answered_if_waited * (1.0 - late))


def _lower_gamma_ratio(s, y, u):
    """P(s, y·e^(−u)) / P(s, y), with P the regularized lower incomplete gamma function."""
    z = y * np.exp(-u)
    below_z = gammainc(s, z)
    with np.errstate(invalid="ignore"):  # 0/0 where both underflow, replaced just below
        ratio = below_z / gammainc(s, y)
    far = below_z < _TAIL_FLOOR
    # There P(s, ·) = M(s, ·) · (·)^s e^(−·) / Γ(s + 1), and the ratio of the last factors
    # between z and y has an exact closed form.
    s, y, z, u = s[far], y[far], z[far], u[far]
    ratio[far] = np.exp(_log_kummer(s, z) - _log_kummer(s, y) - s * u - y * np.expm1(-u))
    return ratio


def _erlang_a_inputs(traffic, agents, aht_seconds, patience_seconds, *more):
    checked = (_traffic(traffic), _agents(agents), _aht(aht_seconds), _patience(patience_seconds))
    return np.broadcast_arrays(*checked, *more)


def erlang_a_wait_probability(traffic, agents, aht_seconds, patience_seconds):
    """Erlang A: probability that an arriving contact finds every agent busy and queues."""
    a, n, aht, pat = _erlang_a_inputs(traffic, agents, aht_seconds, patience_seconds)
    return _out(_masked(a > 0, 0.0, lambda *args: _erlang_a_queue(*args).p_wait, a, n, aht, pat))


def erlang_a_abandon_rate(traffic, agents, aht_seconds, patience_seconds):
    """Erlang A: share of offered contacts that abandon before reaching an agent."""
    a, n, aht, pat = _erlang_a_inputs(traffic, agents, aht_seconds, patience_seconds)
    return _out(_masked(a > 0, 0.0, lambda *args: _erlang_a_abandon(_erlang_a_queue(*args)), a, n, aht, pat))


def erlang_a_service_level(traffic, agents, aht_seconds, answer_seconds, patience_seconds):
    """Erlang A service level: share of ALL offered contacts answered within `answer_seconds`.

    Abandoned contacts count as not answered, however early they hang up; the denominator
    includes them. This is P(offered wait V ≤ t and patience > V). Zero traffic gives 1.
    """
    a, n, aht, pat, t = _erlang_a_inputs(traffic, agents, aht_seconds, patience_seconds, _answer(answer_seconds))
    return _out(_masked(a > 0, 1.0, _erlang_a_service_level_offered, a, n, aht, t, pat))


def _erlang_a_service_level_offered(a, n, aht, t, patience):
    return _erlang_a_answered_within(t, patience, _erlang_a_queue(a, n, aht, patience))


def erlang_a_average_wait(traffic, agents, aht_seconds, patience_seconds):
    """Erlang A: mean seconds in queue over ALL offered contacts, answered and abandoned alike.

    By Little's law the queue length is λ·E[wait] and abandonments leave at rate queue/patience,
    so E[wait] = P(abandon)·patience. This is not the ASA of answered contacts, which has no
    closed form under Erlang A.
    """
    return _out(erlang_a_abandon_rate(traffic, agents, aht_seconds, patience_seconds) * np.asarray(patience_seconds))


def erlang_a_occupancy(traffic, agents, aht_seconds, patience_seconds):
    """Erlang A occupancy: carried load / n = A·(1 − P(abandon)) / n (0 when there are no agents)."""
    a, n, aht, pat = _erlang_a_inputs(traffic, agents, aht_seconds, patience_seconds)
    return _out(_erlang_a_busy(a, n, np.asarray(erlang_a_abandon_rate(a, n, aht, pat))))


def _erlang_a_busy(a, n, abandon):
    carried = a * (1.0 - abandon)
    busy = np.divide(carried, n, out=np.zeros_like(carried), where=n > 0)
    return np.minimum(busy, 1.0)  # rounding can push an overloaded queue a few ulps past 1


def erlang_a_required_agents(
    traffic,
    aht_seconds,
    target,
    answer_seconds,
    patience_seconds,
    max_occupancy=1.0,
    shrinkage=0.0,
    max_abandon=None,
):
    """Agents to roster under Erlang A so that `target` of offered contacts are answered within `answer_seconds`.

    The net count is the smallest integer n with Erlang A service level ≥ target (see
    `erlang_a_service_level` for the definition), occupancy ≤ max_occupancy and, when given,
    abandon rate ≤ max_abandon; then grossed up for shrinkage exactly as in `required_agents`.
    n may be at or below the traffic. Zero traffic needs 0 agents. Returns int64.
    """
    a = _traffic(traffic)
    aht = _aht(aht_seconds)
    target, max_occ, shrink = _staffing_limits(target, max_occupancy, shrinkage)
    t = _answer(answer_seconds)
    pat = _patience(patience_seconds)
    abandon_cap = (
        1.0 if max_abandon is None else _checked("max_abandon", max_abandon, 0.0, 1.0, low_open=True, high_closed=True)
    )
    a, aht, target, t, pat, max_occ, shrink, abandon_cap = np.broadcast_arrays(
        a, aht, target, t, pat, max_occ, shrink, abandon_cap
    )
    flat = [x.ravel() for x in (a, aht, target, t, pat, max_occ, abandon_cap)]
    return _out(_gross_up(_erlang_a_net_agents(*flat), shrink.ravel()).reshape(a.shape))


def _erlang_a_net_agents(a, aht, target, t, pat, max_occ, abandon_cap):
    def meets(n, i):
        q = _erlang_a_queue(a[i], n, aht[i], pat[i])
        abandon = _erlang_a_abandon(q)
        return (
            (_erlang_a_answered_within(t[i], pat[i], q) >= target[i])
            & (_erlang_a_busy(a[i], n, abandon) <= max_occ[i])
            & (abandon <= abandon_cap[i])
        )

    net = np.zeros(a.shape, dtype=np.int64)
    offered = np.flatnonzero(a > 0)
    # Answered contacts cannot outnumber what n agents carry, and carried load < n, so service
    # level < n / A: any n ≤ target·A fails. One less absorbs rounding in target·A.
    known_failing = np.maximum(np.floor(target[offered] * a[offered]) - 1.0, 0.0)
    net[offered] = _smallest_passing(lambda n, j: meets(n, offered[j]), known_failing)
    return net


def _smallest_passing(meets: Callable[[np.ndarray, np.ndarray], np.ndarray], failing: np.ndarray) -> np.ndarray:
    """Smallest integer n > failing[j] with meets(n, j), for every j at once.

    `meets(n, j)` evaluates the elements j at counts n and must turn true and stay true as n grows;
    `failing` must fail. The trial count doubles its distance from the last failure until it
    passes, then bisection closes each bracket.
    """
    fail = failing.astype(np.int64)
    step = np.ones_like(fail)
    trial = fail + step
    todo = np.arange(fail.size)
    while todo.size:
        todo = todo[~meets(trial[todo].astype(float), todo)]
        if todo.size and step[todo].max() > _MAX_AGENTS:
            raise ArithmeticError(f"no agent count up to {_MAX_AGENTS:,} meets the target (a numerical fault)")
        fail[todo] = trial[todo]
        step[todo] *= 2
        trial[todo] = fail[todo] + step[todo]
    todo = np.flatnonzero(trial - fail > 1)
    while todo.size:
        mid = (fail[todo] + trial[todo]) // 2
        ok = meets(mid.astype(float), todo)
        trial[todo[ok]] = mid[ok]
        fail[todo[~ok]] = mid[~ok]
        todo = todo[trial[todo] - fail[todo] > 1]
    return trial
