// cli_train.cpp: `train`, `capacity` and `edit`, the capacity lab without a window.
//
//   factlab-cli train    learn the facts with fewer neurons than subjects (Adam)
//   factlab-cli capacity how many facts fit per parameter; interference as d shrinks
//   factlab-cli edit     rewrite one fact with a rank-one (ROME) change of W_down
// Every command prints a readable summary, or one JSON object with --json.
// Bad input: a clear message on stderr and exit code 2.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "cli/cli.hpp"
#include "core/block/capacity.hpp"
#include "core/block/edit.hpp"
#include "core/io.hpp"
#include "core/block/synthetic.hpp"
#include "core/block/train.hpp"

namespace factlab::cli {
namespace {

using json = nlohmann::ordered_json;   // fields stay in the order written

// A comma-separated list of whole numbers within [lo, hi] ("8,16,32").
bool int_list(const std::string& text, const char* name, long long lo, long long hi, std::vector<int>* out) {
    out->clear();
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t comma = text.find(',', pos);
        const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        char* end = nullptr;
        const long long x = std::strtoll(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0') { fail(std::string(name) + " wants whole numbers separated by commas, got '" + text + "'"); return false; }
        if (x < lo || x > hi) {
            fail(std::string(name) + " values must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + item);
            return false;
        }
        out->push_back(int(x));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    if (out->empty() || out->size() > 64) { fail(std::string(name) + " wants 1 to 64 values"); return false; }
    return true;
}

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

// The training flags shared by `train` and `capacity`.
bool train_flags(const Args& a, TrainConfig* c, long long def_steps, double def_lr) {
    long long steps, seed, batch, embed_seed;
    double lr, init;
    if (!int_flag(a, "--steps", def_steps, 1, 10000000, &steps)) return false;
    if (!int_flag(a, "--seed", 1, 0, (1LL << 53), &seed)) return false;
    if (!int_flag(a, "--embed-seed", 1, 0, (1LL << 53), &embed_seed)) return false;
    if (!int_flag(a, "--batch", 0, 0, 1000000, &batch)) return false;
    if (!float_flag(a, "--lr", def_lr, 1e-6, 1.0, &lr)) return false;
    if (!float_flag(a, "--init", 1.0, 1e-3, 100.0, &init)) return false;
    bool err = false;
    const std::string act = flag_value(a, "--act", "relu", &err);
    if (err) return false;
    if (!activation_from_name(act.c_str(), &c->act)) { fail("--act wants relu or gelu, got '" + act + "'"); return false; }
    const std::string sched = flag_value(a, "--schedule", "", &err);
    if (err) return false;
    if (sched == "constant") c->schedule = LrSchedule::Constant;
    else if (sched == "cosine") c->schedule = LrSchedule::Cosine;
    else if (!sched.empty()) { fail("--schedule wants constant or cosine, got '" + sched + "'"); return false; }
    c->steps = int(steps);
    c->seed = uint64_t(seed);
    c->embed_seed = uint64_t(embed_seed);
    c->batch = int(batch);
    c->lr = float(lr);
    c->init_scale = float(init);
    c->train_b_down = has_flag(a, "--b-down");
    return true;
}

// Facts from --synthetic COUNT (with --relations, --candidates, --data-seed) or --facts FILE / built-in.
bool facts_for_training(const Args& a, FactSet* fs, std::string* source) {
    long long count, relations, candidates, seed;
    if (!int_flag(a, "--synthetic", 0, 1, 1000000, &count)) return false;
    if (!int_flag(a, "--relations", 1, 1, 64, &relations)) return false;
    if (!int_flag(a, "--candidates", 16, 2, 65536, &candidates)) return false;
    if (!int_flag(a, "--data-seed", 1, 0, (1LL << 53), &seed)) return false;
    if (count > 0) {
        if (has_flag(a, "--facts")) { fail("give --facts FILE or --synthetic COUNT, not both"); return false; }
        SyntheticSpec spec;
        spec.facts = int(count);
        spec.relations = int(relations);
        spec.candidates = int(candidates);
        spec.seed = uint64_t(seed);
        std::string err;
        if (!make_synthetic_facts(spec, fs, &err)) { fail(err); return false; }
        *source = "synthetic";
        return true;
    }
    if (!load_facts_arg(a, fs)) return false;
    *source = has_flag(a, "--facts") ? flag_value(a, "--facts", "") : "built-in";
    return true;
}

// Writes the model folder (the export-model files) plus the facts it stores.
bool save_with_facts(const std::string& dir, const Model& m, const FactSet& fs) {
    std::string err;
    if (!save_model(dir, m, &err)) { fail("could not write " + dir + ": " + err); return false; }
    if (!write_file(dir + "/facts.csv", facts_to_csv(fs), &err)) { fail("could not write " + dir + "/facts.csv: " + err); return false; }
    return true;
}

// ============================================================================
// train
// ============================================================================

int run_train(const Args& a) {
    FactSet fs;
    std::string source;
    if (!facts_for_training(a, &fs, &source)) return 2;
    TrainConfig cfg;
    long long d, hidden;
    if (!int_flag(a, "--d", 256, 2, 4096, &d)) return 2;
    if (!int_flag(a, "--hidden", 128, 1, 16384, &hidden)) return 2;
    if (!train_flags(a, &cfg, 2000, 0.02)) return 2;
    cfg.d = int(d);
    cfg.hidden = int(hidden);
    double target;
    if (!float_flag(a, "--target", 1.0, 0.0, 1.0, &target)) return 2;
    cfg.stop_at_accuracy = target;                                  // stop once reached
    if (has_flag(a, "--keep-going")) cfg.stop_at_accuracy = 2.0;   // use the whole step budget
    bool err_flag = false;
    const std::string out = flag_value(a, "--out", "", &err_flag);
    if (err_flag) return 2;

    Trainer t;
    std::string err;
    if (!t.reset(cfg, fs, &err)) return fail(err);
    while (!t.done()) t.step(100);

    const double bits = t.data().bits;
    const long long params = t.params();
    const long long compiled_params = factlab::compiled_params(int(fs.subjects.size()), cfg.d);
    if (!out.empty() && !save_with_facts(out, t.model(), fs)) return 2;

    if (has_flag(a, "--json")) {
        json j = {{"facts", t.data().facts},
                  {"subjects", fs.subjects.size()},
                  {"relations", fs.relations.size()},
                  {"source", source},
                  {"d", cfg.d},
                  {"hidden", cfg.hidden},
                  {"accuracy", t.accuracy()},
                  {"loss", t.loss()},
                  {"steps", t.steps_done()},
                  {"params", params},
                  {"bits", bits},
                  {"bits_per_param", bits / double(params)},
                  {"compiled_params", compiled_params},
                  {"compiled_bits_per_param", bits / double(compiled_params)},
                  {"seconds", t.seconds()},
                  {"stopped", t.message()},
                  {"failed", t.failed()}};
        if (!out.empty()) j["out"] = out;
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        std::printf("trained %d facts (%zu subjects, %s) with d=%d, hidden=%d\n", t.data().facts, fs.subjects.size(),
                    source.c_str(), cfg.d, cfg.hidden);
        std::printf("  accuracy        %.2f%%  (loss %.4f after %d Adam steps, %.3f s)\n", 100.0 * t.accuracy(), t.loss(),
                    t.steps_done(), t.seconds());
        std::printf("  parameters      %lld  (compiled, one neuron per subject: %lld)\n", params, compiled_params);
        std::printf("  bits stored     %.0f  ->  %.4f bits/param  (compiled: %.4f; Allen-Zhu & Li: ~%.0f)\n", bits,
                    bits / double(params), bits / double(compiled_params), kAllenZhuLiBitsPerParam);
        std::printf("  %s\n", t.message().c_str());
        if (!out.empty()) std::printf("  wrote %s\n", out.c_str());
    }
    return t.failed() ? 1 : 0;
}

// ============================================================================
// capacity
// ============================================================================

int run_interference(const Args& a) {
    FactSet fs;
    if (!load_facts_arg(a, &fs)) return 2;
    std::vector<int> ds;
    bool err_flag = false;
    const std::string ds_text = flag_value(a, "--ds", "8,16,32,64,128,256", &err_flag);
    if (err_flag || !int_list(ds_text, "--ds", 2, 4096, &ds)) return 2;
    TrainConfig cfg;
    long long hidden;
    if (!int_flag(a, "--hidden", 128, 1, 16384, &hidden)) return 2;
    if (!train_flags(a, &cfg, 2000, 0.02)) return 2;
    cfg.hidden = int(hidden);
    const bool learned = !has_flag(a, "--compiled-only");
    std::string err;
    InterferenceSweep sweep;
    if (!sweep.reset(fs, ds, cfg, learned, &err)) return fail(err);
    while (sweep.step(1e9)) {}
    if (has_flag(a, "--json")) {
        json pts = json::array();
        for (const InterferencePoint& p : sweep.points()) {
            json j = {{"d", p.d}, {"compiled_accuracy", p.compiled_accuracy}};
            if (p.learned_accuracy >= 0)
                j.update({{"learned_accuracy", p.learned_accuracy}, {"learned_hidden", p.learned_hidden},
                          {"learned_steps", p.learned_steps}, {"learned_seconds", p.learned_seconds}});
            pts.push_back(j);
        }
        std::printf("%s\n", json{{"facts", fs.facts.size()}, {"subjects", fs.subjects.size()}, {"interference", pts}}.dump(2).c_str());
        return 0;
    }
    std::printf("interference: %zu facts, %zu subjects; accuracy as d shrinks\n", fs.facts.size(), fs.subjects.size());
    std::printf("  %6s  %10s  %s\n", "d", "compiled", learned ? "learned (hidden, steps, s)" : "");
    for (const InterferencePoint& p : sweep.points()) {
        if (p.learned_accuracy >= 0)
            std::printf("  %6d  %9.1f%%  %6.1f%%  (%d, %d, %.2f s)\n", p.d, 100 * p.compiled_accuracy, 100 * p.learned_accuracy,
                        p.learned_hidden, p.learned_steps, p.learned_seconds);
        else
            std::printf("  %6d  %9.1f%%\n", p.d, 100 * p.compiled_accuracy);
    }
    return 0;
}

int run_capacity(const Args& a) {
    if (has_flag(a, "--interference")) return run_interference(a);
    CapacityConfig cfg;
    std::vector<int> ds, hs;
    bool err_flag = false;
    const std::string d_text = flag_value(a, "--d", "32", &err_flag);
    if (err_flag || !int_list(d_text, "--d", 2, 4096, &ds)) return 2;
    const std::string h_text = flag_value(a, "--hidden", "8,16,32", &err_flag);
    if (err_flag || !int_list(h_text, "--hidden", 1, 16384, &hs)) return 2;
    cfg.sizes.clear();
    for (int d : ds)
        for (int h : hs) cfg.sizes.push_back({d, h});
    if (cfg.sizes.size() > 64) return fail("at most 64 (d, hidden) sizes");
    long long relations, candidates, max_runs, max_subjects, data_seed;
    double target;
    if (!int_flag(a, "--relations", cfg.relations, 1, 64, &relations)) return 2;
    if (!int_flag(a, "--candidates", cfg.candidates, 2, 65536, &candidates)) return 2;
    if (!int_flag(a, "--max-runs", cfg.max_runs, 1, 100, &max_runs)) return 2;
    if (!int_flag(a, "--max-subjects", cfg.max_subjects, 1, 1000000, &max_subjects)) return 2;
    if (!int_flag(a, "--data-seed", 1, 0, (1LL << 53), &data_seed)) return 2;
    if (!float_flag(a, "--target", cfg.target, 0.01, 1.0, &target)) return 2;
    if (!train_flags(a, &cfg.train, cfg.train.steps, cfg.train.lr)) return 2;
    if (!has_flag(a, "--schedule")) cfg.train.schedule = LrSchedule::Cosine;
    cfg.relations = int(relations);
    cfg.candidates = int(candidates);
    cfg.max_runs = int(max_runs);
    cfg.max_subjects = int(max_subjects);
    cfg.seed = uint64_t(data_seed);
    cfg.target = target;
    cfg.compare_compiled = !has_flag(a, "--no-compiled");
    const bool as_json = has_flag(a, "--json");
    const bool quiet = has_flag(a, "--quiet");

    CapacitySweep sweep;
    std::string err;
    if (!sweep.reset(cfg, &err)) return fail(err);
    size_t reported = 0, sizes_reported = 0;
    while (sweep.step()) {
        // Progress on stderr, one line per finished run.
        if (quiet) continue;
        for (; sizes_reported < sweep.results().size(); ++sizes_reported) {
            const CapacityResult& r = sweep.results()[sizes_reported];
            for (; reported < r.runs.size(); ++reported) {
                const CapacityPoint& p = r.runs[reported];
                std::fprintf(stderr, "  d=%d h=%d: %6d facts (%.0f bits, %.3f bits/param) -> %5.1f%% %s  [%d steps, %.1f s]\n",
                             p.d, p.hidden, p.facts, p.bits, p.bits_per_param, 100 * p.accuracy, p.stored ? "stored" : "not stored",
                             p.steps, p.seconds);
            }
            if (!r.finished) break;
            reported = 0;
        }
    }
    if (!sweep.error().empty()) return fail(sweep.error());

    const double bits_per_fact = std::log2(double(cfg.candidates));
    if (as_json) {
        json sizes = json::array();
        for (const CapacityResult& r : sweep.results()) {
            json runs = json::array();
            for (const CapacityPoint& p : r.runs)
                runs.push_back({{"facts", p.facts}, {"subjects", p.subjects}, {"accuracy", p.accuracy}, {"stored", p.stored},
                                {"bits", p.bits}, {"bits_per_param", p.bits_per_param}, {"steps", p.steps}, {"seconds", p.seconds}});
            json j = {{"d", r.d}, {"hidden", r.hidden}, {"params", r.params}, {"runs", runs},
                      {"max_facts", r.best_facts}, {"max_facts_accuracy", r.best_accuracy}, {"bits", r.best_bits},
                      {"bits_per_param", r.bits_per_param}, {"compiled_params", r.compiled_params},
                      {"compiled_bits_per_param", r.compiled_bits_per_param}};
            if (r.compiled_accuracy >= 0) j["compiled_accuracy"] = r.compiled_accuracy;
            sizes.push_back(j);
        }
        json out = {{"relations", cfg.relations}, {"candidates", cfg.candidates}, {"bits_per_fact", bits_per_fact},
                    {"target", cfg.target}, {"steps", cfg.train.steps}, {"lr", cfg.train.lr},
                    {"allen_zhu_li_bits_per_param", kAllenZhuLiBitsPerParam}, {"seconds", sweep.seconds()}, {"sizes", sizes}};
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("capacity: %d relations x %d candidates (%.1f bits per fact), stored = accuracy >= %.0f%%, %d Adam steps per run\n",
                cfg.relations, cfg.candidates, bits_per_fact, 100 * cfg.target, cfg.train.steps);
    std::printf("  %5s %7s %9s  %10s  %9s  %14s  %s\n", "d", "hidden", "params", "max facts", "bits/par", "compiled b/p", "compiled acc");
    for (const CapacityResult& r : sweep.results()) {
        char acc[32] = "-";
        if (r.compiled_accuracy >= 0) std::snprintf(acc, sizeof acc, "%.1f%%", 100 * r.compiled_accuracy);
        std::printf("  %5d %7d %9lld  %10d  %9.3f  %14.4f  %s\n", r.d, r.hidden, r.params, r.best_facts, r.bits_per_param,
                    r.compiled_bits_per_param, acc);
    }
    std::printf("  Allen-Zhu & Li (2024): ~%.0f bits/param for GPT-2-style models on synthetic biographies.  %.1f s in all.\n", kAllenZhuLiBitsPerParam,
                sweep.seconds());
    return 0;
}

// ============================================================================
// edit
// ============================================================================

json change_json(const FactChange& c) {
    return {{"subject", c.subject}, {"relation", c.relation}, {"object", c.object},
            {"answer_before", c.answer_before}, {"answer_after", c.answer_after},
            {"correct_before", c.correct_before}, {"correct_after", c.correct_after}};
}

int count_correct(const std::vector<FactChange>& v, bool after) {
    int n = 0;
    for (const FactChange& c : v) n += (after ? c.correct_after : c.correct_before) ? 1 : 0;
    return n;
}

json report_json(const EditReport& r, bool details) {
    json j = {{"method", edit_method_name(r.method)},
              {"edited_correct", r.edited_correct},
              {"old_object", r.old_object},
              {"new_object", r.new_object},
              {"probability_before", r.probability_before},
              {"probability_after", r.probability_after},
              {"margin_target", r.margin_target},
              {"margin_after", r.margin_after},
              {"others", r.others},
              {"others_accuracy_before", r.others_accuracy_before()},
              {"others_accuracy_after", r.others_accuracy_after()},
              {"same_subject_correct_before", count_correct(r.same_subject, false)},
              {"same_subject_correct_after", count_correct(r.same_subject, true)},
              {"same_subject_facts", r.same_subject.size()},
              {"near_miss_facts", r.near_misses.size()},
              {"near_misses_correct_before", count_correct(r.near_misses, false)},
              {"near_misses_correct_after", count_correct(r.near_misses, true)},
              {"flipped", r.flipped.size()},
              {"key_norm", r.key_norm},
              {"delta_norm", r.delta_norm},
              {"update_norm", r.update_norm}};
    if (r.method == EditMethod::Rome) j["lambda"] = r.lambda;
    if (r.method == EditMethod::Column) j["neuron"] = r.neuron;
    if (details) {
        json same = json::array(), near = json::array(), flipped = json::array();
        for (const FactChange& c : r.same_subject) same.push_back(change_json(c));
        for (const FactChange& c : r.near_misses) near.push_back(change_json(c));
        for (const FactChange& c : r.flipped) flipped.push_back(change_json(c));
        j["same_subject"] = same;
        j["near_misses"] = near;
        j["flipped_facts"] = flipped;
    }
    return j;
}

void print_report(const EditReport& r, bool details) {
    std::printf("  [%s] edited fact correct: %s   p(%s) %.3f -> %.3f, lead %.2f (target %.2f), |dW_down| %.3f\n",
                edit_method_name(r.method), r.edited_correct ? "yes" : "NO", r.new_object.c_str(), r.probability_before,
                r.probability_after, r.margin_after, r.margin_target, r.update_norm);
    std::printf("         same subject %d/%zu -> %d/%zu, near misses %d/%zu -> %d/%zu, every other fact %d/%d -> %d/%d (%.2f%% -> %.2f%%)\n",
                count_correct(r.same_subject, false), r.same_subject.size(), count_correct(r.same_subject, true), r.same_subject.size(),
                count_correct(r.near_misses, false), r.near_misses.size(), count_correct(r.near_misses, true), r.near_misses.size(),
                r.others_correct_before, r.others, r.others_correct_after, r.others, 100 * r.others_accuracy_before(),
                100 * r.others_accuracy_after());
    if (!details) return;
    for (const FactChange& c : r.same_subject)
        std::printf("         same subject: %s %s = %s: %s -> %s\n", c.subject.c_str(), c.relation.c_str(), c.object.c_str(),
                    c.answer_before.c_str(), c.answer_after.c_str());
    size_t shown = 0;
    for (const FactChange& c : r.flipped) {
        if (++shown > 12) { std::printf("         ... %zu more flipped\n", r.flipped.size() - 12); break; }
        std::printf("         flipped: %s %s = %s: %s -> %s\n", c.subject.c_str(), c.relation.c_str(), c.object.c_str(),
                    c.answer_before.c_str(), c.answer_after.c_str());
    }
}

int run_edit(const Args& a) {
    bool e1 = false, e2 = false, e3 = false, e4 = false, e5 = false;
    const std::string subject = flag_value(a, "--subject", "", &e1);
    const std::string relation = flag_value(a, "--relation", "", &e2);
    const std::string object = flag_value(a, "--object", "", &e3);
    const std::string out = flag_value(a, "--out", "", &e4);
    const std::string method_name = flag_value(a, "--method", "rome", &e5);
    if (e1 || e2 || e3 || e4 || e5) return 2;
    if (subject.empty() || relation.empty() || object.empty())
        return fail("edit needs --subject S --relation R --object O (e.g. --subject \"Michael Jordan\" --relation sport --object baseball)");
    EditRequest req;
    req.subject = subject;
    req.relation = relation;
    req.object = object;
    if (!edit_method_from_name(method_name, &req.method)) return fail("--method wants rome, column or plain, got '" + method_name + "'");
    double ridge, margin;
    if (!float_flag(a, "--ridge", 1e-3, 1e-9, 1.0, &ridge)) return 2;
    if (!float_flag(a, "--margin", 0.0, 0.0, 1000.0, &margin)) return 2;
    req.ridge = float(ridge);
    req.margin = float(margin);

    // The stored facts: --facts FILE, else the model folder's facts.csv, else the built-in set.
    Args fa = a;
    bool model_err = false;
    const std::string dir = flag_value(a, "--model", "", &model_err);
    if (model_err) return 2;
    if (!has_flag(a, "--facts") && !dir.empty() && file_exists(dir + "/facts.csv")) {
        fa.push_back("--facts");
        fa.push_back(dir + "/facts.csv");
    }
    FactSet fs;
    if (!load_facts_arg(fa, &fs)) return 2;
    Model m;
    if (!load_model_arg(fa, fs, &m)) return 2;

    Model edited;
    const EditReport rep = edit_fact(m, fs, req, &edited);
    if (!rep.ok) return fail(rep.error);
    // The other methods on the same request, for comparison.
    std::vector<EditReport> others;
    for (EditMethod em : {EditMethod::Rome, EditMethod::Column, EditMethod::Plain}) {
        if (em == req.method) continue;
        EditRequest r2 = req;
        r2.method = em;
        Model scratch;
        const EditReport o = edit_fact(m, fs, r2, &scratch);
        if (o.ok) others.push_back(o);
    }

    if (!out.empty()) {
        // The edited model and the facts it now stores (the edited fact replaced).
        std::vector<Fact> facts = fs.facts;
        if (rep.fact >= 0) facts[size_t(rep.fact)].object = object;
        else facts.push_back({subject, relation, object});
        if (!save_with_facts(out, edited, make_fact_set(std::move(facts)))) return 2;
    }

    const bool details = has_flag(a, "--details");
    if (has_flag(a, "--json")) {
        json j = report_json(rep, true);
        j["subject"] = subject;
        j["relation"] = relation;
        j["model"] = dir.empty() ? "compiled" : dir;
        json cmp = json::array();
        for (const EditReport& o : others) cmp.push_back(report_json(o, false));
        j["compare"] = cmp;
        if (!out.empty()) j["out"] = out;
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("edit %s: %s · %s: %s -> %s  (%zu facts, model %s)\n", edit_method_name(req.method), subject.c_str(),
                relation.c_str(), rep.old_object.c_str(), object.c_str(), fs.facts.size(), dir.empty() ? "compiled" : dir.c_str());
    print_report(rep, true);
    for (const EditReport& o : others) print_report(o, details);
    if (!out.empty()) std::printf("  wrote %s\n", out.c_str());
    return 0;
}

const Command reg_train{"train",
    "train [--facts FILE | --synthetic COUNT [--relations R] [--candidates C]] --d D --hidden H [--steps S] [--seed K] "
    "[--lr X] [--batch B] [--act relu|gelu] [--schedule constant|cosine] [--b-down] [--target A | --keep-going] [--out DIR] [--json]",
    run_train};
const Command reg_capacity{"capacity",
    "capacity [--d D[,D..]] [--hidden H[,H..]] [--relations R] [--candidates C] [--steps S] [--lr X] [--target A] "
    "[--max-runs N] [--no-compiled] [--quiet] [--json]  |  capacity --interference [--facts FILE] [--ds 8,16,..] [--hidden H] [--json]",
    run_capacity};
const Command reg_edit{"edit",
    "edit [--model DIR] [--facts FILE] --subject S --relation R --object O [--method rome|column|plain] [--ridge X] "
    "[--margin M] [--out DIR2] [--details] [--json]",
    run_edit};

}  // namespace
}  // namespace factlab::cli
