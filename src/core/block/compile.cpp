// compile.cpp: compiled storage, as in the video: one AND neuron per subject.
//
// For subject S with tokens t (counts c_S(t)) and E_S = Σ c_S(t)·u_t, where a
// token is a word in its role (u_t = "first name Michael", see token_role):
//   W_up row   = g·Σ c_S(t)·u_t − Σ_x w_x·u_x       (g = gate_scale)
//   b_up       = 1 − row·E_S                         (from the actual dot products)
//   W_down col = write_scale · Σ directions of S's objects (all relations)
//   b_down     = 0 for ReLU (GELU: cancels the silent neurons' small leak)
// so E_S gives pre-activation exactly 1. With unit, nearly orthogonal u, a
// subject S' gives pre ≈ 1 + g·Σ_t c_S(t)(c_S'(t) − c_S(t)) − Σ_x w_x·c_S'(x):
//   - missing any token of S: ≤ 1 − g (−1 at g = 2) → ReLU gives 0;
//   - carrying all of S's tokens (Michael B. Jordan ⊃ Michael Jordan): ≥ 1, so
//     S's row gets a veto −w_x on every token x that S' has and S lacks
//     (w_x = g normally; larger when repeated tokens add weight);
//   - no such token at all (S' only repeats S's tokens, "Ken Ken" vs "Ken"):
//     nothing can veto S's neuron, so S' cancels it in its own column instead:
//     col_S' −= post_S(E_S')·col_S. With role-bound tokens a word appears at
//     most once per role, so this only guards a model whose rows repeat.
// A superset keeps S's words in S's roles: Michael B. Jordan (first Michael,
// middle B., last Jordan) ⊃ Michael Jordan, vetoed by "middle name B."; New
// York City (middle York) does not contain New York (last York).
// Directions are only nearly orthogonal, so a near miss lands at −1 ± noise of
// about g·√k/√d; nothing here corrects that: shrinking d shows the interference.
#include "core/block/model.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace factlab {

namespace {

using Counts = std::vector<std::pair<int, int>>;                // (token id, count), sorted by id

Counts token_counts(const std::vector<int>& ids) {
    std::map<int, int> c;
    for (int t : ids) ++c[t];
    return Counts(c.begin(), c.end());
}

int count_of(const Counts& c, int token) {
    auto it = std::lower_bound(c.begin(), c.end(), std::make_pair(token, 0));
    return it != c.end() && it->first == token ? it->second : 0;
}

long norm2(const Counts& c) {
    long n = 0;
    for (auto [t, k] : c) n += long(k) * k;
    return n;
}

// What one subject's gate needs to know about the others.
struct Gate {
    Counts counts;
    std::vector<int> cancel;                                    // neurons that fire on this E and cannot be vetoed
    std::map<int, float> veto;                                  // token -> w_x
};

double dot_d(const Eigen::Ref<const Vec>& a, const Eigen::Ref<const Vec>& b) {
    double s = 0.0;
    for (Eigen::Index k = 0; k < a.size(); ++k) s += double(a[k]) * double(b[k]);
    return s;
}

// Row of neuron s from its tokens and vetoes, and the bias that puts E_S at exactly 1.
void build_gate(Model& m, int s, const std::vector<int>& ids, const Gate& gate, float g, const Vec& E_s) {
    Vec row = Vec::Zero(m.d());                                 // (d)
    for (int t : ids) row += g * m.tokens.row(t).transpose();
    for (auto [x, w] : gate.veto) row -= w * m.tokens.row(x).transpose();
    m.mlp.W_up.row(s) = row.transpose();
    m.mlp.b_up[s] = float(1.0 - dot_d(row, E_s));
}

}  // namespace

