// view_params.cpp: "Parameter counter": how many weights the MLP blocks hold.
//
//   W_up (hidden, d_model) and W_down (d_model, hidden): d_model·hidden each
//   one block: 2·d_model·hidden weights (+ hidden + d_model biases)
//   all blocks: layers × that
// GPT-3 (the video's numbers): 12,288 / 49,152 / 96 -> 603,979,776 per matrix,
// ≈ 1.2 B per block, ≈ 116 B in all MLPs, about two thirds of its 175 B.
// Counts come from count_mlp_params (core), shown grouped and short.
// State: "pd" (d_model), "ph" (hidden), "pl" (layers).
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "core/block/train.hpp"
#include "ui/common/app.hpp"
#include "ui/common/labui.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

constexpr long long kGptD = 12288, kGptH = 49152, kGptL = 96;
constexpr double kGptTotal = 175e9;

bool input_count(App& a, const char* label, const char* key, long long def, long long hi, bool stacked, float label_w) {
    long long v = a.state.get_int(key, def, 1, hi);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    if (!stacked) ImGui::SameLine(label_w);
    ImGui::SetNextItemWidth(stacked ? -1.0f : std::min(ui::Em(10), ImGui::GetContentRegionAvail().x));
    long long step = 1, fast = 1024;
    bool changed = ImGui::InputScalar((std::string("##") + key).c_str(), ImGuiDataType_S64, &v, &step, &fast, "%lld");
    if (changed) a.state.set_int(key, std::clamp(v, 1LL, hi));
    return changed;
}

void row(const char* what, double n, bool narrow, bool strong = false) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::PushTextWrapPos(0.0f);
    if (strong) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ui::AccentText()), "%s", what);
    else ImGui::TextUnformatted(what);
    ImGui::PopTextWrapPos();
    ImGui::TableNextColumn();
    std::string g = plot::Grouped(n), s = plot::Short(n);
    ImGui::TextUnformatted(g.c_str());
    if (narrow) ImGui::TextDisabled("\xE2\x89\x88 %s", s.c_str());
    else { ImGui::TableNextColumn(); ImGui::TextDisabled("\xE2\x89\x88 %s", s.c_str()); }
}

