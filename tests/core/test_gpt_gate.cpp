// test_gpt_gate.cpp: the AND gate in the wild (core/gpt/gate.hpp) on the built-in transformer,
// every number against a plain recomputation: whole forwards with the same subject, name or
// neurons switched off; the fast path (gpt_forward_from) against whole runs, bit for bit.
#include <doctest/doctest.h>
#include <string>
#include "core/gpt/builtin.hpp"
#include "core/gpt/gate.hpp"

using namespace factlab;

namespace {

const GptModel& builtin() {
    std::string err;
    const GptModel* m = gpt_builtin_model(&err);
    REQUIRE_MESSAGE(m != nullptr, err);
    return *m;
}

GptGate gate_of(const std::string& prompt, int top, bool naive = false) {
    const GptModel& m = builtin();
    std::vector<int> t;
    std::string err;
    REQUIRE(m.vocab.encode(prompt, &t, &err));
    int first = 0, end = 0;
    REQUIRE(gpt_find_subject(m.facts, m.vocab, t, &first, &end) >= 0);
    GptGateOptions o;
    o.top = top;
    o.naive = naive;
    GptGate g;
    REQUIRE_MESSAGE(gpt_and_gate(m.weights, m.vocab, m.facts, t, first, end, o, &g, &err), err);
    return g;
}

const GptGateName* find(const GptGate& g, const std::string& name) {
    for (const GptGateName& n : g.names) if (n.name == name) return &n;
    return nullptr;
}

}  // namespace

TEST_CASE("gpt gate: the near misses, their activations and the answer against whole forwards") {
    const GptModel& m = builtin();
    const GptWeights& w = m.weights;
    const GptGate g = gate_of("Michael Jordan plays the sport of", 16);
    CHECK(g.subject == "Michael Jordan");
    CHECK(g.position == 1);
    // The clean run: the answer is its top token, p_clean its probability.
    GptCache c;
    std::string err;
    REQUIRE(gpt_forward(w, g.tokens.data(), int(g.tokens.size()), nullptr, &c, &err));
    const Eigen::VectorXf p = gpt_softmax(c.logits.row(0));
    Eigen::Index top = 0;
    p.maxCoeff(&top);
    CHECK(g.answer == int(top));
    CHECK(g.p_clean == p[g.answer]);
    CHECK(g.logit_clean == c.logits(0, g.answer));

    // Near misses: a word in any place; the swapped name; each placed by role.
    REQUIRE(g.names.size() > 3);
    CHECK(g.names[0].shares == "subject");
    const GptGateName* phelps = find(g, "Michael Phelps");
    const GptGateName* deandre = find(g, "DeAndre Jordan");
    const GptGateName* spieth = find(g, "Jordan Spieth");
    const GptGateName* mbj = find(g, "Michael B. Jordan");
    const GptGateName* swapped = find(g, "Jordan Michael");
    REQUIRE(phelps); REQUIRE(deandre); REQUIRE(spieth); REQUIRE(mbj); REQUIRE(swapped);
    CHECK((phelps->first && !phelps->last && phelps->shares == "first"));
    CHECK((!deandre->first && deandre->last));
    CHECK((!spieth->first && !spieth->last && spieth->shares == "other place"));
    CHECK((mbj->first && mbj->last && mbj->shares == "both"));
    CHECK((!swapped->in_facts && swapped->shares == "swapped"));
    CHECK(find(g, "Tom Brady") == nullptr);

    // Every name's activation is that neuron's post-GELU value in a whole forward of its prompt.
    for (const GptGateName& n : g.names) {
        std::vector<int> t;
        int end = 0;
        REQUIRE(gpt_replace_subject(w, m.vocab, g.tokens, g.subject_first, g.subject_end, n.name, &t, &end, &err));
        CHECK(end - 1 == n.position);
        GptCache d;
        REQUIRE(gpt_forward(w, t.data(), int(t.size()), nullptr, &d, &err));
        CHECK(n.activation == d.layers[size_t(g.best.layer)].mlp_post(n.position, g.best.neuron));
        const Eigen::VectorXf q = gpt_softmax(d.logits.row(0));
        CHECK(n.p_answer == q[g.answer]);
        CHECK(n.p_top == q.maxCoeff());
        if (&n != &g.names[0]) CHECK(n.activation <= g.best.near_max);
    }
    CHECK(g.names[0].activation == g.best.subject);
    CHECK(g.best.margin == doctest::Approx(g.best.subject - g.best.near_max));
    CHECK(g.unrelated > 200);
    CHECK(g.unrelated_max >= g.unrelated_mean);
    MESSAGE("best neuron: layer " << g.best.layer << " neuron " << g.best.neuron << ", margin " << g.best.margin
                                  << ", contribution " << g.best.contribution << "; flip " << g.flip);
}

