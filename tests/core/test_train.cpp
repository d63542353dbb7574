// test_train.cpp: learned storage (train.hpp), synthetic facts, the capacity
// search and the interference series (capacity.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include "core/block/capacity.hpp"
#include "core/io.hpp"
#include "core/block/synthetic.hpp"
#include "core/block/train.hpp"

using namespace factlab;

namespace {

// A small trainer whose weights are random but trained a few steps, with a
// random b_down so every term of the gradient is exercised.
Trainer small_trainer(Activation act, const FactSet& fs) {
    TrainConfig c;
    c.d = 8;
    c.hidden = 6;
    c.steps = 100;
    c.act = act;
    c.train_b_down = true;
    c.seed = 7;
    c.stop_at_accuracy = 2.0;
    Trainer t;
    std::string err;
    REQUIRE(t.reset(c, fs, &err));
    t.step(5);
    return t;
}

// The same loss, one fact at a time through the model's own lookup path.
double reference_loss(const Model& m, const FactSet& fs) {
    double loss = 0;
    for (size_t f = 0; f < fs.facts.size(); ++f) {
        const LookupResult r = lookup(m, fs.facts[f].subject);
        int rel = -1;
        for (size_t k = 0; k < m.vocab.relations.size(); ++k) if (m.vocab.relations[k] == fs.facts[f].relation) rel = int(k);
        REQUIRE(rel >= 0);
        for (const RankedObject& o : r.answers[size_t(rel)].ranking)
            if (m.vocab.objects[size_t(o.object)] == fs.facts[f].object) loss -= std::log(double(o.probability));
    }
    return loss;
}

// Central finite differences of the loss against the analytic gradient, entry by entry.
void check_block(Mlp mlp, const TrainData& data, Mat& (*pick)(Mlp&), const Mat& analytic, const char* name) {
    const float eps = 2e-3f;
    int checked = 0;
    for (int i = 0; i < analytic.rows(); ++i)
        for (int j = 0; j < analytic.cols(); ++j) {
            Mat& w = pick(mlp);
            const float keep = w(i, j);
            w(i, j) = keep + eps;
            const double up = loss_and_grad(mlp, data, nullptr, nullptr).loss;
            w(i, j) = keep - eps;
            const double down = loss_and_grad(mlp, data, nullptr, nullptr).loss;
            w(i, j) = keep;
            const double fd = (up - down) / (2.0 * eps);
            const double an = analytic(i, j);
            INFO(name << "(" << i << ", " << j << "): finite difference " << fd << " vs analytic " << an);
            CHECK(std::fabs(fd - an) <= 1e-2 + 1e-2 * std::fabs(an));
            ++checked;
        }
    CHECK(checked == analytic.size());
}

Mat& pick_W_up(Mlp& m) { return m.W_up; }
Mat& pick_W_down(Mlp& m) { return m.W_down; }

void check_vec(Mlp mlp, const TrainData& data, bool up_bias, const Vec& analytic, const char* name) {
    const float eps = 2e-3f;
    for (int i = 0; i < analytic.size(); ++i) {
        Vec& b = up_bias ? mlp.b_up : mlp.b_down;
        const float keep = b[i];
        b[i] = keep + eps;
        const double up = loss_and_grad(mlp, data, nullptr, nullptr).loss;
        b[i] = keep - eps;
        const double down = loss_and_grad(mlp, data, nullptr, nullptr).loss;
        b[i] = keep;
        const double fd = (up - down) / (2.0 * eps);
        INFO(name << "[" << i << "]: finite difference " << fd << " vs analytic " << analytic[i]);
        CHECK(std::fabs(fd - analytic[i]) <= 1e-2 + 1e-2 * std::fabs(analytic[i]));
    }
}

}  // namespace

TEST_CASE("train: synthetic facts are seeded, unique and sized as asked") {
    const FactSet a = make_synthetic_facts(120, 3, 4, 32);
    const FactSet b = make_synthetic_facts(120, 3, 4, 32);
    const FactSet c = make_synthetic_facts(120, 4, 4, 32);
    CHECK(a.facts.size() == 120);
    CHECK(a.subjects.size() == 30);
    CHECK(a.relations.size() == 4);
    CHECK(facts_to_csv(a) == facts_to_csv(b));
    CHECK(facts_to_csv(a) != facts_to_csv(c));
    for (const auto& toks : a.subject_tokens) CHECK(toks.size() == 2);
    for (const auto& cands : a.candidates) CHECK(cands.size() <= 32);
    SyntheticSpec bad;
    bad.candidates = 1;
    FactSet fs;
    std::string err;
    CHECK_FALSE(make_synthetic_facts(bad, &fs, &err));
    CHECK(err.find("candidates") != std::string::npos);
}