Model compile_model(const FactSet& fs, const CompileOptions& opt) {
    Model m = make_embedding(fs, opt.d, opt.seed);
    const int d = m.d();
    const int h = int(fs.subjects.size());
    const float g = opt.gate_scale;

    const std::vector<std::vector<int>> rows = subject_rows(m, fs);   // per subject: its (word, role) rows
    std::vector<Gate> gates(static_cast<size_t>(h));
    std::vector<std::vector<int>> posting(size_t(m.tokens.rows()));   // token row -> subjects that have it
    for (int s = 0; s < h; ++s) {
        gates[size_t(s)].counts = token_counts(rows[size_t(s)]);
        for (auto [t, c] : gates[size_t(s)].counts) posting[size_t(t)].push_back(s);
    }

    // Symbolic pass: which subjects would trip S's gate, and what vetoes them.
    std::vector<int> stamp(static_cast<size_t>(h), -1);
    for (int s = 0; s < h; ++s) {
        Gate& gate = gates[size_t(s)];
        const Counts& cs = gate.counts;
        for (auto [t0, c0] : cs) {
            for (int s2 : posting[size_t(t0)]) {
                if (s2 == s || stamp[size_t(s2)] == s) continue;
                stamp[size_t(s2)] = s;
                const Counts& c2 = gates[size_t(s2)].counts;
                long sum = 0;                                   // Σ_t c_S(t)(c_S'(t) − c_S(t))
                for (auto [t, c] : cs) sum += long(c) * (count_of(c2, t) - c);
                long fresh = 0;                                 // tokens of S' that S does not have
                for (auto [t, c] : c2) if (count_of(cs, t) == 0) fresh += c;
                if (sum >= 0 && fresh == 0) {                   // no veto possible
                    if (c2 != cs) gates[size_t(s2)].cancel.push_back(s);
                    continue;
                }
                if (sum < 0) continue;                          // S' lacks a token of S: the gate holds
                float w = std::max(g, g * float(sum + 1) / float(fresh));
                for (auto [t, c] : c2)
                    if (count_of(cs, t) == 0) { float& v = gate.veto[t]; v = std::max(v, w); }
            }
        }
    }

    m.mlp.act = opt.act;
    m.mlp.W_up = Mat::Zero(h, d);                               // (h, d)
    m.mlp.b_up = Vec::Zero(h);                                  // (h)
    m.mlp.W_down = Mat::Zero(d, h);                             // (d, h)
    m.mlp.b_down = Vec::Zero(d);                                // (d)
    m.neuron_labels = fs.subjects;

    std::vector<Vec> E(static_cast<size_t>(h));                 // (d) each, summed as lookup() does
    for (int s = 0; s < h; ++s) {
        const std::vector<int>& ids = rows[size_t(s)];
        E[size_t(s)] = Vec::Zero(d);
        for (int t : ids) E[size_t(s)] += m.tokens.row(t).transpose();
        if (ids.empty()) { m.mlp.b_up[s] = -1.0f; continue; }  // no tokens, nothing to match: stay silent
        build_gate(m, s, ids, gates[size_t(s)], g, E[size_t(s)]);
    }

    // Columns: what each neuron writes, the sum of its subject's objects.
    std::vector<std::vector<int>> objs(static_cast<size_t>(h));
    for (size_t f = 0; f < fs.fact_subject.size(); ++f) objs[size_t(fs.fact_subject[f])].push_back(fs.fact_object[f]);
    for (int s = 0; s < h; ++s) {
        std::vector<int>& o = objs[size_t(s)];
        std::sort(o.begin(), o.end());
        o.erase(std::unique(o.begin(), o.end()), o.end());
        for (int id : o) m.mlp.W_down.col(s) += opt.write_scale * m.objects.row(id).transpose();
    }

    // Cancellations, smallest Σc² first: a neuron that fires on E_S' and cannot
    // be vetoed has a strictly smaller Σc² than S' (Cauchy–Schwarz, unless the
    // multisets are equal), so its column is final before S' uses it.
    std::vector<int> order(static_cast<size_t>(h));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return norm2(gates[size_t(a)].counts) < norm2(gates[size_t(b)].counts); });
    for (int s2 : order) {
        for (int s : gates[size_t(s2)].cancel) {
            float pre = float(dot_d(m.mlp.W_up.row(s).transpose(), E[size_t(s2)])) + m.mlp.b_up[s];
            float post = activate(opt.act, pre);
            if (post != 0.0f) m.mlp.W_down.col(s2) -= post * m.mlp.W_down.col(s);
        }
    }

    // b_down: ReLU's silent neurons write nothing, so it is 0. GELU leaks
    // gelu(pre) < 0 from every silent neuron at its resting level 1 − g·Σc²
    // (−1 for a one-token name like "Pelé", whatever the lookup), which would
    // push its objects down in every answer; b_down cancels that resting leak.
    for (int s = 0; s < h; ++s) {
        float rest = rows[size_t(s)].empty() ? -1.0f : 1.0f - g * float(norm2(gates[size_t(s)].counts));
        float leak = activate(opt.act, rest);
        if (leak != 0.0f) m.mlp.b_down -= leak * m.mlp.W_down.col(s);
    }
    return m;
}

}  // namespace factlab
