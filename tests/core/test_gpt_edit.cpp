// test_gpt_edit.cpp: ROME and the naive fine-tune on the built-in transformer (the page's
// model): efficacy on a fact ROME can edit, specificity recomputed from its definition, a
// fine-tune of 0 steps changes nothing, ROME's change is rank one, the sliced job with a
// cached covariance equals the one-shot edit, the trace's layer, and bad requests.
#include <doctest/doctest.h>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <Eigen/Dense>
#include "core/gpt/builtin.hpp"
#include "core/gpt/edit_eval.hpp"
#include "core/gpt/lens.hpp"
#include "core/gpt/rome.hpp"
#include "core/gpt/trace.hpp"

using namespace factlab;

namespace {

const GptModel& model() {
    std::string err;
    const GptModel* m = gpt_builtin_model(&err);
    REQUIRE_MESSAGE(m, err);
    return *m;
}

bool same_weights(const GptWeights& a, const GptWeights& b) {
    auto ta = a.tensors(), tb = b.tensors();
    if (ta.size() != tb.size()) return false;
    for (size_t i = 0; i < ta.size(); ++i) {
        if (ta[i].shape != tb[i].shape) return false;
        size_t n = 1;
        for (int s : ta[i].shape) n *= size_t(s);
        if (std::memcmp(ta[i].data, tb[i].data, n * sizeof(float)) != 0) return false;
    }
    return true;
}

// The baseball edit, once for the tests that read it (about 0.3 s of CPU).
const GptEditResult& baseball() {
    static GptEditResult r = [] {
        GptEditResult x;
        std::string err;
        const auto t0 = std::chrono::steady_clock::now();
        REQUIRE_MESSAGE(gpt_rome_edit(model().weights, model().vocab, model().facts, "Michael Jordan", "sport", "baseball",
                                      GptEditOptions{}, &x, &err), err);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        MESSAGE("one edit (ROME with its covariance, the fine-tune, both scored), built-in model: " << ms << " ms wall");
        return x;
    }();
    return r;
}

}  // namespace

TEST_CASE("gpt edit: ROME edits Michael Jordan's sport to baseball (efficacy, paraphrase, specificity)") {
    const GptEditResult& r = baseball();
    CHECK(r.old_object == "basketball");
    CHECK(r.layer_by_trace);
    CHECK(r.layer == 0);                              // the trace's MLP peak for him (docs/gpt.md)
    CHECK(r.before.efficacy == 0.f);
    CHECK(r.before.specificity == 1.f);
    CHECK(r.before.specificity_drop == 0.f);
    CHECK(r.rome.scores.efficacy == 1.f);
    CHECK(r.rome.scores.p_edit > 0.5f);
    CHECK(r.rome.scores.p_edit > 100 * r.before.p_edit);
    CHECK(r.rome.scores.n_paraphrase == 3);
    CHECK(r.finetune.scores.efficacy == 1.f);
    CHECK(r.rome.scores.specificity > r.finetune.scores.specificity);
    CHECK(r.rome.steps <= 200);
    CHECK(r.finetune.steps <= 200);
    MESSAGE("ROME: efficacy " << r.rome.scores.efficacy << " (p " << r.rome.scores.p_edit << ") paraphrase "
            << r.rome.scores.paraphrase << " (p " << r.rome.scores.p_paraphrase << ") specificity " << r.rome.scores.specificity
            << " (drop " << r.rome.scores.specificity_drop << ", " << r.rome.scores.n_specificity << " prompts), "
            << r.rome.steps << " steps; fine-tune: " << r.finetune.scores.efficacy << " (p " << r.finetune.scores.p_edit
            << ") " << r.finetune.scores.paraphrase << " " << r.finetune.scores.specificity << " (drop "
            << r.finetune.scores.specificity_drop << "), " << r.finetune.steps << " steps");
}

