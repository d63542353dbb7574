// view_block.cpp: "The block, step by step": one lookup through the MLP block,
// in the video's words.
//
//   1  E                          dot products of E with the named directions
//   ↓  W_up asks questions
//   2  W_up·E + b_up              the neurons with the highest values, zero line
//   ↓  bias + ReLU (or GELU)
//   3  act(W_up·E + b_up)         only a full match survives
//   ↓  W_down writes the answer
//   4  W_down·act(...) + b_down   what the block adds, read on the object directions
//   ↓  added to E
//   5  output                     each relation's answer
//
// Steps stack on a narrow panel and sit side by side on a wide one (embed).
// Clicking a neuron's bar selects it for the inspector (state "neuron");
// the activation toggle writes state "act".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

struct Bars {
    std::vector<std::string> labels;
    std::vector<float> values;
    float lo = 0, hi = 0;
    void add(std::string l, float v) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        labels.push_back(std::move(l));
        values.push_back(v);
    }
};

// Draws bars with a little headroom; returns the hovered row.
// One label column for every step, so the zero lines of the charts line up.
float g_label_w = 0;

int draw_bars(const char* id, const Bars& b, float width, ImU32 col, int highlight = -1, const char* fmt = "%+.2f") {
    float span = std::max(b.hi - b.lo, 1e-3f);
    float lo = b.lo < 0 ? b.lo - 0.05f * span : 0.0f, hi = b.hi > 0 ? b.hi + 0.05f * span : 0.05f * span;
    return plot::HBars(id, b.labels, b.values, width, ui::Em(1.15f), lo, hi, highlight, fmt, col,
                       std::min(g_label_w, width * 0.45f));
}

void step_e(App& a, const Model& m, const LookupResult& L, float w, int k) {
    ui::StepHeading("1", "E, the residual vector entering the block", theme::data());
    ui::Caption("Its dot product with each named direction (name tokens in quotes, objects plain): "
                "\xE2\x89\x88 1 for the subject's own tokens, \xE2\x89\x88 0 for the rest.");
    Bars b;
    for (const ui::NamedDot& n : ui::top_named(m, L.trace.E, k, true, true)) b.add(ui::named_label(m, n), n.dot);
    draw_bars("E", b, w, theme::data());
}

void step_up(App& a, const Model& m, const LookupResult& L, float w, int k, const std::vector<int>& top, int sel) {
    ui::StepHeading("2", "W_up\xC2\xB7" "E + b_up", theme::data());
    char cap[200];
    std::snprintf(cap, sizeof cap, "Each of the %d rows of W_up asks a question of E. The %d highest answers "
                  "(click one to inspect that neuron):", m.mlp.hidden(), int(top.size()));
    ui::Caption(cap);
    Bars b;
    int hl = -1;
    for (int i : top) {
        if (i == sel) hl = int(b.values.size());
        b.add(ui::neuron_label(m, i), L.trace.pre[i]);
    }
    int hov = draw_bars("pre", b, w, theme::data(), hl);
    if (hov >= 0) {
        int n = top[hov];
        ui::Tooltip("neuron %d (%s)\nW_up row \xC2\xB7 E = %+.3f\nb_up = %+.3f\nsum = %+.3f\nclick: inspect it",
                          n, ui::neuron_label(m, n).c_str(), L.trace.pre[n] - m.mlp.b_up[n], m.mlp.b_up[n], L.trace.pre[n]);
        if (ImGui::IsMouseReleased(0)) a.state.set_int("neuron", n);
    }
}

