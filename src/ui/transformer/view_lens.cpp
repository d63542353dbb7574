// view_lens.cpp: "Logit lens" (nostalgebraist 2020): what each layer would say.
//
// Each block's output, at every position, goes through the final LayerNorm and
// the unembedding as if it were the last layer; the cell shows the top word and
// its probability (shaded by it). The last column is the model's own output.
// Under the grid: the answer's rank and probability at the last position, layer
// by layer: where the answer becomes the top word.
// State: tf_prompt.
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"
#include "ui/transformer/tflab.hpp"
#include "ui/transformer/tfmodel.hpp"
#include "ui/transformer/tfui.hpp"

namespace factlab {
namespace {

struct LensView {
    TfLens lens;
    std::string key;
    std::string readout;
};

// neutral -> orange by probability, the heatmaps' sequential ramp
ImU32 shade(float p) {
    ImVec4 a = ImGui::ColorConvertU32ToFloat4(theme::diverging(0)), b = ImGui::ColorConvertU32ToFloat4(theme::diverging(1));
    p = std::clamp(p, 0.0f, 1.0f);
    return ImGui::ColorConvertFloat4ToU32(ImVec4(a.x + (b.x - a.x) * p, a.y + (b.y - a.y) * p, a.z + (b.z - a.z) * p, 1));
}

void draw_lens(App& a, const ViewCtx& ctx) {
    tflab_tick(a);
    const TfModel& m = tflab_model(a);
    LensView& V = a.ext<LensView>();
    float width = ImGui::GetContentRegionAvail().x;
    tfui::PromptHeader(a, m, ctx,
                       "Read the residual stream after every layer as if it were the last, through the final LayerNorm and "
                       "the unembedding. Each cell: the top word there and its probability.",
                       width);
    const TfRun& r = tflab_run(a);
    if (tfui::NoRun(m, r)) return;
    const int answer = r.top.empty() ? -1 : r.top[0];
    std::string key = std::to_string(r.model_version) + "/" + r.prompt;
    if (V.key != key) {
        V.lens = tf_lens(m, r.ids, answer);
        V.key = key;
        V.readout.clear();
    }
    const TfLens& Ls = V.lens;
    if (!Ls.ok) return;
    const int L = int(Ls.cells.size()), T = int(r.ids.size());

    // The grid: rows are positions (the prompt's words), columns layers.
    float label_w = 0;
    for (int i = 0; i < T; ++i) label_w = std::max(label_w, ImGui::CalcTextSize((tflab_token(m, r.ids[size_t(i)]) + "*").c_str()).x);
    label_w = std::min(label_w + 10, width * 0.3f);
    const float row_h = ui::Em(1.6f), head_h = ImGui::GetTextLineHeightWithSpacing();
    const float cell_w = (width - label_w) / std::max(1, L);
    ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##lensgrid", ImVec2(width, head_h + row_h * T));
    bool hovered = ImGui::IsItemHovered();
    ImVec2 mouse = ImGui::GetIO().MousePos;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (int l = 0; l < L; ++l) {
        char buf[48];
        std::snprintf(buf, sizeof buf, l == L - 1 ? "layer %d = output" : "layer %d", l);
        if (ImGui::CalcTextSize(buf).x > cell_w - 4) std::snprintf(buf, sizeof buf, "%d", l);
        ImVec2 ts = ImGui::CalcTextSize(buf);
        dl->AddText(ImVec2(p0.x + label_w + (l + 0.5f) * cell_w - ts.x / 2, p0.y), ImGui::GetColorU32(ImGuiCol_TextDisabled), buf);
    }
    for (int t = 0; t < T; ++t) {
        float y = p0.y + head_h + t * row_h;
        bool subj = t >= r.subject_first && t < r.subject_end;
        std::string lab = tflab_token(m, r.ids[size_t(t)]) + (subj ? "*" : "");
        ImVec2 ls = ImGui::CalcTextSize(lab.c_str());
        ImGui::PushClipRect(ImVec2(p0.x, y), ImVec2(p0.x + label_w - 4, y + row_h), true);
        dl->AddText(ImVec2(p0.x + label_w - 6 - ls.x, y + (row_h - ls.y) / 2), theme::text(), lab.c_str());
        ImGui::PopClipRect();
        for (int l = 0; l < L; ++l) {
            const TfLensCell& c = Ls.cells[size_t(l)][size_t(t)];
            ImVec2 c0(p0.x + label_w + l * cell_w + 1, y + 1), c1(c0.x + cell_w - 2, y + row_h - 1);
            dl->AddRectFilled(c0, c1, shade(c.p));
            bool is_answer = c.top == answer;
            if (is_answer) dl->AddRect(c0, c1, theme::text(), 0, 0, 1.5f);   // the model's answer: outlined
            char buf[96];
            std::snprintf(buf, sizeof buf, "%s %.2f", tflab_token(m, c.top).c_str(), c.p);
            ImGui::PushClipRect(c0, c1, true);
            // Text on the ramp: dark text on the light half, white on the dark one.
            ImU32 fg = theme::is_dark() ? (c.p > 0.7f ? IM_COL32(0, 0, 0, 255) : theme::text()) : IM_COL32(0, 0, 0, 255);
            dl->AddText(ImVec2(c0.x + 4, c0.y + (row_h - 2 - ImGui::GetFontSize()) / 2), fg, buf);
            ImGui::PopClipRect();
            if (hovered && mouse.x >= c0.x && mouse.x < c1.x && mouse.y >= c0.y && mouse.y < c1.y) {
                char rb[300];
                std::snprintf(rb, sizeof rb, "After layer %d at \"%s\" (position %d): top word \"%s\", p = %.3f",
                              l, tflab_token(m, r.ids[size_t(t)]).c_str(), t, tflab_token(m, c.top).c_str(), c.p);
                V.readout = rb;
            }
        }
    }
    ImGui::PushTextWrapPos(0.0f);
    if (!V.readout.empty()) ImGui::TextUnformatted(V.readout.c_str());
    else ImGui::TextDisabled("Hover (or tap) a cell to read it. * the subject; outlined: the model's answer.");
    ImGui::PopTextWrapPos();
    ImGui::Separator();

    // The answer at the last position, layer by layer.
    std::string ans = tflab_token(m, answer);
    ImGui::Text("\"%s\" at the last position (\"%s\")", ans.c_str(), tflab_token(m, r.ids.back()).c_str());
    if (ImGui::BeginTable("##rank", 3, ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("layer");
        ImGui::TableSetupColumn("rank");
        ImGui::TableSetupColumn("probability");
        ImGui::TableHeadersRow();
        for (int l = 0; l < L; ++l) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text(l == L - 1 ? "%d (output)" : "%d", l);
            ImGui::TableNextColumn();
            ImGui::Text("%d of %d", Ls.answer_rank[size_t(l)], m.vocab.size());
            ImGui::TableNextColumn();
            ImGui::Text("%.3f", Ls.answer_p[size_t(l)]);
        }
        ImGui::EndTable();
    }
    int first_top = -1;   // the first layer from which on the answer stays the top word
    for (int l = L - 1; l >= 0 && Ls.answer_rank[size_t(l)] == 1; --l) first_top = l;
    if (first_top >= 0) ui::Note("In this model \"%s\" is the top word from layer %d on%s.", ans.c_str(), first_top,
                                 first_top == L - 1 ? " (only at the output)" : "");
    tfui::ModelLine(m);
}

ViewRegistrar reg({"lens", "Logit lens", "transformer", 30, 560.0f, draw_lens,
                   "Each layer read through the final LayerNorm and unembedding: when the answer becomes the top word."});

}  // namespace
}  // namespace factlab
