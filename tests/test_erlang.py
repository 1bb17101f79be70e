"""Tests for forecasts.erlang: published worked examples, mpmath references, a CTMC for Erlang A, properties."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.linalg import expm_multiply, spsolve

from forecasts.erlang import (
    asa,
    erlang_a_abandon_rate,
    erlang_a_average_wait,
    erlang_a_occupancy,
    erlang_a_required_agents,
    erlang_a_service_level,
    erlang_a_wait_probability,
    erlang_b,
    erlang_c,
    occupancy,
    required_agents,
    service_level,
    traffic,
)

PROPERTY = settings(max_examples=30, deadline=None)


# --------------------------------------------------------------------------- published worked examples


def test_ten_erlangs_worked_example():
    # 100 contacts in 30 minutes, AHT 180 s, 80 % answered in 20 s.
    load = traffic(100, 180, 30 * 60)
    assert load == pytest.approx(10.0)
    assert required_agents(load, 180, 0.8, 20) == 14
    assert round(float(erlang_c(load, 14)), 5) == 0.17413
    assert round(float(service_level(load, 14, 180, 20)), 5) == 0.88835
    assert round(float(asa(load, 14, 180)), 2) == 7.84
    assert service_level(load, 13, 180, 20) < 0.8


def test_ten_erlangs_with_30_percent_shrinkage():
    assert required_agents(10.0, 180, 0.8, 20, shrinkage=0.3) == 20


def test_occupancy_cap_worked_example():
    # 1000 calls an hour, AHT 120 s, 80/20, occupancy at most 85 %.
    load = traffic(1000, 120, 3600)
    assert load == pytest.approx(100 / 3)
    assert required_agents(load, 120, 0.8, 20, max_occupancy=0.85) == 40
    # The occupancy cap is what binds: service level alone needs fewer, and 39 agents are > 85 % busy.
    assert required_agents(load, 120, 0.8, 20) < 40
    assert occupancy(load, 39) > 0.85 >= occupancy(load, 40)


# --------------------------------------------------------------------------- accuracy against mpmath


def reference_b_and_c(a: float, agents: list[int]) -> dict[int, tuple[float, float | None]]:
    """Erlang B and C (C only where agents > a) from their defining sums, in 50-digit arithmetic."""
    wanted = set(agents)
    out = {}
    with mpmath.workdps(50):
        a_mp = mpmath.mpf(a)
        term = mpmath.mpf(1)  # a^k / k!
        below = mpmath.mpf(0)  # sum of the terms before k
        for k in range(max(agents) + 1):
            if k > 0:
                below += term
                term = term * a_mp / k
            if k in wanted:
                blocked = term / (below + term)
                waiting = term * k / (k - a_mp) if k > a else None
                out[k] = (float(blocked), None if waiting is None else float(waiting / (below + waiting)))
    return out


TRAFFIC_GRID = [0.1, 1.0, 10.0, 100.0, 1000.0, 5000.0]


def agents_above(a: float) -> list[int]:
    return sorted({math.floor(a) + 1 + round(k * math.sqrt(a)) for k in (0, 0.3, 1, 2, 4)} | {math.floor(a) + 25})


@pytest.mark.parametrize("a", TRAFFIC_GRID)
def test_erlang_b_and_c_match_mpmath_to_1e9_absolute(a):
    agents = agents_above(a)
    reference = reference_b_and_c(a, agents)
    b = erlang_b(a, agents)
    c = erlang_c(a, agents)
    for i, n in enumerate(agents):
        ref_b, ref_c = reference[n]
        assert abs(b[i] - ref_b) <= 1e-9, (a, n)
        assert abs(c[i] - ref_c) <= 1e-9, (a, n)
        # Service level and ASA follow from C; ASA is in seconds, so compare it relatively.
        decay = math.exp(-(n - a) * 20 / 300)
        assert abs(service_level(a, n, 300, 20) - (1 - ref_c * decay)) <= 1e-9
        assert asa(a, n, 300) == pytest.approx(ref_c * 300 / (n - a), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(
    ("a", "agents"),
    [(5000.0, [0, 10, 2000, 4000, 4900, 5000]), (1000.0, [1, 500, 900, 999]), (3.5, [0, 1, 2, 3])],
)
def test_erlang_b_in_overload_matches_mpmath(a, agents):
    # Far below the traffic the Poisson cdf underflows: this exercises the continued fraction.
    reference = reference_b_and_c(a, agents)
    b = erlang_b(a, agents)
    for i, n in enumerate(agents):
        assert b[i] == pytest.approx(reference[n][0], rel=1e-9, abs=1e-9), (a, n)


def test_fractional_agents_interpolate_monotonically():
    assert erlang_c(10.0, 15) < erlang_c(10.0, 14.5) < erlang_c(10.0, 14)
    assert erlang_b(10.0, 15) < erlang_b(10.0, 14.5) < erlang_b(10.0, 14)


# --------------------------------------------------------------------------- conventions


def test_unstable_queue_conventions():
    for n in (0, 5, 9, 10):
        assert erlang_c(10.0, n) == 1.0
        assert service_level(10.0, n, 180, 20) == 0.0
        assert asa(10.0, n, 180) == math.inf
        assert occupancy(10.0, n) == 1.0
    # Just above the traffic the queue is stable again.
    assert 0 < erlang_c(10.0, 10.5) < 1
    assert math.isfinite(asa(10.0, 11, 180))


def test_zero_traffic_conventions():
    for n in (0, 1, 7):
        assert erlang_b(0.0, n) == 0.0
        assert erlang_c(0.0, n) == 0.0
        assert service_level(0.0, n, 180, 20) == 1.0
        assert asa(0.0, n, 180) == 0.0
        assert occupancy(0.0, n) == 0.0
        assert erlang_a_wait_probability(0.0, n, 180, 60) == 0.0
        assert erlang_a_abandon_rate(0.0, n, 180, 60) == 0.0
        assert erlang_a_service_level(0.0, n, 180, 20, 60) == 1.0
        assert erlang_a_average_wait(0.0, n, 180, 60) == 0.0
        assert erlang_a_occupancy(0.0, n, 180, 60) == 0.0
    assert required_agents(0.0, 180, 0.8, 20, shrinkage=0.3) == 0
    assert erlang_a_required_agents(0.0, 180, 0.8, 20, 60) == 0
    assert required_agents([0.0, 10.0], 180, 0.8, 20).tolist() == [0, 14]


def test_no_agents_blocks_every_contact():
    assert erlang_b(3.0, 0) == 1.0
    assert erlang_a_wait_probability(3.0, 0, 180, 60) == 1.0
    assert erlang_a_abandon_rate(3.0, 0, 180, 60) == pytest.approx(1.0, abs=1e-15)
    assert erlang_a_service_level(3.0, 0, 180, 20, 60) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_c(-1.0, 3), "traffic"),
        (lambda: erlang_c(float("nan"), 3), "traffic"),
        (lambda: erlang_b(2.0, -1), "agents"),
        (lambda: service_level(2.0, 3, 0.0, 20), "aht_seconds"),
        (lambda: required_agents(2.0, 180, 1.0, 20), "target"),
        (lambda: required_agents(2.0, 180, 0.8, 20, shrinkage=1.0), "shrinkage"),
        (lambda: required_agents(2.0, 180, 0.8, 20, max_occupancy=0.0), "max_occupancy"),
        (lambda: required_agents(2.0, 180, 0.8, 20, max_asa=0.0), "max_asa"),
        (lambda: erlang_a_service_level(2.0, 3, 180, 20, 0.0), "patience_seconds"),
        (lambda: erlang_a_required_agents(2.0, 180, 0.8, 20, 60, max_abandon=1.5), "max_abandon"),
        (lambda: traffic(10, 180, 0), "interval_seconds"),
    ],
)
def test_bad_input_is_rejected_with_its_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- vectorization


def test_broadcasting_shapes_and_types():
    loads = np.array([[0.0], [2.5], [40.0]])
    agents = np.array([1, 3, 45, 60])
    assert erlang_c(loads, agents).shape == (3, 4)
    assert service_level(loads, agents, [[120.0], [180.0], [300.0]], 20).shape == (3, 4)
    staffed = required_agents(loads, 180, [0.7, 0.8, 0.9], 20)
    assert staffed.shape == (3, 3) and staffed.dtype == np.int64
    assert np.ndim(erlang_c(10.0, 14)) == 0
    assert isinstance(required_agents(10.0, 180, 0.8, 20), np.integer)


@PROPERTY
@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 300.0),
            st.integers(0, 340),
            st.floats(30.0, 900.0),
            st.floats(0.0, 120.0),
            st.floats(5.0, 1200.0),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_arrays_agree_with_scalars(rows):
    a, n, aht, t, pat = (np.array(col) for col in zip(*rows))
    measures = [
        (erlang_b, (a, n)),
        (erlang_c, (a, n)),
        (service_level, (a, n, aht, t)),
        (asa, (a, n, aht)),
        (occupancy, (a, n)),
        (erlang_a_wait_probability, (a, n, aht, pat)),
        (erlang_a_abandon_rate, (a, n, aht, pat)),
        (erlang_a_service_level, (a, n, aht, t, pat)),
        (erlang_a_occupancy, (a, n, aht, pat)),
    ]
    for func, args in measures:
        together = func(*args)
        for i in range(len(a)):
            alone = func(*(x[i] for x in args))
            assert together[i] == alone or (math.isnan(alone) and math.isnan(together[i])), func.__name__
    targets = np.clip(t / 150 + 0.1, 0.1, 0.95)
    together = required_agents(a, aht, targets, t, shrinkage=0.25)
    assert together.tolist() == [required_agents(a[i], aht[i], targets[i], t[i], shrinkage=0.25) for i in range(len(a))]


# --------------------------------------------------------------------------- Erlang C properties


@PROPERTY
@given(st.floats(0.01, 500.0), st.floats(30.0, 900.0), st.floats(0.0, 300.0))
def test_service_level_rises_with_agents(a, aht, t):
    agents = np.arange(math.floor(a) + 1, math.floor(a) + 60)
    levels = service_level(a, agents, aht, t)
    assert np.all(np.diff(levels) >= 0)
    assert np.all(np.diff(asa(a, agents, aht)) <= 0)
    assert np.all((levels > 0) & (levels <= 1))


staffing_cases = st.tuples(
    st.floats(0.0, 300.0),  # traffic
    st.floats(30.0, 900.0),  # AHT
    st.floats(0.05, 0.99),  # target
    st.floats(0.0, 120.0),  # answer seconds
    st.floats(0.5, 1.0),  # max occupancy
    st.one_of(st.none(), st.floats(1.0, 120.0)),  # max ASA
)


@PROPERTY
@given(st.lists(staffing_cases, min_size=1, max_size=15))
def test_required_agents_is_the_smallest_count_meeting_every_target(cases):
    a, aht, target, t, max_occ, max_asa = (np.array(col, dtype=float) for col in zip(*cases))
    max_asa = np.where(np.isnan(max_asa), np.inf, max_asa)  # None becomes nan in the float array
    n = required_agents(a, aht, target, t, max_occupancy=max_occ, max_asa=max_asa)

    def meets(count):
        return (
            (service_level(a, count, aht, t) >= target)
            & (occupancy(a, count) <= max_occ)
            & (asa(a, count, aht) <= max_asa)
        )

    assert np.all(meets(n))
    busy = a > 0
    assert np.all(n[~busy] == 0)
    assert not np.any(meets(np.maximum(n - 1, 0))[busy])


@PROPERTY
@given(st.floats(0.01, 300.0), st.floats(30.0, 900.0), st.floats(0.0, 0.6))
def test_shrinkage_grosses_up_to_the_fewest_agents_covering_the_net_count(a, aht, shrinkage):
    net = required_agents(a, aht, 0.8, 20)
    gross = required_agents(a, aht, 0.8, 20, shrinkage=shrinkage)
    assert gross * (1 - shrinkage) >= net * (1 - 1e-9)
    assert (gross - 1) * (1 - shrinkage) < net


@pytest.mark.parametrize(
    ("net_agents", "shrinkage", "gross"), [(21, 0.3, 30), (9, 0.55, 20), (42, 0.3, 60), (14, 0.3, 20)]
)
def test_exact_gross_ups_are_not_rounded_up(net_agents, shrinkage, gross):
    # In floating point 21 / (1 - 0.3) is 30.000000000000004, which a bare ceil turns into 31.
    assert net_agents / (1 - shrinkage) < gross + 1e-12
    # Half an Erlang below net_agents with a lenient target needs exactly net_agents.
    a = net_agents - 0.5
    assert required_agents(a, 180, 0.05, 0) == net_agents
    assert required_agents(a, 180, 0.05, 0, shrinkage=shrinkage) == gross


def test_gross_up_tolerance_is_needed_for_these_cases():
    assert math.ceil(21 / (1 - 0.3)) == 31
    assert math.ceil(9 / (1 - 0.55)) == 21


# --------------------------------------------------------------------------- Erlang A


def ctmc_erlang_a(a, n, aht, patience, answer, queue_room=150):
    """Erlang A measures from a truncated birth-death chain solved numerically (no closed forms).

    States are the number of contacts in the system. An arriving contact sees the stationary
    distribution (PASTA); one that finds k ≥ n present has j = k − n contacts ahead of it and
    its fate is a phase-type race: the queue ahead shrinks at n/AHT + j/patience while the
    contact itself abandons at 1/patience. Sparse solvers keep this fast on a busy machine,
    where dense BLAS threads contend for the cores.
    """
    lam, mu, theta = a / aht, 1 / aht, 1 / patience
    top = n + queue_room
    ks = np.arange(top + 1)
    up = np.where(ks < top, lam, 0.0)
    down = np.minimum(ks, n) * mu + np.maximum(ks - n, 0) * theta
    gen = sparse.diags([up[:-1], -(up + down), down[1:]], [1, 0, -1], format="lil")
    balance = gen.T.tolil()
    balance[top, :] = 1.0  # one balance equation is redundant: normalize instead
    rhs = np.zeros(top + 1)
    rhs[top] = 1.0
    pi = spsolve(balance.tocsc(), rhs)
    assert pi[-1] < 1e-14, "truncation too tight"

    ahead = np.arange(top - n + 1)
    forward = n * mu + ahead * theta  # the queue ahead shrinks (or, at j = 0, the contact is answered)
    # Transient states j = 0..top−n, then "answered" and "abandoned", both absorbing.
    size = ahead.size + 2
    answered, abandoned = size - 2, size - 1
    tagged = sparse.lil_matrix((size, size))
    tagged.setdiag(np.concatenate([-(forward + theta), [0.0, 0.0]]))
    tagged.setdiag(forward[1:], -1)
    tagged[0, answered] = n * mu
    tagged[ahead, abandoned] = theta
    tagged = tagged.tocsc()
    # Column "answered" of exp(tagged·t): P(answered by t | j ahead).
    answered_in_time = expm_multiply(tagged * answer, np.eye(size)[answered])[: ahead.size]
    abandons = spsolve(tagged[: ahead.size, : ahead.size], -tagged[: ahead.size, abandoned].toarray().ravel())
    queued = pi[n:]
    return {
        "wait": queued.sum(),
        "service_level": pi[:n].sum() + queued @ answered_in_time,
        "abandon": queued @ abandons,
        "average_wait": (np.maximum(ks - n, 0) @ pi) / lam,  # Little's law on the queue
        "occupancy": (np.minimum(ks, n) @ pi) / n if n else 0.0,
    }


@pytest.mark.parametrize(
    ("a", "n", "aht", "patience", "answer"),
    [
        (10.0, 14, 180.0, 120.0, 20.0),
        (10.0, 8, 180.0, 300.0, 20.0),  # fewer agents than Erlangs
        (3.5, 2, 300.0, 60.0, 30.0),
        (5.0, 0, 100.0, 50.0, 10.0),  # nobody to answer
        (20.0, 22, 240.0, 600.0, 60.0),
        (0.3, 1, 200.0, 30.0, 0.0),  # answered immediately or not at all
    ],
)
def test_erlang_a_matches_birth_death_chain(a, n, aht, patience, answer):
    chain = ctmc_erlang_a(a, n, aht, patience, answer)
    assert erlang_a_wait_probability(a, n, aht, patience) == pytest.approx(chain["wait"], abs=1e-9)
    assert erlang_a_service_level(a, n, aht, answer, patience) == pytest.approx(chain["service_level"], abs=1e-9)
    assert erlang_a_abandon_rate(a, n, aht, patience) == pytest.approx(chain["abandon"], abs=1e-9)
    assert erlang_a_average_wait(a, n, aht, patience) == pytest.approx(chain["average_wait"], rel=1e-8, abs=1e-9)
    assert erlang_a_occupancy(a, n, aht, patience) == pytest.approx(chain["occupancy"], abs=1e-9)


@pytest.mark.parametrize(("a", "n"), [(10.0, 11), (10.0, 14), (10.0, 20), (200.0, 215), (0.5, 1)])
def test_erlang_a_tends_to_erlang_c_as_patience_grows(a, n):
    # Differences shrink like AHT / patience.
    for ratio, tolerance in ((1e4, 1e-3), (1e8, 1e-7)):
        patience = 180.0 * ratio
        assert erlang_a_wait_probability(a, n, 180, patience) == pytest.approx(erlang_c(a, n), abs=tolerance)
        assert erlang_a_service_level(a, n, 180, 20, patience) == pytest.approx(
            service_level(a, n, 180, 20), abs=tolerance
        )
        assert erlang_a_abandon_rate(a, n, 180, patience) < tolerance
    assert erlang_a_required_agents(10.0, 180, 0.8, 20, 180e8) == 14


def reference_erlang_a(a, n, aht, patience, answer):
    """Erlang A from the incomplete-gamma closed form (Mandelbaum & Zeltyn), in 60-digit arithmetic."""
    with mpmath.workdps(60):
        a, aht, patience, answer = (mpmath.mpf(v) for v in (a, aht, patience, answer))
        x, y = n * patience / aht, a * patience / aht
        z = y * mpmath.exp(-answer / patience)
        # Σ_{k<n} n!/k! · a^(k−n) = n · e^a · a^(−n) · Γ(n, a), the upper incomplete gamma.
        idle_states = n * mpmath.exp(a) * a**-n * mpmath.gammainc(n, a) if n else mpmath.mpf(0)
        queue_states = x * mpmath.exp(y) * y**-x * mpmath.gammainc(x, 0, y)
        p_n = 1 / (idle_states + queue_states)
        wait = p_n * queue_states
        served_after_wait = p_n * x * mpmath.exp(y) * y ** (-x - 1) * mpmath.gammainc(x + 1, 0, y)
        served_late = p_n * x * mpmath.exp(y) * y ** (-x - 1) * mpmath.gammainc(x + 1, 0, z)
        return float(wait), float(wait - served_after_wait), float(1 - wait + served_after_wait - served_late)


@pytest.mark.parametrize(
    ("a", "n", "aht", "patience", "answer"),
    [
        (2000.0, 200, 300.0, 600.0, 20.0),  # deep overload: the Poisson cdf underflows
        (50.0, 200, 300.0, 30000.0, 20.0),  # huge patience, many idle agents: the gamma cdf underflows
        (50.0, 60, 300.0, 30000.0, 3000.0),  # z = y·e^(−t/patience) well below y
        (1000.0, 1000, 240.0, 120.0, 15.0),
        (4000.0, 4100, 300.0, 900.0, 30.0),
    ],
)
def test_erlang_a_extremes_match_mpmath(a, n, aht, patience, answer):
    wait, abandon, level = reference_erlang_a(a, n, aht, patience, answer)
    assert erlang_a_wait_probability(a, n, aht, patience) == pytest.approx(wait, rel=1e-9, abs=1e-300)
    assert erlang_a_abandon_rate(a, n, aht, patience) == pytest.approx(abandon, rel=1e-8, abs=1e-12)
    assert erlang_a_service_level(a, n, aht, answer, patience) == pytest.approx(level, abs=1e-9)


@PROPERTY
@given(st.floats(0.01, 200.0), st.floats(30.0, 900.0), st.floats(5.0, 1800.0), st.floats(0.0, 120.0))
def test_erlang_a_measures_move_the_right_way_with_agents(a, aht, patience, t):
    agents = np.arange(0, math.ceil(1.5 * a) + 10)
    levels = erlang_a_service_level(a, agents, aht, t, patience)
    abandons = erlang_a_abandon_rate(a, agents, aht, patience)
    busy = erlang_a_occupancy(a, agents[1:], aht, patience)
    # Allow for rounding: values are accurate to about 1e-12 absolute.
    assert np.all(np.diff(levels) >= -1e-11)
    assert np.all(np.diff(abandons) <= 1e-11)
    assert np.all(np.diff(busy) <= 1e-11)
    assert np.all((levels >= 0) & (levels <= 1) & (abandons >= 0) & (abandons <= 1))
    assert np.all((busy >= 0) & (busy <= 1))


erlang_a_cases = st.tuples(
    st.floats(0.0, 150.0),  # traffic
    st.floats(30.0, 900.0),  # AHT
    st.floats(0.05, 0.95),  # target
    st.floats(0.0, 120.0),  # answer seconds
    st.floats(5.0, 1800.0),  # patience
    st.floats(0.5, 1.0),  # max occupancy
    st.one_of(st.none(), st.floats(0.01, 0.5)),  # max abandon
)


@PROPERTY
@given(st.lists(erlang_a_cases, min_size=1, max_size=10))
def test_erlang_a_required_agents_is_the_smallest_count_meeting_every_target(cases):
    a, aht, target, t, patience, max_occ, max_abandon = (np.array(col, dtype=float) for col in zip(*cases))
    max_abandon = np.where(np.isnan(max_abandon), 1.0, max_abandon)
    n = erlang_a_required_agents(a, aht, target, t, patience, max_occupancy=max_occ, max_abandon=max_abandon)

    def meets(count):
        return (
            (erlang_a_service_level(a, count, aht, t, patience) >= target)
            & (erlang_a_occupancy(a, count, aht, patience) <= max_occ)
            & (erlang_a_abandon_rate(a, count, aht, patience) <= max_abandon)
        )

    assert np.all(meets(n))
    busy = a > 0
    assert np.all(n[~busy] == 0)
    assert not np.any(meets(np.maximum(n - 1, 0))[busy])


@pytest.mark.parametrize("traffic", [5e-324, 2.2250738585072014e-308, 1e-300])
def test_erlang_a_staffs_subnormal_traffic_with_one_agent_at_once(traffic):
    # n / A overflowed for subnormal traffic, so no count ever met the target and the search doubled for minutes.
    assert erlang_a_required_agents(traffic, 300, 0.8, 20, 60) == 1
    assert erlang_a_service_level(traffic, 1, 300, 20, 60) == pytest.approx(1.0)


def test_erlang_a_can_staff_below_the_traffic():
    # Short patience and a lenient target: the queue sheds load, so fewer agents than Erlangs suffice.
    n = erlang_a_required_agents(10.0, 180, 0.5, 60, 30)
    assert n < 10
    assert erlang_a_service_level(10.0, n, 180, 60, 30) >= 0.5 > erlang_a_service_level(10.0, n - 1, 180, 60, 30)
    assert erlang_a_required_agents(10.0, 180, 0.5, 60, 30, shrinkage=0.3) == math.ceil(n / 0.7)
