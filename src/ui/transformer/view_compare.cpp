// view_compare.cpp: "Cartoon vs. trained": one subject and its swapped name ("Michael
// Jordan" and "Jordan Michael") in the video's cartoon and in the trained transformer.
//
// Left, the facts lab's compiled block (core/block: one AND neuron per subject, its
// directions bound to their place in the name): the subject's own neuron, W_up·E + b_up and
// its activation for each name, and the block's answer for the prompt's relation. Right,
// the lab's transformer: its top next word and probability for the same prompt with each
// name, and its best neuron's activation for each (core/gpt/gate.hpp, as the wild view).
// Every sentence is built from these numbers.
// State: tf_prompt (the subject is the one found in it).
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "core/block/model.hpp"
#include "ui/common/app.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"
#include "ui/transformer/tflab.hpp"
#include "ui/transformer/tfui.hpp"

namespace factlab {
namespace {

// The relation whose template the prompt is (its subject put back), or "".
std::string prompt_relation(const TfModel& m, const TfRun& r) {
    const std::string text = m.vocab.decode(r.ids);
    for (const std::string& rel : m.facts.relations)
        for (const GptTemplate& t : gpt_templates(rel)) {
            std::string s = t.text;
            size_t at = s.find("{subject}");
            if (at == std::string::npos) continue;
            s.replace(at, 9, r.subject);
            if (s == text) return rel;
        }
    return "";
}

struct CartoonSide {
    bool ok = false;
    std::string why;                 // when !ok
    int neuron = -1;
    float pre[2] = {0, 0}, post[2] = {0, 0};
    std::string answer[2];
    float p[2] = {0, 0};
    std::string relation;
};

CartoonSide cartoon(App& a, const std::string& subject, const std::string& swapped, const std::string& relation) {
    CartoonSide c;
    const Model& cm = a.model();
    c.neuron = ui::subject_neuron(cm, subject);
    if (c.neuron < 0) { c.why = "The facts lab's block has no neuron for " + subject + " (its facts are another file)."; return c; }
    int rel = 0;
    for (int i = 0; i < int(cm.vocab.relations.size()); ++i) if (cm.vocab.relations[size_t(i)] == relation) rel = i;
    c.relation = cm.vocab.relations.empty() ? "" : cm.vocab.relations[size_t(rel)];
    const std::string names[2] = {subject, swapped};
    for (int k = 0; k < 2; ++k) {
        LookupResult L = lookup(cm, names[k]);
        if (L.trace.pre.size() <= c.neuron) { c.why = "No lookup."; return c; }
        c.pre[k] = L.trace.pre[c.neuron];
        c.post[k] = L.trace.post[c.neuron];
        for (const RelationAnswer& ra : L.answers)
            if (ra.relation == rel && !ra.ranking.empty()) {
                c.answer[k] = cm.vocab.objects[size_t(ra.ranking[0].object)];
                c.p[k] = ra.ranking[0].probability;
            }
    }
    c.ok = true;
    return c;
}


void draw_compare(App& a, const ViewCtx& ctx) {
    tflab_tick(a);
    const TfModel& m = tflab_model(a);
    float width = ImGui::GetContentRegionAvail().x;
    tfui::PromptHeader(a, m, ctx,
                       "The same name, its words swapped, in the video's cartoon and in a transformer that learned "
                       "the facts from sentences: where is the AND?",
                       width);
    const TfRun& r = tflab_run(a);
    if (tfui::NoRun(m, r)) return;
    std::string err;
    const int LF = m.w.config.n_layer * m.w.config.n_inner;
    const int K = int(a.state.get_int("tf_k", LF, 1, LF));   // as the wild view: one shared gate
    const GptGate* gp = tfui::Gate(a, m, r, K, &err);
    if (!gp) { ui::Note("%s Try \"%s\".", err.c_str(), kTfDefaultPrompt); tfui::ModelLine(m); return; }
    const GptGate& g = *gp;
    const GptGateName* sw = nullptr;
    for (const GptGateName& n : g.names) if (n.shares == "swapped") sw = &n;
    if (!sw) {
        ui::Note("%s has no two different words to swap (or the swapped name is a subject of its own): pick a "
                 "two-word name, e.g. \"%s\".", g.subject.c_str(), kTfDefaultPrompt);
        tfui::ModelLine(m);
        return;
    }
    const GptGateName& me = g.names[0];
    const std::string rel = prompt_relation(m, r);
    const CartoonSide c = cartoon(a, g.subject, sw->name, rel.empty() ? "sport" : rel);

    // Side by side in a two-column table (text wraps at each cell's edge), stacked on a phone.
    const bool side = !ui::Narrow(ctx) && width >= ui::Em(36) &&
                      ImGui::BeginTable("##compare", 2, ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_BordersInnerV);
    if (side) { ImGui::TableNextRow(); ImGui::TableNextColumn(); }
    ImFont* big = ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr;
    auto big_line = [&](const std::string& s) {
        if (big) ImGui::PushFont(big);
        ImGui::TextUnformatted(s.c_str());
        if (big) ImGui::PopFont();
    };
    char b[600];

    // ---- the cartoon ----
    ImGui::PushTextWrapPos(0.0f);
    {
        const Model& cm = a.model();
        std::snprintf(b, sizeof b, "The cartoon: the facts lab's compiled block (d = %d, one neuron per subject, %d neurons)",
                      cm.d(), cm.mlp.hidden());
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(ui::AccentText()));
        ImGui::TextUnformatted(b);
        ImGui::PopStyleColor();
        if (!c.ok) {
            ui::Note("%s", c.why.c_str());
        } else {
            const std::string names[2] = {g.subject, sw->name};
            const char* act = cm.mlp.act == Activation::GELU ? "GELU" : "ReLU";
            for (int k = 0; k < 2; ++k) {
                big_line(names[k] + " \xE2\x86\x92 " + (c.answer[k].empty() ? "?" : c.answer[k]));
                std::snprintf(b, sizeof b, "%s's neuron: W_up\xC2\xB7" "E + b_up = %+.2f, %s %.2f; %s: %s, p %.2f",
                              g.subject.c_str(), c.pre[k], act, c.post[k], c.relation.c_str(), c.answer[k].c_str(), c.p[k]);
                ui::Note("%s", b);
            }
            const std::string why = c.post[1] <= 0.f ? " (silent: the same words in other places are other directions)" : "";
            std::snprintf(b, sizeof b, "In the cartoon the AND is one neuron: %s's fires %.2f for \"%s\" and %.2f for \"%s\"%s.",
                          g.subject.c_str(), c.post[0], g.subject.c_str(), c.post[1], sw->name.c_str(), why.c_str());
            ImGui::TextUnformatted(b);
        }
    }
    ImGui::PopTextWrapPos();
    if (side) ImGui::TableNextColumn();
    else ImGui::Separator();

