// view_capacity.cpp: the capacity lab's measuring views.
//
// [SECTION] Learning   an MLP with fewer neurons than subjects learns the facts
//                      (Adam in a worker, or sliced; live loss and accuracy; parameters and bits)
// [SECTION] Sweep      how many facts fit per size: accuracy vs facts, the largest
//                      count stored at ≥ 99%, bits per parameter vs the compiled
//                      construction and Allen-Zhu & Li's 2 bits per parameter
// [SECTION] Interference  accuracy vs d, compiled vs learned
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "core/io.hpp"
#include "ui/common/app.hpp"
#include "ui/capacity/caplab.hpp"
#include "ui/common/labui.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

// Two plots side by side when the view is wide, stacked when narrow.
struct PlotPair {
    float w, h;
    bool side;
    explicit PlotPair(float height) {
        float avail = ImGui::GetContentRegionAvail().x;
        side = avail > ImGui::GetFontSize() * 30;
        w = side ? (avail - ImGui::GetStyle().ItemSpacing.x) / 2 : avail;
        h = height;
    }
    void next() const {
        if (side) ImGui::SameLine();
    }
};

// Room for a y label, which plot::End draws just above the plot area.
void y_label_space() { ImGui::Dummy(ImVec2(1, ImGui::GetFontSize() * 0.2f)); }

