// view_activations.cpp: which neurons fire for which subjects, compiled vs learned.
//
// Two neuron × subject heatmaps of the post-activation act(W_up·E + b_up):
//   compiled  h = subjects: one AND neuron per subject, so the map is a diagonal
//   learned   h < subjects: each neuron fires for many unrelated subjects
//             (polysemantic), and each subject is a pattern over many neurons
// Clicking a row selects that neuron: the subjects it fires for, strongest first,
// and the objects its W_down column pushes.
//
// URL state: cap_nmodel (0 compiled, 1 learned), cap_neuron (the selected row).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "core/io.hpp"
#include "ui/common/app.hpp"
#include "ui/capacity/caplab.hpp"
#include "ui/capacity/csv_export.hpp"
#include "ui/common/heatmap.hpp"
#include "ui/common/labui.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

Heatmap g_maps[2];

// A neuron "fires" for a subject when it reaches 10% of its own peak.
constexpr float kFireShare = 0.1f;

// Mean number of subjects each live neuron fires for (1.0 for the compiled model).
double subjects_per_neuron(const Mat& H) {
    long long fires = 0;
    int live = 0;
    for (int j = 0; j < H.rows(); ++j) {
        float peak = H.row(j).maxCoeff();
        if (!(peak > 1e-6f)) continue;
        ++live;
        for (int s = 0; s < H.cols(); ++s) fires += H(j, s) >= kFireShare * peak;
    }
    return live ? double(fires) / live : 0.0;
}

void draw_map(App& a, int kind, float w, float h, int* sel_kind, int* sel_neuron) {
    const Activations& act = caplab_activations(a, kind);
    const Model& m = caplab_model(a, kind);
    Heatmap& hm = g_maps[kind];
    hm.set(act.H, act.key);
    ImGui::BeginGroup();
    char title[120];
    if (int(act.H.rows()) < m.mlp.hidden())
        std::snprintf(title, sizeof title, "%s: %d of %d neurons", kind == kCompiled ? "Compiled" : "Learned", int(act.H.rows()),
                      m.mlp.hidden());
    else
        std::snprintf(title, sizeof title, "%s: %d neurons", kind == kCompiled ? "Compiled" : "Learned", int(act.H.rows()));
    ImGui::TextUnformatted(title);
    if (act.shown < act.total)
        ImGui::TextDisabled("first %d of %d subjects: %.1f per neuron", act.shown, act.total, subjects_per_neuron(act.H));
    else
        ImGui::TextDisabled("%.1f subjects per neuron", subjects_per_neuron(act.H));
    HeatmapStyle st;
    st.scale = ColorScale::Sequential;
    st.value_name = "activation";
    st.highlight_row = *sel_kind == kind ? *sel_neuron : -1;
    const FactSet& fs = a.facts;
    st.row_name = [&m](int r) {
        std::string s = "neuron " + std::to_string(r);
        if (r < int(m.neuron_labels.size()) && !m.neuron_labels[size_t(r)].empty()) s += " (" + m.neuron_labels[size_t(r)] + ")";
        return s;
    };
    st.col_name = [&fs](int c) { return c < int(fs.subjects.size()) ? fs.subjects[size_t(c)] : std::string("?"); };
    ImGui::PushID(kind);
    HeatmapHover hov = hm.draw("map", ImVec2(w, h), st);
    ImGui::PopID();
    if (hov.clicked && hov.row >= 0) {
        *sel_kind = kind;
        *sel_neuron = hov.row;
        a.state.set_int("cap_nmodel", kind);
        a.state.set_int("cap_neuron", hov.row);
    }
    HeatmapLegend(hm.color_range(st), st.scale, w, "activation");
    ImGui::EndGroup();
}

