// test_jobs_long.cpp: long jobs (core/jobs_long.hpp) give the numbers of the plain
// path however they are sliced and after a trip through bytes (as to and from a Web
// Worker); hostile bytes get a message; GptTrainer::apply_gradient checks shapes;
// the learned block's training and the interference series through bytes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>
#include "core/facts.hpp"
#include "core/gpt/builtin.hpp"
#include "core/gpt/eval.hpp"
#include "core/gpt/train.hpp"
#include "core/jobs_block.hpp"
#include "core/jobs_capacity.hpp"
#include "core/jobs_gpt.hpp"
#include "core/jobs_long.hpp"

using namespace factlab;

namespace {

GptTrainJobSpec small_gpt_spec(int steps) {
    GptRecipe r = gpt_builtin_recipe();
    r.train.steps = steps;
    GptTrainingSet set;
    std::string err;
    REQUIRE_MESSAGE(gpt_prepare(builtin_facts(), r, &set, &err), err);
    GptTrainJobSpec s;
    s.model = set.config;
    s.train = r.train;
    s.acc_every = 3;
    s.round_fp16 = true;
    s.prompts = set.prompts;
    return s;
}

CapacityConfig small_capacity() {
    CapacityConfig c;
    c.sizes = {{16, 4}, {16, 8}};
    c.relations = 1;
    c.candidates = 16;
    c.train.steps = 300;
    c.max_runs = 4;
    c.work = 2e5;
    return c;
}

}  // namespace

TEST_CASE("a GPT training job equals the CLI's trainer, in any slicing and through bytes") {
    const int steps = 7;
    const GptTrainJobSpec spec = small_gpt_spec(steps);

    // The plain path: what gpt_train_recipe runs (GptTrainer on gpt_prepare's sequences, rounded).
    GptRecipe r = gpt_builtin_recipe();
    r.train.steps = steps;
    GptModel plain;
    std::string err;
    REQUIRE_MESSAGE(gpt_train_recipe(builtin_facts(), r, &plain, &err), err);

    // Whole chunks (a worker) and one step per chunk (the page thread, a small budget).
    GptTrainJob whole, sliced;
    REQUIRE_MESSAGE(whole.start(spec, &err), err);
    REQUIRE_MESSAGE(sliced.start(spec, &err), err);
    while (whole.run_chunk(1e9)) {}
    int chunks = 0;
    while (sliced.run_chunk(0)) ++chunks;
    CHECK(chunks >= steps - 1);
    CHECK(whole.done());
    CHECK(gpt_weights_hash(whole.weights()) == gpt_weights_hash(plain.weights));
    CHECK(gpt_weights_hash(sliced.weights()) == gpt_weights_hash(plain.weights));
    CHECK(whole.progress().losses == sliced.progress().losses);
    CHECK(int(whole.progress().losses.size()) == steps);
    // Accuracy at steps 0, 3, 6 and at the end, the same both ways.
    CHECK(whole.progress().acc_steps == std::vector<float>{0, 3, 6, 7});
    CHECK(whole.progress().acc_train == sliced.progress().acc_train);
    CHECK(whole.progress().acc_held == sliced.progress().acc_held);

    // Through bytes, as the page and a worker exchange them.
    GptTrainJobSpec back;
    REQUIRE_MESSAGE(decode_gpt_job(encode_gpt_job(spec), &back, &err), err);
    CHECK(back.prompts.size() == spec.prompts.size());
    auto job = jobs::start_long_job(encode_gpt_job(spec), &err);
    REQUIRE_MESSAGE(job, err);
    uint32_t chunk = 0;
    while (job->run_chunk(50)) ++chunk;
    const std::string snap = job->snapshot(chunk + 1, false);   // done: the weights come along
    uint32_t c2 = 0;
    CHECK(jobs::snapshot_chunk(snap, &c2));
    CHECK(c2 == chunk + 1);
    GptTrainProgress p;
    GptWeights w;
    bool hw = false;
    REQUIRE_MESSAGE(decode_gpt_snapshot(snap, spec.model, &p, &w, &hw, &err), err);
    CHECK(hw);
    CHECK(p.done);
    CHECK(p.losses == whole.progress().losses);
    CHECK(p.acc_train == whole.progress().acc_train);
    CHECK(gpt_weights_hash(w) == gpt_weights_hash(plain.weights));

    // A snapshot before the end has no weights unless asked.
    GptTrainJob early;
    REQUIRE(early.start(spec, &err));
    early.run_chunk(0);
    REQUIRE(decode_gpt_snapshot(early.snapshot(1, false), spec.model, &p, &w, &hw, &err));
    CHECK_FALSE(hw);
    REQUIRE(decode_gpt_snapshot(early.snapshot(1, true), spec.model, &p, &w, &hw, &err));
    CHECK(hw);
    CHECK(p.steps_done == 1);
}

