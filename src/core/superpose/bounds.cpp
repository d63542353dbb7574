// bounds.cpp: Welch, Levenshtein, spherical caps, random baselines, "how many fit".
#include "core/superpose/bounds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace factlab {
namespace {

constexpr double kPi = 3.14159265358979323846;

// log I_x(a, b) for x < (a + 1)/(a + b + 2), by the continued fraction
//   I_x(a,b) = x^a (1-x)^b / (a B(a,b)) * 1/(1 + d1/(1 + d2/(1 + ...)))
//   d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d_{2m} = m(b-m) x / ((a+2m-1)(a+2m))
// evaluated with the modified Lentz method.
double log_ibeta_cf(double x, double a, double b) {
    const double tiny = 1e-300;
    double f = 1.0, c = 1.0, dd = 0.0;
    for (int k = 1; k < 10000; ++k) {
        const int m = k / 2;
        double coef;
        if (k % 2 == 1) coef = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
        else coef = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
        dd = 1.0 + coef * dd;
        if (std::fabs(dd) < tiny) dd = tiny;
        c = 1.0 + coef / c;
        if (std::fabs(c) < tiny) c = tiny;
        dd = 1.0 / dd;
        const double delta = c * dd;
        f *= delta;
        if (std::fabs(delta - 1.0) < 1e-15) break;
    }
    // 1/(1 + d1/(1 + ...)) : the loop computed the continued fraction 1 + d1/(1 + ...) = f
    const double log_pre = a * std::log(x) + b * std::log1p(-x) - std::log(a) -
                           (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
    return log_pre - std::log(f);
}

// log of the regularised incomplete beta function I_x(a, b).
double log_ibeta(double x, double a, double b) {
    if (x <= 0) return -std::numeric_limits<double>::infinity();
    if (x >= 1) return 0.0;
    if (x < (a + 1) / (a + b + 2)) return log_ibeta_cf(x, a, b);
    return std::log1p(-std::exp(log_ibeta_cf(1 - x, b, a)));
}

double log10_of_count(double n) { return n <= 0 ? -std::numeric_limits<double>::infinity() : std::log10(n); }

}  // namespace

double welch_bound(double n, int d) {
    if (n <= d || n < 2) return 0.0;
    return std::sqrt((n - d) / (double(d) * (n - 1)));
}

double levenshtein_bound(double n, int d) {
    const double dd = d;
    if (n <= dd * (dd + 1) / 2) return std::numeric_limits<double>::quiet_NaN();
    return std::sqrt((3 * n - dd * dd - 2 * dd) / ((dd + 2) * (n - dd)));
}

double worst_angle_limit_deg(double n, int d) {
    double b = welch_bound(n, d);
    const double l = levenshtein_bound(n, d);
    if (!std::isnan(l)) b = std::max(b, l);
    return 90.0 - std::asin(std::min(b, 1.0)) * 180.0 / kPi;
}

double log_cap_fraction(int d, double phi) {
    if (phi <= 0) return -std::numeric_limits<double>::infinity();
    if (phi >= kPi) return 0.0;
    if (phi > kPi / 2) return std::log1p(-std::exp(log_cap_fraction(d, kPi - phi)));
    const double s = std::sin(phi);
    return std::log(0.5) + log_ibeta(s * s, 0.5 * (d - 1), 0.5);
}

double log_random_tail(int d, double eps) {
    if (eps <= 0) return 0.0;
    if (eps >= 1) return -std::numeric_limits<double>::infinity();
    return std::log(2.0) + log_cap_fraction(d, std::acos(eps));
}

double random_angle_std_deg(int d) { return 180.0 / kPi / std::sqrt(double(d)); }

double random_worst_abs_cos(double n, int d) {
    const double log_m = std::log(n * (n - 1) / 2);
    const double target = std::log(std::log(2.0));
    double lo = 0, hi = 1;                                 // tail(lo) too big, tail(hi) too small
    for (int it = 0; it < 60; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (log_m + log_random_tail(d, mid) > target) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

FitCurves how_many_fit(int d, double tol_deg) {
    FitCurves f;
    const double inf = std::numeric_limits<double>::infinity();
    const double dd = d;
    f.d = d;
    f.tol_deg = tol_deg;
    f.eps = std::sin(tol_deg * kPi / 180.0);
    const double e2 = f.eps * f.eps;
    // Welch: (N - d)/(d (N - 1)) <= eps^2  <=>  N (1 - d eps^2) <= d (1 - eps^2)
    f.log10_welch = dd * e2 < 1 ? log10_of_count(std::floor(dd * (1 - e2) / (1 - dd * e2))) : inf;
    // Levenshtein applies above d(d+1)/2, where the bound grows with N from 1/(d+2) to 3/(d+2).
    const double half = dd * (dd + 1) / 2;
    if ((dd + 2) * e2 >= 3) f.log10_levenshtein = inf;
    else f.log10_levenshtein = log10_of_count(std::max(half, std::floor(dd * (dd + 2) * (1 - e2) / (3 - (dd + 2) * e2))));
    // Volume: the 2N points +-v_i are acos(eps) apart; caps of half that radius do not overlap.
    f.log10_volume = (-std::log(2.0) - log_cap_fraction(d, 0.5 * std::acos(f.eps))) / std::log(10.0);
    f.log10_upper = std::min({f.log10_welch, f.log10_levenshtein, f.log10_volume});
    const double log_p = log_random_tail(d, f.eps);        // log P(|cos| > eps)
    f.log10_greedy = std::max(std::log10(dd), -log_p / std::log(10.0));
    f.log10_random = 0.5 * (std::log(2 * std::log(2.0)) - log_p) / std::log(10.0);
    f.log10_jl = dd * e2 / 2 / std::log(10.0);
    return f;
}

}  // namespace factlab
