// neurons.cpp: the AND gate in the wild (see neurons.hpp).
#include "core/gpt/neurons.hpp"

#include <algorithm>
#include <numeric>

namespace factlab {

std::vector<std::string> gpt_near_miss_subjects(const FactSet& fs, const std::string& subject,
                                                std::vector<std::string>* shares) {
    std::vector<std::string> out;
    if (shares) shares->clear();
    const std::vector<std::string> me = gpt_split_words(subject);
    if (me.size() < 2) return out;               // a one-word name has no first and last name
    for (const std::string& s : fs.subjects) {
        if (s == subject) continue;
        const std::vector<std::string> other = gpt_split_words(s);
        if (other.size() < 2) continue;
        const bool first = other.front() == me.front(), last = other.back() == me.back();
        if (!first && !last) continue;
        out.push_back(s);
        if (shares) shares->push_back(first && last ? "both" : first ? "first" : "last");
    }
    return out;
}

bool gpt_and_neurons(const GptWeights& w, const GptVocab& vocab, const FactSet& fs, const std::string& subject,
                     const std::string& relation, int template_id, int k, GptNeuronReport* out, std::string* error) {
    const int L = w.config.n_layer, F = w.config.n_inner, V = w.config.vocab_size;
    GptNeuronReport r;
    const int sid = fs.subject_id(subject), rid = fs.relation_id(relation);
    const int oid = sid >= 0 && rid >= 0 ? fs.object_of(sid, rid) : -1;
    const std::string object = oid >= 0 ? fs.objects[size_t(oid)] : std::string();
    // The prompt (the object only matters for the answer; a placeholder word when unknown).
    if (!gpt_make_prompt(vocab, subject, relation, oid >= 0 ? object : vocab.words[size_t(vocab.end_id)], template_id,
                         &r.prompt, error))
        return false;
    r.position = r.prompt.subject_end - 1;
    GptCache clean;
    const int T = int(r.prompt.tokens.size());
    if (!gpt_forward(w, r.prompt.tokens.data(), T, nullptr, &clean, error)) return false;
    Eigen::VectorXf p = gpt_softmax(clean.logits.row(0));
    r.answer = oid >= 0 ? r.prompt.answer[0] : 0;
    if (oid < 0) for (int i = 1; i < V; ++i) if (p[i] > p[r.answer]) r.answer = i;
    r.p_clean = p[r.answer];

    std::vector<std::string> shares;
    std::vector<std::string> names = gpt_near_miss_subjects(fs, subject, &shares);
    std::vector<GptCache> near(names.size());
    for (size_t m = 0; m < names.size(); ++m) {
        GptNearMiss nm;
        nm.subject = names[m];
        nm.shares = shares[m];
        std::string e;
        if (!gpt_make_prompt(vocab, names[m], relation, vocab.words[size_t(vocab.end_id)], template_id, &nm.prompt, &e)) continue;
        if (!gpt_forward(w, nm.prompt.tokens.data(), int(nm.prompt.tokens.size()), nullptr, &near[r.near_misses.size()], &e)) continue;
        r.near_misses.push_back(std::move(nm));
    }
    const size_t M = r.near_misses.size();
    k = std::max(0, std::min(k, F));

    GptCache work = clean;
    GptIntervention iv;
    for (int l = L - 1; l >= 0; --l) {
        // Scores at the subject's last token, every neuron.
        std::vector<GptNeuronScore> all(static_cast<size_t>(F));
        for (int n = 0; n < F; ++n) {
            GptNeuronScore& s = all[size_t(n)];
            s.neuron = n;
            s.subject = clean.layers[size_t(l)].mlp_post(r.position, n);
            double sum = 0.0;
            for (size_t m = 0; m < M; ++m) {
                const float a = near[m].layers[size_t(l)].mlp_post(r.near_misses[m].prompt.subject_end - 1, n);
                s.near_max = m == 0 ? a : std::max(s.near_max, a);
                sum += a;
            }
            s.near_mean = M ? float(sum / double(M)) : 0.f;
            s.margin = s.subject - s.near_max;
        }
        std::stable_sort(all.begin(), all.end(), [](const GptNeuronScore& a, const GptNeuronScore& b) { return a.margin > b.margin; });
        GptNeuronLayer layer;
        layer.best.assign(all.begin(), all.begin() + k);
        if (F > 0)
            for (size_t m = 0; m < M; ++m)
                layer.best_near.push_back(near[m].layers[size_t(l)].mlp_post(r.near_misses[m].prompt.subject_end - 1, all[0].neuron));
        // The ablation curve: the n best off at the subject's last token. Every run recomputes the
        // same rows and layers (>= l, >= position), so `work` needs no fresh copy.
        iv.ablations.assign(1, GptAblation{l, r.position, {}});
        layer.ablation.push_back(r.p_clean);
        for (int n = 1; n <= F; ++n) {
            iv.ablations[0].neurons.push_back(all[size_t(n - 1)].neuron);
            if (!gpt_forward_from(w, r.prompt.tokens.data(), T, l, r.position, &iv, &work, error)) return false;
            Eigen::VectorXf q = gpt_softmax(work.logits.row(0));
            layer.ablation.push_back(q[r.answer]);
            if (layer.flip < 0) {
                int top = 0;
                for (int i = 1; i < V; ++i) if (q[i] > q[top]) top = i;
                if (top != r.answer) layer.flip = n;
            }
        }
        {   // the clean top token may already differ from the answer
            int top = 0;
            for (int i = 1; i < V; ++i) if (p[i] > p[top]) top = i;
            if (top != r.answer) layer.flip = 0;
        }
        r.layers.insert(r.layers.begin(), std::move(layer));
    }
    *out = std::move(r);
    return true;
}

}  // namespace factlab
