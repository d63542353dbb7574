// view_fit.cpp: "How many fit": for an angle tolerance, how many directions can
// all be within it of 90°, against the dimension d.
//
//   upper    no arrangement of more vectors exists: the smallest of the Welch,
//            Levenshtein and volume (cap packing) limits (bounds.hpp)
//   greedy   a greedy pick always reaches at least this many (Gilbert-Varshamov)
//   random   this many random vectors are all within tolerance half the time
//   JL       the rule of thumb e^(d·ε²/2)
//   dots     measured here: the largest N a short worst-pair run fits (superlab.cpp,
//            doubling then bisection, sliced per frame, cached per tolerance)
// Counts grow like e^d, so the y axis is log10 of the count.
//
// URL state: sp_tol (degrees), sp_fitwide (show d up to 1,000,000).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "core/superpose/bounds.hpp"
#include "ui/common/app.hpp"
#include "ui/common/labui.hpp"
#include "ui/common/plot.hpp"
#include "ui/superposition/superlab.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

const char* const kTolNames[] = {"±1°", "±2°", "±5°", "±10°", "±15°", "±20°", "±30°", "±45°"};   // fit_tolerances()
constexpr int kTolCount = 8;

struct Curves {
    std::string key;
    std::vector<float> d, upper, greedy, random, jl;   // log10 counts (inf: no limit)
} g_curves;

const Curves& curves(double tol, bool wide) {
    char key[48];
    std::snprintf(key, sizeof key, "%g/%d", tol, int(wide));
    if (g_curves.key == key) return g_curves;
    Curves c;
    c.key = key;
    double d1 = wide ? 1e6 : 100;
    int samples = wide ? 160 : 99;
    int last = 0;
    for (int i = 0; i < samples; ++i) {
        int d = int(std::lround(std::pow(10.0, std::log10(2.0) + (std::log10(d1) - std::log10(2.0)) * i / (samples - 1))));
        if (d <= last) continue;
        last = d;
        FitCurves f = how_many_fit(d, tol);
        c.d.push_back(float(d));
        auto fin = [](double v) { return std::isfinite(v) ? float(v) : NAN; };
        c.upper.push_back(fin(f.log10_upper));
        c.greedy.push_back(fin(f.log10_greedy));
        c.random.push_back(fin(f.log10_random));
        c.jl.push_back(fin(f.log10_jl));
    }
    g_curves = std::move(c);
    return g_curves;
}

// "10^12.3" or a plain count when small.
std::string count_text(double log10n) {
    if (!std::isfinite(log10n)) return "no limit";
    char buf[48];
    if (log10n < 6) std::snprintf(buf, sizeof buf, "%s", plot::Grouped(std::floor(std::pow(10.0, log10n) + 1e-9)).c_str());
    else std::snprintf(buf, sizeof buf, "10^%.1f", log10n);
    return buf;
}