    // ---- the trained transformer ----
    ImGui::PushTextWrapPos(0.0f);
    {
        const GptConfig& cf = m.w.config;
        std::snprintf(b, sizeof b, "The trained transformer (%d layers, d_model %d, MLP %d per layer)", cf.n_layer, cf.n_embd, cf.n_inner);
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(ui::AccentText()));
        ImGui::TextUnformatted(b);
        ImGui::PopStyleColor();
        const GptGateName* ns[2] = {&me, sw};
        for (int k = 0; k < 2; ++k) {
            big_line(ns[k]->name + " \xE2\x86\x92 " + tflab_token(m, ns[k]->top));
            std::snprintf(b, sizeof b, "next word \"%s\" p %.2f; p(%s) %.2f; best neuron (layer %d, %d) %.2f",
                          tflab_token(m, ns[k]->top).c_str(), ns[k]->p_top, tflab_token(m, g.answer).c_str(), ns[k]->p_answer,
                          g.best.layer, g.best.neuron, ns[k]->activation);
            ui::Note("%s", b);
        }
        const bool same = sw->top == g.answer;
        const float ratio = me.activation > 1e-6f ? sw->activation / me.activation : 0.f;
        std::snprintf(b, sizeof b, "In this transformer the swapped name %s (p(%s) %.2f against %.2f), and its best neuron for "
                      "%s fires %.0f%% as much for \"%s\".",
                      same ? ("still gets \"" + tflab_token(m, g.answer) + "\"").c_str()
                           : ("gets \"" + tflab_token(m, sw->top) + "\", not \"" + tflab_token(m, g.answer) + "\"").c_str(),
                      tflab_token(m, g.answer).c_str(), sw->p_answer, me.p_answer, g.subject.c_str(), 100 * ratio,
                      sw->name.c_str());
        ImGui::TextUnformatted(b);
        const std::string at = tflab_token(m, g.tokens[size_t(g.position)]);
        if (g.flip == 1)
            std::snprintf(b, sizeof b, "Switching off its one largest contribution at \"%s\" already changes the answer "
                          "(AND gate in the wild view).", at.c_str());
        else if (g.flip > 1)
            std::snprintf(b, sizeof b, "No single neuron holds the answer: it changes only after the %d largest "
                          "contributions are switched off at \"%s\" (AND gate in the wild view).", g.flip, at.c_str());
        else
            std::snprintf(b, sizeof b, "No single neuron holds the answer: switching off %s%d of the %d neurons at "
                          "\"%s\" one by one, largest contribution first, never changes it (AND gate in the wild view).",
                          int(g.ranked.size()) == LF ? "all " : "", int(g.ranked.size()), LF, at.c_str());
        ui::Note("%s", b);
    }
    ImGui::PopTextWrapPos();
    if (side) ImGui::EndTable();
    ImGui::Spacing();
    tfui::ModelLine(m);
}

ViewRegistrar reg({"compare", "Cartoon vs. trained", "transformer", 60, 420.0f, draw_compare,
                   "Michael Jordan and Jordan Michael in the video's one-neuron cartoon and in the trained transformer."});

}  // namespace
}  // namespace factlab