void step_act(App& a, const Model& m, const LookupResult& L, float w, const ViewCtx& ctx, const std::vector<int>& top, int sel) {
    bool gelu = m.mlp.act == Activation::GELU;
    ui::StepHeading("3", gelu ? "GELU(W_up\xC2\xB7" "E + b_up)" : "ReLU(W_up\xC2\xB7" "E + b_up)", theme::firing());
    if (ctx.controls) {
        int act = gelu ? 1 : 0;
        bool changed = ImGui::RadioButton("ReLU", &act, 0);
        ImGui::SameLine();
        changed |= ImGui::RadioButton("GELU (as in GPT)", &act, 1);
        if (changed) a.state.set("act", act ? "gelu" : "relu");
    }
    int active = 0;
    for (int i = 0; i < L.trace.post.size(); ++i) active += L.trace.post[i] > 0.01f;
    char cap[220];
    std::snprintf(cap, sizeof cap, "The bias makes each neuron an AND gate; %s clips what is left. %d of %d neurons "
                  "are active (above 0.01).", gelu ? "GELU (a smooth ReLU) nearly" : "ReLU", active, m.mlp.hidden());
    ui::Caption(cap);
    Bars b;
    int hl = -1;
    for (int i : top) {
        if (i == sel) hl = int(b.values.size());
        b.add(ui::neuron_label(m, i), L.trace.post[i]);
    }
    int hov = draw_bars("post", b, w, theme::firing(), hl);
    if (hov >= 0) {
        ui::Tooltip("neuron %d (%s): %s(%+.3f) = %+.3f\nclick: inspect it", top[hov], b.labels[hov].c_str(),
                          gelu ? "GELU" : "ReLU", L.trace.pre[top[hov]], L.trace.post[top[hov]]);
        if (ImGui::IsMouseReleased(0)) a.state.set_int("neuron", top[hov]);
    }
}

void step_down(App& a, const Model& m, const LookupResult& L, float w, int k) {
    ui::StepHeading("4", "W_down\xC2\xB7" "act + b_down", theme::data());
    ui::Caption("What the block adds to E, read on the object directions: each active neuron adds its W_down column, "
                "scaled by its activation.");
    Bars b;
    for (const ui::NamedDot& n : ui::top_named(m, L.trace.delta, k, false, true)) b.add(ui::named_label(m, n), n.dot);
    draw_bars("delta", b, w, theme::data());
    // Who wrote it: the active neurons, largest first.
    std::vector<int> writers = ui::top_indices(L.trace.post, 3, ui::Rank::ByAbs);
    std::string who;
    for (int i : writers) {
        if (std::fabs(L.trace.post[i]) < 0.01f) continue;
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s%s \xC3\x97 %.2f", who.empty() ? "" : ", ", ui::neuron_label(m, i).c_str(), L.trace.post[i]);
        who += buf;
    }
    ui::Note(who.empty() ? "No neuron is active: the block adds (almost) nothing." : "Written by: %s.", who.c_str());
}

void step_out(App& a, const Model& m, const LookupResult& L, float w) {
    ui::StepHeading("5", "E + W_down\xC2\xB7" "act: the output", theme::answer());
    ui::Caption("Each relation's answer: the candidate object with the largest dot product with the output.");
    if (ImGui::BeginTable("out", 3, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg, ImVec2(w, 0))) {
        ImGui::TableSetupColumn("relation");
        ImGui::TableSetupColumn("answer");
        ImGui::TableSetupColumn("p", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("100.0%").x);
        for (const RelationAnswer& ans : L.answers) {
            if (ans.ranking.empty() || ans.relation < 0 || ans.relation >= int(m.vocab.relations.size())) continue;
            const std::string& rel = m.vocab.relations[ans.relation];
            std::string truth = ui::true_object(a, L.subject, rel);
            const std::string& best = m.vocab.objects[ans.ranking[0].object];
            ImU32 col = truth.empty() ? theme::muted() : truth == best ? theme::answer_ink() : theme::wrong_ink();
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(rel.c_str());
            ImGui::TableNextColumn();
            ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(col));
            ImGui::PushTextWrapPos(0.0f);
            ImGui::Text("%s%s", best.c_str(), truth.empty() ? " (no fact: a guess)" : truth == best ? " \xE2\x9C\x93" : " \xE2\x9C\x97");
            ImGui::PopTextWrapPos();
            ImGui::PopStyleColor();
            if (ImGui::IsItemHovered())
                ui::Tooltip("logit %+.3f (%s direction \xC2\xB7 output)", ans.ranking[0].logit, best.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.1f%%", ans.ranking[0].probability * 100.0);
        }
        ImGui::EndTable();
    }
}

