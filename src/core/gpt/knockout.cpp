// knockout.cpp: attention knockout (see knockout.hpp).
#include "core/gpt/knockout.hpp"

#include <algorithm>

namespace factlab {

bool gpt_attention_knockout(const GptWeights& w, const std::vector<int>& tokens, int subject_first, int subject_end,
                            int answer, int window, GptKnockoutResult* out, std::string* error, bool naive) {
    auto bad = [&](const std::string& m) { if (error) *error = m; return false; };
    const int T = int(tokens.size()), L = w.config.n_layer, V = w.config.vocab_size;
    if (subject_first < 0 || subject_first >= subject_end || subject_end > T - 1)
        return bad("the subject [" + std::to_string(subject_first) + ", " + std::to_string(subject_end) +
                   ") must lie inside the prompt and end before its last position");
    if (window < 1 || window > L) return bad("the window must be from 1 to the " + std::to_string(L) + " layers");
    if (answer >= V) return bad("the answer token " + std::to_string(answer) + " is out of range");
    GptCache clean, work;
    if (!gpt_forward(w, tokens.data(), T, nullptr, &clean, error)) return false;
    GptKnockoutResult r;
    r.tokens = tokens;
    r.subject_first = subject_first;
    r.subject_end = subject_end;
    r.window = window;
    Eigen::VectorXf p = gpt_softmax(clean.logits.row(0));
    r.answer = answer;
    if (r.answer < 0) { r.answer = 0; for (int i = 1; i < V; ++i) if (p[i] > p[r.answer]) r.answer = i; }
    r.p_clean = p[r.answer];
    std::vector<int> keys;
    for (int j = subject_first; j < subject_end; ++j) keys.push_back(j);
    work = clean;
    GptIntervention iv;
    for (int l = L - 1; l >= 0; --l) {      // the region recomputed only grows: no fresh copy needed
        const int lo = std::max(0, l - window / 2), hi = std::min(L, l + window - window / 2);
        iv.knockouts.clear();
        for (int ll = lo; ll < hi; ++ll) iv.knockouts.push_back({ll, T - 1, keys});
        const bool ok = naive ? gpt_forward(w, tokens.data(), T, &iv, &work, error)
                              : gpt_forward_from(w, tokens.data(), T, lo, T - 1, &iv, &work, error);
        if (!ok) return false;
        const float pb = gpt_softmax(work.logits.row(0))[r.answer];
        r.p_blocked.insert(r.p_blocked.begin(), pb);
        r.change.insert(r.change.begin(), r.p_clean > 0.f ? (pb - r.p_clean) / r.p_clean : 0.f);
    }
    *out = std::move(r);
    return true;
}

}  // namespace factlab
