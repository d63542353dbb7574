// view_weights.cpp: "Weights": W_up and W_down as heatmaps (GLSL, heatmap.*).
//
// Two ways to look at the same numbers:
//   raw      W_up (h, d), W_down (d, h): the columns of W_up / rows of W_down are
//            residual dimensions, which mean nothing alone (the named directions
//            are random unit vectors), so it looks like noise;
//   named    W_up · tokensᵀ (h, T): each neuron's row read on the token directions,
//            objects · W_down (O, h): each neuron's column read on the object
//            directions. The structure appears: + on a subject's own tokens,
//            − on vetoed ones, and + on the objects it writes.
// Diverging colour map with a symmetric scale; hover reads out row, column,
// value and the neuron's label; a click selects the neuron (state "neuron").
// State: "wbasis" (raw | named), "wsel" (both | up | down: which matrices).
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/heatmap.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

struct WeightsView {
    Heatmap up, down;
    Mat named_up, named_down;          // (h, T), (O, h) in the named basis
    unsigned named_version = ~0u;
    std::string readout;               // last hovered cell, kept for touch screens
};

void draw_one(App& a, WeightsView& V, bool is_up, bool named, ImVec2 size, int neuron) {
    const Model& m = a.model();
    Heatmap& hm = is_up ? V.up : V.down;
    uint64_t key = (uint64_t(a.model_version()) << 2) | (named ? 2u : 0u) | (is_up ? 1u : 0u);
    if (named) hm.set(is_up ? V.named_up : V.named_down, key);
    else if (is_up) hm.set(m.mlp.W_up, key);
    else hm.set(m.mlp.W_down, key);

    char title[160];
    if (is_up) std::snprintf(title, sizeof title, named ? "W_up read on the tokens  (%d neurons \xC3\x97 %d tokens)"
                                                       : "W_up  (%d neurons \xC3\x97 %d dims)", hm.rows(), hm.cols());
    else std::snprintf(title, sizeof title, named ? "W_down read on the objects  (%d objects \xC3\x97 %d neurons)"
                                                  : "W_down  (%d dims \xC3\x97 %d neurons)", hm.rows(), hm.cols());
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + size.x);
    ImGui::TextUnformatted(title);
    ImGui::PopTextWrapPos();

    HeatmapStyle st;
    st.scale = ColorScale::Diverging;
    auto neuron_name = [&m](int i) { return "neuron " + std::to_string(i) + ": " + ui::neuron_label(m, i); };
    if (is_up) {
        st.highlight_row = neuron;
        st.row_name = neuron_name;
        st.col_name = [&m, named](int j) {
            return named ? "token \"" + token_label(m, j) + "\""
                         : "residual dimension " + std::to_string(j);
        };
        st.value_name = named ? "row \xC2\xB7 token" : "W_up[row, col]";
    } else {
        st.highlight_col = neuron;
        st.col_name = neuron_name;
        st.row_name = [&m, named](int i) {
            return named ? "object " + (i < int(m.vocab.objects.size()) ? m.vocab.objects[i] : std::string("?"))
                         : "residual dimension " + std::to_string(i);
        };
        st.value_name = named ? "object \xC2\xB7 column" : "W_down[row, col]";
    }
    HeatmapHover hv = hm.draw(is_up ? "W_up" : "W_down", size, st);
    if (hv.hovered) {
        int nn = is_up ? hv.row : hv.col;
        char buf[300];
        std::string other = is_up ? st.col_name(hv.col) : st.row_name(hv.row);
        std::snprintf(buf, sizeof buf, "%s[%d, %d] = %+.4f: %s, %s", is_up ? "W_up" : "W_down", hv.row, hv.col, hv.value,
                      neuron_name(nn).c_str(), other.c_str());
        V.readout = buf;
        if (hv.clicked) a.state.set_int("neuron", nn);
    }
    HeatmapLegend(hm.color_range(st), st.scale, size.x);
}

