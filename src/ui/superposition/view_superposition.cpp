// view_superposition.cpp: the video's experiment, run for real.
//
// [SECTION] Helpers       histograms as bars, the starting histogram as an outline
// [SECTION] Experiment    controls, presets, play/pause/step/reset, progress with
//                         time left, frame rate and steps/s, the 80°-100° zoom (as
//                         in the video) and the full 0°-180° histogram (the tails)
// [SECTION] Worst pair    the worst pair over the run against the Welch and
//                         Levenshtein limits and the random baseline, the share of
//                         pairs within ±1° / ±5°, the loss, and a plain note on the
//                         video's 89°-91° claim
//
// The optimiser itself runs in superlab.cpp, a slice per frame.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "core/superpose/bounds.hpp"
#include "core/io.hpp"
#include "ui/common/app.hpp"
#include "ui/common/labui.hpp"
#include "ui/common/live_region.hpp"
#include "ui/common/plot.hpp"
#include "ui/superposition/superlab.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

constexpr double kPi = 3.14159265358979323846;

//-----------------------------------------------------------------------------
// [SECTION] Helpers
//-----------------------------------------------------------------------------
std::vector<float> to_float(const std::vector<uint64_t>& h) {
    std::vector<float> out(h.size());
    for (size_t i = 0; i < h.size(); ++i) out[i] = float(h[i]);
    return out;
}

// An outline of a histogram (stairs), for the starting vectors.
void stairs(const std::vector<float>& ys, double x0, double w, double floor_y, ImU32 col) {
    std::vector<float> xs, vs;
    xs.reserve(ys.size() * 2);
    vs.reserve(ys.size() * 2);
    for (size_t i = 0; i < ys.size(); ++i) {
        float y = std::max(float(floor_y), ys[i]);
        xs.push_back(float(x0 + i * w));
        vs.push_back(y);
        xs.push_back(float(x0 + (i + 1) * w));
        vs.push_back(y);
    }
    plot::Line(xs.data(), vs.data(), int(xs.size()), col, 1.5f);
}

// One histogram panel: current counts as bars, the start as an outline.
void histogram(const char* id, float height, const std::vector<uint64_t>& now, const std::vector<uint64_t>* start,
               double x0, double x1, bool logy, const SuperposeStats& s, bool zoom) {
    std::vector<float> ys = to_float(now), y0 = start ? to_float(*start) : std::vector<float>();
    const double w = (x1 - x0) / std::max<size_t>(1, ys.size());
    float ymax = 1;
    for (float v : ys) ymax = std::max(ymax, v);
    for (float v : y0) ymax = std::max(ymax, v);
    plot::Axis ay = logy ? plot::Axis{0.5, std::pow(10.0, std::ceil(std::log10(ymax * 1.5))), "pairs (log)", true}
                         : plot::Axis{0, ymax * 1.08, "pairs"};
    bool narrow = ImGui::GetContentRegionAvail().x < ImGui::GetFontSize() * 30;
    const char* xl = zoom ? (narrow ? "pair angle (°), 80°-100° as in the video" : "angle between the pair (degrees), 80°-100° as in the video")
                          : (narrow ? "pair angle (°), all of 0°-180°" : "angle between the pair (degrees), all of 0°-180°");
    ImGui::Dummy(ImVec2(1, ImGui::GetFontSize() * 0.2f));
    if (!plot::Begin(id, ImVec2(-1, height), {x0, x1, xl}, ay)) return;
    double base = logy ? 0.5 : 0.0;
    // The video's claim: every pair between 89° and 91°.
    plot::FillRect(89, ay.min, 91, ay.max, theme::with_alpha(theme::video(), 0.35f));
    plot::Bars(ys.data(), int(ys.size()), theme::data(), x0, w, base);
    if (!y0.empty()) stairs(y0, x0, w, base, theme::with_alpha(theme::text(), 0.55f));
    if (!zoom && s.step >= 0) {
        // Every arrangement has a pair at least this far from 90°: the Levenshtein/Welch limit.
        double lim = s.limit_angle_deg;
        plot::VLine(lim, theme::bound(), nullptr, 1.5f, plot::Dash::Dashed);
        plot::VLine(180 - lim, theme::bound(), nullptr, 1.5f, plot::Dash::Dashed);
        plot::VLine(s.min_angle_deg, theme::worst_pair(), nullptr, 2.0f);
        plot::VLine(s.max_angle_deg, theme::worst_pair(), nullptr, 2.0f);
    }
    if (plot::Hovered()) {
        double x = plot::MouseData().x;
        int i = int((x - x0) / w);
        if (i >= 0 && i < int(ys.size()))
            ui::Tooltip("%.1f°-%.1f°: %s pairs%s%s", x0 + i * w, x0 + (i + 1) * w, plot::Grouped(ys[size_t(i)]).c_str(),
                              y0.empty() ? "" : "\nat the start: ", y0.empty() ? "" : plot::Grouped(y0[size_t(i)]).c_str());
    }
    plot::End();
}

