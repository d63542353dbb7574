// view_attention.cpp: "Attention": one head's pattern over the prompt's words.
//
// Row i (a query position) holds how head h of layer l spreads position i's
// attention over positions 0..i (causal: nothing above the diagonal); each row
// sums to 1. Read from the clean run's cache (GptLayerCache::pattern). Above the
// map, the head whose last position attends most to the subject's last word:
// the head that can carry what the model knows about the subject to where the
// answer is read out (Geva et al. 2023 show this step by blocking it).
// State: tf_prompt, tf_layer, tf_head.
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/heatmap.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"
#include "ui/transformer/tflab.hpp"
#include "ui/transformer/tfui.hpp"

namespace factlab {
namespace {

struct AttentionView {
    Heatmap hm;
    std::string readout;
};

void draw_attention(App& a, const ViewCtx& ctx) {
    tflab_tick(a);
    const TfModel& m = tflab_model(a);
    AttentionView& V = a.ext<AttentionView>();
    float width = ImGui::GetContentRegionAvail().x;
    tfui::PromptHeader(a, m, ctx,
                       "Each head lets every position read earlier positions. A row shows where that position looks: "
                       "its shares over the words so far add up to 1.",
                       width);
    const TfRun& r = tflab_run(a);
    if (tfui::NoRun(m, r)) return;
    const int L = m.w.config.n_layer, H = m.w.config.n_head, T = int(r.ids.size());
    int layer = int(a.state.get_int("tf_layer", 0, 0, L - 1));
    int head = int(a.state.get_int("tf_head", 0, 0, H - 1));

    // The head whose last position attends most to the subject's last word.
    int best_l = -1, best_h = -1;
    float best = 0;
    if (r.subject_end > 0 && r.subject_end - 1 < T - 1) {
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < H; ++h) {
                float w = r.cache.layers[size_t(l)].pattern[size_t(h)](T - 1, r.subject_end - 1);
                if (w > best) { best = w; best_l = l; best_h = h; }
            }
    }
    const std::string last = tflab_token(m, r.ids.back());
    if (best_l >= 0 && best >= 0.3f) {
        std::string subj_last = tflab_token(m, r.ids[size_t(r.subject_end - 1)]);
        ui::Note("Layer %d, head %d: the last word \"%s\" puts %.0f%% of its attention on \"%s\", the subject's last word.",
                 best_l, best_h, last.c_str(), 100 * best, subj_last.c_str());
        if (ctx.controls && (layer != best_l || head != best_h)) {
            if (ImGui::Button("Show that head")) { a.state.set_int("tf_layer", best_l); a.state.set_int("tf_head", best_h); }
        }
    } else if (r.subject_end > 0) {
        ui::Note("No head's last position puts as much as 30%% of its attention on the subject's last word in this prompt.");
    }
    if (ctx.controls) {
        ui::Flow f;
        f.next(ImGui::CalcTextSize("Layer").x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("Layer");
        for (int l = 0; l < L; ++l) {
            char b[16];
            std::snprintf(b, sizeof b, "%d##l%d", l, l);
            f.next(ImGui::GetFrameHeight() * 1.5f);
            if (ImGui::RadioButton(b, layer == l)) a.state.set_int("tf_layer", l);
        }
        f.next(ImGui::CalcTextSize("Head").x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("Head");
        for (int h = 0; h < H; ++h) {
            char b[16];
            std::snprintf(b, sizeof b, "%d##h%d", h, h);
            f.next(ImGui::GetFrameHeight() * 1.5f);
            if (ImGui::RadioButton(b, head == h)) a.state.set_int("tf_head", h);
        }
    }
    const GptMatrix& P = r.cache.layers[size_t(layer)].pattern[size_t(head)];   // (T, T) row = query
    ImGui::Text("Layer %d, head %d: rows look at columns", layer, head);

    float label_w = 0;
    for (int i = 0; i < T; ++i) label_w = std::max(label_w, ImGui::CalcTextSize((tflab_token(m, r.ids[size_t(i)]) + "*").c_str()).x);
    label_w = std::min(label_w + 10, width * 0.3f);
    float side = std::min(width - label_w, ui::Em(1.9f) * T);
    float cell = side / T;
    ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int i = 0; i < T; ++i) {
        bool subj = i >= r.subject_first && i < r.subject_end;
        std::string s = tflab_token(m, r.ids[size_t(i)]) + (subj ? "*" : "");
        ImVec2 ts = ImGui::CalcTextSize(s.c_str());
        ImGui::PushClipRect(p0, ImVec2(p0.x + label_w - 4, p0.y + side), true);
        dl->AddText(ImVec2(p0.x + label_w - 6 - ts.x, p0.y + (i + 0.5f) * cell - ts.y / 2), theme::text(), s.c_str());
        ImGui::PopClipRect();
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x + label_w, p0.y));
    Eigen::MatrixXf M = P.cast<float>();
    V.hm.set(M, (uint64_t(std::hash<std::string>()(r.prompt)) << 12) ^ (uint64_t(m.version) << 8) ^ uint64_t(layer * 64 + head));
    HeatmapStyle st;
    st.scale = ColorScale::Sequential;
    st.vmin = 0;
    st.vmax = 1;
    st.zoom = false;
    st.value_name = "attention";
    st.row_name = [&](int i) { return "query " + std::to_string(i) + " \"" + tflab_token(m, r.ids[size_t(i)]) + "\""; };
    st.col_name = [&](int j) { return "key " + std::to_string(j) + " \"" + tflab_token(m, r.ids[size_t(j)]) + "\""; };
    HeatmapHover hv = V.hm.draw("pattern", ImVec2(side, side), st);
    ImVec2 hmin = ImGui::GetItemRectMin(), hmax = ImGui::GetItemRectMax();
    for (int j = 0; j < T; ++j) {
        char b[16];
        std::snprintf(b, sizeof b, "%d", j);
        dl->AddText(ImVec2(hmin.x + (j + 0.5f) * cell - ImGui::CalcTextSize(b).x / 2, hmax.y + 2), ImGui::GetColorU32(ImGuiCol_TextDisabled), b);
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x, hmax.y + ImGui::GetTextLineHeightWithSpacing()));
    if (hv.hovered) {
        char buf[300];
        std::snprintf(buf, sizeof buf, "\"%s\" (position %d) gives %.1f%% of its attention to \"%s\" (position %d)",
                      tflab_token(m, r.ids[size_t(hv.row)]).c_str(), hv.row, 100 * hv.value,
                      tflab_token(m, r.ids[size_t(hv.col)]).c_str(), hv.col);
        V.readout = buf;
    }
    HeatmapLegend({0, 1}, ColorScale::Sequential, std::min(width * 0.4f, ui::Em(12)), nullptr);
    ImGui::SameLine();
    ImGui::TextUnformatted("attention share; columns: positions; * the subject");
    ImGui::PushTextWrapPos(0.0f);
    if (!V.readout.empty()) ImGui::TextUnformatted(V.readout.c_str());
    else ImGui::TextDisabled("Hover (or tap) a cell to read it.");
    ImGui::PopTextWrapPos();
    tfui::ModelLine(m);
}

ViewRegistrar reg({"attention", "Attention", "transformer", 40, 560.0f, draw_attention,
                   "Each attention head's pattern over the prompt's words: which earlier words each position reads."});

}  // namespace
}  // namespace factlab