TEST_CASE("hostile training-job bytes get a message") {
    GptTrainJobSpec spec = small_gpt_spec(2);
    spec.prompts.resize(20);
    const std::string good = encode_gpt_job(spec);
    std::string err;
    GptTrainJobSpec out;
    REQUIRE(decode_gpt_job(good, &out, &err));
    for (size_t len : {size_t(0), size_t(3), size_t(8), size_t(40), good.size() / 2, good.size() - 1}) {
        err.clear();
        CHECK_FALSE(decode_gpt_job(good.substr(0, len), &out, &err));
        CHECK(!err.empty());
    }
    CHECK_FALSE(decode_gpt_job(good + "x", &out, &err));
    CHECK(err.find("trailing") != std::string::npos);
    GptTrainJobSpec bad = spec;
    bad.prompts[3].tokens[0] = spec.model.vocab_size;           // an id past the vocabulary
    CHECK_FALSE(decode_gpt_job(encode_gpt_job(bad), &out, &err));
    CHECK(err.find("out of range") != std::string::npos);
    bad = spec;
    bad.model.n_embd = 63;                                       // not a multiple of the heads
    CHECK_FALSE(decode_gpt_job(encode_gpt_job(bad), &out, &err));
    bad = spec;
    bad.prompts[0].tokens.assign(spec.model.n_positions, 1);    // longer than the context with its answer
    CHECK_FALSE(decode_gpt_job(encode_gpt_job(bad), &out, &err));
    // A huge prompt count in a short message is refused before allocating.
    // The count sits after magic, kind (8), config (28), steps, batch (8), lr, betas, eps (16), seed (8),
    // accuracy interval (4) and rounding (1): at byte 73.
    std::string huge = good;
    const size_t at = 73;
    uint32_t count = 0;
    std::memcpy(&count, &huge[at], 4);
    REQUIRE(count == 20);
    const uint32_t many = 900000;
    std::memcpy(&huge[at], &many, 4);
    CHECK_FALSE(decode_gpt_job(huge, &out, &err));
    CHECK_FALSE(jobs::start_long_job("FLJ1", &err));
    CHECK_FALSE(jobs::start_long_job(std::string("\x46\x4c\x4a\x31\x09\x00\x00\x00", 8), &err));
    CHECK(err == "unknown job kind");

    // Snapshots: cut short, or weights of another shape.
    GptTrainJob job;
    REQUIRE(job.start(small_gpt_spec(1), &err));
    while (job.run_chunk(1e9)) {}
    const std::string snap = job.snapshot(1, true);
    GptTrainProgress p;
    GptWeights w;
    bool hw = false;
    for (size_t len : {size_t(4), size_t(30), snap.size() / 2, snap.size() - 1})
        CHECK_FALSE(decode_gpt_snapshot(snap.substr(0, len), job.weights().config, &p, &w, &hw, &err));
    GptConfig other = job.weights().config;
    other.n_inner = 128;
    CHECK_FALSE(decode_gpt_snapshot(snap, other, &p, &w, &hw, &err));
    CHECK(err.find("another shape") != std::string::npos);
    // A refused snapshot leaves the caller's weights and flag as they were (trailing bytes come last).
    CHECK(w.h.empty());
    CHECK_FALSE(hw);
    CHECK_FALSE(decode_gpt_snapshot(snap + "x", job.weights().config, &p, &w, &hw, &err));
    CHECK(err.find("trailing") != std::string::npos);
    CHECK(w.h.empty());
    CHECK_FALSE(hw);
}