std::string mb_text(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, bytes < 10 * 1048576.0 ? "%.1f MB" : "%.0f MB", bytes / 1048576.0);
    return buf;
}

std::string hist_csv(const SuperposeStats& s) {
    std::string out = "histogram,angle_lo_deg,angle_hi_deg,pairs\n";
    char buf[96];
    for (size_t i = 0; i < s.hist_zoom.size(); ++i) {
        std::snprintf(buf, sizeof buf, "zoom,%.1f,%.1f,%llu\n", 80 + i * 0.1, 80 + (i + 1) * 0.1, (unsigned long long)s.hist_zoom[i]);
        out += buf;
    }
    for (size_t i = 0; i < s.hist_full.size(); ++i) {
        std::snprintf(buf, sizeof buf, "full,%.1f,%.1f,%llu\n", i * 0.5, (i + 1) * 0.5, (unsigned long long)s.hist_full[i]);
        out += buf;
    }
    return out;
}

// An embed of a long run shows it finished (superlab_snapshot): say where the
// numbers come from, and offer to run it live.
void snapshot_banner(App& a, const SuperposeSnapshot& snap) {
    const SuperposeConfig& c = snap.config;
    char buf[320];
    std::snprintf(buf, sizeof buf, "The finished run: %s vectors in %d dimensions, %s loss, all %d steps (seed %llu), "
                  "computed natively by factlab-cli in %s. Replay runs it here, live.",
                  plot::Grouped(c.n).c_str(), c.d, c.loss == SuperposeLoss::video ? "the video's" : "the worst-pair",
                  c.steps, (unsigned long long)c.seed, lab::seconds_text(snap.seconds).c_str());
    lab::caption(buf);
    bool replay = lab::row_button("Replay \xE2\x96\xB6", true);   // ▶
    ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
    float* rect = superlab(a).main.replay_rect;
    rect[0] = r0.x; rect[1] = r0.y; rect[2] = r1.x - r0.x; rect[3] = r1.y - r0.y;
    if (replay) superlab_replay(a);
    if (ImGui::IsItemHovered()) ui::Tooltip("Start from random vectors and run all %d steps in this page", c.steps);
}

//-----------------------------------------------------------------------------
// [SECTION] Experiment
//-----------------------------------------------------------------------------
void set_run(App& a, int n, int d, const char* loss, float lr, int steps) {
    a.state.set_int("sp_n", n);
    a.state.set_int("sp_d", d);
    a.state.set("sp_loss", loss);
    a.state.set_float("sp_lr", lr);
    a.state.set_int("sp_steps", steps);
}

std::string live_worst(const SuperposeConfig& c, const SuperposeStats& s);   // the worst pair as text (below)

