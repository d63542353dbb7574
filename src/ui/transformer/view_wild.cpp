// view_wild.cpp: "AND gate in the wild": the cartoon's AND neuron, looked for in the
// trained transformer (core/gpt/gate.hpp; docs/gpt.md, "The AND gate in the wild").
//
// At the subject's last word, every MLP neuron of every layer is scored: its margin
// (activation for the subject minus the highest for a near miss: a name sharing one of
// its words) and its contribution (the drop of the answer's logit when that one neuron
// is switched off there). The best neuron is the largest product of the two. Its
// activation for every name is drawn on the AND gate's inputs: x = "the name's first
// word is the subject's first word", y = "its last word is the subject's last word",
// the four combinations of a two-input gate (Jordan Spieth and the swapped "Jordan
// Michael" share a word in another place: x = y = 0). Under it the ablation curve:
// the K largest contributions switched off together at the subject's last word.
// State: tf_prompt, tf_k (neurons in the ablation curve, 1..L·F, default all L·F).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <imgui.h>
#include "ui/common/app.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"
#include "ui/transformer/tflab.hpp"
#include "ui/transformer/tfui.hpp"

namespace factlab {
namespace {


// Where a name sits in its corner: the strongest at the corner, the rest on a spiral.
ImVec2 corner_spot(int corner_x, int corner_y, int rank) {
    if (rank == 0) return ImVec2(float(corner_x), float(corner_y));
    const float a = 2.39996f * float(rank), r = 0.075f * std::sqrt(float(rank));
    return ImVec2(float(corner_x) + r * std::cos(a), float(corner_y) + r * std::sin(a));
}

void draw_gate_plot(const GptGate& g, const TfModel& m, float W, float H) {
    const std::vector<std::string> words = gpt_split_words(g.subject);
    const std::string fw = words.empty() ? "" : words.front(), lw = words.empty() ? "" : words.back();
    std::string xl = "x: first word \"" + fw + "\" (0 no, 1 yes)", yl = "y: last word \"" + lw + "\"";
    const float amax = std::max(1e-3f, g.names.empty() ? 1.f : g.names[0].activation);
    float top = amax;
    for (const GptGateName& n : g.names) top = std::max(top, n.activation);
    if (!plot::Begin("wildgate", ImVec2(W, H), {-0.55, 1.55, xl.c_str()}, {-0.55, 1.55, yl.c_str()})) return;
    ImDrawList* dl = plot::DrawList();
    const float fs = ImGui::GetFontSize();
    // The AND's firing corner, shaded as the facts lab shades its active half-plane.
    plot::FillRect(0.5, 0.5, 1.55, 1.55, theme::with_alpha(theme::firing(), 0.12f));
    plot::HLine(0.5, theme::grid());
    plot::VLine(0.5, theme::grid());
    int rank[2][2] = {{0, 0}, {0, 0}};
    std::vector<size_t> order(g.names.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (a == 0 || b == 0) return a == 0 && b != 0;   // the subject first: it takes its corner
        return g.names[a].activation > g.names[b].activation;
    });
    int hovered = -1;
    float best_d = fs * 0.9f;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    std::vector<ImVec2> at(g.names.size());
    bool labelled[2][2] = {{false, false}, {false, false}};
    std::vector<ImVec4> placed;   // labels drawn so far (screen rects)
    for (size_t i : order) {
        const GptGateName& n = g.names[i];
        const int cx = n.first ? 1 : 0, cy = n.last ? 1 : 0;
        ImVec2 d = corner_spot(cx, cy, rank[cx][cy]++);
        ImVec2 s = plot::ToScreen(d.x, d.y);
        at[i] = s;
        // Size and fill by the activation, relative to the subject's: the gate's output.
        const float t = std::clamp(n.activation / top, 0.f, 1.f);
        const float r = std::max(3.0f, fs * (0.25f + 0.55f * t));
        if (n.activation > 0.5f * amax) dl->AddCircleFilled(s, r, theme::with_alpha(theme::firing(), 0.35f + 0.6f * t));
        dl->AddCircle(s, r, n.activation > 0.5f * amax ? theme::firing() : theme::silent(), 0, 2.0f);
        if (i == 0) dl->AddCircle(s, r + fs * 0.35f, theme::text(), 0, 2.0f);   // the subject: a ring
        if (!n.in_facts) {   // the swapped name: not a subject of the facts, a cross
            dl->AddLine(ImVec2(s.x - r, s.y - r), ImVec2(s.x + r, s.y + r), theme::text(), 1.5f);
            dl->AddLine(ImVec2(s.x - r, s.y + r), ImVec2(s.x + r, s.y - r), theme::text(), 1.5f);
        }
        float dd = std::hypot(s.x - mouse.x, s.y - mouse.y);
        if (plot::Hovered() && dd < best_d) { best_d = dd; hovered = int(i); }
        // Labels: the strongest name of each corner (and the swapped one), with its activation.
        if (!labelled[cx][cy] || !n.in_facts) {
            if (n.in_facts) labelled[cx][cy] = true;
            char b[160];
            std::snprintf(b, sizeof b, "%s %.2f", n.name.c_str(), n.activation);
            ImVec2 ts = ImGui::CalcTextSize(b);
            ImVec4 area = plot::Rect();
            // The subject's label above its ring; the others beside their point, away from the edge.
            float lx = i == 0 ? s.x - ts.x / 2 : cx ? s.x - r - 6 - ts.x : s.x + r + 6;
            float ly = i == 0 ? s.y - r - fs * 0.45f - ts.y - 2 : !n.in_facts ? s.y + r + 2 : s.y - r - ts.y - 2;
            lx = std::clamp(lx, area.x + 2, area.z - ts.x - 2);
            ly = std::clamp(ly, area.y + 2, area.w - ts.y - 2);
            // A label that would cover another is tried below its point, else left to the hover.
            auto clashes = [&](float x0, float y0) {
                for (const ImVec4& q : placed)
                    if (x0 < q.z && x0 + ts.x > q.x && y0 < q.w && y0 + ts.y > q.y) return true;
                return false;
            };
            if (clashes(lx, ly)) ly = std::clamp(s.y + r + 2, area.y + 2, area.w - ts.y - 2);
            if (clashes(lx, ly)) continue;
            placed.push_back(ImVec4(lx - 2, ly, lx + ts.x + 2, ly + ts.y));
            dl->AddRectFilled(ImVec2(lx - 2, ly), ImVec2(lx + ts.x + 2, ly + ts.y),
                              i == 0 ? theme::with_alpha(theme::highlight(), 0.85f) : theme::with_alpha(ImGui::GetColorU32(ImGuiCol_ChildBg), 0.8f), 3);
            dl->AddText(ImVec2(lx, ly), i == 0 ? IM_COL32(0, 0, 0, 255) : theme::text(), b);
        }
    }
    if (g.unrelated > 0) {   // the corner of no shared word: every other subject, summarised
        char b[200];
        std::snprintf(b, sizeof b, "%d sharing no word: mean %.2f, max %.2f", g.unrelated, g.unrelated_mean, g.unrelated_max);
        ImVec4 area = plot::Rect();
        dl->AddText(ImVec2(area.x + 4, area.w - ImGui::GetTextLineHeight() - 2), ImGui::GetColorU32(ImGuiCol_TextDisabled), b);
    }
    if (hovered >= 0) {
        const GptGateName& n = g.names[size_t(hovered)];
        ui::Tooltip("%s (%s)\nactivation %.3f at \"%s\"\nthe model says \"%s\" (p %.3f); p(%s) %.3f", n.name.c_str(),
                    n.shares.c_str(), n.activation, m.vocab.decode(&g.tokens[size_t(g.position)], 1).c_str(),
                    tflab_token(m, n.top).c_str(), n.p_top, tflab_token(m, g.answer).c_str(), n.p_answer);
    }
    plot::End();
}

void draw_wild(App& a, const ViewCtx& ctx) {
    tflab_tick(a);
    const TfModel& m = tflab_model(a);
    float width = ImGui::GetContentRegionAvail().x;
    tfui::PromptHeader(a, m, ctx,
                       "The cartoon stores a fact in one neuron that fires for the first name AND the last name. "
                       "Here: the trained model's best candidate for that neuron, and what switching neurons off does.",
                       width);
    const TfRun& r = tflab_run(a);
    if (tfui::NoRun(m, r)) return;
    const int LF = m.w.config.n_layer * m.w.config.n_inner;
    const int K = int(a.state.get_int("tf_k", LF, 1, LF));
    std::string err;
    const GptGate* gp = tfui::Gate(a, m, r, K, &err);
    if (!gp) { ui::Note("%s Try \"%s\".", err.c_str(), kTfDefaultPrompt); tfui::ModelLine(m); return; }
    const GptGate& g = *gp;
    const std::string ans = tflab_token(m, g.answer), last = tflab_token(m, g.tokens[size_t(g.position)]);
    const GptGateName* near_top = nullptr;
    for (size_t i = 1; i < g.names.size(); ++i)
        if (!near_top || g.names[i].activation > near_top->activation) near_top = &g.names[i];

    char line[600];
    std::snprintf(line, sizeof line, "Best neuron: layer %d, neuron %d of %d. At \"%s\" it fires %.2f for %s",
                  g.best.layer, g.best.neuron, m.w.config.n_inner, last.c_str(), g.best.subject, g.subject.c_str());
    std::string s = line;
    if (near_top) {
        std::snprintf(line, sizeof line, "; the most for a near miss: %.2f (%s).", near_top->activation, near_top->name.c_str());
        s += line;
    } else {
        s += "; no other name shares a word with it.";
    }
    std::snprintf(line, sizeof line, " Switched off alone, it lowers the logit of \"%s\" by %.3f (p %.3f).", ans.c_str(),
                  g.best.contribution, g.p_clean);
    s += line;
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(s.c_str());
    ImGui::PopTextWrapPos();

    const bool narrow = ui::Narrow(ctx);
    const float plot_h = ctx.controls ? std::clamp(width * 0.62f, ui::Em(12), ui::Em(19))
                                      : std::clamp(ImGui::GetContentRegionAvail().y * 0.5f, ui::Em(9), ui::Em(19));
    const bool side = !narrow && width >= ui::Em(40);
    const float gate_w = side ? width * 0.55f : width;
    ImGui::BeginGroup();
    std::snprintf(line, sizeof line, "Layer %d, neuron %d at \"%s\", per name", g.best.layer, g.best.neuron, last.c_str());
    ImGui::TextUnformatted(line);
    draw_gate_plot(g, m, gate_w, plot_h);
    ImGui::EndGroup();
    if (side) ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 2);