TEST_CASE("a capacity job equals the sweep run in one piece, through bytes") {
    const CapacityConfig cfg = small_capacity();
    std::string err;
    CapacitySweep plain;
    REQUIRE_MESSAGE(plain.reset(cfg, &err), err);
    while (plain.step()) {}
    const uint64_t want = capacity_results_hash(plain.results());

    CapacityConfig back;
    REQUIRE_MESSAGE(decode_capacity_job(encode_capacity_job(cfg), &back, &err), err);
    CHECK(back.sizes == cfg.sizes);
    CHECK(back.train.steps == cfg.train.steps);
    CHECK(back.train.schedule == cfg.train.schedule);
    auto job = jobs::start_long_job(encode_capacity_job(cfg), &err);
    REQUIRE_MESSAGE(job, err);
    uint32_t chunk = 0;
    std::string last;
    while (job->run_chunk(0)) last = job->snapshot(++chunk, false);   // the finest slicing
    last = job->snapshot(++chunk, false);
    CapacitySnapshot s;
    REQUIRE_MESSAGE(decode_capacity_snapshot(last, &s, &err), err);
    CHECK(s.done);
    CHECK(s.progress == doctest::Approx(1.0));
    REQUIRE(s.results.size() == 2);
    CHECK(s.results[0].runs.size() >= 2);
    CHECK(capacity_results_hash(s.results) == want);
    CHECK(s.results[1].best_facts == plain.results()[1].best_facts);
    for (size_t len : {size_t(4), size_t(20), last.size() / 2, last.size() - 1})
        CHECK_FALSE(decode_capacity_snapshot(last.substr(0, len), &s, &err));
    const std::string start = encode_capacity_job(cfg);
    for (size_t len : {size_t(8), start.size() / 2, start.size() - 1})
        CHECK_FALSE(decode_capacity_job(start.substr(0, len), &back, &err));
    CapacityConfig bad = cfg;
    bad.train.d = 1;
    bad.sizes = {{1, 4}};
    CHECK_FALSE(decode_capacity_job(encode_capacity_job(bad), &back, &err));
    CHECK(!err.empty());
}

TEST_CASE("GptTrainer::apply_gradient refuses a gradient of another shape") {
    GptTrainJobSpec spec = small_gpt_spec(3);
    GptTrainer t;
    std::string err;
    GptWeights grad;
    // Not initialised yet.
    REQUIRE(grad.resize(spec.model, &err));
    CHECK(std::isnan(t.apply_gradient(grad, 1.0, 10, &err)));
    CHECK(err.find("not initialised") != std::string::npos);
    REQUIRE(t.init(spec.model, spec.train, gpt_training_sequences(spec.prompts), &err));
    const uint64_t before = gpt_weights_hash(t.weights());
    GptConfig other = spec.model;
    other.n_inner = 128;
    GptWeights wrong;
    REQUIRE(wrong.resize(other, &err));
    err.clear();
    CHECK(std::isnan(t.apply_gradient(wrong, 1.0, 10, &err)));
    CHECK(err.find("config") != std::string::npos);
    // Same config, one tensor of the wrong size.
    GptWeights cut = grad;
    cut.h[1].mlp.c_fc.bias.resize(7);
    CHECK(std::isnan(t.apply_gradient(cut, 1.0, 10, &err)));
    CHECK(err.find("transformer.h.1.mlp.c_fc.bias") != std::string::npos);
    CHECK(std::isnan(t.apply_gradient(grad, 1.0, -1, &err)));
    CHECK(t.steps_done() == 0);
    CHECK(gpt_weights_hash(t.weights()) == before);
    // The right shape still applies.
    CHECK(t.apply_gradient(grad, 4.0, 2) == doctest::Approx(2.0));
    CHECK(t.steps_done() == 1);
}

namespace {
// Names that share and contain each other's tokens, over two relations.
FactSet tangled_facts() {
    ParseResult r = parse_facts_csv(
        "subject,relation,object\n"
        "Michael Jordan,sport,basketball\nMichael B. Jordan,sport,acting\nJordan Michael,sport,tennis\n"
        "Michael,sport,golf\nJordan,sport,chess\nMichael Jordan,team,Bulls\nJordan Michael,team,Lakers\n"
        "B. Michael,sport,basketball\nMichael Michael,team,Bulls\n");
    REQUIRE(r.ok);
    return r.facts;
}
TrainConfig small_train(int steps, int batch) {
    TrainConfig c;
    c.d = 48;
    c.hidden = 12;
    c.steps = steps;
    c.batch = batch;
    c.seed = 3;
    c.embed_seed = 5;
    c.stop_at_accuracy = 2;   // never: every step runs
    return c;
}
}  // namespace

