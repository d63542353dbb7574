// test_gpt_analyses.cpp: predictions, logit lens, causal tracing, attention knockout, the AND
// gate in the wild and ROME, on a small transformer trained here on a few athletes.
#include <doctest/doctest.h>
#include <cmath>
#include <string>
#include "core/facts.hpp"
#include "core/gpt/lens.hpp"
#include "core/gpt/prompts.hpp"
#include "core/gpt/trace.hpp"
#include "core/gpt/knockout.hpp"
#include "core/gpt/neurons.hpp"
#include "core/gpt/rome.hpp"
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

// Trained once for every test here: 3 layers, d 48, on the training templates. (With 2 layers
// of d 32, ROME's delta at layer 0 cannot push the new object past p ~ 0.44: the edit fails.)
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
        c.n_layer = 3;
        c.n_head = 2;
        c.n_embd = 48;
        c.n_inner = 96;
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
    REQUIRE(lens.layers.size() == 3);
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
        Eigen::RowVectorXf mine = gpt_unembed(t.w, cache.layers[2].resid_post.row(i));
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
    REQUIRE(fast.hidden.cols() == 3);
    CHECK(fast.answer == t.vocab.id("basketball"));
    CHECK(fast.p_clean > 0.5f);
    CHECK(fast.p_corrupted < fast.p_clean);
    CHECK(fast.p_clean == naive.p_clean);
    CHECK(fast.p_corrupted == naive.p_corrupted);
    CHECK(fast.hidden == naive.hidden);                       // exactly: same numbers, fewer rows recomputed
    CHECK(fast.mlp == naive.mlp);
    CHECK(fast.attn == naive.attn);
    CHECK(fast.hidden(T - 1, 2) == fast.p_clean);              // the whole clean state at the end
    // Before the subject nothing is noised: those cells are the corrupted run.
    for (int l = 0; l < 3; ++l)
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

TEST_CASE("gpt knockout: nothing blocked is the clean run; the fast path equals whole runs") {
    const Trained& t = trained();
    const GptPrompt& p = prompt_of("Michael Jordan", "team", 0);
    const int T = int(p.tokens.size());
    std::string err;
    GptCache clean, blocked;
    REQUIRE(gpt_forward(t.w, p.tokens.data(), T, nullptr, &clean, &err));
    GptIntervention none;
    none.knockouts.push_back({0, T - 1, {}});
    none.knockouts.push_back({1, T - 1, {}});
    none.knockouts.push_back({2, T - 1, {}});
    REQUIRE(gpt_forward(t.w, p.tokens.data(), T, &none, &blocked, &err));
    CHECK(blocked.logits == clean.logits);

    GptKnockoutResult fast, naive;
    REQUIRE(gpt_attention_knockout(t.w, p.tokens, p.subject_first, p.subject_end, -1, 1, &fast, &err));
    REQUIRE(gpt_attention_knockout(t.w, p.tokens, p.subject_first, p.subject_end, -1, 1, &naive, &err, true));
    CHECK(fast.answer == t.vocab.id("Chicago"));
    REQUIRE(fast.p_blocked.size() == 3);
    CHECK(fast.p_blocked == naive.p_blocked);
    CHECK(fast.p_clean == gpt_softmax(clean.logits.row(0))[fast.answer]);
    for (int l = 0; l < 3; ++l) CHECK(fast.change[size_t(l)] == doctest::Approx((fast.p_blocked[size_t(l)] - fast.p_clean) / fast.p_clean));
    REQUIRE(gpt_attention_knockout(t.w, p.tokens, p.subject_first, p.subject_end, -1, 2, &fast, &err));
    REQUIRE(gpt_attention_knockout(t.w, p.tokens, p.subject_first, p.subject_end, -1, 2, &naive, &err, true));
    CHECK(fast.p_blocked == naive.p_blocked);
    CHECK_FALSE(gpt_attention_knockout(t.w, p.tokens, 0, T, -1, 1, &fast, &err));
    CHECK(err.find("before its last position") != std::string::npos);
}

TEST_CASE("gpt neurons: near misses share the first or the last name; the ablation curve") {
    const Trained& t = trained();
    std::vector<std::string> shares;
    std::vector<std::string> nm = gpt_near_miss_subjects(t.facts, "Michael Jordan", &shares);
    CHECK(nm == std::vector<std::string>{"Michael Phelps", "Michael Schumacher", "DeAndre Jordan", "Cameron Jordan", "Michael Owen"});
    CHECK(shares == std::vector<std::string>{"first", "first", "last", "last", "first"});   // not Jordan Spieth
    GptNeuronReport rep;
    std::string err;
    REQUIRE(gpt_and_neurons(t.w, t.vocab, t.facts, "Michael Jordan", "sport", 0, 5, &rep, &err));
    CHECK(rep.answer == t.vocab.id("basketball"));
    CHECK(rep.position == 1);
    REQUIRE(rep.near_misses.size() == 5);
    REQUIRE(rep.layers.size() == 3);
    const int F = t.w.config.n_inner;
    for (const GptNeuronLayer& L : rep.layers) {
        REQUIRE(L.best.size() == 5);
        for (size_t i = 1; i < L.best.size(); ++i) CHECK(L.best[i].margin <= L.best[i - 1].margin);
        CHECK(L.best[0].margin == doctest::Approx(L.best[0].subject - L.best[0].near_max));
        REQUIRE(L.best_near.size() == 5);
        for (float a : L.best_near) CHECK(a <= L.best[0].near_max);
        REQUIRE(int(L.ablation.size()) == F + 1);
        CHECK(L.ablation[0] == rep.p_clean);
        CHECK((L.flip == -1 || (L.flip >= 1 && L.flip <= F)));
    }
    // One point of the curve against a whole forward with the same neurons off.
    const GptNeuronLayer& L0 = rep.layers[0];
    GptNeuronReport again;
    REQUIRE(gpt_and_neurons(t.w, t.vocab, t.facts, "Michael Jordan", "sport", 0, F, &again, &err));
    GptIntervention iv;
    iv.ablations.push_back({0, rep.position, {}});
    for (int n = 0; n < 7; ++n) iv.ablations[0].neurons.push_back(again.layers[0].best[size_t(n)].neuron);
    Eigen::VectorXf q;
    GptCache c;
    REQUIRE(gpt_next_probs(t.w, rep.prompt.tokens.data(), int(rep.prompt.tokens.size()), &iv, &q, &c, &err));
    CHECK(L0.ablation[7] == q[rep.answer]);
    MESSAGE("AND gate, layer 0: best margin " << L0.best[0].margin << ", flip after " << L0.flip << " neurons; layer 1: flip after "
            << rep.layers[1].flip);
}