TEST_CASE("train: the batched loss matches the one-fact-at-a-time lookup") {
    const FactSet fs = make_synthetic_facts(24, 5, 3, 6);
    for (Activation act : {Activation::ReLU, Activation::GELU}) {
        const Trainer t = small_trainer(act, fs);
        const double batched = loss_and_grad(t.model().mlp, t.data(), nullptr, nullptr).loss;
        const double ref = reference_loss(t.model(), fs);
        CHECK(batched == doctest::Approx(ref).epsilon(1e-4));
        // A subset of subjects sees only their facts.
        std::vector<int> some = {0, 2, 3};
        const LossResult part = loss_and_grad(t.model().mlp, t.data(), &some, nullptr);
        CHECK(part.facts == 9);
    }
}

TEST_CASE("train: gradients match finite differences (ReLU and GELU)") {
    const FactSet fs = make_synthetic_facts(24, 5, 3, 6);
    for (Activation act : {Activation::GELU, Activation::ReLU}) {
        const Trainer t = small_trainer(act, fs);
        const Mlp& mlp = t.model().mlp;
        MlpGrads g;
        loss_and_grad(mlp, t.data(), nullptr, &g);
        CHECK(g.W_up.norm() > 1e-3f);
        CHECK(g.W_down.norm() > 1e-3f);
        check_block(mlp, t.data(), pick_W_up, g.W_up, "W_up");
        check_block(mlp, t.data(), pick_W_down, g.W_down, "W_down");
        check_vec(mlp, t.data(), true, g.b_up, "b_up");
        check_vec(mlp, t.data(), false, g.b_down, "b_down");
    }
}

TEST_CASE("train: the built-in athletes reach 100% with fewer neurons than subjects") {
    const FactSet& fs = builtin_facts();
    for (int hidden : {128, 64}) {
        TrainConfig c;
        c.d = 256;
        c.hidden = hidden;
        c.steps = 3000;
        Trainer t;
        std::string err;
        REQUIRE(train_model(c, fs, &t, &err));
        CHECK(hidden < int(fs.subjects.size()));
        CHECK(t.reached());
        CHECK(t.accuracy() == 1.0);
        MESSAGE("built-in, d=256 hidden=" << hidden << ": 100% after " << t.steps_done() << " steps, " << t.seconds() << " s");
        // The model answers through the ordinary lookup path too.
        const EvalResult e = evaluate(t.model(), fs);
        CHECK(e.facts == int(fs.facts.size()));
        CHECK(e.accuracy() == 1.0);
        CHECK(t.params() == 2LL * 256 * hidden + hidden);
    }
}

TEST_CASE("train: a trained model round-trips through save_model / load_model") {
    const FactSet& fs = builtin_facts();
    TrainConfig c;
    c.d = 64;
    c.hidden = 96;
    c.steps = 400;
    Trainer t;
    std::string err;
    REQUIRE(train_model(c, fs, &t, &err));
    // A fresh folder under the system's temporary directory (never the working tree).
    const std::string dir = (std::filesystem::temp_directory_path() / "factlab_test_train_model").string();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    REQUIRE_MESSAGE(save_model(dir, t.model(), &err), err);
    Model back;
    REQUIRE_MESSAGE(load_model(dir, &back, &err), err);
    CHECK(back.mlp.W_up == t.model().mlp.W_up);
    CHECK(back.mlp.W_down == t.model().mlp.W_down);
    CHECK(back.mlp.b_up == t.model().mlp.b_up);
    CHECK(back.tokens == t.model().tokens);
    CHECK(back.objects == t.model().objects);
    CHECK(evaluate(back, fs).correct == evaluate(t.model(), fs).correct);
    std::filesystem::remove_all(dir, ec);
}

TEST_CASE("train: mini-batches learn too") {
    const FactSet& fs = builtin_facts();
    TrainConfig c;
    c.d = 128;
    c.hidden = 128;
    c.steps = 1500;
    c.batch = 64;
    Trainer t;
    std::string err;
    REQUIRE(train_model(c, fs, &t, &err));
    CHECK(t.accuracy() >= 0.95);
    bool saw_partial = false;
    for (const TrainPoint& p : t.history()) saw_partial |= !p.full;
    CHECK(saw_partial);
}