TEST_CASE("gpt edit: specificity is the share of neighbour prompts that continue as before, the drop their mean p loss") {
    const GptEditResult& r = baseball();
    const GptModel& m = model();
    REQUIRE(r.specificity_prompts.size() == size_t(r.rome.scores.n_specificity));
    REQUIRE(!r.specificity_prompts.empty());
    // Recomputed here from the prompts' text alone: the stored object of each neighbour and
    // the greedy words of both models, one word at a time (gpt_predict, not gpt_generate).
    auto greedy = [&](const GptWeights& w, std::vector<int> t, int n) {
        std::vector<int> out;
        for (int i = 0; i < n && int(t.size()) <= w.config.n_positions; ++i) {
            GptPrediction p;
            std::string err;
            REQUIRE(gpt_predict(w, t, 1, &p, &err));
            out.push_back(p.top[0].token);
            t.push_back(p.top[0].token);
            if (p.top[0].token == m.vocab.end_id) break;
        }
        return out;
    };
    GptEditProbe pr;
    std::string err;
    REQUIRE(gpt_edit_prompts(m.vocab, m.facts, "Michael Jordan", "sport", "baseball", &pr, &err));
    REQUIRE(pr.neighbours.size() == r.specificity_prompts.size());
    for (const GptWeights* w : {&r.rome.weights, &r.finetune.weights}) {
        const GptEditScores& s = w == &r.rome.weights ? r.rome.scores : r.finetune.scores;
        int same = 0;
        double drop = 0.0;
        for (const GptPrompt& p : pr.neighbours) {
            const int n = int(p.answer.size()) + 1;
            same += greedy(m.weights, p.tokens, n) == greedy(*w, p.tokens, n);
            // p(object) as a chain of next-word probabilities.
            auto prob = [&](const GptWeights& ww) {
                std::vector<int> t = p.tokens;
                double q = 1.0;
                for (size_t i = 0; i + 1 < p.answer.size(); ++i) {
                    GptPrediction pp;
                    REQUIRE(gpt_predict(ww, t, 1, &pp, &err));
                    q *= pp.probs[p.answer[i]];
                    t.push_back(p.answer[i]);
                }
                return q;
            };
            drop += prob(m.weights) - prob(*w);
        }
        CHECK(s.specificity == doctest::Approx(double(same) / double(pr.neighbours.size())).epsilon(1e-6));
        CHECK(s.specificity_drop == doctest::Approx(drop / double(pr.neighbours.size())).epsilon(1e-3));
        CHECK(int(s.changed.size()) == int(pr.neighbours.size()) - same);
    }
}

TEST_CASE("gpt edit: ROME's change is one rank-one matrix in one layer's W_down; 0 fine-tune steps change nothing") {
    const GptModel& m = model();
    const GptEditResult& r = baseball();
    const int l = r.layer;
    const GptMatrix D = r.rome.weights.h[size_t(l)].mlp.c_proj.weight - m.weights.h[size_t(l)].mlp.c_proj.weight;   // (F, d)
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(D.cast<double>());
    const Eigen::VectorXd sv = svd.singularValues();
    MESSAGE("singular values of the update: " << sv[0] << ", " << sv[1] << ", " << sv[2]);
    CHECK(sv[0] > 0.1);
    CHECK(sv[1] < 1e-5 * sv[0]);                      // float rounding of one outer product
    GptWeights back = r.rome.weights;
    back.h[size_t(l)].mlp.c_proj.weight = m.weights.h[size_t(l)].mlp.c_proj.weight;
    CHECK(same_weights(back, m.weights));             // nothing else moved

    GptEditOptions o;
    o.layer = l;
    o.ft_steps = 0;
    GptEditResult z;
    std::string err;
    REQUIRE(gpt_rome_edit(m.weights, m.vocab, m.facts, "Michael Jordan", "sport", "baseball", o, &z, &err));
    CHECK(z.finetune.steps == 0);
    CHECK(same_weights(z.finetune.weights, m.weights));
    CHECK(z.finetune.scores.efficacy == z.before.efficacy);
    CHECK(z.finetune.scores.specificity == 1.f);
    CHECK(z.finetune.scores.specificity_drop == 0.f);
    CHECK(z.finetune.scores.p_edit == z.before.p_edit);
}

