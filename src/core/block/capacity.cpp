// capacity.cpp: the capacity search and the interference series (see capacity.hpp).
//
// [SECTION] compiled   accuracy of the one-neuron-per-subject construction
// [SECTION] capacity   doubling / halving / bisection over fact counts, one run per count
// [SECTION] interference  compiled vs learned accuracy as d shrinks
#include "core/block/capacity.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include "core/block/synthetic.hpp"

namespace factlab {

// ============================================================================
// [SECTION] compiled
// ============================================================================

double compiled_accuracy(const FactSet& fs, int d, uint64_t embed_seed) {
    CompileOptions opt;
    opt.d = d;
    opt.seed = embed_seed;
    const Model m = compile_model(fs, opt);
    TrainData data;
    std::string err;
    if (!make_train_data(m, fs, &data, &err) || data.facts == 0) return 0.0;
    // In chunks of subjects: the compiled model has one neuron per subject, so a
    // single (h, n) activation matrix would be n² floats.
    const int n = int(data.X.cols());
    const int chunk = 256;
    long long correct = 0, facts = 0;
    std::vector<int> ids;
    for (int s0 = 0; s0 < n; s0 += chunk) {
        ids.clear();
        for (int s = s0; s < std::min(n, s0 + chunk); ++s) ids.push_back(s);
        const LossResult r = loss_and_grad(m.mlp, data, &ids, nullptr);
        correct += r.correct;
        facts += r.facts;
    }
    return facts ? double(correct) / double(facts) : 0.0;
}

// ============================================================================
// [SECTION] capacity
// ============================================================================

bool validate_capacity_config(const CapacityConfig& c, std::string* err) {
    if (c.sizes.empty() || c.sizes.size() > 64) { *err = "give between 1 and 64 (d, hidden) sizes"; return false; }
    if (c.relations < 1 || c.relations > 64) { *err = "relations must be between 1 and 64, got " + std::to_string(c.relations); return false; }
    if (c.candidates < 2 || c.candidates > 65536) { *err = "candidates must be between 2 and 65536, got " + std::to_string(c.candidates); return false; }
    if (!(c.target > 0.0 && c.target <= 1.0)) { *err = "target accuracy must be in (0, 1]"; return false; }
    if (c.max_runs < 1 || c.max_runs > 100) { *err = "max_runs must be between 1 and 100, got " + std::to_string(c.max_runs); return false; }
    if (!(c.resolution >= 0.0 && c.resolution <= 1.0)) { *err = "resolution must be in [0, 1]"; return false; }
    if (!(c.work >= 1 && c.work <= 1e12)) { *err = "work per step must be between 1 and 10^12 multiply-adds"; return false; }
    if (c.max_subjects < 1 || c.max_subjects > 1000000) { *err = "max_subjects must be between 1 and 1,000,000"; return false; }
    if ((long long)c.max_subjects * c.relations > 1000000) { *err = "max_subjects x relations must be at most 1,000,000 facts"; return false; }
    for (const auto& [d, h] : c.sizes) {
        TrainConfig t = c.train;
        t.d = d;
        t.hidden = h;
        if (!validate_train_config(t, err)) { *err = "size " + std::to_string(d) + "x" + std::to_string(h) + ": " + *err; return false; }
    }
    return true;
}

bool CapacitySweep::reset(const CapacityConfig& cfg, std::string* err) {
    done_ = true;
    running_ = false;
    results_.clear();
    error_.clear();
    seconds_ = 0;
    if (!validate_capacity_config(cfg, err)) return false;
    cfg_ = cfg;
    for (const auto& [d, h] : cfg.sizes) {
        CapacityResult r;
        r.d = d;
        r.hidden = h;
        r.params = trained_params(d, h, cfg.train.train_b_down);
        results_.push_back(r);
    }
    size_ = 0;
    lo_ = hi_ = 0;
    done_ = false;
    return true;
}

bool CapacitySweep::start_run() {
    CapacityResult& res = results_[size_];
    if (int(res.runs.size()) >= cfg_.max_runs) return false;
    const double bits_per_subject = cfg_.relations * std::log2(double(cfg_.candidates));
    int next;
    if (lo_ == 0 && hi_ == 0) {                     // first guess: 0.5 bits per parameter
        next = int(std::max(1.0, std::floor(0.5 * double(res.params) / bits_per_subject)));
    } else if (hi_ == 0) {                          // all stored so far: double
        if (lo_ >= cfg_.max_subjects) return false;
        next = int(std::min<long long>(2LL * lo_, cfg_.max_subjects));
    } else if (lo_ == 0) {                          // all failed so far: halve
        if (hi_ <= 1) return false;
        next = hi_ / 2;
    } else {                                        // bisect
        const double gap = std::max(1.0, cfg_.resolution * lo_);
        if (hi_ - lo_ <= gap) return false;
        next = lo_ + (hi_ - lo_) / 2;
    }
    next = std::min(next, cfg_.max_subjects);
    count_ = next;

    SyntheticSpec spec;
    spec.facts = count_ * cfg_.relations;
    spec.relations = cfg_.relations;
    spec.candidates = cfg_.candidates;
    spec.seed = cfg_.seed;
    std::string err;
    if (!make_synthetic_facts(spec, &facts_, &err)) { error_ = err; return false; }
    TrainConfig t = cfg_.train;
    t.d = res.d;
    t.hidden = res.hidden;
    t.stop_at_accuracy = cfg_.target;
    if (!trainer_.reset(t, facts_, &err)) { error_ = err; return false; }
    running_ = true;
    return true;
}

void CapacitySweep::finish_run() {
    CapacityResult& res = results_[size_];
    CapacityPoint p;
    p.d = res.d;
    p.hidden = res.hidden;
    p.subjects = count_;
    p.facts = trainer_.data().facts;
    p.accuracy = trainer_.accuracy();
    p.bits = trainer_.data().bits;
    p.params = res.params;
    p.bits_per_param = p.bits / double(p.params);
    p.steps = trainer_.steps_done();
    p.seconds = trainer_.seconds();
    p.stored = !trainer_.failed() && p.accuracy >= cfg_.target;
    res.runs.push_back(p);
    if (p.stored) {
        lo_ = std::max(lo_, count_);
        if (p.facts > res.best_facts) {
            res.best_facts = p.facts;
            res.best_subjects = p.subjects;
            res.best_accuracy = p.accuracy;
            res.best_bits = p.bits;
            res.bits_per_param = p.bits_per_param;
        }
    } else {
        hi_ = hi_ == 0 ? count_ : std::min(hi_, count_);
    }
    running_ = false;
}

void CapacitySweep::finish_size() {
    CapacityResult& res = results_[size_];
    if (res.best_subjects > 0) {
        res.compiled_params = compiled_params(res.best_subjects, res.d);
        res.compiled_bits_per_param = res.best_bits / double(res.compiled_params);
        if (cfg_.compare_compiled && (long long)res.best_subjects * res.d <= (1LL << 24)) {
            SyntheticSpec spec;
            spec.facts = res.best_subjects * cfg_.relations;
            spec.relations = cfg_.relations;
            spec.candidates = cfg_.candidates;
            spec.seed = cfg_.seed;
            std::string err;
            FactSet fs;
            if (make_synthetic_facts(spec, &fs, &err))
                res.compiled_accuracy = compiled_accuracy(fs, res.d, cfg_.train.embed_seed);
        }
    }
    res.finished = true;
    ++size_;
    lo_ = hi_ = 0;
    if (size_ >= results_.size()) done_ = true;
}

bool CapacitySweep::step() {
    if (done_) return false;
    const auto t0 = std::chrono::steady_clock::now();
    if (!running_) {
        if (!start_run()) {
            if (!error_.empty()) done_ = true;
            else finish_size();
        }
    } else {
        trainer_.step(trainer_.steps_for(cfg_.work));
        if (trainer_.done()) finish_run();
    }
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return !done_;
}

double CapacitySweep::progress() const {
    if (results_.empty()) return 1.0;
    if (done_) return 1.0;
    double within = double(results_[size_].runs.size());
    if (running_) within += double(trainer_.steps_done()) / double(trainer_.config().steps);
    within = std::min(0.95, within / double(cfg_.max_runs));
    return (double(size_) + within) / double(results_.size());
}

std::string CapacitySweep::status() const {
    if (!error_.empty()) return "error: " + error_;
    if (done_) return "done";
    const CapacityResult& r = results_[size_];
    char buf[160];
    if (running_)
        std::snprintf(buf, sizeof buf, "d=%d h=%d: %d facts, step %d/%d, accuracy %.1f%%", r.d, r.hidden,
                      count_ * cfg_.relations, trainer_.steps_done(), trainer_.config().steps, 100.0 * trainer_.accuracy());
    else
        std::snprintf(buf, sizeof buf, "d=%d h=%d: choosing the next count", r.d, r.hidden);
    return buf;
}

// ============================================================================
// [SECTION] interference
// ============================================================================

bool InterferenceSweep::reset(const FactSet& fs, const std::vector<int>& ds, const TrainConfig& learned,
                              bool with_learned, std::string* err) {
    done_ = true;
    training_ = false;
    points_.clear();
    if (fs.facts.empty()) { *err = "no facts"; return false; }
    if (ds.empty() || ds.size() > 64) { *err = "give between 1 and 64 widths"; return false; }
    for (int d : ds) {
        TrainConfig t = learned;
        t.d = d;
        if (!validate_train_config(t, err)) return false;
    }
    facts_ = fs;
    ds_ = ds;
    learned_ = learned;
    with_learned_ = with_learned;
    next_ = 0;
    done_ = false;
    return true;
}

bool InterferenceSweep::step(double work) {
    if (done_) return false;
    if (!training_) {
        InterferencePoint p;
        p.d = ds_[next_];
        p.compiled_accuracy = compiled_accuracy(facts_, p.d, learned_.embed_seed);
        points_.push_back(p);
        if (with_learned_) {
            TrainConfig t = learned_;
            t.d = p.d;
            std::string err;
            training_ = trainer_.reset(t, facts_, &err);
        }
        if (!training_) ++next_;
    } else {
        trainer_.step(trainer_.steps_for(work));
        if (trainer_.done()) {
            InterferencePoint& p = points_.back();
            p.learned_accuracy = trainer_.accuracy();
            p.learned_hidden = trainer_.config().hidden;
            p.learned_steps = trainer_.steps_done();
            p.learned_seconds = trainer_.seconds();
            training_ = false;
            ++next_;
        }
    }
    if (next_ >= ds_.size()) done_ = true;
    return !done_;
}

double InterferenceSweep::progress() const {
    if (done_ || ds_.empty()) return 1.0;
    double x = double(next_);
    if (training_) x += double(trainer_.steps_done()) / double(trainer_.config().steps);
    return std::min(1.0, x / double(ds_.size()));
}

std::vector<InterferencePoint> interference_series(const FactSet& fs, const std::vector<int>& ds,
                                                   const TrainConfig& learned, bool with_learned) {
    InterferenceSweep sweep;
    std::string err;
    if (!sweep.reset(fs, ds, learned, with_learned, &err)) return {};
    while (sweep.step(1e10)) {}
    return sweep.points();
}

}  // namespace factlab