    // The ablation curve.
    ImGui::BeginGroup();
    const float curve_w = side ? ImGui::GetContentRegionAvail().x : width;
    char title[200];
    std::snprintf(title, sizeof title, "p(%s) with the k largest contributions off", ans.c_str());
    ImGui::TextUnformatted(title);
    std::vector<float> xs, ys(g.ablation.begin(), g.ablation.end());
    for (size_t k = 0; k < ys.size(); ++k) xs.push_back(float(k));
    if (plot::Begin("wildcurve", ImVec2(curve_w, plot_h), {0, double(std::max<size_t>(1, ys.size() - 1)), "k neurons off"},
                    {0, 1, "p"})) {
        if (g.flip >= 0) plot::VLine(g.flip, theme::muted(), "top word changes");
        plot::Line(xs.data(), ys.data(), int(ys.size()), theme::data());
        plot::Points(xs.data(), ys.data(), int(ys.size()), theme::data(), 2.5f);
        if (plot::Hovered()) {
            int k = std::clamp(int(std::lround(plot::MouseData().x)), 0, int(ys.size()) - 1);
            if (k == 0) ui::Tooltip("none off: p(%s) = %.3f", ans.c_str(), ys[0]);
            else {
                const GptGateNeuron& n = g.ranked[size_t(k - 1)];
                ui::Tooltip("%d off: p(%s) = %.3f\nthe %d-th: layer %d, neuron %d (contribution %.3f)", k, ans.c_str(), ys[size_t(k)],
                            k, n.layer, n.neuron, n.contribution);
            }
        }
        plot::End();
    }
    ImGui::EndGroup();
    if (g.flip >= 0)
        ui::Note("With the %d largest contributions switched off at \"%s\" (of %d neurons in %d layers), \"%s\" is no longer "
                 "the top word: p %.3f \xE2\x86\x92 %.3f.", g.flip, last.c_str(), LF, m.w.config.n_layer, ans.c_str(), g.p_clean,
                 g.ablation[size_t(g.flip)]);
    else
        ui::Note("Switching off %s%d of the %d neurons at \"%s\" one by one, largest contribution first, never makes \"%s\" "
                 "lose the top place: p %.3f at the start, lowest %.3f.", int(g.ranked.size()) == LF ? "all " : "",
                 int(g.ranked.size()), LF, last.c_str(), ans.c_str(),
                 g.p_clean, *std::min_element(g.ablation.begin(), g.ablation.end()));
    if (ctx.controls) {
        int k = K;
        ImGui::SetNextItemWidth(narrow ? width : std::min(width, ui::Em(16)));
        if (ImGui::SliderInt("##tf_k", &k, 1, LF, "curve: %d neurons")) a.state.set_int("tf_k", k);
    }