void draw_experiment(App& a, const ViewCtx& ctx) {
    superlab_tick(a);
    SuperLab& L = superlab(a);
    MainRun& M = L.main;
    M.visible_frame = ImGui::GetFrameCount();
    const SuperposeConfig c = superlab_config(a);
    float fs = ImGui::GetFontSize();
    const SuperposeSnapshot* snap = superlab_snapshot(a);

    if (ctx.controls && !snap) {
        lab::caption("N arrows in d dimensions, pushed apart by gradient descent: how close to 90° can every pair get?");
        if (lab::row_button("The video's recipe: 10,000 × 100, 250 steps", true)) set_run(a, 10000, 100, "video", 0.01f, 250);
        if (lab::row_button("Worst-pair loss, 10,000 × 100, 3,000 steps")) set_run(a, 10000, 100, "exp", 0.01f, 3000);
        if (lab::row_button("Quick: 2,000 × 100")) set_run(a, 2000, 100, "video", 0.01f, 250);
        if (lab::begin_controls("sp")) {
            lab::slider_int_on_release(a, "N vectors", "sp_n", 2000, 2, 20000, true);
            lab::slider_int_on_release(a, "d dims", "sp_d", 100, 2, 1000, true);
            static const char* const losses[] = {"the video's loss", "worst pair (exp)"};
            lab::next_control();
            int li = c.loss == SuperposeLoss::exp ? 1 : 0;
            ImGui::SetNextItemWidth(-ImGui::CalcTextSize("loss").x - ImGui::GetStyle().ItemInnerSpacing.x);
            if (ImGui::Combo("loss", &li, losses, 2)) a.state.set("sp_loss", li ? "exp" : "video");
            lab::slider_float(a, "learning rate", "sp_lr", 0.01f, 0.0005f, 0.2f, true, "%.4f");
            lab::slider_int_on_release(a, "steps", "sp_steps", 250, 1, 5000, true);
            lab::slider_int_on_release(a, "seed", "sp_seed", 1, 0, 999);
            lab::end_controls();
        }
        const char* play = M.playing ? "Pause" : M.sp.done() ? "Run again" : "Play";
        if (lab::row_button(play, true)) {
            if (M.playing) M.playing = false;
            else if (M.sp.done() || !M.sp.error().empty()) superlab_restart(a);
            else M.playing = true;
        }
        if (lab::row_button("Step")) {
            M.playing = false;
            if (!M.sp.done()) M.step_target = M.sp.steps_done() + 1;
        }
        if (lab::row_button("Reset")) {
            superlab_restart(a);
            M.playing = false;
        }
        bool logy = a.state.get_bool("sp_logy", false);
        lab::same_line_if_fits(fs * 6);
        if (ImGui::Checkbox("log y", &logy)) a.state.set_bool("sp_logy", logy);
        bool fast = a.state.get_bool("sp_fast", false);
        // With Web Workers the run does not wait for frames: "fast" only helps the page-thread path.
        if (platform::worker_count() == 0) lab::same_line_if_fits(fs * 9);
        if (platform::worker_count() == 0 && ImGui::Checkbox("fast", &fast)) a.state.set_bool("sp_fast", fast);
        if (platform::worker_count() == 0 && ImGui::IsItemHovered())
            ui::Tooltip("Compute for %.0f ms between frames: a few frames a second, but a long run (the worst-pair "
                        "loss at 10,000 × 100) finishes several times sooner.", kFastWorkMs);
    }
    if (snap) snapshot_banner(a, *snap);
    if (!snap && !M.reset_error.empty()) {
        lab::text_wrapped_colored(theme::wrong_ink(), "Cannot run: %s.", M.reset_error.c_str());
        return;
    }
    if (!snap && !M.sp.error().empty())
        lab::text_wrapped_colored(theme::wrong_ink(), "Stopped: %s. Showing the last good vectors.", M.sp.error().c_str());

    // Progress, time left, and how the page keeps up.
    if (!snap) {
    double rate = M.rate.per_second();
    if (!M.playing || rate <= 0) M.eta_step = -1;
    else if (M.eta_step != M.sp.steps_done()) {
        M.eta_step = M.sp.steps_done();
        M.eta_left_s = (c.steps - M.sp.steps_done()) / rate;
    }
    double left = M.eta_step >= 0 ? M.eta_left_s : -1;
    float frac = float((M.sp.steps_done() + (M.stats_pending ? 0.0 : M.sp.pass_progress())) / std::max(1, c.steps));
    char what[96];
    std::snprintf(what, sizeof what, "%s × %d, step %d of %d,", plot::Grouped(c.n).c_str(), c.d, M.sp.steps_done(), c.steps);
    lab::progress_eta(std::min(1.0f, frac), left, what);
    if (!a.detail_line()) {
        // frames/s, kernel and memory are details (details=1)
    } else if (M.playing || !M.sp.done()) {
        char rate_text[32] = "-";
        if (rate > 0) std::snprintf(rate_text, sizeof rate_text, rate >= 100 ? "%.0f" : "%.3g", rate);
        lab::caption((std::to_string(int(std::lround(L.meter.fps()))) + " frames/s · " + rate_text + " steps/s · " +
                      std::to_string(int(std::lround(M.work_ms_frame))) + " ms of work per frame · kernel " +
                      M.sp.kernel_name() + " · " + mb_text(M.sp.bytes()))
                         .c_str());
    } else {
        char buf[200];
        std::snprintf(buf, sizeof buf, "%d steps in %s while the page drew %.0f frames/s (%s of it computing) · kernel %s · %s",
                      M.sp.steps_done(), lab::seconds_text(M.run_wall_ms / 1000).c_str(),
                      M.fps_while_running(),
                      lab::seconds_text(M.run_work_ms / 1000).c_str(), M.sp.kernel_name(), mb_text(M.sp.bytes()).c_str());
        lab::caption(buf);
    }
    if (c.loss == SuperposeLoss::exp) {
        const SuperposeConfig& sc = M.sp.config();
        const bool polishing = M.sp.steps_done() >= M.sp.polish_start() && !M.sp.done();
        char polish[120] = "";
        if (M.sp.polish_start() < sc.steps)
            std::snprintf(polish, sizeof polish, ", then a polish to %.0f over the last %d steps%s", double(sc.t_polish),
                          sc.steps - M.sp.polish_start(), polishing ? ", under way" : "");
        char buf[260];
        std::snprintf(buf, sizeof buf, "Worst-pair loss: soft maximum of cos² with sharpness t = %.0f (%.0f → %.0f%s), learning rate %.2g.",
                      double(M.sp.current_t()), double(sc.t_start), double(sc.t_end), polish, double(M.sp.current_lr()));
        lab::caption(buf);
    }
    }   // !snap
    const SuperposeStats& s = snap ? snap->last : M.sp.stats();
    live::say("superposition", live_worst(c, s));
    if (s.step < 0) {
        lab::note("Measuring the starting vectors…");
        return;
    }
    const SuperposeStats* first = snap ? &snap->first : M.has_first ? &M.first : nullptr;
    bool logy = a.state.get_bool("sp_logy", false);
    float rest = ImGui::GetContentRegionAvail().y - fs * 3.2f;
    float h = std::max(fs * 7, rest / 2 - fs * 0.5f);
    if (!ctx.controls) h = std::max(fs * 7, ImGui::GetContentRegionAvail().y / 2 - fs * 1.2f);
    const std::vector<uint64_t>* start = first && s.step > 0 ? &first->hist_zoom : nullptr;
    histogram("zoom", h, s.hist_zoom, start, 80, 100, logy, s, true);
    start = first && s.step > 0 ? &first->hist_full : nullptr;
    histogram("full", h, s.hist_full, start, 0, 180, logy, s, false);
    lab::legend(theme::data(), ("step " + std::to_string(s.step)).c_str(), true);
    if (first && s.step > 0) lab::legend(theme::with_alpha(theme::text(), 0.55f), "start (random)");
    lab::legend(theme::with_alpha(theme::video(), 0.6f), "the video's 89°-91°");
    plot::LegendLine(theme::worst_pair(), "worst pairs", plot::Dash::Solid);
    plot::LegendLine(theme::bound(), "the limit", plot::Dash::Dashed);

    if (snap) return;                                   // no vectors in a snapshot
    a.offer_export("Vectors (.npy, N × d)", "superposition_vectors.npy", "application/octet-stream", [&M]() {
        Eigen::MatrixXf V = M.sp.vectors();   // (N, d)
        return npy_encode(V);
    });
    a.offer_export("Histograms (CSV)", "superposition_histograms.csv", "text/csv", [&M]() { return hist_csv(M.sp.stats()); });
}