TEST_CASE("gpt rome: the residual gradient against finite differences") {
    const Trained& t = trained();
    GptPrompt p;
    std::string err;
    REQUIRE(gpt_make_prompt(t.vocab, "Michael Jordan", "team", "Boston Celtics", 0, &p, &err));
    std::vector<int> in, tg;
    gpt_training_row(p, &in, &tg);
    GptCache cache;
    GptMatrix g;
    double loss = 0.0;
    REQUIRE(gpt_resid_grad(t.w, in, tg, 0, nullptr, &loss, &g, &cache, &err));
    const GptRow base = cache.layers[0].mlp_out.row(1);
    int bad = 0;
    for (int c = 0; c < 6; ++c) {
        const float h = 1e-2f;
        double lp = 0, lm = 0;
        GptMatrix gg;
        GptIntervention iv;
        iv.patches.push_back({0, 1, GptSite::mlp_out, base});
        iv.patches[0].value[c] += h;
        REQUIRE(gpt_resid_grad(t.w, in, tg, 0, &iv, &lp, &gg, &cache, &err));
        iv.patches[0].value[c] -= 2 * h;
        REQUIRE(gpt_resid_grad(t.w, in, tg, 0, &iv, &lm, &gg, &cache, &err));
        const double fd = (lp - lm) / (2 * h);
        CAPTURE(c);
        CAPTURE(fd);
        CAPTURE(g(1, c));
        if (std::fabs(fd - g(1, c)) > 2e-2 * std::max(1.0, std::fabs(fd))) ++bad;
    }
    CHECK(bad == 0);
}

TEST_CASE("gpt rome: a rank-one edit on a small trained model, beside a naive fine-tune") {
    const Trained& t = trained();
    GptEditOptions o;
    o.layer = 0;
    GptEditResult r;
    std::string err;
    REQUIRE(gpt_rome_edit(t.w, t.vocab, t.facts, "Michael Jordan", "sport", "golf", o, &r, &err));
    CHECK(r.old_object == "basketball");
    CHECK(r.before.efficacy == 0.f);
    CHECK(r.before.specificity == 1.f);
    CHECK(r.rome.scores.efficacy == 1.f);
    CHECK(r.rome.scores.n_paraphrase == 3);
    CHECK(r.rome.scores.n_specificity == 5 * 4);
    CHECK(r.finetune.scores.efficacy == 1.f);
    // Only layer 0's c_proj.weight changed, by a rank-one matrix.
    const GptMatrix D = r.rome.weights.h[0].mlp.c_proj.weight - t.w.h[0].mlp.c_proj.weight;
    Eigen::JacobiSVD<Eigen::MatrixXf> svd(D);
    CHECK(svd.singularValues()[1] < 1e-4f * svd.singularValues()[0]);
    CHECK(r.rome.weights.h[1].mlp.c_proj.weight == t.w.h[1].mlp.c_proj.weight);
    CHECK(r.rome.scores.specificity > r.finetune.scores.specificity);   // measured here: 0.8 vs 0.45
    CHECK(r.rome.weights.h[0].mlp.c_fc.weight == t.w.h[0].mlp.c_fc.weight);
    MESSAGE("ROME: efficacy " << r.rome.scores.efficacy << " paraphrase " << r.rome.scores.paraphrase << " specificity "
            << r.rome.scores.specificity << " (delta steps " << r.rome.steps << "); fine-tune: efficacy "
            << r.finetune.scores.efficacy << " paraphrase " << r.finetune.scores.paraphrase << " specificity "
            << r.finetune.scores.specificity << " (steps " << r.finetune.steps << "); rome loss " << r.rome.loss << " delta " << r.delta_norm << " update " << r.update_norm);
    GptEditResult keep = r;
    CHECK_FALSE(gpt_rome_edit(t.w, t.vocab, t.facts, "Michael Jordan", "sport", "curling", o, &r, &err));
    CHECK(err.find("\"curling\"") != std::string::npos);
    o.layer = 3;
    CHECK_FALSE(gpt_rome_edit(t.w, t.vocab, t.facts, "Michael Jordan", "sport", "golf", o, &r, &err));
    CHECK(r.new_object == keep.new_object);
}
