// view_lookup.cpp: "Lookup", the first thing a reader sees.
//
// Type or pick a subject; its tokens make E (E ≈ Michael + Jordan); the MLP
// block adds its facts; for each relation the answer is the candidate object
// whose direction has the largest dot product with the output, and a bar chart
// shows softmax probabilities over the candidates, the stored fact marked ✓.
// State: "subject" (shared by every view of the facts lab).
#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include "core/io.hpp"
#include "ui/common/app.hpp"
#include "ui/common/live_region.hpp"
#include "ui/common/plot.hpp"
#include "ui/common/theme.hpp"
#include "ui/common/widgets.hpp"

namespace factlab {
namespace {

constexpr const char* kCheck = "\xE2\x9C\x93";   // ✓
constexpr const char* kCross = "\xE2\x9C\x97";   // ✗

// The video's own examples, one click away: the fact, a same-first-name miss,
// a same-last-name miss, a superset name, the names swapped (first name Jordan,
// last name Michael: no one) and a name the model has never seen.
const char* const kExamples[] = {"Michael Jordan", "Michael Phelps", "Alexis Jordan", "Michael B. Jordan", "Jordan Michael",
                                 "Michael Smith"};

void draw_tokens(App& a, const LookupResult& L) {
    ui::Flow f;
    f.next(ImGui::CalcTextSize("E =").x);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("E =");
    ImU32 known_bg = ImGui::GetColorU32(ImGuiCol_FrameBg), unknown_bg = theme::with_alpha(theme::wrong(), 0.25f);
    const Model& m = a.model();
    for (size_t i = 0; i < L.tokens.size(); ++i) {
        const std::string& t = L.tokens[i];
        const std::string role = i < L.roles.size() ? role_label(L.roles[i]) : std::string();
        bool unknown = i >= L.rows.size() || L.rows[i] < 0;
        bool other_role = unknown && std::find(m.vocab.tokens.begin(), m.vocab.tokens.end(), t) != m.vocab.tokens.end();
        if (i > 0) { f.next(ImGui::CalcTextSize("+").x); ImGui::TextUnformatted("+"); }
        std::string label = role + " " + t + (unknown ? " (unknown)" : "");
        f.chip(label.c_str(), unknown ? unknown_bg : known_bg, theme::text(),
               other_role ? "The fact set has this word only in another place of a name: a direction is bound to its "
                            "role (first, middle, last), so this one has none and adds nothing to E."
               : unknown ? "Not a word of any subject in the fact set: it has no direction, so it adds nothing to E."
                         : "A token direction, bound to its place in the name: a unit vector in the residual space. "
                           "E is the sum of the subject's token directions.");
    }
    if (L.tokens.empty()) { f.next(ImGui::CalcTextSize("0").x); ImGui::TextUnformatted("0"); }
}

// One relation: the answer line, then the top candidates as bars.
void draw_relation(App& a, const Model& m, const LookupResult& L, const RelationAnswer& ans, int top_k, float width,
                   float label_w) {
    if (ans.ranking.empty() || ans.relation < 0 || ans.relation >= int(m.vocab.relations.size())) return;
    const std::string& rel = m.vocab.relations[ans.relation];
    std::string truth = ui::true_object(a, L.subject, rel);
    const RankedObject& best = ans.ranking[0];
    const std::string& best_name = m.vocab.objects[best.object];
    bool stored = !truth.empty();
    bool right = stored && best_name == truth;

    char line[512];
    std::snprintf(line, sizeof line, "%s \xE2\x86\x92 %s   %.1f%%%s%s", rel.c_str(), best_name.c_str(),
                  best.probability * 100.0, stored ? "   " : "", stored ? (right ? kCheck : kCross) : "");
    ImU32 col = !stored ? theme::muted() : right ? theme::answer_ink() : theme::wrong_ink();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(col));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(line);
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    if (!right && stored) ui::Note("The fact set says %s: %s.", rel.c_str(), truth.c_str());

