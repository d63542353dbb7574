// lookup.cpp: asking the model. Subject -> tokens -> E -> MLP block -> for
// every relation, its candidates ranked by objects[o]·out, softmax for a probability.
#include "core/block/model.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace factlab {

namespace {

// logits (O): objects · out for every object; ranks one relation's candidates.
RelationAnswer rank_candidates(const Model& m, const Vec& logits, int relation) {
    RelationAnswer a;
    a.relation = relation;
    if (relation < 0 || size_t(relation) >= m.vocab.candidates.size()) return a;
    for (int o : m.vocab.candidates[size_t(relation)]) {
        if (o < 0 || o >= logits.size()) continue;              // a damaged vocabulary: skip, don't read out of bounds
        a.ranking.push_back({o, logits[o], 0.0f});
    }
    // Best first; equal logits fall back to object id so the order is deterministic.
    std::sort(a.ranking.begin(), a.ranking.end(), [](const RankedObject& x, const RankedObject& y) {
        return x.logit != y.logit ? x.logit > y.logit : x.object < y.object;
    });
    if (a.ranking.empty()) return a;
    double top = a.ranking.front().logit, z = 0.0;               // softmax, shifted by the max for stability
    for (const RankedObject& r : a.ranking) z += std::exp(double(r.logit) - top);
    for (RankedObject& r : a.ranking) r.probability = float(std::exp(double(r.logit) - top) / z);
    return a;
}

Vec object_logits(const Model& m, const Eigen::Ref<const Vec>& out) {
    if (m.objects.cols() != out.size()) return Vec::Zero(m.objects.rows());
    Vec logits(m.objects.rows());                               // (O)
    logits.noalias() = m.objects * out;                         // (O, d)(d)
    return logits;
}

}  // namespace

RelationAnswer answer_relation(const Model& m, const Eigen::Ref<const Vec>& out, int relation) {
    return rank_candidates(m, object_logits(m, out), relation);
}

LookupResult lookup(const Model& m, std::string_view subject, const std::vector<unsigned char>* ablate) {
    LookupResult r;
    r.tokens = split_tokens(subject);
    r.subject = join_tokens(r.tokens);
    for (size_t i = 0; i < r.tokens.size(); ++i) r.roles.push_back(token_role(int(i), int(r.tokens.size())));
    Vec E = embed_tokens(m, r.tokens, &r.unknown_tokens, &r.rows);   // (d)
    mlp_forward(m.mlp, E, r.trace, ablate);
    Vec logits = object_logits(m, r.trace.out);                 // (O)
    for (size_t rel = 0; rel < m.vocab.relations.size(); ++rel)
        r.answers.push_back(rank_candidates(m, logits, int(rel)));
    return r;
}

EvalResult evaluate(const Model& m, const FactSet& fs, const std::vector<unsigned char>* ablate) {
    EvalResult res;
    res.facts = int(fs.facts.size());
    const int d = m.d();
    if (fs.fact_subject.size() != fs.facts.size() || fs.subject_tokens.size() != fs.subjects.size()) {
        for (int f = 0; f < res.facts; ++f) res.wrong.push_back(f);  // not built by make_fact_set
        return res;
    }

    // Names -> the model's ids (the fact set and the model may have different vocabularies).
    std::unordered_map<std::string, int> model_rel, model_obj;
    for (size_t k = 0; k < m.vocab.relations.size(); ++k) model_rel.emplace(m.vocab.relations[k], int(k));
    for (size_t k = 0; k < m.vocab.objects.size(); ++k) model_obj.emplace(m.vocab.objects[k], int(k));

    std::vector<std::vector<int>> facts_of(fs.subjects.size());
    for (size_t f = 0; f < fs.fact_subject.size(); ++f) facts_of[size_t(fs.fact_subject[f])].push_back(int(f));

    const std::vector<std::vector<int>> rows = subject_rows(m, fs);   // the words in their roles

    // Forward in chunks: one matrix product per chunk instead of a matvec per subject.
    const size_t chunk = 256;
    Mat X, H, OUT;
    for (size_t s0 = 0; s0 < fs.subjects.size(); s0 += chunk) {
        const size_t n = std::min(chunk, fs.subjects.size() - s0);
        X.setZero(d, Eigen::Index(n));                          // (d, n)
        for (size_t j = 0; j < n; ++j)
            for (int t : rows[s0 + j])
                if (t >= 0) X.col(Eigen::Index(j)) += m.tokens.row(t).transpose();   // as embed_tokens sums
        mlp_forward_batch(m.mlp, X, H, OUT, ablate);            // OUT (d, n)
        for (size_t j = 0; j < n; ++j) {
            Vec logits = object_logits(m, OUT.col(Eigen::Index(j)));
            for (int f : facts_of[s0 + j]) {
                auto rel = model_rel.find(fs.facts[size_t(f)].relation);
                auto obj = model_obj.find(fs.facts[size_t(f)].object);
                bool right = false;
                if (rel != model_rel.end() && obj != model_obj.end()) {
                    RelationAnswer a = rank_candidates(m, logits, rel->second);
                    right = !a.ranking.empty() && a.ranking.front().object == obj->second;
                }
                if (right) ++res.correct; else res.wrong.push_back(f);
            }
        }
    }
    std::sort(res.wrong.begin(), res.wrong.end());
    return res;
}

}  // namespace factlab