void draw_fit(App& a, const ViewCtx& ctx) {
    superlab_tick(a);
    SuperLab& L = superlab(a);
    FitJob& F = L.fit;
    F.visible_frame = ImGui::GetFrameCount();
    float fs = ImGui::GetFontSize();
    const std::vector<float>& tols = fit_tolerances();
    double tol = fit_tol(a);
    bool wide = a.state.get_bool("sp_fitwide", false);
    int tol_i = 3;
    for (int i = 0; i < kTolCount; ++i)
        if (std::fabs(tols[i] - tol) < 1e-3) tol_i = i;

    if (ctx.controls) {
        lab::caption("How many directions can all sit within a tolerance of 90°? Limits, constructions, and dots "
                     "measured by quick runs here. Greedy: add random directions one by one, keeping each that fits "
                     "with all before it. ε = sin(tolerance); e^(dε²/2) is a rule of thumb, not a bound.");
        if (lab::begin_controls("fit")) {
            lab::next_control();
            ImGui::SetNextItemWidth(-ImGui::CalcTextSize("tolerance").x - ImGui::GetStyle().ItemInnerSpacing.x);
            if (ImGui::Combo("tolerance", &tol_i, kTolNames, kTolCount)) {
                a.state.set_float("sp_tol", tols[tol_i]);
                tol = tols[tol_i];
            }
            lab::next_control();
            if (ImGui::Checkbox("up to d = 1,000,000", &wide)) a.state.set_bool("sp_fitwide", wide);
            lab::end_controls();
        }
    }
    const Curves& c = curves(tol, wide);
    int tol10 = fit_tol_key(tol);

    // Measured points at this tolerance.
    std::vector<float> mx, my, cx, cy;
    for (int d : fit_dims()) {
        auto it = F.points.find({d, tol10});
        if (it == F.points.end() || (it->second.trials.empty() && !it->second.finished)) continue;
        const FitPoint& p = it->second;
        (p.capped ? cx : mx).push_back(float(d));
        (p.capped ? cy : my).push_back(float(std::log10(std::max(1, p.n_fit))));
    }

    // Small d: a log axis of counts. Up to d = 1,000,000: log10 of the count, since
    // the counts run to 10^80 and beyond.
    double x1 = wide ? 1e6 : 100;
    double ymax = 1;
    for (size_t i = 0; i < c.d.size(); ++i)
        if (std::isfinite(c.greedy[i])) ymax = std::max(ymax, double(c.greedy[i]));
    for (float y : my) ymax = std::max(ymax, double(y));
    for (float y : cy) ymax = std::max(ymax, double(y));
    ymax = wide ? std::min(ymax * 1.1, 80.0) : std::min(std::ceil(std::max(2.0, ymax + 0.4)), 12.0);
    auto Y = [wide](float v) { return wide || !std::isfinite(v) ? v : std::pow(10.0f, v); };
    auto mapv = [&](const std::vector<float>& v) {
        std::vector<float> out(v.size());
        for (size_t i = 0; i < v.size(); ++i) out[i] = Y(v[i]);
        return out;
    };
    plot::Axis ay = wide ? plot::Axis{0, ymax, "log10 of how many fit"} : plot::Axis{1, std::pow(10.0, ymax), "how many fit (log)", true};
    // Room below for the legend (2-3 lines), the status and the caption.
    float below = ctx.controls ? (lab::narrow() ? fs * 13 : fs * 9.5f) : fs * 6.2f;   // legend (2 lines) and the status line
    float ph = std::max(fs * 10, ImGui::GetContentRegionAvail().y - below);
    ImGui::Dummy(ImVec2(1, fs * 0.2f));
    if (plot::Begin("fit", ImVec2(-1, ph), {2, x1, "dimensions d (log)", true}, ay)) {
        std::vector<float> up = mapv(c.upper), gr = mapv(c.greedy), rn = mapv(c.random), jl = mapv(c.jl);
        plot::Line(c.d.data(), up.data(), int(c.d.size()), theme::bound(), 2.0f, plot::Dash::Dashed);
        plot::Line(c.d.data(), gr.data(), int(c.d.size()), theme::data(), 2.0f);
        plot::Line(c.d.data(), rn.data(), int(c.d.size()), theme::data(), 1.5f, plot::Dash::Dotted);
        plot::Line(c.d.data(), jl.data(), int(c.d.size()), theme::muted(), 1.0f, plot::Dash::Dashed);
        // N = d: d orthogonal directions always fit.
        std::vector<float> dl(c.d.size());
        for (size_t i = 0; i < c.d.size(); ++i) dl[i] = Y(std::log10(c.d[i]));
        plot::Line(c.d.data(), dl.data(), int(c.d.size()), theme::with_alpha(theme::text(), 0.35f), 1.0f);
        if (wide) {
            plot::VLine(100, theme::grid(), "100: the video");
            plot::VLine(12288, theme::grid(), "12,288: GPT-3");
        }
        std::vector<float> myv = mapv(my), cyv = mapv(cy);
        plot::Points(mx.data(), myv.data(), int(mx.size()), theme::focus(), fs * 0.28f);
        for (size_t i = 0; i < cx.size(); ++i) {   // stopped early: at least this many (a triangle pointing up)
            ImVec2 s = plot::ToScreen(cx[i], cyv[i]);
            float r = fs * 0.32f;
            plot::DrawList()->AddTriangleFilled(ImVec2(s.x, s.y - r), ImVec2(s.x - r, s.y + r * 0.7f), ImVec2(s.x + r, s.y + r * 0.7f),
                                                theme::focus());
        }
        if (plot::Hovered()) {
            int d = int(std::lround(plot::MouseData().x));
            FitCurves f = how_many_fit(std::max(2, d), tol);
            std::string measured;
            auto it = F.points.find({d, tol10});
            if (it != F.points.end() && !it->second.trials.empty())
                measured = std::string("\nmeasured here: ") + (it->second.capped ? "at least " : "") + plot::Grouped(it->second.n_fit) +
                           (it->second.finished ? "" : " so far");
            ui::Tooltip("d = %s, within ±%g°\nno more than: %s\ngreedy reaches: %s\nrandom, half the time: %s%s",
                              plot::Grouped(d).c_str(), tol, count_text(f.log10_upper).c_str(), count_text(f.log10_greedy).c_str(),
                              count_text(f.log10_random).c_str(), measured.c_str());
        }
        plot::End();
    }
    plot::LegendLine(theme::bound(), "limit: no more fit", plot::Dash::Dashed, true);
    plot::LegendLine(theme::data(), "greedy construction: at least this many", plot::Dash::Solid);
    plot::LegendLine(theme::data(), "random vectors", plot::Dash::Dotted);
    plot::LegendLine(theme::muted(), "e^(dε²/2), ε = sin(tolerance): rule of thumb", plot::Dash::Dashed);
    lab::legend(theme::focus(), "measured here (▲: stopped early, at least)");

    // Status of the measurement and two numbers from the video's companion text.
    if (F.active && F.cur.second == tol10)
        ImGui::TextDisabled("Measuring d = %d: trying %s vectors, step %d of 200", F.cur.first, plot::Grouped(F.n).c_str(),
                            F.sp.steps_done());
    if (ctx.controls) {
        // Where ±1° starts to beat d itself (the video's companion text: past ~250,000 dims).
        static int d1 = 0;
        if (d1 == 0)
            for (double e = 3; e <= 6.01 && d1 == 0; e += 0.01) {
                int d = int(std::pow(10.0, e));
                FitCurves f = how_many_fit(d, 1.0);
                if (f.log10_greedy > std::log10(double(d)) + 0.3) d1 = d;
            }
        FitCurves g5 = how_many_fit(12288, 5.0), g1 = how_many_fit(250000, 1.0), v = how_many_fit(100, tol);
        char buf[480];
        std::snprintf(buf, sizeof buf,
                      "At d = 100 (the video) within ±%g°: at most %s, greedy reaches %s. At GPT-3's d = 12,288 within ±5°: "
                      "at least %s directions. Within ±1° the guarantee passes 2·d only near d = %s; at d = 250,000 it is %s.",
                      tol, count_text(v.log10_upper).c_str(), count_text(v.log10_greedy).c_str(),
                      count_text(g5.log10_greedy).c_str(), plot::Grouped(d1).c_str(), count_text(g1.log10_greedy).c_str());
        lab::caption(buf);
    }

    a.offer_export("Curves and measured points (CSV)", "superposition_fit.csv", "text/csv", [&F, tol, tol10]() {
        std::string out = "kind,d,tol_deg,log10_upper,log10_greedy,log10_random,log10_jl,n_fit,capped\n";
        char buf[200];
        for (int d = 2; d <= 100; ++d) {
            FitCurves f = how_many_fit(d, tol);
            std::snprintf(buf, sizeof buf, "bound,%d,%g,%.6g,%.6g,%.6g,%.6g,,\n", d, tol, f.log10_upper, f.log10_greedy,
                          f.log10_random, f.log10_jl);
            out += buf;
        }
        for (const auto& [key, p] : F.points) {
            if (key.second != tol10 || !p.finished) continue;
            std::snprintf(buf, sizeof buf, "measured,%d,%g,,,,,%d,%d\n", p.d, tol, p.n_fit, int(p.capped));
            out += buf;
        }
        return out;
    });
}

ViewRegistrar reg({"fit", "Directions against dimension", "superposition", 30, 560.0f, draw_fit,
                   "For an angle tolerance: how many nearly perpendicular directions fit, against the dimension."});

}  // namespace
}  // namespace factlab