    // Bars: the top k, plus the stored object when it ranks lower.
    std::vector<std::string> labels;
    std::vector<float> values;
    int highlight = -1;
    for (int i = 0; i < int(ans.ranking.size()); ++i) {
        const std::string& name = m.vocab.objects[ans.ranking[i].object];
        bool is_truth = stored && name == truth;
        if (i >= top_k && !is_truth) continue;
        std::string label = name;
        if (is_truth) { label += " "; label += kCheck; highlight = int(labels.size()); }
        if (i >= top_k) label = "#" + std::to_string(i + 1) + " " + label;
        labels.push_back(label);
        values.push_back(ans.ranking[i].probability * 100.0f);
    }
    ImGui::PushID(rel.c_str());
    int hov = plot::HBars("probs", labels, values, width, ui::Em(1.2f), 0, 100, highlight, "%.1f%%",
                          stored ? theme::data() : theme::silent(), label_w, theme::answer());
    ImGui::PopID();
    if (hov >= 0) {
        // Find the row's rank entry again for the logit.
        int shown = 0;
        for (int i = 0; i < int(ans.ranking.size()); ++i) {
            const std::string& name = m.vocab.objects[ans.ranking[i].object];
            bool is_truth = stored && name == truth;
            if (i >= top_k && !is_truth) continue;
            if (shown++ == hov) {
                ui::Tooltip("%s: rank %d of %d candidates\nlogit = %s direction \xC2\xB7 output = %+.3f\nprobability = %.2f%%",
                                  name.c_str(), i + 1, int(ans.ranking.size()), name.c_str(), ans.ranking[i].logit,
                                  ans.ranking[i].probability * 100.0);
                break;
            }
        }
    }
}

// The lookup as one plain sentence for the page's live region (live_region.hpp):
// "Michael Jordan: sport basketball (p 0.94), team Chicago Bulls (p 0.80), ...".
std::string live_answers(App& a, const Model& m, const LookupResult& L) {
    if (L.tokens.empty()) return "no name typed: E = 0, so the block has nothing to match.";
    bool known = a.facts.subject_id(L.subject) >= 0;
    std::string s = L.subject + ": ";
    if (!known) {
        std::string unknown;
        for (size_t i = 0; i < L.tokens.size(); ++i)
            if (i >= L.rows.size() || L.rows[i] < 0)
                unknown += (unknown.empty() ? "" : ", ") + (i < L.roles.size() ? role_label(L.roles[i]) + " " : "") + L.tokens[i];
        s += "not in the fact set" + (unknown.empty() ? std::string() : " (unknown: " + unknown + ")") +
             "; no neuron matches, so these answers are guesses: ";
    }
    bool first = true;
    for (const RelationAnswer& ans : L.answers) {
        if (ans.ranking.empty() || ans.relation < 0 || ans.relation >= int(m.vocab.relations.size())) continue;
        const std::string& rel = m.vocab.relations[ans.relation];
        std::string truth = ui::true_object(a, L.subject, rel);
        if (known && truth.empty()) continue;              // not stored: folded away on screen too
        const std::string& best = m.vocab.objects[ans.ranking[0].object];
        char p[32];
        std::snprintf(p, sizeof p, "%.2f", ans.ranking[0].probability);
        s += (first ? "" : ", ") + rel + " " + best + " (p " + p + (known && best != truth ? "; the fact set says " + truth : "") + ")";
        first = false;
    }
    char model[120];
    std::snprintf(model, sizeof model, ". The toy model: one block, d = %d, %d neurons.", m.d(), m.mlp.hidden());
    return s + model;
}

void draw_lookup(App& a, const ViewCtx& ctx) {
    ui::sync_subject_keys(a);
    const Model& m = a.model();
    const LookupResult& L = a.current_lookup();
    float width = ImGui::GetContentRegionAvail().x;

    if (ctx.controls) {
        ui::Caption("Type an athlete's name. Its tokens add up to E; the MLP block adds what it knows; "
                    "each relation's answer is the object E now points to most.");
        std::string subj = a.subject();
        float w = ui::Narrow(ctx) ? width : std::min(width, ui::Em(22));
        if (a.focus_subject) { ImGui::SetKeyboardFocusHere(); a.focus_subject = false; }
        // The list opens when the reader types, not on focus: focused on arrival, it would cover the "Try:" chips.
        if (ui::SubjectPicker("##subject", &subj, a.facts.subjects, w, "Type an athlete, e.g. Michael Jordan", false)) ui::set_subject(a, ui::canonical_subject(m, subj));
        ui::Flow f;
        f.next(ImGui::CalcTextSize("Try:").x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("Try:");
        for (const char* ex : kExamples)
            if (f.choice(ex, a.subject() == ex)) ui::set_subject(a, ex);
    }   // without controls the headline below names the subject
    ImGui::Spacing();
    draw_tokens(a, L);

    bool known = a.facts.subject_id(L.subject) >= 0;
    if (L.tokens.empty()) {
        ui::Note("No name typed: E = 0, so the block has nothing to match.");
    } else if (!known) {
        bool all_unknown = L.unknown_tokens.size() == L.tokens.size();
        ui::Note(all_unknown ? "None of these tokens is known: E = 0 and the block adds nothing. Every answer below is a guess."
                             : "Not in the fact set. No AND neuron matches all of these tokens, so the block adds "
                               "(almost) nothing and the answers below are guesses, whatever their probabilities.");
    }
    ImGui::Separator();

    // Stored relations first, in vocabulary order; the others folded away.
    int top_k = ctx.height > ui::Em(30) || ctx.embed ? 6 : 5;
    std::vector<const RelationAnswer*> stored, other;
    for (const RelationAnswer& ans : L.answers) {
        if (ans.relation < 0 || ans.relation >= int(m.vocab.relations.size())) continue;
        bool has = !ui::true_object(a, L.subject, m.vocab.relations[ans.relation]).empty();
        (has || !known ? stored : other).push_back(&ans);
    }
    // One label column for every chart, so the bars line up from chart to chart.
    float label_w = 0;
    for (const RelationAnswer& ans : L.answers)
        for (int i = 0; i < int(ans.ranking.size()) && i < top_k; ++i)
            label_w = std::max(label_w, ImGui::CalcTextSize(m.vocab.objects[ans.ranking[i].object].c_str()).x);
    label_w = std::min(label_w + ImGui::CalcTextSize(" \xE2\x9C\x93").x + 8, width * 0.45f);

    // The headline: the answers of the stored relations, in one line of large type.
    if (!L.tokens.empty()) {
        std::string head = L.subject + " \xE2\x86\x92";
        bool first = true;
        for (const RelationAnswer* ans : stored) {
            if (ans->ranking.empty() || !known) continue;
            head += (first ? " " : ", ") + m.vocab.objects[ans->ranking[0].object];
            first = false;
        }
        if (!known) head += " nothing stored";
        ImFont* big = ImGui::GetIO().Fonts->Fonts.Size > 1 ? ImGui::GetIO().Fonts->Fonts[1] : nullptr;
        if (big) ImGui::PushFont(big);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(head.c_str());
        ImGui::PopTextWrapPos();
        if (big) ImGui::PopFont();
        ImGui::Spacing();
    }
    for (const RelationAnswer* ans : stored) {
        draw_relation(a, m, L, *ans, top_k, width, label_w);
        ImGui::Spacing();
    }
    if (!other.empty()) {
        std::string names;
        for (const RelationAnswer* ans : other) names += (names.empty() ? "" : ", ") + m.vocab.relations[ans->relation];
        // A tree node's label does not wrap: on a narrow panel the names go inside.
        std::string head = "Not stored for this subject: " + names;
        const bool fits = ImGui::CalcTextSize(head.c_str()).x + ui::Em(2) <= width;
        if (!fits) head = "Not stored for this subject (" + std::to_string(other.size()) + ")";
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        bool open = ImGui::TreeNodeEx("##other", ImGuiTreeNodeFlags_SpanAvailWidth, "%s", head.c_str());
        ImGui::PopStyleColor();
        if (open) {
            ui::Note("The fact set has no such fact%s%s, so nothing was written for it: the answer is whatever E "
                     "happens to point to: a guess, however high its probability.", fits ? "" : ": ", fits ? "" : names.c_str());
            const float inner = ImGui::GetContentRegionAvail().x;   // narrower than `width`: the tree indents
            for (const RelationAnswer* ans : other) draw_relation(a, m, L, *ans, 3, inner, std::min(label_w, inner * 0.45f));
            ImGui::TreePop();
        }
    }

    live::say("lookup", live_answers(a, m, L));
    a.offer_export("This lookup (JSON)", "factlab-lookup.json", "application/json",
                   [&a]() { return lookup_to_json(a.model(), a.current_lookup()); });
}

ViewRegistrar reg({"lookup", "Lookup", "facts", 10, 560.0f, draw_lookup,
                   "Type a name and see the facts the MLP block retrieves for it, with the probability of every candidate."});

}  // namespace
}  // namespace factlab