//-----------------------------------------------------------------------------
// [SECTION] Learning
//-----------------------------------------------------------------------------
void draw_learning(App& a, const ViewCtx& ctx) {
    caplab_tick(a);
    CapLab& L = caplab(a);
    const Trainer& t = L.trainer;
    const TrainConfig c = caplab_train_config(a);
    const int subjects = int(a.facts.subjects.size()), facts = int(a.facts.facts.size());
    float fs = ImGui::GetFontSize();

    if (ctx.controls) {
        lab::caption("Gradient descent teaches an MLP block every fact with fewer neurons than subjects, "
                     "so neurons must be shared.");
        if (lab::begin_controls("learn")) {
            lab::slider_int(a, "d (width)", "cap_d", kCapD, 8, 512, true);
            lab::slider_int(a, "hidden", "cap_h", kCapH, 2, 1024, true);
            lab::slider_int(a, "steps", "cap_steps", kCapSteps, 10, 20000, true);
            lab::slider_float(a, "learning rate", "cap_lr", kCapLr, 0.001f, 0.2f, true, "%.4f");
            lab::slider_int(a, "seed", "cap_seed", 1, 0, 999);
            lab::end_controls();
        }
        bool done = t.done();
        const char* play = L.playing ? "Pause" : done ? "Train again" : "Train";
        if (lab::row_button(play, true)) {
            if (L.playing) L.playing = false;
            else if (done) caplab_restart(a);
            else L.playing = true;
        }
        if (lab::row_button("Step")) caplab_step_once(a);
        if (lab::row_button("Reset")) {
            caplab_restart(a);
            L.playing = false;
        }
    }

    if (!L.train_error.empty()) {
        lab::text_wrapped_colored(theme::wrong_ink(), "Cannot train: %s", L.train_error.c_str());
        return;
    }
    // In a worker, the rate of its computing time; here, of the frames' work.
    double rate = L.train_where == "worker" ? (t.seconds() > 0 ? t.steps_done() / t.seconds() : 0) : L.meter.rate;
    double left = (L.playing && rate > 1) ? (c.steps - t.steps_done()) / rate : -1;
    char what[64];
    std::snprintf(what, sizeof what, "Step %d of %d,", t.steps_done(), c.steps);
    lab::progress_eta(t.done() ? 1.0f : float(t.steps_done()) / float(std::max(1, c.steps)), left, what);
    ImGui::Text("Accuracy %s on %d facts · loss %.3f", lab::pct_text(t.accuracy()).c_str(), facts, t.loss());
    if (t.failed()) lab::text_wrapped_colored(theme::wrong_ink(), "Stopped: %s. The last finite weights are kept.", t.message().c_str());
    else if (t.done() && !t.message().empty()) lab::text_wrapped_colored(theme::text(), "Done: %s.", t.message().c_str());
    if (!a.detail_line()) {
        // steps/s and frames/s are details (details=1)
    } else if (L.playing)
        ImGui::TextDisabled("%.0f Adam steps/s · %.0f frames/s", rate, L.meter.fps());
    else
        ImGui::TextDisabled("%d Adam steps in %s of computing · %.0f frames/s", t.steps_done(),
                            t.seconds() < 0.05 ? "under 0.1 s" : lab::seconds_text(t.seconds()).c_str(), L.meter.fps());
    {
        long long learned = t.params();
        long long compiled = compiled_params(subjects, c.d);
        double bits = t.data().bits;
        char buf[560];
        std::snprintf(buf, sizeof buf,
                      "%d neurons for %d subjects (%.1f subjects per neuron). Trained parameters %s "
                      "(W_up %d×%d, b_up, W_down %d×%d): %.2f bits per parameter for %s bits of facts. "
                      "A compiled model at d = %d (one neuron per subject) has %s parameters counted the same way.",
                      c.hidden, subjects, double(subjects) / std::max(1, c.hidden), plot::Grouped(double(learned)).c_str(),
                      c.hidden, c.d, c.d, c.hidden, learned ? bits / double(learned) : 0.0, plot::Grouped(bits).c_str(),
                      c.d, plot::Grouped(double(compiled)).c_str());
        lab::caption(buf);
    }

    // Curves: accuracy and loss per step (thinned to at most ~1,000 points).
    const std::vector<TrainPoint>& hist = t.history();
    std::vector<float> xs, acc, loss;
    size_t stride = std::max<size_t>(1, hist.size() / 1000);
    float loss_max = 1e-3f, loss_min = 1e9f;
    for (size_t i = 0; i < hist.size(); i += stride) {
        xs.push_back(float(hist[i].step));
        acc.push_back(float(hist[i].accuracy));
        float l = float(std::max(hist[i].loss, 1e-6));
        loss.push_back(l);
        loss_max = std::max(loss_max, l);
        loss_min = std::min(loss_min, l);
    }
    if (!hist.empty() && (hist.size() - 1) % stride) {
        xs.push_back(float(hist.back().step));
        acc.push_back(float(hist.back().accuracy));
        loss.push_back(float(std::max(hist.back().loss, 1e-6)));
    }
    double xmax = std::max(10.0, double(t.steps_done()));
    // The plots take what is left: side by side, or one above the other.
    float left_y = ImGui::GetContentRegionAvail().y - fs * 0.6f;
    bool side = ImGui::GetContentRegionAvail().x > fs * 30;
    float ph = side ? left_y : left_y / 2 - fs * 0.6f;
    ph = std::clamp(ph, fs * 7, ctx.controls ? fs * 12 : fs * 30);
    PlotPair pp(ph);
    y_label_space();
    if (plot::Begin("acc", ImVec2(pp.w, pp.h), {0, xmax, "Adam step"}, {0, 1, "accuracy"})) {
        plot::HLine(1.0, theme::muted());
        plot::Line(xs.data(), acc.data(), int(xs.size()), theme::learned());
        plot::End();
    }
    pp.next();
    double lo = std::pow(10.0, std::floor(std::log10(std::max(1e-4f, std::min(loss_min, loss_max * 0.5f)))));
    double hi = std::pow(10.0, std::ceil(std::log10(loss_max)));
    if (plot::Begin("loss", ImVec2(pp.w, pp.h), {0, xmax, "Adam step"}, {lo, hi, "loss per fact (log)", true})) {
        plot::Line(xs.data(), loss.data(), int(xs.size()), theme::learned(), 2.0f, plot::Dash::Dashed);
        plot::End();
    }

    a.offer_export("Training history (CSV)", "factlab-training.csv", "text/csv", [&t]() {
        std::string s = "step,loss,accuracy,full_set\n";
        char buf[96];
        for (const TrainPoint& p : t.history()) {
            std::snprintf(buf, sizeof buf, "%d,%.6g,%.6g,%d\n", p.step, p.loss, p.accuracy, int(p.full));
            s += buf;
        }
        return s;
    });
    a.offer_export("Learned W_up (.npy)", "learned_W_up.npy", "application/octet-stream",
                   [&t]() { return npy_encode(t.model().mlp.W_up); });
    a.offer_export("Learned b_up (.npy)", "learned_b_up.npy", "application/octet-stream",
                   [&t]() { return npy_encode(t.model().mlp.b_up, true); });
    a.offer_export("Learned W_down (.npy)", "learned_W_down.npy", "application/octet-stream",
                   [&t]() { return npy_encode(t.model().mlp.W_down); });
}