//-----------------------------------------------------------------------------
// [SECTION] Worst pair
//-----------------------------------------------------------------------------
std::string cos_angle(double c) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f° (|cos| %.3f)", 90.0 - std::asin(std::min(1.0, c)) * 180.0 / kPi, c);
    return buf;
}

// The worst pair and its limits as plain text, for the page's live region (live_region.hpp).
std::string live_worst(const SuperposeConfig& c, const SuperposeStats& s) {
    std::string t = plot::Grouped(c.n) + " unit vectors in " + std::to_string(c.d) + " dimensions";
    if (s.step < 0) return t + ": measuring the worst pair.";
    char buf[160];
    std::snprintf(buf, sizeof buf, ", step %d of %d: the worst pair is at ", s.step, c.steps);
    t += buf + cos_angle(s.worst_abs_cos) + "; the Welch limit says some pair is at least as bad as " + cos_angle(s.welch);
    if (std::isfinite(s.levenshtein)) t += ", the Levenshtein limit " + cos_angle(s.levenshtein);
    std::snprintf(buf, sizeof buf, "; %s of pairs within 1\xC2\xB0 of 90\xC2\xB0.", lab::pct_text(s.within1).c_str());
    return t + buf;
}

void row(const char* name, const std::string& value, ImU32 col = 0) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    lab::note(name);
    ImGui::TableNextColumn();
    if (col) lab::text_wrapped_colored(col, "%s", value.c_str());
    else lab::note(value.c_str());
}