void draw_weights(App& a, const ViewCtx& ctx) {
    ui::sync_subject_keys(a);
    const Model& m = a.model();
    WeightsView& V = a.ext<WeightsView>();
    if (m.mlp.hidden() == 0) { ui::Note("No model."); return; }
    bool named = a.state.get("wbasis", "named") != "raw";
    std::string sel = a.state.get("wsel", "both");
    float W = ImGui::GetContentRegionAvail().x;
    bool side = W >= ui::Em(30);

    if (ctx.controls) {
        ui::Caption(named ? "Each neuron's W_up row read on the token directions, and its W_down column read on the object "
                            "directions. Hover a cell; click to inspect its neuron; scroll or +/\xE2\x88\x92 to zoom."
                          : "The raw matrices. Residual dimensions mean nothing alone (the named directions are random), "
                            "so this looks like noise: switch to named directions to see the structure.");
        int b = named ? 1 : 0;
        ui::Flow f;
        f.next(ImGui::CalcTextSize("Read:").x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("Read:");
        f.next(ImGui::CalcTextSize("named directions").x + ImGui::GetFrameHeight() * 2);
        if (ImGui::RadioButton("named directions", &b, 1)) a.state.set("wbasis", "named");
        f.next(ImGui::CalcTextSize("raw").x + ImGui::GetFrameHeight() * 2);
        if (ImGui::RadioButton("raw", &b, 0)) a.state.set("wbasis", "raw");
        if (!side) {   // one matrix at a time on a phone, on its own line
            int s = sel == "down" ? 1 : 0;
            f.first = true;
            f.next(ImGui::CalcTextSize("Show:").x);
            ImGui::AlignTextToFramePadding();
            ImGui::TextDisabled("Show:");
            f.next(ImGui::CalcTextSize("W_down").x + ImGui::GetFrameHeight() * 2);
            if (ImGui::RadioButton("W_up", &s, 0)) a.state.set("wsel", "up");
            f.next(ImGui::CalcTextSize("W_down").x + ImGui::GetFrameHeight() * 2);
            if (ImGui::RadioButton("W_down", &s, 1)) a.state.set("wsel", "down");
            sel = s ? "down" : "up";
        }
        f.next(ImGui::CalcTextSize("Zoom:").x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("Zoom:");
        if (f.button("+")) { V.up.zoom_by(2); V.down.zoom_by(2); }
        if (f.button("\xE2\x88\x92")) { V.up.zoom_by(0.5f); V.down.zoom_by(0.5f); }
        if (V.up.zoomed() || V.down.zoomed())
            if (f.button("Reset zoom")) { V.up.reset_zoom(); V.down.reset_zoom(); }
    } else if (!side && sel == "both") {
        sel = "up";
    }
    if (side && sel != "up" && sel != "down") sel = "both";
    if (!side && sel == "both") sel = "up";

    if (named && V.named_version != a.model_version()) {
        V.named_up.noalias() = m.mlp.W_up * m.tokens.transpose();      // (h, d)·(d, T) = (h, T)
        V.named_down.noalias() = m.objects * m.mlp.W_down;             // (O, d)·(d, h) = (O, h)
        V.named_version = a.model_version();
    }

    int neuron = ui::current_neuron(a);
    float legend = ImGui::GetFontSize() * 1.75f + ImGui::GetStyle().ItemSpacing.y;
    float title = ImGui::GetTextLineHeightWithSpacing() * 2;
    float readout = ImGui::GetTextLineHeightWithSpacing() * 2;
    float avail_h = ImGui::GetContentRegionAvail().y - legend - title - readout;
    bool both = sel == "both";
    float gap = ImGui::GetStyle().ItemSpacing.x * 2;
    float w = both ? (W - gap) / 2 : W;
    float hgt = std::clamp(avail_h, ui::Em(8), std::max(ui::Em(8), w * 2.0f));
    if (both) {
        ImGui::BeginGroup();
        draw_one(a, V, true, named, ImVec2(w, hgt), neuron);
        ImGui::EndGroup();
        ImGui::SameLine(0, gap);
        ImGui::BeginGroup();
        draw_one(a, V, false, named, ImVec2(w, hgt), neuron);
        ImGui::EndGroup();
    } else {
        draw_one(a, V, sel != "down", named, ImVec2(w, hgt), neuron);
    }
    ImGui::PushTextWrapPos(0.0f);
    if (V.readout.empty()) ImGui::TextDisabled("Hover (or tap) a cell to read its value.");
    else ImGui::TextUnformatted(V.readout.c_str());
    ImGui::PopTextWrapPos();
}

ViewRegistrar reg({"weights", "Weights", "facts", 50, 520.0f, draw_weights,
                   "The weight matrices W_up and W_down as heatmaps: raw, or read on the named token and object directions."});

}  // namespace
}  // namespace factlab