void draw_params(App& a, const ViewCtx& ctx) {
    const Model& m = a.model();
    long long toy_d = m.d(), toy_h = m.mlp.hidden();
    bool narrow = ui::Narrow(ctx);

    if (ctx.controls) {
        ui::Caption("How many weights live in the MLP blocks? Each of W_up and W_down has d_model \xC3\x97 hidden of them.");
        bool stacked = ctx.width < ui::Em(17);
        float lw = ImGui::CalcTextSize("d_model").x + ui::Em(1);
        input_count(a, "d_model", "pd", kGptD, 1000000, stacked, lw);
        input_count(a, "hidden", "ph", kGptH, 4000000, stacked, lw);
        input_count(a, "layers", "pl", kGptL, 10000, stacked, lw);
        ui::Flow f;
        auto is = [&](long long d, long long h, long long l) {   // a preset chip shows as chosen while its numbers are in
            return a.state.get_int("pd", kGptD, 1, 1000000) == d && a.state.get_int("ph", kGptH, 1, 4000000) == h &&
                   a.state.get_int("pl", kGptL, 1, 10000) == l;
        };
        if (f.choice("GPT-3", is(kGptD, kGptH, kGptL))) { a.state.set_int("pd", kGptD); a.state.set_int("ph", kGptH); a.state.set_int("pl", kGptL); }
        if (ImGui::IsItemHovered()) ui::Tooltip("d_model 12,288, hidden 4 \xC3\x97 12,288 = 49,152, 96 layers");
        if (f.choice("This toy model", is(toy_d, toy_h, 1))) { a.state.set_int("pd", toy_d); a.state.set_int("ph", toy_h); a.state.set_int("pl", 1); }
        if (ImGui::IsItemHovered())
            ui::Tooltip("The model in this lab: d_model %lld, one neuron per subject (hidden %lld), one block", toy_d, toy_h);
        if (f.button("hidden = 4 \xC3\x97 d_model"))
            a.state.set_int("ph", std::min(4000000LL, 4 * a.state.get_int("pd", kGptD, 1, 1000000)));
    }
    long long d = a.state.get_int("pd", kGptD, 1, 1000000), h = a.state.get_int("ph", kGptH, 1, 4000000),
              L = a.state.get_int("pl", kGptL, 1, 10000);
    ParamCount p = count_mlp_params(double(d), double(h), double(L));
    bool gpt3 = d == kGptD && h == kGptH && L == kGptL;
    bool toy = d == toy_d && h == toy_h && L == 1;
    if (!ctx.controls) ImGui::Text("d_model %s, hidden %s, %lld layer%s", plot::Grouped(double(d)).c_str(),
                                   plot::Grouped(double(h)).c_str(), L, L == 1 ? "" : "s");
    ImGui::Spacing();

    char all_w[96], all_b[96];
    std::snprintf(all_w, sizeof all_w, "All %lld MLP block%s", L, L == 1 ? "" : "s");
    std::snprintf(all_b, sizeof all_b, "All %lld, with biases", L);
    if (ImGui::BeginTable("counts", narrow ? 2 : 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerH)) {
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1.3f);
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1.2f);
        if (!narrow) ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 0.55f);
        row("W_up (hidden \xC3\x97 d_model)", p.per_matrix, narrow);
        row("W_down (d_model \xC3\x97 hidden)", p.per_matrix, narrow);
        row("One MLP block (weights)", p.per_block, narrow, true);
        row("b_up + b_down (one block)", p.biases_per_block, narrow);
        row("One block, with biases", p.per_block_with_biases, narrow);
        row(all_w, p.all_mlps, narrow, true);
        row(all_b, p.all_mlps_with_biases, narrow);
        ImGui::EndTable();
    }

    ImGui::Spacing();
    if (gpt3) {
        double share = p.all_mlps / kGptTotal;
        char buf[200];
        std::snprintf(buf, sizeof buf, "GPT-3 has 175 B parameters in all; its MLP blocks hold %s of them: %.1f%%, about two thirds.",
                      plot::Short(p.all_mlps).c_str(), share * 100);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(buf);
        ImGui::PopTextWrapPos();
        // A stacked bar: MLP weights vs the rest of the 175 B.
        float w = ImGui::GetContentRegionAvail().x, bh = ui::Em(1.3f);
        ImVec2 q = ImGui::GetCursorScreenPos();
        ImGui::Dummy(ImVec2(w, bh));
        ImDrawList* dl = ImGui::GetWindowDrawList();
        float split = q.x + w * float(share);
        dl->AddRectFilled(q, ImVec2(split, q.y + bh), theme::data());
        dl->AddRectFilled(ImVec2(split, q.y), ImVec2(q.x + w, q.y + bh), theme::grid());
        const char* l1 = "MLP weights";
        const char* l2 = "everything else";
        ImVec2 s1 = ImGui::CalcTextSize(l1), s2 = ImGui::CalcTextSize(l2);
        if (s1.x + 8 < split - q.x) dl->AddText(ImVec2(q.x + 4, q.y + (bh - s1.y) / 2), theme::text_on(theme::data()), l1);
        if (s2.x + 8 < q.x + w - split) dl->AddText(ImVec2(split + 4, q.y + (bh - s2.y) / 2), theme::text(), l2);
        ui::Note("Biases are negligible: %s per block, against %s weights.", plot::Grouped(p.biases_per_block).c_str(),
                 plot::Short(p.per_block).c_str());
    } else if (toy) {
        int facts = int(a.facts.facts.size()), subjects = int(a.facts.subjects.size());
        long long compiled = compiled_params(int(toy_h), int(toy_d));
        char note[512];
        std::snprintf(note, sizeof note, "This toy model (d = %lld, one neuron per subject) stores %d facts about %d subjects in %s parameters (W_up, b_up and W_down, as the "
                 "capacity lab counts them; with b_down, %s): about %s per fact, with one neuron per subject. The video's "
                 "hypothesis is that real models pack features far more densely, in superposition.",
                 toy_d, facts, subjects, plot::Grouped(double(compiled)).c_str(), plot::Grouped(p.all_mlps_with_biases).c_str(),
                 plot::Grouped(facts ? double(compiled) / facts : 0).c_str());
        lab::note(note);   // breaks only at spaces, never inside 142,101
    } else {
        ui::Note("%.4g%% of GPT-3's 175 B parameters.", p.all_mlps_with_biases / kGptTotal * 100);
    }
}

ViewRegistrar reg({"params", "Parameter counter", "facts", 60, 520.0f, draw_params,
                   "Count the weights in MLP blocks: 603,979,776 per matrix in GPT-3, about 116 B in all its MLPs."});

}  // namespace
}  // namespace factlab
