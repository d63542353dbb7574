// gate.cpp: the AND gate in the wild (see gate.hpp).
#include "core/gpt/gate.hpp"

#include <algorithm>

namespace factlab {

namespace {

int argmax(const Eigen::VectorXf& p) {
    int top = 0;
    for (int i = 1; i < int(p.size()); ++i) if (p[i] > p[top]) top = i;   // ties: the lower id
    return top;
}

bool shares_word(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    for (const std::string& x : a)
        if (std::find(b.begin(), b.end(), x) != b.end()) return true;
    return false;
}

std::string join(const std::vector<std::string>& words) {
    std::string s;
    for (const std::string& w : words) s += (s.empty() ? "" : " ") + w;
    return s;
}

}  // namespace

bool gpt_replace_subject(const GptWeights& w, const GptVocab& vocab, const std::vector<int>& tokens, int subject_first,
                         int subject_end, const std::string& name, std::vector<int>* out, int* name_end,
                         std::string* error) {
    std::vector<int> ids;
    if (!vocab.encode(name, &ids, error)) return false;
    if (ids.empty()) { if (error) *error = "the name has no words"; return false; }
    std::vector<int> t(tokens.begin(), tokens.begin() + subject_first);
    t.insert(t.end(), ids.begin(), ids.end());
    t.insert(t.end(), tokens.begin() + subject_end, tokens.end());
    if (int(t.size()) > w.config.n_positions) {
        if (error) *error = "with \"" + name + "\" the prompt has " + std::to_string(t.size()) + " words; the context holds " +
                            std::to_string(w.config.n_positions);
        return false;
    }
    *out = std::move(t);
    *name_end = subject_first + int(ids.size());
    return true;
}

bool gpt_and_gate(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::vector<int>& tokens,
                  int subject_first, int subject_end, const GptGateOptions& opt, GptGate* out, std::string* error) {
    auto bad = [&](const std::string& m) { if (error) *error = m; return false; };
    const int T = int(tokens.size()), L = w.config.n_layer, F = w.config.n_inner;
    if (T < 1 || T > w.config.n_positions) return bad("the prompt must have from 1 to " + std::to_string(w.config.n_positions) + " words");
    if (subject_first < 0 || subject_first >= subject_end || subject_end > T)
        return bad("the subject [" + std::to_string(subject_first) + ", " + std::to_string(subject_end) +
                   ") must lie inside the prompt");
    GptGate g;
    g.tokens = tokens;
    g.subject_first = subject_first;
    g.subject_end = subject_end;
    g.position = subject_end - 1;
    g.subject = vocab.decode(tokens.data() + subject_first, subject_end - subject_first);
    const int p = g.position;

    GptCache clean;
    if (!gpt_forward(w, tokens.data(), T, nullptr, &clean, error)) return false;
    const Eigen::VectorXf p0 = gpt_softmax(clean.logits.row(0));
    g.answer = argmax(p0);
    g.p_clean = p0[g.answer];
    g.logit_clean = clean.logits(0, g.answer);

    // The subject, then its near misses, each run in the same prompt.
    const std::vector<std::string> me = gpt_split_words(g.subject);
    std::vector<GptCache> caches;
    auto add = [&](const std::string& name, bool first, bool last, const std::string& shares, bool in_facts,
                   const std::vector<int>& t, int end) {
        GptCache c;
        std::string e;
        if (!gpt_forward(w, t.data(), int(t.size()), nullptr, &c, &e)) return false;
        GptGateName n;
        n.name = name;
        n.first = first;
        n.last = last;
        n.shares = shares;
        n.in_facts = in_facts;
        n.position = end - 1;
        const Eigen::VectorXf q = gpt_softmax(c.logits.row(0));
        n.top = argmax(q);
        n.p_top = q[n.top];
        n.p_answer = q[g.answer];
        g.names.push_back(std::move(n));
        caches.push_back(std::move(c));
        return true;
    };
    add(g.subject, true, true, "subject", fs.subject_id(g.subject) >= 0, tokens, subject_end);
    std::vector<std::string> unrelated;
    for (const std::string& s : fs.subjects) {
        if (s == g.subject) continue;
        const std::vector<std::string> other = gpt_split_words(s);
        if (!shares_word(me, other)) { unrelated.push_back(s); continue; }
        const bool first = me.size() > 1 && other.size() > 1 && other.front() == me.front();
        const bool last = me.size() > 1 && other.size() > 1 && other.back() == me.back();
        std::vector<int> t;
        int end = 0;
        std::string e;
        if (!gpt_replace_subject(w, vocab, tokens, subject_first, subject_end, s, &t, &end, &e)) continue;
        add(s, first, last, first && last ? "both" : first ? "first" : last ? "last" : "other place", true, t, end);
    }
    if (me.size() > 1 && me.front() != me.back()) {   // the words swapped: "Jordan Michael"
        std::vector<std::string> sw = me;
        std::swap(sw.front(), sw.back());
        const std::string name = join(sw);
        std::vector<int> t;
        int end = 0;
        std::string e;
        if (fs.subject_id(name) < 0 && gpt_replace_subject(w, vocab, tokens, subject_first, subject_end, name, &t, &end, &e))
            add(name, false, false, "swapped", false, t, end);
    }
    const size_t M = g.names.size();   // 1 + near misses

    // Every neuron's activation, margin and contribution (one neuron off at p, answer's logit).
    std::vector<GptGateNeuron> all;
    all.reserve(size_t(L) * size_t(F));
    for (int l = 0; l < L; ++l)
        for (int n = 0; n < F; ++n) {
            GptGateNeuron s;
            s.layer = l;
            s.neuron = n;
            s.subject = clean.layers[size_t(l)].mlp_post(p, n);
            for (size_t m = 1; m < M; ++m) {
                const float a = caches[m].layers[size_t(l)].mlp_post(g.names[m].position, n);
                s.near_max = m == 1 ? a : std::max(s.near_max, a);
            }
            s.margin = s.subject - s.near_max;
            all.push_back(s);
        }
    GptCache work = clean;
    GptIntervention iv;
    for (int l = L - 1; l >= 0; --l)   // the region recomputed only grows: `work` needs no fresh copy
        for (int n = 0; n < F; ++n) {
            iv.ablations.assign(1, GptAblation{l, p, {n}});
            const bool ok = opt.naive ? gpt_forward(w, tokens.data(), T, &iv, &work, error)
                                      : gpt_forward_from(w, tokens.data(), T, l, p, &iv, &work, error);
            if (!ok) return false;
            all[size_t(l) * size_t(F) + size_t(n)].contribution = g.logit_clean - work.logits(0, g.answer);
        }

    // The best neuron: selective and pushing the answer (see the header).
    size_t best = 0;
    float best_score = -1.f;
    for (size_t i = 0; i < all.size(); ++i) {
        const float s = std::max(0.f, all[i].margin) * std::max(0.f, all[i].contribution);
        if (s > best_score) { best_score = s; best = i; }
    }
    if (!(best_score > 0.f))
        for (size_t i = 0; i < all.size(); ++i) if (all[i].contribution > all[best].contribution) best = i;
    g.best = all[best];
    for (size_t m = 0; m < M; ++m) g.names[m].activation = caches[m].layers[size_t(g.best.layer)].mlp_post(g.names[m].position, g.best.neuron);

    // The subjects sharing no word: the best neuron's activation there (no logits needed).
    GptIntervention none;
    none.logits = GptLogits::none;
    GptCache c;
    double sum = 0.0;
    for (const std::string& s : unrelated) {
        std::vector<int> t;
        int end = 0;
        std::string e;
        if (!gpt_replace_subject(w, vocab, tokens, subject_first, subject_end, s, &t, &end, &e)) continue;
        if (!gpt_forward(w, t.data(), int(t.size()), &none, &c, &e)) continue;
        const float a = c.layers[size_t(g.best.layer)].mlp_post(end - 1, g.best.neuron);
        if (g.unrelated == 0 || a > g.unrelated_max) { g.unrelated_max = a; g.unrelated_max_name = s; }
        sum += a;
        ++g.unrelated;
    }
    g.unrelated_mean = g.unrelated ? float(sum / g.unrelated) : 0.f;

    // The ablation curve: the k largest contributions off together at p.
    std::vector<size_t> order(all.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return all[a].contribution > all[b].contribution; });
    const int K = std::max(0, std::min(opt.top, L * F));
    for (int k = 0; k < K; ++k) g.ranked.push_back(all[order[size_t(k)]]);
    g.ablation.push_back(g.p_clean);
    work = clean;
    iv.ablations.clear();
    int lowest = L;
    for (int k = 1; k <= K; ++k) {
        const GptGateNeuron& s = g.ranked[size_t(k - 1)];
        auto it = std::find_if(iv.ablations.begin(), iv.ablations.end(), [&](const GptAblation& a) { return a.layer == s.layer; });
        if (it == iv.ablations.end()) iv.ablations.push_back(GptAblation{s.layer, p, {s.neuron}});
        else it->neurons.push_back(s.neuron);
        lowest = std::min(lowest, s.layer);   // never rises with k: the recomputed region only grows
        const bool ok = opt.naive ? gpt_forward(w, tokens.data(), T, &iv, &work, error)
                                  : gpt_forward_from(w, tokens.data(), T, lowest, p, &iv, &work, error);
        if (!ok) return false;
        const Eigen::VectorXf q = gpt_softmax(work.logits.row(0));
        g.ablation.push_back(q[g.answer]);
        if (g.flip < 0 && argmax(q) != g.answer) g.flip = k;
    }
    *out = std::move(g);
    return true;
}

}  // namespace factlab