//-----------------------------------------------------------------------------
// [SECTION] Sweep
//-----------------------------------------------------------------------------
struct SizePreset { const char* name; const char* sizes; };
// Sizes by cost: the larger ones train for minutes in the page.
const SizePreset kPresets[] = {
    {"quick: d 32, 8 and 16 neurons", "32x8,32x16"},
    {"small: d 32-64, 8-16 neurons", "32x8,32x16,64x16"},
    {"larger: d 64, 16-32 neurons", "64x16,64x32"},
};
const char* const kCandidates[] = {"16 objects (4 bits)", "256 objects (8 bits)", "4,096 objects (12 bits)"};
const int kCandidateCounts[] = {16, 256, 4096};

CapacityConfig sweep_config(const App& a) {
    CapacityConfig cfg;
    std::string text = a.state.get("cap_sizes", kPresets[0].sizes);
    auto sizes = parse_sizes(text);
    if (sizes.empty()) sizes = parse_sizes(kPresets[0].sizes);
    cfg.sizes = sizes;
    cfg.candidates = kCandidateCounts[a.state.get_int("cap_cand", 1, 0, 2)];
    cfg.relations = int(a.state.get_int("cap_rel", 4, 1, 8));
    cfg.work = 1e6;   // multiply-adds per CapacitySweep::step() (at least one Adam step): small, so the frame budget holds
    return cfg;
}

std::string sweep_key(const CapacityConfig& c) {
    std::string k = std::to_string(c.candidates) + "/" + std::to_string(c.relations);
    for (auto& s : c.sizes) k += "/" + std::to_string(s.first) + "x" + std::to_string(s.second);
    return k;
}

