"""Buy-till-you-die models of repeat purchasing, from purchase histories alone.

* BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way"): while active, a
  customer buys at a Poisson rate λ (gamma-distributed across customers, shape ``r``, rate
  ``alpha``); after each purchase they drop out with probability ``p`` (beta-distributed,
  ``a``, ``b``). From each customer's ``x`` repeat purchases, the time ``t_x`` of the last one
  and the time ``T`` since the first, it gives the probability that they are still active and
  the purchases to expect in the next ``t``.
* Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value curves"): a
  customer's purchase values vary around their own mean, which varies across customers
  (shape ``p``, and a gamma with ``q``, ``gamma``). From the average value ``m`` of a
  customer's ``x`` repeat purchases it gives the value to expect of their next ones.

Times are in any unit (the papers use weeks), the same for every argument. Parameters are fitted
by maximum likelihood (``scipy.optimize``, on their logarithms so they stay positive).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1, logsumexp


class NotEnoughData(ValueError):
    """Too few customers, or no repeat purchases, to fit a model."""


# Fewer customers than this say too little about a population.
MIN_CUSTOMERS = 20
# A fitted parameter beyond this has run off to infinity: the data does not determine it.
MAX_PARAM = 1e6
# Steps of the search: the published CDNOW fit needs far fewer; past them the estimate no
# longer moves enough to matter.
MAX_ITERATIONS = 4000


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float

    def p_alive(self, x, t_x, T):
        """The probability that customers with these histories are still active."""
        x, t_x, T = _arrays(x, t_x, T)
        ratio = np.where(x > 0, self._dropout_term(x, t_x, T), 0.0)
        return 1.0 / (1.0 + ratio)

    def expected_purchases(self, t, x, t_x, T):
        """Purchases to expect from customers with these histories in the next ``t``."""
        x, t_x, T = _arrays(x, t_x, T)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        growth = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
            r + x, b + x, a + b + x - 1.0, z
        )
        ratio = np.where(x > 0, self._dropout_term(x, t_x, T), 0.0)
        return (a + b + x - 1.0) / (a - 1.0) * growth / (1.0 + ratio)

    def expected_purchases_new(self, t):
        """Repeat purchases to expect in ``t`` from a customer who has just made a first one."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        return (
            (a + b - 1.0)
            / (a - 1.0)
            * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, t / (alpha + t)))
        )

    def _dropout_term(self, x, t_x, T):
        safe = np.maximum(x, 1.0)  # x = 0 has no such term (no purchase to drop out after)
        return (self.a / (self.b + safe - 1.0)) * ((self.alpha + T) / (self.alpha + t_x)) ** (
            self.r + safe
        )


def bgnbd_log_likelihood(params, x, t_x, T):
    """Each customer's log-likelihood under BG/NBD ``(r, alpha, a, b)``."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1.0, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1 + a2 + logsumexp([a3, a4], axis=0)


def fit_bgnbd(x, t_x, T):
    """BG/NBD fitted to customers' ``x`` repeat purchases, last at ``t_x``, over ``T``."""
    x, t_x, T = _arrays(x, t_x, T)
    if len(x) < MIN_CUSTOMERS or not (x > 0).any():
        raise NotEnoughData("BG/NBD needs customers with repeat purchases")
    if (t_x > T).any() or (t_x < 0).any() or (x < 0).any():
        raise ValueError("each customer needs 0 <= t_x <= T and x >= 0")

    def cost(logs):
        return -bgnbd_log_likelihood(np.exp(logs), x, t_x, T).sum() / len(x)

    (r, alpha, a, b), log_likelihood = _fit(cost, 4, len(x))
    return BgNbd(r, alpha, a, b, log_likelihood)


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float
    log_likelihood: float

    @property
    def population_mean(self):
        """The mean purchase value across customers (``p * gamma / (q - 1)``)."""
        return self.p * self.gamma / (self.q - 1.0)

    def expected_value(self, x, m):
        """The value to expect of the next purchases of customers whose ``x`` repeat purchases
        averaged ``m`` (the population mean for ``x = 0``): a weighted mean of both."""
        x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
        p, q = self.p, self.q
        weight = p * x / (p * x + q - 1.0)
        return (1.0 - weight) * self.population_mean + weight * m


def gamma_gamma_log_likelihood(params, x, m):
    p, q, gamma = params
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1.0) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + x * m)
    )


def fit_gamma_gamma(x, m):
    """Gamma-Gamma fitted to customers with ``x`` > 0 repeat purchases of average value ``m``
    (customers without repeat purchases, or with a zero value, are left out)."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if len(x) < MIN_CUSTOMERS:
        raise NotEnoughData("Gamma-Gamma needs customers with repeat purchases")

    def cost(logs):
        return -gamma_gamma_log_likelihood(np.exp(logs), x, m).sum() / len(x)

    (p, q, gamma), log_likelihood = _fit(cost, 3, len(x))
    return GammaGamma(p, q, gamma, log_likelihood)


def lifetime_value(model, x, t_x, T, value, *, periods, period_length, discount_rate):
    """Customer lifetime value over the next ``periods`` (of ``period_length`` time units
    each, e.g. 12 months of 30 days): each period's expected purchases times ``value`` (what a
    purchase of theirs is expected to be worth), discounted at ``discount_rate`` per period."""
    x, t_x, T = _arrays(x, t_x, T)
    value = np.asarray(value, dtype=float)
    total = np.zeros_like(x)
    before = np.zeros_like(x)
    for n in range(1, periods + 1):
        upto = model.expected_purchases(n * period_length, x, t_x, T)
        total += (upto - before) * value / (1.0 + discount_rate) ** n
        before = upto
    return total


def _arrays(*columns):
    return tuple(np.asarray(c, dtype=float) for c in columns)


def _stop_when_running_off(intermediate_result):
    """Stop as soon as a parameter runs off to infinity (the histories do not pin it down):
    the search would otherwise walk on for thousands of steps to no purpose."""
    if np.any(intermediate_result.x > np.log(MAX_PARAM)):
        raise StopIteration


def _fit(cost, size, customers):
    """The parameters minimising ``cost`` (of their logarithms), and the log-likelihood;
    ``NotEnoughData`` when the histories do not pin them down (a value running off to
    infinity: everyone's purchases of one same value, say)."""
    found = minimize(
        cost,
        np.zeros(size),
        method="Nelder-Mead",
        callback=_stop_when_running_off,
        options={"maxiter": MAX_ITERATIONS, "xatol": 1e-7, "fatol": 1e-10},
    )
    params = np.exp(found.x)
    settled = np.isfinite(found.fun) and np.all(np.isfinite(params))
    if not (settled and np.all(params < MAX_PARAM)):
        raise NotEnoughData("the model could not be fitted to these histories")
    return tuple(float(p) for p in params), float(-found.fun * customers)
