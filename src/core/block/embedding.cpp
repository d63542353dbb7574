// embedding.cpp: named directions (one unit vector per (word, role) and per
// object) and E, the residual vector of a subject (the video's E ≈ M + J, with
// M = "first name Michael" and J = "last name Jordan").
//
// Directions must be the same numbers natively and in wasm, so they are drawn
// from factlab::Rng and refined with plain loops whose summation order is fixed
// in the source (no BLAS kernel whose blocking differs between builds).
#include "core/block/model.hpp"
#include "core/rng.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

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

// Hash key of (word, role): words never hold a newline (the parser splits on white space).
std::string role_key(std::string_view word, std::string_view role) {
    std::string k(role);
    k += '\n';
    k += word;
    return k;
}

}  // namespace

std::string token_role(int position, int count) {
    if (count <= 1) return "only";
    if (position <= 0) return "first";
    if (position >= count - 1) return "last";
    return position == 1 ? "middle" : "middle" + std::to_string(position);
}

std::string role_label(const std::string& role) {
    if (role == "only") return "one-word name";
    if (role == "first" || role == "middle" || role == "last") return role + " name";
    if (role.rfind("middle", 0) == 0) {
        std::string k = role.substr(6);
        const char* suffix = k == "2" ? "nd" : k == "3" ? "rd" : "th";
        return k + suffix + " middle name";
    }
    return role;
}

std::string token_label(const Model& m, int row) {
    if (row < 0 || size_t(row) >= m.vocab.tokens.size()) return "?";
    const std::string role = size_t(row) < m.vocab.roles.size() ? m.vocab.roles[size_t(row)] : std::string();
    return role.empty() ? m.vocab.tokens[size_t(row)] : role_label(role) + " " + m.vocab.tokens[size_t(row)];
}

int token_row(const Model& m, std::string_view word, std::string_view role) {
    const size_t rows = std::min({size_t(m.tokens.rows()), m.vocab.tokens.size(), m.vocab.roles.size()});
    for (size_t k = 0; k < rows; ++k)
        if (m.vocab.tokens[k] == word && m.vocab.roles[k] == role) return int(k);
    return -1;
}

std::vector<std::vector<int>> subject_rows(const Model& m, const FactSet& fs) {
    std::unordered_map<std::string, int> index;
    const size_t rows = std::min({size_t(m.tokens.rows()), m.vocab.tokens.size(), m.vocab.roles.size()});
    for (size_t k = 0; k < rows; ++k) index.emplace(role_key(m.vocab.tokens[k], m.vocab.roles[k]), int(k));
    std::vector<std::vector<int>> out(fs.subjects.size());
    for (size_t s = 0; s < fs.subjects.size() && s < fs.subject_tokens.size(); ++s) {
        const std::vector<int>& ids = fs.subject_tokens[s];
        const int n = int(ids.size());
        for (int i = 0; i < n; ++i) {
            const int id = ids[size_t(i)];
            auto it = id >= 0 && size_t(id) < fs.tokens.size() ? index.find(role_key(fs.tokens[size_t(id)], token_role(i, n)))
                                                                 : index.end();
            out[s].push_back(it == index.end() ? -1 : it->second);
        }
    }
    return out;
}

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
    // One row per (word, role), in the order the subjects first use them.
    std::unordered_map<std::string, int> seen;
    for (size_t s = 0; s < fs.subject_tokens.size(); ++s) {
        const std::vector<int>& ids = fs.subject_tokens[s];
        const int n = int(ids.size());
        for (int i = 0; i < n; ++i) {
            if (ids[size_t(i)] < 0 || size_t(ids[size_t(i)]) >= fs.tokens.size()) continue;
            const std::string& word = fs.tokens[size_t(ids[size_t(i)])];
            std::string role = token_role(i, n);
            if (!seen.emplace(role_key(word, role), int(m.vocab.tokens.size())).second) continue;
            m.vocab.tokens.push_back(word);
            m.vocab.roles.push_back(std::move(role));
        }
    }
    m.vocab.objects = fs.objects;
    m.vocab.relations = fs.relations;
    m.vocab.candidates = fs.candidates;
    // Separate streams: adding an object never moves a token's direction.
    m.tokens = random_directions(int(m.vocab.tokens.size()), d, stream_seed(seed, 0x746F6B656E73ull));   // (T, d)
    m.objects = random_directions(int(fs.objects.size()), d, stream_seed(seed, 0x6F626A656374ull)); // (O, d)
    m.mlp.W_up = Mat::Zero(0, d);                               // (0, d) until compiled or trained
    m.mlp.b_up = Vec::Zero(0);
    m.mlp.W_down = Mat::Zero(d, 0);
    m.mlp.b_down = Vec::Zero(d);
    return m;
}

Vec embed_tokens(const Model& m, const std::vector<std::string>& toks, std::vector<std::string>* unknown,
                 std::vector<int>* rows) {
    Vec E = Vec::Zero(m.d());                                   // (d)
    if (rows) rows->clear();
    const int n = int(toks.size());
    for (int i = 0; i < n; ++i) {
        const int id = token_row(m, toks[size_t(i)], token_role(i, n));
        if (rows) rows->push_back(id);
        if (id < 0) { if (unknown) unknown->push_back(toks[size_t(i)]); continue; }
        E += m.tokens.row(id).transpose();
    }
    return E;
}

}  // namespace factlab