    // Every name, strongest first (a tall panel, or with controls).
    if (ctx.controls || ctx.height >= ui::Em(34)) {
        std::vector<size_t> rows(g.names.size());
        for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
        std::stable_sort(rows.begin(), rows.end(), [&](size_t x, size_t y) { return g.names[x].activation > g.names[y].activation; });
        const int ncol = narrow ? 3 : 4;
        ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersOuterH |
                             ImGuiTableFlags_ScrollY;
        float th = std::min(ui::Em(1.45f) * float(rows.size() + 1) + ui::Em(0.5f), ui::Em(14));
        if (ImGui::BeginTable("wild_names", ncol, tf, ImVec2(0, th))) {
            ImGui::TableSetupScrollFreeze(0, 1);
            ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch, 3.0f);
            if (!narrow) ImGui::TableSetupColumn("shares", ImGuiTableColumnFlags_WidthStretch, 1.6f);
            ImGui::TableSetupColumn("activation", ImGuiTableColumnFlags_WidthStretch, 1.4f);
            ImGui::TableSetupColumn("the model says", ImGuiTableColumnFlags_WidthStretch, 2.6f);
            ImGui::TableHeadersRow();
            for (size_t i : rows) {
                const GptGateName& n = g.names[i];
                ImGui::TableNextRow();
                if (i == 0) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, theme::with_alpha(theme::highlight(), 0.35f));
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(n.name.c_str());
                if (!narrow) { ImGui::TableNextColumn(); ImGui::TextUnformatted(n.shares.c_str()); }
                ImGui::TableNextColumn();
                ImGui::Text("%.3f", n.activation);
                ImGui::TableNextColumn();
                ImGui::Text("%s %.2f", tflab_token(m, n.top).c_str(), n.p_top);
            }
            ImGui::EndTable();
        }
        ui::Note("Filled: above half the subject's activation. Ringed: the subject; crossed: the swapped name, not a "
                 "subject of the facts. Hover a point to read it.");
    }
    tfui::ModelLine(m);
}

ViewRegistrar reg({"wild", "AND gate in the wild", "transformer", 50, 620.0f, draw_wild,
                   "The trained transformer's best candidate for the cartoon's AND neuron, its near misses, and the "
                   "answer as neurons are switched off."});

}  // namespace
}  // namespace factlab
