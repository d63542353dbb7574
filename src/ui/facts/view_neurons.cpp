// view_neurons.cpp: "Neuron inspector": one hidden neuron, read in named directions.
//
//   its W_up row    (d)  dot products with the token and object directions:
//                        the question it asks (+ for tokens it wants, − for
//                        inhibitory ones: "B." and "I." veto Michael Jordan's
//                        neuron for Michael B. Jordan and Michael I. Jordan)
//   its b_up entry       the threshold
//   its W_down column (d) dot products with the object directions: what it writes
//   which subjects fire it, and the closest misses
// State: "neuron" (absent = the selected subject's neuron, or for a name with
// none of its own, "Jordan Michael", the same stand-in as the AND gate's:
// ui::stand_in_neuron); set here, by a click in the block view, or in the
// weights heatmaps.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/live_region.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

void named_bars(const char* id, const Model& m, const std::vector<ui::NamedDot>& dots, float width, ImU32 col) {
    std::vector<std::string> labels;
    std::vector<float> values;
    float lo = 0, hi = 0;
    for (const ui::NamedDot& d : dots) {
        labels.push_back(ui::named_label(m, d));
        values.push_back(d.dot);
        lo = std::min(lo, d.dot);
        hi = std::max(hi, d.dot);
    }
    float span = std::max(hi - lo, 1e-3f);
    plot::HBars(id, labels, values, width, ui::Em(1.15f), lo < 0 ? lo - 0.05f * span : 0, hi > 0 ? hi + 0.05f * span : 0.05f * span,
                -1, "%+.2f", col);
}