TEST_CASE("gpt gate: contributions and the ablation curve against whole forwards; fast path = whole runs") {
    const GptModel& m = builtin();
    const GptWeights& w = m.weights;
    const int K = 12;
    const GptGate g = gate_of("Michael Jordan played for the", K);
    REQUIRE(int(g.ranked.size()) == K);
    REQUIRE(int(g.ablation.size()) == K + 1);
    CHECK(g.ablation[0] == g.p_clean);   // k = 0 is the clean run
    for (int k = 1; k < K; ++k) CHECK(g.ranked[size_t(k)].contribution <= g.ranked[size_t(k - 1)].contribution);
    CHECK(g.best.contribution > 0.f);

    // The best neuron's contribution: its one ablation in a whole forward.
    std::string err;
    GptIntervention iv;
    iv.ablations.push_back({g.best.layer, g.position, {g.best.neuron}});
    GptCache c;
    REQUIRE(gpt_forward(w, g.tokens.data(), int(g.tokens.size()), &iv, &c, &err));
    CHECK(g.best.contribution == g.logit_clean - c.logits(0, g.answer));

    // Three points of the curve: the k first of the ranking off together, one whole forward.
    for (int k : {1, 5, K}) {
        GptIntervention all;
        for (int i = 0; i < k; ++i) {
            const GptGateNeuron& s = g.ranked[size_t(i)];
            all.ablations.push_back({s.layer, g.position, {s.neuron}});
        }
        Eigen::VectorXf q;
        GptCache d;
        REQUIRE(gpt_next_probs(w, g.tokens.data(), int(g.tokens.size()), &all, &q, &d, &err));
        CHECK(g.ablation[size_t(k)] == q[g.answer]);
    }
    // The fast path against whole forwards, every number.
    const GptGate n = gate_of("Michael Jordan played for the", K, true);
    CHECK(gpt_gate_json(m.vocab, n) == gpt_gate_json(m.vocab, g));
}

TEST_CASE("gpt gate: bad input gets a message and leaves the output untouched") {
    const GptModel& m = builtin();
    std::vector<int> t;
    std::string err;
    REQUIRE(m.vocab.encode("Michael Jordan plays the sport of", &t, &err));
    GptGate g;
    g.subject = "untouched";
    CHECK_FALSE(gpt_and_gate(m.weights, m.vocab, m.facts, t, 3, 2, {}, &g, &err));
    CHECK(err.find("subject") != std::string::npos);
    CHECK_FALSE(gpt_and_gate(m.weights, m.vocab, m.facts, t, 0, 99, {}, &g, &err));
    CHECK_FALSE(gpt_and_gate(m.weights, m.vocab, m.facts, {}, 0, 1, {}, &g, &err));
    CHECK(g.subject == "untouched");
    std::vector<int> out;
    int end = 0;
    CHECK_FALSE(gpt_replace_subject(m.weights, m.vocab, t, 0, 2, "Michael Jordon", &out, &end, &err));
    CHECK(err.find("Jordon") != std::string::npos);
}