void draw_block(App& a, const ViewCtx& ctx) {
    ui::sync_subject_keys(a);
    const Model& m = a.model();
    const LookupResult& L = a.current_lookup();
    if (L.trace.pre.size() != m.mlp.hidden() || L.trace.E.size() != m.d()) {
        ui::Note("No lookup yet.");
        return;
    }
    if (ctx.controls) {
        ui::Caption("One lookup through the MLP block, step by step. Pick the subject in Lookup.");
    }
    ImGui::Text("Subject: %s", L.subject.c_str());

    const int k = 5;
    std::vector<int> top = ui::top_indices(L.trace.pre, k, ui::Rank::Largest);   // the same neurons in steps 2 and 3
    int sel = ui::current_neuron(a);
    float W = ImGui::GetContentRegionAvail().x;
    g_label_w = 0;
    auto widen = [](const std::string& s) { g_label_w = std::max(g_label_w, ImGui::CalcTextSize(s.c_str()).x + 8); };
    for (const ui::NamedDot& n : ui::top_named(m, L.trace.E, k, true, true)) widen(ui::named_label(m, n));
    for (const ui::NamedDot& n : ui::top_named(m, L.trace.delta, k, false, true)) widen(ui::named_label(m, n));
    for (int i : top) widen(ui::neuron_label(m, i));
    int cols = W >= ui::Em(60) ? 5 : W >= ui::Em(40) ? 2 : 1;

    auto arrow = [&](const char* words) { if (cols == 1) ui::Arrow(words); };
    if (cols == 1) {
        step_e(a, m, L, W, k);
        arrow("W_up asks questions (one dot product per row)");
        step_up(a, m, L, W, k, top, sel);
        arrow(m.mlp.act == Activation::GELU ? "bias + GELU: a (soft) AND gate" : "bias + ReLU: an AND gate");
        step_act(a, m, L, W, ctx, top, sel);
        arrow("W_down writes the answer");
        step_down(a, m, L, W, k);
        arrow("added to E");
        step_out(a, m, L, W);
        return;
    }
    // Side by side: a table, each step in its own cell, the video's words on top.
    const char* words[5] = {"the input", "W_up asks questions \xE2\x86\x92",
                            m.mlp.act == Activation::GELU ? "bias + GELU: a (soft) AND gate \xE2\x86\x92" : "bias + ReLU: an AND gate \xE2\x86\x92",
                            "W_down writes the answer \xE2\x86\x92", "added to E \xE2\x86\x92"};
    if (ImGui::BeginTable("steps", cols, ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_BordersInnerV)) {
        for (int s = 0; s < 5; ++s) {
            ImGui::TableNextColumn();
            float cw = ImGui::GetContentRegionAvail().x;
            ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(ui::AccentText()));
            ImGui::PushTextWrapPos(0.0f);
            ImGui::TextUnformatted(words[s]);
            ImGui::PopTextWrapPos();
            ImGui::PopStyleColor();
            switch (s) {
                case 0: step_e(a, m, L, cw, k); break;
                case 1: step_up(a, m, L, cw, k, top, sel); break;
                case 2: step_act(a, m, L, cw, ctx, top, sel); break;
                case 3: step_down(a, m, L, cw, k); break;
                case 4: step_out(a, m, L, cw); break;
            }
            ImGui::Spacing();
        }
        ImGui::EndTable();
    }
}

ViewRegistrar reg({"block", "The block, step by step", "facts", 20, 560.0f, draw_block,
                   "Follow E through the MLP block: W_up asks questions, bias + ReLU make an AND gate, W_down writes the answer."});

}  // namespace
}  // namespace factlab
