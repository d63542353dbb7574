// edit_eval.cpp: the prompts and scores of a rewritten fact (see edit_eval.hpp).
#include "core/gpt/edit_eval.hpp"

#include <algorithm>
#include "core/gpt/lens.hpp"
#include "core/gpt/neurons.hpp"

namespace factlab {

namespace {
bool fail(std::string* error, const std::string& m) { if (error) *error = m; return false; }
}  // namespace

bool gpt_edit_prompts(const GptVocab& vocab, const FactSet& fs, const std::string& subject, const std::string& relation,
                      const std::string& new_object, GptEditProbe* out, std::string* error) {
    GptEditProbe pr;
    const int nt = int(gpt_templates(relation).size());
    if (!gpt_make_prompt(vocab, subject, relation, new_object, 0, &pr.edit, error)) return false;
    for (int t = 1; t < nt; ++t) {
        GptPrompt p;
        if (!gpt_make_prompt(vocab, subject, relation, new_object, t, &p, error)) return false;
        pr.paraphrase.push_back(std::move(p));
    }
    const int rid = fs.relation_id(relation);
    auto has_relation = [&](const std::string& s) {
        const int id = fs.subject_id(s);
        return id >= 0 && rid >= 0 && fs.object_of(id, rid) >= 0;
    };
    std::vector<std::string> names = gpt_near_miss_subjects(fs, subject);
    names.erase(std::remove_if(names.begin(), names.end(), [&](const std::string& s) { return !has_relation(s); }), names.end());
    if (names.empty())
        for (const std::string& s : fs.subjects)
            if (s != subject && has_relation(s) && names.size() < 10) names.push_back(s);
    for (const std::string& s : names)
        for (int t = 0; t < nt; ++t) {
            GptPrompt p;
            std::string e;
            if (!gpt_make_prompt(vocab, s, relation, fs.objects[size_t(fs.object_of(fs.subject_id(s), rid))], t, &p, &e)) continue;
            pr.neighbours.push_back(std::move(p));
        }
    *out = std::move(pr);
    return true;
}

bool gpt_object_probability(const GptWeights& w, const GptPrompt& p, float* out, std::string* error) {
    const int n = int(p.answer.size()) - 1;          // the object's words (the end token is last)
    if (n < 1 || p.tokens.empty()) return fail(error, "the prompt has no object");
    std::vector<int> seq = p.tokens;
    seq.insert(seq.end(), p.answer.begin(), p.answer.end() - 2);   // fed every object word but the last
    GptIntervention iv;
    iv.logits = GptLogits::all;
    GptCache cache;
    if (!gpt_forward(w, seq.data(), int(seq.size()), &iv, &cache, error)) return false;
    double prob = 1.0;
    for (int i = 0; i < n; ++i) {
        const Eigen::VectorXf q = gpt_softmax(cache.logits.row(int(p.tokens.size()) - 1 + i));
        prob *= double(q[p.answer[size_t(i)]]);
    }
    *out = float(prob);
    return true;
}

bool gpt_edit_neighbour(const GptWeights& w, const GptVocab& vocab, const GptPrompt& p, std::vector<int>* continuation,
                        float* prob, std::string* error) {
    if (!gpt_generate(w, p.tokens, vocab.end_id, int(p.answer.size()) + 1, continuation, error)) return false;
    return gpt_object_probability(w, p, prob, error);
}

bool gpt_edit_score_prompts(const GptWeights& w, const GptVocab& vocab, const GptEditProbe& pr, GptEditScores* s,
                            std::string* error) {
    bool k = false;
    if (!gpt_knows(w, pr.edit, vocab.end_id, &k, nullptr, error)) return false;
    s->efficacy = k ? 1.f : 0.f;
    if (!gpt_object_probability(w, pr.edit, &s->p_edit, error)) return false;
    int ok = 0;
    double psum = 0.0;
    for (const GptPrompt& p : pr.paraphrase) {
        float q = 0.f;
        if (!gpt_knows(w, p, vocab.end_id, &k, nullptr, error) || !gpt_object_probability(w, p, &q, error)) return false;
        ok += k;
        psum += q;
    }
    s->n_paraphrase = int(pr.paraphrase.size());
    s->paraphrase = pr.paraphrase.empty() ? 0.f : float(ok) / float(pr.paraphrase.size());
    s->p_paraphrase = pr.paraphrase.empty() ? 0.f : float(psum / double(pr.paraphrase.size()));
    GptPrediction pred;
    if (!gpt_predict(w, pr.edit.tokens, 1, &pred, error)) return false;
    s->p_new = pred.probs[pr.edit.answer[0]];
    return true;
}

void gpt_edit_score_neighbours(const GptEditProbe& pr, const std::vector<std::vector<int>>& now,
                               const std::vector<float>& p_now, GptEditScores* s) {
    const size_t n = std::min({now.size(), p_now.size(), pr.neighbours_before.size(), pr.neighbours_p_before.size()});
    int same = 0;
    double drop = 0.0;
    s->changed.clear();
    for (size_t i = 0; i < n; ++i) {
        if (now[i] == pr.neighbours_before[i]) ++same;
        else s->changed.push_back(int(i));
        drop += double(pr.neighbours_p_before[i]) - double(p_now[i]);
    }
    s->n_specificity = int(n);
    s->specificity = n == 0 ? 1.f : float(same) / float(n);
    s->specificity_drop = n == 0 ? 0.f : float(drop / double(n));
    s->neighbours_now.assign(now.begin(), now.begin() + long(n));
}

}  // namespace factlab