TEST_CASE("train: a small synthetic capacity point is stored") {
    // 256 facts of 4 bits each (1,024 bits) in 16·(2·32 + 1) = 1,040 parameters.
    const FactSet fs = make_synthetic_facts(256, 11, 1, 16);
    TrainConfig c;
    c.d = 32;
    c.hidden = 16;
    c.steps = 4000;
    c.lr = 0.01f;
    c.schedule = LrSchedule::Cosine;
    c.stop_at_accuracy = 0.99;
    Trainer t;
    std::string err;
    REQUIRE(train_model(c, fs, &t, &err));
    MESSAGE("synthetic 256 facts x 4 bits, d=32 h=16: " << 100 * t.accuracy() << "% after " << t.steps_done() << " steps");
    CHECK(t.accuracy() >= 0.99);
    CHECK(t.data().bits == doctest::Approx(256 * 4.0));
    CHECK(t.data().bits / double(t.params()) > 0.9);
}

TEST_CASE("train: the capacity sweep is sliceable and finds a stored count") {
    CapacityConfig c;
    c.sizes = {{16, 4}, {16, 8}};
    c.relations = 2;
    c.candidates = 16;
    c.max_runs = 5;
    c.train.steps = 600;
    c.work = 2e5;
    CapacitySweep s;
    std::string err;
    REQUIRE(s.reset(c, &err));
    double last = -1;
    int calls = 0;
    while (s.step()) {
        CHECK(s.progress() >= last - 1e-12);
        last = s.progress();
        ++calls;
        REQUIRE(calls < 100000);
    }
    CHECK(s.error().empty());
    CHECK(s.progress() == 1.0);
    REQUIRE(s.results().size() == 2);
    for (const CapacityResult& r : s.results()) {
        CHECK(r.finished);
        CHECK(r.runs.size() >= 2);
        CHECK(int(r.runs.size()) <= c.max_runs);
        CHECK(r.best_facts > 0);
        CHECK(r.best_accuracy >= 0.99);
        CHECK(r.bits_per_param > 0);
        CHECK(r.compiled_bits_per_param > 0);
        CHECK(r.compiled_bits_per_param < r.bits_per_param);
        CHECK(r.params == 2LL * 16 * r.hidden + r.hidden);
    }
    // More neurons store at least about as many facts.
    CHECK(s.results()[1].best_facts >= s.results()[0].best_facts * 0.8);
}

TEST_CASE("train: interference - the compiled model degrades as d shrinks") {
    TrainConfig learned;
    learned.hidden = 128;
    learned.steps = 300;
    const std::vector<InterferencePoint> pts = interference_series(builtin_facts(), {8, 32, 256}, learned, true);
    REQUIRE(pts.size() == 3);
    CHECK(pts[0].d == 8);
    CHECK(pts[0].compiled_accuracy < pts[2].compiled_accuracy);
    CHECK(pts[2].compiled_accuracy >= 0.99);
    for (const InterferencePoint& p : pts) {
        CHECK(p.learned_accuracy >= 0);
        CHECK(p.learned_hidden == 128);
    }
    CHECK(pts[2].learned_accuracy > pts[0].learned_accuracy);
}

TEST_CASE("train: same seed, same weights; another seed, other weights") {
    const FactSet fs = make_synthetic_facts(60, 2, 2, 8);
    TrainConfig c;
    c.d = 16;
    c.hidden = 8;
    c.steps = 30;
    c.stop_at_accuracy = 2.0;
    std::string err;
    Trainer a, b, other;
    REQUIRE(train_model(c, fs, &a, &err));
    REQUIRE(train_model(c, fs, &b, &err));
    c.seed = 2;
    REQUIRE(train_model(c, fs, &other, &err));
    CHECK(a.steps_done() == 30);
    CHECK(a.model().mlp.W_up == b.model().mlp.W_up);
    CHECK(a.model().mlp.W_down == b.model().mlp.W_down);
    CHECK(a.model().mlp.b_up == b.model().mlp.b_up);
    CHECK(a.loss() == b.loss());
    CHECK(a.model().mlp.W_up != other.model().mlp.W_up);
    // Slicing does not change the result: 30 steps in pieces of 7.
    c.seed = 1;
    Trainer sliced;
    REQUIRE(sliced.reset(c, fs, &err));
    while (!sliced.done()) sliced.step(7);
    CHECK(sliced.model().mlp.W_down == a.model().mlp.W_down);
}

TEST_CASE("train: a long run keeps a bounded history with its first and last points") {
    const FactSet fs = make_synthetic_facts(4, 1, 1, 4);
    TrainConfig c;
    c.d = 4;
    c.hidden = 2;
    c.steps = 20000;
    c.stop_at_accuracy = 2.0;
    Trainer t;
    std::string err;
    REQUIRE(train_model(c, fs, &t, &err));
    CHECK(t.steps_done() == 20000);
    CHECK(t.history().size() < 8192);
    CHECK(t.history().size() > 1000);
    CHECK(t.history().front().step == 0);
    CHECK(t.history().back().step == 20000);
    bool increasing = true;
    for (size_t i = 1; i < t.history().size(); ++i) increasing &= t.history()[i].step > t.history()[i - 1].step;
    CHECK(increasing);
}

