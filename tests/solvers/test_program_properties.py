"""Theorems about the optimal code, stated as property tests (docs/mathematics.md, "The exact modularity condition", "ICLR 2023 linear theory" and "Solving for the optimal code exactly", docs/solve.md).

- The optimum equals the closed-form modular value iff the check says modular
  (docs/mathematics.md, "The exact modularity condition"), whatever lam_in, lam_out.
- Lambda-free verdict for orthogonal input mixing and readout (A^T A, B^T B
  diagonal, docs/mathematics.md, "ICLR 2023 linear theory").
- Homogeneity: V(S; lam_in, t lam_out) = sqrt(t) V(S; lam_in, lam_out) with G
  scaled by sqrt(t); V(sigma S; sigma^2 lam_in, lam_out) = sigma V(S; lam_in, lam_out);
  and 2 sqrt(lam_in lam_out) tr((P^1/2 Q P^1/2)^1/2) <= V <= L_mod.
- At most d(d+1)/2 + 1 neurons; the certificate's lower bound never exceeds the value.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from biomodular import Sources
from biomodular.solvers.check import check_modularity
from biomodular.solvers.problem import Problem
from biomodular.solvers.program import solve_code

#: The check's tolerance here (units of beta^2): margins below -1e-3 are mixed, and only exact
#: zeros (up to rounding) are modular; anything between is skipped as too close to call.
CHECK_TOL = 1e-3

#: Relative gap the solver must certify in these tests.
TOL = 1e-9


unit = st.floats(0.0, 1.0)


@st.composite
def polygons(draw):
    """A box with one corner cut (or not), random moments, random units and offset."""
    u = draw(st.floats(0.0, 1.5))
    v = draw(st.floats(0.0, 1.5))
    verts = [[-1, -1], [1, -1], [1, 1 - u], [1 - v, 1], [-1, 1]]
    mean = np.array([draw(st.floats(-0.3, 0.3)), draw(st.floats(-0.3, 0.3))])
    sd = np.array([draw(st.floats(0.25, 0.7)), draw(st.floats(0.25, 0.7))])
    rho = draw(st.floats(-0.5, 0.5))
    cov = np.outer(sd, sd) * np.array([[1, rho], [rho, 1]])
    scale = np.array([draw(st.floats(0.2, 5.0)), draw(st.floats(0.2, 5.0))])
    shift = np.array([draw(st.floats(-3, 3)), draw(st.floats(-3, 3))])
    return Sources.from_statistics(mean * scale + shift, cov * np.outer(scale, scale), np.array(verts) * scale + shift)


lams = st.tuples(st.floats(0.0, 5.0), st.floats(0.05, 5.0))


def verdict(sources):
    r = check_modularity(sources)  # exact up to rounding
    assume(r.verdict == "modular" or (r.verdict == "mixed" and r.margin < -CHECK_TOL))
    return r.verdict


def agrees(result, expected):
    d = len(result.names)
    assert result.status == "optimal" and result.certificate.relative_gap <= TOL
    assert len(result.neurons) <= d * (d + 1) // 2 + 1
    assert result.certificate.lower_bound <= result.value * (1 + 1e-12)
    if expected == "modular":
        assert all(n.modular for n in result.neurons)  # every neuron on an axis
        # the closed form is the optimum: within the certified gap (<= TOL) of the solver's value
        assert result.modular_value >= result.certificate.lower_bound * (1 - 1e-12)
        assert result.value <= result.modular_value * (1 + 1e-12) + result.certificate.gap
        # and from below: the value is the loss of a feasible code, so it cannot beat the optimum, the
        # modular value.  TOL covers the check's numerical floor (margins down to -1e-9 beta^2 count as
        # modular); measured (value - modular_value) / modular_value >= -1.7e-14 over 216 modular draws.
        assert result.value >= result.modular_value * (1 - TOL)
    else:
        assert not all(n.modular for n in result.neurons)  # some neuron off the axes (mixed or sliver)
        assert result.value < result.modular_value * (1 - 1e-12)


@given(polygons(), lams)
def test_optimum_is_modular_exactly_when_the_check_says_so(sources, lam):
    expected = verdict(sources)
    agrees(solve_code(sources, Problem.autoencoder(*lam), tol=TOL), expected)


@given(polygons(), lams, st.integers(0, 2**31 - 1), st.integers(2, 4))
def test_verdict_is_lambda_free_for_orthogonal_mixing_and_readout(sources, lam, seed, p):
    rng = np.random.default_rng(seed)
    U = np.linalg.qr(rng.standard_normal((p, 2)))[0]  # orthonormal columns
    V = np.linalg.qr(rng.standard_normal((p, 2)))[0]
    A = U * rng.uniform(0.3, 3.0, 2)  # A^T A diagonal
    B = V * rng.uniform(0.3, 3.0, 2)  # B^T B diagonal
    expected = verdict(sources)
    agrees(solve_code(sources, Problem.autoencoder(*lam, A=A, B=B), tol=TOL), expected)


@given(polygons(), lams, st.floats(0.1, 10.0), st.floats(0.2, 5.0))
def test_homogeneity_in_lam_out_and_in_the_scale_of_the_data(sources, lam, t, sigma):
    lam_in, lam_out = lam
    base = solve_code(sources, Problem.autoencoder(lam_in, lam_out), tol=TOL)
    scaled = solve_code(sources, Problem.autoencoder(lam_in, t * lam_out), tol=TOL)
    assert scaled.value == pytest.approx(np.sqrt(t) * base.value, rel=1e-8)
    # the optimal G scales by sqrt(t) (tunings by t^1/4), directions unchanged
    np.testing.assert_allclose(
        scaled.gram, np.sqrt(t) * base.gram, rtol=1e-6, atol=1e-7 * np.abs(base.gram).max() * np.sqrt(t)
    )
    bigger = Sources.from_statistics(sigma * sources.mean, sigma**2 * sources.cov, sigma * sources.points)
    resized = solve_code(bigger, Problem.autoencoder(sigma**2 * lam_in, lam_out), tol=TOL)
    assert resized.value == pytest.approx(sigma * base.value, rel=1e-8)
    # weight terms alone bound the value below: min_G lam_in tr G + lam_out tr G^-1 = 2 d sqrt(lam_in lam_out)
    assert base.value >= 2 * 2 * np.sqrt(lam_in * lam_out) * (1 - 1e-12)
    assert base.value <= base.modular_value * (1 + 1e-12)


@st.composite
def independent_boxes(draw):
    """Diagonal covariance, a box support with one corner possibly cut."""
    u = draw(st.floats(0.0, 1.5))
    verts = np.array([[-1, -1], [1, -1], [1, 1 - u], [1 - u, 1], [-1, 1]], float)
    sd = np.array([draw(st.floats(0.3, 0.7)), draw(st.floats(0.3, 0.7))])
    return Sources.from_statistics([draw(st.floats(-0.2, 0.2)), draw(st.floats(-0.2, 0.2))], np.diag(sd**2), verts)


@given(independent_boxes(), st.floats(0.2, 5.0), st.floats(1.0, 5.0))
def test_fixed_variance_verdict_matches_the_check_for_uncorrelated_sources(sources, variance, slack):
    # with C diagonal, the multiplier at the modular code is diag(E_j) again (docs/solve.md)
    expected = verdict(sources)
    budget = slack * 4 * 2 * np.trace(sources.cov) / variance
    agrees(solve_code(sources, Problem.fixed_variance(variance, budget), tol=TOL), expected)