void draw_worst(App& a, const ViewCtx& ctx) {
    superlab_tick(a);
    SuperLab& L = superlab(a);
    MainRun& M = L.main;
    M.visible_frame = ImGui::GetFrameCount();
    const SuperposeConfig c = superlab_config(a);
    float fs = ImGui::GetFontSize();
    const SuperposeSnapshot* snap = superlab_snapshot(a);
    const SuperposeStats& s = snap ? snap->last : M.sp.stats();
    const std::vector<std::pair<int, double>>& worst = snap ? snap->worst : M.worst;
    if (snap) snapshot_banner(a, *snap);
    if (!snap) live::say("worst-pair", live_worst(c, s));
    if (ctx.controls)
        lab::caption("What matters for interference is the worst pair. Hard limits bound it for any arrangement; "
                     "the histogram's body can narrow while a few pairs stay nearly parallel.");
    if (s.step < 0) {
        if (!M.reset_error.empty()) { lab::note(M.reset_error.c_str()); return; }
        // The limits depend only on N and d: show them while the vectors are measured.
        char what[120];
        std::snprintf(what, sizeof what, "Measuring the worst pair of %s vectors in %d dimensions…",
                      plot::Grouped(c.n).c_str(), c.d);
        lab::note(what);
        if (ImGui::BeginTable("limits", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
            ImGui::TableSetupColumn("a", ImGuiTableColumnFlags_WidthStretch, 1.1f);
            ImGui::TableSetupColumn("b", ImGuiTableColumnFlags_WidthStretch, 1.0f);
            double lev = levenshtein_bound(c.n, c.d);
            if (std::isfinite(lev)) row("Levenshtein limit: some pair is at least this bad", cos_angle(lev));
            else row("Levenshtein limit", "applies only above N = d(d+1)/2 = " + plot::Grouped(0.5 * c.d * (c.d + 1)));
            row("Welch limit: some pair is at least this bad", cos_angle(welch_bound(c.n, c.d)));
            ImGui::EndTable();
        }
        return;
    }

    if (ImGui::BeginTable("read", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("a", ImGuiTableColumnFlags_WidthStretch, 1.1f);
        ImGui::TableSetupColumn("b", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        char buf[160];
        std::snprintf(buf, sizeof buf, "Worst pair at step %d (angle between the lines)", s.step);
        row(buf, cos_angle(s.worst_abs_cos), theme::worst_pair_ink());
        std::snprintf(buf, sizeof buf, "%.2f° / %.2f°", s.min_angle_deg, s.max_angle_deg);
        row("Smallest / largest angle", buf);
        if (std::isfinite(s.levenshtein))
            row("Levenshtein limit: some pair is at least this bad", cos_angle(s.levenshtein));
        else
            row("Levenshtein limit", "applies only above N = d(d+1)/2 = " + plot::Grouped(0.5 * c.d * (c.d + 1)));
        row("Welch limit: some pair is at least this bad", cos_angle(s.welch));
        std::snprintf(buf, sizeof buf, "worst ≈ %s; spread ±%.2f°", cos_angle(s.random_worst_abs_cos).c_str(), s.random_angle_std_deg);
        row("Random vectors (baseline)", buf);
        std::snprintf(buf, sizeof buf, "%s / %s", lab::pct_text(s.within1).c_str(), lab::pct_text(s.within5).c_str());
        row("Pairs within ±1° / ±5° of 90°", buf);
        ImGui::EndTable();
    }

    // The worst pair over the run, against what is possible.
    std::vector<float> xs, ys;
    for (const auto& w : worst) { xs.push_back(float(w.first)); ys.push_back(float(w.second)); }
    double xmax = std::max(1, c.steps);
    float ph = std::max(fs * 7, std::min(fs * 11, ctx.height * 0.28f));
    if (!ctx.controls) ph = std::max(fs * 7, ImGui::GetContentRegionAvail().y * 0.55f);
    double rnd = 90.0 - std::asin(std::min(1.0, s.random_worst_abs_cos)) * 180.0 / kPi;
    double ylo = rnd;
    for (float y : ys) ylo = std::min(ylo, double(y));
    ylo = std::max(0.0, std::floor((ylo - 5) / 10) * 10);
    ImGui::Dummy(ImVec2(1, fs * 0.2f));
    if (plot::Begin("worst", ImVec2(-1, ph), {0, xmax, "step"}, {ylo, 90, "worst pair's angle (90° = perpendicular)"})) {
        double lim = s.limit_angle_deg;
        plot::FillRect(0, lim, xmax, 90, theme::with_alpha(theme::wrong(), 0.14f));
        plot::HLine(lim, theme::bound(), nullptr, 1.5f, plot::Dash::Dashed);
        plot::HLine(89, theme::video_ink(), nullptr, 2.0f, plot::Dash::Dotted);
        plot::HLine(rnd, theme::muted(), nullptr, 1.5f, plot::Dash::Solid);
        plot::Line(xs.data(), ys.data(), int(xs.size()), theme::worst_pair(), 2.5f);
        plot::Points(xs.data(), ys.data(), int(xs.size()), theme::worst_pair(), 2.5f);
        if (plot::Hovered() && !worst.empty()) {
            double x = plot::MouseData().x;
            const auto* best = &worst.front();
            for (const auto& w : worst)
                if (std::fabs(w.first - x) < std::fabs(best->first - x)) best = &w;
            ui::Tooltip("step %d: worst pair %.2f°\nlimit: %.2f°\nrandom vectors: %.2f°", best->first, best->second, lim, rnd);
        }
        plot::End();
    }
    plot::LegendLine(theme::worst_pair(), "worst pair", plot::Dash::Solid, true);
    plot::LegendLine(theme::bound(), "the limit", plot::Dash::Dashed);
    lab::legend(theme::with_alpha(theme::wrong(), 0.35f), "impossible: above the limit");
    plot::LegendLine(theme::video_ink(), "the video's 89°", plot::Dash::Dotted);
    plot::LegendLine(theme::muted(), "random vectors", plot::Dash::Solid);
    if (ctx.controls) {
        const std::vector<float>& lh = snap ? snap->loss : M.sp.loss_history();
        if (!lh.empty()) {
            float lo = 1e30f, hi = 1e-30f;
            for (float v : lh)
                if (v > 0 && std::isfinite(v)) { lo = std::min(lo, v); hi = std::max(hi, v); }
            if (hi > lo) {
                ImGui::Dummy(ImVec2(1, fs * 0.2f));
                plot::Axis ay{std::pow(10.0, std::floor(std::log10(lo))), std::pow(10.0, std::ceil(std::log10(hi))), "loss (log)", true};
                if (plot::Begin("loss", ImVec2(-1, ph * 0.8f), {0, xmax, "step"}, ay)) {
                    plot::LineY(lh.data(), int(lh.size()), theme::data(), 0, 1);
                    plot::End();
                }
            }
        }
        // The note on the video's claim, with the numbers for its own run.
        double w = welch_bound(10000, 100), l = levenshtein_bound(10000, 100);
        char note[900];
        std::snprintf(note, sizeof note,
                      "The video's claim. After 250 steps the video shows all 10,000 vectors in 100 dimensions between "
                      "89° and 91°. No arrangement can do that. The Welch bound says some pair has |cos| ≥ %.4f: it lies at "
                      "least %.2f° from perpendicular (%.2f° or less, or %.2f° or more). The Levenshtein bound raises "
                      "that to |cos| ≥ %.3f, at least %.2f° from perpendicular (%.2f°). Random vectors already spread about ±%.1f°. 3Blue1Brown's lesson page later said the cost "
                      "function was flawed: it pushes a few pairs to nearly parallel, out in tails that an 80°-100° "
                      "histogram does not show. Run the video's preset and watch the full histogram and the worst pair.",
                      w, std::asin(w) * 180 / kPi, 90 - std::asin(w) * 180 / kPi, 90 + std::asin(w) * 180 / kPi, l,
                      std::asin(l) * 180 / kPi, 90 - std::asin(l) * 180 / kPi, random_angle_std_deg(100));
        lab::note(note);
    }
    if (snap) return;
    a.offer_export("Loss per step (CSV)", "superposition_loss.csv", "text/csv", [&M]() {
        std::string out = "step,loss\n";
        const auto& lh = M.sp.loss_history();
        char buf[64];
        for (size_t i = 0; i < lh.size(); ++i) { std::snprintf(buf, sizeof buf, "%zu,%.9g\n", i, double(lh[i])); out += buf; }
        return out;
    });
    a.offer_export("Worst pair per measurement (CSV)", "superposition_worst.csv", "text/csv", [&M]() {
        std::string out = "step,worst_angle_deg\n";
        char buf[64];
        for (const auto& w : M.worst) { std::snprintf(buf, sizeof buf, "%d,%.6f\n", w.first, w.second); out += buf; }
        return out;
    });
}

ViewRegistrar reg_exp({"superposition", "Nearly perpendicular directions", "superposition", 10, 700.0f, draw_experiment,
                       "The video's experiment run for real: N unit vectors in d dimensions pushed towards 90°."});
ViewRegistrar reg_worst({"worst-pair", "The worst pair and the limits", "superposition", 20, 700.0f, draw_worst,
                         "The worst pair against the Welch and Levenshtein limits, and why the video's 89°-91° cannot hold."});

}  // namespace
}  // namespace factlab