void draw_activations(App& a, const ViewCtx& ctx) {
    caplab_tick(a);
    float fs = ImGui::GetFontSize();
    int sel_kind = int(a.state.get_int("cap_nmodel", kLearned, 0, 1));
    int sel_neuron = int(a.state.get_int("cap_neuron", 0, 0, 100000));
    if (ctx.controls)
        lab::caption("Rows are neurons, columns subjects. Compiled: one neuron per subject, a diagonal. Learned: "
                     "fewer neurons, each firing for many subjects. Click a row.");

    float avail = ImGui::GetContentRegionAvail().x;
    bool side = avail > fs * 24;
    float w = side ? (avail - ImGui::GetStyle().ItemSpacing.x) / 2 : avail;
    // Below the maps: the selected neuron's lines and its top subjects (fs each).
    float below = ctx.controls ? fs * 15.5f : fs * 3.0f;
    float per_map = fs * 4.6f;   // title, subjects per neuron, legend
    float avail_h = ImGui::GetContentRegionAvail().y - below;
    float h = side ? std::max(fs * 8, avail_h - per_map) : std::max(fs * 7, avail_h / 2 - per_map);
    // Many subjects: the page builds only the first ones' activations (caplab.hpp).
    for (int k = 0; k < 2; ++k) {
        const Activations& act = caplab_activations(a, k);
        if (act.shown < act.total) {
            ui::Note("The %s model: only the first %d of %d subjects are shown; all of them would need %s activations "
                     "(%d neurons each), more than the page builds at once.", model_kind_name(k), act.shown, act.total,
                     plot::Grouped(double(act.total) * caplab_model(a, k).mlp.hidden()).c_str(), caplab_model(a, k).mlp.hidden());
            avail_h -= fs * 2.6f;
        }
    }
    h = side ? std::max(fs * 8, avail_h - per_map) : std::max(fs * 7, avail_h / 2 - per_map);
    draw_map(a, kCompiled, w, h, &sel_kind, &sel_neuron);
    if (side) ImGui::SameLine();
    draw_map(a, kLearned, w, h, &sel_kind, &sel_neuron);

    // The selected neuron: the subjects it fires for and what it writes.
    const Activations& act = caplab_activations(a, sel_kind);
    const Model& m = caplab_model(a, sel_kind);
    if (act.H.rows() == 0) return;
    sel_neuron = std::min(sel_neuron, int(act.H.rows()) - 1);
    std::vector<std::pair<float, int>> fires;
    float peak = act.H.row(sel_neuron).maxCoeff();
    for (int s = 0; s < act.H.cols(); ++s)
        if (peak > 1e-6f && act.H(sel_neuron, s) >= kFireShare * peak) fires.push_back({act.H(sel_neuron, s), s});
    std::sort(fires.begin(), fires.end(), [](auto& x, auto& y) { return x.first > y.first; });
    // What its W_down column pushes: the objects with the largest dot product.
    std::vector<std::pair<float, int>> pushes;
    if (m.objects.rows() > 0 && sel_neuron < m.mlp.W_down.cols()) {
        Vec dots = m.objects * m.mlp.W_down.col(sel_neuron);   // (O)
        for (int o = 0; o < dots.size(); ++o) pushes.push_back({dots[o], o});
        std::sort(pushes.begin(), pushes.end(), [](auto& x, auto& y) { return x.first > y.first; });
        if (pushes.size() > 3) pushes.resize(3);
    }
    char head[200];
    std::snprintf(head, sizeof head, "%s neuron %d fires for %d subject%s", model_kind_name(sel_kind), sel_neuron,
                  int(fires.size()), fires.size() == 1 ? "" : "s");
    ImGui::TextUnformatted(head);
    if (!pushes.empty()) {
        std::string p = "Its W_down column pushes: ";
        for (size_t i = 0; i < pushes.size(); ++i)
            p += (i ? ", " : "") + m.vocab.objects[size_t(pushes[i].second)];
        lab::caption(p.c_str());
    }
    if (!ctx.controls) return;
    std::vector<std::string> labels;
    std::vector<float> values;
    for (size_t i = 0; i < fires.size() && i < 8; ++i) {
        labels.push_back(a.facts.subjects[size_t(fires[i].second)]);
        values.push_back(fires[i].first);
    }
    if (!labels.empty()) plot::HBars("fires", labels, values, -1, fs * 1.2f, 0, std::max(peak, 1e-3f));
    if (fires.size() > 8) ImGui::TextDisabled("and %d more", int(fires.size() - 8));

    a.offer_export("Compiled activations (.npy, neurons × subjects)", "activations_compiled.npy", "application/octet-stream",
                   [&a]() { return npy_encode(caplab_activations(a, kCompiled).H); });
    a.offer_export("Learned activations (.npy, neurons × subjects)", "activations_learned.npy", "application/octet-stream",
                   [&a]() { return npy_encode(caplab_activations(a, kLearned).H); });
    a.offer_export("Learned activations (CSV)", "activations_learned.csv", "text/csv",
                   [&a]() { return activations_csv(a.facts.subjects, caplab_activations(a, kLearned).H); });
}

ViewRegistrar reg({"activations", "Which neurons fire", "capacity", 40, 620.0f, draw_activations,
                   "Neuron × subject activations: one neuron per subject when compiled, shared neurons when learned."});

}  // namespace
}  // namespace factlab