TEST_CASE("train: a diverged model stops with a message and keeps the last good weights") {
    const FactSet fs = make_synthetic_facts(20, 1, 1, 4);
    TrainConfig c;
    c.d = 8;
    c.hidden = 4;
    c.steps = 50;
    Trainer t;
    std::string err;
    REQUIRE(t.reset(c, fs, &err));
    Model huge = t.model();
    huge.mlp.W_down.setConstant(3e38f);                   // finite, but the logits overflow
    huge.mlp.W_up.setConstant(1.0f);
    huge.mlp.b_up.setConstant(1.0f);
    REQUIRE(t.reset(c, fs, &err, &huge));
    CHECK(t.step(10) == 0);
    CHECK(t.done());
    CHECK(t.failed());
    CHECK(t.message().find("not finite") != std::string::npos);
    CHECK(t.model().mlp.W_down == huge.mlp.W_down);       // untouched
    CHECK(t.steps_done() == 0);
}

TEST_CASE("train: bad sizes are rejected with clear messages") {
    std::string err;
    TrainConfig c;
    c.d = 1;
    CHECK_FALSE(validate_train_config(c, &err));
    CHECK(err.find("d must be") != std::string::npos);
    c = TrainConfig{};
    c.d = 5000;
    CHECK_FALSE(validate_train_config(c, &err));
    c = TrainConfig{};
    c.hidden = 0;
    CHECK_FALSE(validate_train_config(c, &err));
    CHECK(err.find("hidden") != std::string::npos);
    c = TrainConfig{};
    c.steps = 0;
    CHECK_FALSE(validate_train_config(c, &err));
    CHECK(err.find("steps") != std::string::npos);
    c = TrainConfig{};
    c.lr = 0;
    CHECK_FALSE(validate_train_config(c, &err));
    c.lr = NAN;
    CHECK_FALSE(validate_train_config(c, &err));
    c.lr = 3;
    CHECK_FALSE(validate_train_config(c, &err));
    CHECK(err.find("lr") != std::string::npos);
    c = TrainConfig{};
    c.d = 4096;
    c.hidden = 16384;
    CHECK_FALSE(validate_train_config(c, &err));
    CHECK(err.find("too large") != std::string::npos);
    c = TrainConfig{};
    CHECK(validate_train_config(c, &err));

    Trainer t;
    CHECK_FALSE(t.reset(c, FactSet{}, &err));
    CHECK(err.find("no facts") != std::string::npos);
    CHECK(t.done());
    CHECK(t.step(5) == 0);

    CapacityConfig cc;
    cc.sizes.clear();
    CapacitySweep s;
    CHECK_FALSE(s.reset(cc, &err));
    cc = CapacityConfig{};
    cc.sizes = {{64, 0}};
    CHECK_FALSE(s.reset(cc, &err));
    CHECK(err.find("hidden") != std::string::npos);
}

TEST_CASE("train: role-bound directions, other domains (capitals, nested names) and a vocabulary mismatch") {
    for (const std::string file : {"capitals.csv", "nested_names.csv"}) {
        CAPTURE(file);
        std::string text, err;
        REQUIRE(read_file(std::string(FACTLAB_SOURCE_DIR) + "/tests/data/" + file, &text, &err));
        ParseResult pr = parse_facts_csv(text);
        REQUIRE(pr.ok);
        TrainConfig c;
        c.d = 64;
        c.hidden = 16;
        c.steps = 3000;
        Trainer t;
        REQUIRE_MESSAGE(train_model(c, pr.facts, &t, &err), err);
        CHECK(t.accuracy() == 1.0);
        CHECK(evaluate(t.model(), pr.facts).accuracy() == 1.0);
        MESSAGE(file << ": 100% after " << t.steps_done() << " steps (d 64, hidden 16)");
    }
    // A model whose vocabulary lacks "Michael" as a last name cannot train on "Jordan Michael": it says so.
    const Model m = make_embedding(builtin_facts(), 32, 1);
    ParseResult swapped = parse_facts_csv("subject,relation,object\nJordan Michael,sport,basketball\n");
    REQUIRE(swapped.ok);
    TrainData data;
    std::string err;
    CHECK_FALSE(make_train_data(m, swapped.facts, &data, &err));
    CHECK(err.find("'Michael' as a last name") != std::string::npos);
}
