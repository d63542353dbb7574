// test_gpt_analyses.cpp: predictions, logit lens, causal tracing, attention knockout, the AND
// gate in the wild and ROME, on a small transformer trained here on a few athletes.
#include <doctest/doctest.h>
#include <cmath>
#include <string>
#include "core/facts.hpp"
#include "core/gpt/lens.hpp"
#include "core/gpt/prompts.hpp"
#include "core/gpt/trace.hpp"
#include "core/gpt/train.hpp"

using namespace factlab;

namespace {

const char* kAthletes =
    "subject,relation,object\n"
    "Michael Jordan,sport,basketball\n"
    "Michael Jordan,team,Chicago Bulls\n"
    "Michael Phelps,sport,swimming\n"
    "Michael Schumacher,sport,motor racing\n"
    "DeAndre Jordan,sport,basketball\n"
    "Jordan Spieth,sport,golf\n"
    "Scottie Pippen,sport,basketball\n"
    "Scottie Pippen,team,Chicago Bulls\n"
    "Larry Bird,sport,basketball\n"
    "Larry Bird,team,Boston Celtics\n"
    "Tom Brady,sport,American football\n"
    "Cameron Jordan,sport,American football\n"
    "Michael Owen,sport,soccer\n";

struct Trained {
    FactSet facts;
    GptVocab vocab;
    std::vector<GptPrompt> prompts;
    GptWeights w;
    double seconds = 0;
};

// Trained once for every test here: 2 layers, d 32, on the training templates.
const Trained& trained() {
    static Trained t = [] {
        Trained r;
        ParseResult pr = parse_facts_csv(kAthletes);
        REQUIRE(pr.ok);
        r.facts = pr.facts;
        r.vocab = gpt_make_vocab(r.facts);
        std::string err;
        REQUIRE(gpt_build_prompts(r.facts, r.vocab, &r.prompts, &err));
        std::vector<GptSequence> seqs;
        for (const GptPrompt& p : r.prompts) {
            if (p.held_out) continue;
            GptSequence s;
            s.tokens = p.tokens;
            s.tokens.insert(s.tokens.end(), p.answer.begin(), p.answer.end());
            s.target.assign(s.tokens.size(), 0);
            for (size_t i = p.tokens.size(); i < s.tokens.size(); ++i) s.target[i] = 1;
            seqs.push_back(std::move(s));
        }
        GptConfig c;
        c.n_layer = 2;
        c.n_head = 2;
        c.n_embd = 32;
        c.n_inner = 64;
        c.n_positions = 16;
        c.vocab_size = r.vocab.size();
        GptTrainConfig tc;
        tc.steps = 300;
        tc.batch = 64;
        tc.lr = 3e-3f;
        tc.seed = 3;
        GptTrainer tr;
        REQUIRE(tr.init(c, tc, std::move(seqs), &err));
        while (!tr.done()) tr.step();
        r.w = tr.weights();
        return r;
    }();
    return t;
}

const GptPrompt& prompt_of(const std::string& subject, const std::string& relation, int tmpl = 0) {
    for (const GptPrompt& p : trained().prompts)
        if (p.subject == subject && p.relation == relation && p.template_id == tmpl) return p;
    FAIL("no prompt");
    return trained().prompts[0];
}

}  // namespace

TEST_CASE("gpt analyses: the small model knows its training facts; generation stops at the end token") {
    const Trained& t = trained();
    int known = 0, train = 0;
    for (const GptPrompt& p : t.prompts) {
        if (p.held_out) continue;
        bool k = false;
        std::string err;
        REQUIRE(gpt_knows(t.w, p, t.vocab.end_id, &k, nullptr, &err));
        known += k;
        ++train;
    }
    CAPTURE(known);
    CHECK(known == train);
    const GptPrompt& mj = prompt_of("Michael Jordan", "team");
    std::vector<int> gen;
    std::string err;
    REQUIRE(gpt_generate(t.w, mj.tokens, t.vocab.end_id, 10, &gen, &err));
    CHECK(t.vocab.decode(gen) == "Chicago Bulls <|endoftext|>");
    GptPrediction pred;
    REQUIRE(gpt_predict(t.w, mj.tokens, 5, &pred, &err));
    REQUIRE(pred.top.size() == 5);
    CHECK(pred.top[0].token == t.vocab.id("Chicago"));
    CHECK(std::fabs(pred.probs.sum() - 1.f) < 1e-5f);
    for (size_t i = 1; i < pred.top.size(); ++i) CHECK(pred.top[i].probability <= pred.top[i - 1].probability);
    // A prompt longer than the context: a message, not a crash.
    std::vector<int> long_prompt(40, mj.tokens[0]);
    CHECK_FALSE(gpt_predict(t.w, long_prompt, 5, &pred, &err));
    CHECK(err.find("context") != std::string::npos);
}

