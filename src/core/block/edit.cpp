// edit.cpp: rank-one fact edits (ROME form) and their collateral (see edit.hpp).
//
// Dimension legend: d = d_model, h = hidden, n = stored subjects, c = candidates.
//
// [SECTION] math      keys, key covariance, the ROME update
// [SECTION] target    δ: the smallest change that makes the new object win
// [SECTION] edit      apply one method, compare every fact before and after
#include "core/block/edit.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <Eigen/Cholesky>

namespace factlab {

const char* edit_method_name(EditMethod m) {
    switch (m) {
        case EditMethod::Rome: return "rome";
        case EditMethod::Column: return "column";
        case EditMethod::Plain: return "plain";
    }
    return "rome";
}

bool edit_method_from_name(const std::string& s, EditMethod* out) {
    if (s == "rome") { *out = EditMethod::Rome; return true; }
    if (s == "column") { *out = EditMethod::Column; return true; }
    if (s == "plain") { *out = EditMethod::Plain; return true; }
    return false;
}

// ============================================================================
// [SECTION] math
// ============================================================================

Vec subject_key(const Mlp& mlp, const Eigen::Ref<const Vec>& E) {
    Vec pre(mlp.hidden());                                // (h)
    pre.noalias() = mlp.W_up * E;
    pre += mlp.b_up;
    Vec k(mlp.hidden());                                  // (h)
    for (int i = 0; i < k.size(); ++i) k[i] = activate(mlp.act, pre[i]);
    return k;
}

namespace {
// K for the subjects [s0, s0 + n) of fs, E built from the words in their roles: (h, n).
Mat keys_of(const Model& m, const std::vector<std::vector<int>>& rows, int s0, int n) {
    Mat X = Mat::Zero(m.d(), n);                          // (d, n)
    for (int s = 0; s < n; ++s)
        for (int t : rows[size_t(s0 + s)])
            if (t >= 0) X.col(s) += m.tokens.row(t).transpose();
    Mat P(m.mlp.hidden(), n);                             // (h, n)
    P.noalias() = m.mlp.W_up * X;
    P.colwise() += m.mlp.b_up;
    const Activation a = m.mlp.act;
    Mat K = P.unaryExpr([a](float x) { return activate(a, x); });   // (h, n)
    return K;
}
}  // namespace

Mat subject_keys(const Model& m, const FactSet& fs) {
    return keys_of(m, subject_rows(m, fs), 0, int(fs.subjects.size()));
}

bool key_covariance_factor(const Model& m, const FactSet& fs, float ridge, KeyCovariance* out, std::string* err,
                           long long max_cells) {
    const int h = m.mlp.hidden(), n = int(fs.subjects.size());
    out->ok = false;                                      // (not *out = {}: a fresh LDLT is uninitialised)
    out->hidden = 0;
    if (h < 1) { *err = "the model has no neurons"; return false; }
    if ((long long)h * h > max_cells) {
        *err = "ROME's key covariance is " + std::to_string(h) + " × " + std::to_string(h) + " (" +
               std::to_string((long long)h * h) + " numbers), more than the " + std::to_string(max_cells) + " allowed here";
        return false;
    }
    // K in chunks of subjects, so that no more than max_cells keys exist at once.
    const std::vector<std::vector<int>> rows = subject_rows(m, fs);   // words in their roles
    const long long chunk = std::max<long long>(1, max_cells / h);
    Mat C(h, h);                                          // (h, h)
    if (chunk >= n) {
        const Mat K = keys_of(m, rows, 0, n);          // (h, n)
        C.noalias() = K * K.transpose();                  // exactly key_covariance's
    } else {
        C.setZero();
        for (int s0 = 0; s0 < n; s0 += int(chunk)) {
            const Mat K = keys_of(m, rows, s0, int(std::min<long long>(chunk, n - s0)));   // (h, chunk)
            C.noalias() += K * K.transpose();
        }
    }
    const double tr = C.trace();
    out->lambda = float(tr > 0 ? ridge * tr / h : ridge);
    C.diagonal().array() += out->lambda;
    out->ldlt.compute(C);
    out->ridge = ridge;
    out->hidden = h;
    out->ok = out->ldlt.info() == Eigen::Success;
    if (!out->ok) *err = "the key covariance could not be factorised";
    return out->ok;
}

Mat key_covariance(const Eigen::Ref<const Mat>& K, float ridge, float* lambda) {
    const int h = int(K.rows());
    Mat C(h, h);                                          // (h, h)
    C.noalias() = K * K.transpose();
    const double tr = C.trace();
    const float lam = float(tr > 0 ? ridge * tr / h : ridge);
    C.diagonal().array() += lam;
    if (lambda) *lambda = lam;
    return C;
}

bool rome_update(Mat& W_down, const Eigen::Ref<const Mat>& C, const Eigen::Ref<const Vec>& k,
                 const Eigen::Ref<const Vec>& v_star) {
    const Eigen::LDLT<Mat> C_ldlt(C);                     // C = L D Lᵀ, (h, h); C is symmetric positive definite
    return rome_update(W_down, C_ldlt, k, v_star);
}

bool rome_update(Mat& W_down, const Eigen::LDLT<Mat>& C_ldlt, const Eigen::Ref<const Vec>& k,
                 const Eigen::Ref<const Vec>& v_star) {
    const Vec u = C_ldlt.solve(k);                        // (h)  C⁻¹k*
    const float denom = u.dot(k);                         // (C⁻¹k*)ᵀ k*
    if (!(denom > 0.0f) || !u.allFinite()) return false;
    Vec Wk(W_down.rows());                                // (d)
    Wk.noalias() = W_down * k;
    const Vec Lambda = (v_star - Wk) / denom;             // (d)
    W_down.noalias() += Lambda * u.transpose();
    return true;
}

// ============================================================================
// [SECTION] target
// ============================================================================

namespace {

// The model's answer (object id, -1 if none) for every fact of fs, one lookup per subject.
struct Answers {
    std::vector<int> object;                              // per fact
    std::vector<LookupResult> per_subject;
};

// Only the subjects in `mask` are asked (the others' facts keep object -1);
// only subject `keep` keeps its trace (a trace holds two h-vectors).
Answers answer_all(const Model& m, const FactSet& fs, const std::vector<int>& model_relation,
                   const std::vector<unsigned char>& mask, int keep) {
    Answers a;
    a.per_subject.resize(fs.subjects.size());
    for (size_t s = 0; s < fs.subjects.size(); ++s) {
        if (!mask[s]) continue;
        a.per_subject[s] = lookup(m, fs.subjects[s]);
        if (int(s) != keep) a.per_subject[s].trace = Trace{};
    }
    a.object.assign(fs.facts.size(), -1);
    for (size_t f = 0; f < fs.facts.size(); ++f) {
        const int mr = model_relation[size_t(fs.fact_relation[f])];
        const LookupResult& r = a.per_subject[size_t(fs.fact_subject[f])];
        if (mr < 0 || size_t(mr) >= r.answers.size() || r.answers[size_t(mr)].ranking.empty()) continue;
        a.object[f] = r.answers[size_t(mr)].ranking[0].object;
    }
    return a;
}

// The subjects an edit compares (EditRequest::max_eval_subjects): all, or the
// edited one, those sharing a token with it, then the first ones, up to `max`.
std::vector<unsigned char> eval_mask(const FactSet& fs, int subject, int max) {
    const int n = int(fs.subjects.size());
    if (max <= 0 || max >= n) return std::vector<unsigned char>(size_t(n), 1);
    std::vector<unsigned char> mask(size_t(n), 0);
    int left = max;
    mask[size_t(subject)] = 1;
    --left;
    const std::vector<int>& mine = fs.subject_tokens[size_t(subject)];
    for (int s = 0; s < n && left > 0; ++s) {
        if (mask[size_t(s)]) continue;
        for (int t : fs.subject_tokens[size_t(s)])
            if (std::find(mine.begin(), mine.end(), t) != mine.end()) { mask[size_t(s)] = 1; --left; break; }
    }
    for (int s = 0; s < n && left > 0; ++s)
        if (!mask[size_t(s)]) { mask[size_t(s)] = 1; --left; }
    return mask;
}

// Logit of `object` and the best logit of any other candidate, from a ranking.
void lead_of(const RelationAnswer& ans, int object, float* own, float* best_other, float* prob) {
    *own = -INFINITY;
    *best_other = -INFINITY;
    *prob = 0;
    for (const RankedObject& r : ans.ranking) {
        if (r.object == object) { *own = r.logit; *prob = r.probability; }
        else if (r.logit > *best_other) *best_other = r.logit;
    }
}

}  // namespace

// ============================================================================
// [SECTION] edit
// ============================================================================

EditReport edit_fact(const Model& m, const FactSet& fs, const EditRequest& req, Model* edited,
                     const KeyCovariance* cov) {
    EditReport rep;
    rep.method = req.method;
    auto bad = [&](const std::string& why) { rep.ok = false; rep.error = why; return rep; };
    if (!(req.ridge > 0.0f) || !(req.ridge <= 1.0f)) return bad("ridge must be in (0, 1]");
    if (!(req.margin >= 0.0f) || !(req.margin <= 1000.0f)) return bad("margin must be between 0 (auto) and 1000");

    // Names -> ids, in the fact set and in the model.
    rep.subject = fs.subject_id(req.subject);
    if (rep.subject < 0) return bad("subject '" + req.subject + "' is not in the fact set");
    rep.relation = fs.relation_id(req.relation);
    std::vector<int> model_relation(fs.relations.size(), -1);
    for (size_t r = 0; r < fs.relations.size(); ++r)
        for (size_t k = 0; k < m.vocab.relations.size(); ++k)
            if (m.vocab.relations[k] == fs.relations[r]) model_relation[r] = int(k);
    int mr = -1;
    for (size_t k = 0; k < m.vocab.relations.size(); ++k) if (m.vocab.relations[k] == req.relation) mr = int(k);
    if (mr < 0) return bad("relation '" + req.relation + "' is not in the model");
    int o_new = -1;
    for (size_t k = 0; k < m.vocab.objects.size(); ++k) if (m.vocab.objects[k] == req.object) o_new = int(k);
    if (o_new < 0) return bad("object '" + req.object + "' is not in the model");
    const std::vector<int>& cands = m.vocab.candidates[size_t(mr)];
    if (std::find(cands.begin(), cands.end(), o_new) == cands.end())
        return bad("'" + req.object + "' is not a candidate of relation '" + req.relation + "'");
    if (cands.size() < 2) return bad("relation '" + req.relation + "' has a single candidate: nothing to edit");
    if (m.mlp.hidden() < 1 || m.mlp.W_down.rows() != m.d()) return bad("the model has no MLP weights");
    rep.new_object = req.object;
    if (rep.relation >= 0)
        for (size_t f = 0; f < fs.facts.size(); ++f)
            if (fs.fact_subject[f] == rep.subject && fs.fact_relation[f] == rep.relation) { rep.fact = int(f); break; }

    // Before: every (evaluated) fact's answer, and the subject's logits on the relation.
    const std::vector<unsigned char> mask = eval_mask(fs, rep.subject, req.max_eval_subjects);
    rep.subjects_total = int(fs.subjects.size());
    rep.subjects_evaluated = int(std::count(mask.begin(), mask.end(), 1));
    const Answers before = answer_all(m, fs, model_relation, mask, rep.subject);
    const LookupResult& look = before.per_subject[size_t(rep.subject)];
    const RelationAnswer& ans = look.answers[size_t(mr)];
    rep.old_object = m.vocab.objects[size_t(ans.ranking[0].object)];
    float own, other;
    lead_of(ans, o_new, &own, &other, &rep.probability_before);

    // The target: δ = g·(o* − o_ref), o_ref the best candidate other than o*.
    int o_ref = -1;
    for (const RankedObject& r : ans.ranking) if (r.object != o_new) { o_ref = r.object; break; }
    const float old_lead = ans.ranking.size() > 1 ? ans.ranking[0].logit - ans.ranking[1].logit : 1.0f;
    rep.margin_target = req.margin > 0 ? req.margin : std::max(1.0f, old_lead);
    const Vec u = (m.objects.row(o_new) - m.objects.row(o_ref)).transpose();   // (d)
    const float a_new = m.objects.row(o_new).dot(u);
    float g = 0.0f;
    for (const RankedObject& r : ans.ranking) {
        if (r.object == o_new) continue;
        const float a_j = m.objects.row(r.object).dot(u);
        if (a_new > a_j) g = std::max(g, (r.logit - own + rep.margin_target) / (a_new - a_j));
    }
    const Vec delta = g * u;                              // (d)
    rep.delta_norm = delta.norm();

    // The key and the update.
    const Vec k = subject_key(m.mlp, look.trace.E);       // (h)
    rep.key_norm = k.norm();
    if (!(rep.key_norm > 0.0f)) return bad("'" + req.subject + "' activates no neuron: there is no key to edit");
    *edited = m;
    Mat& W = edited->mlp.W_down;                          // (d, h)
    switch (req.method) {
        case EditMethod::Rome: {
            KeyCovariance own;
            if (!cov || !cov->ok || cov->hidden != m.mlp.hidden() || cov->ridge != req.ridge) {
                std::string err;
                if (!key_covariance_factor(m, fs, req.ridge, &own, &err)) return bad(err);
                cov = &own;
            }
            rep.lambda = cov->lambda;
            Vec v_star(m.d());                            // (d)
            v_star.noalias() = m.mlp.W_down * k;
            v_star += delta;
            if (!rome_update(W, cov->ldlt, k, v_star)) return bad("the key covariance is singular for this subject");
            break;
        }
        case EditMethod::Column: {
            int j = 0;
            k.maxCoeff(&j);
            rep.neuron = j;
            W.col(j) += delta / k[j];
            break;
        }
        case EditMethod::Plain:
            W.noalias() += (delta / k.squaredNorm()) * k.transpose();
            break;
    }
    if (!W.allFinite()) return bad("the edit produced non-finite weights");
    rep.update_norm = (W - m.mlp.W_down).norm();

    // After: the edited fact, then every other fact.
    const Answers after = answer_all(*edited, fs, model_relation, mask, rep.subject);
    const RelationAnswer& ans2 = after.per_subject[size_t(rep.subject)].answers[size_t(mr)];
    rep.edited_correct = ans2.ranking[0].object == o_new;
    lead_of(ans2, o_new, &own, &other, &rep.probability_after);
    rep.margin_after = own - other;

    // Near misses share a word in the same role (a first-name Jordan is not near Michael Jordan).
    const std::vector<std::vector<int>> rows = subject_rows(m, fs);
    const std::vector<int>& my_tokens = rows[size_t(rep.subject)];
    for (size_t f = 0; f < fs.facts.size(); ++f) {
        if (int(f) == rep.fact || !mask[size_t(fs.fact_subject[f])]) continue;
        const Fact& fact = fs.facts[f];
        FactChange c;
        c.fact = int(f);
        c.subject = fact.subject;
        c.relation = fact.relation;
        c.object = fact.object;
        c.answer_before = before.object[f] >= 0 ? m.vocab.objects[size_t(before.object[f])] : "";
        c.answer_after = after.object[f] >= 0 ? m.vocab.objects[size_t(after.object[f])] : "";
        c.correct_before = c.answer_before == fact.object;
        c.correct_after = c.answer_after == fact.object;
        ++rep.others;
        rep.others_correct_before += c.correct_before ? 1 : 0;
        rep.others_correct_after += c.correct_after ? 1 : 0;
        if (c.correct_before != c.correct_after) rep.flipped.push_back(c);
        const int s = fs.fact_subject[f];
        if (s == rep.subject) { rep.same_subject.push_back(c); continue; }
        bool shares = false;
        for (int t : rows[size_t(s)])
            if (t >= 0 && std::find(my_tokens.begin(), my_tokens.end(), t) != my_tokens.end()) { shares = true; break; }
        if (shares) rep.near_misses.push_back(c);
    }
    rep.ok = true;
    return rep;
}

}  // namespace factlab