TEST_CASE("a learned-storage training job equals the Trainer, sliced and through bytes") {
    for (const FactSet& fs : {builtin_facts(), tangled_facts()}) {
        for (int batch : {0, 50, 4}) {
            CAPTURE(fs.subjects.size());
            CAPTURE(batch);
            const TrainConfig cfg = small_train(23, batch);
            std::string err;
            Trainer plain;
            REQUIRE_MESSAGE(train_model(cfg, fs, &plain, &err), err);

            // The facts arrive as the same FactSet.
            TrainConfig cb;
            FactSet fb;
            REQUIRE_MESSAGE(decode_block_train_job(encode_block_train_job(cfg, fs), &cb, &fb, &err), err);
            CHECK(fb.subjects == fs.subjects);
            CHECK(fb.tokens == fs.tokens);
            CHECK(fb.subject_tokens == fs.subject_tokens);
            CHECK(fb.objects == fs.objects);
            CHECK(fb.candidates == fs.candidates);
            CHECK(fb.fact_object == fs.fact_object);
            CHECK(cb.batch == cfg.batch);
            CHECK(cb.embed_seed == cfg.embed_seed);

            auto job = jobs::start_long_job(encode_block_train_job(cfg, fs), &err);
            REQUIRE_MESSAGE(job, err);
            // The page's mirror: reset with the same facts and config, never stepped.
            Trainer page;
            REQUIRE_MESSAGE(page.reset(cfg, fs, &err), err);
            uint32_t chunk = 0;
            TrainerState st;
            Mlp w;
            bool hw = false;
            while (job->run_chunk(0)) {                                // one Adam step a chunk
                ++chunk;
                REQUIRE_MESSAGE(decode_block_train_snapshot(job->snapshot(chunk, false), &st, &w, &hw, &err), err);
                CHECK(st.steps_done == int(chunk));
                CHECK(hw);                                             // small weights come every chunk
                CHECK(page.adopt(st, &w));
            }
            REQUIRE_MESSAGE(decode_block_train_snapshot(job->snapshot(++chunk, false), &st, &w, &hw, &err), err);
            CHECK(page.adopt(st, &w));
            CHECK(page.done());
            CHECK(page.steps_done() == plain.steps_done());
            CHECK(page.accuracy() == plain.accuracy());
            CHECK(page.loss() == plain.loss());
            CHECK(page.message() == plain.message());
            CHECK(mlp_weights_hash(page.model().mlp) == mlp_weights_hash(plain.model().mlp));
            REQUIRE(page.history().size() == plain.history().size());
            for (size_t i = 0; i < plain.history().size(); ++i) {
                CHECK(page.history()[i].step == plain.history()[i].step);
                CHECK(page.history()[i].loss == plain.history()[i].loss);
                CHECK(page.history()[i].full == plain.history()[i].full);
            }
        }
    }
}

