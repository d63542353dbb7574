// bounds.hpp: how nearly perpendicular can N directions in d dimensions be?
//
// Hard limits (no arrangement beats them), the random-vector baseline, and "how many
// fit" curves for an angle tolerance. A "pair within tolerance" means |angle - 90 deg|
// <= tol, i.e. |cos| <= eps with eps = sin(tol). Directions are lines: v and -v count
// as the same direction, so only |cos| matters.
//
//   Welch        max |cos| >= sqrt((N - d) / (d (N - 1)))                  (any N; 0 when N <= d)
//   Levenshtein  max cos^2 >= (3N - d^2 - 2d) / ((d + 2)(N - d))            (only when N > d(d+1)/2)
//   cap(phi)     share of the sphere S^{d-1} within angle phi of a point
//                = 1/2 I_{sin^2 phi}((d - 1)/2, 1/2) for phi <= 90 deg (regularised incomplete beta)
//   random       two independent random unit vectors: P(|cos| > eps) = 2 cap(acos eps);
//                the angle's standard deviation is about (180/pi)/sqrt(d) degrees
//                (Var cos = 1/d exactly).
#pragma once

namespace factlab {

double welch_bound(double n, int d);           // lower bound on max |cos|; 0 when n <= d
double levenshtein_bound(double n, int d);     // lower bound on max |cos|; NaN when n <= d(d+1)/2 (not applicable)
double worst_angle_limit_deg(double n, int d); // 90 - asin(the larger bound): no pair can do better

double log_cap_fraction(int d, double phi);    // log of cap(phi), phi in radians, [0, pi]
double log_random_tail(int d, double eps);     // log P(|cos| > eps) for random unit vectors
double random_angle_std_deg(int d);            // (180/pi) / sqrt(d)
// Median of the largest |cos| among n(n-1)/2 random pairs, from M P(|cos| > x) = ln 2
// (pairs treated as independent; measured maxima of seeded runs agree within a few %).
double random_worst_abs_cos(double n, int d);

// How many directions fit in d dimensions with every pair within `tol_deg` of 90 deg.
// All counts as log10 (they grow like e^d); +inf means "no limit from this bound".
struct FitCurves {
    int d = 0;
    double tol_deg = 0, eps = 0;         // eps = sin(tol)
    // Upper limits: no arrangement of more vectors exists.
    double log10_welch = 0;              // largest N with welch_bound(N) <= eps: d(1 - eps^2)/(1 - d eps^2)
    double log10_levenshtein = 0;        // from the Levenshtein bound: d(d+2)(1 - eps^2)/(3 - (d+2) eps^2)
    double log10_volume = 0;             // caps of half the least angle are disjoint: 1/(2 cap(acos(eps)/2))
    double log10_upper = 0;              // the smallest of the three
    // Constructions / estimates: at least this many fit.
    double log10_greedy = 0;             // Gilbert-Varshamov: greedy picking always reaches 1/P(|cos| > eps) (and d)
    double log10_random = 0;             // N random vectors are all within tolerance half the time: sqrt(2 ln 2 / P)
    double log10_jl = 0;                 // Johnson-Lindenstrauss rule of thumb exp(d eps^2 / 2) (log10)
};
FitCurves how_many_fit(int d, double tol_deg);

}  // namespace factlab