void draw_sweep(App& a, const ViewCtx& ctx) {
    caplab_tick(a);
    CapLab& L = caplab(a);
    CapacityConfig cfg = sweep_config(a);
    std::string key = sweep_key(cfg);
    float fs = ImGui::GetFontSize();

    // A first visit fills the plot by itself, once the learned model and the
    // interference series are done (so the jobs do not compete for the frame).
    // Embedded alone, those views are not drawn to drive their jobs: start at once.
    bool others_done = L.trainer.done() && L.interf_started && L.interf_snap.done;
    if (!L.sweep_started && !L.sweep_auto_started && (ctx.embed || others_done)) {
        L.sweep_auto_started = true;
        if (caplab_start_sweep(a, cfg)) L.sweep_key = key;
    }
    if (ctx.controls) {
        lab::caption("For each size, fresh models train on more and more random facts until they drop below 99% "
                     "accuracy: the largest count stored, in bits per trained parameter (W_up, b_up, W_down), each "
                     "fact credited its full log2(candidates).");
        if (lab::begin_controls("sweep")) {
            std::string cur = a.state.get("cap_sizes", kPresets[0].sizes);
            int sel = -1;
            const char* names[3];
            for (int i = 0; i < 3; ++i) {
                names[i] = kPresets[i].name;
                if (cur == kPresets[i].sizes) sel = i;
            }
            lab::next_control();
            ImGui::SetNextItemWidth(-ImGui::CalcTextSize("sizes").x - ImGui::GetStyle().ItemInnerSpacing.x);
            if (ImGui::Combo("sizes", &sel, names, 3)) a.state.set("cap_sizes", kPresets[sel].sizes);
            lab::combo_index(a, "objects", "cap_cand", 1, kCandidates, 3);
            lab::slider_int(a, "relations", "cap_rel", 4, 1, 8);
            lab::end_controls();
        }
        bool stale = L.sweep_started && L.sweep_key != key;
        const char* run = L.sweep_running ? "Pause" : (!L.sweep_started || stale || L.sweep_snap.done) ? "Run sweep" : "Resume";
        if (lab::row_button(run, true)) {
            if (L.sweep_running) {
                L.sweep_running = false;
            } else if (!L.sweep_started || stale || L.sweep_snap.done) {
                if (caplab_start_sweep(a, cfg)) L.sweep_key = key;
            } else {
                L.sweep_running = true;
            }
        }
        if (L.sweep_started && lab::row_button("Clear")) caplab_clear_sweep(a);
        if (stale) lab::caption("The settings changed: run the sweep again to use them.");
    }
    if (!L.sweep_error.empty()) lab::text_wrapped_colored(theme::wrong_ink(), "Sweep stopped: %s", L.sweep_error.c_str());
    if (!L.sweep_started) {
        lab::note("Press Run sweep to measure (it also starts by itself once the learned model and the interference "
                  "series are done). Each size takes up to ten training runs; the page stays responsive while it works.");
        return;
    }
    const CapacitySnapshot& S = L.sweep_snap;
    float p = float(S.progress);
    // Sliced on the page thread the work is spread over frames; a worker computes all the time.
    double stretch = L.sweep_where == "worker" ? 1.0 : std::max(1.0, L.meter.frame_ms / kFrameWorkMs);
    double left = (p > 0.02f && !S.done) ? S.seconds * (1.0 - p) / p * stretch : -1;
    lab::progress_eta(p, L.sweep_running ? left : -1, "Sweep");
    lab::caption(S.done ? ("Done in " + (S.seconds < 0.05 ? std::string("under 0.1 s") : lab::seconds_text(S.seconds)) +
                             " of computing.").c_str()
                          : S.status.c_str());

    // Accuracy against the number of facts, one colour per size.
    const auto& res = S.results;
    double fmin = 1e9, fmax = 1;
    for (const auto& r : res)
        for (const auto& run : r.runs) { fmin = std::min(fmin, double(run.facts)); fmax = std::max(fmax, double(run.facts)); }
    if (fmin > fmax) fmin = 1;
    float ph = std::max(fs * 8, std::min(fs * 11, ctx.height * 0.32f));
    PlotPair pp(ph);
    y_label_space();
    // y from a little under the worst run, so 99% vs 98% is visible.
    double amin = 1.0;
    for (const auto& r : res)
        for (const auto& run : r.runs) amin = std::min(amin, run.accuracy);
    double ylo = std::max(0.0, std::min(0.9, std::floor((amin - 0.02) * 20) / 20));
    if (plot::Begin("sweep_acc", ImVec2(pp.w, pp.h), {std::max(1.0, fmin * 0.6), fmax * 1.6, "facts (log)", true},
                    {ylo, 1.005, "accuracy"})) {
        plot::HLine(cfg.target, theme::muted());
        plot::Label(std::max(1.0, fmin * 0.6), cfg.target, "99%", theme::muted(), ImVec2(4, 2));
        for (size_t i = 0; i < res.size(); ++i) {
            std::vector<float> xs, ys;
            for (const auto& run : res[i].runs) { xs.push_back(float(run.facts)); ys.push_back(float(run.accuracy)); }
            plot::Points(xs.data(), ys.data(), int(xs.size()), theme::series(int(i)), fs * 0.25f);
        }
        plot::End();
    }
    pp.next();
    // Bits per parameter: learned (filled) and compiled (ring) per size, against 2 bits/param.
    double pmin = 1e12, pmax = 1, bmax = kAllenZhuLiBitsPerParam * 1.15;
    for (const auto& r : res) {
        pmin = std::min(pmin, double(r.params));
        pmax = std::max(pmax, double(r.params));
        bmax = std::max(bmax, r.bits_per_param * 1.15);
    }
    if (plot::Begin("sweep_bits", ImVec2(pp.w, pp.h), {pmin * 0.5, pmax * 2, "trained parameters (log)", true},
                    {0, bmax, "bits per parameter"})) {
        plot::HLine(kAllenZhuLiBitsPerParam, theme::muted());
        plot::Label(pmin * 0.5, kAllenZhuLiBitsPerParam, "2 bits/param (Allen-Zhu & Li: GPT-2-style, synthetic bios)", theme::muted(), ImVec2(4, 2));
        for (size_t i = 0; i < res.size(); ++i) {
            const auto& r = res[i];
            if (r.best_facts <= 0) continue;
            ImVec2 s = plot::ToScreen(double(r.params), r.bits_per_param);
            plot::DrawList()->AddCircleFilled(s, fs * 0.3f, theme::series(int(i)));
            if (r.compiled_params > 0) {
                ImVec2 c = plot::ToScreen(double(r.params), r.compiled_bits_per_param);
                plot::DrawList()->AddCircle(c, fs * 0.3f, theme::series(int(i)), 0, 2.0f);
            }
        }
        plot::End();
    }
    for (size_t i = 0; i < res.size(); ++i) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "d %d, h %d", res[i].d, res[i].hidden);
        lab::legend(theme::series(int(i)), buf, i == 0);
    }
    lab::caption("Filled: learned. Ring: the compiled model (one neuron per subject) storing the same facts. The line "
                 "is Allen-Zhu & Li's (2024) ceiling for GPT-2-style models trained on synthetic biographies with about "
                 "1,000 exposures per fact, not a measurement of deployed LLMs. Blocks of about the same size can store "
                 "very different counts: the number of neurons limits more than d.");

    if (ImGui::BeginTable("sweep_table", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("d × h");
        ImGui::TableSetupColumn("parameters");
        ImGui::TableSetupColumn("facts ≥ 99%");
        ImGui::TableSetupColumn("bits/param");
        ImGui::TableSetupColumn("compiled");
        ImGui::TableHeadersRow();
        for (const auto& r : res) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn(); ImGui::Text("%d × %d", r.d, r.hidden);
            ImGui::TableNextColumn(); ImGui::TextUnformatted(plot::Grouped(double(r.params)).c_str());
            ImGui::TableNextColumn();
            if (r.best_facts > 0) ImGui::TextUnformatted(plot::Grouped(r.best_facts).c_str());
            else ImGui::TextDisabled(r.finished ? "none" : "…");
            ImGui::TableNextColumn();
            if (r.best_facts > 0) ImGui::Text("%.2f", r.bits_per_param); else ImGui::TextDisabled("-");
            ImGui::TableNextColumn();
            if (r.compiled_params > 0) {
                ImGui::Text("%.3f", r.compiled_bits_per_param);
                if (ImGui::IsItemHovered())
                    ui::Tooltip("%s parameters; its accuracy on the same facts: %s", plot::Grouped(double(r.compiled_params)).c_str(),
                                      r.compiled_accuracy >= 0 ? lab::pct_text(r.compiled_accuracy).c_str() : "not measured");
            } else {
                ImGui::TextDisabled("-");
            }
        }
        ImGui::EndTable();
    }
    a.offer_export("Sweep runs (CSV)", "factlab-capacity.csv", "text/csv", [&S]() {
        std::string s = "d,hidden,subjects,facts,accuracy,bits,params,bits_per_param,steps,seconds,stored\n";
        char buf[200];
        for (const auto& r : S.results)
            for (const auto& p : r.runs) {
                std::snprintf(buf, sizeof buf, "%d,%d,%d,%d,%.6g,%.6g,%lld,%.6g,%d,%.4g,%d\n", p.d, p.hidden, p.subjects,
                              p.facts, p.accuracy, p.bits, p.params, p.bits_per_param, p.steps, p.seconds, int(p.stored));
                s += buf;
            }
        return s;
    });
    a.offer_export("Sweep summary (CSV)", "factlab-capacity-summary.csv", "text/csv", [&S]() {
        std::string s = "d,hidden,params,best_facts,bits_per_param,compiled_params,compiled_bits_per_param,compiled_accuracy\n";
        char buf[200];
        for (const auto& r : S.results) {
            std::snprintf(buf, sizeof buf, "%d,%d,%lld,%d,%.6g,%lld,%.6g,%.6g\n", r.d, r.hidden, r.params, r.best_facts,
                          r.bits_per_param, r.compiled_params, r.compiled_bits_per_param, r.compiled_accuracy);
            s += buf;
        }
        return s;
    });
}