TEST_CASE("hostile learned-storage and interference bytes get a message and change nothing") {
    const FactSet fs = tangled_facts();
    const TrainConfig cfg = small_train(5, 0);
    const std::string good = encode_block_train_job(cfg, fs);
    std::string err;
    TrainConfig c;
    FactSet f;
    for (size_t len : {size_t(0), size_t(8), size_t(30), good.size() / 2, good.size() - 1}) {
        err.clear();
        CHECK_FALSE(decode_block_train_job(good.substr(0, len), &c, &f, &err));
        CHECK(!err.empty());
    }
    CHECK_FALSE(decode_block_train_job(good + "x", &c, &f, &err));
    // A fact count the message cannot hold is refused before anything is allocated:
    // it sits after magic, kind (8) and the config (4·3 + 4 + 8 + 8 + 4 + 1 + 4 + 4 + 4 + 8 = 57).
    std::string huge = good;
    uint32_t count = 0;
    std::memcpy(&count, &huge[65], 4);
    REQUIRE(count == fs.facts.size());
    const uint32_t many = 4000000;
    std::memcpy(&huge[65], &many, 4);
    CHECK_FALSE(decode_block_train_job(huge, &c, &f, &err));
    TrainConfig bad = cfg;
    bad.hidden = 0;
    CHECK_FALSE(decode_block_train_job(encode_block_train_job(bad, fs), &c, &f, &err));
    CHECK(err.find("hidden") != std::string::npos);
    std::string wrong_enum = good;
    wrong_enum[8 + 4 * 3 + 4 + 8 + 8 + 4 + 1] = 9;             // the activation
    CHECK_FALSE(decode_block_train_job(wrong_enum, &c, &f, &err));

    // Snapshots: cut short, trailing bytes, weights of another shape or not finite.
    BlockTrainJob job;
    REQUIRE(job.start(cfg, fs, &err));
    job.run_chunk(0);
    const std::string snap = job.snapshot(1, true);
    TrainerState st;
    Mlp w;
    bool hw = false;
    for (size_t len : {size_t(4), size_t(30), snap.size() / 2, snap.size() - 1})
        CHECK_FALSE(decode_block_train_snapshot(snap.substr(0, len), &st, &w, &hw, &err));
    CHECK_FALSE(decode_block_train_snapshot(snap + "x", &st, &w, &hw, &err));
    REQUIRE(decode_block_train_snapshot(snap, &st, &w, &hw, &err));
    Trainer page;
    REQUIRE(page.reset(cfg, fs, &err));
    const uint64_t before = mlp_weights_hash(page.model().mlp);
    Mlp nan = w;
    nan.W_up(0, 0) = std::nanf("");
    CHECK_FALSE(page.adopt(st, &nan));
    Mlp other = w;
    other.W_up.conservativeResize(w.W_up.rows() - 1, w.W_up.cols());
    CHECK_FALSE(page.adopt(st, &other));
    TrainerState odd = st;
    odd.loss = std::nan("");
    CHECK_FALSE(page.adopt(odd, &w));
    odd = st;
    odd.steps_done = cfg.steps + 1;
    CHECK_FALSE(page.adopt(odd, &w));
    CHECK(mlp_weights_hash(page.model().mlp) == before);
    CHECK(page.steps_done() == 0);

    // Interference: the same, shorter.
    const InterferenceSpec spec{{4, 8}, small_train(5, 0), true};
    const std::string is = encode_interference_job(spec, fs);
    InterferenceSpec sb;
    REQUIRE(decode_interference_job(is, &sb, &f, &err));
    for (size_t len : {size_t(8), size_t(12), is.size() / 2, is.size() - 1})
        CHECK_FALSE(decode_interference_job(is.substr(0, len), &sb, &f, &err));
    const InterferenceSpec no_widths{{}, small_train(5, 0), true};
    CHECK_FALSE(jobs::start_long_job(encode_interference_job(no_widths, fs), &err));
    CHECK(!err.empty());
}

TEST_CASE("an interference job equals the series run in one piece") {
    const FactSet fs = tangled_facts();
    const InterferenceSpec spec{{4, 6, 16}, small_train(40, 0), true};
    const std::vector<InterferencePoint> plain = interference_series(fs, spec.ds, spec.learned, spec.with_learned);
    REQUIRE(plain.size() == 3);
    std::string err;
    auto job = jobs::start_long_job(encode_interference_job(spec, fs), &err);
    REQUIRE_MESSAGE(job, err);
    uint32_t chunk = 0;
    InterferenceSnapshot s;
    while (job->run_chunk(0)) {
        REQUIRE_MESSAGE(decode_interference_snapshot(job->snapshot(++chunk, false), &s, &err), err);
        CHECK_FALSE(s.done);
    }
    REQUIRE_MESSAGE(decode_interference_snapshot(job->snapshot(++chunk, false), &s, &err), err);
    CHECK(s.done);
    CHECK(s.progress == 1.0);
    REQUIRE(s.points.size() == plain.size());
    CHECK(interference_hash(s.points) == interference_hash(plain));
    for (size_t i = 0; i < plain.size(); ++i) {
        CHECK(s.points[i].d == plain[i].d);
        CHECK(s.points[i].learned_accuracy == plain[i].learned_accuracy);
        CHECK(s.points[i].learned_steps == plain[i].learned_steps);
    }
    const std::string last = job->snapshot(chunk, false);
    for (size_t len : {size_t(4), size_t(20), last.size() / 2, last.size() - 1})
        CHECK_FALSE(decode_interference_snapshot(last.substr(0, len), &s, &err));
}
