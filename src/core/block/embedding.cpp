// embedding.cpp: named directions (one unit vector per token and per object)
// and E, the residual vector of a subject (the video's E ≈ M + J).
//
// Directions must be the same numbers natively and in wasm, so they are drawn
// from factlab::Rng and refined with plain loops whose summation order is fixed
// in the source (no BLAS kernel whose blocking differs between builds).
#include "core/block/model.hpp"
#include "core/rng.hpp"

#include <algorithm>
#include <cmath>

namespace factlab {

namespace {

// Dot product with eight partial sums in a fixed order: deterministic on every
// build (-ffp-contract=off), yet the compiler may still vectorise it.
float dot_fixed(const float* a, const float* b, int d) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int k = 0;
    for (; k + 8 <= d; k += 8)
        for (int l = 0; l < 8; ++l) acc[l] += a[k + l] * b[k + l];
    for (int l = 0; k < d; ++k, ++l) acc[l] += a[k] * b[k];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

void normalise_row(float* v, int d) {
    double s = 0.0;
    for (int k = 0; k < d; ++k) s += double(v[k]) * double(v[k]);
    if (s <= 0.0) { v[0] = 1.0f; return; }                    // never drawn, but stay a unit vector
    double inv = 1.0 / std::sqrt(s);
    for (int k = 0; k < d; ++k) v[k] = float(double(v[k]) * inv);
}

uint64_t stream_seed(uint64_t seed, uint64_t salt) { return Rng(seed ^ salt).next_u64(); }

}  // namespace

Mat random_directions(int n, int d, uint64_t seed) {
    if (n <= 0 || d <= 0) return Mat::Zero(std::max(n, 0), std::max(d, 0));
    std::vector<float> V(size_t(n) * size_t(d));               // (n, d) row-major while we work
    Rng rng(seed);
    for (int i = 0; i < n; ++i) {
        float* v = &V[size_t(i) * size_t(d)];
        for (int k = 0; k < d; ++k) v[k] = float(rng.normal());
        normalise_row(v, d);
    }

    // Push close pairs apart. Random unit vectors have |cos| ≈ 1/√d; pairs beyond
    // two of those are nudged: v_i -= α·shrink(cos_ij)·v_j (and j likewise), where
    // shrink(c) = c ∓ τ. Four steps bring the worst pair of 450 × 256 from
    // |cos| ≈ 0.30 to ≈ 0.13 while the typical pair stays ≈ 1/√d.
    const double pair_work = 0.5 * double(n) * double(n - 1) * double(d);
    const double budget = 2.5e9;                                // multiply-adds; n ≈ 2,000 at d = 256
    int steps = pair_work > 0 ? int(std::min(4.0, std::floor(budget / pair_work))) : 0;
    const float tau = 2.0f / std::sqrt(float(d));
    const float alpha = 0.5f;
    std::vector<float> U;
    for (int step = 0; step < steps; ++step) {
        U = V;
        for (int i = 0; i < n; ++i) {
            const float* vi = &V[size_t(i) * size_t(d)];
            for (int j = i + 1; j < n; ++j) {
                const float* vj = &V[size_t(j) * size_t(d)];
                float c = dot_fixed(vi, vj, d);
                if (std::fabs(c) <= tau) continue;
                float s = alpha * (c > 0 ? c - tau : c + tau);
                float* ui = &U[size_t(i) * size_t(d)];
                float* uj = &U[size_t(j) * size_t(d)];
                for (int k = 0; k < d; ++k) { ui[k] -= s * vj[k]; uj[k] -= s * vi[k]; }
            }
        }
        for (int i = 0; i < n; ++i) normalise_row(&U[size_t(i) * size_t(d)], d);
        V.swap(U);
    }

    Mat out(n, d);                                              // (n, d)
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < d; ++k) out(i, k) = V[size_t(i) * size_t(d) + size_t(k)];
    return out;
}

Model make_embedding(const FactSet& fs, int d, uint64_t seed) {
    Model m;
    d = std::max(d, 1);
    m.vocab.tokens = fs.tokens;
    m.vocab.objects = fs.objects;
    m.vocab.relations = fs.relations;
    m.vocab.candidates = fs.candidates;
    // Separate streams: adding an object never moves a token's direction.
    m.tokens = random_directions(int(fs.tokens.size()), d, stream_seed(seed, 0x746F6B656E73ull));   // (T, d)
    m.objects = random_directions(int(fs.objects.size()), d, stream_seed(seed, 0x6F626A656374ull)); // (O, d)
    m.mlp.W_up = Mat::Zero(0, d);                               // (0, d) until compiled or trained
    m.mlp.b_up = Vec::Zero(0);
    m.mlp.W_down = Mat::Zero(d, 0);
    m.mlp.b_down = Vec::Zero(d);
    return m;
}

Vec embed_tokens(const Model& m, const std::vector<std::string>& toks, std::vector<std::string>* unknown) {
    Vec E = Vec::Zero(m.d());                                   // (d)
    const std::vector<std::string>& vocab = m.vocab.tokens;
    const Eigen::Index rows = std::min<Eigen::Index>(m.tokens.rows(), Eigen::Index(vocab.size()));
    for (const std::string& t : toks) {
        Eigen::Index id = -1;
        for (Eigen::Index k = 0; k < rows; ++k)
            if (vocab[size_t(k)] == t) { id = k; break; }
        if (id < 0) { if (unknown) unknown->push_back(t); continue; }
        E += m.tokens.row(id).transpose();
    }
    return E;
}

}  // namespace factlab