//-----------------------------------------------------------------------------
// [SECTION] Interference
//-----------------------------------------------------------------------------
const std::vector<int> kInterferenceDs = {4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256};

void start_interference(App& a, CapLab& L) {
    L.interf_error.clear();
    // Each point compiles one neuron per subject and evaluates every subject: n² · 2d
    // multiply-adds at the widest d, in one piece (caplab.hpp bounds).
    const double n = double(a.facts.subjects.size());
    if (n * n * 2.0 * kInterferenceDs.back() > 8 * kMaxWork) {
        char buf[260];
        std::snprintf(buf, sizeof buf, "%s subjects are too many for this series on the page (each point compiles one "
                      "neuron per subject and checks every fact); factlab-cli capacity --interference --facts FILE runs it.",
                      plot::Grouped(n).c_str());
        L.interf_job.stop();
        L.interf_snap = InterferenceSnapshot{};
        L.interf_snap.done = true;   // nothing runs: the sweep may start, the button offers Run again
        L.interf_where.clear();
        L.interf_running = false;
        L.interf_error = buf;
        L.interf_started = true;
        return;
    }
    caplab_start_interference(a, {kInterferenceDs, caplab_train_config(a), true});
}

void draw_interference(App& a, const ViewCtx& ctx) {
    caplab_tick(a);
    CapLab& L = caplab(a);
    float fs = ImGui::GetFontSize();
    // Starts by itself once the learned model has finished, so the plot fills in.
    if (!L.interf_started && L.trainer.done() && L.train_error.empty()) start_interference(a, L);
    if (ctx.controls) {
        lab::caption("As d shrinks, token directions stop being nearly perpendicular and facts start to interfere.");
        if (lab::row_button(L.interf_running ? "Pause" : L.interf_snap.done ? "Run again" : "Run", true)) {
            if (L.interf_running) L.interf_running = false;
            else if (!L.interf_started || L.interf_snap.done) start_interference(a, L);
            else L.interf_running = true;
        }
        ImGui::SameLine();
        TrainConfig t = caplab_train_config(a);
        ImGui::TextDisabled("learned: %d neurons, up to %d steps", t.hidden, t.steps);
    }
    if (!L.interf_error.empty()) lab::text_wrapped_colored(theme::wrong_ink(), "%s", L.interf_error.c_str());
    if (L.interf_started && !L.interf_snap.done) lab::progress_eta(float(L.interf_snap.progress), -1, "Interference");
    const auto& pts = L.interf_snap.points;
    std::vector<float> xs, yc, xl, yl;
    for (const auto& p : pts) {
        xs.push_back(float(p.d));
        yc.push_back(float(p.compiled_accuracy));
        if (p.learned_accuracy >= 0) { xl.push_back(float(p.d)); yl.push_back(float(p.learned_accuracy)); }
    }
    float ph = std::max(fs * 8, ImGui::GetContentRegionAvail().y - fs * 3.5f);
    y_label_space();
    if (plot::Begin("interf", ImVec2(-1, ph), {3, 300, "d (log)", true}, {0, 1.05, "accuracy on every fact"})) {
        plot::HLine(1.0, theme::muted());
        plot::Line(xs.data(), yc.data(), int(xs.size()), theme::compiled());
        plot::Points(xs.data(), yc.data(), int(xs.size()), theme::compiled(), fs * 0.22f);
        plot::Line(xl.data(), yl.data(), int(xl.size()), theme::learned(), 2.0f, plot::Dash::Dashed);
        plot::Triangles(xl.data(), yl.data(), int(xl.size()), theme::learned(), fs * 0.22f);
        if (plot::Hovered()) {
            double d = plot::MouseData().x;
            const InterferencePoint* best = nullptr;
            for (const auto& p : pts)
                if (!best || std::fabs(std::log(p.d / d)) < std::fabs(std::log(best->d / d))) best = &p;
            if (best)
                ui::Tooltip("d = %d\ncompiled: %s\nlearned (%d neurons): %s", best->d,
                                  lab::pct_text(best->compiled_accuracy).c_str(), best->learned_hidden,
                                  best->learned_accuracy >= 0 ? lab::pct_text(best->learned_accuracy).c_str() : "training…");
        }
        plot::End();
    }
    plot::LegendLine(theme::compiled(), "compiled (one neuron per subject), ●", plot::Dash::Solid, true);
    plot::LegendLine(theme::learned(), "learned, ▲", plot::Dash::Dashed);
    a.offer_export("Interference (CSV)", "factlab-interference.csv", "text/csv", [&L]() {
        std::string s = "d,compiled_accuracy,learned_accuracy,learned_hidden,learned_steps,learned_seconds\n";
        char buf[160];
        for (const auto& p : L.interf_snap.points) {
            std::snprintf(buf, sizeof buf, "%d,%.6g,%.6g,%d,%d,%.4g\n", p.d, p.compiled_accuracy, p.learned_accuracy,
                          p.learned_hidden, p.learned_steps, p.learned_seconds);
            s += buf;
        }
        return s;
    });
}

ViewRegistrar reg_learn({"learn", "Learning the facts", "capacity", 10, 620.0f, draw_learning,
                         "An MLP block with fewer neurons than subjects learns every fact by gradient descent."});
ViewRegistrar reg_sweep({"capacity", "Capacity in bits per parameter", "capacity", 20, 620.0f, draw_sweep,
                         "Trains fresh models on more and more facts: the largest count stored at 99%, in bits per parameter."});
ViewRegistrar reg_interf({"interference", "Interference as d shrinks", "capacity", 30, 420.0f, draw_interference,
                          "Accuracy of the compiled and the learned model as the residual width d shrinks."});

}  // namespace
}  // namespace factlab