void draw_neurons(App& a, const ViewCtx& ctx) {
    ui::sync_subject_keys(a);
    const Model& m = a.model();
    const int h = m.mlp.hidden();
    if (h == 0) { ui::Note("No model."); return; }
    int n = ui::current_neuron(a);
    const ui::SubjectTable& T = ui::subject_table(a);
    float W = ImGui::GetContentRegionAvail().x;

    if (ctx.controls) {
        ui::Caption("One neuron: the question its W_up row asks, the bias that sets its threshold, and what its "
                    "W_down column writes. Pick one here or click a bar in the block view.");
        // Pick by name (neurons are labelled with the subject they serve), or step through.
        std::string label = ui::neuron_label(m, n);
        float bw = ImGui::GetFrameHeight();
        float pw = std::max(ui::Em(8), std::min(W, ui::Em(22)) - 2 * (bw + ImGui::GetStyle().ItemSpacing.x));
        if (!m.neuron_labels.empty()) {
            if (ui::SubjectPicker("##neuron", &label, m.neuron_labels, pw, "Neuron of...")) {
                int k = ui::subject_neuron(m, label);
                if (k >= 0) a.state.set_int("neuron", k);
                else a.toast("No neuron is labelled \"" + label + "\".", true);
            }
            ImGui::SameLine();
        }
        if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) a.state.set_int("neuron", (n + h - 1) % h);
        ImGui::SameLine();
        if (ImGui::ArrowButton("##next", ImGuiDir_Right)) a.state.set_int("neuron", (n + 1) % h);
        if (a.state.has("neuron")) {
            ui::Flow f;
            f.first = false;
            if (f.button("Follow the subject")) a.state.erase("neuron");
            if (ImGui::IsItemHovered()) ui::Tooltip("Show the neuron of the subject picked in Lookup (%s).", a.subject().c_str());
        }
    }
    ImGui::Text("Neuron %d of %d", n, h);
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ui::AccentText()), "%s", ui::neuron_label(m, n).c_str());
    // A name with no neuron of its own: say whose neuron this is, and what it makes of the name.
    std::string stand_in;
    if (!a.state.has("neuron") && ui::subject_neuron(m, a.subject()) < 0) {
        const LookupResult& L = a.current_lookup();
        ui::StandIn si = ui::stand_in_neuron(a);
        if (si.neuron == n && n < L.trace.pre.size()) {
            char buf[400];
            std::snprintf(buf, sizeof buf, "\"%s\" has no neuron of its own. Shown: the neuron of %s, %s (W_up\xC2\xB7" "E + b_up "
                          "= %+.2f for \"%s\": %s).", L.subject.c_str(), ui::neuron_label(m, n).c_str(), si.why,
                          L.trace.pre[n], L.subject.c_str(), L.trace.pre[n] > 0 ? "it fires" : "silent");
            stand_in = buf;
            ui::Note("%s", buf);
        }
    }

    // The row: what it asks.
    const Vec row = m.mlp.W_up.row(n).transpose();   // (d)
    const Vec col = m.mlp.W_down.col(n);             // (d)
    ImGui::Spacing();
    ImGui::TextUnformatted("W_up row: the question it asks of E");
    ui::Caption("Dot products with the named directions (largest |value|). + wants the token; \xE2\x88\x92 vetoes it.");
    named_bars("row", m, ui::top_named(m, row, 6, true, true, ui::Rank::ByAbs), W, theme::data());
    ImGui::Text("b_up = %+.3f", m.mlp.b_up[n]);
    if (ImGui::IsItemHovered()) ui::Tooltip("The bias: W_up row \xC2\xB7 E must beat %.3f for the neuron to fire.", -m.mlp.b_up[n]);

    ImGui::Spacing();
    ImGui::TextUnformatted("W_down column: what it writes into E");
    ui::Caption("Dot products with the object directions (largest |value|).");
    named_bars("col", m, ui::top_named(m, col, 5, false, true, ui::Rank::ByAbs), W, theme::data());

    // Which subjects fire it (pre > 0), and the closest misses.
    ImGui::Spacing();
    const ui::SubjectPre& P = ui::subject_pre(a, n);
    if (P.neuron == n && P.pre.size() == Eigen::Index(T.subjects.size())) {
        std::vector<std::string> fire_l, miss_l;
        std::vector<float> fire_v, miss_v;
        for (int j : P.order) {
            float pre = P.pre[j];
            if (pre > 0 && fire_l.size() < 6) { fire_l.push_back(T.subjects[j]); fire_v.push_back(pre); }
            else if (pre <= 0 && miss_l.size() < 4) { miss_l.push_back(T.subjects[j]); miss_v.push_back(pre); }
            if (miss_l.size() >= 4) break;   // misses follow every firing subject in this order
        }
        const int fires = P.fires;
        char head[160];
        std::snprintf(head, sizeof head, "Fires for %d of %d subjects", fires, int(T.subjects.size()));
        ImGui::TextUnformatted(head);
        ui::Caption("W_up\xC2\xB7" "E + b_up for each subject of the fact set; it fires when > 0.");
        float lo = std::min(-1.0f, miss_v.empty() ? 0.0f : *std::min_element(miss_v.begin(), miss_v.end()));
        float hi = std::max(1.0f, fire_v.empty() ? 0.0f : fire_v.front());
        float lw = 0;   // one label column for both charts, so their zero lines align
        for (const std::string& s : fire_l) lw = std::max(lw, ImGui::CalcTextSize(s.c_str()).x + 8);
        for (const std::string& s : miss_l) lw = std::max(lw, ImGui::CalcTextSize(s.c_str()).x + 8);
        lw = std::min(lw, W * 0.45f);
        if (!fire_l.empty()) plot::HBars("fire", fire_l, fire_v, W, ui::Em(1.15f), lo, hi, -1, "%+.2f", theme::firing(), lw);
        if (!miss_l.empty()) {
            ImGui::TextDisabled("Closest misses");
            plot::HBars("miss", miss_l, miss_v, W, ui::Em(1.15f), lo, hi, -1, "%+.2f", theme::silent(), lw);
        }
        // The page's live region (live_region.hpp): which neuron, its bias, who fires it.
        std::string who;
        for (size_t i = 0; i < fire_l.size(); ++i) who += (i ? ", " : "") + fire_l[i];
        char t[300];
        std::snprintf(t, sizeof t, "neuron %d of %d, the neuron of %s: b_up %+.2f; it fires for %d of %d subjects%s", n, h,
                      ui::neuron_label(m, n).c_str(), m.mlp.b_up[n], fires, int(T.subjects.size()), who.empty() ? "." : ": ");
        live::say("neurons", (stand_in.empty() ? "" : stand_in + " ") + t + (who.empty() ? "" : who + "."));
    }
}

ViewRegistrar reg({"neurons", "Neuron inspector", "facts", 40, 520.0f, draw_neurons,
                   "Read one neuron: the tokens its W_up row asks for, the objects its W_down column writes, and who fires it."});

}  // namespace
}  // namespace factlab