TEST_CASE("gpt edit: the sliced job with a cached covariance equals the one-shot edit") {
    const GptModel& m = model();
    const GptEditResult& r = baseball();
    GptEditJob first;
    std::string err;
    GptEditOptions o;
    REQUIRE(first.start(m.weights, m.vocab, m.facts, "Michael Jordan", "sport", "baseball", o, &err));
    int steps = 0;
    while (!first.done()) {
        REQUIRE_MESSAGE(first.step(&err), err);
        ++steps;
        CHECK(first.progress() <= 1.0);
    }
    CHECK(same_weights(first.result().rome.weights, r.rome.weights));
    CHECK(same_weights(first.result().finetune.weights, r.finetune.weights));
    MESSAGE("the job took " << steps << " steps");
    // Again with the covariance of the first run: the same bits.
    GptEditJob again;
    REQUIRE(again.start(m.weights, m.vocab, m.facts, "Michael Jordan", "sport", "baseball", o, &err, {first.covariance()}));
    int steps2 = 0;
    while (!again.done()) { REQUIRE(again.step(&err)); ++steps2; }
    CHECK(steps2 < steps);
    CHECK(same_weights(again.result().rome.weights, r.rome.weights));
    CHECK(again.result().rome.scores.specificity == r.rome.scores.specificity);
    CHECK(again.result().finetune.scores.specificity_drop == r.finetune.scores.specificity_drop);
}

TEST_CASE("gpt edit: the layer by the trace is the MLP map's peak at the subject's last token") {
    const GptModel& m = model();
    int layer = -1;
    std::vector<float> eff;
    std::string err;
    REQUIRE(gpt_rome_layer(m.weights, m.vocab, "Michael Jordan", "sport", &layer, &eff, &err));
    REQUIRE(eff.size() == size_t(m.weights.config.n_layer));
    std::vector<int> ids;
    REQUIRE(m.vocab.encode("Michael Jordan plays the sport of", &ids, &err));
    GptTrace t;
    GptTraceOptions o;
    REQUIRE(gpt_trace(m.weights, ids, 0, 2, o, &t, &err));
    for (int l = 0; l < int(eff.size()); ++l) CHECK(eff[size_t(l)] == t.mlp(1, l));
    for (float e : eff) CHECK(eff[size_t(layer)] >= e);
}

TEST_CASE("gpt edit: bad requests get a message and leave the result untouched") {
    const GptModel& m = model();
    GptEditResult r;
    r.subject = "kept";
    std::string err;
    GptEditOptions o;
    o.layer = 0;
    CHECK_FALSE(gpt_rome_edit(m.weights, m.vocab, m.facts, "Michael Jordon", "sport", "golf", o, &r, &err));
    CHECK(err.find("unknown subject \"Michael Jordon\"") != std::string::npos);
    CHECK_FALSE(gpt_rome_edit(m.weights, m.vocab, m.facts, "Michael Jordan", "sprot", "golf", o, &r, &err));
    CHECK(err.find("unknown relation") != std::string::npos);
    CHECK_FALSE(gpt_rome_edit(m.weights, m.vocab, m.facts, "Michael Jordan", "sport", "curling", o, &r, &err));
    CHECK(err.find("\"curling\"") != std::string::npos);
    CHECK_FALSE(gpt_rome_edit(m.weights, m.vocab, m.facts, "Michael Jordan", "sport", "", o, &r, &err));
    CHECK_FALSE(gpt_rome_edit(m.weights, m.vocab, m.facts, "Michael Jordan", "sport", "basketball", o, &r, &err));
    CHECK(err.find("already the stored object") != std::string::npos);
    CHECK_FALSE(gpt_rome_edit(m.weights, m.vocab, m.facts, std::string(5000, '\x01') + "<script>", "sport", "golf", o, &r, &err));
    CHECK(err.size() < 300);
    o.layer = 2;
    CHECK_FALSE(gpt_rome_edit(m.weights, m.vocab, m.facts, "Michael Jordan", "sport", "golf", o, &r, &err));
    o.layer = 0;
    o.ft_steps = -1;
    CHECK_FALSE(gpt_rome_edit(m.weights, m.vocab, m.facts, "Michael Jordan", "sport", "golf", o, &r, &err));
    CHECK(r.subject == "kept");
}