TEST_CASE("gpt lens: the last layer is the model's own output, exactly") {
    const Trained& t = trained();
    const GptPrompt& p = prompt_of("Michael Jordan", "sport", 1);
    GptLens lens;
    std::string err;
    REQUIRE(gpt_logit_lens(t.w, p.tokens, -1, 3, &lens, &err));
    REQUIRE(lens.layers.size() == 2);
    GptPrediction pred;
    REQUIRE(gpt_predict(t.w, p.tokens, 3, &pred, &err));
    CHECK(lens.answer == pred.top[0].token);
    const GptLensLayer& last = lens.layers.back();
    REQUIRE(last.top.size() == p.tokens.size());
    for (int k = 0; k < 3; ++k) {
        CHECK(last.top.back()[size_t(k)].token == pred.top[size_t(k)].token);
        CHECK(last.top.back()[size_t(k)].probability == pred.top[size_t(k)].probability);   // bit for bit
    }
    CHECK(last.answer_rank == 0);
    CHECK(last.answer_probability == pred.probs[lens.answer]);
    // gpt_unembed is the model's ln_f + unembedding at every position, not only the last.
    GptCache cache;
    GptIntervention all;
    all.logits = GptLogits::all;
    REQUIRE(gpt_forward(t.w, p.tokens.data(), int(p.tokens.size()), &all, &cache, &err));
    for (int i = 0; i < int(p.tokens.size()); ++i) {
        Eigen::RowVectorXf mine = gpt_unembed(t.w, cache.layers[1].resid_post.row(i));
        CHECK((mine - cache.logits.row(i)).cwiseAbs().maxCoeff() < 1e-4f);
    }
    CHECK_FALSE(gpt_logit_lens(t.w, p.tokens, t.vocab.size(), 3, &lens, &err));
}

TEST_CASE("gpt trace: the fast path equals whole runs; restoring the last layer at the last position gives p_clean") {
    const Trained& t = trained();
    const GptPrompt& p = prompt_of("Michael Jordan", "sport", 1);   // The sport played by Michael Jordan is
    GptTraceOptions o;
    o.samples = 3;
    o.seed = 11;
    GptTrace fast, naive;
    std::string err;
    REQUIRE(gpt_trace(t.w, p.tokens, p.subject_first, p.subject_end, o, &fast, &err));
    o.naive = true;
    REQUIRE(gpt_trace(t.w, p.tokens, p.subject_first, p.subject_end, o, &naive, &err));
    const int T = int(p.tokens.size());
    REQUIRE(fast.hidden.rows() == T);
    REQUIRE(fast.hidden.cols() == 2);
    CHECK(fast.answer == t.vocab.id("basketball"));
    CHECK(fast.p_clean > 0.5f);
    CHECK(fast.p_corrupted < fast.p_clean);
    CHECK(fast.p_clean == naive.p_clean);
    CHECK(fast.p_corrupted == naive.p_corrupted);
    CHECK(fast.hidden == naive.hidden);                       // exactly: same numbers, fewer rows recomputed
    CHECK(fast.mlp == naive.mlp);
    CHECK(fast.attn == naive.attn);
    CHECK(fast.hidden(T - 1, 1) == fast.p_clean);              // the whole clean state at the end
    // Before the subject nothing is noised: those cells are the corrupted run.
    for (int l = 0; l < 2; ++l)
        for (int i = 0; i < p.subject_first; ++i) CHECK(fast.hidden(i, l) == fast.p_corrupted);
    CHECK(fast.embedding_std > 0.f);
    CHECK(std::fabs(fast.noise_sd - 3.f * fast.embedding_std) < 1e-6f);

    // A window of 2 layers, fast against naive again.
    o.window = 2;
    o.naive = false;
    REQUIRE(gpt_trace(t.w, p.tokens, p.subject_first, p.subject_end, o, &fast, &err));
    o.naive = true;
    REQUIRE(gpt_trace(t.w, p.tokens, p.subject_first, p.subject_end, o, &naive, &err));
    CHECK(fast.mlp == naive.mlp);
    CHECK(fast.attn == naive.attn);

    // Explicit noise: the same samples the seed draws give the same trace.
    GptTraceOptions e;
    e.noise = gpt_trace_noise(t.w, 3, p.subject_end - p.subject_first, 3.f * gpt_embedding_std(t.w), 11);
    GptTrace given, seeded;
    REQUIRE(gpt_trace(t.w, p.tokens, p.subject_first, p.subject_end, e, &given, &err));
    GptTraceOptions s;
    s.samples = 3;
    s.seed = 11;
    REQUIRE(gpt_trace(t.w, p.tokens, p.subject_first, p.subject_end, s, &seeded, &err));
    CHECK(given.hidden == seeded.hidden);
    CHECK(given.samples == 3);

    // Bad input: a message, *out untouched.
    GptTrace keep = given;
    e.noise[1].resize(1, 3);
    CHECK_FALSE(gpt_trace(t.w, p.tokens, p.subject_first, p.subject_end, e, &given, &err));
    CHECK(err.find("noise sample 1") != std::string::npos);
    CHECK_FALSE(gpt_trace(t.w, p.tokens, 3, 3, s, &given, &err));
    CHECK(err.find("subject range") != std::string::npos);
    s.window = 5;
    CHECK_FALSE(gpt_trace(t.w, p.tokens, p.subject_first, p.subject_end, s, &given, &err));
    CHECK(given.hidden == keep.hidden);
}
